//! The heatmap panel over Prometheus histogram buckets, as Grafana draws it: the series of a
//! `*_bucket` query (one per `le`, cumulative) become rows of per-bucket counts — Grafana's
//! "prometheus buckets" handling (`format: heatmap`: sorted by `le`, each bucket minus the one
//! below, `+Inf` last) — and each cell is coloured from a quantized palette between the counts'
//! min and max (Grafana's `quantizeScheme` and `valuesToFills`).
//!
//! Options are read from the panel's current schema (`options.color`, `yAxis`, `cellGap`,
//! `filterValues`, `legend`) or from the legacy heatmap's (`dataFormat: tsbuckets`, `color.mode:
//! spectrum`, `yAxis.format`, `hideZeroBuckets`), mapped as Grafana's `angularToReactHeatmap`
//! maps them. The front end only draws what is computed here.

use crate::data::frame::Series;
use crate::display::units::format_value;
use serde_json::Value;

/// How cells are coloured.
#[derive(Debug, Clone, PartialEq)]
pub enum ColorMode {
    /// A colour scheme (`Oranges`, `RdYlBu`, ...).
    Scheme,
    /// One colour (`fill`) whose opacity grows with the count.
    Opacity,
}

/// The colour options of a heatmap (`options.color`), with Grafana's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ColorOptions {
    pub mode: ColorMode,
    pub scheme: String,
    /// The colour of opacity mode (a Grafana colour name or CSS colour).
    pub fill: String,
    /// Opacity mode: `exponential` (opacity = t^exponent) or linear.
    pub exponential: bool,
    pub exponent: f64,
    /// How many colours the palette has.
    pub steps: usize,
    pub reverse: bool,
    /// Fixed ends of the colour scale; the data's min and max otherwise.
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Default for ColorOptions {
    fn default() -> Self {
        ColorOptions {
            mode: ColorMode::Scheme,
            scheme: "Oranges".into(),
            fill: "dark-orange".into(),
            exponential: true,
            exponent: 0.5,
            steps: 64,
            reverse: false,
            min: None,
            max: None,
        }
    }
}

/// A heatmap panel's options, with Grafana's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapOptions {
    pub color: ColorOptions,
    /// Gap between cells, in CSS pixels.
    pub cell_gap: f64,
    pub y_unit: Option<String>,
    pub y_decimals: Option<usize>,
    /// Highest bucket at the bottom.
    pub y_reverse: bool,
    pub y_axis_hidden: bool,
    /// Cells whose count is at most `hide_le` (or at least `hide_ge`) are not drawn.
    pub hide_le: Option<f64>,
    pub hide_ge: Option<f64>,
    pub legend: bool,
    pub tooltip: bool,
    pub cell_unit: Option<String>,
    pub cell_decimals: Option<usize>,
    /// Whether the data already are buckets (`calculate: false`, Grafana's default). kubeglass
    /// draws only those; a heatmap Grafana would calculate from raw values is refused.
    pub calculate: bool,
}

impl Default for HeatmapOptions {
    fn default() -> Self {
        HeatmapOptions {
            color: ColorOptions::default(),
            cell_gap: 1.0,
            y_unit: None,
            y_decimals: None,
            y_reverse: false,
            y_axis_hidden: false,
            hide_le: Some(1e-9),
            hide_ge: None,
            legend: true,
            tooltip: true,
            cell_unit: None,
            cell_decimals: None,
            calculate: false,
        }
    }
}

fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn decimals(v: Option<&Value>) -> Option<usize> {
    num(v).filter(|d| *d >= 0.0).map(|d| (d as usize).min(20))
}

/// The scheme names Grafana's heatmap knows, with when it reverses their palette
/// (`colorSchemes` of Grafana's palettes.ts): `Some(true)` always, `Some(false)` on a dark
/// theme, `None` on a light theme.
const SCHEME_INVERT: &[(&str, Option<bool>)] = &[
    ("RdYlBu", Some(true)),
    ("RdYlGn", Some(true)),
    ("Spectral", Some(true)),
    ("Blues", Some(false)),
    ("Greens", Some(false)),
    ("Greys", Some(false)),
    ("Oranges", Some(false)),
    ("Purples", Some(false)),
    ("Reds", Some(false)),
    ("YlOrRd", Some(false)),
];

