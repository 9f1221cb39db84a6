//! The dashboard grid: Grafana's 24 columns, 30px rows, 8px gaps, with rows that open and shut.

use crate::components::panel::PanelView;
use kubeglass_shared::api::DataSourceInfo;
use kubeglass_shared::model::{layout, GridPos, Panel};
use leptos::prelude::*;
use std::sync::Arc;

/// CSS grid placement of a grid position (lines are 1-based).
fn grid_style(g: GridPos) -> String {
    format!(
        "grid-column:{} / span {};grid-row:{} / span {}",
        g.x + 1,
        g.w,
        g.y + 1,
        g.h
    )
}

/// Every panel of a dashboard, placed on the grid.
#[component]
pub fn DashboardGrid(panels: Vec<Panel>, sources: Arc<Vec<DataSourceInfo>>) -> impl IntoView {
    let toggled = RwSignal::new(Vec::<i64>::new());
    let placed = Memo::new(move |_| toggled.with(|t| layout(&panels, t)));
    let position = move |id: i64| {
        Signal::derive(move || {
            placed.with(|ps| {
                ps.iter()
                    .find(|p| p.panel.id == id)
                    .map(|p| grid_style(p.grid))
                    .unwrap_or_default()
            })
        })
    };
    view! {
        <div class="kg-grid">
            <For each=move || placed.get() key=|p| (p.panel.id, p.panel.is_row()) let:placed_panel>
                {
                    let id = placed_panel.panel.id;
                    if placed_panel.panel.is_row() {
                        let title = placed_panel.panel.title.clone();
                        let open = Signal::derive(move || placed.with(|ps| ps.iter().any(|p| p.panel.id == id && p.open)));
                        view! {
                            <div
                                class="kg-row"
                                class:kg-row-collapsed=move || !open.get()
                                style=position(id)
                                on:click=move |_| {
                                    toggled.update(|t| {
                                        if let Some(i) = t.iter().position(|x| *x == id) {
                                            t.remove(i);
                                        } else {
                                            t.push(id);
                                        }
                                    })
                                }
                            >
                                <span class="kg-row-chevron">{move || if open.get() { "▾" } else { "▸" }}</span>
                                <span class="kg-row-title">{title}</span>
                            </div>
                        }
                            .into_any()
                    } else {
                        view! { <PanelView panel=placed_panel.panel sources=sources.clone() style=position(id) /> }.into_any()
                    }
                }
            </For>
        </div>
    }
}
