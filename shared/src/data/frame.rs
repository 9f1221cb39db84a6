//! The data panels draw from: labelled series of `(time, value)` points, whatever the data
//! source's own response shape was, and the frames Grafana's transformations work on.
//!
//! A panel's Prometheus answers become one frame per query, shaped like Grafana's
//! `format: table` result: a `Time` field, a string field per label (sorted by name) and a
//! number field `Value` (`Value #REF` when the panel runs several queries), one row per series
//! holding its last non-null sample — the rows a table panel shows for an instant query.
//!
//! Fields are matched by their display name, computed as Grafana's `getFieldDisplayName`
//! does: a name set by `organize`/`renameByRegex` wins; otherwise the field name, with a
//! ` N` suffix when several fields of a frame share it (`Time 1`, `Time 2` after a join).

use crate::data::cell::{number_of, Cell};
use std::collections::BTreeMap;

/// One time series: its labels and its points, time in epoch milliseconds, ascending.
/// A NaN value is a gap.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(i64, f64)>,
}

pub use crate::data::reduce::Reducer;

impl Series {
    /// Reduces the series to one value (a NaN point is a null, as a gap is in Grafana);
    /// `None` when the reducer gives no number.
    pub fn reduce(&self, reducer: Reducer) -> Option<f64> {
        let cells: Vec<crate::data::cell::Cell> = self
            .points
            .iter()
            .map(|(_, v)| {
                if v.is_nan() {
                    crate::data::cell::Cell::Empty
                } else {
                    crate::data::cell::Cell::Number(*v)
                }
            })
            .collect();
        crate::data::reduce::reduce(reducer, &cells).number()
    }

    /// The point nearest in time to `t_ms`, if any.
    pub fn nearest(&self, t_ms: i64) -> Option<(i64, f64)> {
        if self.points.is_empty() {
            return None;
        }
        let i = self.points.partition_point(|(t, _)| *t < t_ms);
        let candidates = [i.checked_sub(1), (i < self.points.len()).then_some(i)];
        candidates
            .into_iter()
            .flatten()
            .map(|i| self.points[i])
            .min_by_key(|(t, _)| (t - t_ms).abs())
    }

    /// Splits the points into runs that a line may join: a NaN, or a step between points larger
    /// than 1.5 × `step_ms` (a missing sample), starts a new run.
    pub fn segments(&self, step_ms: i64) -> Vec<Vec<(i64, f64)>> {
        let mut runs: Vec<Vec<(i64, f64)>> = Vec::new();
        let mut current: Vec<(i64, f64)> = Vec::new();
        let max_gap = if step_ms > 0 {
            step_ms + step_ms / 2
        } else {
            i64::MAX
        };
        for &(t, v) in &self.points {
            let gap = current.last().is_some_and(|(pt, _)| t - pt > max_gap);
            if !v.is_finite() || gap {
                if !current.is_empty() {
                    runs.push(std::mem::take(&mut current));
                }
                if !v.is_finite() {
                    continue;
                }
            }
            current.push((t, v));
        }
        if !current.is_empty() {
            runs.push(current);
        }
        runs
    }
}

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Time,
    String,
    Number,
}

impl FieldKind {
    /// Grafana's name of the kind (`number`, `string`, `time`), as `byType` matchers write it.
    pub fn grafana_name(self) -> &'static str {
        match self {
            FieldKind::Number => "number",
            FieldKind::String => "string",
            FieldKind::Time => "time",
        }
    }
}

/// One column of a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The name in the data (`Value #A`, `namespace`, `Value #A (lastNotNull)`).
    pub name: String,
    pub kind: FieldKind,
    /// Labels of the field; `Some` (even empty) makes a time field take part in display-name
    /// numbering, as fields a join copied do in Grafana.
    pub labels: Option<BTreeMap<String, String>>,
    /// `config.displayName` as a transformation set it (`organize`'s rename).
    pub display_name: Option<String>,
    /// The query it comes from; empty when it is not one query's.
    pub ref_id: String,
    pub values: Vec<Cell>,
}

