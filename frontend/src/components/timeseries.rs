//! The time series panel: series drawn straight onto a `<canvas>` through its 2D context (sized
//! to the panel, sharp on high-DPI screens, redrawn on resize), a legend below and a hover
//! tooltip. It draws what Grafana's time series panel draws from a field's `custom` settings
//! ([`kubeglass_shared::panels::chart`]): lines, bars or points, line width and dashes, fill (flat or
//! fading), stacking by group (normal or percent), a left, right or hidden axis per series with
//! soft and hard limits, threshold lines and areas, per-series colours from overrides, hidden
//! series and `negative-Y`.
//!
//! Each line is decimated to at most four points per pixel column before it is drawn
//! ([`kubeglass_shared::data::decimate::m4_into`]): the same picture from a million points as from
//! all of them, at the cost of a few thousand canvas calls. Points are turned into pixels here,
//! in Rust, and the canvas receives only the path. A refresh that brings the same data, at the
//! same size and theme, draws nothing.

use crate::app::Theme;
use crate::components::element_size::element_size;
use crate::components::panel::PanelData;
use kubeglass_shared::data::decimate::m4_into;
use kubeglass_shared::data::frame::FieldKind;
use kubeglass_shared::display::colors::{css_color, hex_rgb};
use kubeglass_shared::display::field::{field_config, FieldRef};
use kubeglass_shared::display::legend::{legend_options, LegendMode};
use kubeglass_shared::display::units::{format_value, is_binary_unit, nice_ticks};
use kubeglass_shared::model::Panel;
use kubeglass_shared::panels::chart::{
    self, AxisLimits, AxisPlacement, DrawStyle, Interpolation, SeriesStyle, StackKey, StackMode,
};
use kubeglass_shared::time::{format_axis_time, format_utc, time_ticks};
use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use std::borrow::Cow;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::CanvasRenderingContext2d;

/// The plotting area inside the canvas, in CSS pixels, and the ranges it shows: what the
/// tooltip needs to turn a mouse position into a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PlotArea {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    from_ms: i64,
    to_ms: i64,
}

/// How one series looks: its field settings after overrides, as the drawing, the legend and the
/// tooltip need them.
#[derive(Debug, Clone, PartialEq)]
struct Look {
    /// A CSS colour.
    color: String,
    style: SeriesStyle,
    unit: Option<String>,
    decimals: Option<usize>,
    min: Option<f64>,
    max: Option<f64>,
}

fn looks(panel: &Panel, data: &PanelData) -> Vec<Look> {
    let range = data.value_range();
    data.series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let config = field_config(
                panel,
                FieldRef {
                    name: &s.name,
                    ref_id: &s.ref_id,
                    kind: FieldKind::Number,
                },
            );
            // Grafana's series colour: its place in the palette (the time series' default),
            // a fixed colour, or by value (thresholds, a continuous scheme) the colour of its
            // last value (or `seriesBy`'s).
            let values: Vec<f64> = s.series.points.iter().map(|p| p.1).collect();
            Look {
                color: config
                    .processor(FieldKind::Number, range, i, &s.name)
                    .series_color(&values),
                style: SeriesStyle::of(&config),
                unit: config.defaults.unit,
                decimals: config.defaults.decimals,
                min: config.defaults.min,
                max: config.defaults.max,
            }
        })
        .collect()
}

/// The y axes: left, right, and the scale of series whose axis is hidden.
const AXES: usize = 3;

fn axis_of(style: &SeriesStyle) -> usize {
    match style.axis {
        AxisPlacement::Left => 0,
        AxisPlacement::Right => 1,
        AxisPlacement::Hidden => 2,
    }
}

/// One y axis: its range and its labels.
#[derive(Debug, Clone, Default)]
struct YAxis {
    used: bool,
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    labels: Vec<String>,
}

/// Data to device pixels.
#[derive(Debug, Clone, Copy)]
struct Map {
    left: f64,
    from: i64,
    x_scale: f64,
    bottom: f64,
    lo: f64,
    y_scale: f64,
    /// Far outside the plot, where values are pinned (the clip hides them; the canvas never
    /// sees huge coordinates).
    y_min: f64,
    y_max: f64,
}

impl Map {
    fn x(&self, t: i64) -> f64 {
        self.left + (t - self.from) as f64 * self.x_scale
    }

