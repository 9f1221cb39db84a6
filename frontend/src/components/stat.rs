//! The stat panel: one big number per series, reduced (`reduceOptions.calcs`), formatted with
//! the panel's unit and coloured by its thresholds.

use crate::components::panel::PanelData;
use kubeglass_shared::data::frame::FieldKind;
use kubeglass_shared::display::field::{field_config, FieldRef};
use kubeglass_shared::display::Processor;
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

/// Reduces and formats every series of `data` the way the panel asks, as Grafana's display
/// processor does: percent thresholds and continuous colours read against the range of all
/// the data, palette colours by the series' place.
fn stat_values(panel: &Panel, data: &PanelData) -> Vec<StatValue> {
    let reducer = panel.reducer();
    let range = data.value_range();
    let values: Vec<StatValue> = data
        .series
        .iter()
        .filter(|s| !s.series.points.is_empty())
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
            let name = config
                .display_name
                .clone()
                .unwrap_or_else(|| s.name.clone());
            let shown = config
                .processor(FieldKind::Number, range, i, &name)
                .number(s.series.reduce(reducer));
            StatValue {
                text: shown.to_string(),
                color: shown.color,
                name,
            }
        })
        .collect();
    if values.is_empty() {
        // No series at all: one value saying so (`noValue`, else "No data"), as Grafana does.
        let shown = Processor::new(&panel.defaults, FieldKind::Number, None, 0, "").number(None);
        return vec![StatValue {
            name: String::new(),
            text: panel.defaults.no_value_text(),
            color: shown.color,
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
