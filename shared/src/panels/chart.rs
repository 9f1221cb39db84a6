//! The time series panel's drawing options and the arithmetic behind its picture: how each
//! series is drawn (`fieldConfig.defaults.custom` with the overrides applied, read as Grafana's
//! time series panel reads it), stacking (normal and percent, by group), and the y range a set
//! of values gets with the panel's `min`/`max` and `axisSoftMin`/`axisSoftMax`.

use crate::display::field::FieldConfig;
use crate::display::units::nice_step;
use serde_json::Value;
use std::collections::HashMap;

/// `custom.drawStyle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DrawStyle {
    #[default]
    Line,
    Bars,
    Points,
}

/// `custom.showPoints`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShowPoints {
    /// Points where the data is sparse enough to see them.
    #[default]
    Auto,
    Always,
    Never,
}

/// `custom.lineInterpolation`; `smooth` is drawn as `linear`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interpolation {
    #[default]
    Linear,
    StepBefore,
    StepAfter,
}

/// `custom.axisPlacement`; `auto` is the left axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AxisPlacement {
    #[default]
    Left,
    Right,
    /// The series has its own scale but no axis is drawn for it.
    Hidden,
}

/// `custom.stacking.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StackMode {
    #[default]
    None,
    Normal,
    /// Each value as a fraction of its group's total at that time: the stack reaches 1.
    Percent,
}

/// `custom.thresholdsStyle.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThresholdsStyle {
    #[default]
    Off,
    Line,
    Dashed,
    Area,
    LineArea,
    DashedArea,
}

impl ThresholdsStyle {
    /// Whether the thresholds are drawn as lines, and dashed ones.
    pub fn line(self) -> Option<bool> {
        match self {
            ThresholdsStyle::Line | ThresholdsStyle::LineArea => Some(false),
            ThresholdsStyle::Dashed | ThresholdsStyle::DashedArea => Some(true),
            _ => None,
        }
    }

    /// Whether the bands between thresholds are filled with their colours.
    pub fn area(self) -> bool {
        matches!(
            self,
            ThresholdsStyle::Area | ThresholdsStyle::LineArea | ThresholdsStyle::DashedArea
        )
    }
}

/// How one series is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesStyle {
    pub draw: DrawStyle,
    /// Line width in CSS pixels (0: no line).
    pub line_width: f64,
    /// Fill under the line, 0 to 1.
    pub fill_opacity: f64,
    /// `gradientMode: opacity`: the fill fades out towards the bottom.
    pub gradient: bool,
    pub show_points: ShowPoints,
    /// Point diameter in CSS pixels.
    pub point_size: f64,
    pub interpolation: Interpolation,
    /// `lineStyle` dashes (CSS pixels, on/off); empty for a solid line.
    pub dash: Vec<f64>,
    /// Bar width as a fraction of the step between points.
    pub bar_width: f64,
    pub stack: StackMode,
    pub stack_group: String,
    pub axis: AxisPlacement,
    pub soft_min: Option<f64>,
    pub soft_max: Option<f64>,
    /// `transform: negative-Y`: drawn below the axis.
    pub negative_y: bool,
    /// `spanNulls`: `None` never joins across a gap; `Some(ms)` joins gaps up to `ms`
    /// (`i64::MAX` for `true`).
    pub span_nulls: Option<i64>,
    /// `hideFrom`: not drawn, not in the legend, not in the tooltip.
    pub hide_viz: bool,
    pub hide_legend: bool,
    pub hide_tooltip: bool,
}

impl Default for SeriesStyle {
    /// Grafana's defaults for a time series field with no `custom` settings.
    fn default() -> SeriesStyle {
        SeriesStyle {
            draw: DrawStyle::Line,
            line_width: 1.0,
            fill_opacity: 0.0,
            gradient: false,
            show_points: ShowPoints::Auto,
            point_size: 5.0,
            interpolation: Interpolation::Linear,
            dash: Vec::new(),
            bar_width: 0.6,
            stack: StackMode::None,
            stack_group: "A".into(),
            axis: AxisPlacement::Left,
            soft_min: None,
            soft_max: None,
            negative_y: false,
            span_nulls: None,
            hide_viz: false,
            hide_legend: false,
            hide_tooltip: false,
        }
    }
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::String(s) => s.trim().parse().ok(),
        v => v.as_f64(),
    }
    .filter(|n: &f64| n.is_finite())
}

