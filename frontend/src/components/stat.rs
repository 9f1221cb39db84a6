//! The stat panel: one big number per series, reduced (`reduceOptions.calcs`), formatted with
//! the panel's unit and coloured by its thresholds.

use crate::components::panel::PanelData;
use kubeglass_shared::colors::css_color;
use kubeglass_shared::field::{field_config, FieldRef, FieldType};
use kubeglass_shared::mappings::display_number;
use kubeglass_shared::model::Panel;
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
    let values: Vec<StatValue> = data
        .series
        .iter()
        .filter(|s| !s.series.points.is_empty())
        .map(|s| {
            let config = field_config(
                panel,
                FieldRef {
                    name: &s.name,
                    ref_id: &s.ref_id,
                    kind: FieldType::Number,
                },
            );
            let shown = display_number(&config.defaults, s.series.reduce(reducer), |v| {
                Some(config.color_of(v).unwrap_or("green").to_string())
            });
            StatValue {
                name: config
                    .display_name
                    .clone()
                    .unwrap_or_else(|| s.name.clone()),
                text: shown.text,
                color: css_color(shown.color.as_deref().unwrap_or("text")),
            }
        })
        .collect();
    if values.is_empty() {
        // No series at all: one value saying so (`noValue`, else "No data"), as Grafana does.
        let shown = display_number(&panel.defaults, None, |_| None);
        return vec![StatValue {
            name: String::new(),
            text: shown.text,
            color: css_color(shown.color.as_deref().unwrap_or("text")),
        }];
    }
    values
}

#[component]
pub fn Stat(panel: Arc<Panel>, data: RwSignal<Option<Arc<PanelData>>>) -> impl IntoView {
    let background = panel.option_str("/colorMode") == Some("background");
    let no_color = panel.option_str("/colorMode") == Some("none");
    // `textMode`, as Grafana: `auto` names the values when there are several.
    let text_mode = panel.option_str("/textMode").unwrap_or("auto").to_string();
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
                let (show_value, show_name) = match text_mode.as_str() {
                    "value" => (true, false),
                    "value_and_name" => (true, true),
                    "name" => (false, true),
                    "none" => (false, false),
                    _ => (true, several),
                };
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
                                <Show when=move || show_value>
                                    <div class="kg-stat-value">{v.text.clone()}</div>
                                </Show>
                                <Show when=move || show_name>
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
