//! Grafana's display processor: the text, colour and percent of one value of a field, as stat,
//! gauge, bar gauge and table cells show it.
//!
//! In order: a value mapping that matches gives the text and colour it has; a number that no
//! mapping gave a text is formatted with the field's unit and decimals (a field without a unit
//! shows the plain number, `1000000`; a text field shows its text); a value that has no colour
//! yet takes its colour from the field's colour mode at its percent of the range (thresholds,
//! by default). Text values, nulls and NaN take the colour of the range's bottom, so the base
//! threshold colours them too. A value with no text shows `noValue`, else nothing.

pub mod colors;
pub mod field;
pub mod legend;
pub mod links;
pub mod mappings;
pub mod units;

use crate::data::frame::FieldKind;
use crate::display::colors::ColorMode;
use crate::display::mappings::{map_value, Input};
use crate::model::field::{FieldDefaults, ThresholdStep};

/// A value as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub text: String,
    /// Written before the text (a currency symbol).
    pub prefix: String,
    /// Written after the text (the unit: ` ms`, `%`, ` KiB`).
    pub suffix: String,
    /// The value as a number (NaN for text and nulls).
    pub numeric: f64,
    /// The colour, as CSS.
    pub color: String,
    /// Where the value lies in the range, 0 to 1 (beyond for values outside it); `None` when a
    /// mapping gave the colour.
    pub percent: Option<f64>,
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{}", self.prefix, self.text, self.suffix)
    }
}

/// The least and greatest of `values`, for [`Processor::new`]'s range (Grafana takes it over
/// every number field of a panel's data): NaN is left out; `None` when no number is left. As
/// Grafana's reducers, `+inf` cannot be the least nor `-inf` the greatest: a range with only
/// those ends at 0 on that side.
pub fn range_of(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    let mut any = false;
    let (mut lo, mut hi) = (f64::MAX, -f64::MAX);
    for v in values.into_iter().filter(|v| !v.is_nan()) {
        any = true;
        if v < lo {
            lo = v;
        }
        if v > hi {
            hi = v;
        }
    }
    let end = |v: f64, none: f64| if v == none { 0.0 } else { v };
    any.then(|| (end(lo, f64::MAX), end(hi, -f64::MAX)))
}

/// The date units, which format a time field's values as they are.
fn is_date_unit(unit: &str) -> bool {
    matches!(
        unit,
        "dateTimeAsIso"
            | "dateTimeAsIsoNoDateIfToday"
            | "dateTimeAsUS"
            | "dateTimeAsUSNoDateIfToday"
            | "dateTimeAsLocal"
            | "dateTimeAsLocalNoDateIfToday"
            | "dateTimeFromNow"
    ) || unit.starts_with("time:")
}

/// How one field's values are shown.
#[derive(Debug, Clone)]
pub struct Processor<'a> {
    d: &'a FieldDefaults,
    /// The unit values are formatted in (`string`: shown as they are).
    unit: String,
    kind: FieldKind,
    min: f64,
    max: f64,
    series: usize,
    name: &'a str,
}