/// The colours of each scheme (d3-scale-chromatic's largest ColorBrewer scheme), which
/// `interpolate<Name>` joins with a uniform B-spline.
fn scheme_stops(name: &str) -> Option<&'static str> {
    Some(match name {
        "Oranges" => "fff5ebfee6cefdd0a2fdae6bfd8d3cf16913d94801a636037f2704",
        "Blues" => "f7fbffdeebf7c6dbef9ecae16baed64292c62171b508519c08306b",
        "Greens" => "f7fcf5e5f5e0c7e9c0a1d99b74c47641ab5d238b45006d2c00441b",
        "Greys" => "fffffff0f0f0d9d9d9bdbdbd969696737373525252252525000000",
        "Purples" => "fcfbfdefedf5dadaebbcbddc9e9ac8807dba6a51a354278f3f007d",
        "Reds" => "fff5f0fee0d2fcbba1fc9272fb6a4aef3b2ccb181da50f1567000d",
        "YlOrRd" => "ffffccffeda0fed976feb24cfd8d3cfc4e2ae31a1cbd0026800026",
        "RdYlBu" => "a50026d73027f46d43fdae61fee090ffffbfe0f3f8abd9e974add14575b4313695",
        "RdYlGn" => "a50026d73027f46d43fdae61fee08bffffbfd9ef8ba6d96a66bd631a9850006837",
        "Spectral" => "9e0142d53e4ff46d43fdae61fee08bffffbfe6f598abdda466c2a53288bd5e4fa2",
        _ => return None,
    })
}

fn stops(hex: &str) -> Vec<[f64; 3]> {
    hex.as_bytes()
        .chunks(6)
        .map(|c| {
            let c = std::str::from_utf8(c).unwrap_or("000000");
            let ch = |i: usize| f64::from(u8::from_str_radix(&c[i..i + 2], 16).unwrap_or(0));
            [ch(0), ch(2), ch(4)]
        })
        .collect()
}

/// d3's `interpolateRgbBasis`: a uniform cubic B-spline through `values`, at `t` in [0, 1].
fn rgb_basis(values: &[[f64; 3]], t: f64) -> (u8, u8, u8) {
    let n = values.len() - 1;
    let (t, i) = if t <= 0.0 {
        (0.0, 0)
    } else if t >= 1.0 {
        (1.0, n - 1)
    } else {
        (t, (t * n as f64).floor() as usize)
    };
    let channel = |k: usize| {
        let v1 = values[i][k];
        let v2 = values[i + 1][k];
        let v0 = if i > 0 {
            values[i - 1][k]
        } else {
            2.0 * v1 - v2
        };
        let v3 = if i < n - 1 {
            values[i + 2][k]
        } else {
            2.0 * v2 - v1
        };
        let t1 = (t - i as f64 / n as f64) * n as f64;
        let (t2, t3) = (t1 * t1, t1 * t1 * t1);
        let v = ((1.0 - 3.0 * t1 + 3.0 * t2 - t3) * v0
            + (4.0 - 6.0 * t2 + 3.0 * t3) * v1
            + (1.0 + 3.0 * t1 + 3.0 * t2 - 3.0 * t3) * v2
            + t3 * v3)
            / 6.0;
        v.round().clamp(0.0, 255.0) as u8
    };
    (channel(0), channel(1), channel(2))
}

