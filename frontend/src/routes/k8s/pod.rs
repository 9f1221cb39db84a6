//! `/k8s/{cluster}/namespaces/{ns}/pods/{name}`: one pod, live — its summary, containers and
//! their states (with the last termination), its events, CPU and memory charts when a
//! Prometheus data source is configured, and a log viewer that follows.

use super::events::event_rows;
use super::pods::status_class;
use super::{chart_panel, clock, param, Charts, K8sPage, LiveBody, PageState};
use crate::k8s::socket::{Socket, SocketEvent};
use crate::k8s::watch::watch;
use crate::k8s::{encode, ws_url};
use kubeglass_shared::k8s::view::{
    containers, events_newest_first, is_dns_label, is_dns_subdomain, name, object_age, pod_summary,
};
use kubeglass_shared::k8s::LogMessage;
use leptos::html::Div;
use leptos::prelude::*;
use serde_json::Value;
use std::sync::Arc;

#[component]
pub fn PodPage() -> impl IntoView {
    view! {
        <K8sPage page="k8s-pod" title="Pod">
            <PodBody />
        </K8sPage>
    }
}

#[component]
fn PodBody() -> impl IntoView {
    let cluster = param("cluster").get_untracked();
    let (ns_p, name_p) = (param("ns"), param("name"));
    move || {
        let (ns, pod_name) = (ns_p.get(), name_p.get());
        if !is_dns_label(&ns) || !is_dns_subdomain(&pod_name) {
            if let Some(p) = use_context::<PageState>() {
                p.0.set("error");
            }
            let message = format!("`{ns}/{pod_name}` is not a valid namespace and pod name");
            return view! { <div class="kg-k8s-message" role="alert"><p class="kg-error">{message}</p></div> }
                .into_any();
        }
        view! { <PodView cluster=cluster.clone() ns=ns pod_name=pod_name /> }.into_any()
    }
}