impl<'a> Processor<'a> {
    /// The processor of a field with settings `d` holding values of `kind`. `range` is the
    /// least and greatest number of the data (see [`range_of`]); the field's `min` and `max`
    /// replace either end. `series` is the field's position among the panel's series and
    /// `name` its display name, which the palette colour modes colour by.
    pub fn new(
        d: &'a FieldDefaults,
        kind: FieldKind,
        range: Option<(f64, f64)>,
        series: usize,
        name: &'a str,
    ) -> Processor<'a> {
        let unit = match (kind, d.unit.as_deref()) {
            (FieldKind::Time, u) if !u.is_some_and(is_date_unit) => "dateTimeAsSystem".into(),
            (FieldKind::String, None) => "string".into(),
            (_, u) => u.unwrap_or("none").to_string(),
        };
        let (min, max) = if kind == FieldKind::Number {
            let (lo, hi) = range.unwrap_or((f64::NAN, f64::NAN));
            match (d.min, d.max) {
                // A min above the max is read the other way round, as Grafana does.
                (Some(a), Some(b)) if a > b => (b, a),
                (a, b) => (a.unwrap_or(lo), b.unwrap_or(hi)),
            }
        } else {
            (0.0, 100.0)
        };
        Processor {
            d,
            unit,
            kind,
            min,
            max,
            series,
            name,
        }
    }

    /// The field's settings.
    pub fn defaults(&self) -> &FieldDefaults {
        self.d
    }

    fn mode(&self) -> ColorMode {
        ColorMode::of(self.d.color.as_ref())
    }

    fn fixed(&self) -> Option<&str> {
        self.d.color.as_ref().and_then(|c| c.fixed.as_deref())
    }

    /// Percent of the range, the threshold step's colour, and the resulting colour of `value`
    /// (`-inf` for a value without a number: the bottom of the range).
    fn scale(&self, value: f64) -> (f64, String) {
        let percent = if value == f64::NEG_INFINITY {
            0.0
        } else {
            let p = (value - self.min) / (self.max - self.min);
            if p.is_nan() {
                0.0
            } else {
                p
            }
        };
        let threshold = active_threshold(
            &self.d.thresholds,
            if self.d.thresholds_percentage {
                percent * 100.0
            } else {
                value
            },
        );
        let threshold_color = threshold.unwrap_or(crate::display::colors::FALLBACK);
        (
            percent,
            self.mode().color(
                self.fixed(),
                percent,
                threshold_color,
                self.series,
                self.name,
            ),
        )
    }

    /// How `value` is shown.
    pub fn show(&self, value: Input<'_>) -> Shown {
        let numeric = match value {
            _ if self.unit == "string" => f64::NAN,
            Input::Number(n) => n,
            Input::Null | Input::Text("") => f64::NAN,
            Input::Text(t) => js_to_number(t),
        };
        let mut text = None;
        let mut color = None;
        if let Some(m) = map_value(&self.d.mappings, value) {
            text = m.text;
            color = m.color.map(|c| crate::display::colors::css_color(&c));
        }
        let (mut prefix, mut suffix) = (String::new(), String::new());
        let mut percent = None;
        if !numeric.is_nan() {
            if text.is_none() {
                let f =
                    crate::display::units::format_value(numeric, Some(&self.unit), self.d.decimals);
                text = Some(f.text);
                prefix = f.prefix;
                suffix = f.suffix;
            }
            if color.is_none() {
                let (p, c) = self.scale(numeric);
                percent = Some(p);
                color = Some(c);
            }
        }
        let text = text.unwrap_or_else(|| {
            let t = match value {
                Input::Null => String::new(),
                Input::Number(n) => crate::display::units::js_number(n),
                Input::Text(t) => t.to_string(),
            };
            if t.is_empty() {
                self.d.no_value.clone().unwrap_or_default()
            } else {
                t
            }
        });
        let color = match color {
            Some(c) if !c.is_empty() => c,
            _ => {
                let (p, c) = self.scale(f64::NEG_INFINITY);
                percent = Some(p);
                c
            }
        };
        Shown {
            text,
            prefix,
            suffix,
            numeric,
            color,
            percent,
        }
    }

    /// How the number `value` (`None`: missing) is shown.
    pub fn number(&self, value: Option<f64>) -> Shown {
        self.show(value.map_or(Input::Null, Input::Number))
    }

    /// The colour of a series as a whole (its line, its legend swatch) whose values are
    /// `values`: a colour mode that colours by value takes the colour of its last value (or of
    /// its least or greatest, as `seriesBy` says), the others go by the series' place.
    pub fn series_color(&self, values: &[f64]) -> String {
        let mode = self.mode();
        if mode.by_value() {
            let numbers = values.iter().copied().filter(|v| !v.is_nan());
            let series_by = self.d.color.as_ref().and_then(|c| c.series_by.as_deref());
            let v = match series_by {
                Some("min") => numbers.reduce(f64::min),
                Some("max") => numbers.reduce(f64::max),
                _ => values.last().copied(),
            };
            self.scale(v.unwrap_or(0.0)).1
        } else {
            mode.color(
                self.fixed(),
                0.0,
                crate::display::colors::FALLBACK,
                self.series,
                self.name,
            )
        }
    }

    /// Whether the field is coloured by thresholds (the default).
    pub fn by_thresholds(&self) -> bool {
        self.mode() == ColorMode::Thresholds
    }

    /// The kind of values the field holds.
    pub fn kind(&self) -> FieldKind {
        self.kind
    }
}

/// The colour of the step `value` falls in, as Grafana reads steps: from the first, each step
/// whose value is at most `value` replaces the one before, until one is greater. The first step
/// is the base and matches every value. `None` when there are no steps.
pub(crate) fn active_threshold(steps: &[ThresholdStep], value: f64) -> Option<&str> {
    let mut active = steps.first()?;
    for step in &steps[1..] {
        match step.value {
            Some(v) if value >= v => active = step,
            // A step without a value after the first is `null`, which compares as 0.
            None if value >= 0.0 => active = step,
            _ => break,
        }
    }
    Some(active.color.as_str())
}