impl HeatmapOptions {
    /// Reads a heatmap panel's `options` (the current schema), or, when they hold the legacy
    /// heatmap's settings under `angular` (see [`crate::model`]), migrates those.
    pub fn from_options(options: &Value) -> HeatmapOptions {
        if let Some(angular) = options.get("angular").filter(|a| a.is_object()) {
            return HeatmapOptions::from_legacy(angular);
        }
        let mut o = HeatmapOptions::default();
        if let Some(c) = options.get("color") {
            let d = &mut o.color;
            if c.get("mode").and_then(Value::as_str) == Some("opacity") {
                d.mode = ColorMode::Opacity;
            }
            if let Some(s) = text(c.get("scheme")) {
                d.scheme = s;
            }
            if let Some(f) = text(c.get("fill")) {
                d.fill = f;
            }
            d.exponential = c.get("scale").and_then(Value::as_str) != Some("linear");
            d.exponent = num(c.get("exponent")).filter(|e| *e > 0.0).unwrap_or(0.5);
            d.steps = num(c.get("steps"))
                .map(|s| (s as usize).clamp(2, 256))
                .unwrap_or(64);
            d.reverse = c.get("reverse").and_then(Value::as_bool).unwrap_or(false);
            d.min = num(c.get("min"));
            d.max = num(c.get("max"));
        }
        if let Some(g) = num(options.get("cellGap")) {
            o.cell_gap = g.clamp(0.0, 25.0);
        }
        if let Some(y) = options.get("yAxis") {
            o.y_unit = text(y.get("unit"));
            o.y_decimals = decimals(y.get("decimals"));
            o.y_reverse = y.get("reverse").and_then(Value::as_bool).unwrap_or(false);
            o.y_axis_hidden = y.get("axisPlacement").and_then(Value::as_str) == Some("hidden");
        }
        if let Some(f) = options.get("filterValues") {
            o.hide_le = num(f.get("le"));
            o.hide_ge = num(f.get("ge"));
        }
        if let Some(show) = options.pointer("/legend/show").and_then(Value::as_bool) {
            o.legend = show;
        }
        if let Some(mode) = options.pointer("/tooltip/mode").and_then(Value::as_str) {
            o.tooltip = mode != "none";
        }
        if let Some(show) = options.pointer("/tooltip/show").and_then(Value::as_bool) {
            o.tooltip = show;
        }
        if let Some(c) = options.get("cellValues") {
            o.cell_unit = text(c.get("unit"));
            o.cell_decimals = decimals(c.get("decimals"));
        }
        o.calculate = options
            .get("calculate")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        o
    }

    /// The legacy heatmap's settings, as Grafana's `angularToReactHeatmap` migrates them.
    pub fn from_legacy(a: &Value) -> HeatmapOptions {
        let mut o = HeatmapOptions {
            calculate: a.get("dataFormat").and_then(Value::as_str) != Some("tsbuckets"),
            ..HeatmapOptions::default()
        };
        o.color.steps = 128;
        let gap = num(a.pointer("/cards/cardPadding")).unwrap_or(2.0);
        o.cell_gap = if gap > 0.0 { gap.min(25.0) } else { 1.0 };
        let y = a.get("yAxis");
        o.y_axis_hidden = y.and_then(|y| y.get("show")).and_then(Value::as_bool) == Some(false);
        o.y_reverse = a
            .get("reverseYBuckets")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        o.y_unit = text(y.and_then(|y| y.get("format")));
        o.y_decimals = decimals(y.and_then(|y| y.get("decimals")));
        o.cell_decimals = decimals(a.get("tooltipDecimals"));
        o.legend = a.pointer("/legend/show").and_then(Value::as_bool) == Some(true);
        o.tooltip = a.pointer("/tooltip/show").and_then(Value::as_bool) == Some(true);
        // Grafana sets its default filter only for `hideZeroBuckets`, and then merges the
        // panel's defaults over it, so the default (hide counts <= 1e-9) holds either way.
        o.hide_le = Some(1e-9);
        let color = a.get("color");
        match color.and_then(|c| c.get("mode")).and_then(Value::as_str) {
            Some("spectrum") => {
                o.color.mode = ColorMode::Scheme;
                let current = color
                    .and_then(|c| c.get("colorScheme"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                // `interpolateOranges` names the scheme `Oranges`.
                let known = SCHEME_INVERT
                    .iter()
                    .map(|(n, _)| *n)
                    .find(|n| *n == current)
                    .or_else(|| {
                        SCHEME_INVERT
                            .iter()
                            .map(|(n, _)| *n)
                            .find(|n| current.contains(n))
                    });
                o.color.scheme = known.unwrap_or("Oranges").to_string();
            }
            Some("opacity") => {
                o.color.mode = ColorMode::Opacity;
                o.color.exponential = color
                    .and_then(|c| c.get("colorScale"))
                    .and_then(Value::as_str)
                    != Some("linear");
                if let Some(e) = num(color.and_then(|c| c.get("exponent"))).filter(|e| *e > 0.0) {
                    o.color.exponent = e;
                }
            }
            _ => {}
        }
        if let Some(fill) = text(color.and_then(|c| c.get("cardColor"))) {
            o.color.fill = fill;
        }
        let (min, max) = (
            num(color.and_then(|c| c.get("min"))),
            num(color.and_then(|c| c.get("max"))),
        );
        o.color.min = min;
        o.color.max = max;
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                o.color.min = Some(hi);
                o.color.max = Some(lo);
                o.color.reverse = true;
            }
        }
        o
    }
}