    fn y(&self, v: f64) -> f64 {
        (self.bottom - (v - self.lo) * self.y_scale).clamp(self.y_min, self.y_max)
    }
}

/// A CSS colour at an opacity, for gradient stops; `None` when the colour is not `#RRGGBB`.
fn rgba(color: &str, alpha: f64) -> Option<String> {
    let (r, g, b) = hex_rgb(color)?;
    Some(format!("rgba({r},{g},{b},{alpha:.3})"))
}

fn dashes(values: &[f64], dpr: f64) -> JsValue {
    let a = js_sys::Array::new();
    for v in values {
        a.push(&JsValue::from_f64(v * dpr));
    }
    a.into()
}

/// Adds the runs of `points` (split at NaN) to the current path as lines; returns the points
/// that are runs of their own, to be drawn as dots. Consecutive points that land on the same
/// spot are collapsed into one call.
fn trace(
    ctx: &CanvasRenderingContext2d,
    points: &[(i64, f64)],
    m: &Map,
    interp: Interpolation,
    singles: &mut Vec<(f64, f64)>,
) {
    let mut pen: Option<(f64, f64)> = None;
    let mut alone: Option<(f64, f64)> = None;
    for &(t, v) in points {
        if !v.is_finite() {
            if let Some(p) = alone.take() {
                singles.push(p);
            }
            pen = None;
            continue;
        }
        let (x, y) = (m.x(t), m.y(v));
        match pen {
            None => {
                ctx.move_to(x, y);
                alone = Some((x, y));
                pen = Some((x, y));
            }
            Some((px, py)) => {
                if (x - px).abs() < 0.25 && (y - py).abs() < 0.25 {
                    continue;
                }
                alone = None;
                match interp {
                    Interpolation::Linear => {}
                    Interpolation::StepAfter => ctx.line_to(x, py),
                    Interpolation::StepBefore => ctx.line_to(px, y),
                }
                ctx.line_to(x, y);
                pen = Some((x, y));
            }
        }
    }
    if let Some(p) = alone {
        singles.push(p);
    }
}

/// The runs of `points` between gaps, as index ranges.
fn runs(points: &[(i64, f64)]) -> impl Iterator<Item = &[(i64, f64)]> {
    points
        .split(|(_, v)| !v.is_finite())
        .filter(|r| !r.is_empty())
}

