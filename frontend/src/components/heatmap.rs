//! The heatmap panel: Prometheus histogram buckets over time, each cell drawn straight on a
//! `<canvas>` (sized to the panel, sharp on high-DPI screens, redrawn on resize), with the
//! buckets on the y axis, time on the x axis, a hover tooltip (time, bucket, count) and a
//! colour legend below.
//!
//! What the cells are, their colours and the options are decided in
//! `kubeglass_shared::panels::heatmap`; this module only draws.

use crate::app::Theme;
use crate::components::element_size::element_size;
use crate::components::panel::PanelData;
use crate::components::timeseries::tooltip_style;
use kubeglass_shared::display::units::format_value;
use kubeglass_shared::model::Panel;
use kubeglass_shared::panels::heatmap::{
    bound_text, fill_index, heatmap_from_series, palette, HeatmapData, HeatmapOptions,
};
use kubeglass_shared::time::{format_axis_time, format_utc, time_ticks};
use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// Where the cells ended up, in CSS pixels: what the tooltip needs to find the cell under the
/// mouse.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Area {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    from_ms: i64,
    to_ms: i64,
}

/// The cells of a panel's data, or why there are none.
type Cells = Result<Arc<HeatmapData>, String>;

/// The CSS pixel height of one line of axis text.
const LINE: f64 = 14.0;

fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    (w, h): (f64, f64),
    cells: &HeatmapData,
    o: &HeatmapOptions,
    colors: &[String],
    (from_ms, to_ms): (i64, i64),
    light: bool,
) -> Option<Area> {
    let dpr = window().device_pixel_ratio().max(1.0);
    // Setting the size also clears the canvas.
    canvas.set_width((w * dpr).round() as u32);
    canvas.set_height((h * dpr).round() as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.scale(dpr, dpr).ok()?;
    let text_color = if light { "#464a52" } else { "#ccccdc" };
    ctx.set_font("11px sans-serif");
    ctx.set_fill_style_str(text_color);

    let rows = cells.buckets.len();
    // Bucket bounds on the y axis: the lower bound of the first row, then each upper bound.
    let bounds: Vec<String> = if rows == 0 {
        Vec::new()
    } else if cells.buckets.iter().any(|b| b.upper.is_nan()) {
        cells.buckets.iter().map(|b| b.label.clone()).collect()
    } else {
        std::iter::once(cells.lower_bound(0))
            .chain(cells.buckets.iter().map(|b| b.upper))
            .map(|v| bound_text(v, o))
            .collect()
    };
    let label_w = if o.y_axis_hidden {
        4.0
    } else {
        bounds.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64 * 6.5 + 10.0
    };
    let area = Area {
        left: label_w,
        right: (w - 10.0).max(label_w + 1.0),
        top: 6.0,
        bottom: (h - 20.0).max(7.0),
        from_ms,
        to_ms,
    };
    let (pw, ph) = (area.right - area.left, area.bottom - area.top);
    let span = (to_ms - from_ms).max(1) as f64;
    let x_of = |t: i64| area.left + (t - from_ms) as f64 / span * pw;
    let row_h = ph / rows.max(1) as f64;
    // The top edge of row `r` (0 is the lowest bucket, drawn at the bottom unless reversed).
    let row_top = |r: usize| {
        if o.y_reverse {
            area.top + r as f64 * row_h
        } else {
            area.bottom - (r + 1) as f64 * row_h
        }
    };

    // Time axis.
    ctx.set_text_align("center");
    ctx.set_text_baseline("top");
    let max_ticks = (pw / 80.0).max(2.0) as usize;
    for t in time_ticks(from_ms, to_ms, max_ticks) {
        let _ = ctx.fill_text(
            &format_axis_time(t, to_ms - from_ms),
            x_of(t),
            area.bottom + 4.0,
        );
    }
    // Bucket axis: a bound at each row edge, thinned so that labels do not overlap.
    if !o.y_axis_hidden && rows > 0 {
        ctx.set_text_align("right");
        ctx.set_text_baseline("middle");
        let every = ((LINE / row_h).ceil() as usize).max(1);
        let named_rows = bounds.len() == rows;
        for (i, label) in bounds.iter().enumerate() {
            if i % every != 0 && i + 1 != bounds.len() {
                continue;
            }
            // Bounds sit on row edges; names of non-numeric rows in their middle.
            let y = if named_rows {
                row_top(i) + row_h / 2.0
            } else if o.y_reverse {
                area.top + i as f64 * row_h
            } else {
                area.bottom - i as f64 * row_h
            };
            let _ = ctx.fill_text(label, area.left - 4.0, y);
        }
    }

    // Cells: each spans the step before its time, from the last time to the next.
    let Some((min, max)) = cells.color_range(o) else {
        return Some(area);
    };
    let col_ms = cells.column_ms();
    let gap = o.cell_gap;
    ctx.save();
    ctx.begin_path();
    ctx.rect(area.left, area.top, pw, ph);
    ctx.clip();
    for (r, row) in cells.counts.iter().enumerate() {
        let y = row_top(r);
        let cell_h = (row_h - gap).max(1.0);
        for (c, &v) in row.iter().enumerate() {
            if !HeatmapData::shown(v, o) {
                continue;
            }
            let t = cells.times[c];
            let x0 = x_of(t - col_ms);
            let cell_w = (x_of(t) - x0 - gap).max(1.0);
            ctx.set_fill_style_str(&colors[fill_index(v, min, max, colors.len())]);
            ctx.fill_rect(x0, y, cell_w, cell_h);
        }
    }
    ctx.restore();
    Some(area)
}

/// What the tooltip shows for a hover position.
#[derive(Debug, Clone, PartialEq)]
struct Hover {
    x: f64,
    y: f64,
    width: f64,
    time: String,
    bucket: String,
    count: String,
}

/// The cell under `(x, y)`: its column and row.
fn cell_at(
    area: &Area,
    cells: &HeatmapData,
    o: &HeatmapOptions,
    x: f64,
    y: f64,
) -> Option<(usize, usize)> {
    if x < area.left || x > area.right || y < area.top || y > area.bottom || cells.times.is_empty()
    {
        return None;
    }
    let t = area.from_ms as f64
        + (x - area.left) / (area.right - area.left) * (area.to_ms - area.from_ms) as f64;
    // The first column whose time is at or after `t` holds it (cells span the step before).
    let c = cells.times.partition_point(|ct| (*ct as f64) < t);
    let c = c.min(cells.times.len() - 1);
    if (cells.times[c] - cells.column_ms()) as f64 > t {
        return None;
    }
    let rows = cells.buckets.len();
    let frac = (y - area.top) / (area.bottom - area.top);
    let from_top = ((frac * rows as f64) as usize).min(rows.checked_sub(1)?);
    let r = if o.y_reverse {
        from_top
    } else {
        rows - 1 - from_top
    };
    Some((c, r))
}

#[component]
pub fn Heatmap(panel: Arc<Panel>, data: RwSignal<Option<Arc<PanelData>>>) -> impl IntoView {
    let theme = expect_context::<Theme>();
    let plot_ref = NodeRef::<Div>::new();
    let canvas_ref = NodeRef::<Canvas>::new();
    let size = element_size(plot_ref);
    let area = RwSignal::new(None::<Area>);
    let hover = RwSignal::new(None::<Hover>);
    let options = Arc::new(HeatmapOptions::from_options(&panel.options));
    // `format: heatmap` targets are cumulative Prometheus buckets: each bucket minus the one
    // below, as Grafana's Prometheus data source does.
    let deaccumulate = panel
        .targets
        .iter()
        .any(|t| t.format.as_deref() == Some("heatmap"));
    let cells = Memo::new(move |_| -> Option<Cells> {
        data.with(|d| {
            d.as_ref().map(|d| {
                heatmap_from_series(
                    d.series.iter().map(|s| (s.name.as_str(), &s.series)),
                    deaccumulate,
                )
                .map(Arc::new)
            })
        })
    });
    let colors = {
        let o = options.clone();
        Memo::new(move |_| palette(&o.color, theme.light.get()))
    };

    {
        let o = options.clone();
        Effect::new(move |_| {
            let (w, h) = size.get();
            let light = theme.light.get();
            let (Some(canvas), Some(Ok(c)), Some(d)) =
                (canvas_ref.get(), cells.get(), data.get_untracked())
            else {
                return;
            };
            if w < 10.0 || h < 10.0 {
                return;
            }
            colors.with(|p| {
                area.set(draw(
                    &canvas,
                    (w, h),
                    &c,
                    &o,
                    p,
                    (d.range.from_ms, d.range.to_ms),
                    light,
                ));
            });
        });
    }

    let on_move = {
        let o = options.clone();
        move |ev: leptos::ev::MouseEvent| {
            let (Some(a), Some(Ok(c))) = (area.get_untracked(), cells.get_untracked()) else {
                return;
            };
            let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
            let Some((col, row)) = cell_at(&a, &c, &o, x, y).filter(|_| o.tooltip) else {
                hover.set(None);
                return;
            };
            let v = c.counts[row][col];
            hover.set(Some(Hover {
                x,
                y,
                width: size.get_untracked().0,
                time: format_utc(c.times[col]),
                bucket: c.bucket_text(row, &o),
                count: if v.is_nan() {
                    "-".into()
                } else {
                    format_value(v, o.cell_unit.as_deref(), o.cell_decimals).to_string()
                },
            }));
        }
    };

    let legend = {
        let o = options.clone();
        move || {
            if !o.legend {
                return None;
            }
            let Some(Ok(c)) = cells.get() else {
                return None;
            };
            let (min, max) = c.color_range(&o)?;
            let stops = colors.get().join(",");
            let text =
                |v: f64| format_value(v, o.cell_unit.as_deref(), o.cell_decimals).to_string();
            Some(view! {
                <div class="kg-heatmap-legend">
                    <span class="kg-heatmap-legend-min">{text(min)}</span>
                    <span class="kg-heatmap-scale" style=format!("background:linear-gradient(to right,{stops})")></span>
                    <span class="kg-heatmap-legend-max">{text(max)}</span>
                </div>
            })
        }
    };

    let error = move || match cells.get() {
        Some(Err(e)) => Some(view! { <div class="kg-panel-message kg-panel-error">{e}</div> }),
        _ => None,
    };

    view! {
        <div
            class="kg-heatmap"
            data-buckets=move || cells.with(|c| match c { Some(Ok(c)) => c.buckets.len(), _ => 0 }.to_string())
            data-columns=move || cells.with(|c| match c { Some(Ok(c)) => c.times.len(), _ => 0 }.to_string())
        >
            {error}
            <div class="kg-heatmap-plot" node_ref=plot_ref on:mousemove=on_move on:mouseleave=move |_| hover.set(None)>
                <canvas class="kg-heatmap-canvas" node_ref=canvas_ref></canvas>
                {move || {
                    hover
                        .get()
                        .map(|h| {
                            view! {
                                <div class="kg-tooltip kg-heatmap-tooltip" style=tooltip_style(h.x, h.y, h.width)>
                                    <div class="kg-tooltip-time">{h.time}</div>
                                    <div class="kg-tooltip-row">
                                        <span class="kg-tooltip-name">"Bucket"</span>
                                        <span class="kg-tooltip-value">{h.bucket}</span>
                                    </div>
                                    <div class="kg-tooltip-row">
                                        <span class="kg-tooltip-name">"Count"</span>
                                        <span class="kg-tooltip-value">{h.count}</span>
                                    </div>
                                </div>
                            }
                        })
                }}
            </div>
            {legend}
        </div>
    }
}