#[component]
fn PodView(cluster: String, ns: String, pod_name: String) -> impl IntoView {
    let now = clock();
    let pods = watch(&cluster, "pods", Some(&ns));
    let events = watch(&cluster, "events", Some(&ns));
    let pod = {
        let pod_name = pod_name.clone();
        Memo::new(move |_| {
            pods.list
                .with(|l| l.objects.values().find(|p| name(p) == pod_name).cloned())
        })
    };
    let missing = {
        let (ns, pod_name) = (ns.clone(), pod_name.clone());
        Signal::derive(move || {
            (pods.list.with(|l| l.synced) && pod.with(Option::is_none))
                .then(|| format!("pod {ns}/{pod_name} does not exist (any more)"))
        })
    };
    let pod_events = {
        let pod_name = pod_name.clone();
        move || {
            events.list.with(|l| {
                events_newest_first(l.objects.values().map(|e| e.as_ref()).filter(|e| {
                    e.pointer("/involvedObject/kind").and_then(Value::as_str) == Some("Pod")
                        && e.pointer("/involvedObject/name").and_then(Value::as_str)
                            == Some(pod_name.as_str())
                }))
            })
        }
    };
    // Container names for the log viewer, changing only when the pod's containers do.
    let names = Memo::new(move |_| {
        pod.with(|p| {
            p.as_ref()
                .map(|p| {
                    let mut c = containers(p);
                    // Regular containers first: the first one is the default, as in kubectl.
                    kubeglass_shared::sort::sort_by_key(&mut c, |c| c.init);
                    c.into_iter().map(|c| c.name).collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let panels = vec![
        chart_panel(
            1,
            "CPU (cores)",
            "short",
            &[
                ("{{container}}", format!("sum by (container) (rate(container_cpu_usage_seconds_total{{namespace=\"{ns}\", pod=\"{pod_name}\", container!=\"\", container!=\"POD\"}}[$__rate_interval]))")),
                ("{{container}} limit", format!("sum by (container) (kube_pod_container_resource_limits{{namespace=\"{ns}\", pod=\"{pod_name}\", resource=\"cpu\"}})")),
            ],
        ),
        chart_panel(
            2,
            "Memory (working set)",
            "bytes",
            &[
                ("{{container}}", format!("sum by (container) (container_memory_working_set_bytes{{namespace=\"{ns}\", pod=\"{pod_name}\", container!=\"\", container!=\"POD\"}})")),
                ("{{container}} limit", format!("sum by (container) (kube_pod_container_resource_limits{{namespace=\"{ns}\", pod=\"{pod_name}\", resource=\"memory\"}})")),
            ],
        ),
    ];
    view! {
        <LiveBody watches=vec![pods] problem=missing>
            {move || pod.get().map(|p| summary(&p, now))}
            <h2 class="kg-k8s-h2">"Containers"</h2>
            {move || pod.get().map(|p| container_table(&p, now))}
            <Charts panels=panels.clone() />
            <h2 class="kg-k8s-h2">"Events"</h2>
            {
                let pod_events = pod_events.clone();
                move || event_rows(pod_events(), now, false)
            }
            <h2 class="kg-k8s-h2">"Logs"</h2>
            <LogViewer cluster=cluster.clone() ns=ns.clone() pod_name=pod_name.clone() containers=names />
        </LiveBody>
    }
}

fn summary(pod: &Arc<Value>, now: RwSignal<i64>) -> impl IntoView {
    let s = pod_summary(pod);
    let p = pod.clone();
    let labels: Vec<String> = pod
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    let field = |label: &'static str, value: String| {
        view! {
            <dt>{label}</dt>
            <dd>{value}</dd>
        }
    };
    let (status_attr, phase_attr) = (s.status.clone(), s.phase.clone());
    view! {
        <dl class="kg-k8s-summary" data-status=status_attr data-phase=phase_attr>
            <dt>"Name"</dt>
            <dd>{format!("{}/{}", kubeglass_shared::k8s::view::namespace(pod), name(pod))}</dd>
            <dt>"Status"</dt>
            <dd>
                <span class=status_class(&s.status)>{s.status.clone()}</span>
            </dd>
            {field("Ready", s.ready_text())}
            <dt>"Restarts"</dt>
            <dd>{move || s.restarts_text(now.get())}</dd>
            <dt>"Age"</dt>
            <dd>{move || object_age(&p, now.get())}</dd>
            {field("Node", pod.pointer("/spec/nodeName").and_then(Value::as_str).unwrap_or("").into())}
            {field("Pod IP", pod.pointer("/status/podIP").and_then(Value::as_str).unwrap_or("").into())}
            {field("Owner", kubeglass_shared::k8s::view::owner(pod).unwrap_or_default())}
            {field("QoS class", pod.pointer("/status/qosClass").and_then(Value::as_str).unwrap_or("").into())}
            <dt>"Labels"</dt>
            <dd>{labels.into_iter().map(|l| view! { <span class="kg-tag">{l}</span> }).collect_view()}</dd>
        </dl>
    }
}

fn container_table(pod: &Value, now: RwSignal<i64>) -> impl IntoView {
    let rows = containers(pod)
        .into_iter()
        .map(|c| {
            let state = c.state.clone();
            let last = c.last_state.clone();
            let last_name = last.as_ref().map(|l| l.name()).unwrap_or("");
            let message = c.state.message().to_string();
            view! {
                <tr data-container=c.name.clone() data-state=c.state.name() data-ready=c.ready.to_string()>
                    <td>{c.name.clone()} {c.init.then_some(" (init)")}</td>
                    <td class="kg-k8s-image">{c.image.clone()}</td>
                    <td>{move || state.describe(now.get())}</td>
                    <td>{if c.ready { "yes" } else { "no" }}</td>
                    <td class="kg-num">{c.restarts}</td>
                    <td data-last-state=last_name>
                        {move || last.as_ref().map(|l| l.describe(now.get())).unwrap_or_default()}
                    </td>
                    <td class="kg-k8s-message-cell" title=message.clone()>{message.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="kg-table-wrap">
            <table class="kg-table kg-k8s-table kg-k8s-containers">
                <thead>
                    <tr>
                        <th>"Container"</th>
                        <th>"Image"</th>
                        <th>"State"</th>
                        <th>"Ready"</th>
                        <th>"Restarts"</th>
                        <th>"Last termination"</th>
                        <th>"Message"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The most log lines kept in the page; older ones are dropped.
const MAX_LINES: usize = 5_000;

/// Options of the log stream: changing one opens a new stream.
#[derive(Debug, Clone, PartialEq)]
struct LogOptions {
    container: String,
    tail: u32,
    timestamps: bool,
}

#[component]
fn LogViewer(
    cluster: String,
    ns: String,
    pod_name: String,
    containers: Memo<Vec<String>>,
) -> impl IntoView {
    let container = RwSignal::new(String::new());
    // The first container until one is chosen, or when the chosen one is gone.
    Effect::new(move |_| {
        let names = containers.get();
        if !names.contains(&container.get_untracked()) {
            if let Some(first) = names.first() {
                container.set(first.clone());
            }
        }
    });
    let tail = RwSignal::new(500u32);
    let timestamps = RwSignal::new(false);
    let paused = RwSignal::new(false);
    let options = Memo::new(move |_| LogOptions {
        container: container.get(),
        tail: tail.get(),
        timestamps: timestamps.get(),
    });
    view! {
        <div class="kg-k8s-log-controls">
            <label class="kg-k8s-filter">
                "Container "
                <select class="kg-select" data-log="container" on:change=move |ev| container.set(event_target_value(&ev))>
                    {move || {
                        let current = container.get();
                        containers
                            .get()
                            .into_iter()
                            .map(|c| {
                                let selected = c == current;
                                view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label class="kg-k8s-filter">
                "Tail "
                <select
                    class="kg-select"
                    data-log="tail"
                    on:change=move |ev| tail.set(event_target_value(&ev).parse().unwrap_or(500))
                >
                    {[100u32, 500, 1000, 5000]
                        .into_iter()
                        .map(|n| view! { <option value=n.to_string() selected=move || tail.get() == n>{n}" lines"</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="kg-k8s-filter">
                <input type="checkbox" data-log="timestamps" prop:checked=move || timestamps.get() on:change=move |ev| timestamps.set(event_target_checked(&ev)) />
                " Timestamps"
            </label>
            <button class="kg-btn" data-log="pause" on:click=move |_| paused.update(|p| *p = !*p)>
                {move || if paused.get() { "Resume" } else { "Pause" }}
            </button>
        </div>
        {move || {
            let o = options.get();
            (!o.container.is_empty()).then(|| {
                view! { <LogStream cluster=cluster.clone() ns=ns.clone() pod_name=pod_name.clone() options=o paused=paused /> }
            })
        }}
    }
}

/// One log line with its position in the stream (the key of its row).
#[derive(Debug, Clone)]
struct Line {
    seq: u64,
    text: String,
    truncated: bool,
}

#[component]
fn LogStream(
    cluster: String,
    ns: String,
    pod_name: String,
    options: LogOptions,
    paused: RwSignal<bool>,
) -> impl IntoView {
    let lines = RwSignal::new(std::collections::VecDeque::<Line>::new());
    // Lines received while paused, shown on resume (bounded like the others).
    let held = StoredValue::new_local(Vec::<Line>::new());
    let held_count = RwSignal::new(0usize);
    let state = RwSignal::new(("connecting", String::new()));
    let seq = StoredValue::new_local(0u64);
    let path = format!(
        "/api/k8s/{}/namespaces/{}/pods/{}/log?container={}&follow=true&tailLines={}&timestamps={}",
        encode(&cluster),
        encode(&ns),
        encode(&pod_name),
        encode(&options.container),
        options.tail,
        options.timestamps
    );
    let push = move |batch: Vec<Line>| {
        lines.update(|l| {
            l.extend(batch);
            while l.len() > MAX_LINES {
                l.pop_front();
            }
        });
    };
    let socket = StoredValue::new_local(None::<Socket>);
    let s = Socket::open(ws_url(&path), true, move |event| match event {
        SocketEvent::Open => {
            // A reconnection sends the tail again: start over rather than repeat lines.
            lines.try_update(|l| l.clear());
            held.try_update_value(|h| h.clear());
            held_count.try_set(0);
            state.try_set(("streaming", String::new()));
        }
        SocketEvent::Text(text) => match serde_json::from_str::<LogMessage>(&text) {
            Ok(LogMessage::Lines { lines: batch }) => {
                let batch: Vec<Line> = batch
                    .into_iter()
                    .map(|l| {
                        let n = seq.try_get_value().unwrap_or(0) + 1;
                        seq.try_set_value(n);
                        Line {
                            seq: n,
                            text: l.text,
                            truncated: l.truncated,
                        }
                    })
                    .collect();
                if paused.try_get_untracked() == Some(true) {
                    held.try_update_value(|h| {
                        h.extend(batch);
                        if h.len() > MAX_LINES {
                            h.drain(..h.len() - MAX_LINES);
                        }
                        held_count.try_set(h.len());
                    });
                } else {
                    push(batch);
                }
            }
            Ok(LogMessage::End) => {
                state.try_set(("ended", String::new()));
                if let Some(Some(s)) = socket.try_get_value() {
                    s.stop();
                }
            }
            Ok(LogMessage::Error { message }) => {
                state.try_set(("error", message));
            }
            Err(e) => {
                state.try_set(("error", format!("unreadable log message: {e}")));
            }
        },
        SocketEvent::Binary => {
            state.try_set(("error", "the server sent a binary frame".into()));
        }
        SocketEvent::Closed {
            code,
            reason,
            retry_ms,
        } => {
            // An error the server sent before closing says more than the close does.
            let why = match state.try_get_untracked() {
                Some(("error", m)) => m,
                _ if reason.is_empty() => format!("the log stream closed (code {code})"),
                _ => reason,
            };
            let retry = retry_ms
                .map(|ms| format!("; reconnecting in {:.1} s", f64::from(ms) / 1000.0))
                .unwrap_or_default();
            state.try_set(("disconnected", format!("{why}{retry}")));
        }
    });
    socket.set_value(Some(s));
    // Resuming shows what arrived in the meantime.
    Effect::new(move |_| {
        if !paused.get() {
            let batch = held.try_update_value(std::mem::take).unwrap_or_default();
            held_count.set(0);
            if !batch.is_empty() {
                push(batch);
            }
        }
    });
    // Follow: keep the newest line in view unless paused.
    let view_ref = NodeRef::<Div>::new();
    Effect::new(move |_| {
        lines.track();
        if !paused.get_untracked() {
            if let Some(el) = view_ref.get() {
                el.set_scroll_top(el.scroll_height());
            }
        }
    });
    let status = move || {
        let (s, m) = state.get();
        match s {
            "connecting" => "Connecting…".to_string(),
            "streaming" if paused.get() => format!("Paused — {} new lines held", held_count.get()),
            "streaming" => "Following".into(),
            "ended" => "The log ended".into(),
            _ => m,
        }
    };
    view! {
        <div class="kg-k8s-log" data-log-state=move || state.get().0>
            <div class="kg-k8s-log-status" class:kg-error=move || matches!(state.get().0, "error" | "disconnected")>
                {status}
            </div>
            <div class="kg-k8s-log-lines" node_ref=view_ref>
                <For each=move || lines.get() key=|l| l.seq let:line>
                    <div class="kg-k8s-log-line" class:kg-k8s-truncated=line.truncated>
                        {line.text}
                    </div>
                </For>
            </div>
        </div>
    }
}
