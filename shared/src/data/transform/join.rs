//! Joining frames: `joinByField` (outer, inner and the time series' `outerTabular`) and
//! `merge`, as Grafana's transformers do.

use super::MAX_ROWS;
use crate::data::cell::{compare_cells, Cell};
use crate::data::frame::{Field, FieldKind, Frame};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// A key that compares cells as JavaScript's `===` does for the values a frame holds.
pub(super) fn cell_key(c: &Cell) -> String {
    match c {
        Cell::Empty => "\u{0}u".to_string(),
        Cell::Text(s) => format!("s{s}"),
        Cell::Number(v) => format!("n{v}"),
        Cell::Time(t) => format!("n{}", *t as f64),
    }
}

fn same_cell(a: &Cell, b: &Cell) -> bool {
    match (a, b) {
        (Cell::Number(x), Cell::Number(y)) => x == y,
        (Cell::Time(x), Cell::Number(y)) | (Cell::Number(y), Cell::Time(x)) => *x as f64 == *y,
        _ => a == b,
    }
}

/// `joinByField` (and its alias `seriesToColumns`): one frame with the join field first and
/// every other field of every frame after it, in frame order. `byField` names the join field
/// (by display name); by default it is each frame's first time field. Frames without it are
/// left out. `mode: outer` (the default) keeps every join value — sorted when they are numbers
/// or times, in order of first appearance otherwise — and `inner` only rows whose value every
/// frame has.
pub fn join_by_field(frames: Vec<Frame>, options: &Value) -> Vec<Frame> {
    if frames.len() < 2 {
        return frames;
    }
    let by = options
        .get("byField")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let inner = options.get("mode").and_then(Value::as_str) == Some("inner");
    // The join field of each frame that has one.
    let joined: Vec<(&Frame, usize)> = frames
        .iter()
        .filter_map(|f| {
            let at = match by {
                Some(name) => f.find(name),
                None => f.fields.iter().position(|x| x.kind == FieldKind::Time),
            }?;
            Some((f, at))
        })
        .collect();
    if joined.is_empty()
        || (by.is_none() && frames[0].fields.iter().all(|f| f.kind != FieldKind::Time))
    {
        return frames;
    }
    let (first, first_at) = joined[0];
    let mut key_field = first.fields[first_at].clone();
    key_field.values.clear();
    // Non-join fields, copied with labels (as Grafana's join does): numbered display names.
    let mut others: Vec<(usize, usize, Field)> = Vec::new();
    for (k, (frame, at)) in joined.iter().enumerate() {
        for (i, f) in frame.fields.iter().enumerate() {
            if i == *at {
                continue;
            }
            let mut copy = f.clone();
            copy.values.clear();
            copy.labels.get_or_insert_with(BTreeMap::new);
            others.push((k, i, copy));
        }
    }
    if inner {
        // Every combination of rows agreeing on the join value, frame by frame.
        let mut rows: Vec<(Cell, Vec<usize>)> = (0..joined[0].0.len())
            .map(|r| (joined[0].0.fields[joined[0].1].values[r].clone(), vec![r]))
            .collect();
        for (frame, at) in &joined[1..] {
            let mut next = Vec::new();
            for (key, picks) in &rows {
                for r in 0..frame.len() {
                    if next.len() >= MAX_ROWS {
                        break;
                    }
                    if same_cell(&frame.fields[*at].values[r], key) {
                        let mut p = picks.clone();
                        p.push(r);
                        next.push((key.clone(), p));
                    }
                }
            }
            rows = next;
        }
        for (key, picks) in &rows {
            key_field.values.push(key.clone());
            for (k, i, f) in &mut others {
                let (frame, _) = joined[*k];
                f.values.push(
                    frame.fields[*i]
                        .values
                        .get(picks[*k])
                        .cloned()
                        .unwrap_or(Cell::Empty),
                );
            }
        }
    } else {
        let mut keys: Vec<Cell> = Vec::new();
        let mut seen: HashMap<String, ()> = HashMap::new();
        for (frame, at) in &joined {
            for c in &frame.fields[*at].values {
                if keys.len() < MAX_ROWS && seen.insert(cell_key(c), ()).is_none() {
                    keys.push(c.clone());
                }
            }
        }
        if keys
            .iter()
            .all(|c| matches!(c, Cell::Number(_) | Cell::Time(_)))
        {
            crate::sort::sort_by(&mut keys, compare_cells);
        }
        let index: HashMap<String, usize> = keys
            .iter()
            .enumerate()
            .map(|(i, c)| (cell_key(c), i))
            .collect();
        for (k, i, f) in &mut others {
            let (frame, at) = joined[*k];
            f.values = vec![Cell::Empty; keys.len()];
            for (r, c) in frame.fields[at].values.iter().enumerate() {
                if let Some(&slot) = index.get(&cell_key(c)) {
                    f.values[slot] = frame.fields[*i]
                        .values
                        .get(r)
                        .cloned()
                        .unwrap_or(Cell::Empty);
                }
            }
        }
        key_field.values = keys;
    }
    let mut fields = vec![key_field];
    fields.extend(others.into_iter().map(|(_, _, f)| f));
    vec![Frame {
        ref_id: String::new(),
        fields,
    }]
}

