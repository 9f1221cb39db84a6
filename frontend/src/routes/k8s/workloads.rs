//! `/k8s/{cluster}/workloads`: deployments, statefulsets, daemonsets and jobs with their
//! ready/desired counts and ages, live.

use super::pods::status_class;
use super::{clock, param, K8sPage, LiveBody};
use crate::k8s::watch::{watch, Watch};
use kubeglass_shared::k8s::view::{name, namespace, object_age, workload_summary};
use leptos::prelude::*;

const KINDS: &[(&str, &str)] = &[
    ("deployments", "Deployments"),
    ("statefulsets", "StatefulSets"),
    ("daemonsets", "DaemonSets"),
    ("jobs", "Jobs"),
];

#[component]
pub fn WorkloadsPage() -> impl IntoView {
    view! {
        <K8sPage page="k8s-workloads" title="Workloads">
            <WorkloadsBody />
        </K8sPage>
    }
}

#[component]
fn WorkloadsBody() -> impl IntoView {
    let cluster = param("cluster").get_untracked();
    let now = clock();
    let lists: Vec<(&'static str, &'static str, Watch)> = KINDS
        .iter()
        .map(|(kind, title)| (*kind, *title, watch(&cluster, kind, None)))
        .collect();
    let watches = lists.iter().map(|(_, _, w)| *w).collect();
    view! {
        <LiveBody watches=watches>
            {lists
                .iter()
                .map(|(kind, title, w)| workload_table(kind, title, *w, now))
                .collect_view()}
        </LiveBody>
    }
}

fn workload_table(
    kind: &'static str,
    title: &'static str,
    w: Watch,
    now: RwSignal<i64>,
) -> impl IntoView {
    let job = kind == "jobs";
    let rows = move || {
        let mut objs = w.objects();
        kubeglass_shared::sort::sort_by(&mut objs, |a, b| {
            (namespace(a), name(a)).cmp(&(namespace(b), name(b)))
        });
        if objs.is_empty() {
            return view! { <tr><td colspan="7" class="kg-empty">"None."</td></tr> }.into_any();
        }
        objs.into_iter()
            .filter_map(|o| workload_summary(kind, &o).map(|s| (o, s)))
            .map(|(o, s)| {
                let id = format!("{}/{}/{}", s.kind, namespace(&o), name(&o));
                let ready_class = if s.healthy() { "kg-num" } else { "kg-num kg-k8s-bad" };
                let extra = if job {
                    view! { <td><span class=status_class(&s.status)>{s.status.clone()}</span></td><td></td> }.into_any()
                } else {
                    view! {
                        <td class="kg-num">{s.up_to_date.map(|n| n.to_string())}</td>
                        <td class="kg-num">{s.available.map(|n| n.to_string())}</td>
                    }
                        .into_any()
                };
                view! {
                    <tr data-workload=id data-ready=s.ready.to_string() data-desired=s.desired.to_string()>
                        <td>{name(&o).to_string()}</td>
                        <td>{namespace(&o).to_string()}</td>
                        <td class=ready_class>{s.ready_text()}</td>
                        {extra}
                        <td>{move || object_age(&o, now.get())}</td>
                    </tr>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <h2 class="kg-k8s-h2">{title}</h2>
        <div class="kg-table-wrap">
            <table class="kg-table kg-k8s-table" data-kind=kind>
                <thead>
                    <tr>
                        <th>"Name"</th>
                        <th>"Namespace"</th>
                        <th>{if job { "Completions" } else { "Ready" }}</th>
                        <th>{if job { "Status" } else { "Up-to-date" }}</th>
                        <th>{if job { "" } else { "Available" }}</th>
                        <th>"Age"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