/// The quantized palette cells take their colours from (Grafana's `quantizeScheme`): `steps`
/// colours, CSS strings. Schemes are reversed as Grafana reverses them on the theme
/// (single-hue schemes on a dark theme, diverging ones always); an unknown scheme is
/// `Spectral`, Grafana's fallback.
pub fn palette(color: &ColorOptions, light: bool) -> Vec<String> {
    let steps = color.steps.clamp(2, 256);
    let last = (steps - 1) as f64;
    match color.mode {
        ColorMode::Opacity => {
            let css = crate::display::colors::css_color(&color.fill);
            let (r, g, b) = crate::display::colors::hex_rgb(&css).unwrap_or((0xFA, 0x64, 0x00));
            (0..steps)
                .map(|i| {
                    let t = i as f64 / last;
                    let a = if color.exponential {
                        t.powf(color.exponent)
                    } else {
                        t
                    };
                    format!("rgba({r},{g},{b},{:.3})", a)
                })
                .collect()
        }
        ColorMode::Scheme => {
            let (name, invert) = SCHEME_INVERT
                .iter()
                .find(|(n, _)| *n == color.scheme)
                .copied()
                .unwrap_or(("Spectral", Some(true)));
            let values = stops(scheme_stops(name).unwrap_or_default());
            let mut out: Vec<String> = (0..steps)
                .map(|i| {
                    let (r, g, b) = rgb_basis(&values, i as f64 / last);
                    format!("#{r:02x}{g:02x}{b:02x}")
                })
                .collect();
            let themed = match invert {
                Some(true) => true,
                Some(false) => !light,
                None => light,
            };
            if color.reverse || themed {
                out.reverse();
            }
            out
        }
    }
}

/// One row of the heatmap: a bucket `(lower, upper]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    /// What the row is called: the `le` label as Prometheus wrote it, or the series' name.
    pub label: String,
    /// The upper bound (`+Inf` is infinity); NaN when the row is not numeric.
    pub upper: f64,
}

/// A heatmap's cells: `counts[row][column]`, rows from the lowest bucket up, columns at
/// `times` (each cell spans the step before its time). NaN is a missing count.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HeatmapData {
    pub times: Vec<i64>,
    pub buckets: Vec<Bucket>,
    pub counts: Vec<Vec<f64>>,
}

/// Reads an `le` value as Prometheus writes them (`0.005`, `+Inf`).
fn parse_le(s: &str) -> Option<f64> {
    match s.trim() {
        "+Inf" | "Inf" | "inf" | "+inf" => Some(f64::INFINITY),
        other => other.parse::<f64>().ok().filter(|f| !f.is_nan()),
    }
}