impl SeriesStyle {
    /// The style `custom` asks for; unknown or out-of-range settings keep Grafana's default.
    pub fn from_custom(custom: &Value) -> SeriesStyle {
        let mut s = SeriesStyle::default();
        let str_at = |p: &str| custom.pointer(p).and_then(Value::as_str);
        s.draw = match str_at("/drawStyle") {
            Some("bars") => DrawStyle::Bars,
            Some("points") => DrawStyle::Points,
            _ => DrawStyle::Line,
        };
        if let Some(w) = number(custom.get("lineWidth")) {
            s.line_width = w.clamp(0.0, 10.0);
        }
        if let Some(f) = number(custom.get("fillOpacity")) {
            s.fill_opacity = (f / 100.0).clamp(0.0, 1.0);
        }
        s.gradient = str_at("/gradientMode") == Some("opacity");
        s.show_points = match str_at("/showPoints") {
            Some("always") => ShowPoints::Always,
            Some("never") => ShowPoints::Never,
            _ => ShowPoints::Auto,
        };
        if let Some(p) = number(custom.get("pointSize")) {
            s.point_size = p.clamp(1.0, 40.0);
        }
        s.interpolation = match str_at("/lineInterpolation") {
            Some("stepBefore") => Interpolation::StepBefore,
            Some("stepAfter") => Interpolation::StepAfter,
            _ => Interpolation::Linear,
        };
        s.dash = match str_at("/lineStyle/fill") {
            Some("dash") | Some("dot") => {
                let dash: Vec<f64> = custom
                    .pointer("/lineStyle/dash")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| number(Some(v)))
                            .map(|v| v.clamp(0.0, 100.0))
                            .take(8)
                            .collect()
                    })
                    .unwrap_or_default();
                if dash.iter().any(|d| *d > 0.0) {
                    dash
                } else if str_at("/lineStyle/fill") == Some("dot") {
                    vec![0.0, 10.0]
                } else {
                    vec![10.0, 10.0]
                }
            }
            _ => Vec::new(),
        };
        if let Some(b) = number(custom.get("barWidthFactor")) {
            s.bar_width = b.clamp(0.05, 1.0);
        }
        s.stack = match str_at("/stacking/mode") {
            Some("normal") => StackMode::Normal,
            Some("percent") => StackMode::Percent,
            _ => StackMode::None,
        };
        if let Some(g) = str_at("/stacking/group") {
            s.stack_group = g.to_string();
        }
        s.axis = match str_at("/axisPlacement") {
            Some("right") => AxisPlacement::Right,
            Some("hidden") => AxisPlacement::Hidden,
            _ => AxisPlacement::Left,
        };
        s.soft_min = number(custom.get("axisSoftMin"));
        s.soft_max = number(custom.get("axisSoftMax"));
        s.negative_y = str_at("/transform") == Some("negative-Y");
        s.span_nulls = match custom.get("spanNulls") {
            Some(Value::Bool(true)) => Some(i64::MAX),
            Some(v @ Value::Number(_)) => number(Some(v)).map(|ms| ms.max(0.0) as i64),
            _ => None,
        };
        let hidden =
            |k: &str| custom.pointer(&format!("/hideFrom/{k}")) == Some(&Value::Bool(true));
        s.hide_viz = hidden("viz");
        s.hide_legend = hidden("legend");
        s.hide_tooltip = hidden("tooltip");
        s
    }

    /// The style of a field after its overrides.
    pub fn of(config: &FieldConfig) -> SeriesStyle {
        SeriesStyle::from_custom(&config.defaults.custom)
    }

    /// The longest jump between two points the line still joins, for a query `step_ms`: 1.5
    /// steps (a missing sample is a gap), or what `spanNulls` allows.
    pub fn max_gap_ms(&self, step_ms: i64) -> i64 {
        let gap = if step_ms > 0 {
            step_ms.saturating_add(step_ms / 2)
        } else {
            i64::MAX
        };
        match self.span_nulls {
            Some(span) => gap.max(span),
            None => gap,
        }
    }

    /// Whether points are drawn on a line of `count` points spread over `width` CSS pixels:
    /// with `auto`, when each point has room for about twice its size.
    pub fn points_shown(&self, count: usize, width: f64) -> bool {
        match (self.draw, self.show_points) {
            (DrawStyle::Points, _) => true,
            (_, ShowPoints::Always) => true,
            (_, ShowPoints::Never) => false,
            (_, ShowPoints::Auto) => (count as f64) * self.point_size * 2.0 <= width,
        }
    }
}

