//! The time series panel: lines drawn with plotters on a `<canvas>` (sized to the panel, sharp on
//! high-DPI screens, redrawn on resize), a legend below and a hover tooltip.
//!
//! Each line is decimated to at most four points per pixel column before it is drawn
//! ([`kubeglass_shared::decimate::m4`]): the same picture from a million points as from all of
//! them, at the cost of a few thousand. A refresh that brings the same data, at the same size
//! and theme, draws nothing.

use crate::app::Theme;
use crate::components::element_size::element_size;
use crate::components::panel::PanelData;
use kubeglass_shared::colors::{hex_rgb, series_color};
use kubeglass_shared::decimate::m4;
use kubeglass_shared::model::Panel;
use kubeglass_shared::time::{format_axis_time, format_utc, time_ticks};
use kubeglass_shared::units::{format_value, is_binary_unit, nice_step, nice_ticks};
use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use std::sync::Arc;

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

/// Y axis bounds: the panel's `min`/`max` when set, else the data's extent widened to round
/// tick values.
fn y_bounds(data: &PanelData, min: Option<f64>, max: Option<f64>, binary: bool) -> (f64, f64) {
    let values = data
        .series
        .iter()
        .flat_map(|s| s.series.points.iter().map(|(_, v)| *v))
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        (lo - lo.abs() * 0.1, hi + hi.abs() * 0.1)
    };
    let step = nice_step((hi - lo) / 5.0, binary);
    let lo = min.unwrap_or_else(|| {
        if lo >= 0.0 && lo < step {
            0.0
        } else {
            (lo / step).floor() * step
        }
    });
    let hi = max.unwrap_or_else(|| (hi / step).ceil() * step);
    if hi > lo {
        (lo, hi)
    } else {
        (lo, lo + 1.0)
    }
}

