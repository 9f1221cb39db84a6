//! `/k8s/{cluster}/pods`: every pod, live, filtered by namespace, label selector and phase
//! (kept in the URL: `?namespace=&labelSelector=&phase=`), with kubectl's columns.

use super::{clock, param, pod_href, K8sPage, LiveBody};
use crate::app::Theme;
use crate::k8s::watch::{watch, Watch};
use crate::url_state::QueryWriter;
use kubeglass_shared::k8s::view::{
    age, is_dns_label, name, namespace, object_key, pod_summary, LabelSelector, PHASES,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde_json::Value;
use std::sync::Arc;

#[component]
pub fn PodsPage() -> impl IntoView {
    view! {
        <K8sPage page="k8s-pods" title="Pods">
            <PodsBody />
        </K8sPage>
    }
}

/// The CSS class of a STATUS: fine, in progress, or a problem.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "Running" | "Completed" | "Succeeded" | "Ready" | "Complete" => "kg-k8s-status kg-k8s-ok",
        "Pending" | "ContainerCreating" | "PodInitializing" | "Terminating" => {
            "kg-k8s-status kg-k8s-progress"
        }
        s if s.starts_with("Init:") && !s.contains("Err") && !s.contains("BackOff") => {
            "kg-k8s-status kg-k8s-progress"
        }
        _ => "kg-k8s-status kg-k8s-bad",
    }
}

/// A key that changes whenever the object does, so that a live table redraws only the rows
/// that changed.
pub fn row_key(obj: &Value) -> (String, String) {
    (
        object_key(obj).unwrap_or_default(),
        obj.pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    )
}

