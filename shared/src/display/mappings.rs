//! Value mappings (`fieldConfig.defaults.mappings` and the `mappings` override property), as
//! Grafana's `getValueMappingResult` applies them: tried in the order written, the first that
//! matches wins. [`crate::display`] shows its text and colour in place of the formatted value
//! and the threshold colour.

use serde_json::Value;

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

/// A value as a mapping sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input<'a> {
    /// No value (a null, a missing point, an empty cell).
    Null,
    Number(f64),
    Text(&'a str),
}

/// What a matched mapping shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapped {
    pub text: Option<String>,
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

fn regex_result(pattern: &str, text: &str, replacement: Option<&str>) -> Option<Mapped> {
    let re = crate::display::field::grafana_regex(pattern)?;
    if !re.is_match(text) {
        return None;
    }
    // As Grafana: the text with the match (every match, for a `g` regex) replaced by the
    // result's text, `$1` expanded.
    let text = replacement.map(|r| re.replace(text, r).unwrap_or_else(|| text.to_string()));
    Some(Mapped { text, color: None })
}

/// The first mapping that matches `input`, as Grafana's `getValueMappingResult`.
pub fn map_value(mappings: &[ValueMapping], input: Input<'_>) -> Option<Mapped> {
    for m in mappings {
        let hit = |m: &ValueMapping| Mapped {
            text: m.text.clone(),
            color: m.color.clone(),
        };
        match (&m.on, input) {
            (_, Input::Null) => {
                if matches!(
                    m.on,
                    MatchOn::Special(Special::Null) | MatchOn::Special(Special::NullAndNaN)
                ) {
                    return Some(hit(m));
                }
            }
            (MatchOn::Value(v), Input::Number(n)) => {
                if *v == crate::display::units::js_number(n) {
                    return Some(hit(m));
                }
            }
            (MatchOn::Value(v), Input::Text(t)) => {
                if v == t {
                    return Some(hit(m));
                }
            }
            (MatchOn::Range { from, to }, _) => {
                // As JavaScript's `parseFloat`: a text's leading number counts.
                let n = match input {
                    Input::Number(n) => n,
                    Input::Text(t) => crate::display::js_parse_float(t),
                    Input::Null => f64::NAN,
                };
                if !n.is_nan()
                    && n >= from.unwrap_or(f64::NEG_INFINITY)
                    && n <= to.unwrap_or(f64::INFINITY)
                {
                    return Some(hit(m));
                }
            }
            (MatchOn::Regex(p), Input::Text(t)) => {
                if let Some(mut r) = regex_result(p, t, m.text.as_deref()) {
                    r.color = m.color.clone();
                    return Some(r);
                }
            }
            (MatchOn::Regex(_), Input::Number(_)) => {}
            (MatchOn::Special(s), Input::Number(n)) => {
                if n.is_nan() && matches!(s, Special::NaN | Special::NullAndNaN) {
                    return Some(hit(m));
                }
            }
            (MatchOn::Special(s), Input::Text(t)) => {
                let matched = match s {
                    Special::True => t == "true",
                    Special::False => t == "false",
                    Special::Empty => t.is_empty(),
                    _ => false,
                };
                if matched {
                    return Some(hit(m));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::field::FieldType;
    use crate::display::{Processor, Shown};
    use crate::model::FieldDefaults;
    use serde_json::json;

    fn defaults(mappings: Value) -> FieldDefaults {
        FieldDefaults {
            mappings: parse_mappings(Some(&mappings)),
            ..FieldDefaults::default()
        }
    }

    fn show(d: &FieldDefaults, v: Input<'_>) -> Shown {
        Processor::new(d, FieldType::Number, None, 0, "A").show(v)
    }

    fn text(d: &FieldDefaults, v: Input<'_>) -> String {
        show(d, v).to_string()
    }

    #[test]
    fn value_mappings_replace_text_and_colour() {
        // Grafana docs, "Configure value mappings": value 1 shows "Up" in green, 0 "Down" in red.
        let d = defaults(json!([{"type": "value", "options": {
            "1": {"text": "Up", "color": "green", "index": 0},
            "0": {"text": "Down", "color": "red", "index": 1}}}]));
        let up = show(&d, Input::Number(1.0));
        assert_eq!((up.text.as_str(), up.color.as_str()), ("Up", "#73BF69"));
        let down = show(&d, Input::Number(0.0));
        assert_eq!(
            (down.text.as_str(), down.color.as_str()),
            ("Down", "#F2495C")
        );
        // Not mapped: formatted as usual.
        assert_eq!(text(&d, Input::Number(2.0)), "2");
        assert_eq!(text(&d, Input::Text("1")), "Up", "text cells map too");
    }

    #[test]
    fn a_mapping_with_only_a_colour_keeps_the_formatted_text() {
        let mut d = defaults(json!([{"type": "range", "options": {"from": 80, "to": null,
            "result": {"color": "red", "index": 0}}}]));
        d.unit = Some("percent".into());
        let v = show(&d, Input::Number(95.0));
        assert_eq!(
            (v.to_string().as_str(), v.color.as_str()),
            ("95%", "#F2495C")
        );
    }

    #[test]
    fn ranges_include_both_ends_and_may_be_open() {
        let d = defaults(json!([
            {"type": "range", "options": {"from": 0, "to": 10, "result": {"text": "low", "index": 0}}},
            {"type": "range", "options": {"from": 10, "to": 20, "result": {"text": "mid", "index": 1}}},
            {"type": "range", "options": {"from": null, "to": -1, "result": {"text": "negative", "index": 2}}}]));
        assert_eq!(text(&d, Input::Number(0.0)), "low");
        assert_eq!(text(&d, Input::Number(10.0)), "low", "the first match wins");
        assert_eq!(text(&d, Input::Number(15.5)), "mid");
        assert_eq!(text(&d, Input::Number(-50.0)), "negative");
        assert_eq!(text(&d, Input::Number(25.0)), "25");
        assert_eq!(text(&d, Input::Text("5")), "low", "numeric text is parsed");
        assert_eq!(
            text(&d, Input::Text("12abc")),
            "mid",
            "as parseFloat reads it"
        );
    }

    #[test]
    fn the_written_order_wins_over_index() {
        // Grafana tries mappings in array order; `index` only orders its editor.
        let d = defaults(json!([
            {"type": "range", "options": {"from": 0, "to": 100, "result": {"text": "range", "index": 1}}},
            {"type": "value", "options": {"5": {"text": "five", "index": 0}}}]));
        assert_eq!(text(&d, Input::Number(5.0)), "range");
    }

    #[test]
    fn regex_mappings_match_text_and_expand_groups() {
        // Grafana docs: a regex mapping's display text may use capture groups ($1).
        let d = defaults(
            json!([{"type": "regex", "options": {"pattern": "(.*)\\.example\\.com",
            "result": {"text": "$1", "color": "purple", "index": 0}}}]),
        );
        let v = show(&d, Input::Text("web-1.example.com"));
        assert_eq!((v.text.as_str(), v.color.as_str()), ("web-1", "#B877D9"));
        assert_eq!(text(&d, Input::Text("localhost")), "localhost");
        assert_eq!(text(&d, Input::Number(3.0)), "3", "regexes match text only");
        let d = defaults(json!([{"type": "regex", "options": {"pattern": "/^ERR/i",
            "result": {"text": "failed", "index": 0}}}]));
        assert_eq!(text(&d, Input::Text("err: disk")), "failed: disk");
    }

    #[test]
    fn special_values() {
        let d = defaults(json!([
            {"type": "special", "options": {"match": "null", "result": {"text": "N/A", "color": "gray", "index": 0}}},
            {"type": "special", "options": {"match": "nan", "result": {"text": "not a number", "index": 1}}},
            {"type": "special", "options": {"match": "true", "result": {"text": "yes", "index": 2}}},
            {"type": "special", "options": {"match": "false", "result": {"text": "no", "index": 3}}},
            {"type": "special", "options": {"match": "empty", "result": {"text": "(empty)", "index": 4}}}]));
        let null = show(&d, Input::Null);
        assert_eq!(
            (null.text.as_str(), null.color.as_str()),
            ("N/A", "#808080")
        );
        assert_eq!(text(&d, Input::Number(f64::NAN)), "not a number");
        assert_eq!(text(&d, Input::Text("true")), "yes");
        assert_eq!(text(&d, Input::Text("false")), "no");
        assert_eq!(text(&d, Input::Text("")), "(empty)");
        let both = defaults(json!([{"type": "special", "options": {"match": "null+nan",
            "result": {"text": "-", "index": 0}}}]));
        assert_eq!(text(&both, Input::Null), "-");
        assert_eq!(text(&both, Input::Number(f64::NAN)), "-");
        assert_eq!(text(&both, Input::Number(1.0)), "1");
    }

    #[test]
    fn no_value_shows_for_what_has_no_text() {
        let mut d = FieldDefaults::default();
        assert_eq!(text(&d, Input::Null), "");
        d.no_value = Some("0".into());
        assert_eq!(text(&d, Input::Null), "0");
        assert_eq!(text(&d, Input::Text("")), "0");
        assert_eq!(text(&d, Input::Number(f64::NAN)), "NaN", "NaN has a text");
        assert_eq!(text(&d, Input::Number(3.0)), "3");
    }

    #[test]
    fn legacy_mappings_are_read() {
        let d = defaults(json!([
            {"id": 0, "op": "=", "type": 1, "value": "null", "text": "N/A"},
            {"id": 1, "op": "=", "type": 1, "value": "1", "text": "on"},
            {"id": 2, "type": 2, "from": "2", "to": "9", "text": "some"}]));
        assert_eq!(text(&d, Input::Null), "N/A");
        assert_eq!(text(&d, Input::Number(1.0)), "on");
        assert_eq!(text(&d, Input::Number(4.0)), "some");
    }
}
