//! Grafana's reducers (`fieldReducers`, the `calcs` of stat panels, legends, the `reduce` and
//! `groupBy` transformations and `calculateField`'s reduce row): one implementation for every
//! place that reduces a field to one value.
//!
//! What a reducer reads, as Grafana's standard calculations do: nulls are skipped by all but
//! `first`, `last`, `countAll`, `allValues` and `uniqueValues`; NaN is a number to `count`,
//! `first`/`last`, `variance`/`stdDev` (which it turns into NaN) and the change and distinct
//! counts, and skipped by the others. A field without any value reduces to null, except
//! `sum`, `count` and `countAll` (0), `allIsZero` (false) and `allIsNull` (true).

use crate::data::cell::Cell;

/// A reducer of Grafana's `fieldReducers`, by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reducer {
    LastNotNull,
    Last,
    FirstNotNull,
    First,
    Min,
    Max,
    Mean,
    Median,
    Variance,
    StdDev,
    Sum,
    Count,
    CountAll,
    Range,
    Delta,
    Step,
    Diff,
    DiffPercent,
    LogMin,
    AllIsZero,
    AllIsNull,
    ChangeCount,
    DistinctCount,
    AllValues,
    UniqueValues,
    /// `p1` … `p99`.
    Percentile(u8),
}

/// What a reducer gives.
#[derive(Debug, Clone, PartialEq)]
pub enum Reduced {
    Null,
    Number(f64),
    Bool(bool),
    /// A value of the field (`first`, `last`, ... of a text field).
    Value(Cell),
    /// `allValues`, `uniqueValues`.
    Values(Vec<Cell>),
}

impl Reduced {
    /// As a number, when it is one (`true`/`false` as 1/0).
    pub fn number(&self) -> Option<f64> {
        match self {
            Reduced::Number(v) => Some(*v),
            Reduced::Bool(b) => Some(f64::from(u8::from(*b))),
            Reduced::Value(Cell::Number(v)) => Some(*v),
            Reduced::Value(Cell::Time(t)) => Some(*t as f64),
            _ => None,
        }
    }

