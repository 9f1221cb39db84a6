//! Transformations that shape a frame's fields: `organize` (rename, reorder, hide),
//! `filterFieldsByName`, `renameByRegex`, `labelsToFields`, `sortBy` and `limit`.

use super::join::join_by_field;
use super::{names_list, str_map};
use crate::data::cell::{compare_cells, Cell};
use crate::data::frame::{Field, FieldKind, Frame};
use crate::js::regex::Regex;
use serde_json::Value;
use std::cmp::Ordering;

/// `organize`: `excludeByName` drops fields, `indexByName` orders them (fields without an
/// index keep their order, after those with one), `renameByName` sets the name shown. All
/// three match display names.
pub fn organize(frames: Vec<Frame>, options: &Value) -> Vec<Frame> {
    let exclude = str_map(options, "excludeByName");
    let index = str_map(options, "indexByName");
    let rename = str_map(options, "renameByName");
    frames
        .into_iter()
        .map(|frame| {
            let names = frame.display_names();
            let mut keep: Vec<(usize, Field, String)> = frame
                .fields
                .into_iter()
                .zip(names)
                .enumerate()
                .filter(|(_, (_, n))| {
                    exclude.and_then(|m| m.get(n)).and_then(Value::as_bool) != Some(true)
                })
                .map(|(i, (f, n))| (i, f, n))
                .collect();
            crate::sort::sort_by_key(&mut keep, |(i, _, n)| {
                let at = index
                    .and_then(|m| m.get(n))
                    .and_then(Value::as_f64)
                    .map_or(i64::MAX, |f| f as i64);
                (at, *i)
            });
            let fields = keep
                .into_iter()
                .map(|(_, mut f, n)| {
                    if let Some(to) = rename
                        .and_then(|m| m.get(&n))
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                    {
                        f.display_name = Some(to.to_string());
                    }
                    f
                })
                .collect();
            Frame {
                ref_id: frame.ref_id,
                fields,
            }
        })
        .collect()
}

/// `labelsToFields` (mode `columns`): each labelled field loses its labels, and each label
/// (only those in `keepLabels`, when given) becomes a string field after the frame's fields;
/// `valueLabel` names the value field after that label's value instead.
pub fn labels_to_fields(frames: Vec<Frame>, options: &Value) -> Vec<Frame> {
    let keep = names_list(options.get("keepLabels"));
    let value_label = options
        .get("valueLabel")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    frames
        .into_iter()
        .map(|frame| {
            let len = frame.len();
            let mut fields = Vec::new();
            let mut unique: Vec<(String, Vec<String>)> = Vec::new();
            for mut f in frame.fields {
                let Some(labels) = f.labels.take() else {
                    fields.push(f);
                    continue;
                };
                f.display_name = None;
                for (k, v) in labels {
                    if !keep.is_empty() && !keep.contains(&k) {
                        continue;
                    }
                    if value_label == Some(k.as_str()) {
                        f.name = v;
                        continue;
                    }
                    match unique.iter_mut().find(|(n, _)| *n == k) {
                        Some((_, vs)) if !vs.contains(&v) => vs.push(v),
                        Some(_) => {}
                        None => unique.push((k, vec![v])),
                    }
                }
                fields.push(f);
            }
            for (name, values) in unique {
                for v in values {
                    fields.push(Field::new(
                        name.clone(),
                        FieldKind::String,
                        "",
                        vec![Cell::Text(v); len],
                    ));
                }
            }
            Frame {
                ref_id: frame.ref_id,
                fields,
            }
        })
        .collect()
}

/// Reorders every field of a frame by row indices.
fn reorder(frame: &mut Frame, order: &[usize]) {
    for f in &mut frame.fields {
        f.values = order
            .iter()
            .map(|&r| f.values.get(r).cloned().unwrap_or(Cell::Empty))
            .collect();
    }
}

