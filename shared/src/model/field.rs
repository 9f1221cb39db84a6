//! A field's settings as a dashboard writes them (`fieldConfig.defaults` and the overrides'
//! properties): unit, decimals, range, thresholds, value mappings, colour, `noValue`, links,
//! and the defaults Grafana's panel plugins fill in. How they show a value is
//! [`crate::display`]'s.

use super::{as_f64, as_string, as_u32, non_empty};
use serde_json::Value;

/// One step of a threshold scale: from `value` up (the first step's value is minus infinity).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ThresholdStep {
    pub color: String,
    pub value: Option<f64>,
}

/// `fieldConfig.defaults`: what applies to every field of a panel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldDefaults {
    pub unit: Option<String>,
    pub decimals: Option<usize>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Threshold steps in the order written; the first is the base, which every value is in
    /// (Grafana reads them in this order, see [`crate::display`]).
    pub thresholds: Vec<ThresholdStep>,
    /// `thresholds.mode` is `percentage`.
    pub thresholds_percentage: bool,
    /// `custom`: options of the panel type (table cell display, widths, ...), kept as JSON.
    pub custom: Value,
    /// `noValue`: the text shown for a missing value instead of "No data".
    pub no_value: Option<String>,
    /// `mappings`, in the order they are tried ([`crate::display::mappings`], which applies them).
    pub mappings: Vec<ValueMapping>,
    /// `nullValueMode: "null as zero"`: missing values are zeros ([`crate::display::field::nulls_as_zero`]).
    pub null_as_zero: bool,
    /// `links`: data links of every field (kept as JSON; read by [`crate::display::field::FieldConfig::links`]).
    pub links: Value,
    /// `color`: how values and series are coloured; `None` colours by thresholds.
    pub color: Option<FieldColor>,
}

/// Which fields a `fieldConfig.overrides` entry applies to (`matcher`).
#[derive(Debug, Clone, PartialEq)]
pub enum FieldMatcher {
    /// `byName`: the field's name or display name.
    ByName(String),
    /// `byRegexp`: a JavaScript-style regex (`/.*out.*/i` or bare) searched in the name.
    ByRegexp(String),
    /// `byFrameRefID`: the fields of one query.
    ByFrameRefId(String),
    /// `byType`: `number`, `string`, `time`.
    ByType(String),
    /// A matcher kubeglass does not know: it matches nothing.
    Unknown(String),
}

/// One `fieldConfig.overrides` entry: properties (`unit`, `custom.width`, ...) set on the
/// fields its matcher picks. Property values are kept as JSON; [`crate::display::field`] reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldOverride {
    pub matcher: FieldMatcher,
    pub properties: Vec<(String, Value)>,
}

/// A field's `color` setting as written: its mode's id ([`crate::display::colors::ColorMode`]
/// reads it), `fixedColor` and `seriesBy`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldColor {
    pub mode: String,
    /// `fixedColor`, for the fixed and shades modes.
    pub fixed: Option<String>,
    /// `seriesBy` (`last`, `min`, `max`): which value colours a series by value.
    pub series_by: Option<String>,
}

impl FieldColor {
    /// Reads a `color` object. Without a `mode` Grafana drops the setting (`None`).
    pub fn parse(v: &Value) -> Option<FieldColor> {
        let mode = v
            .get("mode")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())?;
        Some(FieldColor {
            mode: mode.to_string(),
            fixed: v
                .get("fixedColor")
                .and_then(Value::as_str)
                .map(str::to_string),
            series_by: v
                .get("seriesBy")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    /// A fixed colour setting (`mode: fixed`).
    pub fn fixed(color: &str) -> FieldColor {
        FieldColor {
            mode: "fixed".into(),
            fixed: Some(color.to_string()),
            series_by: None,
        }
    }
}

/// Which values a mapping matches.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchOn {
    /// `type: value`: the value written as text equals this (`"1"`, `"up"`).
    Value(String),
    /// `type: range`: a number in `from..=to` (an absent end is open).
    Range { from: Option<f64>, to: Option<f64> },
    /// `type: regex`: a text value the pattern finds a match in; `$1` in the text is the
    /// first capture group.
    Regex(String),
    /// `type: special`.
    Special(Special),
}

/// The `match` of a `special` mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Null,
    NaN,
    NullAndNaN,
    True,
    False,
    Empty,
}

/// One mapping: what it matches, and what it shows instead.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueMapping {
    pub on: MatchOn,
    pub text: Option<String>,
    /// A colour name or CSS colour, as thresholds have.
    pub color: Option<String>,
}

/// How many mappings a field keeps; a dashboard with more is cut here.
pub const MAX_MAPPINGS: usize = 500;

fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::String(s) => s.trim().parse().ok(),
        v => v.as_f64(),
    }
}

fn result(r: Option<&Value>) -> (Option<String>, Option<String>) {
    let Some(r) = r else {
        return (None, None);
    };
    (text_of(r.get("text")), text_of(r.get("color")))
}

