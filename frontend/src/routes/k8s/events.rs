//! `/k8s/{cluster}/events`: the cluster's events, newest first, live; `?type=Warning` shows
//! only warnings.

use super::{clock, param, K8sPage, LiveBody};
use crate::k8s::watch::watch;
use crate::url_state::QueryWriter;
use kubeglass_shared::k8s::view::{events_newest_first, human_duration, EventView};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The most events a table shows (the newest).
const MAX_SHOWN: usize = 500;

#[component]
pub fn EventsPage() -> impl IntoView {
    view! {
        <K8sPage page="k8s-events" title="Events">
            <EventsBody />
        </K8sPage>
    }
}

#[component]
fn EventsBody() -> impl IntoView {
    let cluster = param("cluster").get_untracked();
    let query = use_query_map();
    let writer = QueryWriter::new();
    let warnings_only = Memo::new(move |_| query.read().get("type").as_deref() == Some("Warning"));
    let events = watch(&cluster, "events", None);
    let now = clock();
    let shown =
        move || {
            let warnings = warnings_only.get();
            events.list.with(|l| {
                events_newest_first(l.objects.values().map(|e| e.as_ref()).filter(|e| {
                    !warnings || e.get("type").and_then(|t| t.as_str()) == Some("Warning")
                }))
            })
        };
    view! {
        <div class="kg-k8s-filters">
            <label class="kg-k8s-filter">
                <input
                    type="checkbox"
                    data-filter="warnings"
                    prop:checked=move || warnings_only.get()
                    on:change=move |ev| {
                        writer.set(&[("type", event_target_checked(&ev).then(|| "Warning".to_string()))])
                    }
                />
                " Warnings only"
            </label>
        </div>
        <LiveBody watches=vec![events]>
            {move || event_rows(shown(), now, true)}
        </LiveBody>
    }
}

/// A table of events (at most [`MAX_SHOWN`]), or a line saying there are none.
pub fn event_rows(events: Vec<EventView>, now: RwSignal<i64>, with_namespace: bool) -> AnyView {
    if events.is_empty() {
        return view! { <p class="kg-empty">"No events."</p> }.into_any();
    }
    let total = events.len();
    let rows = events
        .into_iter()
        .take(MAX_SHOWN)
        .map(|e| {
            let seen = e.last_seen_ms;
            let warning = e.kind == "Warning";
            view! {
                <tr data-event-type=e.kind.clone() data-reason=e.reason.clone() class:kg-k8s-warning=warning>
                    <td>{move || seen.map(|t| human_duration(now.get() - t)).unwrap_or_else(|| "<unknown>".into())}</td>
                    <td>{e.kind.clone()}</td>
                    <td>{e.reason.clone()}</td>
                    <td>{e.object}</td>
                    {with_namespace.then(|| view! { <td>{e.namespace}</td> })}
                    <td class="kg-k8s-message-cell" title=e.message.clone()>{e.message.clone()}</td>
                    <td class="kg-num">{e.count}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {(total > MAX_SHOWN).then(|| view! { <p class="kg-hint">{format!("The newest {MAX_SHOWN} of {total} events.")}</p> })}
        <div class="kg-table-wrap">
            <table class="kg-table kg-k8s-table kg-k8s-events">
                <thead>
                    <tr>
                        <th>"Last seen"</th>
                        <th>"Type"</th>
                        <th>"Reason"</th>
                        <th>"Object"</th>
                        {with_namespace.then(|| view! { <th>"Namespace"</th> })}
                        <th>"Message"</th>
                        <th>"Count"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
