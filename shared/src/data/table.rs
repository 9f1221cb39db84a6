//! The table a table panel shows, built from a panel's series the way Grafana shows Prometheus
//! results with `format: table`: a row per series, a column per label and a `Value` column,
//! several queries merged into one table on their common labels (`Value #A`, `Value #B`, ...),
//! as Grafana's `merge` transformation does. Range results show each series' last value.

use crate::data::cell::{compare_cells, Cell};
use crate::data::frame::{FieldKind, Frame, Series};
use serde_json::Value;
use std::collections::BTreeMap;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Time,
    Label,
    Value,
}

/// One column: `name` is its name in the data (what overrides and transformations match),
/// `display` what its header shows (after `organize` renames).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub display: String,
    /// For value columns: the query they come from.
    pub ref_id: String,
    pub kind: ColumnKind,
}

impl Column {
    fn new(name: String, ref_id: &str, kind: ColumnKind) -> Column {
        Column {
            display: name.clone(),
            name,
            ref_id: ref_id.to_string(),
            kind,
        }
    }
}

/// A table: `rows[i][j]` is the cell of row `i` in `columns[j]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// A row while tables of several queries are merged.
struct MergedRow {
    time: Option<i64>,
    labels: BTreeMap<String, String>,
    /// By index of the query in `refs`.
    values: BTreeMap<usize, f64>,
}

/// The last non-NaN point of a series (its time and value), else the time of its last point.
fn last_value(s: &Series) -> (Option<i64>, Option<f64>) {
    match s.points.iter().rev().find(|(_, v)| !v.is_nan()) {
        Some(&(t, v)) => (Some(t), Some(v)),
        None => (s.points.last().map(|(t, _)| *t), None),
    }
}

/// Builds the table of `series`, each given with the `refId` of the query it answers.
/// Columns: `Time`, then for each query (in order of first appearance) its labels not seen
/// yet (sorted) and its value column. A series of a later query joins the first row that has
/// no value of that query yet and agrees on every label the query shares with earlier ones;
/// otherwise it starts a row. The value column is `Value`, or `Value #REF` when the panel runs
/// several queries (`queries`, counted whether or not they returned anything, as Grafana does).
pub fn series_table(series: &[(&str, &Series)], queries: usize) -> Table {
    let mut refs: Vec<&str> = Vec::new();
    for (r, _) in series {
        if !refs.contains(r) {
            refs.push(r);
        }
    }
    let several = queries.max(refs.len()) > 1;
    let mut columns = vec![Column::new("Time".into(), "", ColumnKind::Time)];
    let mut rows: Vec<MergedRow> = Vec::new();
    for (k, r) in refs.iter().enumerate() {
        let mine: Vec<&Series> = series
            .iter()
            .filter(|(sr, _)| sr == r)
            .map(|(_, s)| *s)
            .collect();
        let mut labels: Vec<&String> = mine.iter().flat_map(|s| s.labels.keys()).collect();
        crate::sort::sort(&mut labels);
        labels.dedup();
        let common: Vec<&String> = labels
            .iter()
            .copied()
            .filter(|l| {
                columns
                    .iter()
                    .any(|c| c.kind == ColumnKind::Label && &c.name == *l)
            })
            .collect();
        for l in &labels {
            if !common.contains(l) {
                columns.push(Column::new((*l).clone(), "", ColumnKind::Label));
            }
        }
        let value_name = if several {
            format!("Value #{r}")
        } else {
            "Value".to_string()
        };
        columns.push(Column::new(value_name, r, ColumnKind::Value));
        for s in mine {
            let (time, value) = last_value(s);
            let label =
                |m: &BTreeMap<String, String>, l: &str| m.get(l).cloned().unwrap_or_default();
            let joined = (k > 0)
                .then(|| {
                    rows.iter_mut().find(|row| {
                        !row.values.contains_key(&k)
                            && common
                                .iter()
                                .all(|l| label(&row.labels, l) == label(&s.labels, l))
                    })
                })
                .flatten();
            match joined {
                Some(row) => {
                    for (l, v) in &s.labels {
                        row.labels.entry(l.clone()).or_insert_with(|| v.clone());
                    }
                    if let Some(v) = value {
                        row.values.insert(k, v);
                    }
                    row.time = row.time.max(time);
                }
                None => rows.push(MergedRow {
                    time,
                    labels: s.labels.clone(),
                    values: value.map(|v| (k, v)).into_iter().collect(),
                }),
            }
        }
    }
    let rows = rows
        .into_iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| match c.kind {
                    ColumnKind::Time => row.time.map_or(Cell::Empty, Cell::Time),
                    ColumnKind::Label => row
                        .labels
                        .get(&c.name)
                        .map_or(Cell::Empty, |v| Cell::Text(v.clone())),
                    ColumnKind::Value => {
                        let k = refs.iter().position(|r| *r == c.ref_id).unwrap_or(0);
                        row.values.get(&k).map_or(Cell::Empty, |v| Cell::Number(*v))
                    }
                })
                .collect()
        })
        .collect();
    Table { columns, rows }
}