/// `custom.thresholdsStyle` of a panel's defaults.
pub fn thresholds_style(custom: &Value) -> ThresholdsStyle {
    match custom
        .pointer("/thresholdsStyle/mode")
        .and_then(Value::as_str)
    {
        Some("line") => ThresholdsStyle::Line,
        Some("dashed") => ThresholdsStyle::Dashed,
        Some("area") => ThresholdsStyle::Area,
        Some("line+area") => ThresholdsStyle::LineArea,
        Some("dashed+area") => ThresholdsStyle::DashedArea,
        _ => ThresholdsStyle::Off,
    }
}

/// Values of a `negative-Y` series as drawn: negated (gaps stay gaps).
pub fn negate(points: &[(i64, f64)]) -> Vec<(i64, f64)> {
    points.iter().map(|&(t, v)| (t, -v)).collect()
}

/// The stack a series joins, as Grafana groups them: the same group name, the same axis, and
/// the same direction (series that are all negative, or drawn negative-Y, stack downwards on
/// their own).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StackKey {
    pub group: String,
    pub axis: u8,
    pub downwards: bool,
    pub percent: bool,
}

impl StackKey {
    /// The key of a series with `style` and these (already transformed) values; `None` when it
    /// does not stack.
    pub fn of(style: &SeriesStyle, points: &[(i64, f64)]) -> Option<StackKey> {
        let percent = match style.stack {
            StackMode::None => return None,
            StackMode::Normal => false,
            StackMode::Percent => true,
        };
        let downwards = style.negative_y || !points.iter().any(|(_, v)| *v > 0.0);
        Some(StackKey {
            group: style.stack_group.clone(),
            axis: match style.axis {
                AxisPlacement::Left => 0,
                AxisPlacement::Right => 1,
                AxisPlacement::Hidden => 2,
            },
            downwards,
            percent,
        })
    }
}

/// Stacks series: each series that has a key is drawn at its value plus the values of the
/// series before it with the same key, at the same time. Percent stacks first divide each value
/// by the sum of the group's absolute values at that time, so that the stack reaches 1 (or -1).
/// Returns, per input series, its stacked points (times unchanged, gaps kept) and the index of
/// the series it sits on, or `None` when it does not stack.
#[allow(clippy::type_complexity)]
pub fn stack(
    series: &[(&[(i64, f64)], Option<&StackKey>)],
) -> Vec<Option<(Vec<(i64, f64)>, Option<usize>)>> {
    let mut totals: HashMap<&StackKey, HashMap<i64, f64>> = HashMap::new();
    for (points, key) in series {
        if let Some(key) = key.filter(|k| k.percent) {
            let sums = totals.entry(key).or_default();
            for &(t, v) in points.iter().filter(|(_, v)| v.is_finite()) {
                *sums.entry(t).or_insert(0.0) += v.abs();
            }
        }
    }
    let mut acc: HashMap<&StackKey, (HashMap<i64, f64>, usize)> = HashMap::new();
    series
        .iter()
        .enumerate()
        .map(|(i, (points, key))| {
            let key = (*key)?;
            let total = totals.get(key);
            let (sums, below) = acc
                .entry(key)
                .or_insert_with(|| (HashMap::new(), usize::MAX));
            let stacked = points
                .iter()
                .map(|&(t, v)| {
                    if !v.is_finite() {
                        return (t, v);
                    }
                    let v = match total.and_then(|s| s.get(&t)) {
                        Some(sum) if *sum > 0.0 => v / sum,
                        Some(_) => 0.0,
                        None => v,
                    };
                    let s = sums.entry(t).or_insert(0.0);
                    *s += v;
                    (t, *s)
                })
                .collect();
            let on = (*below != usize::MAX).then_some(*below);
            *below = i;
            Some((stacked, on))
        })
        .collect()
}

/// The lowest and highest finite value of `values`, `None` when there is none.
pub fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

/// Limits of a y axis besides its data.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AxisLimits {
    /// `min`/`max`: the axis ends there, whatever the data.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// `axisSoftMin`/`axisSoftMax`: the axis reaches at least there; data beyond widens it.
    pub soft_min: Option<f64>,
    pub soft_max: Option<f64>,
}

