//! The stat panel: one big number per series, reduced (`reduceOptions.calcs`), formatted with
//! the panel's unit and coloured by its thresholds.

use crate::components::panel::PanelData;
use kubeglass_shared::colors::css_color;
use kubeglass_shared::model::Panel;
use kubeglass_shared::units::format_value;
use leptos::prelude::*;
use std::sync::Arc;

/// One value as shown.
#[derive(Debug, Clone, PartialEq)]
struct StatValue {
    name: String,
    text: String,
    color: String,
}

/// Reduces and formats every series of `data` the way the panel asks.
fn stat_values(panel: &Panel, data: &PanelData) -> Vec<StatValue> {
    let reducer = panel.reducer();
    let d = &panel.defaults;
    data.series
        .iter()
        .filter(|s| !s.series.points.is_empty())
        .map(|s| {
            let value = s.series.reduce(reducer);
            let (text, color) = match value {
                Some(v) => (
                    format_value(v, d.unit.as_deref(), d.decimals).to_string(),
                    d.threshold_color(v).unwrap_or("green").to_string(),
                ),
                None => ("No value".to_string(), "text".to_string()),
            };
            StatValue {
                name: s.name.clone(),
                text,
                color: css_color(&color),
            }
        })
        .collect()
}

#[component]
pub fn Stat(panel: Arc<Panel>, data: RwSignal<Option<Arc<PanelData>>>) -> impl IntoView {
    let background = panel.option_str("/colorMode") == Some("background");
    let no_color = panel.option_str("/colorMode") == Some("none");
    let values = Memo::new(move |_| {
        data.with(|d| {
            d.as_ref()
                .map(|d| stat_values(&panel, d))
                .unwrap_or_default()
        })
    });
    view! {
        <div class="kg-stat">
            {move || {
                let values = values.get();
                let several = values.len() > 1;
                values
                    .into_iter()
                    .map(|v| {
                        let style = if no_color {
                            format!("--chars:{}", v.text.chars().count().max(2))
                        } else if background {
                            format!("--chars:{};background:{};color:#fff", v.text.chars().count().max(2), v.color)
                        } else {
                            format!("--chars:{};color:{}", v.text.chars().count().max(2), v.color)
                        };
                        view! {
                            <div class="kg-stat-item" style=style>
                                <div class="kg-stat-value">{v.text}</div>
                                <Show when=move || several>
                                    <div class="kg-stat-name">{v.name.clone()}</div>
                                </Show>
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}
