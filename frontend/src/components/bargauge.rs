//! The bar gauge panel: a bar per series, horizontal or vertical (`auto`: vertical bars in a
//! panel wider than tall), in Grafana's three display modes: `basic` (the threshold colour of
//! the value), `gradient` (the threshold bands blended along the bar) and `lcd` (lit cells,
//! each in the colour of its place).

use crate::components::element_size::element_size;
use crate::components::gauge::{readings, Reading};
use crate::components::panel::PanelData;
use kubeglass_shared::display::colors::css_color;
use kubeglass_shared::model::Panel;
use kubeglass_shared::panels::gauge::{band_gradient, lcd_cell_count};
use leptos::html::Div;
use leptos::prelude::*;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Basic,
    Gradient,
    Lcd,
}

/// The colour of the band that holds `fraction` of the scale.
fn band_color(g: &Reading, fraction: f64) -> String {
    g.bands
        .iter()
        .find(|b| fraction >= b.from && fraction <= b.to)
        .or(g.bands.last())
        .map_or_else(|| "#73BF69".to_string(), |b| css_color(&b.color))
}

/// The filled part of one bar; `length_px` is the track's length (for LCD cells).
fn fill(g: &Reading, mode: Mode, vertical: bool, length_px: f64) -> AnyView {
    let pct = g.fraction * 100.0;
    let size = if vertical { "height" } else { "width" };
    match mode {
        Mode::Lcd => {
            let n = lcd_cell_count(length_px);
            (0..n)
                .map(|i| {
                    let middle = (i as f64 + 0.5) / n as f64;
                    let lit = (i as f64) / (n as f64) < g.fraction;
                    let style = format!(
                        "background:{};opacity:{}",
                        band_color(g, middle),
                        if lit { "1" } else { "0.18" }
                    );
                    view! { <div class="kg-bar-cell" style=style></div> }
                })
                .collect_view()
                .into_any()
        }
        Mode::Gradient => {
            let direction = if vertical { "to top" } else { "to right" };
            let stretch = if g.fraction > 0.0 {
                100.0 / g.fraction
            } else {
                100.0
            };
            let background_size = if vertical {
                format!("100% {stretch:.1}%")
            } else {
                format!("{stretch:.1}% 100%")
            };
            let style = format!(
                "{size}:{pct:.2}%;background:{};background-size:{background_size};background-position:left bottom",
                band_gradient(&g.bands, direction, css_color)
            );
            view! { <div class="kg-bar-fill" style=style></div> }.into_any()
        }
        Mode::Basic => {
            let style = format!("{size}:{pct:.2}%;background:{}", g.color);
            view! { <div class="kg-bar-fill" style=style></div> }.into_any()
        }
    }
}

#[component]
pub fn BarGauge(panel: Arc<Panel>, data: RwSignal<Option<Arc<PanelData>>>) -> impl IntoView {
    let mode = match panel.option_str("/displayMode") {
        Some("gradient") => Mode::Gradient,
        Some("lcd") => Mode::Lcd,
        _ => Mode::Basic,
    };
    let orientation = panel
        .option_str("/orientation")
        .unwrap_or("auto")
        .to_string();
    let show_unfilled = panel
        .options
        .get("showUnfilled")
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    let value_hidden = panel.option_str("/valueMode") == Some("hidden");
    let value_plain = panel.option_str("/valueMode") == Some("text");
    let list = Memo::new(move |_| {
        data.with(|d| d.as_ref().map(|d| readings(&panel, d)).unwrap_or_default())
    });
    let root = NodeRef::<Div>::new();
    let size = element_size(root);
    // `auto` stands bars up in a panel wider than tall, as Grafana's `VizRepeater` does.
    let vertical = Memo::new(move |_| match orientation.as_str() {
        "vertical" => true,
        "horizontal" => false,
        _ => {
            let (w, h) = size.get();
            w > h
        }
    });
    view! {
        <div
            node_ref=root
            class="kg-bargauge"
            class:kg-bargauge-vertical=move || vertical.get()
            class:kg-bar-unfilled=show_unfilled
        >
            {move || {
                let (w, h) = size.get();
                let vertical = vertical.get();
                let list = list.get();
                // The track's length: the panel's, less the value text (horizontal) or the
                // name and value lines (vertical).
                let length = if vertical { h - 40.0 } else { w - 90.0 }.max(12.0);
                list.into_iter()
                    .map(|g| {
                        let value_style = if value_plain {
                            String::new()
                        } else {
                            format!("color:{}", g.color)
                        };
                        view! {
                            <div class="kg-bar-item">
                                <div class="kg-bar-name" title=g.name.clone()>{g.name.clone()}</div>
                                <div class="kg-bar-row">
                                    <div class="kg-bar-track" class:kg-bar-lcd=mode == Mode::Lcd>
                                        {fill(&g, mode, vertical, length)}
                                    </div>
                                    {(!value_hidden).then(|| view! {
                                        <div class="kg-bar-value" style=value_style>{g.text.clone()}</div>
                                    })}
                                </div>
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}