/// The range a y axis shows: the data's `extent` widened by the soft limits, its free ends
/// rounded out to a tick step (a lower end just above zero becomes zero), then replaced by
/// `min`/`max` where they are set. No data gives 0 to 1; a flat line gets room around it.
pub fn y_range(extent: Option<(f64, f64)>, limits: AxisLimits, binary: bool) -> (f64, f64) {
    let (mut lo, mut hi) = extent.unwrap_or((0.0, 1.0));
    if let Some(s) = limits.soft_min {
        lo = lo.min(s);
    }
    if let Some(s) = limits.soft_max {
        hi = hi.max(s);
    }
    if let Some(m) = limits.min {
        hi = hi.max(m);
    }
    if let Some(m) = limits.max {
        lo = lo.min(m);
    }
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        (lo - lo.abs() * 0.1, hi + hi.abs() * 0.1)
    };
    let step = nice_step((hi - lo) / 5.0, binary);
    let lo = limits.min.unwrap_or(if limits.soft_min == Some(lo) {
        lo
    } else if lo >= 0.0 && lo < step {
        0.0
    } else {
        (lo / step).floor() * step
    });
    let hi = limits.max.unwrap_or(if limits.soft_max == Some(hi) {
        hi
    } else {
        (hi / step).ceil() * step
    });
    if hi > lo {
        (lo, hi)
    } else {
        (lo, lo + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn style_defaults_and_a_migrated_graph() {
        assert_eq!(
            SeriesStyle::from_custom(&Value::Null),
            SeriesStyle::default()
        );
        let s = SeriesStyle::from_custom(&json!({
            "drawStyle": "bars", "lineWidth": 2, "fillOpacity": 10, "gradientMode": "opacity",
            "showPoints": "never", "pointSize": 5, "lineInterpolation": "stepAfter",
            "stacking": {"mode": "percent", "group": "B"}, "axisPlacement": "right",
            "axisSoftMin": 0, "axisSoftMax": "100", "transform": "negative-Y",
            "spanNulls": true, "hideFrom": {"viz": false, "legend": true, "tooltip": false},
            "lineStyle": {"fill": "dash", "dash": [10, 10]}
        }));
        assert_eq!(s.draw, DrawStyle::Bars);
        assert_eq!(s.line_width, 2.0);
        assert!((s.fill_opacity - 0.1).abs() < 1e-12);
        assert!(s.gradient);
        assert_eq!(s.show_points, ShowPoints::Never);
        assert_eq!(s.interpolation, Interpolation::StepAfter);
        assert_eq!(s.stack, StackMode::Percent);
        assert_eq!(s.stack_group, "B");
        assert_eq!(s.axis, AxisPlacement::Right);
        assert_eq!((s.soft_min, s.soft_max), (Some(0.0), Some(100.0)));
        assert!(s.negative_y);
        assert_eq!(s.span_nulls, Some(i64::MAX));
        assert!(!s.hide_viz && s.hide_legend && !s.hide_tooltip);
        assert_eq!(s.dash, vec![10.0, 10.0]);
        // Out of range values are bounded, nonsense keeps the default.
        let s =
            SeriesStyle::from_custom(&json!({"fillOpacity": 500, "lineWidth": -3, "drawStyle": 7}));
        assert_eq!(
            (s.fill_opacity, s.line_width, s.draw),
            (1.0, 0.0, DrawStyle::Line)
        );
    }

    #[test]
    fn gaps_follow_the_step_or_span_nulls() {
        let mut s = SeriesStyle::default();
        assert_eq!(s.max_gap_ms(10_000), 15_000);
        assert_eq!(s.max_gap_ms(0), i64::MAX);
        s.span_nulls = Some(60_000);
        assert_eq!(s.max_gap_ms(10_000), 60_000);
        s.span_nulls = Some(i64::MAX);
        assert_eq!(s.max_gap_ms(10_000), i64::MAX);
    }

    #[test]
    fn points_shown_when_sparse() {
        let s = SeriesStyle::default();
        assert!(s.points_shown(50, 1000.0));
        assert!(!s.points_shown(1000, 1000.0));
        let p = SeriesStyle {
            draw: DrawStyle::Points,
            ..SeriesStyle::default()
        };
        assert!(p.points_shown(1_000_000, 100.0));
    }

    #[test]
    fn thresholds_styles() {
        assert_eq!(
            thresholds_style(&json!({"thresholdsStyle": {"mode": "off"}})),
            ThresholdsStyle::Off
        );
        let s = thresholds_style(&json!({"thresholdsStyle": {"mode": "dashed+area"}}));
        assert_eq!((s.line(), s.area()), (Some(true), true));
        let s = thresholds_style(&json!({"thresholdsStyle": {"mode": "line"}}));
        assert_eq!((s.line(), s.area()), (Some(false), false));
        assert_eq!(thresholds_style(&Value::Null), ThresholdsStyle::Off);
    }

    fn key(percent: bool) -> StackKey {
        StackKey {
            group: "A".into(),
            axis: 0,
            downwards: false,
            percent,
        }
    }

    #[test]
    fn normal_stacking_sums_by_time_and_keeps_gaps() {
        let a = [(0, 1.0), (10, 2.0), (20, f64::NAN), (30, 4.0)];
        let b = [(0, 10.0), (10, 20.0), (20, 30.0)];
        let c = [(0, 5.0)];
        let k = key(false);
        let out = stack(&[(&a, Some(&k)), (&c, None), (&b, Some(&k))]);
        let (a_s, a_on) = out[0].clone().unwrap();
        assert_eq!(a_on, None);
        assert_eq!(a_s[..2], [(0, 1.0), (10, 2.0)]);
        assert!(a_s[2].1.is_nan());
        assert_eq!(out[1], None);
        let (b_s, b_on) = out[2].clone().unwrap();
        assert_eq!(b_on, Some(0));
        // At 20 the first series has a gap: the second stacks on nothing there.
        assert_eq!(b_s, vec![(0, 11.0), (10, 22.0), (20, 30.0)]);
    }

    #[test]
    fn groups_stack_apart() {
        let a = [(0, 1.0)];
        let b = [(0, 2.0)];
        let ka = key(false);
        let kb = StackKey {
            group: "B".into(),
            ..key(false)
        };
        let out = stack(&[(&a, Some(&ka)), (&b, Some(&kb))]);
        assert_eq!(out[1].clone().unwrap(), (vec![(0, 2.0)], None));
    }

    #[test]
    fn percent_stacking_reaches_one() {
        let a = [(0, 1.0), (10, 0.0)];
        let b = [(0, 3.0), (10, 0.0)];
        let k = key(true);
        let out = stack(&[(&a, Some(&k)), (&b, Some(&k))]);
        assert_eq!(out[0].clone().unwrap().0, vec![(0, 0.25), (10, 0.0)]);
        assert_eq!(out[1].clone().unwrap().0, vec![(0, 1.0), (10, 0.0)]);
    }

    #[test]
    fn stack_direction_and_negative_y() {
        let mut s = SeriesStyle {
            stack: StackMode::Normal,
            ..SeriesStyle::default()
        };
        assert!(!StackKey::of(&s, &[(0, 1.0), (1, -1.0)]).unwrap().downwards);
        assert!(StackKey::of(&s, &[(0, -1.0), (1, 0.0)]).unwrap().downwards);
        s.negative_y = true;
        assert!(StackKey::of(&s, &[(0, 1.0)]).unwrap().downwards);
        s.stack = StackMode::None;
        assert_eq!(StackKey::of(&s, &[(0, 1.0)]), None);
        let n = negate(&[(0, 2.0), (1, f64::NAN)]);
        assert_eq!(n[0], (0, -2.0));
        assert!(n[1].1.is_nan());
    }

    #[test]
    fn extent_skips_gaps() {
        assert_eq!(
            extent([f64::NAN, 3.0, -1.0, f64::INFINITY]),
            Some((-1.0, 3.0))
        );
        assert_eq!(extent([f64::NAN]), None);
    }

    #[test]
    fn y_range_rounds_free_ends_and_honours_limits() {
        let free = AxisLimits::default();
        // Rounded out to the tick step; a low end just above zero starts at zero.
        assert_eq!(y_range(Some((3.0, 97.0)), free, false), (0.0, 100.0));
        assert_eq!(y_range(Some((-13.0, 41.0)), free, false), (-20.0, 60.0));
        assert_eq!(y_range(None, free, false), (0.0, 1.0));
        // A flat line gets room around it.
        assert_eq!(y_range(Some((10.0, 10.0)), free, false), (9.0, 11.0));
        // Fixed ends win over the data.
        let fixed = AxisLimits {
            min: Some(0.0),
            max: Some(1.0),
            ..free
        };
        assert_eq!(y_range(Some((0.2, 3.0)), fixed, false), (0.0, 1.0));
        // Soft ends: the axis reaches them, and data beyond them widens it.
        let soft = AxisLimits {
            soft_min: Some(0.0),
            soft_max: Some(100.0),
            ..free
        };
        assert_eq!(y_range(Some((20.0, 30.0)), soft, false), (0.0, 100.0));
        assert_eq!(y_range(Some((20.0, 130.0)), soft, false), (0.0, 150.0));
        // A min above all the data still gives a range.
        let above = AxisLimits {
            min: Some(10.0),
            ..free
        };
        let (lo, hi) = y_range(Some((1.0, 2.0)), above, false);
        assert_eq!(lo, 10.0);
        assert!(hi > lo);
    }
}