    /// As a table cell: numbers and values as they are, booleans as text (as Grafana shows
    /// them), lists joined with `, `.
    pub fn into_cell(self) -> Cell {
        match self {
            Reduced::Null => Cell::Empty,
            Reduced::Number(v) => Cell::Number(v),
            Reduced::Bool(b) => Cell::Text(b.to_string()),
            Reduced::Value(c) => c,
            Reduced::Values(v) => Cell::Text(
                v.iter()
                    .map(|c| match c {
                        Cell::Empty => "null".to_string(),
                        Cell::Text(s) => s.clone(),
                        Cell::Number(n) => crate::display::units::js_number(*n),
                        Cell::Time(t) => t.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }
}

/// Every reducer but the percentiles, with its id and Grafana's name for it.
const NAMED: &[(Reducer, &str, &str)] = &[
    (Reducer::LastNotNull, "lastNotNull", "Last *"),
    (Reducer::Last, "last", "Last"),
    (Reducer::FirstNotNull, "firstNotNull", "First *"),
    (Reducer::First, "first", "First"),
    (Reducer::Min, "min", "Min"),
    (Reducer::Max, "max", "Max"),
    (Reducer::Mean, "mean", "Mean"),
    (Reducer::Median, "median", "Median"),
    (Reducer::Variance, "variance", "Variance"),
    (Reducer::StdDev, "stdDev", "StdDev"),
    (Reducer::Sum, "sum", "Total"),
    (Reducer::Count, "count", "Count"),
    (Reducer::CountAll, "countAll", "Count all"),
    (Reducer::Range, "range", "Range"),
    (Reducer::Delta, "delta", "Delta"),
    (Reducer::Step, "step", "Step"),
    (Reducer::Diff, "diff", "Difference"),
    (Reducer::LogMin, "logmin", "Min (above zero)"),
    (Reducer::AllIsZero, "allIsZero", "All Zeros"),
    (Reducer::AllIsNull, "allIsNull", "All Nulls"),
    (Reducer::ChangeCount, "changeCount", "Change Count"),
    (Reducer::DistinctCount, "distinctCount", "Distinct Count"),
    (Reducer::DiffPercent, "diffperc", "Difference percent"),
    (Reducer::AllValues, "allValues", "All values"),
    (Reducer::UniqueValues, "uniqueValues", "All unique values"),
];

impl Reducer {
    /// Reads Grafana's calc id, or one of its aliases (`current`, `avg`, `total`).
    pub fn from_id(id: &str) -> Option<Reducer> {
        let id = match id {
            "current" => "lastNotNull",
            "avg" => "mean",
            "total" => "sum",
            other => other,
        };
        if let Some((r, _, _)) = NAMED.iter().find(|(_, i, _)| *i == id) {
            return Some(*r);
        }
        let p: u8 = id.strip_prefix('p')?.parse().ok()?;
        (1..=99).contains(&p).then_some(Reducer::Percentile(p))
    }

    /// Grafana's id of the reducer.
    pub fn id(self) -> String {
        match self {
            Reducer::Percentile(p) => format!("p{p}"),
            r => NAMED
                .iter()
                .find(|(n, _, _)| *n == r)
                .map(|(_, id, _)| id.to_string())
                .unwrap_or_default(),
        }
    }

    /// Grafana's name of the reducer, as legends and the `reduce` transformation show it.
    pub fn name(self) -> String {
        match self {
            Reducer::Percentile(p) => {
                let nth = match (p % 100, p % 10) {
                    (11..=13, _) => "th",
                    (_, 1) => "st",
                    (_, 2) => "nd",
                    (_, 3) => "rd",
                    _ => "th",
                };
                format!("{p}{nth} %")
            }
            r => NAMED
                .iter()
                .find(|(n, _, _)| *n == r)
                .map(|(_, _, name)| name.to_string())
                .unwrap_or_default(),
        }
    }

    /// Whether the reducer gives one of the field's own values (so a text field's result is
    /// text): `first`, `last` and their not-null forms.
    pub fn keeps_values(self) -> bool {
        matches!(
            self,
            Reducer::First | Reducer::Last | Reducer::FirstNotNull | Reducer::LastNotNull
        )
    }
}

fn is_null(c: &Cell) -> bool {
    matches!(c, Cell::Empty)
}

fn as_number(c: &Cell) -> Option<f64> {
    match c {
        Cell::Number(v) => Some(*v),
        Cell::Time(t) => Some(*t as f64),
        _ => None,
    }
}

/// Two values for the change and distinct counts: NaN differs from everything (as `!==`
/// does), times equal the same number.
fn same(a: &Cell, b: &Cell) -> bool {
    match (as_number(a), as_number(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Equal as members of a set (`uniqueValues`, `distinctCount`): NaN equals NaN.
fn set_equal(a: &Cell, b: &Cell) -> bool {
    match (as_number(a), as_number(b)) {
        (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

fn distinct(values: impl Iterator<Item = Cell>) -> Vec<Cell> {
    let mut out: Vec<Cell> = Vec::new();
    for v in values {
        if !out.iter().any(|o| set_equal(o, &v)) {
            out.push(v);
        }
    }
    out
}

/// Reduces a field's values with `reducer`.
pub fn reduce(reducer: Reducer, values: &[Cell]) -> Reduced {
    if values.is_empty() {
        return match reducer {
            Reducer::Sum | Reducer::Count | Reducer::CountAll => Reduced::Number(0.0),
            Reducer::AllIsZero => Reduced::Bool(false),
            Reducer::AllIsNull => Reduced::Bool(true),
            _ => Reduced::Null,
        };
    }
    let present = || values.iter().filter(|c| !is_null(c));
    // The numbers, NaN left out.
    let numbers: Vec<f64> = present()
        .filter_map(as_number)
        .filter(|v| !v.is_nan())
        .collect();
    let first_nn = present().find(|c| as_number(c).is_none_or(|v| !v.is_nan()));
    let last_nn = present()
        .rev()
        .find(|c| as_number(c).is_none_or(|v| !v.is_nan()));
    let number = |v: Option<f64>| v.map_or(Reduced::Null, Reduced::Number);
    let max = numbers.iter().copied().reduce(f64::max);
    let min = numbers.iter().copied().reduce(f64::min);
    let value = |c: Option<&Cell>| c.map_or(Reduced::Null, |c| Reduced::Value(c.clone()));
    let first_number = first_nn.and_then(as_number);
    let last_number = last_nn.and_then(as_number);
    match reducer {
        Reducer::First => value(values.first()).or_null_cell(),
        Reducer::Last => value(values.last()).or_null_cell(),
        Reducer::FirstNotNull => value(first_nn),
        Reducer::LastNotNull => value(last_nn),
        Reducer::Min => number(min),
        Reducer::Max => number(max),
        Reducer::Sum => Reduced::Number(numbers.iter().fold(0.0, |a, b| a + b)),
        Reducer::Mean => number(
            (!numbers.is_empty())
                .then(|| numbers.iter().fold(0.0, |a, b| a + b) / numbers.len() as f64),
        ),
        Reducer::Count => Reduced::Number(present().count() as f64),
        Reducer::CountAll => Reduced::Number(values.len() as f64),
        Reducer::Range => number(max.zip(min).map(|(a, b)| a - b)),
        Reducer::Diff => number(first_number.zip(last_number).map(|(a, b)| b - a)),
        Reducer::DiffPercent => match first_number.zip(last_number) {
            Some((a, b)) => Reduced::Number((b - a) / a * 100.0),
            None => Reduced::Number(0.0),
        },
        Reducer::LogMin => Reduced::Number(
            numbers
                .iter()
                .copied()
                .filter(|v| *v > 0.0)
                .fold(f64::MAX, f64::min),
        ),
        Reducer::Delta => {
            // Rises are summed; a drop (a counter reset) adds nothing, nor does the step
            // right after it.
            let (mut delta, mut up) = (0.0, true);
            for w in numbers.windows(2) {
                if w[0] > w[1] {
                    up = false;
                } else {
                    if up {
                        delta += w[1] - w[0];
                    }
                    up = true;
                }
            }
            Reduced::Number(delta)
        }
        Reducer::Step => number(numbers.windows(2).map(|w| w[1] - w[0]).reduce(f64::min)),
        Reducer::Variance | Reducer::StdDev => {
            // Over every number, NaN included (which makes it NaN).
            let all: Vec<f64> = present().filter_map(as_number).collect();
            let variance = if all.is_empty() {
                0.0
            } else {
                let n = all.len() as f64;
                let mean = all.iter().sum::<f64>() / n;
                all.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n
            };
            Reduced::Number(if reducer == Reducer::Variance {
                variance
            } else {
                variance.sqrt()
            })
        }
        Reducer::Median | Reducer::Percentile(_) => {
            let mut sorted = numbers.clone();
            crate::sort::sort_by(&mut sorted, f64::total_cmp);
            let counted = present().filter(|c| as_number(c).is_some()).count();
            if sorted.is_empty() {
                // Only nulls or NaN: Grafana's median of nothing is NaN; a percentile of
                // nothing is null, of NaN NaN.
                return match (reducer, counted) {
                    (Reducer::Median, _) | (_, 1..) => Reduced::Number(f64::NAN),
                    _ => Reduced::Null,
                };
            }
            let n = sorted.len();
            Reduced::Number(match reducer {
                Reducer::Median if n % 2 == 0 => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
                Reducer::Median => sorted[n / 2],
                Reducer::Percentile(p) => {
                    let i = ((n - 1) as f64 * f64::from(p) / 100.0).round() as usize;
                    sorted[i.min(n - 1)]
                }
                _ => unreachable!("median or percentile"),
            })
        }
        Reducer::AllIsNull => Reduced::Bool(numbers.is_empty()),
        // As Grafana: some number, and every value but nulls and NaN is 0.
        Reducer::AllIsZero => Reduced::Bool(
            !numbers.is_empty()
                && present()
                    .filter(|c| !matches!(c, Cell::Number(v) if v.is_nan()))
                    .all(|c| as_number(c) == Some(0.0)),
        ),
        Reducer::ChangeCount => {
            let seen: Vec<&Cell> = present().collect();
            Reduced::Number(seen.windows(2).filter(|w| !same(w[0], w[1])).count() as f64)
        }
        Reducer::DistinctCount => Reduced::Number(distinct(present().cloned()).len() as f64),
        Reducer::AllValues => Reduced::Values(values.to_vec()),
        Reducer::UniqueValues => Reduced::Values(distinct(values.iter().cloned())),
    }
}

impl Reduced {
    /// `first`/`last` of a null value is null, not a value.
    fn or_null_cell(self) -> Reduced {
        match self {
            Reduced::Value(Cell::Empty) => Reduced::Null,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: f64) -> Cell {
        Cell::Number(v)
    }

    #[test]
    fn ids_names_and_aliases() {
        assert_eq!(Reducer::from_id("current"), Some(Reducer::LastNotNull));
        assert_eq!(Reducer::from_id("p95"), Some(Reducer::Percentile(95)));
        assert_eq!(Reducer::from_id("p100"), None);
        assert_eq!(Reducer::Percentile(21).name(), "21st %");
        assert_eq!(Reducer::Percentile(12).name(), "12th %");
        assert_eq!(Reducer::Sum.name(), "Total");
        assert_eq!(Reducer::DiffPercent.id(), "diffperc");
    }

    #[test]
    fn nulls_nan_and_empties_as_grafana() {
        let v = [n(1.0), Cell::Empty, n(4.0), n(2.0), Cell::Empty, n(10.0)];
        let r = |id: &str| reduce(Reducer::from_id(id).unwrap(), &v);
        assert_eq!(r("count"), Reduced::Number(4.0), "nulls are not counted");
        assert_eq!(r("countAll"), Reduced::Number(6.0));
        assert_eq!(r("delta"), Reduced::Number(3.0));
        assert_eq!(r("changeCount"), Reduced::Number(3.0));
        assert_eq!(r("median"), Reduced::Number(3.0));
        assert_eq!(r("first"), Reduced::Value(n(1.0)));
        let three = [n(3.0), n(2.0), n(1.0)];
        assert_eq!(reduce(Reducer::Delta, &three), Reduced::Number(0.0));
        assert_eq!(reduce(Reducer::Sum, &[]), Reduced::Number(0.0));
        assert_eq!(reduce(Reducer::Delta, &[]), Reduced::Null);
        assert_eq!(
            reduce(Reducer::AllIsNull, &[n(f64::NAN)]),
            Reduced::Bool(true)
        );
        assert_eq!(
            reduce(Reducer::LogMin, &[Cell::Empty]),
            Reduced::Number(f64::MAX)
        );
    }
}