/// `merge`: the frames as one, fields by name in order of first appearance; rows agreeing on
/// every field all frames have (time included) are one row when their other values do not
/// conflict.
pub fn merge(frames: Vec<Frame>) -> Vec<Frame> {
    if frames.len() < 2 {
        return frames;
    }
    let data: Vec<&Frame> = frames.iter().filter(|f| !f.fields.is_empty()).collect();
    if data.is_empty() {
        return frames.into_iter().take(1).collect();
    }
    let mut out_fields: Vec<Field> = Vec::new();
    // Field name -> (frame index -> field index).
    let mut where_: HashMap<String, HashMap<usize, usize>> = HashMap::new();
    for (k, frame) in data.iter().enumerate() {
        for (i, f) in frame.fields.iter().enumerate() {
            if !out_fields.iter().any(|o| o.name == f.name) {
                let mut copy = Field::new(f.name.clone(), f.kind, &f.ref_id, Vec::new());
                copy.labels = None;
                out_fields.push(copy);
            }
            where_.entry(f.name.clone()).or_default().insert(k, i);
        }
    }
    let last = data.len() - 1;
    let key_names: Vec<String> = data[last]
        .fields
        .iter()
        .map(|f| f.name.clone())
        .filter(|n| where_.get(n).is_some_and(|m| m.len() == data.len()))
        .collect();
    if key_names.is_empty() {
        return frames;
    }
    // Merged rows, by key, in order of creation.
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (k, frame) in data.iter().enumerate() {
        for r in 0..frame.len() {
            let key: Vec<String> = key_names
                .iter()
                .map(|n| cell_key(&frame.fields[where_[n][&k]].values[r]))
                .collect();
            let key = key.join("\u{1f}");
            let value: Vec<Option<Cell>> = out_fields
                .iter()
                .map(|o| {
                    where_[&o.name].get(&k).map(|&i| {
                        frame.fields[i]
                            .values
                            .get(r)
                            .cloned()
                            .unwrap_or(Cell::Empty)
                    })
                })
                .collect();
            let slots = by_key.entry(key).or_default();
            let target = slots.iter().copied().find(|&s| {
                value.iter().zip(&rows[s]).all(|(v, e)| match v {
                    None => true,
                    Some(v) => matches!(e, Cell::Empty) || same_cell(e, v),
                })
            });
            match target {
                Some(s) => {
                    for (j, v) in value.into_iter().enumerate() {
                        if let Some(v) = v {
                            rows[s][j] = v;
                        }
                    }
                }
                None if rows.len() < MAX_ROWS => {
                    slots.push(rows.len());
                    rows.push(
                        value
                            .into_iter()
                            .map(|v| v.unwrap_or(Cell::Empty))
                            .collect(),
                    );
                }
                None => {}
            }
        }
    }
    for (j, f) in out_fields.iter_mut().enumerate() {
        f.values = rows.iter().map(|r| r[j].clone()).collect();
    }
    vec![Frame {
        ref_id: String::new(),
        fields: out_fields,
    }]
}
