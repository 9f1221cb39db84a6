//! Grafana's transformations (`panel.transformations`), applied to data frames as Grafana's
//! `@grafana/data` transformers do, in the order the panel lists them.
//!
//! A panel's Prometheus answers become one frame per query, shaped like Grafana's
//! `format: table` result: a `Time` field, a string field per label (sorted by name) and a
//! number field `Value` (`Value #REF` when the panel runs several queries), one row per series
//! holding its last non-null sample — the rows a table panel shows for an instant query.
//!
//! Fields are matched by their display name, computed as Grafana's `getFieldDisplayName`
//! does: a name set by `organize`/`renameByRegex` wins; otherwise the field name, with a
//! ` N` suffix when several fields of a frame share it (`Time 1`, `Time 2` after a join).
//!
//! Transformations kubeglass does not know, and options it cannot honour, are returned as a
//! list of what was skipped: never silently ignored.

use crate::display::field::grafana_regex;
use crate::data::frame::Series;
use crate::data::reduce::{self as reducers, Reducer};
use crate::model::{Target, Transformation};
use crate::js::regex::Regex;
use crate::data::table::{compare_cells, Cell, Column, ColumnKind, Table};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

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

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Time,
    String,
    Number,
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
    fn new(name: impl Into<String>, kind: FieldKind, ref_id: &str, values: Vec<Cell>) -> Field {
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
    fn display_names_with(&self, single: Option<&str>) -> Vec<String> {
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
    fn find(&self, name: &str) -> Option<usize> {
        let names = self.display_names();
        names
            .iter()
            .position(|n| n == name)
            .or_else(|| self.fields.iter().position(|f| f.name == name))
    }

    fn row(&self, i: usize) -> Vec<Cell> {
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
fn single_label_name(fields: &[Field]) -> Option<String> {
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

fn str_map<'a>(options: &'a Value, key: &str) -> Option<&'a serde_json::Map<String, Value>> {
    options.get(key).and_then(Value::as_object)
}

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

/// A key that compares cells as JavaScript's `===` does for the values a frame holds.
fn cell_key(c: &Cell) -> String {
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

fn number_of(c: &Cell) -> Option<f64> {
    match c {
        Cell::Number(v) => Some(*v),
        Cell::Time(t) => Some(*t as f64),
        _ => None,
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
        Some(Reducer::AllIsNull | Reducer::AllIsZero | Reducer::AllValues | Reducer::UniqueValues) => {
            FieldKind::String
        }
        _ => FieldKind::Number,
    }
}

fn names_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
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
                        reduce_cells(&calc, &group_values)
                            .unwrap_or(Cell::Empty)
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

/// A pattern as Grafana's `stringToJsRegex` reads it: `/body/flags`, or a bare pattern that
/// must match the whole text.
fn js_regex(pattern: &str) -> Option<Regex> {
    if pattern.starts_with('/') {
        grafana_regex(pattern)
    } else {
        Regex::new(&format!("^{pattern}$"), "").ok()
    }
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
            .and_then(js_regex);
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
            .and_then(js_regex),
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
fn ensure_columns(frames: Vec<Frame>) -> Vec<Frame> {
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
        .flat_map(|f| f.display_names().into_iter().chain(f.fields.iter().map(|x| x.name.clone())))
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

/// Grafana's query ids in order: `A`..`Z`, then `AA`, `AB`, ...
fn ref_id_of(mut n: usize) -> String {
    let mut id = Vec::new();
    loop {
        id.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    id.reverse();
    String::from_utf8(id).unwrap_or_default()
}

/// Gives each target without a `refId` the first free one (`A`, `B`, ...), as Grafana does when
/// it loads a panel (`PanelModel.ensureQueryIds`). kube-prometheus' tables leave them out and
/// name their columns `Value #A`, `Value #B` all the same, so the model needs them.
pub fn ensure_ref_ids(targets: &mut [Target]) {
    for i in 0..targets.len() {
        if !targets[i].ref_id.is_empty() {
            continue;
        }
        let free = (0..)
            .map(ref_id_of)
            .find(|id| targets.iter().all(|t| t.ref_id != *id))
            .unwrap_or_default();
        targets[i].ref_id = free;
    }
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
    fn missing_ref_ids_are_given_as_grafana_does() {
        let mut targets: Vec<Target> = ["", "B", "", ""]
            .iter()
            .map(|r| Target {
                ref_id: r.to_string(),
                ..Target::default()
            })
            .collect();
        ensure_ref_ids(&mut targets);
        let ids: Vec<&str> = targets.iter().map(|t| t.ref_id.as_str()).collect();
        assert_eq!(ids, ["A", "B", "C", "D"]);
        assert_eq!(ref_id_of(25), "Z");
        assert_eq!(ref_id_of(26), "AA");
        assert_eq!(ref_id_of(27), "AB");
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