/// Reads a `mappings` array: the current form (`{type, options}`) and the one before
/// schema 28 (`{type: 1, value, text}` and `{type: 2, from, to, text}`), in the order written
/// (Grafana tries them so; their `index` only orders the editor's list). Entries kubeglass
/// does not know are skipped.
pub fn parse_mappings(v: Option<&Value>) -> Vec<ValueMapping> {
    let mut out: Vec<ValueMapping> = Vec::new();
    for m in v
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_MAPPINGS)
    {
        let options = m.get("options");
        let opt = |k: &str| options.and_then(|o| o.get(k));
        let mut push = |on: MatchOn, r: Option<&Value>| {
            let (text, color) = result(r);
            out.push(ValueMapping { on, text, color });
        };
        match m.get("type") {
            Some(Value::String(t)) => match t.as_str() {
                "value" => {
                    if let Some(map) = options.and_then(Value::as_object) {
                        for (value, r) in map {
                            push(MatchOn::Value(value.clone()), Some(r));
                        }
                    }
                }
                "range" => push(
                    MatchOn::Range {
                        from: number(opt("from")),
                        to: number(opt("to")),
                    },
                    opt("result"),
                ),
                "regex" => {
                    if let Some(p) = opt("pattern").and_then(Value::as_str) {
                        push(MatchOn::Regex(p.to_string()), opt("result"));
                    }
                }
                "special" => {
                    let special = match opt("match").and_then(Value::as_str) {
                        Some("null") => Special::Null,
                        Some("nan") => Special::NaN,
                        Some("null+nan") => Special::NullAndNaN,
                        Some("true") => Special::True,
                        Some("false") => Special::False,
                        Some("empty") => Special::Empty,
                        _ => continue,
                    };
                    push(MatchOn::Special(special), opt("result"));
                }
                _ => {}
            },
            // The form before schema 28: 1 is a value map, 2 a range map.
            Some(Value::Number(n)) => {
                let text = text_of(m.get("text"));
                let on = match n.as_i64() {
                    Some(1) => match text_of(m.get("value")) {
                        Some(v) if v == "null" => MatchOn::Special(Special::Null),
                        Some(v) => MatchOn::Value(v),
                        None => continue,
                    },
                    Some(2) => MatchOn::Range {
                        from: number(m.get("from")),
                        to: number(m.get("to")),
                    },
                    _ => continue,
                };
                out.push(ValueMapping {
                    on,
                    text,
                    color: None,
                });
            }
            _ => {}
        }
    }
    out
}

/// Reads a `thresholds` object: its steps in the order written (a step without a colour has
/// none, and shows grey) and whether its mode is `percentage`. `None` when it is not an object.
pub fn read_thresholds(v: &Value) -> Option<(Vec<ThresholdStep>, bool)> {
    v.as_object()?;
    let steps = v
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| ThresholdStep {
            color: as_string(s.get("color")).unwrap_or_default(),
            value: as_f64(s.get("value")),
        })
        .collect();
    Some((
        steps,
        as_string(v.get("mode")).as_deref() == Some("percentage"),
    ))
}

/// The thresholds a panel has when its field config sets none, as Grafana's: green, and red
/// from 80.
pub fn default_thresholds() -> Vec<ThresholdStep> {
    vec![
        ThresholdStep {
            color: "green".into(),
            value: None,
        },
        ThresholdStep {
            color: "red".into(),
            value: Some(80.0),
        },
    ]
}

/// The panel types whose values take series colours unless their field config says otherwise
/// (Grafana's plugins default them to `palette-classic`); the others colour by thresholds.
fn colours_by_series(kind: &str) -> bool {
    matches!(
        kind,
        "timeseries"
            | "graph"
            | "barchart"
            | "piechart"
            | "histogram"
            | "trend"
            | "xychart"
            | "candlestick"
    )
}

/// A panel's `fieldConfig.defaults` with what Grafana's panel plugins fill in where it says
/// nothing: the default thresholds, and series colours for the panel types that use them.
pub(super) fn read_panel_defaults(kind: &str, v: Option<&Value>) -> FieldDefaults {
    let mut d = read_field_defaults(v);
    if v.and_then(|v| v.get("thresholds")).is_none() {
        d.thresholds = default_thresholds();
        d.thresholds_percentage = false;
    }
    if d.color.is_none() && colours_by_series(kind) {
        d.color = FieldColor::parse(&serde_json::json!({"mode": "palette-classic"}));
    }
    d
}

/// Reads a `fieldConfig.defaults` object as it is written (see [`read_panel`] for the panel
/// plugins' defaults).
pub fn read_field_defaults(v: Option<&Value>) -> FieldDefaults {
    let Some(d) = v else {
        return FieldDefaults::default();
    };
    let (thresholds, thresholds_percentage) = d
        .get("thresholds")
        .and_then(read_thresholds)
        .unwrap_or_default();
    FieldDefaults {
        unit: non_empty(as_string(d.get("unit"))),
        decimals: as_u32(d.get("decimals")).map(|n| n.min(20) as usize),
        min: as_f64(d.get("min")),
        max: as_f64(d.get("max")),
        thresholds,
        thresholds_percentage,
        custom: d.get("custom").cloned().unwrap_or(Value::Null),
        no_value: as_string(d.get("noValue")).filter(|t| !t.is_empty()),
        mappings: parse_mappings(d.get("mappings")),
        null_as_zero: as_string(d.get("nullValueMode")).as_deref() == Some("null as zero"),
        links: d.get("links").cloned().unwrap_or(Value::Null),
        color: d.get("color").and_then(FieldColor::parse),
    }
}

pub(super) fn read_overrides(v: Option<&Value>) -> Vec<FieldOverride> {
    let Some(list) = v.and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .map(|o| {
            let id = as_string(o.pointer("/matcher/id")).unwrap_or_default();
            let options = as_string(o.pointer("/matcher/options")).unwrap_or_default();
            let matcher = match id.as_str() {
                "byName" => FieldMatcher::ByName(options),
                "byRegexp" => FieldMatcher::ByRegexp(options),
                "byFrameRefID" => FieldMatcher::ByFrameRefId(options),
                "byType" => FieldMatcher::ByType(options),
                _ => FieldMatcher::Unknown(id),
            };
            let properties = o
                .get("properties")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| Some((as_string(p.get("id"))?, p.get("value")?.clone())))
                .collect();
            FieldOverride {
                matcher,
                properties,
            }
        })
        .collect()
}