/// `sortBy`: each frame's rows sorted by the `sort` entries (`{field, desc}`, display names),
/// the first deciding; empty cells last.
pub fn sort_by(frames: Vec<Frame>, options: &Value) -> Vec<Frame> {
    let keys: Vec<(String, bool)> = options
        .get("sort")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| {
            Some((
                s.get("field")?.as_str()?.to_string(),
                s.get("desc").and_then(Value::as_bool).unwrap_or(false),
            ))
        })
        .collect();
    frames
        .into_iter()
        .map(|mut frame| {
            let cols: Vec<(usize, bool)> = keys
                .iter()
                .filter_map(|(n, d)| Some((frame.find(n)?, *d)))
                .collect();
            if cols.is_empty() {
                return frame;
            }
            let mut order: Vec<usize> = (0..frame.len()).collect();
            let cell = |c: usize, r: usize| frame.fields[c].values.get(r).unwrap_or(&Cell::Empty);
            crate::sort::sort_by(&mut order, |&a, &b| {
                for &(c, desc) in &cols {
                    let (x, y) = (cell(c, a), cell(c, b));
                    let o = match (x, y) {
                        (Cell::Empty, _) | (_, Cell::Empty) => compare_cells(x, y),
                        _ if desc => compare_cells(y, x),
                        _ => compare_cells(x, y),
                    };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
            reorder(&mut frame, &order);
            frame
        })
        .collect()
}

/// `limit`: the first `limitField` rows (10 by default) of each frame.
pub fn limit(frames: Vec<Frame>, options: &Value) -> Vec<Frame> {
    let n = match options.get("limitField") {
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(v) => v.as_f64(),
        None => None,
    }
    .unwrap_or(10.0)
    .max(0.0) as usize;
    frames
        .into_iter()
        .map(|mut frame| {
            for f in &mut frame.fields {
                f.values.truncate(n);
            }
            frame
        })
        .collect()
}

/// `filterFieldsByName`: fields whose display name is in `include.names` or matches
/// `include.pattern` are kept (all when there is no include); those in `exclude` dropped.
/// Frames left without fields are dropped.
pub fn filter_fields_by_name(frames: Vec<Frame>, options: &Value) -> Vec<Frame> {
    let matcher = |key: &str| -> Option<(Vec<String>, Option<Regex>)> {
        let m = options.get(key)?;
        let names = names_list(m.get("names"));
        let pattern = m
            .get("pattern")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .and_then(Regex::grafana);
        (!names.is_empty() || pattern.is_some()).then_some((names, pattern))
    };
    let include = matcher("include");
    let exclude = matcher("exclude");
    if include.is_none() && exclude.is_none() {
        return frames;
    }
    let hit = |m: &(Vec<String>, Option<Regex>), name: &str| {
        m.0.iter().any(|n| n == name) || m.1.as_ref().is_some_and(|r| r.is_match(name))
    };
    frames
        .into_iter()
        .filter_map(|frame| {
            let names = frame.display_names();
            let fields: Vec<Field> = frame
                .fields
                .into_iter()
                .zip(names)
                .filter(|(_, n)| {
                    include.as_ref().is_none_or(|m| hit(m, n))
                        && !exclude.as_ref().is_some_and(|m| hit(m, n))
                })
                .map(|(f, _)| f)
                .collect();
            (!fields.is_empty()).then_some(Frame {
                ref_id: frame.ref_id,
                fields,
            })
        })
        .collect()
}

/// `renameByRegex`: the display name of every field `regex` matches becomes the name with the
/// match replaced by `renamePattern` (`$1` refers to a group).
pub fn rename_by_regex(frames: Vec<Frame>, options: &Value) -> Vec<Frame> {
    let (Some(re), Some(to)) = (
        options
            .get("regex")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
            .and_then(Regex::grafana),
        options.get("renamePattern").and_then(Value::as_str),
    ) else {
        return frames;
    };
    frames
        .into_iter()
        .map(|mut frame| {
            let names = frame.display_names();
            for (f, n) in frame.fields.iter_mut().zip(names) {
                if let Some(renamed) = re.replace_first(&n, to) {
                    f.display_name = Some(renamed);
                }
            }
            frame
        })
        .collect()
}

/// Grafana's `ensureColumns`: several frames that all have a time field are joined on it.
pub(super) fn ensure_columns(frames: Vec<Frame>) -> Vec<Frame> {
    if frames.len() > 1
        && frames
            .iter()
            .all(|f| f.fields.iter().any(|x| x.kind == FieldKind::Time))
    {
        join_by_field(frames, &Value::Null)
    } else {
        frames
    }
}