/// Draws the chart; returns where the plotting area ended up. `pub(crate)` for the renderer
/// benchmark page, which times exactly this.
pub(crate) fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    (w, h): (f64, f64),
    data: &PanelData,
    panel: &Panel,
    light: bool,
) -> Option<PlotArea> {
    let dpr = window().device_pixel_ratio().max(1.0);
    let (cw, ch) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
    // Setting the size clears the canvas (and reallocates it): only when it changed.
    if canvas.width() != cw {
        canvas.set_width(cw);
    }
    if canvas.height() != ch {
        canvas.set_height(ch);
    }
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0).ok()?;
    ctx.clear_rect(0.0, 0.0, f64::from(cw), f64::from(ch));

    let (from_ms, to_ms) = (
        data.range.from_ms,
        data.range.to_ms.max(data.range.from_ms + 1),
    );
    let looks = looks(panel, data);

    // Values as drawn: negated for `negative-Y`, then stacked.
    let values: Vec<Cow<[(i64, f64)]>> = data
        .series
        .iter()
        .zip(&looks)
        .map(|(s, l)| {
            if l.style.negative_y {
                Cow::Owned(chart::negate(&s.series.points))
            } else {
                Cow::Borrowed(s.series.points.as_slice())
            }
        })
        .collect();
    let keys: Vec<Option<StackKey>> = values
        .iter()
        .zip(&looks)
        .map(|(v, l)| {
            if l.style.hide_viz {
                None
            } else {
                StackKey::of(&l.style, v)
            }
        })
        .collect();
    let mut below = vec![None::<usize>; values.len()];
    let mut values = values;
    if keys.iter().any(Option::is_some) {
        #[allow(clippy::type_complexity)]
        let input: Vec<(&[(i64, f64)], Option<&StackKey>)> = values
            .iter()
            .zip(&keys)
            .map(|(v, k)| (&**v, k.as_ref()))
            .collect();
        let stacked = chart::stack(&input);
        for (i, s) in stacked.into_iter().enumerate() {
            if let Some((points, on)) = s {
                values[i] = Cow::Owned(points);
                below[i] = on;
            }
        }
    }

    // Decimated over the canvas's device pixel columns: the plot is narrower, so every one
    // of its columns still keeps its first, last, lowest and highest point.
    let columns = cw.max(1) as usize;
    let decimated: Vec<Vec<(i64, f64)>> = values
        .iter()
        .zip(&looks)
        .map(|(v, l)| {
            let mut out = Vec::new();
            if !l.style.hide_viz {
                m4_into(
                    v,
                    from_ms,
                    to_ms,
                    columns,
                    l.style.max_gap_ms(data.step_ms),
                    &mut out,
                );
            }
            out
        })
        .collect();

    // The y axes, each from its own series.
    let d = &panel.defaults;
    let tick_count = ((h / 40.0) as usize).clamp(2, 8);
    let mut axes: [YAxis; AXES] = Default::default();
    for (a, axis) in axes.iter_mut().enumerate() {
        let on: Vec<usize> = (0..looks.len())
            .filter(|&i| !looks[i].style.hide_viz && axis_of(&looks[i].style) == a)
            .collect();
        axis.used = !on.is_empty() || a == 0;
        let first = on.first().map(|&i| &looks[i]);
        let percent = !on.is_empty()
            && on
                .iter()
                .all(|&i| looks[i].style.stack == StackMode::Percent);
        let unit = first
            .map_or(d.unit.clone(), |l| l.unit.clone())
            .or_else(|| percent.then(|| "percentunit".to_string()));
        let decimals = first.map_or(d.decimals, |l| l.decimals);
        let binary = is_binary_unit(unit.as_deref());
        let extent = chart::extent(on.iter().flat_map(|&i| decimated[i].iter().map(|p| p.1)));
        let soft = |f: fn(&SeriesStyle) -> Option<f64>| on.iter().find_map(|&i| f(&looks[i].style));
        let mut limits = AxisLimits {
            min: first.map_or(d.min, |l| l.min),
            max: first.map_or(d.max, |l| l.max),
            soft_min: soft(|s| s.soft_min),
            soft_max: soft(|s| s.soft_max),
        };
        if percent {
            let down = extent.is_some_and(|(lo, _)| lo < 0.0);
            let up = extent.is_none_or(|(_, hi)| hi > 0.0);
            limits.soft_min = limits.soft_min.or(Some(if down { -1.0 } else { 0.0 }));
            limits.soft_max = limits.soft_max.or(Some(if up { 1.0 } else { 0.0 }));
        }
        let (lo, hi) = chart::y_range(extent, limits, binary);
        axis.lo = lo;
        axis.hi = hi;
        axis.ticks = nice_ticks(lo, hi, tick_count, binary);
        axis.labels = axis
            .ticks
            .iter()
            .map(|v| format_value(*v, unit.as_deref(), decimals).to_string())
            .collect();
    }
    let label_w = |a: &YAxis| {
        a.labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(1) as f64
            * 6.5
            + 10.0
    };
    let show_left = axes[0].used;
    let show_right = axes[1].used;
    let left_css = if show_left { label_w(&axes[0]) } else { 10.0 };
    let right_css = if show_right { label_w(&axes[1]) } else { 10.0 };
    let (left, right) = (
        (left_css * dpr).round(),
        (f64::from(cw) - right_css * dpr).round(),
    );
    let (top, bottom) = ((6.0 * dpr).round(), (f64::from(ch) - 20.0 * dpr).round());
    if right <= left || bottom <= top {
        return None;
    }
    let map_for = |a: &YAxis| Map {
        left,
        from: from_ms,
        x_scale: (right - left) / (to_ms - from_ms) as f64,
        bottom,
        lo: a.lo,
        y_scale: (bottom - top) / (a.hi - a.lo),
        y_min: top - 4.0 * (bottom - top),
        y_max: bottom + 4.0 * (bottom - top),
    };
    let maps: Vec<Map> = axes.iter().map(map_for).collect();
    let grid_axis = if show_left || !show_right { 0 } else { 1 };

    let text = if light {
        "rgb(70,74,82)"
    } else {
        "rgb(204,204,220)"
    };
    let grid = if light {
        "rgb(226,228,232)"
    } else {
        "rgb(44,48,56)"
    };

    // Grid: one path.
    let x_ticks = time_ticks(
        from_ms,
        to_ms,
        (((right - left) / dpr) / 80.0).max(2.0) as usize,
    );
    ctx.begin_path();
    for v in &axes[grid_axis].ticks {
        let y = maps[grid_axis].y(*v).round() + 0.5;
        ctx.move_to(left, y);
        ctx.line_to(right, y);
    }
    for t in &x_ticks {
        let x = maps[0].x(*t).round() + 0.5;
        ctx.move_to(x, top);
        ctx.line_to(x, bottom);
    }
    ctx.set_line_width(1.0);
    ctx.set_stroke_style_str(grid);
    ctx.stroke();

    // Labels.
    ctx.set_font(&format!("{}px sans-serif", (11.0 * dpr).round()));
    ctx.set_fill_style_str(text);
    ctx.set_text_baseline("middle");
    for (a, x, align) in [
        (0, left - 6.0 * dpr, "right"),
        (1, right + 6.0 * dpr, "left"),
    ] {
        if !axes[a].used || (a == 0 && !show_left) {
            continue;
        }
        ctx.set_text_align(align);
        for (v, label) in axes[a].ticks.iter().zip(&axes[a].labels) {
            let _ = ctx.fill_text(label, x, maps[a].y(*v));
        }
    }
    ctx.set_text_align("center");
    ctx.set_text_baseline("top");
    for t in &x_ticks {
        let _ = ctx.fill_text(
            &format_axis_time(*t, to_ms - from_ms),
            maps[0].x(*t),
            bottom + 4.0 * dpr,
        );
    }

    // Everything else stays inside the plotting area.
    ctx.save();
    ctx.begin_path();
    ctx.rect(left, top, right - left, bottom - top);
    ctx.clip();

    // Thresholds, behind the series, on the first axis.
    let style = chart::thresholds_style(&d.custom);
    if style != chart::ThresholdsStyle::Off && !d.thresholds.is_empty() {
        let m = maps[grid_axis];
        let a = &axes[grid_axis];
        let at = |v: f64| {
            if d.thresholds_percentage {
                a.lo + (a.hi - a.lo) * v / 100.0
            } else {
                v
            }
        };
        if style.area() {
            ctx.set_global_alpha(0.15);
            for (i, step) in d.thresholds.iter().enumerate() {
                let lo = step.value.map_or(bottom, |v| m.y(at(v)).min(bottom));
                let hi = d.thresholds[i + 1..]
                    .iter()
                    .find_map(|s| s.value)
                    .map_or(top, |v| m.y(at(v)).max(top));
                if lo > hi {
                    ctx.set_fill_style_str(&css_color(&step.color));
                    ctx.fill_rect(left, hi, right - left, lo - hi);
                }
            }
            ctx.set_global_alpha(1.0);
        }
        if let Some(dashed) = style.line() {
            ctx.set_line_width(dpr);
            if dashed {
                let _ = ctx.set_line_dash(&dashes(&[10.0, 10.0], dpr));
            }
            for step in &d.thresholds {
                if let Some(v) = step.value {
                    let y = m.y(at(v)).round() + 0.5;
                    ctx.begin_path();
                    ctx.move_to(left, y);
                    ctx.line_to(right, y);
                    ctx.set_stroke_style_str(&css_color(&step.color));
                    ctx.stroke();
                }
            }
            let _ = ctx.set_line_dash(&js_sys::Array::new());
        }
    }

    let plot_w_css = (right - left) / dpr;
    let mut singles = Vec::new();
    for (i, look) in looks.iter().enumerate() {
        let st = &look.style;
        if st.hide_viz {
            continue;
        }
        let points = &decimated[i];
        if points.is_empty() {
            continue;
        }
        let m = maps[axis_of(st)];
        let color = look.color.as_str();
        let zero = m.y(0.0).clamp(top, bottom);

        // Fill: down to zero, or to the series this one is stacked on.
        if st.fill_opacity > 0.0 && st.draw == DrawStyle::Line {
            ctx.begin_path();
            for run in runs(points) {
                let (first, last) = (run[0], run[run.len() - 1]);
                let base = below[i].map(|b| &decimated[b]);
                if base.is_some() {
                    ctx.move_to(m.x(first.0), m.y(first.1));
                } else {
                    ctx.move_to(m.x(first.0), zero);
                }
                trace_on(&ctx, run, &m, st.interpolation);
                match base {
                    Some(base) => {
                        for &(t, v) in base.iter().rev() {
                            if t >= first.0 && t <= last.0 && v.is_finite() {
                                ctx.line_to(m.x(t), m.y(v));
                            }
                        }
                    }
                    None => ctx.line_to(m.x(last.0), zero),
                }
                ctx.close_path();
            }
            let gradient = st
                .gradient
                .then(|| {
                    let g = ctx.create_linear_gradient(0.0, top, 0.0, bottom);
                    g.add_color_stop(0.0, &rgba(color, st.fill_opacity)?).ok()?;
                    g.add_color_stop(1.0, &rgba(color, 0.0)?).ok()?;
                    Some(g)
                })
                .flatten();
            match gradient {
                Some(g) => ctx.set_fill_style_canvas_gradient(&g),
                None => {
                    ctx.set_fill_style_str(color);
                    ctx.set_global_alpha(st.fill_opacity);
                }
            }
            ctx.fill();
            ctx.set_global_alpha(1.0);
        }

        if st.draw == DrawStyle::Bars {
            let step_px = if data.step_ms > 0 {
                data.step_ms as f64 * m.x_scale
            } else {
                (right - left) / points.len().max(1) as f64
            };
            let bw = (step_px * st.bar_width).max(dpr);
            let base_points = below[i].map(|b| &*values[b]);
            ctx.begin_path();
            for &(t, v) in points.iter().filter(|p| p.1.is_finite()) {
                let base = base_points
                    .and_then(|b| b.binary_search_by_key(&t, |p| p.0).ok().map(|k| b[k].1))
                    .filter(|v| v.is_finite())
                    .map_or(zero, |v| m.y(v));
                let y = m.y(v);
                ctx.rect(m.x(t) - bw / 2.0, y.min(base), bw, (y - base).abs());
            }
            ctx.set_fill_style_str(color);
            ctx.set_global_alpha(if st.fill_opacity > 0.0 {
                st.fill_opacity
            } else {
                1.0
            });
            ctx.fill();
            ctx.set_global_alpha(1.0);
            if st.line_width > 0.0 && st.fill_opacity > 0.0 {
                ctx.set_line_width(st.line_width * dpr);
                ctx.set_stroke_style_str(color);
                ctx.stroke();
            }
        }

        singles.clear();
        if st.draw == DrawStyle::Line && st.line_width > 0.0 {
            ctx.begin_path();
            trace(&ctx, points, &m, st.interpolation, &mut singles);
            ctx.set_line_width((st.line_width * dpr).max(1.0));
            ctx.set_stroke_style_str(color);
            if !st.dash.is_empty() {
                let _ = ctx.set_line_dash(&dashes(&st.dash, dpr));
                // Dots are dashes of length zero: only round caps show them.
                if st.dash.contains(&0.0) {
                    ctx.set_line_cap("round");
                }
            }
            ctx.stroke();
            if !st.dash.is_empty() {
                let _ = ctx.set_line_dash(&js_sys::Array::new());
                ctx.set_line_cap("butt");
            }
        }

        // Points, and the lone points of a line (which no line segment shows).
        let shown = st.points_shown(points.len(), plot_w_css);
        if shown || !singles.is_empty() {
            let r = if shown {
                st.point_size / 2.0
            } else {
                (st.line_width + 1.0).max(1.5)
            } * dpr;
            ctx.begin_path();
            let dot = |x: f64, y: f64| {
                ctx.move_to(x + r, y);
                let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
            };
            if shown {
                for &(t, v) in points.iter().filter(|p| p.1.is_finite()) {
                    dot(m.x(t), m.y(v));
                }
            } else {
                for &(x, y) in &singles {
                    dot(x, y);
                }
            }
            ctx.set_fill_style_str(color);
            ctx.fill();
        }
    }
    ctx.restore();

    Some(PlotArea {
        left: left / dpr,
        right: right / dpr,
        top: top / dpr,
        bottom: bottom / dpr,
        from_ms,
        to_ms,
    })
}