/// Builds the cells from the series a panel's queries returned, each with its shown name.
///
/// Series with an `le` label are Prometheus histogram buckets: sorted by `le`, several series
/// of the same `le` summed, and, when `deaccumulate`, turned from cumulative counts into the
/// count of each bucket alone (each bucket minus the one below, a missing lower count as 0, as
/// Grafana's `transformToHistogramOverTime` does). Series without `le` are rows as they are,
/// ordered by their names when these are all numbers. Errors name what is wrong.
pub fn heatmap_from_series<'a>(
    series: impl IntoIterator<Item = (&'a str, &'a Series)>,
    deaccumulate: bool,
) -> Result<HeatmapData, String> {
    let series: Vec<(&str, &Series)> = series.into_iter().collect();
    if series.is_empty() {
        return Ok(HeatmapData::default());
    }
    let with_le = series
        .iter()
        .filter(|(_, s)| s.labels.contains_key("le"))
        .count();
    if with_le > 0 && with_le < series.len() {
        return Err(format!(
            "{} of {} series have no `le` label: a heatmap of Prometheus buckets needs every series to be a bucket",
            series.len() - with_le,
            series.len()
        ));
    }
    // (label, upper bound, series of that row)
    let mut rows: Vec<(String, f64, Vec<&Series>)> = Vec::new();
    if with_le > 0 {
        for (_, s) in &series {
            let le = &s.labels["le"];
            let upper = parse_le(le)
                .ok_or_else(|| format!("`le=\"{le}\"` is not a bucket bound (a number or +Inf)"))?;
            match rows.iter_mut().find(|r| r.1 == upper) {
                Some(r) => r.2.push(s),
                None => rows.push((le.clone(), upper, vec![s])),
            }
        }
        crate::sort::sort_by(&mut rows, |a, b| a.1.total_cmp(&b.1));
    } else {
        for (name, s) in &series {
            rows.push((
                name.to_string(),
                parse_le(name).unwrap_or(f64::NAN),
                vec![s],
            ));
        }
        if rows.iter().all(|r| !r.1.is_nan()) {
            crate::sort::sort_by(&mut rows, |a, b| a.1.total_cmp(&b.1));
        }
    }
    let mut times: Vec<i64> = series
        .iter()
        .flat_map(|(_, s)| s.points.iter().map(|(t, _)| *t))
        .collect();
    times.sort_unstable();
    times.dedup();
    let index = |t: i64| times.binary_search(&t).ok();
    let mut counts: Vec<Vec<f64>> = rows
        .iter()
        .map(|(_, _, list)| {
            let mut row = vec![f64::NAN; times.len()];
            for s in list {
                for &(t, v) in &s.points {
                    if let Some(i) = index(t) {
                        row[i] = if row[i].is_nan() { v } else { row[i] + v };
                    }
                }
            }
            row
        })
        .collect();
    if deaccumulate && with_le > 0 {
        for r in (1..counts.len()).rev() {
            let (below, above) = counts.split_at_mut(r);
            for (top, bottom) in above[0].iter_mut().zip(&below[r - 1]) {
                if !top.is_nan() {
                    *top -= if bottom.is_nan() { 0.0 } else { *bottom };
                }
            }
        }
    }
    Ok(HeatmapData {
        times,
        buckets: rows
            .into_iter()
            .map(|(label, upper, _)| Bucket { label, upper })
            .collect(),
        counts,
    })
}

impl HeatmapData {
    /// Whether `v` is drawn: a number not hidden by `filterValues`.
    pub fn shown(v: f64, o: &HeatmapOptions) -> bool {
        v.is_finite() && o.hide_le.is_none_or(|le| v > le) && o.hide_ge.is_none_or(|ge| v < ge)
    }

    /// The ends of the colour scale: the options' min and max, else the extent of the counts
    /// that are shown (Grafana's `boundedMinMax`). `None` when nothing is shown.
    pub fn color_range(&self, o: &HeatmapOptions) -> Option<(f64, f64)> {
        let shown = self
            .counts
            .iter()
            .flatten()
            .copied()
            .filter(|v| Self::shown(*v, o));
        let (lo, hi) = shown.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let lo = o.color.min.unwrap_or(lo);
        let hi = o.color.max.unwrap_or(hi);
        (lo.is_finite() && hi.is_finite()).then_some((lo, hi))
    }

