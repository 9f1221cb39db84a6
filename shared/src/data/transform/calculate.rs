//! Transformations that compute values: `calculateField` (binary operations, reductions of a
//! row, unary functions), `reduce` (series to rows or fields) and `groupBy`.

use super::fields::ensure_columns;
use super::join::cell_key;
use super::{names_list, str_map, MAX_ROWS};
use crate::data::cell::number_of;
use crate::data::cell::Cell;
use crate::data::frame::{single_label_name, Field, FieldKind, Frame};
use crate::data::reduce::{self as reducers, Reducer};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// A reducer's id as Grafana writes it, with the old aliases (`current`, `avg`, `total`).
/// The name Grafana gives a reducer (a `reduce` column, a `calculateField` field).
pub fn reducer_name(id: &str) -> Option<String> {
    Reducer::from_id(id).map(Reducer::name)
}

/// A value as an operand of `calculateField`'s arithmetic: a null is 0, as in JavaScript.
fn arith(c: &Cell) -> Option<f64> {
    match c {
        Cell::Empty => Some(0.0),
        other => number_of(other),
    }
}

/// Reduces values with one of Grafana's reducers ([`crate::data::reduce`]); `None` for a reducer id
/// Grafana does not have.
pub fn reduce_cells(id: &str, values: &[Cell]) -> Option<Cell> {
    Some(reducers::reduce(Reducer::from_id(id)?, values).into_cell())
}

/// The kind of field a reducer's results make (`getFieldTypeForReducer`).
fn reducer_kind(id: &str, input: FieldKind) -> FieldKind {
    match Reducer::from_id(id) {
        Some(r) if r.keeps_values() => input,
        Some(
            Reducer::AllIsNull | Reducer::AllIsZero | Reducer::AllValues | Reducer::UniqueValues,
        ) => FieldKind::String,
        _ => FieldKind::Number,
    }
}

/// `groupBy`: per frame, one row per distinct combination of the `groupby` fields (in order
/// of first appearance), then a field `NAME (calc)` per aggregation of each `aggregate` field.
/// Frames without any group-by field are dropped.
pub fn group_by(frames: Vec<Frame>, options: &Value) -> Vec<Frame> {
    let Some(spec) = str_map(options, "fields") else {
        return frames;
    };
    let op = |name: &str| {
        spec.get(name)
            .and_then(|f| f.get("operation"))
            .and_then(Value::as_str)
    };
    if !spec.keys().any(|k| op(k) == Some("groupby")) {
        return frames;
    }
    let mut out = Vec::new();
    for frame in frames {
        let names = frame.display_names();
        let group: Vec<usize> = (0..frame.fields.len())
            .filter(|&i| op(&names[i]) == Some("groupby"))
            .collect();
        if group.is_empty() {
            continue;
        }
        let mut keys: HashMap<String, usize> = HashMap::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for r in 0..frame.len() {
            let key: Vec<String> = group
                .iter()
                .map(|&i| cell_key(frame.fields[i].values.get(r).unwrap_or(&Cell::Empty)))
                .collect();
            let key = key.join("\u{1f}");
            match keys.get(&key) {
                Some(&g) => members[g].push(r),
                None if members.len() < MAX_ROWS => {
                    keys.insert(key, members.len());
                    members.push(vec![r]);
                }
                None => {}
            }
        }
        let cell = |f: &Field, r: usize| f.values.get(r).cloned().unwrap_or(Cell::Empty);
        let mut fields: Vec<Field> = group
            .iter()
            .map(|&i| {
                let f = &frame.fields[i];
                Field {
                    values: members.iter().map(|m| cell(f, m[0])).collect(),
                    ..f.clone()
                }
            })
            .collect();
        for (i, f) in frame.fields.iter().enumerate() {
            let Some(o) = spec.get(&names[i]) else {
                continue;
            };
            let calcs = match op(&names[i]) {
                Some("aggregate") => names_list(o.get("aggregations")),
                Some("count") => vec!["count".to_string()],
                _ => continue,
            };
            for calc in calcs {
                let values = members
                    .iter()
                    .map(|m| {
                        let group_values: Vec<Cell> = m.iter().map(|&r| cell(f, r)).collect();
                        reduce_cells(&calc, &group_values).unwrap_or(Cell::Empty)
                    })
                    .collect();
                fields.push(Field::new(
                    format!("{} ({calc})", names[i]),
                    reducer_kind(&calc, f.kind),
                    &f.ref_id,
                    values,
                ));
            }
        }
        out.push(Frame {
            ref_id: frame.ref_id,
            fields,
        });
    }
    out
}

