//! The gauge panel: one radial gauge per series, drawn as SVG. The value arc takes the
//! threshold colour of the reduced value; the thin outer arc shows the threshold bands
//! (`showThresholdMarkers`). Geometry comes from `shared::gauge`.

use crate::components::panel::PanelData;
use kubeglass_shared::data::frame::FieldKind;
use kubeglass_shared::display::colors::css_color;
use kubeglass_shared::display::field::{field_config, FieldRef};
use kubeglass_shared::display::units::format_value;
use kubeglass_shared::display::Processor;
use kubeglass_shared::model::Panel;
use kubeglass_shared::panels::gauge::{gauge_arc, threshold_bands, Band, Scale};
use leptos::prelude::*;
use std::sync::Arc;

/// One gauge as drawn.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reading {
    pub name: String,
    pub text: String,
    pub fraction: f64,
    pub color: String,
    pub bands: Vec<Band>,
    pub min_text: String,
    pub max_text: String,
}

/// Reduces each series (`reduceOptions.calcs`) and places it on its field's scale; shared by
/// the gauge and the bar gauge.
pub(crate) fn readings(panel: &Panel, data: &PanelData) -> Vec<Reading> {
    let reducer = panel.reducer();
    let values: Vec<(&crate::components::panel::NamedSeries, Option<f64>)> = data
        .series
        .iter()
        .filter(|s| !s.series.points.is_empty())
        .map(|s| (s, s.series.reduce(reducer)))
        .collect();
    let all: Vec<f64> = values.iter().filter_map(|(_, v)| *v).collect();
    let mut list = values
        .into_iter()
        .enumerate()
        .map(|(i, (s, value))| {
            let config = field_config(
                panel,
                FieldRef {
                    name: &s.name,
                    ref_id: &s.ref_id,
                    kind: FieldKind::Number,
                },
            );
            let d = &config.defaults;
            let scale = Scale::for_field(d, &all);
            let name = config
                .display_name
                .clone()
                .unwrap_or_else(|| s.name.clone());
            // Text and colour as Grafana's display processor gives them, percent thresholds
            // and continuous colours read against the scale drawn.
            let shown = config
                .processor(FieldKind::Number, Some((scale.min, scale.max)), i, &name)
                .number(value);
            let bound = |v: f64| format_value(v, d.unit.as_deref(), d.decimals).to_string();
            Reading {
                name,
                text: shown.to_string(),
                fraction: value.map_or(0.0, |v| scale.fraction(v)),
                color: shown.color,
                bands: threshold_bands(d, &scale),
                min_text: bound(scale.min),
                max_text: bound(scale.max),
            }
        })
        .collect::<Vec<_>>();
    if list.is_empty() {
        // No series at all: one empty gauge saying so (`noValue`, else "No data").
        let d = &panel.defaults;
        let scale = Scale::for_field(d, &[]);
        let shown = Processor::new(d, FieldKind::Number, None, 0, "").number(None);
        let bound = |v: f64| format_value(v, d.unit.as_deref(), d.decimals).to_string();
        list.push(Reading {
            name: String::new(),
            text: d.no_value_text(),
            fraction: 0.0,
            color: shown.color,
            bands: threshold_bands(d, &scale),
            min_text: bound(scale.min),
            max_text: bound(scale.max),
        });
    }
    list
}

/// Centre and radius of the gauge in its 200 × 170 view box.
const CX: f64 = 100.0;
const CY: f64 = 100.0;
const R: f64 = 76.0;

#[component]
pub fn Gauge(panel: Arc<Panel>, data: RwSignal<Option<Arc<PanelData>>>) -> impl IntoView {
    let markers = panel
        .options
        .get("showThresholdMarkers")
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    let labels = panel
        .options
        .get("showThresholdLabels")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let list = Memo::new(move |_| {
        data.with(|d| d.as_ref().map(|d| readings(&panel, d)).unwrap_or_default())
    });
    view! {
        <div class="kg-gauges">
            {move || {
                let list = list.get();
                let several = list.len() > 1;
                list.into_iter()
                    .map(|g| {
                        let font = (56.0 / (g.text.chars().count().max(3) as f64 / 3.0)).min(40.0);
                        let bands = g
                            .bands
                            .iter()
                            .map(|b| {
                                view! {
                                    <path
                                        d=gauge_arc(CX, CY, R + 10.0, b.from, b.to)
                                        stroke=css_color(&b.color)
                                        stroke-width="5"
                                        fill="none"
                                    />
                                }
                            })
                            .collect_view();
                        view! {
                            <div class="kg-gauge">
                                <svg viewBox="0 0 200 170" preserveAspectRatio="xMidYMid meet">
                                    <path
                                        d=gauge_arc(CX, CY, R, 0.0, 1.0)
                                        class="kg-gauge-track"
                                        stroke-width="16"
                                        fill="none"
                                    />
                                    {(g.fraction > 0.0).then(|| view! {
                                        <path
                                            d=gauge_arc(CX, CY, R, 0.0, g.fraction.max(0.002))
                                            stroke=g.color.clone()
                                            stroke-width="16"
                                            fill="none"
                                        />
                                    })}
                                    {markers.then_some(bands)}
                                    <text
                                        x=CX
                                        y=CY + font * 0.35
                                        text-anchor="middle"
                                        class="kg-gauge-value"
                                        font-size=font
                                        fill=g.color.clone()
                                    >
                                        {g.text.clone()}
                                    </text>
                                    {labels.then(|| view! {
                                        <text x="30" y="150" text-anchor="middle" class="kg-gauge-bound">
                                            {g.min_text.clone()}
                                        </text>
                                        <text x="170" y="150" text-anchor="middle" class="kg-gauge-bound">
                                            {g.max_text.clone()}
                                        </text>
                                    })}
                                    {several.then(|| view! {
                                        <text x=CX y="162" text-anchor="middle" class="kg-gauge-name">
                                            {g.name.clone()}
                                        </text>
                                    })}
                                </svg>
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}
