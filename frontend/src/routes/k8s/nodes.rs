//! `/k8s/{cluster}/nodes`: nodes with their status, roles, pod count, capacity and version;
//! `?node=NAME` opens a node's detail below the table (conditions, capacity and allocatable,
//! taints, its pods, and CPU and memory charts when Prometheus is configured). Live.

use super::pods::status_class;
use super::{chart_panel, clock, k8s_href, param, pod_href, Charts, K8sPage, LiveBody};
use crate::app::Theme;
use crate::k8s::watch::{watch, Watch};
use kubeglass_shared::k8s::view::{
    format_resource, is_dns_subdomain, name, namespace, node_summary, object_age, pod_summary,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde_json::Value;
use std::sync::Arc;

#[component]
pub fn NodesPage() -> impl IntoView {
    view! {
        <K8sPage page="k8s-nodes" title="Nodes">
            <NodesBody />
        </K8sPage>
    }
}

fn pods_on(pods: &Watch, node: &str) -> Vec<Arc<Value>> {
    pods.list.with(|l| {
        l.objects
            .values()
            .filter(|p| p.pointer("/spec/nodeName").and_then(Value::as_str) == Some(node))
            .cloned()
            .collect()
    })
}

#[component]
fn NodesBody() -> impl IntoView {
    let theme = expect_context::<Theme>();
    let cluster = param("cluster").get_untracked();
    let query = use_query_map();
    let selected = Memo::new(move |_| query.read().get("node").unwrap_or_default());
    let now = clock();
    let nodes = watch(&cluster, "nodes", None);
    let pods = watch(&cluster, "pods", None);
    let c = cluster.clone();
    let rows = move || {
        let light = theme.light.get();
        let mut list = nodes.objects();
        kubeglass_shared::sort::sort_by(&mut list, |a, b| name(a).cmp(name(b)));
        list.into_iter()
            .map(|n| {
                let s = node_summary(&n);
                let node = name(&n).to_string();
                let res = |k: &str| {
                    s.resources
                        .iter()
                        .find(|(r, _, _)| r == k)
                        .map(|(r, cap, alloc)| {
                            format!("{} / {}", format_resource(r, cap), format_resource(r, alloc))
                        })
                        .unwrap_or_default()
                };
                let (cpu, mem) = (res("cpu"), res("memory"));
                let pod_count = pods_on(&pods, &node).len();
                let base = k8s_href(&c, "/nodes", false);
                let href = format!(
                    "{base}?node={}{}",
                    crate::k8s::encode(&node),
                    if light { "&theme=light" } else { "" }
                );
                let n2 = n.clone();
                view! {
                    <tr data-node=node.clone() data-status=s.status.clone()>
                        <td><a href=href>{node.clone()}</a></td>
                        <td><span class=status_class(if s.ready { "Ready" } else { "NotReady" })>{s.status.clone()}</span></td>
                        <td>{s.roles.clone()}</td>
                        <td class="kg-num" data-pods=pod_count>{pod_count}</td>
                        <td>{cpu}</td>
                        <td>{mem}</td>
                        <td>{s.version.clone()}</td>
                        <td>{s.internal_ip.clone()}</td>
                        <td>{move || object_age(&n2, now.get())}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let detail = move || {
        let node = selected.get();
        if node.is_empty() {
            return ().into_any();
        }
        if !is_dns_subdomain(&node) {
            return view! { <p class="kg-error">{format!("`{node}` is not a valid node name")}</p> }.into_any();
        }
        view! { <NodeDetail cluster=cluster.clone() node=node nodes=nodes pods=pods /> }.into_any()
    };
    view! {
        <LiveBody watches=vec![nodes, pods]>
            <div class="kg-table-wrap">
                <table class="kg-table kg-k8s-table">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"Status"</th>
                            <th>"Roles"</th>
                            <th>"Pods"</th>
                            <th>"CPU capacity / allocatable"</th>
                            <th>"Memory capacity / allocatable"</th>
                            <th>"Version"</th>
                            <th>"Internal IP"</th>
                            <th>"Age"</th>
                        </tr>
                    </thead>
                    <tbody>{rows.clone()}</tbody>
                </table>
            </div>
            {detail.clone()}
        </LiveBody>
    }
}

#[component]
fn NodeDetail(cluster: String, node: String, nodes: Watch, pods: Watch) -> impl IntoView {
    let theme = expect_context::<Theme>();
    let obj = {
        let node = node.clone();
        Memo::new(move |_| {
            nodes
                .list
                .with(|l| l.objects.values().find(|n| name(n) == node).cloned())
        })
    };
    let panels = vec![
        chart_panel(
            1,
            "CPU (cores)",
            "short",
            &[
                ("used", format!("sum(rate(container_cpu_usage_seconds_total{{node=\"{node}\", id=\"/\"}}[$__rate_interval]))")),
                ("allocatable", format!("sum(kube_node_status_allocatable{{node=\"{node}\", resource=\"cpu\"}})")),
            ],
        ),
        chart_panel(
            2,
            "Memory",
            "bytes",
            &[
                ("working set", format!("sum(container_memory_working_set_bytes{{node=\"{node}\", id=\"/\"}})")),
                ("allocatable", format!("sum(kube_node_status_allocatable{{node=\"{node}\", resource=\"memory\"}})")),
            ],
        ),
    ];
    let title = format!("Node {node}");
    let node_pods = {
        let node = node.clone();
        move || {
            let light = theme.light.get();
            let mut list = pods_on(&pods, &node);
            kubeglass_shared::sort::sort_by(&mut list, |a, b| {
                (namespace(a), name(a)).cmp(&(namespace(b), name(b)))
            });
            list.into_iter()
                .map(|p| {
                    let s = pod_summary(&p);
                    let href = pod_href(&cluster, namespace(&p), name(&p), light);
                    view! {
                        <li>
                            <a href=href>{format!("{}/{}", namespace(&p), name(&p))}</a>
                            " "
                            <span class=status_class(&s.status)>{s.status.clone()}</span>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    view! {
        <section class="kg-k8s-detail" data-node-detail=node.clone()>
            <h2 class="kg-k8s-h2">{title}</h2>
            {move || match obj.get() {
                None => view! { <p class="kg-error">"This node is not in the cluster."</p> }.into_any(),
                Some(n) => {
                    let s = node_summary(&n);
                    view! {
                        <div class="kg-k8s-columns">
                            <div>
                                <h3>"Conditions"</h3>
                                <table class="kg-table kg-k8s-table">
                                    <thead><tr><th>"Type"</th><th>"Status"</th><th>"Reason"</th><th>"Message"</th></tr></thead>
                                    <tbody>
                                        {s.conditions.iter().map(|c| {
                                            let class = if c.healthy() { "kg-k8s-ok" } else { "kg-k8s-bad" };
                                            view! {
                                                <tr data-condition=c.kind.clone() data-status=c.status.clone()>
                                                    <td>{c.kind.clone()}</td>
                                                    <td class=class>{c.status.clone()}</td>
                                                    <td>{c.reason.clone()}</td>
                                                    <td class="kg-k8s-message-cell" title=c.message.clone()>{c.message.clone()}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <div>
                                <h3>"Capacity"</h3>
                                <table class="kg-table kg-k8s-table">
                                    <thead><tr><th>"Resource"</th><th>"Capacity"</th><th>"Allocatable"</th></tr></thead>
                                    <tbody>
                                        {s.resources.iter().map(|(r, cap, alloc)| view! {
                                            <tr data-resource=r.clone()>
                                                <td>{r.clone()}</td>
                                                <td>{format_resource(r, cap)}</td>
                                                <td>{format_resource(r, alloc)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <h3>"Taints"</h3>
                                {if s.taints.is_empty() {
                                    view! { <p class="kg-empty">"None."</p> }.into_any()
                                } else {
                                    view! { <ul class="kg-k8s-taints">{s.taints.iter().map(|t| view! { <li><code>{t.clone()}</code></li> }).collect_view()}</ul> }.into_any()
                                }}
                                <p class="kg-hint">{format!("{} · {}", s.os_image, s.version)}</p>
                            </div>
                        </div>
                    }
                        .into_any()
                }
            }}
            <Charts panels=panels />
            <h3>"Pods on this node"</h3>
            <ul class="kg-k8s-node-pods">{node_pods}</ul>
        </section>
    }
}
