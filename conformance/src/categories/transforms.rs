//! The transformations the corpus uses (organize, joinByField and its alias seriesToColumns,
//! calculateField, merge, groupBy, labelsToFields, sortBy), and reduce, filterFieldsByName,
//! limit and renameByRegex, on frames shaped as Prometheus answers make them: kubeglass's
//! `transform::apply` against Grafana's `transformDataFrame`. Compared per output frame: each
//! field's display name, type and values.

use crate::oracle::num;
use crate::Case;
use kubeglass_shared::data::cell::Cell;
use kubeglass_shared::data::frame::{Field, FieldKind, Frame};
use kubeglass_shared::data::transform::apply;
use kubeglass_shared::model::Transformation;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One input field: name, kind, labels, values.
#[derive(Clone)]
struct F {
    name: String,
    kind: FieldKind,
    labels: Option<BTreeMap<String, String>>,
    values: Vec<Cell>,
}

fn kind_name(k: FieldKind) -> &'static str {
    match k {
        FieldKind::Time => "time",
        FieldKind::String => "string",
        FieldKind::Number => "number",
    }
}

fn cell_json(c: &Cell) -> Value {
    match c {
        Cell::Empty => Value::Null,
        Cell::Number(v) => num(*v),
        Cell::Time(t) => json!(t),
        Cell::Text(s) => json!(s),
    }
}

fn frame_json(ref_id: &str, fields: &[F]) -> Value {
    json!({"refId": ref_id, "fields": fields.iter().map(|f| {
        let mut v = json!({"name": f.name, "type": kind_name(f.kind),
                           "values": f.values.iter().map(cell_json).collect::<Vec<_>>()});
        if let Some(l) = &f.labels {
            v["labels"] = json!(l);
        }
        v
    }).collect::<Vec<_>>()})
}

fn frame(ref_id: &str, fields: &[F]) -> Frame {
    Frame {
        ref_id: ref_id.into(),
        fields: fields
            .iter()
            .map(|f| Field {
                name: f.name.clone(),
                kind: f.kind,
                labels: f.labels.clone(),
                display_name: None,
                ref_id: ref_id.into(),
                values: f.values.clone(),
            })
            .collect(),
    }
}

/// What is compared of output frames: per frame, its fields' (display name, type, values).
fn shape_ours(frames: &[Frame]) -> Value {
    Value::Array(
        frames
            .iter()
            .map(|f| {
                let names = f.display_names();
                Value::Array(
                    f.fields
                        .iter()
                        .zip(names)
                        .map(|(field, name)| {
                            json!([
                                name,
                                kind_name(field.kind),
                                field.values.iter().map(cell_json).collect::<Vec<_>>()
                            ])
                        })
                        .collect(),
                )
            })
            .collect(),
    )
}

fn shape_grafana(reply: &Value) -> Value {
    Value::Array(
        reply["frames"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                Value::Array(
                    f["fields"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|field| {
                            // Grafana's boolean and other kinds read as kubeglass reads them.
                            let kind = match field["type"].as_str().unwrap_or("") {
                                "time" => "time",
                                "number" => "number",
                                _ => "string",
                            };
                            json!([field["displayName"], kind, field["values"]])
                        })
                        .collect(),
                )
            })
            .collect(),
    )
}

fn s(v: &str) -> Cell {
    Cell::Text(v.into())
}

fn n(v: f64) -> Cell {
    Cell::Number(v)
}

fn time_field(ts: &[i64]) -> F {
    F {
        name: "Time".into(),
        kind: FieldKind::Time,
        labels: None,
        values: ts.iter().map(|t| Cell::Time(*t)).collect(),
    }
}

fn string_field(name: &str, values: &[&str]) -> F {
    F {
        name: name.into(),
        kind: FieldKind::String,
        labels: None,
        values: values.iter().map(|v| s(v)).collect(),
    }
}

fn number_field(name: &str, values: &[Option<f64>]) -> F {
    F {
        name: name.into(),
        kind: FieldKind::Number,
        labels: None,
        values: values.iter().map(|v| v.map_or(Cell::Empty, n)).collect(),
    }
}

/// Two instant-query answers as tables (`format: table`): a time, a label, a value.
fn tables(rng: &mut StdRng) -> Vec<(String, Vec<F>)> {
    let modes = ["user", "system", "idle", "iowait"];
    let mut out = Vec::new();
    for (i, r) in ["A", "B"].iter().enumerate() {
        let len = rng.random_range(1..=4);
        let picked: Vec<&str> = (0..len).map(|j| modes[(j + i) % modes.len()]).collect();
        let values: Vec<Option<f64>> = (0..len)
            .map(|_| {
                if rng.random_range(0..6) == 0 {
                    None
                } else {
                    Some(rng.random_range(0..1000) as f64 / 10.0)
                }
            })
            .collect();
        out.push((
            (*r).to_owned(),
            vec![
                time_field(&vec![1_700_000_000_000; len]),
                string_field("mode", &picked),
                number_field(&format!("Value #{r}"), &values),
            ],
        ));
    }
    out
}

