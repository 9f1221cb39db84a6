//! One value of a table or frame: text, a number, a time, or nothing; how cells compare when
//! a table is sorted.

use std::cmp::Ordering;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// Epoch milliseconds.
    Time(i64),
}

/// A cell as a number: numbers, and times as epoch ms.
pub fn number_of(c: &Cell) -> Option<f64> {
    match c {
        Cell::Number(v) => Some(*v),
        Cell::Time(t) => Some(*t as f64),
        _ => None,
    }
}

/// The order of two cells when sorting ascending; empty cells sort after anything.
pub fn compare_cells(a: &Cell, b: &Cell) -> Ordering {
    fn number(c: &Cell) -> Option<f64> {
        match c {
            Cell::Number(v) => Some(*v),
            Cell::Time(t) => Some(*t as f64),
            Cell::Text(s) => s.trim().parse().ok(),
            Cell::Empty => None,
        }
    }
    match (a, b) {
        (Cell::Empty, Cell::Empty) => Ordering::Equal,
        (Cell::Empty, _) => Ordering::Greater,
        (_, Cell::Empty) => Ordering::Less,
        (Cell::Text(x), Cell::Text(y)) => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => x.cmp(y),
        },
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => Ordering::Equal,
        },
    }
}