/// Grafana's `organize` transformation: `excludeByName` drops columns, `indexByName` orders
/// them (columns without an index keep their order, after those with one), `renameByName`
/// sets the header shown.
pub fn organize(table: Table, options: &Value) -> Table {
    let flag = |key: &str, name: &str| {
        options
            .pointer(&format!("/{key}"))
            .and_then(|m| m.get(name))
    };
    let mut order: Vec<usize> = (0..table.columns.len())
        .filter(|&i| {
            flag("excludeByName", &table.columns[i].name).and_then(Value::as_bool) != Some(true)
        })
        .collect();
    crate::sort::sort_by_key(&mut order, |&i| {
        flag("indexByName", &table.columns[i].name)
            .and_then(Value::as_f64)
            .map_or(i64::MAX, |f| f as i64)
    });
    let columns = order
        .iter()
        .map(|&i| {
            let mut c = table.columns[i].clone();
            if let Some(name) = flag("renameByName", &c.name)
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
            {
                c.display = name.to_string();
            }
            c
        })
        .collect();
    let rows = table
        .rows
        .into_iter()
        .map(|row| order.iter().map(|&i| row[i].clone()).collect())
        .collect();
    Table { columns, rows }
}

/// Sorts rows by a column (stable), empty cells last in both directions.
pub fn sort_rows(rows: &mut [Vec<Cell>], column: usize, descending: bool) {
    crate::sort::sort_by(rows, |a, b| {
        let (x, y) = (&a[column], &b[column]);
        match (x, y) {
            (Cell::Empty, _) | (_, Cell::Empty) => compare_cells(x, y),
            _ if descending => compare_cells(y, x),
            _ => compare_cells(x, y),
        }
    });
}

