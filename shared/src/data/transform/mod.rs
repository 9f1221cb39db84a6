//! Grafana's transformations (`panel.transformations`), applied to data frames as Grafana's
//! `@grafana/data` transformers do, in the order the panel lists them.
//!
//! Fields are matched by their display name ([`Frame::display_names`]).
//!
//! Transformations kubeglass does not know, and options it cannot honour, are returned as a
//! list of what was skipped: never silently ignored.
//!
//! The transformations by what they do: joining frames (`join`: `joinByField`, `merge`),
//! shaping fields (`fields`: `organize`, `filterFieldsByName`, `renameByRegex`,
//! `labelsToFields`, `sortBy`, `limit`), and computing new values (`calculate`:
//! `calculateField`, `reduce`, `groupBy`). The frames themselves are [`crate::data::frame`]'s.

mod calculate;
mod fields;
mod join;

pub use calculate::{calculate_field, group_by, reduce, reduce_cells, reducer_name};
pub use fields::{
    filter_fields_by_name, labels_to_fields, limit, organize, rename_by_regex, sort_by,
};
pub use join::{join_by_field, merge};

use crate::data::frame::Frame;
use crate::model::Transformation;
use serde_json::Value;

/// The transformation ids [`apply`] implements (`seriesToColumns` is `joinByField`'s alias).
pub const SUPPORTED: &[&str] = &[
    "organize",
    "joinByField",
    "seriesToColumns",
    "calculateField",
    "merge",
    "groupBy",
    "labelsToFields",
    "sortBy",
    "reduce",
    "filterFieldsByName",
    "limit",
    "renameByRegex",
];

/// Whether [`apply`] implements the transformation `id`.
pub fn is_supported(id: &str) -> bool {
    SUPPORTED.contains(&id)
}

/// Rows a transformation may produce at most (a join or a group of a hostile answer).
pub const MAX_ROWS: usize = 100_000;

/// The result of [`apply`]: the frames, and what could not be applied (`transformation X`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transformed {
    pub frames: Vec<Frame>,
    pub skipped: Vec<String>,
}

/// Applies the enabled transformations in order.
pub fn apply(mut frames: Vec<Frame>, transformations: &[Transformation]) -> Transformed {
    let mut skipped = Vec::new();
    for t in transformations.iter().filter(|t| !t.disabled) {
        let o = &t.options;
        frames = match t.id.as_str() {
            "organize" => organize(frames, o),
            "joinByField" | "seriesToColumns" => join_by_field(frames, o),
            "calculateField" => match calculate_field(frames.clone(), o) {
                Ok(f) => f,
                Err(e) => {
                    skipped.push(format!("transformation calculateField: {e}"));
                    frames
                }
            },
            "merge" => merge(frames),
            "groupBy" => group_by(frames, o),
            "labelsToFields" => {
                if o.get("mode").and_then(Value::as_str) == Some("rows") {
                    skipped.push("transformation labelsToFields (mode rows)".to_string());
                    frames
                } else {
                    labels_to_fields(frames, o)
                }
            }
            "sortBy" => sort_by(frames, o),
            "reduce" => match reduce(frames.clone(), o) {
                Ok(f) => f,
                Err(e) => {
                    skipped.push(format!("transformation reduce: {e}"));
                    frames
                }
            },
            "filterFieldsByName" => filter_fields_by_name(frames, o),
            "limit" => limit(frames, o),
            "renameByRegex" => rename_by_regex(frames, o),
            other => {
                skipped.push(format!("transformation {other}"));
                frames
            }
        };
    }
    Transformed { frames, skipped }
}

pub(super) fn str_map<'a>(
    options: &'a Value,
    key: &str,
) -> Option<&'a serde_json::Map<String, Value>> {
    options.get(key).and_then(Value::as_object)
}

