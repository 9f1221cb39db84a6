//! Value mappings (`fieldConfig.defaults.mappings` and the `mappings` override property), as
//! Grafana's `getValueMappingResult` applies them: tried in the order written, the first that
//! matches wins. [`crate::display`] shows its text and colour in place of the formatted value
//! and the threshold colour.

use crate::model::field::{MatchOn, Special, ValueMapping};

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

fn regex_result(pattern: &str, text: &str, replacement: Option<&str>) -> Option<Mapped> {
    let re = crate::js::regex::Regex::grafana(pattern)?;
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
    use crate::data::frame::FieldKind;
    use crate::display::{Processor, Shown};
    use crate::model::field::{parse_mappings, FieldDefaults};
    use serde_json::{json, Value};

    fn defaults(mappings: Value) -> FieldDefaults {
        FieldDefaults {
            mappings: parse_mappings(Some(&mappings)),
            ..FieldDefaults::default()
        }
    }

    fn show(d: &FieldDefaults, v: Input<'_>) -> Shown {
        Processor::new(d, FieldKind::Number, None, 0, "A").show(v)
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