    /// The step between columns (the query step): the smallest gap between two times.
    pub fn column_ms(&self) -> i64 {
        self.times
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|d| *d > 0)
            .min()
            .unwrap_or(0)
    }

    /// The lower bound of row `row`: the bucket below's upper bound, 0 for the first bucket
    /// of a non-negative histogram.
    pub fn lower_bound(&self, row: usize) -> f64 {
        match row.checked_sub(1).and_then(|r| self.buckets.get(r)) {
            Some(b) => b.upper,
            None => match self.buckets.get(row) {
                Some(b) if b.upper >= 0.0 => 0.0,
                _ => f64::NEG_INFINITY,
            },
        }
    }

    /// A row's name as the tooltip shows it: `lower - upper` in the y axis unit.
    pub fn bucket_text(&self, row: usize, o: &HeatmapOptions) -> String {
        let Some(b) = self.buckets.get(row) else {
            return String::new();
        };
        if b.upper.is_nan() {
            return b.label.clone();
        }
        format!(
            "{} - {}",
            bound_text(self.lower_bound(row), o),
            bound_text(b.upper, o)
        )
    }
}

/// A bucket bound in the y axis unit (`+Inf` as written).
pub fn bound_text(v: f64, o: &HeatmapOptions) -> String {
    if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format_value(v, o.y_unit.as_deref(), o.y_decimals).to_string()
    }
}

