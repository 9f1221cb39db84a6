//! Explore: an ad-hoc PromQL query drawn as a time series, against the default data source.

use crate::api;
use crate::components::panel::PanelView;
use crate::components::time_picker::TimePicker;
use crate::url_state::{QueryWriter, TimeContext};
use kubeglass_shared::model::{GridPos, Panel, Target};
use kubeglass_shared::time::TimeRange;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::sync::Arc;

/// The panel Explore shows for a query.
fn explore_panel(expr: &str) -> Panel {
    Panel {
        id: 1,
        kind: "timeseries".into(),
        title: "Query result".into(),
        // Full width: the query resolution follows the panel's width.
        grid: GridPos {
            x: 0,
            y: 0,
            w: 24,
            h: 15,
        },
        targets: vec![Target {
            ref_id: "A".into(),
            expr: expr.to_string(),
            interval_factor: 1,
            ..Target::default()
        }],
        ..Panel::default()
    }
}

#[component]
pub fn Explore() -> impl IntoView {
    let time = TimeContext::from_url(TimeRange::new("now-1h", "now"), None);
    provide_context(time);
    let query = use_query_map();
    let writer = QueryWriter::new();
    // The query that runs is the one in the URL (`?expr=`), so results can be shared by link.
    let submitted = Memo::new(move |_| query.read().get("expr").unwrap_or_default());
    let draft = RwSignal::new(submitted.get_untracked());
    let sources = LocalResource::new(api::datasources);

    let run = move || {
        let expr = draft.get_untracked();
        if expr.trim() == submitted.get_untracked().trim() {
            time.tick.update(|t| *t += 1);
        } else {
            writer.set(&[("expr", Some(expr))]);
        }
    };
    view! {
        <div class="kg-page kg-explore">
            <div class="kg-dashboard-bar">
                <h1 class="kg-dashboard-title">"Explore"</h1>
                <div class="kg-dashboard-controls">
                    <TimePicker />
                </div>
            </div>
            <div class="kg-query-editor">
                <textarea
                    class="kg-input kg-promql"
                    rows="3"
                    spellcheck="false"
                    placeholder="PromQL, e.g. rate(node_cpu_seconds_total[$__rate_interval])"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                            ev.prevent_default();
                            run();
                        }
                    }
                ></textarea>
                <button class="kg-btn kg-btn-primary kg-run" on:click=move |_| run()>
                    "Run query"
                </button>
                <span class="kg-hint">"Ctrl/Cmd + Enter runs the query"</span>
            </div>
            {move || {
                let expr = submitted.get();
                if expr.trim().is_empty() {
                    return view! { <p class="kg-empty">"Type a PromQL query and run it."</p> }.into_any();
                }
                match sources.get() {
                    None => view! { <p class="kg-loading">"Loading data sources…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="kg-error">{e}</p> }.into_any(),
                    Some(Ok(list)) => {
                        view! { <PanelView panel=explore_panel(&expr) sources=Arc::new(list) style="height:460px" /> }.into_any()
                    }
                }
            }}
        </div>
    }
}