pub(super) fn names_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::cell::Cell;
    use crate::data::frame::{
        frames_from_named_series, frames_from_series, series_of_frames, Field, FieldKind, Series,
    };
    use crate::data::table::frame_to_table;
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

    fn t(id: &str, options: Value) -> Transformation {
        Transformation {
            id: id.into(),
            options,
            disabled: false,
        }
    }

    fn text(v: &str) -> Cell {
        Cell::Text(v.into())
    }

    fn n(v: f64) -> Cell {
        Cell::Number(v)
    }

    /// A frame of string and number columns: `cols` are `(name, values)`; a value that parses
    /// as a number is a number.
    fn frame(ref_id: &str, cols: &[(&str, &[&str])]) -> Frame {
        Frame {
            ref_id: ref_id.into(),
            fields: cols
                .iter()
                .map(|(name, values)| {
                    let numeric = values
                        .iter()
                        .all(|v| v.is_empty() || v.parse::<f64>().is_ok());
                    let kind = if numeric {
                        FieldKind::Number
                    } else {
                        FieldKind::String
                    };
                    let values = values
                        .iter()
                        .map(|v| match (v.is_empty(), numeric) {
                            (true, _) => Cell::Empty,
                            (false, true) => Cell::Number(v.parse().unwrap()),
                            (false, false) => Cell::Text(v.to_string()),
                        })
                        .collect();
                    Field::new(*name, kind, ref_id, values)
                })
                .collect(),
        }
    }

    fn names(f: &Frame) -> Vec<String> {
        f.display_names()
    }

    fn col(f: &Frame, name: &str) -> Vec<Cell> {
        let i = f
            .find(name)
            .unwrap_or_else(|| panic!("no field {name} in {:?}", names(f)));
        f.fields[i].values.clone()
    }

    /// The instant answers of a kube-prometheus "CPU Quota" table: one frame per query.
    fn quota_frames() -> Vec<Frame> {
        let a1 = s(&[("namespace", "default")], &[(1000, 4.0)]);
        let a2 = s(&[("namespace", "kube-system")], &[(1000, 9.0)]);
        let b1 = s(&[("namespace", "kube-system")], &[(1000, 3.0)]);
        let b2 = s(&[("namespace", "monitoring")], &[(1000, 2.0)]);
        frames_from_series(&[("A", &a1), ("A", &a2), ("B", &b1), ("B", &b2)], 2)
    }

    #[test]
    fn frames_are_grafana_table_results() {
        let a = s(
            &[("job", "node"), ("instance", "x")],
            &[(1000, 1.0), (2000, f64::NAN)],
        );
        let f = frames_from_series(&[("A", &a)], 1);
        assert_eq!(f.len(), 1);
        assert_eq!(names(&f[0]), ["Time", "instance", "job", "Value"]);
        assert_eq!(
            f[0].row(0),
            vec![Cell::Time(1000), text("x"), text("node"), n(1.0)],
            "a range answer shows its last non-null sample"
        );
        let f = quota_frames();
        assert_eq!(names(&f[1]), ["Time", "namespace", "Value #B"]);
    }

    #[test]
    fn join_by_field_outer_numbers_duplicates_as_grafana() {
        // Grafana's docs: an outer join keeps every value of the join field, and fields that
        // share a name are told apart as `Time 1`, `Time 2`.
        let out = apply(
            quota_frames(),
            &[t(
                "joinByField",
                json!({"byField": "namespace", "mode": "outer"}),
            )],
        );
        assert!(out.skipped.is_empty());
        let f = &out.frames[0];
        assert_eq!(
            names(f),
            ["namespace", "Time 1", "Value #A", "Time 2", "Value #B"]
        );
        assert_eq!(
            col(f, "namespace"),
            [text("default"), text("kube-system"), text("monitoring")]
        );
        assert_eq!(col(f, "Value #A"), [n(4.0), n(9.0), Cell::Empty]);
        assert_eq!(col(f, "Value #B"), [Cell::Empty, n(3.0), n(2.0)]);
        // Then kube-prometheus' organize: times excluded, columns renamed.
        let out = apply(
            out.frames,
            &[t(
                "organize",
                json!({"excludeByName": {"Time": true, "Time 1": true, "Time 2": true},
                       "indexByName": {"Time 1": 0, "Time 2": 1, "namespace": 2, "Value #A": 3, "Value #B": 4},
                       "renameByName": {"Value #A": "CPU Usage", "Value #B": "CPU Requests", "namespace": "Namespace"}}),
            )],
        );
        let table = frame_to_table(&out.frames[0]);
        let shown: Vec<&str> = table.columns.iter().map(|c| c.display.as_str()).collect();
        assert_eq!(shown, ["Namespace", "CPU Usage", "CPU Requests"]);
        assert_eq!(table.columns[1].name, "Value #A");
        assert_eq!(table.rows[2], vec![text("monitoring"), Cell::Empty, n(2.0)]);
    }

    #[test]
    fn join_inner_and_by_time() {
        let out = join_by_field(
            quota_frames(),
            &json!({"byField": "namespace", "mode": "inner"}),
        );
        assert_eq!(col(&out[0], "namespace"), [text("kube-system")]);
        assert_eq!(col(&out[0], "Value #B"), [n(3.0)]);
        // Without byField: the time field, values sorted.
        let a = Frame {
            ref_id: "A".into(),
            fields: vec![
                Field::new(
                    "Time",
                    FieldKind::Time,
                    "A",
                    vec![Cell::Time(20), Cell::Time(10)],
                ),
                Field::new("Value", FieldKind::Number, "A", vec![n(2.0), n(1.0)]),
            ],
        };
        let mut b = a.clone();
        b.fields[0].values = vec![Cell::Time(30)];
        b.fields[1].values = vec![n(3.0)];
        b.fields[1].name = "Other".into();
        let out = join_by_field(vec![a, b], &json!({}));
        assert_eq!(names(&out[0]), ["Time", "Value", "Other"]);
        assert_eq!(
            col(&out[0], "Time"),
            [Cell::Time(10), Cell::Time(20), Cell::Time(30)]
        );
        assert_eq!(col(&out[0], "Value"), [n(1.0), n(2.0), Cell::Empty]);
        assert_eq!(col(&out[0], "Other"), [Cell::Empty, Cell::Empty, n(3.0)]);
        assert_eq!(
            join_by_field(vec![frame("A", &[("x", &["1"])])], &json!({})).len(),
            1,
            "one frame is left as it is"
        );
    }

    #[test]
    fn merge_joins_rows_on_fields_all_frames_have() {
        // Grafana's docs (merge): rows with the same values in shared fields become one row.
        let a = frame(
            "A",
            &[
                ("Time", &["1", "1"]),
                ("job", &["a", "b"]),
                ("Value #A", &["1", "2"]),
            ],
        );
        let b = frame(
            "B",
            &[
                ("Time", &["1", "1"]),
                ("job", &["a", "c"]),
                ("Value #B", &["5", "6"]),
            ],
        );
        let out = merge(vec![a, b]);
        assert_eq!(out.len(), 1);
        assert_eq!(names(&out[0]), ["Time", "job", "Value #A", "Value #B"]);
        assert_eq!(col(&out[0], "job"), [text("a"), text("b"), text("c")]);
        assert_eq!(col(&out[0], "Value #A"), [n(1.0), n(2.0), Cell::Empty]);
        assert_eq!(col(&out[0], "Value #B"), [n(5.0), Cell::Empty, n(6.0)]);
        // No field in common: unchanged.
        let out = merge(vec![
            frame("A", &[("x", &["1"])]),
            frame("B", &[("y", &["1"])]),
        ]);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn group_by_then_calculate_as_kube_prometheus_disk_usage() {
        // kube-prometheus "Disk Space Usage": size (A) and available (B) per mountpoint.
        let size = s(&[("mountpoint", "/")], &[(1, 100.0)]);
        let size2 = s(&[("mountpoint", "/boot")], &[(1, 10.0)]);
        let avail = s(&[("mountpoint", "/")], &[(1, 40.0)]);
        let avail2 = s(&[("mountpoint", "/boot")], &[(1, 5.0)]);
        let frames = frames_from_series(
            &[("A", &size), ("A", &size2), ("B", &avail), ("B", &avail2)],
            2,
        );
        let out = apply(
            frames,
            &[
                t(
                    "groupBy",
                    json!({"fields": {
                    "Value #A": {"aggregations": ["lastNotNull"], "operation": "aggregate"},
                    "Value #B": {"aggregations": ["lastNotNull"], "operation": "aggregate"},
                    "mountpoint": {"aggregations": [], "operation": "groupby"}}}),
                ),
                t("merge", json!({})),
                t(
                    "calculateField",
                    json!({"alias": "Used", "mode": "binary", "reduce": {"reducer": "sum"},
                    "binary": {"left": "Value #A (lastNotNull)", "operator": "-", "reducer": "sum", "right": "Value #B (lastNotNull)"}}),
                ),
                t(
                    "calculateField",
                    json!({"alias": "Used, %", "mode": "binary", "reduce": {"reducer": "sum"},
                    "binary": {"left": "Used", "operator": "/", "reducer": "sum", "right": "Value #A (lastNotNull)"}}),
                ),
                t(
                    "organize",
                    json!({"excludeByName": {}, "indexByName": {}, "renameByName": {
                    "Value #A (lastNotNull)": "Size", "Value #B (lastNotNull)": "Available", "mountpoint": "Mounted on"}}),
                ),
                t(
                    "sortBy",
                    json!({"fields": {}, "sort": [{"field": "Mounted on", "desc": true}]}),
                ),
            ],
        );
        assert!(out.skipped.is_empty(), "{:?}", out.skipped);
        assert_eq!(out.frames.len(), 1);
        let f = &out.frames[0];
        assert_eq!(
            names(f),
            ["Mounted on", "Size", "Available", "Used", "Used, %"]
        );
        assert_eq!(col(f, "Mounted on"), [text("/boot"), text("/")]);
        assert_eq!(col(f, "Used"), [n(5.0), n(60.0)]);
        assert_eq!(col(f, "Used, %"), [n(0.5), n(0.6)]);
    }

    #[test]
    fn group_by_keeps_first_appearance_and_drops_other_fields() {
        let f = frame(
            "A",
            &[
                ("pod", &["a", "b", "a"]),
                ("node", &["n1", "n1", "n2"]),
                ("Value", &["1", "5", "3"]),
            ],
        );
        let out = group_by(
            vec![f, frame("B", &[("other", &["1"])])],
            &json!({"fields": {"pod": {"operation": "groupby"},
                               "Value": {"operation": "aggregate", "aggregations": ["max", "count", "sum"]}}}),
        );
        assert_eq!(
            out.len(),
            1,
            "a frame without the group-by field is dropped"
        );
        assert_eq!(
            names(&out[0]),
            ["pod", "Value (max)", "Value (count)", "Value (sum)"]
        );
        assert_eq!(col(&out[0], "pod"), [text("a"), text("b")]);
        assert_eq!(col(&out[0], "Value (max)"), [n(3.0), n(5.0)]);
        assert_eq!(col(&out[0], "Value (count)"), [n(2.0), n(1.0)]);
        assert_eq!(col(&out[0], "Value (sum)"), [n(4.0), n(5.0)]);
    }

    #[test]
    fn calculate_field_reduce_row_and_binary_with_numbers() {
        let f = frame(
            "A",
            &[("a", &["1", "4"]), ("b", &["3", ""]), ("name", &["x", "y"])],
        );
        let out = calculate_field(
            vec![f.clone()],
            &json!({"mode": "reduceRow", "reduce": {"reducer": "mean"}}),
        )
        .unwrap();
        assert_eq!(names(&out[0]), ["a", "b", "name", "Mean"]);
        assert_eq!(
            col(&out[0], "Mean"),
            [n(2.0), n(4.0)],
            "nulls do not count in a mean"
        );
        let out = calculate_field(
            vec![f.clone()],
            &json!({"mode": "reduceRow", "reduce": {"reducer": "sum", "include": ["a"]}, "replaceFields": true, "alias": "total a"}),
        )
        .unwrap();
        assert_eq!(names(&out[0]), ["total a"]);
        assert_eq!(col(&out[0], "total a"), [n(1.0), n(4.0)]);
        let out = calculate_field(
            vec![f.clone()],
            &json!({"mode": "binary", "binary": {"left": {"matcher": {"id": "byName", "options": "a"}},
                                                 "operator": "*", "right": {"fixed": "100"}}}),
        )
        .unwrap();
        assert_eq!(names(&out[0]).last().unwrap(), "a * 100");
        assert_eq!(col(&out[0], "a * 100"), [n(100.0), n(400.0)]);
        let out = calculate_field(
            vec![f.clone()],
            &json!({"mode": "binary", "binary": {"left": "a", "operator": "+", "right": "b"}}),
        )
        .unwrap();
        // A null is 0 to Grafana's arithmetic.
        assert_eq!(col(&out[0], "a + b"), [n(4.0), n(4.0)]);
        assert!(calculate_field(vec![f], &json!({"mode": "unary"})).is_err());
    }

    #[test]
    fn labels_to_fields_columns() {
        let mut f = frame("A", &[("Value", &["1", "2"])]);
        f.fields[0].labels = Some(
            [("job", "api"), ("group", "apps"), ("le", "x")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        f.fields[0].display_name = Some("shown".into());
        let out = labels_to_fields(
            vec![f.clone()],
            &json!({"mode": "columns", "keepLabels": ["job", "group"]}),
        );
        assert_eq!(names(&out[0]), ["Value", "group", "job"]);
        assert_eq!(col(&out[0], "job"), [text("api"), text("api")]);
        let out = labels_to_fields(vec![f], &json!({"valueLabel": "le"}));
        assert_eq!(names(&out[0]), ["x", "group", "job"]);
    }

    #[test]
    fn reduce_series_to_rows_and_fields() {
        // Grafana's docs: Series to rows gives a row per field and a column per calculation.
        let a = frame(
            "A",
            &[
                ("Temp", &["12.3", "15.4"]),
                ("Uptime", &["256122", "1230233"]),
            ],
        );
        let b = frame("B", &[("AQI", &["6.5", "3.2"]), ("Errors", &["15", "5"])]);
        let out = reduce(
            vec![a.clone(), b.clone()],
            &json!({"reducers": ["first", "last"]}),
        )
        .unwrap();
        assert_eq!(names(&out[0]), ["Field", "First", "Last"]);
        assert_eq!(
            col(&out[0], "Field"),
            [text("Temp"), text("Uptime"), text("AQI"), text("Errors")]
        );
        assert_eq!(
            col(&out[0], "First"),
            [n(12.3), n(256122.0), n(6.5), n(15.0)]
        );
        assert_eq!(
            col(&out[0], "Last"),
            [n(15.4), n(1230233.0), n(3.2), n(5.0)]
        );
        // Reduce fields with Last: each frame keeps its fields, one row.
        let out = reduce(
            vec![a, b],
            &json!({"reducers": ["last"], "mode": "reduceFields"}),
        )
        .unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(names(&out[1]), ["AQI", "Errors"]);
        assert_eq!(out[1].row(0), [n(3.2), n(5.0)]);
        assert!(reduce(vec![], &json!({"reducers": ["bogus"]})).is_err());
    }

    #[test]
    fn reducers_follow_grafana() {
        let v = [Cell::Empty, n(2.0), n(6.0), n(1.0), n(4.0), n(f64::NAN)];
        assert_eq!(reduce_cells("lastNotNull", &v), Some(n(4.0)));
        assert_eq!(reduce_cells("current", &v), Some(n(4.0)));
        assert_eq!(reduce_cells("firstNotNull", &v), Some(n(2.0)));
        assert_eq!(reduce_cells("first", &v), Some(Cell::Empty));
        // Grafana counts values, NaN among them, but not nulls.
        assert_eq!(reduce_cells("count", &v), Some(n(5.0)));
        assert_eq!(reduce_cells("sum", &v), Some(n(13.0)));
        assert_eq!(reduce_cells("avg", &v), Some(n(3.25)));
        assert_eq!(reduce_cells("range", &v), Some(n(5.0)));
        assert_eq!(reduce_cells("diff", &v), Some(n(2.0)));
        // 2 -> 6 rises by 4; the drop to 1 is a reset; the rise right after it is not counted.
        assert_eq!(reduce_cells("delta", &v), Some(n(4.0)));
        assert_eq!(reduce_cells("median", &v), Some(n(3.0)));
        assert_eq!(reduce_cells("p50", &v), Some(n(4.0)));
        assert_eq!(
            reduce_cells("distinctCount", &[n(1.0), n(1.0), text("a")]),
            Some(n(2.0))
        );
        assert_eq!(
            reduce_cells("lastNotNull", &[text("a"), Cell::Empty]),
            Some(text("a"))
        );
        assert_eq!(reduce_cells("nope", &v), None);
        assert_eq!(reducer_name("sum").as_deref(), Some("Total"));
        assert_eq!(reducer_name("p95").as_deref(), Some("95th %"));
        assert_eq!(reducer_name("p1").as_deref(), Some("1st %"));
        assert_eq!(reducer_name("p12").as_deref(), Some("12th %"));
    }

    #[test]
    fn filter_limit_rename_and_unknown() {
        let f = frame(
            "A",
            &[
                ("cpu_total", &["1", "2", "3"]),
                ("mem_total", &["4", "5", "6"]),
                ("name", &["a", "b", "c"]),
            ],
        );
        let out = apply(
            vec![f.clone()],
            &[
                t(
                    "filterFieldsByName",
                    json!({"include": {"pattern": ".*_total"}}),
                ),
                t("limit", json!({"limitField": 2})),
                t(
                    "renameByRegex",
                    json!({"regex": "(.*)_total", "renamePattern": "$1 (all)"}),
                ),
                t("heatmap", json!({})),
                Transformation {
                    id: "bogus".into(),
                    options: json!({}),
                    disabled: true,
                },
            ],
        );
        assert_eq!(out.skipped, ["transformation heatmap"]);
        assert_eq!(names(&out.frames[0]), ["cpu (all)", "mem (all)"]);
        assert_eq!(out.frames[0].len(), 2);
        // A bare pattern matches the whole name, as Grafana's `stringToJsRegex`.
        let out = filter_fields_by_name(vec![f.clone()], &json!({"include": {"pattern": "total"}}));
        assert!(out.is_empty());
        let out = filter_fields_by_name(
            vec![f],
            &json!({"exclude": {"names": ["name"], "pattern": "/^mem/"}}),
        );
        assert_eq!(names(&out[0]), ["cpu_total"]);
    }

    #[test]
    fn display_names_follow_grafana() {
        let mut f = frame("A", &[("Value", &["1"]), ("x", &["2"]), ("x", &["3"])]);
        assert_eq!(names(&f), ["Value", "x 1", "x 2"]);
        f.fields[0].labels = Some([("pod".to_string(), "p".to_string())].into());
        assert_eq!(names(&f)[0], "p", "a single label names the value");
        f.fields[1].labels = Some([("node".to_string(), "n".to_string())].into());
        assert_eq!(names(&f)[1], "x {node=\"n\"}");
        f.fields[2].display_name = Some("Shown".into());
        assert_eq!(names(&f)[2], "Shown");
    }

    #[test]
    fn series_through_calculate_field_reduce_row() {
        // dotdc "Cluster CPU Utilization": the mean of every series at each time, alone.
        let a = s(&[("instance", "a")], &[(10, 1.0), (20, 3.0)]);
        let b = s(&[("instance", "b")], &[(10, 3.0), (20, 5.0), (30, 7.0)]);
        let frames = frames_from_named_series(&[("A", "a", &a), ("A", "b", &b)]);
        assert_eq!(names(&frames[0]), ["Time", "a"]);
        let out = apply(
            frames,
            &[t(
                "calculateField",
                json!({"alias": "CPU usage in %", "mode": "reduceRow",
                                          "reduce": {"reducer": "mean"}, "replaceFields": true}),
            )],
        );
        let drawn = series_of_frames(&out.frames);
        assert_eq!(drawn.len(), 1);
        assert_eq!(drawn[0].1, "CPU usage in %");
        assert_eq!(drawn[0].2.points, vec![(10, 2.0), (20, 4.0), (30, 7.0)]);
    }
}