/// Time series answers: a time field and a labelled value field each.
fn series(rng: &mut StdRng) -> Vec<(String, Vec<F>)> {
    let k = rng.random_range(1..=3);
    (0..k)
        .map(|i| {
            let len = rng.random_range(1..=4);
            let ts: Vec<i64> = (0..len)
                .map(|j| 1_700_000_000_000 + 15_000 * j as i64)
                .collect();
            let mut value = number_field(
                "Value",
                &(0..len)
                    .map(|_| (rng.random_range(0..5) != 0).then(|| rng.random_range(0..100) as f64))
                    .collect::<Vec<_>>(),
            );
            let mut labels = BTreeMap::new();
            labels.insert("instance".to_owned(), format!("host-{i}:9100"));
            if rng.random() {
                labels.insert("job".to_owned(), "node".to_owned());
            }
            value.labels = Some(labels);
            (
                char::from(b'A' + i as u8).to_string(),
                vec![time_field(&ts), value],
            )
        })
        .collect()
}

/// The transformations tried on `tables` (those that name fields name theirs).
fn table_transformations() -> Vec<Value> {
    vec![
        json!([{"id": "joinByField", "options": {"byField": "mode", "mode": "outer"}}]),
        json!([{"id": "joinByField", "options": {"byField": "mode", "mode": "inner"}}]),
        json!([{"id": "seriesToColumns", "options": {"byField": "mode"}}]),
        json!([{"id": "merge", "options": {}}]),
        json!([{"id": "merge", "options": {}}, {"id": "sortBy", "options": {"sort": [{"field": "mode"}]}}]),
        json!([{"id": "merge", "options": {}}, {"id": "sortBy", "options": {"sort": [{"field": "Value #A", "desc": true}]}}]),
        json!([{"id": "joinByField", "options": {"byField": "mode"}},
               {"id": "organize", "options": {"excludeByName": {"Time 1": true, "Time 2": true},
                                              "indexByName": {"mode": 0, "Value #B": 1, "Value #A": 2},
                                              "renameByName": {"mode": "Mode", "Value #A": "A", "Value #B": "B"}}}]),
        json!([{"id": "joinByField", "options": {"byField": "mode"}},
               {"id": "calculateField", "options": {"mode": "reduceRow", "reduce": {"reducer": "sum"}, "alias": "Total"}}]),
        json!([{"id": "joinByField", "options": {"byField": "mode"}},
               {"id": "calculateField", "options": {"mode": "reduceRow", "reduce": {"reducer": "mean"}, "replaceFields": true}}]),
        json!([{"id": "calculateField", "options": {"mode": "binary", "binary": {"left": "Value #A", "operator": "*", "right": "100"}}}]),
        json!([{"id": "calculateField", "options": {"mode": "binary", "binary": {"left": "Value #A", "operator": "-", "right": "10"}, "alias": "less", "replaceFields": true}}]),
        json!([{"id": "merge", "options": {}},
               {"id": "groupBy", "options": {"fields": {"mode": {"aggregations": [], "operation": "groupby"},
                                                         "Value #A": {"aggregations": ["sum", "count"], "operation": "aggregate"}}}}]),
        json!([{"id": "reduce", "options": {}}]),
        json!([{"id": "reduce", "options": {"reducers": ["max", "mean", "lastNotNull"]}}]),
        json!([{"id": "reduce", "options": {"reducers": ["sum"], "mode": "reduceFields"}}]),
        json!([{"id": "reduce", "options": {"reducers": ["count"], "includeTimeField": true}}]),
        json!([{"id": "filterFieldsByName", "options": {"include": {"names": ["mode", "Value #A"]}}}]),
        json!([{"id": "filterFieldsByName", "options": {"include": {"pattern": "Value.*"}}}]),
        json!([{"id": "limit", "options": {"limitField": 2}}]),
        json!([{"id": "renameByRegex", "options": {"regex": "Value #(.*)", "renamePattern": "query $1"}}]),
    ]
}

fn series_transformations() -> Vec<Value> {
    vec![
        json!([{"id": "joinByField", "options": {}}]),
        json!([{"id": "seriesToColumns", "options": {"byField": "Time"}}]),
        json!([{"id": "merge", "options": {}}]),
        json!([{"id": "labelsToFields", "options": {}}]),
        json!([{"id": "labelsToFields", "options": {"valueLabel": "instance"}}]),
        json!([{"id": "labelsToFields", "options": {"keepLabels": ["instance"]}}]),
        json!([{"id": "reduce", "options": {"reducers": ["lastNotNull", "max"]}}]),
        json!([{"id": "joinByField", "options": {}},
               {"id": "calculateField", "options": {"mode": "reduceRow", "reduce": {"reducer": "max"}}}]),
        json!([{"id": "renameByRegex", "options": {"regex": "(.*):9100", "renamePattern": "$1"}}]),
        json!([{"id": "labelsToFields", "options": {}}, {"id": "merge", "options": {}},
               {"id": "groupBy", "options": {"fields": {"instance": {"operation": "groupby"},
                                                         "Value": {"aggregations": ["max"], "operation": "aggregate"}}}}]),
    ]
}