impl Field {
    pub(crate) fn new(
        name: impl Into<String>,
        kind: FieldKind,
        ref_id: &str,
        values: Vec<Cell>,
    ) -> Field {
        Field {
            name: name.into(),
            kind,
            labels: None,
            display_name: None,
            ref_id: ref_id.to_string(),
            values,
        }
    }
}

/// A table of fields of equal length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    pub ref_id: String,
    pub fields: Vec<Field>,
}

impl Frame {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.fields
            .iter()
            .map(|f| f.values.len())
            .max()
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each field's display name (Grafana's `getFieldDisplayName`).
    pub fn display_names(&self) -> Vec<String> {
        self.display_names_with(single_label_name(&self.fields).as_deref())
    }

    /// As [`Frame::display_names`], with the label that names fields decided over several
    /// frames (`single`: the one label every labelled field has, if there is one).
    pub(crate) fn display_names_with(&self, single: Option<&str>) -> Vec<String> {
        let base: Vec<(String, bool)> = self
            .fields
            .iter()
            .map(|f| base_display_name(f, single))
            .collect();
        base.iter()
            .enumerate()
            .map(|(i, (name, dedupe))| {
                if !dedupe || *name != self.fields[i].name {
                    return name.clone();
                }
                let same: Vec<usize> = (0..self.fields.len())
                    .filter(|&j| self.fields[j].name == self.fields[i].name)
                    .collect();
                if same.len() < 2 {
                    return name.clone();
                }
                let n = same.iter().position(|&j| j == i).unwrap_or(0) + 1;
                format!("{name} {n}")
            })
            .collect()
    }

    /// The index of the field whose display name (or name) is `name`.
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        let names = self.display_names();
        names
            .iter()
            .position(|n| n == name)
            .or_else(|| self.fields.iter().position(|f| f.name == name))
    }

    pub(crate) fn row(&self, i: usize) -> Vec<Cell> {
        self.fields
            .iter()
            .map(|f| f.values.get(i).cloned().unwrap_or(Cell::Empty))
            .collect()
    }
}

/// `{a="b", c="d"}`, as Grafana's `formatLabels`.
fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// The label name when every labelled field of the frame has that one label only.
pub(crate) fn single_label_name(fields: &[Field]) -> Option<String> {
    let mut single: Option<&String> = None;
    for key in fields
        .iter()
        .flat_map(|f| f.labels.iter().flat_map(|l| l.keys()))
    {
        match single {
            None => single = Some(key),
            Some(s) if s != key => return None,
            _ => {}
        }
    }
    single.cloned()
}

/// A field's display name before numbering, and whether numbering applies to it.
fn base_display_name(f: &Field, single_label: Option<&str>) -> (String, bool) {
    if let Some(d) = f.display_name.as_ref().filter(|d| !d.is_empty()) {
        return (d.clone(), false);
    }
    if f.kind == FieldKind::Time && f.labels.is_none() {
        return (f.name.clone(), false);
    }
    let mut parts: Vec<String> = Vec::new();
    if !f.name.is_empty() && f.name != "Value" {
        parts.push(f.name.clone());
    }
    if let Some(labels) = &f.labels {
        match single_label {
            None => {
                let all = format_labels(labels);
                if !all.is_empty() {
                    parts.push(all);
                }
            }
            Some(l) => {
                if let Some(v) = labels.get(l) {
                    parts.push(v.clone());
                }
            }
        }
    }
    let name = if !parts.is_empty() {
        parts.join(" ")
    } else if !f.name.is_empty() {
        f.name.clone()
    } else {
        "Value".to_string()
    };
    (name, true)
}

/// The last non-NaN point of a series (its time and value), else the time of its last point.
fn last_value(s: &Series) -> (Option<i64>, Option<f64>) {
    match s.points.iter().rev().find(|(_, v)| !v.is_nan()) {
        Some(&(t, v)) => (Some(t), Some(v)),
        None => (s.points.last().map(|(t, _)| *t), None),
    }
}

