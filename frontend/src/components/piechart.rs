//! The pie chart panel: each series' reduced value as a slice (`pieType` pie or donut), with
//! labels on the slices (`displayLabels`) and a legend (list or table) that can show each
//! value and percentage (`legend.values`). Slice geometry comes from `shared::pie`.

use crate::components::panel::PanelData;
use kubeglass_shared::data::frame::FieldKind;
use kubeglass_shared::display::field::{field_config, FieldRef};
use kubeglass_shared::display::units::to_fixed;
use kubeglass_shared::model::Panel;
use kubeglass_shared::panels::gauge::point_on_circle;
use kubeglass_shared::panels::pie::{slice_path, slices, Slice};
use leptos::prelude::*;
use serde_json::Value;
use std::sync::Arc;

/// One slice with what its label and legend show.
#[derive(Debug, Clone, PartialEq)]
struct PieSlice {
    name: String,
    value_text: String,
    percent_text: String,
    color: String,
    slice: Slice,
}

fn pie_slices(panel: &Panel, data: &PanelData) -> Vec<PieSlice> {
    let reducer = panel.reducer();
    let series: Vec<_> = data
        .series
        .iter()
        .filter(|s| !s.series.points.is_empty())
        .collect();
    let values: Vec<f64> = series
        .iter()
        .map(|s| s.series.reduce(reducer).unwrap_or(f64::NAN))
        .collect();
    let shares = slices(&values);
    let range = data.value_range();
    series
        .iter()
        .zip(values)
        .zip(shares)
        .enumerate()
        .map(|(i, ((s, value), slice))| {
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
            // Text and colour as Grafana's display processor gives them (series colours by
            // default: the pie chart's plugin default is the classic palette).
            let shown = config
                .processor(FieldKind::Number, range, i, &name)
                .number(Some(value));
            PieSlice {
                value_text: if value.is_nan() {
                    "-".into()
                } else {
                    shown.to_string()
                },
                percent_text: format!("{}%", to_fixed(slice.percent, Some(0))),
                color: shown.color,
                name,
                slice,
            }
        })
        .collect()
}

/// Whether a list option (`displayLabels`, `legend.values`) holds `item`.
fn has(panel: &Panel, pointer: &str, item: &str) -> bool {
    panel
        .options
        .pointer(pointer)
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(item)))
}

#[component]
pub fn PieChart(panel: Arc<Panel>, data: RwSignal<Option<Arc<PanelData>>>) -> impl IntoView {
    let donut = panel.option_str("/pieType") == Some("donut");
    let label_name = has(&panel, "/displayLabels", "name");
    let label_value = has(&panel, "/displayLabels", "value");
    let label_percent = has(&panel, "/displayLabels", "percent");
    let show_legend = panel
        .options
        .pointer("/legend/showLegend")
        .and_then(Value::as_bool)
        .unwrap_or(true)
        && panel.option_str("/legend/displayMode") != Some("hidden");
    let legend_table = panel.option_str("/legend/displayMode") == Some("table");
    let legend_bottom = panel.option_str("/legend/placement") == Some("bottom");
    let legend_value = has(&panel, "/legend/values", "value");
    let legend_percent = has(&panel, "/legend/values", "percent");
    let list = Memo::new(move |_| {
        data.with(|d| {
            d.as_ref()
                .map(|d| pie_slices(&panel, d))
                .unwrap_or_default()
        })
    });
    let (r, inner) = (90.0, if donut { 54.0 } else { 0.0 });
    view! {
        <div class="kg-pie" class:kg-pie-bottom=legend_bottom>
            <svg class="kg-pie-chart" viewBox="0 0 200 200" preserveAspectRatio="xMidYMid meet">
                {move || {
                    list.get()
                        .into_iter()
                        .filter(|p| p.slice.end > p.slice.start)
                        .map(|p| {
                            let mid = (p.slice.start + p.slice.end) * 180.0;
                            let (lx, ly) = point_on_circle(100.0, 100.0, (r + inner) / 2.0 + 6.0, mid);
                            let mut label = Vec::new();
                            if label_name {
                                label.push(p.name.clone());
                            }
                            if label_value {
                                label.push(p.value_text.clone());
                            }
                            if label_percent {
                                label.push(p.percent_text.clone());
                            }
                            // Labels on slices too thin to hold them would overlap.
                            let label = (p.slice.percent >= 4.0 && !label.is_empty()).then(|| {
                                view! {
                                    <text x=lx y=ly text-anchor="middle" dominant-baseline="middle" class="kg-pie-label">
                                        {label.join(" ")}
                                    </text>
                                }
                            });
                            view! {
                                <path d=slice_path(100.0, 100.0, r, inner, &p.slice) fill=p.color.clone() class="kg-pie-slice">
                                    <title>{format!("{}: {} ({})", p.name, p.value_text, p.percent_text)}</title>
                                </path>
                                {label}
                            }
                        })
                        .collect_view()
                }}
            </svg>
            {show_legend.then(|| view! {
                <div class="kg-pie-legend" class:kg-pie-legend-table=legend_table>
                    {move || {
                        list.get()
                            .into_iter()
                            .map(|p| {
                                view! {
                                    <div class="kg-pie-legend-row">
                                        <span class="kg-swatch" style=format!("background:{}", p.color)></span>
                                        <span class="kg-pie-legend-name">{p.name}</span>
                                        {legend_value.then(|| view! { <span class="kg-pie-legend-value">{p.value_text}</span> })}
                                        {legend_percent.then(|| view! { <span class="kg-pie-legend-value">{p.percent_text}</span> })}
                                    </div>
                                }
                            })
                            .collect_view()
                    }}
                </div>
            })}
        </div>
    }
}