/// [`trace`] continuing a path that already has a current point (a fill's edge).
fn trace_on(ctx: &CanvasRenderingContext2d, run: &[(i64, f64)], m: &Map, interp: Interpolation) {
    let mut prev: Option<(f64, f64)> = None;
    for &(t, v) in run {
        let (x, y) = (m.x(t), m.y(v));
        if let Some((px, py)) = prev {
            match interp {
                Interpolation::Linear => {}
                Interpolation::StepAfter => ctx.line_to(x, py),
                Interpolation::StepBefore => ctx.line_to(px, y),
            }
        }
        ctx.line_to(x, y);
        prev = Some((x, y));
    }
}

/// Where a chart's hover tooltip goes, as a `style`: beside the pointer at (`x`, `y`) in a plot
/// `width` wide, on the side with more room.
pub(crate) fn tooltip_style(x: f64, y: f64, width: f64) -> String {
    let side = if x > width / 2.0 {
        format!("right:{}px", (width - x + 12.0).max(0.0))
    } else {
        format!("left:{}px", x + 12.0)
    };
    format!("{side};top:{}px", (y - 10.0).max(0.0))
}

/// One series in the legend: its colour, name, and the calcs' values (raw and shown).
#[derive(Debug, Clone, PartialEq)]
struct LegendRow {
    color: String,
    name: String,
    values: Vec<Option<f64>>,
    shown: Vec<String>,
}