/// One frame per query (in order of first appearance) from `series`, each given with its
/// query's `refId`; `queries` is how many queries the panel runs, counted whether or not they
/// returned anything (it decides between `Value` and `Value #REF`).
pub fn frames_from_series(series: &[(&str, &Series)], queries: usize) -> Vec<Frame> {
    let mut refs: Vec<&str> = Vec::new();
    for (r, _) in series {
        if !refs.contains(r) {
            refs.push(r);
        }
    }
    let several = queries.max(refs.len()) > 1;
    refs.iter()
        .map(|r| {
            let mine: Vec<&Series> = series
                .iter()
                .filter(|(sr, _)| sr == r)
                .map(|(_, s)| *s)
                .collect();
            let mut labels: Vec<&String> = mine.iter().flat_map(|s| s.labels.keys()).collect();
            crate::sort::sort(&mut labels);
            labels.dedup();
            let mut time = Field::new("Time", FieldKind::Time, r, Vec::new());
            let mut label_fields: Vec<Field> = labels
                .iter()
                .map(|l| Field::new((*l).clone(), FieldKind::String, r, Vec::new()))
                .collect();
            let value_name = if several {
                format!("Value #{r}")
            } else {
                "Value".to_string()
            };
            let mut value = Field::new(value_name, FieldKind::Number, r, Vec::new());
            for s in mine {
                let (t, v) = last_value(s);
                time.values.push(t.map_or(Cell::Empty, Cell::Time));
                for f in &mut label_fields {
                    f.values.push(
                        s.labels
                            .get(&f.name)
                            .map_or(Cell::Empty, |v| Cell::Text(v.clone())),
                    );
                }
                value.values.push(v.map_or(Cell::Empty, Cell::Number));
            }
            let mut fields = vec![time];
            fields.extend(label_fields);
            fields.push(value);
            Frame {
                ref_id: r.to_string(),
                fields,
            }
        })
        .collect()
}

/// Time-series frames, as Grafana's Prometheus `format: time_series` answers: one frame per
/// series with a `Time` field and a `Value` field carrying the series' labels and shown as
/// `name` (its legend). For panels that draw series (time series, stat) through
/// transformations such as `calculateField`.
pub fn frames_from_named_series(series: &[(&str, &str, &Series)]) -> Vec<Frame> {
    series
        .iter()
        .map(|(ref_id, name, s)| {
            let mut value = Field::new(
                "Value",
                FieldKind::Number,
                ref_id,
                s.points.iter().map(|p| Cell::Number(p.1)).collect(),
            );
            value.labels = Some(s.labels.clone());
            value.display_name = Some(name.to_string()).filter(|n| !n.is_empty());
            Frame {
                ref_id: ref_id.to_string(),
                fields: vec![
                    Field::new(
                        "Time",
                        FieldKind::Time,
                        ref_id,
                        s.points.iter().map(|p| Cell::Time(p.0)).collect(),
                    ),
                    value,
                ],
            }
        })
        .collect()
}