/// The palette index of count `v` on a scale from `min` to `max` (Grafana's `valuesToFills`).
pub fn fill_index(v: f64, min: f64, max: f64, palette_len: usize) -> usize {
    let top = palette_len.saturating_sub(1);
    if v < min {
        return 0;
    }
    if v > max {
        return top;
    }
    let range = if max - min == 0.0 { 1.0 } else { max - min };
    (((palette_len as f64) * (v - min) / range).floor() as usize).min(top)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn bucket(le: &str, points: &[(i64, f64)]) -> Series {
        Series {
            labels: BTreeMap::from([("le".to_string(), le.to_string())]),
            points: points.to_vec(),
        }
    }

    #[test]
    fn prometheus_buckets_are_sorted_and_deaccumulated() {
        // Grafana's own example (transformToHistogramOverTime): le10 10 10 0 / le20 20 10 30 /
        // le30 30 10 35 -> 10 10 0 / 10 0 30 / 10 0 5; given out of order, +Inf last.
        let s = [
            bucket("+Inf", &[(1, 31.0), (2, 10.0), (3, 35.0)]),
            bucket("20", &[(1, 20.0), (2, 10.0), (3, 30.0)]),
            bucket("10", &[(1, 10.0), (2, 10.0), (3, 0.0)]),
            bucket("30", &[(1, 30.0), (2, 10.0), (3, 35.0)]),
        ];
        let h = heatmap_from_series(s.iter().map(|s| ("x", s)), true).unwrap();
        let labels: Vec<&str> = h.buckets.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["10", "20", "30", "+Inf"]);
        assert_eq!(h.times, vec![1, 2, 3]);
        assert_eq!(
            h.counts,
            vec![
                vec![10.0, 10.0, 0.0],
                vec![10.0, 0.0, 30.0],
                vec![10.0, 0.0, 5.0],
                vec![1.0, 0.0, 0.0],
            ]
        );
        // Without de-accumulation, the counts stay cumulative.
        let raw = heatmap_from_series(s.iter().map(|s| ("x", s)), false).unwrap();
        assert_eq!(raw.counts[3], vec![31.0, 10.0, 35.0]);
        assert_eq!(h.bucket_text(0, &HeatmapOptions::default()), "0 - 10");
        assert_eq!(h.bucket_text(3, &HeatmapOptions::default()), "30 - +Inf");
        assert_eq!(h.column_ms(), 1);
    }

    #[test]
    fn missing_samples_and_repeated_buckets() {
        // Two series of the same bucket (not summed by le) add up; a missing lower count is 0
        // and a missing count stays missing.
        let s = [
            bucket("0.5", &[(10, 1.0)]),
            bucket("0.5", &[(10, 2.0), (20, 4.0)]),
            bucket("1", &[(10, 5.0), (20, 6.0), (30, 7.0)]),
        ];
        let h = heatmap_from_series(s.iter().map(|s| ("x", s)), true).unwrap();
        assert_eq!(h.buckets.len(), 2);
        assert_eq!(h.counts[0][..2], [3.0, 4.0]);
        assert!(h.counts[0][2].is_nan());
        assert_eq!(h.counts[1], vec![2.0, 2.0, 7.0]);
        let bad = [bucket("x", &[(1, 1.0)])];
        assert_eq!(
            heatmap_from_series(bad.iter().map(|s| ("x", s)), true).unwrap_err(),
            "`le=\"x\"` is not a bucket bound (a number or +Inf)"
        );
        let mixed = [bucket("1", &[(1, 1.0)]), Series::default()];
        assert!(heatmap_from_series(mixed.iter().map(|s| ("x", s)), true)
            .unwrap_err()
            .starts_with("1 of 2 series have no `le` label"));
    }

    #[test]
    fn rows_without_le_are_ordered_by_numeric_names() {
        let a = Series {
            labels: BTreeMap::new(),
            points: vec![(1, 1.0)],
        };
        let b = Series {
            labels: BTreeMap::new(),
            points: vec![(1, 2.0)],
        };
        let h = heatmap_from_series([("20", &a), ("3", &b)], true).unwrap();
        assert_eq!(h.buckets[0].label, "3");
        assert_eq!(h.counts, vec![vec![2.0], vec![1.0]], "not de-accumulated");
    }

    #[test]
    fn colours_follow_grafanas_quantized_schemes() {
        let light = palette(&ColorOptions::default(), true);
        assert_eq!(light.len(), 64);
        // interpolateOranges(0) and (1) are the scheme's ends.
        assert_eq!(light[0], "#fff5eb");
        assert_eq!(light[63], "#7f2704");
        // A single-hue scheme is reversed on a dark theme; a diverging one always.
        let dark = palette(&ColorOptions::default(), false);
        assert_eq!(dark[0], "#7f2704");
        let rd = ColorOptions {
            scheme: "RdYlBu".into(),
            ..ColorOptions::default()
        };
        assert_eq!(palette(&rd, true)[0], "#313695");
        assert_eq!(palette(&rd, false)[0], "#313695");
        // d3's B-spline at the middle of Oranges: (fdae6b + 4 * fd8d3c + f16913) / 6.
        let three = ColorOptions {
            steps: 3,
            ..ColorOptions::default()
        };
        assert_eq!(palette(&three, true)[1], "#fb8d3d");
        let unknown = ColorOptions {
            scheme: "NoSuch".into(),
            ..ColorOptions::default()
        };
        assert_eq!(palette(&unknown, true)[0], "#5e4fa2", "Spectral, reversed");
        let opacity = ColorOptions {
            mode: ColorMode::Opacity,
            steps: 5,
            ..ColorOptions::default()
        };
        let p = palette(&opacity, false);
        assert_eq!(p[0], "rgba(250,100,0,0.000)");
        assert_eq!(p[1], "rgba(250,100,0,0.500)", "0.25^0.5");
        assert_eq!(p[4], "rgba(250,100,0,1.000)");
    }

    #[test]
    fn fills_and_range_as_grafana() {
        assert_eq!(fill_index(0.0, 0.0, 10.0, 64), 0);
        assert_eq!(fill_index(5.0, 0.0, 10.0, 64), 32);
        assert_eq!(fill_index(10.0, 0.0, 10.0, 64), 63);
        assert_eq!(fill_index(11.0, 0.0, 10.0, 64), 63);
        assert_eq!(fill_index(-1.0, 0.0, 10.0, 64), 0);
        assert_eq!(fill_index(3.0, 3.0, 3.0, 64), 0);
        let h = HeatmapData {
            times: vec![1, 2],
            buckets: vec![],
            counts: vec![vec![0.0, 4.0], vec![f64::NAN, 9.0]],
        };
        let o = HeatmapOptions::default();
        assert_eq!(
            h.color_range(&o),
            Some((4.0, 9.0)),
            "zero counts are hidden"
        );
        let fixed = HeatmapOptions {
            color: ColorOptions {
                min: Some(0.0),
                ..ColorOptions::default()
            },
            ..HeatmapOptions::default()
        };
        assert_eq!(h.color_range(&fixed), Some((0.0, 9.0)));
        assert!(!HeatmapData::shown(0.0, &o));
        assert!(HeatmapData::shown(1e-3, &o));
    }

    #[test]
    fn current_options_are_read_with_defaults() {
        // As the corpus's CoreDNS heatmaps set them.
        let o = HeatmapOptions::from_options(&json!({
            "calculate": false, "cellGap": 1,
            "color": {"exponent": 0.5, "fill": "dark-orange", "mode": "scheme", "reverse": false,
                      "scale": "exponential", "scheme": "RdYlBu", "steps": 64},
            "filterValues": {"le": 1e-9}, "legend": {"show": true},
            "tooltip": {"mode": "single"}, "yAxis": {"axisPlacement": "left", "unit": "s"}
        }));
        assert_eq!(o.color.scheme, "RdYlBu");
        assert_eq!(o.y_unit.as_deref(), Some("s"));
        assert_eq!(o.hide_le, Some(1e-9));
        assert!(o.legend && o.tooltip && !o.calculate);
        let empty = HeatmapOptions::from_options(&Value::Null);
        assert_eq!(empty, HeatmapOptions::default());
        assert_eq!(empty.color.scheme, "Oranges");
    }

    #[test]
    fn legacy_options_migrate_as_grafana_migrates_them() {
        let o = HeatmapOptions::from_options(&json!({"angular": {
            "dataFormat": "tsbuckets",
            "color": {"mode": "spectrum", "colorScheme": "interpolateRdYlGn", "cardColor": "#b4ff00",
                      "colorScale": "sqrt", "exponent": 0.5},
            "cards": {"cardPadding": null, "cardRound": null},
            "yAxis": {"format": "s", "decimals": 1, "show": true, "logBase": 1},
            "legend": {"show": false}, "tooltip": {"show": true}, "reverseYBuckets": false,
            "hideZeroBuckets": true
        }}));
        assert!(!o.calculate);
        assert_eq!(o.color.mode, ColorMode::Scheme);
        assert_eq!(o.color.scheme, "RdYlGn");
        assert_eq!(o.color.steps, 128);
        assert_eq!(o.cell_gap, 2.0);
        assert_eq!(
            (o.y_unit.as_deref(), o.y_decimals, o.legend, o.tooltip),
            (Some("s"), Some(1), false, true)
        );
        // A stored legacy panel keeps these settings beside its empty `options`.
        let d = crate::model::Dashboard::from_json(&json!({"panels": [{"id": 1, "type": "heatmap",
            "dataFormat": "tsbuckets", "color": {"mode": "spectrum", "colorScheme": "interpolateBlues"},
            "yAxis": {"format": "bytes"}, "targets": [{"expr": "x_bucket", "format": "heatmap"}]}]}));
        let p = &d.panels[0];
        let read = HeatmapOptions::from_options(&p.options);
        assert_eq!(
            (read.color.scheme.as_str(), read.y_unit.as_deref()),
            ("Blues", Some("bytes"))
        );
        assert!(!read.calculate);
        assert_eq!(p.targets[0].format.as_deref(), Some("heatmap"));
        let op = HeatmapOptions::from_legacy(&json!({
            "dataFormat": "timeseries",
            "color": {"mode": "opacity", "cardColor": "#bf1b00", "colorScale": "linear", "min": 10, "max": 2},
            "cards": {"cardPadding": 0}
        }));
        assert!(
            op.calculate,
            "time series data: Grafana calculates the buckets"
        );
        assert_eq!(op.color.mode, ColorMode::Opacity);
        assert!(!op.color.exponential);
        assert_eq!(op.color.fill, "#bf1b00");
        assert_eq!(op.cell_gap, 1.0);
        assert_eq!(
            (op.color.min, op.color.max, op.color.reverse),
            (Some(2.0), Some(10.0), true)
        );
    }
}