/// What the tooltip shows for a hover position.
#[derive(Debug, Clone, PartialEq)]
struct Hover {
    x: f64,
    y: f64,
    width: f64,
    time: String,
    rows: Vec<(String, String, String)>,
}

#[component]
pub fn TimeSeries(panel: Arc<Panel>, data: RwSignal<Option<Arc<PanelData>>>) -> impl IntoView {
    let theme = expect_context::<Theme>();
    let plot_ref = NodeRef::<Div>::new();
    let canvas_ref = NodeRef::<Canvas>::new();
    let size = element_size(plot_ref);
    let area = RwSignal::new(None::<PlotArea>);
    let hover = RwSignal::new(None::<Hover>);

    {
        let panel = panel.clone();
        // What the canvas shows now: a refresh that brings equal data draws nothing.
        let mut drawn: Option<((f64, f64), bool, Arc<PanelData>)> = None;
        Effect::new(move |_| {
            let (w, h) = size.get();
            let light = theme.light.get();
            let (Some(canvas), Some(d)) = (canvas_ref.get(), data.get()) else {
                return;
            };
            if w < 10.0 || h < 10.0 {
                return;
            }
            if drawn.as_ref().is_some_and(|(s, l, old)| {
                *s == (w, h) && *l == light && (Arc::ptr_eq(old, &d) || **old == *d)
            }) {
                return;
            }
            area.set(draw(&canvas, (w, h), &d, &panel, light));
            drawn = Some(((w, h), light, d));
        });
    }

    let looks = {
        let panel = panel.clone();
        Memo::new(move |_| data.with(|d| d.as_ref().map(|d| looks(&panel, d)).unwrap_or_default()))
    };
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let (Some(a), Some(d)) = (area.get_untracked(), data.get_untracked()) else {
            return;
        };
        let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        if x < a.left || x > a.right || a.right <= a.left {
            hover.set(None);
            return;
        }
        let t =
            a.from_ms + ((x - a.left) / (a.right - a.left) * (a.to_ms - a.from_ms) as f64) as i64;
        let looks = looks.get_untracked();
        let rows = d
            .series
            .iter()
            .zip(&looks)
            .filter(|(_, l)| !l.style.hide_tooltip)
            .filter_map(|(s, l)| {
                let (_, v) = s.series.nearest(t)?;
                Some((
                    l.color.clone(),
                    s.name.clone(),
                    format_value(v, l.unit.as_deref(), l.decimals).to_string(),
                ))
            })
            .collect();
        let snapped = d
            .series
            .iter()
            .filter_map(|s| s.series.nearest(t))
            .map(|(pt, _)| pt)
            .min_by_key(|pt| (pt - t).abs())
            .unwrap_or(t);
        hover.set(Some(Hover {
            x,
            y,
            width: size.get_untracked().0,
            time: format_utc(snapped),
            rows,
        }));
    };

    // The legend: a list, or a table with the panel's calcs, below or right of the chart.
    let legend_opts = Arc::new(legend_options(&panel.options));
    let opts = legend_opts.clone();
    let legend = Memo::new(move |_| {
        let looks = looks.get();
        let mut rows: Vec<LegendRow> = data.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.series
                        .iter()
                        .zip(&looks)
                        .filter(|(_, l)| !l.style.hide_legend)
                        .map(|(s, l)| {
                            let values: Vec<Option<f64>> = opts
                                .calcs
                                .iter()
                                .map(|(r, _)| s.series.reduce(*r))
                                .collect();
                            LegendRow {
                                color: l.color.clone(),
                                name: s.name.clone(),
                                shown: values
                                    .iter()
                                    .map(|v| match v {
                                        Some(v) => format_value(*v, l.unit.as_deref(), l.decimals)
                                            .to_string(),
                                        None => "-".into(),
                                    })
                                    .collect(),
                                values,
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        });
        if let Some(by) = &opts.sort_by {
            let column = opts.calcs.iter().position(|(_, h)| h == by);
            kubeglass_shared::sort::sort_by(&mut rows, |a, b| {
                let order = match column {
                    Some(c) => a.values[c]
                        .unwrap_or(f64::NEG_INFINITY)
                        .total_cmp(&b.values[c].unwrap_or(f64::NEG_INFINITY)),
                    None => a.name.cmp(&b.name),
                };
                if opts.sort_desc {
                    order.reverse()
                } else {
                    order
                }
            });
        }
        rows
    });
    let legend_class = match (legend_opts.mode, legend_opts.right) {
        (LegendMode::Hidden, _) => "kg-ts",
        (_, true) => "kg-ts kg-ts-legend-right",
        _ => "kg-ts",
    };
    let headers: Vec<String> = legend_opts.calcs.iter().map(|(_, h)| h.clone()).collect();
    let legend_view = match legend_opts.mode {
        LegendMode::Hidden => ().into_any(),
        LegendMode::Table => {
            view! {
                <div class="kg-legend kg-legend-table" data-legend="table">
                    <table>
                        <thead>
                            <tr>
                                <th></th>
                                {headers.into_iter().map(|h| view! { <th>{h}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                legend
                                    .get()
                                    .into_iter()
                                    .map(|row| {
                                        view! {
                                            <tr class="kg-legend-row">
                                                <td class="kg-legend-name">
                                                    <span class="kg-swatch" style=format!("background:{}", row.color)></span>
                                                    {row.name}
                                                </td>
                                                {row.shown.into_iter().map(|v| view! { <td class="kg-legend-value">{v}</td> }).collect_view()}
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
            }
            .into_any()
        }
        LegendMode::List => view! {
            <div class="kg-legend" data-legend="list">
                {move || {
                    legend
                        .get()
                        .into_iter()
                        .map(|row| {
                            view! {
                                <span class="kg-legend-item">
                                    <span class="kg-swatch" style=format!("background:{}", row.color)></span>
                                    {row.name}
                                    {row.shown.into_iter().zip(headers.clone()).map(|(v, h)| view! { <span class="kg-legend-calc">{format!("{h}: {v}")}</span> }).collect_view()}
                                </span>
                            }
                        })
                        .collect_view()
                }}
            </div>
        }
        .into_any(),
    };

    view! {
        <div class=legend_class>
            <div class="kg-ts-plot" node_ref=plot_ref on:mousemove=on_move on:mouseleave=move |_| hover.set(None)>
                <canvas class="kg-ts-canvas" node_ref=canvas_ref></canvas>
                {move || {
                    hover
                        .get()
                        .map(|h| {
                            view! {
                                <div class="kg-tooltip" style=tooltip_style(h.x, h.y, h.width)>
                                    <div class="kg-tooltip-time">{h.time}</div>
                                    {h
                                        .rows
                                        .into_iter()
                                        .map(|(color, name, value)| {
                                            view! {
                                                <div class="kg-tooltip-row">
                                                    <span class="kg-swatch" style=format!("background:{color}")></span>
                                                    <span class="kg-tooltip-name">{name}</span>
                                                    <span class="kg-tooltip-value">{value}</span>
                                                </div>
                                            }
                                        })
                                        .collect_view()}
                                </div>
                            }
                        })
                }}
            </div>
            {legend_view}
        </div>
    }
}