#[component]
fn PodsBody() -> impl IntoView {
    let cluster = param("cluster").get_untracked();
    let query = use_query_map();
    let writer = QueryWriter::new();
    let get = move |k: &'static str| Memo::new(move |_| query.read().get(k).unwrap_or_default());
    let (ns_q, selector_q, phase_q) = (get("namespace"), get("labelSelector"), get("phase"));
    let problem = Memo::new(move |_| {
        let ns = ns_q.get();
        if !ns.is_empty() && !is_dns_label(&ns) {
            return Some(format!(
                "namespace `{ns}` is not a valid namespace name (lower-case letters, digits and `-`, at most 63 characters)"
            ));
        }
        let phase = phase_q.get();
        if !phase.is_empty() && !PHASES.contains(&phase.as_str()) {
            return Some(format!(
                "phase `{phase}` is not one of {}",
                PHASES.join(", ")
            ));
        }
        LabelSelector::parse(&selector_q.get()).err()
    });
    let namespaces = watch(&cluster, "namespaces", None);
    let draft = RwSignal::new(selector_q.get_untracked());
    Effect::new(move |_| draft.set(selector_q.get()));
    let set = move |k: &'static str, v: String| writer.set(&[(k, (!v.is_empty()).then_some(v))]);
    // A valid namespace filter is watched on its own; anything else watches every namespace.
    let watched_ns = Memo::new(move |_| Some(ns_q.get()).filter(|n| is_dns_label(n)));
    view! {
        <div class="kg-k8s-filters">
            <label class="kg-k8s-filter">
                "Namespace "
                <select class="kg-select" data-filter="namespace" on:change=move |ev| set("namespace", event_target_value(&ev))>
                    <option value="" selected=move || ns_q.get().is_empty()>"All namespaces"</option>
                    {move || {
                        let current = ns_q.get();
                        let mut names: Vec<String> = namespaces
                            .list
                            .with(|l| l.objects.values().map(|n| name(n).to_string()).collect());
                        if !current.is_empty() && !names.contains(&current) {
                            names.push(current.clone());
                        }
                        kubeglass_shared::sort::sort(&mut names);
                        names
                            .into_iter()
                            .map(|n| {
                                let selected = n == current;
                                view! { <option value=n.clone() selected=selected>{n.clone()}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label class="kg-k8s-filter">
                "Labels "
                <input
                    class="kg-input kg-k8s-selector"
                    data-filter="labelSelector"
                    placeholder="app=web,tier!=db"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                    on:change=move |ev| set("labelSelector", event_target_value(&ev).trim().to_string())
                />
            </label>
            <label class="kg-k8s-filter">
                "Phase "
                <select class="kg-select" data-filter="phase" on:change=move |ev| set("phase", event_target_value(&ev))>
                    <option value="" selected=move || phase_q.get().is_empty()>"All phases"</option>
                    {PHASES
                        .iter()
                        .map(|p| view! { <option value=*p selected=move || phase_q.get() == *p>{*p}</option> })
                        .collect_view()}
                </select>
            </label>
        </div>
        {move || {
            let ns = watched_ns.get();
            let pods = watch(&cluster, "pods", ns.as_deref());
            view! {
                <PodTable
                    cluster=cluster.clone()
                    pods=pods
                    problem=problem
                    selector=selector_q
                    phase=phase_q
                />
            }
        }}
    }
}

#[component]
fn PodTable(
    cluster: String,
    pods: Watch,
    problem: Memo<Option<String>>,
    selector: Memo<String>,
    phase: Memo<String>,
) -> impl IntoView {
    let theme = expect_context::<Theme>();
    let cluster = StoredValue::new(cluster);
    let now = clock();
    let shown = Memo::new(move |_| LabelSelector::parse(&selector.get()).unwrap_or_default());
    let rows = move || {
        let sel = shown.get();
        let phase = phase.get();
        let mut rows: Vec<Arc<Value>> = pods.list.with(|l| {
            l.objects
                .values()
                .filter(|p| sel.matches(p))
                .filter(|p| {
                    phase.is_empty()
                        || p.pointer("/status/phase").and_then(Value::as_str)
                            == Some(phase.as_str())
                })
                .cloned()
                .collect()
        });
        kubeglass_shared::sort::sort_by(&mut rows, |a, b| {
            (namespace(a), name(a)).cmp(&(namespace(b), name(b)))
        });
        rows
    };
    let total = move || pods.list.with(|l| l.objects.len());
    let count = move || rows().len();
    let problem_signal: Signal<Option<String>> = problem.into();
    view! {
        <LiveBody watches=vec![pods] problem=problem_signal>
            <p class="kg-hint kg-k8s-count" data-count=count>
                {move || format!("{} of {} pods", count(), total())}
            </p>
            <div class="kg-table-wrap">
                <table class="kg-table kg-k8s-table">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"Namespace"</th>
                            <th>"Ready"</th>
                            <th>"Status"</th>
                            <th>"Restarts"</th>
                            <th>"Age"</th>
                            <th>"Node"</th>
                            <th>"Owner"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=rows key=|p| row_key(p) let:pod>
                            {cluster.with_value(|c| pod_row(c, &pod, now, theme.light.get_untracked()))}
                        </For>
                    </tbody>
                </table>
            </div>
        </LiveBody>
    }
}

fn pod_row(cluster: &str, pod: &Value, now: RwSignal<i64>, light: bool) -> impl IntoView {
    let s = pod_summary(pod);
    let (ns, n) = (namespace(pod).to_string(), name(pod).to_string());
    let created = pod
        .pointer("/metadata/creationTimestamp")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let href = pod_href(cluster, &ns, &n, light);
    let id = format!("{ns}/{n}");
    let restarts = s.clone();
    view! {
        <tr
            data-pod=id
            data-phase=s.phase.clone()
            data-status=s.status.clone()
            data-restarts=s.restarts.to_string()
        >
            <td>
                <a href=href>{n}</a>
            </td>
            <td>{ns}</td>
            <td class="kg-num">{s.ready_text()}</td>
            <td>
                <span class=status_class(&s.status)>{s.status.clone()}</span>
            </td>
            <td class="kg-num">{move || restarts.restarts_text(now.get())}</td>
            <td>{move || age(&created, now.get())}</td>
            <td>{s.node}</td>
            <td>{s.owner.unwrap_or_default()}</td>
        </tr>
    }
}