impl FieldDefaults {
    /// What a panel with no value at all shows: `noValue`, else "No data".
    pub fn no_value_text(&self) -> String {
        self.no_value
            .clone()
            .unwrap_or_else(|| "No data".to_string())
    }
}

/// JavaScript's `parseFloat(text)`: the longest decimal number (or `Infinity`) the text starts
/// with after white space; NaN when it starts with none.
pub fn js_parse_float(text: &str) -> f64 {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let b = t.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if t[i..].starts_with("Infinity") {
        return if b.first() == Some(&b'-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int = i - start;
    let mut end = i;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if int + (i - f) > 0 {
            end = i;
        }
    }
    if int == 0 && end == start {
        return f64::NAN;
    }
    if end < b.len() && (b[end] == b'e' || b[end] == b'E') {
        let mut j = end + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let d = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > d {
            end = j;
        }
    }
    t[..end].parse::<f64>().unwrap_or(f64::NAN)
}

/// JavaScript's `Number(text)` as lodash's `toNumber` applies it: surrounding white space is
/// ignored, an empty text is 0, `0x`/`0b`/`0o` prefixes are read, `Infinity` is infinite, and
/// anything else that is not a decimal number is NaN.
pub fn js_to_number(text: &str) -> f64 {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.is_empty() {
        return 0.0;
    }
    let radix = |digits: &str, r: u32| {
        if digits.is_empty() {
            f64::NAN
        } else {
            digits
                .chars()
                .try_fold(0f64, |acc, c| {
                    c.to_digit(r).map(|d| acc * r as f64 + d as f64)
                })
                .unwrap_or(f64::NAN)
        }
    };
    let lower = t.to_ascii_lowercase();
    if let Some(d) = lower.strip_prefix("0x") {
        return radix(d, 16);
    }
    if let Some(d) = lower.strip_prefix("0b") {
        return radix(d, 2);
    }
    if let Some(d) = lower.strip_prefix("0o") {
        return radix(d, 8);
    }
    let (sign, body) = match t.as_bytes()[0] {
        b'-' => (-1.0, &t[1..]),
        b'+' => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    // A decimal literal: digits with at most one point (one side may be empty, not both), then
    // an optional exponent.
    let b = body.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let int = digits(&mut i);
    let mut frac = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac = digits(&mut i);
    }
    if int + frac == 0 {
        return f64::NAN;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return f64::NAN;
        }
    }
    if i != b.len() {
        return f64::NAN;
    }
    body.parse::<f64>().map_or(f64::NAN, |v| sign * v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::field::FieldColor;
    use serde_json::json;

    fn defaults(v: serde_json::Value) -> FieldDefaults {
        crate::model::field::read_field_defaults(Some(&v))
    }

    fn shown(d: &FieldDefaults, v: Input<'_>) -> (String, String) {
        let s = Processor::new(d, FieldKind::Number, Some((0.0, 100.0)), 0, "A").show(v);
        (s.to_string(), s.color)
    }

    #[test]
    fn without_a_unit_numbers_are_plain() {
        // Grafana: no unit shows 1000000, not "1 Mil"; three significant digits.
        let d = FieldDefaults::default();
        assert_eq!(shown(&d, Input::Number(1e6)).0, "1000000");
        assert_eq!(shown(&d, Input::Number(123.456789)).0, "123");
        assert_eq!(shown(&d, Input::Number(f64::NAN)).0, "NaN");
        assert_eq!(shown(&d, Input::Null).0, "");
        assert_eq!(
            shown(&d, Input::Number(1e6)).1,
            "#808080",
            "no thresholds: grey"
        );
    }

    #[test]
    fn text_and_nulls_take_the_base_colour() {
        let d = defaults(json!({"noValue": "nada", "thresholds": {"mode": "absolute",
            "steps": [{"value": null, "color": "green"}, {"value": 40, "color": "red"}]}}));
        assert_eq!(shown(&d, Input::Null), ("nada".into(), "#73BF69".into()));
        assert_eq!(
            shown(&d, Input::Text("txt")),
            ("txt".into(), "#73BF69".into())
        );
        assert_eq!(
            shown(&d, Input::Number(50.0)),
            ("50".into(), "#F2495C".into())
        );
        // A number written as text is a number.
        let p = Processor::new(&d, FieldKind::String, None, 0, "A");
        assert_eq!(p.show(Input::Text("50")).to_string(), "50");
    }

    #[test]
    fn percentage_thresholds_use_the_range() {
        let d = defaults(
            json!({"min": 0, "max": 200, "thresholds": {"mode": "percentage",
            "steps": [{"value": null, "color": "green"}, {"value": 20, "color": "red"}]}}),
        );
        let s = Processor::new(&d, FieldKind::Number, None, 0, "A").number(Some(50.0));
        assert_eq!((s.color.as_str(), s.percent), ("#F2495C", Some(0.25)));
    }

    #[test]
    fn mappings_apply_in_their_order() {
        let d = defaults(json!({"mappings": [
            {"type": "value", "options": {"5": {"text": "five", "index": 1}}},
            {"type": "range", "options": {"from": 0, "to": 10, "result": {"text": "range", "index": 0}}}]}));
        assert_eq!(shown(&d, Input::Number(5.0)).0, "five");
        assert_eq!(shown(&d, Input::Number(6.0)).0, "range");
        let d =
            defaults(json!({"mappings": [{"type": "value", "options": {"5": {"color": "blue"}}}]}));
        let s = Processor::new(&d, FieldKind::Number, None, 0, "A").number(Some(5.0));
        assert_eq!(
            (s.text.as_str(), s.color.as_str(), s.percent),
            ("5", "#5794F2", None)
        );
    }

    #[test]
    fn colour_modes() {
        let mut d = FieldDefaults {
            color: Some(FieldColor::fixed("purple")),
            ..FieldDefaults::default()
        };
        assert_eq!(shown(&d, Input::Number(5.0)).1, "#B877D9");
        d.color = FieldColor::parse(&json!({"mode": "continuous-GrYlRd"}));
        assert_eq!(shown(&d, Input::Number(50.0)).1, "rgb(226, 192, 61)");
        d.color = FieldColor::parse(&json!({"mode": "palette-classic"}));
        let p = Processor::new(&d, FieldKind::Number, None, 3, "A");
        assert_eq!(p.number(Some(1.0)).color, "#FF9830");
        assert_eq!(p.series_color(&[1.0]), "#FF9830");
        d.color = FieldColor::parse(&json!({"mode": "thresholds", "seriesBy": "max"}));
        d.thresholds = crate::model::field::default_thresholds();
        let p = Processor::new(&d, FieldKind::Number, None, 0, "A");
        assert_eq!(p.series_color(&[90.0, 10.0]), "#F2495C", "by the greatest");
        d.color = None;
        let p = Processor::new(&d, FieldKind::Number, None, 0, "A");
        assert_eq!(p.series_color(&[90.0, 10.0]), "#73BF69", "by the last");
    }

    #[test]
    fn numbers_in_text_as_javascript_reads_them() {
        for (t, v) in [
            ("12", 12.0),
            (" 1.5e3 ", 1500.0),
            ("", 0.0),
            ("0x1f", 31.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("-Infinity", f64::NEG_INFINITY),
            ("+3", 3.0),
        ] {
            assert_eq!(js_to_number(t), v, "{t:?}");
        }
        for t in ["12abc", "inf", "NaN", "1_000", "0x", "-0x1f", "e5", "."] {
            assert!(js_to_number(t).is_nan(), "{t:?}");
        }
        for (t, v) in [
            ("12abc", 12.0),
            (" -1.5e3x", -1500.0),
            ("5.", 5.0),
            (".5e", 0.5),
            ("-Infinityx", f64::NEG_INFINITY),
            ("1e", 1.0),
        ] {
            assert_eq!(js_parse_float(t), v, "{t:?}");
        }
        for t in ["", "abc", ".", "-", "+.e1"] {
            assert!(js_parse_float(t).is_nan(), "{t:?}");
        }
    }

    #[test]
    fn thresholds_are_read_in_their_order() {
        let steps = |v: &[(Option<f64>, &str)]| -> Vec<ThresholdStep> {
            v.iter()
                .map(|(v, c)| ThresholdStep {
                    value: *v,
                    color: c.to_string(),
                })
                .collect()
        };
        let s = steps(&[(None, "green"), (Some(80.0), "red"), (Some(50.0), "orange")]);
        assert_eq!(
            active_threshold(&s, 90.0),
            Some("orange"),
            "a later step wins"
        );
        assert_eq!(
            active_threshold(&s, 60.0),
            Some("green"),
            "stops at the first greater step"
        );
        assert_eq!(active_threshold(&[], 1.0), None);
    }
}