/// One side of a binary operation: a field's values or a number.
fn binary_operand(frame: &Frame, v: Option<&Value>, all_names: &[String]) -> Option<Vec<Cell>> {
    let (name, fixed) = match v? {
        Value::String(s) => {
            if s.trim().parse::<f64>().is_err() || all_names.contains(s) {
                (Some(s.clone()), None)
            } else {
                (None, Some(s.clone()))
            }
        }
        Value::Number(n) => (None, Some(n.to_string())),
        o => (
            o.pointer("/matcher/options")
                .and_then(Value::as_str)
                .map(str::to_string),
            o.get("fixed").and_then(|f| match f {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }),
        ),
    };
    if let Some(name) = name {
        if let Some(i) = frame.find(&name) {
            return Some(frame.fields[i].values.clone());
        }
    }
    let v: f64 = fixed.as_deref()?.trim().parse().ok()?;
    Some(vec![Cell::Number(v); frame.len()])
}

/// What computes a `calculateField` field's values from a frame (`None`: it does not apply).
type Creator = Box<dyn Fn(&Frame) -> Option<Vec<Cell>>>;

/// `calculateField`: a new number field computed per row — mode `binary` (`+ - * / % ^` of two
/// fields or numbers) or `reduceRow` (a reducer over the row's number fields, or those named in
/// `reduce.include`); `index` (the row number). Named `alias`, else as Grafana names it.
/// `replaceFields` keeps only the time field and the new one.
pub fn calculate_field(frames: Vec<Frame>, options: &Value) -> Result<Vec<Frame>, String> {
    let mode = options
        .get("mode")
        .and_then(Value::as_str)
        .unwrap_or("reduceRow");
    let as_time_series = options.get("timeSeries").and_then(Value::as_bool) != Some(false);
    let replace = options.get("replaceFields").and_then(Value::as_bool) == Some(true);
    let field_names: Vec<String> = frames
        .iter()
        .flat_map(|f| {
            f.display_names()
                .into_iter()
                .chain(f.fields.iter().map(|x| x.name.clone()))
        })
        .collect();
    // A number for the right operand (`{"fixed": "100"}`, or `"100"` naming no field): each
    // frame is computed on its own, not joined first.
    let binary_fixed_right = mode == "binary"
        && match options.pointer("/binary/right") {
            Some(Value::String(s)) => s.trim().parse::<f64>().is_ok() && !field_names.contains(s),
            Some(Value::Number(_)) => true,
            Some(o) => o.get("fixed").is_some_and(|v| !v.is_null()),
            None => false,
        };
    let frames = if as_time_series && !binary_fixed_right {
        ensure_columns(frames)
    } else {
        frames
    };
    let alias = options
        .get("alias")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
        .map(str::to_string);
    let all_names: Vec<String> = frames
        .iter()
        .flat_map(|f| f.fields.iter().map(|x| x.name.clone()))
        .collect();
    let (name, compute): (String, Creator) = match mode {
        "binary" => {
            let b = options.get("binary").cloned().unwrap_or(Value::Null);
            let op = b
                .get("operator")
                .and_then(Value::as_str)
                .unwrap_or("+")
                .to_string();
            // Grafana 13 computes these four; with any other operator it leaves the frames
            // as they are (and so does kubeglass, saying so).
            let f: fn(f64, f64) -> f64 = match op.as_str() {
                "+" => |a, b| a + b,
                "-" => |a, b| a - b,
                "*" => |a, b| a * b,
                "/" => |a, b| a / b,
                other => return Err(format!("binary operator `{other}`")),
            };
            let side = |v: Option<&Value>| match v {
                Some(Value::String(s)) => s.clone(),
                Some(o) => o
                    .pointer("/matcher/options")
                    .or_else(|| o.get("fixed"))
                    .map(|x| match x {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .unwrap_or_default(),
                None => String::new(),
            };
            let default =
                format!("{} {op} {}", side(b.get("left")), side(b.get("right"))).replace('$', "");
            let names = all_names.clone();
            (
                default,
                Box::new(move |frame: &Frame| {
                    let l = binary_operand(frame, b.get("left"), &names)?;
                    let r = binary_operand(frame, b.get("right"), &names)?;
                    Some(
                        l.iter()
                            .zip(&r)
                            // A null is 0 to Grafana's arithmetic (JavaScript's).
                            .map(|(x, y)| match (arith(x), arith(y)) {
                                (Some(x), Some(y)) => Cell::Number(f(x, y)),
                                _ => Cell::Empty,
                            })
                            .collect(),
                    )
                }),
            )
        }
        "reduceRow" => {
            let reducer = options
                .pointer("/reduce/reducer")
                .and_then(Value::as_str)
                .unwrap_or("sum")
                .to_string();
            let Some(default) = reducer_name(&reducer) else {
                return Err(format!("reducer `{reducer}`"));
            };
            let include = names_list(options.pointer("/reduce/include"));
            (
                default,
                Box::new(move |frame: &Frame| {
                    let names = frame.display_names();
                    let cols: Vec<&Field> = frame
                        .fields
                        .iter()
                        .zip(&names)
                        .filter(|(f, n)| {
                            if include.is_empty() {
                                f.kind == FieldKind::Number
                            } else {
                                include.contains(n)
                            }
                        })
                        .map(|(f, _)| f)
                        .collect();
                    Some(
                        (0..frame.len())
                            .map(|r| {
                                let row: Vec<Cell> = cols
                                    .iter()
                                    .map(|f| f.values.get(r).cloned().unwrap_or(Cell::Empty))
                                    .collect();
                                reduce_cells(&reducer, &row).unwrap_or(Cell::Empty)
                            })
                            .collect(),
                    )
                }),
            )
        }
        "index" => (
            "Row".to_string(),
            Box::new(|frame: &Frame| {
                Some((0..frame.len()).map(|i| Cell::Number(i as f64)).collect())
            }),
        ),
        other => return Err(format!("mode `{other}`")),
    };
    let name = alias.unwrap_or(name);
    Ok(frames
        .into_iter()
        .filter_map(|frame| {
            let Some(values) = compute(&frame) else {
                return (!replace).then_some(frame);
            };
            let new = Field::new(name.clone(), FieldKind::Number, "", values);
            let fields = if replace {
                let time = frame
                    .fields
                    .iter()
                    .find(|f| f.kind == FieldKind::Time)
                    .filter(|_| as_time_series)
                    .cloned();
                time.into_iter().chain([new]).collect()
            } else {
                frame.fields.into_iter().chain([new]).collect()
            };
            Some(Frame {
                ref_id: frame.ref_id,
                fields,
            })
        })
        .collect())
}

/// `reduce`: mode `seriesToRows` (the default) gives one frame with a `Field` column (each
/// non-time field's display name, as named among all the frames) and a column per
/// calculation (`reducers`, `max` by default, named as Grafana names them); `reduceFields`
/// keeps each frame's fields (the time field too with `includeTimeField`), each reduced to one
/// row, labelled with the reducer when there are several. Text fields are reduced too: their
/// numeric calculations are empty, as Grafana's.
pub fn reduce(frames: Vec<Frame>, options: &Value) -> Result<Vec<Frame>, String> {
    let mut reducers = names_list(options.get("reducers"));
    if reducers.is_empty() {
        reducers.push("max".into());
    }
    for r in &reducers {
        if reducer_name(r).is_none() {
            return Err(format!("reducer `{r}`"));
        }
    }
    let include_time = options.get("includeTimeField").and_then(Value::as_bool) == Some(true);
    if options.get("mode").and_then(Value::as_str) == Some("reduceFields") {
        return Ok(frames
            .into_iter()
            .filter_map(|frame| {
                let mut fields = Vec::new();
                for f in frame
                    .fields
                    .iter()
                    .filter(|f| include_time || f.kind != FieldKind::Time)
                {
                    for r in &reducers {
                        let v = reduce_cells(r, &f.values).unwrap_or(Cell::Empty);
                        let mut copy = f.clone();
                        copy.values = vec![v];
                        copy.kind = reducer_kind(r, FieldKind::Number);
                        if reducers.len() > 1 {
                            copy.labels
                                .get_or_insert_with(BTreeMap::new)
                                .insert("reducer".into(), reducer_name(r).unwrap_or_default());
                        }
                        fields.push(copy);
                    }
                }
                (!fields.is_empty()).then_some(Frame {
                    ref_id: frame.ref_id,
                    fields,
                })
            })
            .collect());
    }
    let all_fields: Vec<Field> = frames.iter().flat_map(|f| f.fields.clone()).collect();
    let single = single_label_name(&all_fields);
    let mut names = Vec::new();
    let mut columns: Vec<Vec<Cell>> = vec![Vec::new(); reducers.len()];
    for frame in &frames {
        let display = frame.display_names_with(single.as_deref());
        for (f, n) in frame.fields.iter().zip(display) {
            if f.kind == FieldKind::Time {
                continue;
            }
            names.push(Cell::Text(n));
            for (k, r) in reducers.iter().enumerate() {
                columns[k].push(reduce_cells(r, &f.values).unwrap_or(Cell::Empty));
            }
        }
    }
    let mut fields = vec![Field::new("Field", FieldKind::String, "", names)];
    for (r, values) in reducers.iter().zip(columns) {
        // A column of values (`lastNotNull` of text fields) is text when any is; a
        // calculation that gives nothing is NaN, in any column, as Grafana writes it.
        let text = values.iter().any(|c| matches!(c, Cell::Text(_)));
        let kind = if text {
            FieldKind::String
        } else {
            reducer_kind(r, FieldKind::Number)
        };
        let values = values
            .into_iter()
            .map(|c| match c {
                Cell::Empty => Cell::Number(f64::NAN),
                other => other,
            })
            .collect();
        fields.push(Field::new(
            reducer_name(r).unwrap_or_default(),
            kind,
            "",
            values,
        ));
    }
    Ok(vec![Frame {
        ref_id: String::new(),
        fields,
    }])
}