/// The table a frame shows: its fields as columns (header: the display name).
pub fn frame_to_table(frame: &Frame) -> Table {
    let names = frame.display_names();
    let columns = frame
        .fields
        .iter()
        .zip(names)
        .map(|(f, display)| Column {
            name: f.name.clone(),
            display,
            ref_id: f.ref_id.clone(),
            kind: match f.kind {
                FieldKind::Time => ColumnKind::Time,
                FieldKind::String => ColumnKind::Label,
                FieldKind::Number => ColumnKind::Value,
            },
        })
        .collect();
    let rows = (0..frame.len()).map(|i| frame.row(i)).collect();
    Table { columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(labels: &[(&str, &str)], points: &[(i64, f64)]) -> Series {
        Series {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: points.to_vec(),
        }
    }

    fn names(t: &Table) -> Vec<&str> {
        t.columns.iter().map(|c| c.display.as_str()).collect()
    }

    fn text(v: &str) -> Cell {
        Cell::Text(v.into())
    }

    #[test]
    fn one_query_gives_a_row_per_series() {
        let a = s(&[("__name__", "up"), ("job", "node")], &[(1000, 1.0)]);
        let b = s(
            &[("__name__", "up"), ("job", "prom"), ("instance", "x")],
            &[(1000, 0.0), (2000, 1.0), (3000, f64::NAN)],
        );
        let t = series_table(&[("A", &a), ("A", &b)], 1);
        assert_eq!(names(&t), ["Time", "__name__", "instance", "job", "Value"]);
        assert_eq!(
            t.rows,
            vec![
                vec![
                    Cell::Time(1000),
                    text("up"),
                    Cell::Empty,
                    text("node"),
                    Cell::Number(1.0)
                ],
                vec![
                    Cell::Time(2000),
                    text("up"),
                    text("x"),
                    text("prom"),
                    Cell::Number(1.0)
                ],
            ],
            "range results show the last non-null value"
        );
    }

    #[test]
    fn several_queries_join_on_common_labels() {
        let a1 = s(&[("pod", "p1"), ("ns", "a")], &[(5, 10.0)]);
        let a2 = s(&[("pod", "p2"), ("ns", "a")], &[(5, 20.0)]);
        let b2 = s(&[("pod", "p2")], &[(5, 2.0)]);
        let b3 = s(&[("pod", "p3")], &[(5, 3.0)]);
        let c = s(&[("pod", "p1"), ("node", "n1")], &[(5, 0.5)]);
        let t = series_table(
            &[("A", &a1), ("A", &a2), ("B", &b2), ("B", &b3), ("C", &c)],
            3,
        );
        assert_eq!(
            names(&t),
            ["Time", "ns", "pod", "Value #A", "Value #B", "node", "Value #C"]
        );
        let n = Cell::Number;
        assert_eq!(
            t.rows,
            vec![
                vec![
                    Cell::Time(5),
                    text("a"),
                    text("p1"),
                    n(10.0),
                    Cell::Empty,
                    text("n1"),
                    n(0.5)
                ],
                vec![
                    Cell::Time(5),
                    text("a"),
                    text("p2"),
                    n(20.0),
                    n(2.0),
                    Cell::Empty,
                    Cell::Empty
                ],
                vec![
                    Cell::Time(5),
                    Cell::Empty,
                    text("p3"),
                    Cell::Empty,
                    n(3.0),
                    Cell::Empty,
                    Cell::Empty
                ],
            ]
        );
    }

    #[test]
    fn queries_without_labels_share_one_row() {
        let a = s(&[], &[(5, 1.0)]);
        let b = s(&[], &[(6, 2.0)]);
        let t = series_table(&[("A", &a), ("B", &b)], 2);
        assert_eq!(names(&t), ["Time", "Value #A", "Value #B"]);
        assert_eq!(
            t.rows,
            vec![vec![Cell::Time(6), Cell::Number(1.0), Cell::Number(2.0)]]
        );
        assert_eq!(series_table(&[], 1).rows.len(), 0);
        let t = series_table(&[("A", &a)], 2);
        assert_eq!(
            names(&t),
            ["Time", "Value #A"],
            "named after its query when another returned nothing"
        );
    }

    #[test]
    fn organize_excludes_orders_and_renames() {
        let a = s(&[("job", "j"), ("instance", "i")], &[(5, 1.0)]);
        let t = organize(
            series_table(&[("A", &a)], 1),
            &json!({"excludeByName": {"Time": true}, "indexByName": {"Value": 0, "job": 1},
                    "renameByName": {"Value": "Up", "instance": ""}}),
        );
        assert_eq!(names(&t), ["Up", "job", "instance"]);
        assert_eq!(t.columns[0].name, "Value");
        assert_eq!(t.rows, vec![vec![Cell::Number(1.0), text("j"), text("i")]]);
    }

    #[test]
    fn sorting_puts_empty_cells_last() {
        let mut rows = vec![
            vec![Cell::Number(2.0), text("b")],
            vec![Cell::Empty, text("10")],
            vec![Cell::Number(10.0), text("9")],
            vec![Cell::Number(-1.0), Cell::Empty],
        ];
        sort_rows(&mut rows, 0, false);
        let col =
            |rows: &[Vec<Cell>], j: usize| rows.iter().map(|r| r[j].clone()).collect::<Vec<_>>();
        assert_eq!(
            col(&rows, 0),
            [
                Cell::Number(-1.0),
                Cell::Number(2.0),
                Cell::Number(10.0),
                Cell::Empty
            ]
        );
        sort_rows(&mut rows, 0, true);
        assert_eq!(
            col(&rows, 0),
            [
                Cell::Number(10.0),
                Cell::Number(2.0),
                Cell::Number(-1.0),
                Cell::Empty
            ]
        );
        sort_rows(&mut rows, 1, false);
        assert_eq!(
            col(&rows, 1),
            [text("9"), text("10"), text("b"), Cell::Empty],
            "numeric text sorts as numbers"
        );
    }
}
