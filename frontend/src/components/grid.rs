//! The dashboard grid: Grafana's 24 columns, 30px rows, 8px gaps, with rows that open and shut.

use crate::components::panel::PanelView;
use crate::components::variables::VariableScope;
use kubeglass_shared::api::DataSourceInfo;
use kubeglass_shared::model::repeat::expand;
use kubeglass_shared::model::template::state::panel_scope;
use kubeglass_shared::model::template::{interpolate, Context};
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

/// What tells one placed panel from another: its id, and for a repeated copy the value it
/// shows (a copy whose value changes is a new panel).
fn panel_key(p: &Panel) -> (i64, bool, String) {
    let scoped = p
        .scoped_vars
        .iter()
        .map(|v| format!("{}={}", v.name, v.value))
        .collect::<Vec<_>>()
        .join("&");
    (p.id, p.is_row(), scoped)
}

/// Every panel of a dashboard, placed on the grid, repeated panels and rows expanded for the
/// variables' values.
#[component]
pub fn DashboardGrid(panels: Vec<Panel>, sources: Arc<Vec<DataSourceInfo>>) -> impl IntoView {
    let toggled = RwSignal::new(Vec::<i64>::new());
    let scope = use_context::<VariableScope>();
    // Until the variables are resolved the panels stand as written (and wait for them).
    let expanded = Memo::new(move |_| match scope {
        Some(VariableScope(s)) => s.with(|s| match s {
            Some(s) => expand(&panels, s),
            None => panels.clone(),
        }),
        None => panels.clone(),
    });
    let placed = Memo::new(move |_| expanded.with(|ps| toggled.with(|t| layout(ps, t))));
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
            <For each=move || placed.get() key=|p| panel_key(&p.panel) let:placed_panel>
                {
                    let id = placed_panel.panel.id;
                    if placed_panel.panel.is_row() {
                        let row = placed_panel.panel.clone();
                        let title = move || match scope {
                            Some(VariableScope(s)) => s.with(|s| match s {
                                Some(s) => interpolate(&row.title, &panel_scope(&row, s), Context::Text),
                                None => row.title.clone(),
                            }),
                            None => row.title.clone(),
                        };
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
