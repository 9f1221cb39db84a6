//! Every reducer of Grafana's `fieldReducers` on number fields with nulls, NaN and empties:
//! kubeglass's `reduce_cells` against Grafana's `reduceField`.

use crate::oracle::num;
use crate::Case;
use kubeglass_shared::data::cell::Cell;
use kubeglass_shared::data::reduce::{reduce, Reduced, Reducer};
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};

/// A value of a number field: a number, NaN, or null (`None`).
type Input = Option<f64>;

fn edge_cases() -> Vec<Vec<Input>> {
    let n = |v: f64| Some(v);
    vec![
        vec![],
        vec![None],
        vec![None, None],
        vec![n(f64::NAN)],
        vec![n(3.0), n(2.0), n(1.0)],
        vec![n(1.0), n(5.0), n(2.0), n(8.0)],
        vec![n(1.0), None, n(4.0), n(2.0), None, n(10.0)],
        vec![n(0.0), n(0.0), None],
        vec![n(0.0)],
        vec![n(5.0)],
        vec![n(-1.0), n(-5.0), n(0.5)],
        vec![n(1.0), n(1.0), n(1.0)],
        vec![n(1.0), n(f64::NAN), n(3.0)],
        vec![None, n(2.0), n(2.0), n(3.0), None],
        vec![n(10.0), n(20.0), n(5.0), n(25.0)],
        vec![n(0.001), n(1e15), n(-1e-12)],
    ]
}

fn generated(rng: &mut StdRng) -> Vec<Input> {
    let len = rng.random_range(0..12);
    (0..len)
        .map(|_| match rng.random_range(0..10) {
            0 => None,
            1 => Some(f64::NAN),
            2 => Some(0.0),
            3 => Some(rng.random_range(-5..5) as f64),
            _ => Some((rng.random::<f64>() - 0.3) * 10f64.powi(rng.random_range(-3..6))),
        })
        .collect()
}

fn cell(c: &Cell) -> Value {
    match c {
        Cell::Empty => Value::Null,
        Cell::Number(v) => num(*v),
        Cell::Time(t) => json!(t),
        Cell::Text(s) => json!(s),
    }
}

/// kubeglass's answer as the oracle writes Grafana's: a number, null, a boolean, or a list.
fn ours(id: &str, values: &[Input]) -> Value {
    let cells: Vec<Cell> = values
        .iter()
        .map(|v| v.map_or(Cell::Empty, Cell::Number))
        .collect();
    let Some(reducer) = Reducer::from_id(id) else {
        return json!({"error": format!("kubeglass has no reducer `{id}`")});
    };
    match reduce(reducer, &cells) {
        Reduced::Null => Value::Null,
        Reduced::Number(v) => num(v),
        Reduced::Bool(b) => json!(b),
        Reduced::Value(c) => cell(&c),
        Reduced::Values(v) => Value::Array(v.iter().map(cell).collect()),
    }
}

pub fn cases(rng: &mut StdRng, n: usize) -> Vec<Case> {
    let ids: Vec<String> = super::listing("reducers")["ids"]
        .as_array()
        .expect("reducer ids")
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect();
    let mut inputs = edge_cases();
    inputs.extend((0..n / ids.len().max(1) + 1).map(|_| generated(rng)));
    let mut out = Vec::new();
    for values in &inputs {
        let shown: Vec<String> = values
            .iter()
            .map(|v| v.map_or("null".into(), |v| format!("{v}")))
            .collect();
        let json_values: Vec<Value> = values.iter().map(|v| v.map_or(Value::Null, num)).collect();
        for id in &ids {
            out.push(Case {
                name: format!("reducer={id} values=[{}]", shown.join(",")),
                input: json!({"cat": "reducer", "id": id, "values": json_values, "fieldType": "number"}),
                ours: ours(id, values),
                answer: |r| r["calcs"].as_object().and_then(|c| c.values().next()).cloned().unwrap_or(Value::Null),
            });
        }
    }
    out
}