/// The runs of `points` a line may join, as [`kubeglass_shared::frame::Series::segments`]
/// splits them (at a NaN, or a jump of more than 1.5 steps), but as slices: a million points are
/// not copied before they are decimated.
fn runs(points: &[(i64, f64)], step_ms: i64) -> Vec<&[(i64, f64)]> {
    let max_gap = if step_ms > 0 {
        step_ms + step_ms / 2
    } else {
        i64::MAX
    };
    let mut out = Vec::new();
    let mut start = None::<usize>;
    for (i, &(t, v)) in points.iter().enumerate() {
        if !v.is_finite() {
            if let Some(s) = start.take() {
                out.push(&points[s..i]);
            }
            continue;
        }
        match start {
            Some(s) if t - points[i - 1].0 > max_gap => {
                out.push(&points[s..i]);
                start = Some(i);
            }
            Some(_) => {}
            None => start = Some(i),
        }
    }
    if let Some(s) = start {
        out.push(&points[s..]);
    }
    out
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
    // Setting the size also clears the canvas.
    canvas.set_width((w * dpr).round() as u32);
    canvas.set_height((h * dpr).round() as u32);
    let s = |v: f64| (v * dpr).round() as i32;
    let backend = CanvasBackend::with_canvas_object(canvas.clone())?;
    let root = backend.into_drawing_area();
    let d = &panel.defaults;
    let unit = d.unit.as_deref();
    let binary = is_binary_unit(unit);
    let (y_min, y_max) = y_bounds(data, d.min, d.max, binary);
    let y_ticks = nice_ticks(y_min, y_max, ((h / 40.0) as usize).clamp(2, 8), binary);
    let labels: Vec<String> = y_ticks
        .iter()
        .map(|v| format_value(*v, unit, d.decimals).to_string())
        .collect();
    let label_w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64 * 6.5 + 10.0;
    let (from_ms, to_ms) = (data.range.from_ms, data.range.to_ms);

    let text_color = if light {
        RGBColor(70, 74, 82)
    } else {
        RGBColor(204, 204, 220)
    };
    let grid_color = if light {
        RGBColor(226, 228, 232)
    } else {
        RGBColor(44, 48, 56)
    };
    let font = ("sans-serif", f64::from(s(11.0)))
        .into_font()
        .color(&text_color);

    let mut chart = ChartBuilder::on(&root)
        .margin_top(s(6.0))
        .margin_right(s(10.0))
        .x_label_area_size(s(20.0))
        .y_label_area_size(s(label_w))
        .build_cartesian_2d(from_ms..to_ms, y_min..y_max)
        .ok()?;
    let (px, py) = chart.plotting_area().get_pixel_range();

    for (v, label) in y_ticks.iter().zip(&labels) {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(from_ms, *v), (to_ms, *v)],
                grid_color.stroke_width(1),
            )))
            .ok()?;
        let (_, y) = chart.backend_coord(&(from_ms, *v));
        root.draw(&Text::new(
            label.clone(),
            (px.start - s(6.0), y),
            font.pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .ok()?;
    }
    let max_x_ticks = ((w - label_w) / 80.0).max(2.0) as usize;
    for t in time_ticks(from_ms, to_ms, max_x_ticks) {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(t, y_min), (t, y_max)],
                grid_color.stroke_width(1),
            )))
            .ok()?;
        let (x, _) = chart.backend_coord(&(t, y_min));
        root.draw(&Text::new(
            format_axis_time(t, to_ms - from_ms),
            (x, py.end + s(4.0)),
            font.pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .ok()?;
    }

    // One column per device pixel of the plotting area.
    let columns = (px.end - px.start).max(1) as usize;
    for (i, named) in data.series.iter().enumerate() {
        let (r, g, b) = hex_rgb(series_color(i)).unwrap_or((115, 191, 105));
        let color = RGBColor(r, g, b);
        for segment in runs(&named.series.points, data.step_ms) {
            // Values outside fixed min/max are pinned to the edge rather than drawn outside.
            let points: Vec<(i64, f64)> = m4(segment, from_ms, to_ms, columns)
                .into_iter()
                .map(|(t, v)| (t, v.clamp(y_min, y_max)))
                .collect();
            if points.len() == 1 {
                chart
                    .draw_series(std::iter::once(Circle::new(
                        points[0],
                        s(1.5),
                        color.filled(),
                    )))
                    .ok()?;
            } else {
                chart
                    .draw_series(LineSeries::new(
                        points,
                        color.stroke_width(s(1.0).max(1) as u32),
                    ))
                    .ok()?;
            }
        }
    }
    root.present().ok()?;
    Some(PlotArea {
        left: f64::from(px.start) / dpr,
        right: f64::from(px.end) / dpr,
        top: f64::from(py.start) / dpr,
        bottom: f64::from(py.end) / dpr,
        from_ms,
        to_ms,
    })
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

    let unit = panel.defaults.unit.clone();
    let decimals = panel.defaults.decimals;
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
        let rows = d
            .series
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let (_, v) = s.series.nearest(t)?;
                Some((
                    series_color(i).to_string(),
                    s.name.clone(),
                    format_value(v, unit.as_deref(), decimals).to_string(),
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

    let legend = Memo::new(move |_| {
        data.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.series
                        .iter()
                        .enumerate()
                        .map(|(i, s)| (series_color(i), s.name.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });

    view! {
        <div class="kg-ts">
            <div class="kg-ts-plot" node_ref=plot_ref on:mousemove=on_move on:mouseleave=move |_| hover.set(None)>
                <canvas class="kg-ts-canvas" node_ref=canvas_ref></canvas>
                {move || {
                    hover
                        .get()
                        .map(|h| {
                            let left = if h.x > h.width / 2.0 { format!("right:{}px", (h.width - h.x + 12.0).max(0.0)) } else { format!("left:{}px", h.x + 12.0) };
                            view! {
                                <div class="kg-tooltip" style=format!("{left};top:{}px", (h.y - 10.0).max(0.0))>
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
            <div class="kg-legend">
                {move || {
                    legend
                        .get()
                        .into_iter()
                        .map(|(color, name)| {
                            view! {
                                <span class="kg-legend-item">
                                    <span class="kg-swatch" style=format!("background:{color}")></span>
                                    {name}
                                </span>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </div>
    }
}