fn case(frames: &[(String, Vec<F>)], transformations: &Value, what: &str) -> Case {
    let ts: Vec<Transformation> = transformations
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| Transformation {
            id: t["id"].as_str().unwrap_or("").to_owned(),
            options: t["options"].clone(),
            disabled: false,
        })
        .collect();
    let input: Vec<Frame> = frames.iter().map(|(r, f)| frame(r, f)).collect();
    // What kubeglass could not do it reports besides (`skipped`); the frames are compared.
    let ours = shape_ours(&apply(input, &ts).frames);
    let json_frames: Vec<Value> = frames.iter().map(|(r, f)| frame_json(r, f)).collect();
    Case {
        name: format!(
            "{what} transformations={} frames={}",
            transformations,
            serde_json::to_string(&json_frames).unwrap_or_default()
        ),
        input: json!({"cat": "transform", "transformations": transformations, "frames": json_frames}),
        ours,
        answer: shape_grafana,
    }
}

/// One table with two number columns holding nulls, for calculateField's arithmetic.
fn numbers(rng: &mut StdRng) -> Vec<(String, Vec<F>)> {
    let len = rng.random_range(1..=5);
    let column = |rng: &mut StdRng| -> Vec<Option<f64>> {
        (0..len)
            .map(|_| (rng.random_range(0..4) != 0).then(|| rng.random_range(-50..50) as f64))
            .collect()
    };
    let (a, b) = (column(rng), column(rng));
    vec![(
        "A".into(),
        vec![number_field("a", &a), number_field("b", &b)],
    )]
}

fn number_transformations() -> Vec<Value> {
    ["+", "-", "*", "/", "%"]
        .iter()
        .map(|op| json!([{"id": "calculateField", "options": {"mode": "binary", "binary": {"left": "a", "operator": op, "right": "b"}}}]))
        .chain([
            json!([{"id": "calculateField", "options": {"mode": "reduceRow", "reduce": {"reducer": "sum"}}}]),
            json!([{"id": "calculateField", "options": {"mode": "reduceRow", "reduce": {"reducer": "mean"}, "alias": "avg"}}]),
            json!([{"id": "calculateField", "options": {"mode": "reduceRow", "reduce": {"reducer": "max", "include": ["a"]}}}]),
        ])
        .collect()
}

/// Two series that lack samples at each other's times, so that an outer join leaves gaps.
fn gapped_series() -> Vec<(String, Vec<F>)> {
    let labelled = |name: &str, instance: &str, values: &[Option<f64>]| {
        let mut f = number_field(name, values);
        f.labels = Some(BTreeMap::from([(
            "instance".to_owned(),
            instance.to_owned(),
        )]));
        f
    };
    vec![
        (
            "A".into(),
            vec![
                time_field(&[1000, 2000]),
                labelled("Value", "x", &[Some(1.0), Some(2.0)]),
            ],
        ),
        (
            "B".into(),
            vec![
                time_field(&[1000, 3000]),
                labelled("Value", "y", &[Some(10.0), Some(20.0)]),
            ],
        ),
    ]
}

pub fn cases(rng: &mut StdRng, n: usize) -> Vec<Case> {
    let mut out = vec![case(
        &gapped_series(),
        &json!([{"id": "calculateField", "options": {"mode": "binary", "binary": {"left": "x", "operator": "+", "right": "y"}}}]),
        "join-gaps",
    )];
    let number_ts = number_transformations();
    for t in &number_ts {
        let frames = numbers(rng);
        out.push(case(&frames, t, "numbers"));
    }
    let table_ts = table_transformations();
    let series_ts = series_transformations();
    for t in &table_ts {
        let frames = tables(rng);
        out.push(case(&frames, t, "tables"));
    }
    for t in &series_ts {
        let frames = series(rng);
        out.push(case(&frames, t, "series"));
    }
    for _ in 0..n / 4 {
        if rng.random_range(0..3) == 0 {
            let frames = numbers(rng);
            out.push(case(
                &frames,
                number_ts.choose(rng).expect("some"),
                "numbers",
            ));
        } else if rng.random() {
            let frames = tables(rng);
            out.push(case(&frames, table_ts.choose(rng).expect("some"), "tables"));
        } else {
            let frames = series(rng);
            out.push(case(
                &frames,
                series_ts.choose(rng).expect("some"),
                "series",
            ));
        }
    }
    out
}
