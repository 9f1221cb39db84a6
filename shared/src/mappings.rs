//! Value mappings (`fieldConfig.defaults.mappings` and the `mappings` override property) and
//! `noValue`: the text and colour a value is shown with in stat, gauge, bar gauge and table
//! cells, as Grafana's display processor computes them.
//!
//! The mappings are tried in order; the first that matches wins. Its text (when set) replaces
//! the formatted value and its colour (when set) replaces the threshold colour. A value that
//! is missing and not mapped shows `noValue`, else "No data".

use crate::model::FieldDefaults;
use crate::units::format_value;
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

fn result(r: Option<&Value>) -> (Option<String>, Option<String>, f64) {
    let Some(r) = r else {
        return (None, None, 0.0);
    };
    (
        text_of(r.get("text")),
        text_of(r.get("color")).filter(|c| !c.is_empty()),
        number(r.get("index")).unwrap_or(0.0),
    )
}

/// Reads a `mappings` array: the current form (`{type, options}`) and the one before
/// schema 28 (`{type: 1, value, text}` and `{type: 2, from, to, text}`). Entries kubeglass
/// does not know are skipped.
pub fn parse_mappings(v: Option<&Value>) -> Vec<ValueMapping> {
    let mut out: Vec<(f64, ValueMapping)> = Vec::new();
    for (i, m) in v
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_MAPPINGS)
        .enumerate()
    {
        let options = m.get("options");
        let opt = |k: &str| options.and_then(|o| o.get(k));
        let mut push = |on: MatchOn, r: Option<&Value>| {
            let (text, color, index) = result(r);
            out.push((index, ValueMapping { on, text, color }));
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
                out.push((
                    i as f64,
                    ValueMapping {
                        on,
                        text,
                        color: None,
                    },
                ));
            }
            _ => {}
        }
    }
    // Grafana keeps mappings in the order of their `index`; the sort is stable, so entries
    // without one keep the order they are written in.
    crate::sort::sort_by(&mut out, |a, b| a.0.total_cmp(&b.0));
    out.into_iter().map(|(_, m)| m).collect()
}

/// JavaScript's `String(number)` for the numbers dashboards map: integers without a
/// fraction, others as Rust writes them (the shortest round-trip form, as JavaScript does).
fn js_number_text(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e21 {
        format!("{}", v as i128)
    } else {
        format!("{v}")
    }
}