/// The series a set of frames draws: each number field of a frame with a time field, named by
/// its display name, a missing value being a gap (NaN). Frames without a time field draw
/// nothing. Each comes as `(refId of its query, or empty, name, series)`.
pub fn series_of_frames(frames: &[Frame]) -> Vec<(String, String, Series)> {
    let mut out = Vec::new();
    for frame in frames {
        let Some(t) = frame.fields.iter().position(|f| f.kind == FieldKind::Time) else {
            continue;
        };
        let names = frame.display_names();
        for (i, f) in frame.fields.iter().enumerate() {
            if f.kind != FieldKind::Number {
                continue;
            }
            let points = frame.fields[t]
                .values
                .iter()
                .zip(&f.values)
                .filter_map(|(time, v)| {
                    let time = match time {
                        Cell::Time(t) => *t,
                        Cell::Number(t) => *t as i64,
                        _ => return None,
                    };
                    Some((time, number_of(v).unwrap_or(f64::NAN)))
                })
                .collect();
            out.push((
                f.ref_id.clone(),
                names[i].clone(),
                Series {
                    labels: f.labels.clone().unwrap_or_default(),
                    points,
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(i64, f64)]) -> Series {
        Series {
            labels: BTreeMap::new(),
            points: points.to_vec(),
        }
    }

    #[test]
    fn reductions() {
        let s = series(&[(1, 2.0), (2, 6.0), (3, 1.0), (4, f64::NAN)]);
        assert_eq!(s.reduce(Reducer::LastNotNull), Some(1.0));
        assert_eq!(s.reduce(Reducer::Last), None, "the last point is a gap");
        assert_eq!(s.reduce(Reducer::Mean), Some(3.0));
        assert_eq!(s.reduce(Reducer::Max), Some(6.0));
        assert_eq!(s.reduce(Reducer::Min), Some(1.0));
        assert_eq!(s.reduce(Reducer::Sum), Some(9.0));
        assert_eq!(s.reduce(Reducer::Count), Some(3.0));
        assert_eq!(series(&[]).reduce(Reducer::Mean), None);
        assert_eq!(Reducer::from_id("lastNotNull"), Some(Reducer::LastNotNull));
        assert_eq!(Reducer::from_id("bogus"), None);
    }

    #[test]
    fn more_reductions() {
        let s = series(&[(0, f64::NAN), (1, 2.0), (2, 6.0), (3, 1.0), (4, 4.0)]);
        assert_eq!(s.reduce(Reducer::First), None, "the first point is a gap");
        assert_eq!(s.reduce(Reducer::FirstNotNull), Some(2.0));
        assert_eq!(s.reduce(Reducer::Range), Some(5.0));
        assert_eq!(s.reduce(Reducer::Diff), Some(2.0));
        // As Grafana's delta: 2 -> 6 rises by 4; the drop to 1 (a reset) and the step right
        // after it add nothing.
        assert_eq!(s.reduce(Reducer::Delta), Some(4.0));
        assert_eq!(series(&[(0, 5.0)]).reduce(Reducer::Delta), Some(0.0));
        for r in [
            Reducer::Range,
            Reducer::Delta,
            Reducer::Diff,
            Reducer::First,
        ] {
            assert_eq!(series(&[]).reduce(r), None);
        }
        for (id, r) in [
            ("current", Reducer::LastNotNull),
            ("first", Reducer::First),
            ("avg", Reducer::Mean),
            ("total", Reducer::Sum),
            ("range", Reducer::Range),
            ("delta", Reducer::Delta),
            ("diff", Reducer::Diff),
        ] {
            assert_eq!(Reducer::from_id(id), Some(r), "{id}");
        }
    }

    #[test]
    fn nearest_point() {
        let s = series(&[(10, 1.0), (20, 2.0), (30, 3.0)]);
        assert_eq!(s.nearest(14), Some((10, 1.0)));
        assert_eq!(s.nearest(16), Some((20, 2.0)));
        assert_eq!(s.nearest(100), Some((30, 3.0)));
        assert_eq!(s.nearest(-5), Some((10, 1.0)));
        assert_eq!(series(&[]).nearest(1), None);
    }

    #[test]
    fn gaps_break_lines() {
        let s = series(&[
            (0, 1.0),
            (10, 1.0),
            (20, f64::NAN),
            (30, 2.0),
            (40, 2.0),
            (80, 3.0),
        ]);
        assert_eq!(
            s.segments(10),
            vec![
                vec![(0, 1.0), (10, 1.0)],
                vec![(30, 2.0), (40, 2.0)],
                vec![(80, 3.0)]
            ]
        );
        assert_eq!(
            s.segments(100).len(),
            2,
            "only the NaN breaks with a large step"
        );
    }
}
