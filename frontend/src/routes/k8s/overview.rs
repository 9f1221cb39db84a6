//! `/k8s/{cluster}`: the cluster at a glance — nodes ready and not, pods by phase, workloads
//! not at their desired replicas, and the latest Warning events. Live.

use super::events::event_rows;
use super::{clock, k8s_href, param, K8sPage, LiveBody};
use crate::app::Theme;
use crate::k8s::watch::{watch, Watch};
use kubeglass_shared::k8s::view::{
    count_by_phase, events_newest_first, name, namespace, node_summary, workload_summary,
};
use leptos::prelude::*;
use serde_json::Value;

/// Warning events shown.
const RECENT_WARNINGS: usize = 10;

#[component]
pub fn OverviewPage() -> impl IntoView {
    view! {
        <K8sPage page="k8s-overview" title="Cluster overview">
            <OverviewBody />
        </K8sPage>
    }
}

fn stat(id: String, label: String, value: usize, bad: bool, href: String) -> impl IntoView {
    let bad = bad && value > 0;
    view! {
        <a class="kg-k8s-stat" class:kg-k8s-stat-bad=bad data-stat=id data-value=value href=href>
            <span class="kg-k8s-stat-value">{value}</span>
            <span class="kg-k8s-stat-label">{label}</span>
        </a>
    }
}

#[component]
fn OverviewBody() -> impl IntoView {
    let theme = expect_context::<Theme>();
    let cluster = param("cluster").get_untracked();
    let now = clock();
    let nodes = watch(&cluster, "nodes", None);
    let pods = watch(&cluster, "pods", None);
    let workloads: Vec<(&'static str, Watch)> = ["deployments", "statefulsets", "daemonsets"]
        .into_iter()
        .map(|k| (k, watch(&cluster, k, None)))
        .collect();
    let events = watch(&cluster, "events", None);
    let mut all = vec![nodes, pods, events];
    all.extend(workloads.iter().map(|(_, w)| *w));
    let c = cluster.clone();
    let node_stats = move || {
        let light = theme.light.get();
        let (ready, total) = nodes.list.with(|l| {
            let ready = l.objects.values().filter(|n| node_summary(n).ready).count();
            (ready, l.objects.len())
        });
        let href = k8s_href(&c, "/nodes", light);
        view! {
            {stat("nodes-ready".into(), "Ready".into(), ready, false, href.clone())}
            {stat("nodes-not-ready".into(), "Not ready".into(), total - ready, true, href)}
        }
    };
    let c = cluster.clone();
    let pod_stats = move || {
        let light = theme.light.get();
        let counts = pods
            .list
            .with(|l| count_by_phase(l.objects.values().map(|p| p.as_ref())));
        counts
            .into_iter()
            .map(|(phase, n)| {
                let bad = phase == "Failed" || phase == "Unknown";
                let href = k8s_href(&c, &format!("/pods?phase={phase}"), false);
                let href = if light {
                    format!("{href}&theme=light")
                } else {
                    href
                };
                stat(
                    format!("pods-{}", phase.to_lowercase()),
                    phase,
                    n,
                    bad,
                    href,
                )
            })
            .collect_view()
    };
    let lagging = move || {
        let mut rows: Vec<(String, String, String, String)> = Vec::new();
        for (kind, w) in &workloads {
            w.list.with(|l| {
                for obj in l.objects.values() {
                    if let Some(s) = workload_summary(kind, obj).filter(|s| !s.healthy()) {
                        rows.push((
                            s.kind.to_string(),
                            namespace(obj).to_string(),
                            name(obj).to_string(),
                            s.ready_text(),
                        ));
                    }
                }
            });
        }
        kubeglass_shared::sort::sort(&mut rows);
        if rows.is_empty() {
            return view! { <p class="kg-empty" data-lagging="0">"Every deployment, statefulset and daemonset has its desired replicas ready."</p> }
                .into_any();
        }
        let n = rows.len();
        view! {
            <table class="kg-table kg-k8s-table" data-lagging=n>
                <thead>
                    <tr>
                        <th>"Kind"</th>
                        <th>"Namespace"</th>
                        <th>"Name"</th>
                        <th>"Ready"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|(k, ns, n, r)| {
                            view! {
                                <tr data-workload=format!("{k}/{ns}/{n}")>
                                    <td>{k.clone()}</td>
                                    <td>{ns.clone()}</td>
                                    <td>{n.clone()}</td>
                                    <td class="kg-num kg-k8s-bad">{r}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let warnings = move || {
        let list = events.list.with(|l| {
            events_newest_first(
                l.objects
                    .values()
                    .map(|e| e.as_ref())
                    .filter(|e| e.get("type").and_then(Value::as_str) == Some("Warning")),
            )
        });
        event_rows(list.into_iter().take(RECENT_WARNINGS).collect(), now, true)
    };
    view! {
        <LiveBody watches=all>
            <div class="kg-k8s-cards">
                <section class="kg-panel kg-k8s-card">
                    <header class="kg-panel-header">
                        <span class="kg-panel-title">"Nodes"</span>
                    </header>
                    <div class="kg-k8s-stats">{node_stats.clone()}</div>
                </section>
                <section class="kg-panel kg-k8s-card">
                    <header class="kg-panel-header">
                        <span class="kg-panel-title">"Pods by phase"</span>
                    </header>
                    <div class="kg-k8s-stats">{pod_stats.clone()}</div>
                </section>
            </div>
            <h2 class="kg-k8s-h2">"Workloads not at their desired replicas"</h2>
            {lagging.clone()}
            <h2 class="kg-k8s-h2">"Recent warnings"</h2>
            {warnings}
        </LiveBody>
    }
}