fn regex_result(pattern: &str, text: &str, replacement: Option<&str>) -> Option<Mapped> {
    let re = crate::field::grafana_regex(pattern)?;
    let caps = re.captures(text)?;
    // As Grafana: the text with the match replaced by the result text, `$1` expanded.
    let text = replacement.map(|r| {
        format!(
            "{}{}{}",
            &text[..caps.start],
            caps.expand(r),
            &text[caps.end..]
        )
    });
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
                if *v == js_number_text(n) {
                    return Some(hit(m));
                }
            }
            (MatchOn::Value(v), Input::Text(t)) => {
                if v == t {
                    return Some(hit(m));
                }
            }
            (MatchOn::Range { from, to }, _) => {
                let n = match input {
                    Input::Number(n) => n,
                    Input::Text(t) => t.trim().parse().unwrap_or(f64::NAN),
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

/// A value as a stat, gauge, bar gauge or table cell shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Display {
    pub text: String,
    /// The mapping's colour, else the threshold colour; `None` for a missing value that no
    /// mapping colours.
    pub color: Option<String>,
}

impl FieldDefaults {
    /// The text of a missing value: `noValue`, else "No data".
    pub fn no_value_text(&self) -> String {
        self.no_value
            .clone()
            .unwrap_or_else(|| "No data".to_string())
    }
}

/// How the number `value` (`None`: missing) is shown with `d`'s unit, decimals, mappings and
/// `noValue`; `threshold` gives the threshold colour of a number.
pub fn display_number(
    d: &FieldDefaults,
    value: Option<f64>,
    threshold: impl Fn(f64) -> Option<String>,
) -> Display {
    let input = value.map_or(Input::Null, Input::Number);
    let mapped = map_value(&d.mappings, input).unwrap_or_default();
    let number = value.filter(|v| !v.is_nan());
    let text = mapped
        .text
        .filter(|t| !t.is_empty())
        .or_else(|| number.map(|v| format_value(v, d.unit.as_deref(), d.decimals).to_string()))
        .unwrap_or_else(|| d.no_value_text());
    let color = mapped.color.or_else(|| number.and_then(threshold));
    Display { text, color }
}

/// How the text `value` of a table cell is shown: a mapping's text and colour, else the text
/// itself (an empty one shows `noValue` when it is set).
pub fn display_text(d: &FieldDefaults, value: &str) -> Display {
    let mapped = map_value(&d.mappings, Input::Text(value)).unwrap_or_default();
    let text = mapped.text.filter(|t| !t.is_empty()).unwrap_or_else(|| {
        if value.is_empty() {
            d.no_value.clone().unwrap_or_default()
        } else {
            value.to_string()
        }
    });
    Display {
        text,
        color: mapped.color,
    }
}

/// How an empty table cell is shown: its `null` mapping, else `noValue`, else blank.
pub fn display_empty(d: &FieldDefaults) -> Display {
    let mapped = map_value(&d.mappings, Input::Null).unwrap_or_default();
    Display {
        text: mapped
            .text
            .filter(|t| !t.is_empty())
            .or_else(|| d.no_value.clone())
            .unwrap_or_default(),
        color: mapped.color,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defaults(mappings: Value) -> FieldDefaults {
        FieldDefaults {
            mappings: parse_mappings(Some(&mappings)),
            ..FieldDefaults::default()
        }
    }

    fn green(_: f64) -> Option<String> {
        Some("green".into())
    }

    #[test]
    fn value_mappings_replace_text_and_colour() {
        // Grafana docs, "Configure value mappings": value 1 shows "Up" in green, 0 "Down" in red.
        let d = defaults(json!([{"type": "value", "options": {
            "1": {"text": "Up", "color": "green", "index": 0},
            "0": {"text": "Down", "color": "red", "index": 1}}}]));
        assert_eq!(
            display_number(&d, Some(1.0), |_| Some("blue".into())),
            Display {
                text: "Up".into(),
                color: Some("green".into())
            }
        );
        assert_eq!(display_number(&d, Some(0.0), green).text, "Down");
        assert_eq!(
            display_number(&d, Some(0.0), green).color.as_deref(),
            Some("red")
        );
        // Not mapped: formatted as usual, threshold colour.
        let other = display_number(&d, Some(2.0), |_| Some("blue".into()));
        assert_eq!(
            (other.text.as_str(), other.color.as_deref()),
            ("2", Some("blue"))
        );
        assert_eq!(display_text(&d, "1").text, "Up", "text cells map too");
    }

    #[test]
    fn a_mapping_with_only_a_colour_keeps_the_formatted_text() {
        let mut d = defaults(json!([{"type": "range", "options": {"from": 80, "to": null,
            "result": {"color": "red", "index": 0}}}]));
        d.unit = Some("percent".into());
        let v = display_number(&d, Some(95.0), green);
        assert_eq!((v.text.as_str(), v.color.as_deref()), ("95%", Some("red")));
        let v = display_number(&d, Some(50.0), green);
        assert_eq!(v.color.as_deref(), Some("green"));
    }

    #[test]
    fn ranges_include_both_ends_and_may_be_open() {
        let d = defaults(json!([
            {"type": "range", "options": {"from": 0, "to": 10, "result": {"text": "low", "index": 0}}},
            {"type": "range", "options": {"from": 10, "to": 20, "result": {"text": "mid", "index": 1}}},
            {"type": "range", "options": {"from": null, "to": -1, "result": {"text": "negative", "index": 2}}}]));
        assert_eq!(display_number(&d, Some(0.0), green).text, "low");
        assert_eq!(
            display_number(&d, Some(10.0), green).text,
            "low",
            "the first match wins"
        );
        assert_eq!(display_number(&d, Some(15.5), green).text, "mid");
        assert_eq!(display_number(&d, Some(-50.0), green).text, "negative");
        assert_eq!(display_number(&d, Some(25.0), green).text, "25");
        assert_eq!(display_text(&d, "5").text, "low", "numeric text is parsed");
    }

    #[test]
    fn index_orders_mappings() {
        let d = defaults(json!([
            {"type": "range", "options": {"from": 0, "to": 100, "result": {"text": "range", "index": 1}}},
            {"type": "value", "options": {"5": {"text": "five", "index": 0}}}]));
        assert_eq!(display_number(&d, Some(5.0), green).text, "five");
        assert_eq!(display_number(&d, Some(6.0), green).text, "range");
    }

    #[test]
    fn regex_mappings_match_text_and_expand_groups() {
        // Grafana docs: a regex mapping's display text may use capture groups ($1).
        let d = defaults(
            json!([{"type": "regex", "options": {"pattern": "(.*)\\.example\\.com",
            "result": {"text": "$1", "color": "purple", "index": 0}}}]),
        );
        let v = display_text(&d, "web-1.example.com");
        assert_eq!(
            (v.text.as_str(), v.color.as_deref()),
            ("web-1", Some("purple"))
        );
        assert_eq!(display_text(&d, "localhost").text, "localhost");
        assert_eq!(
            display_number(&d, Some(3.0), green).text,
            "3",
            "regexes match text only"
        );
        let d = defaults(json!([{"type": "regex", "options": {"pattern": "/^ERR/i",
            "result": {"text": "failed", "index": 0}}}]));
        assert_eq!(display_text(&d, "err: disk").text, "failed: disk");
    }

    #[test]
    fn special_values() {
        let d = defaults(json!([
            {"type": "special", "options": {"match": "null", "result": {"text": "N/A", "color": "gray", "index": 0}}},
            {"type": "special", "options": {"match": "nan", "result": {"text": "not a number", "index": 1}}},
            {"type": "special", "options": {"match": "true", "result": {"text": "yes", "index": 2}}},
            {"type": "special", "options": {"match": "false", "result": {"text": "no", "index": 3}}},
            {"type": "special", "options": {"match": "empty", "result": {"text": "(empty)", "index": 4}}}]));
        let null = display_number(&d, None, green);
        assert_eq!(
            (null.text.as_str(), null.color.as_deref()),
            ("N/A", Some("gray"))
        );
        assert_eq!(
            display_number(&d, Some(f64::NAN), green).text,
            "not a number"
        );
        assert_eq!(display_text(&d, "true").text, "yes");
        assert_eq!(display_text(&d, "false").text, "no");
        assert_eq!(display_text(&d, "").text, "(empty)");
        let both = defaults(json!([{"type": "special", "options": {"match": "null+nan",
            "result": {"text": "-", "index": 0}}}]));
        assert_eq!(display_number(&both, None, green).text, "-");
        assert_eq!(display_number(&both, Some(f64::NAN), green).text, "-");
        assert_eq!(display_number(&both, Some(1.0), green).text, "1");
    }

    #[test]
    fn no_value_replaces_no_data() {
        let mut d = FieldDefaults::default();
        assert_eq!(
            display_number(&d, None, green),
            Display {
                text: "No data".into(),
                color: None
            }
        );
        d.no_value = Some("0".into());
        assert_eq!(display_number(&d, None, green).text, "0");
        assert_eq!(display_number(&d, Some(f64::NAN), green).text, "0");
        assert_eq!(display_text(&d, "").text, "0");
        assert_eq!(display_empty(&d).text, "0");
        assert_eq!(display_number(&d, Some(3.0), green).text, "3");
        // An empty table cell stays blank unless a null mapping or `noValue` says otherwise.
        let mut d = defaults(json!([{"type": "value", "options": {"1": {"text": "on"}}}]));
        assert_eq!(display_empty(&d).text, "");
        d.mappings = parse_mappings(Some(&json!([{"type": "special",
            "options": {"match": "null", "result": {"text": "none", "color": "red"}}}])));
        assert_eq!(
            display_empty(&d),
            Display {
                text: "none".into(),
                color: Some("red".into())
            }
        );
    }

    #[test]
    fn legacy_mappings_are_read() {
        let d = defaults(json!([
            {"id": 0, "op": "=", "type": 1, "value": "null", "text": "N/A"},
            {"id": 1, "op": "=", "type": 1, "value": "1", "text": "on"},
            {"id": 2, "type": 2, "from": "2", "to": "9", "text": "some"}]));
        assert_eq!(display_number(&d, None, green).text, "N/A");
        assert_eq!(display_number(&d, Some(1.0), green).text, "on");
        assert_eq!(display_number(&d, Some(4.0), green).text, "some");
    }

    #[test]
    fn numbers_are_matched_as_javascript_writes_them() {
        assert_eq!(js_number_text(1.0), "1");
        assert_eq!(js_number_text(-3.0), "-3");
        assert_eq!(js_number_text(1.5), "1.5");
        assert_eq!(js_number_text(0.1), "0.1");
    }
}
