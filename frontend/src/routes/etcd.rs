//! `/etcd?cluster=&prefix=`: a live watch of an etcd prefix. The events table (newest first,
//! pause and resume, a key filter, the count and rate), the key tree from a range read kept
//! current by the events, and the value of the chosen key with its change from the previous
//! value. The watch resumes from the last revision + 1 when the socket drops, and resyncs from
//! a fresh range read when etcd says that revision is compacted.

use gloo_net::http::Request;
use kubeglass_shared::api::ErrorBody;
use kubeglass_shared::etcd::{
    line_diff, rate_per_second, ClustersResponse, DiffOp, Event, EventType, KeysResponse,
    ServerMessage, Value, ValueFormat, WatchRequest,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use crate::url_state::QueryWriter;

/// Rows kept in the table; older ones fall off (the count still counts them).
const MAX_ROWS: usize = 2000;
/// Keys read for the tree.
const TREE_LIMIT: i64 = 1000;

#[derive(Clone, Debug, PartialEq)]
struct Row {
    seq: u64,
    event: Event,
}

/// What the tree holds of a key: its value (from the range read or the latest put).
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    value: Option<Value>,
    prev: Option<Value>,
    mod_revision: i64,
}

async fn fetch<T: serde::de::DeserializeOwned>(url: &str) -> Result<T, String> {
    let resp = Request::get(url)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    if !resp.ok() {
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        let message = serde_json::from_str::<ErrorBody>(&body)
            .map(|b| b.message)
            .unwrap_or(body);
        return Err(format!("GET {url}: HTTP {status}: {message}"));
    }
    resp.json::<T>()
        .await
        .map_err(|e| format!("GET {url}: unexpected answer: {e}"))
}

fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// The open socket and its handlers (dropping the handlers while the socket lives would
/// leave it calling freed closures, so they live together).
struct Conn {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(web_sys::Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

#[derive(Clone, Copy)]
struct WatchState {
    rows: RwSignal<Vec<Row>>,
    pending: StoredValue<Vec<Row>>,
    paused: RwSignal<bool>,
    count: RwSignal<u64>,
    seq: StoredValue<u64>,
    times: StoredValue<Vec<f64>>,
    last_rev: StoredValue<Option<i64>>,
    status: RwSignal<String>,
    error: RwSignal<Option<String>>,
    tree: RwSignal<BTreeMap<String, Entry>>,
    tree_error: RwSignal<Option<String>>,
}

impl WatchState {
    fn take_events(&self, events: Vec<Event>) {
        let now = js_sys::Date::now();
        let mut new_rows = Vec::with_capacity(events.len());
        self.tree.update(|tree| {
            for e in &events {
                match e.kind {
                    EventType::Put => {
                        tree.insert(
                            e.key.clone(),
                            Entry {
                                value: e.value.clone(),
                                prev: e.prev_value.clone(),
                                mod_revision: e.mod_revision,
                            },
                        );
                    }
                    EventType::Delete => {
                        tree.remove(&e.key);
                    }
                }
            }
        });
        for e in events {
            self.last_rev.set_value(Some(e.mod_revision));
            let seq = self.seq.get_value() + 1;
            self.seq.set_value(seq);
            new_rows.push(Row { seq, event: e });
        }
        let n = new_rows.len();
        self.count.update(|c| *c += n as u64);
        self.times.update_value(|t| {
            t.extend(std::iter::repeat_n(now, n));
            let keep = t.len().saturating_sub(20_000);
            t.drain(..keep);
        });
        if self.paused.get_untracked() {
            self.pending.update_value(|p| p.extend(new_rows));
        } else {
            self.push_rows(new_rows);
        }
    }

    fn push_rows(&self, mut new_rows: Vec<Row>) {
        self.rows.update(|rows| {
            new_rows.reverse();
            new_rows.append(rows);
            new_rows.truncate(MAX_ROWS);
            *rows = new_rows;
        });
    }
}

#[component]
pub fn EtcdPage() -> impl IntoView {
    let query = use_query_map();
    let writer = QueryWriter::new();
    let clusters = LocalResource::new(|| fetch::<ClustersResponse>("/api/etcd/clusters"));
    let cluster = Memo::new(move |_| {
        query.read().get("cluster").unwrap_or_else(|| {
            clusters
                .get()
                .and_then(|r| r.ok())
                .and_then(|c| c.clusters.first().map(|c| c.name.clone()))
                .unwrap_or_else(|| "default".into())
        })
    });
    let prefix = Memo::new(move |_| query.read().get("prefix").unwrap_or_default());
    let draft = RwSignal::new(prefix.get_untracked());
    Effect::new(move |_| draft.set(prefix.get()));
    let filter = RwSignal::new(String::new());
    let selected = RwSignal::new(None::<String>);
    let rate = RwSignal::new(0.0f64);

    let state = WatchState {
        rows: RwSignal::new(Vec::new()),
        pending: StoredValue::new(Vec::new()),
        paused: RwSignal::new(false),
        count: RwSignal::new(0),
        seq: StoredValue::new(0),
        times: StoredValue::new(Vec::new()),
        last_rev: StoredValue::new(None),
        status: RwSignal::new(String::new()),
        error: RwSignal::new(None),
        tree: RwSignal::new(BTreeMap::new()),
        tree_error: RwSignal::new(None),
    };
    let conn: StoredValue<Option<Conn>, LocalStorage> = StoredValue::new_local(None);
    let generation = StoredValue::new(0u64);
    let attempt = RwSignal::new(0u32);
    let watching = StoredValue::new((String::new(), String::new()));

    // Reads the keys for the tree; `then` gets the revision of the read.
    let load_tree = move |then: Option<Box<dyn FnOnce(i64)>>| {
        let (c, p) = (cluster.get_untracked(), prefix.get_untracked());
        leptos::task::spawn_local(async move {
            let url = format!(
                "/api/etcd/{}/keys?prefix={}&limit={TREE_LIMIT}",
                enc(&c),
                enc(&p)
            );
            match fetch::<KeysResponse>(&url).await {
                Ok(keys) => {
                    state.tree_error.set(None);
                    state.tree.set(
                        keys.kvs
                            .into_iter()
                            .map(|kv| {
                                (
                                    kv.key,
                                    Entry {
                                        value: kv.value,
                                        prev: None,
                                        mod_revision: kv.mod_revision,
                                    },
                                )
                            })
                            .collect(),
                    );
                    if let Some(f) = then {
                        f(keys.revision);
                    }
                }
                Err(e) => state.tree_error.set(Some(e)),
            }
        });
    };

    // Opens the socket for (cluster, prefix), from the last revision + 1 after a drop.
    Effect::new(move |_| {
        let (c, p) = (cluster.get(), prefix.get());
        attempt.track();
        if watching.get_value() != (c.clone(), p.clone()) {
            watching.set_value((c.clone(), p.clone()));
            state.last_rev.set_value(None);
            state.rows.set(Vec::new());
            state.pending.set_value(Vec::new());
            state.count.set(0);
            state.times.set_value(Vec::new());
            selected.set(None);
            // Nothing is read before a prefix is chosen: the whole keyspace is never allowed
            // (it holds the denied prefixes), and a new user should not be greeted by a refusal.
            if !p.is_empty() {
                load_tree(None);
            }
        }
        conn.set_value(None);
        if p.is_empty() {
            state.status.set(
                "Choose a prefix to watch, such as /registry/pods/ (prefixes that hold secrets are refused)."
                    .into(),
            );
            return;
        }
        let g = generation.get_value() + 1;
        generation.set_value(g);
        let location = window().location();
        let proto = if location.protocol().unwrap_or_default() == "https:" {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().unwrap_or_default();
        let url = format!("{proto}://{host}/api/etcd/{}/watch", enc(&c));
        let ws = match WebSocket::new(&url) {
            Ok(ws) => ws,
            Err(e) => {
                state.error.set(Some(format!("{url}: {e:?}")));
                return;
            }
        };
        let request = WatchRequest {
            prefix: p.clone(),
            start_revision: state.last_rev.get_value().map(|r| r + 1),
            prev_kv: true,
        };
        let body = serde_json::to_string(&request).unwrap_or_default();
        let socket = ws.clone();
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let _ = socket.send_with_str(&body);
        });
        let socket = ws.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if generation.get_value() != g {
                return;
            }
            let Some(text) = ev.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ServerMessage>(&text) {
                Ok(ServerMessage::Created {
                    revision, shared, ..
                }) => {
                    state.error.set(None);
                    state.status.set(format!(
                        "Watching from revision {revision}{}",
                        if shared { " (shared watch)" } else { "" }
                    ));
                }
                Ok(ServerMessage::Events { events, .. }) => state.take_events(events),
                Ok(ServerMessage::Progress { revision }) => {
                    state
                        .status
                        .set(format!("Up to date at revision {revision}"));
                }
                Ok(ServerMessage::Reconnecting { message, .. }) => state.status.set(message),
                Ok(ServerMessage::Error { message }) => state.error.set(Some(message)),
                Ok(ServerMessage::Compacted { message, .. }) => {
                    state.status.set(message);
                    let socket = socket.clone();
                    let p = p.clone();
                    load_tree(Some(Box::new(move |revision| {
                        state.last_rev.set_value(Some(revision));
                        let request = WatchRequest {
                            prefix: p,
                            start_revision: Some(revision + 1),
                            prev_kv: true,
                        };
                        let _ = socket
                            .send_with_str(&serde_json::to_string(&request).unwrap_or_default());
                    })));
                }
                Err(e) => state.error.set(Some(format!("unexpected message: {e}"))),
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            if generation.get_value() != g {
                return;
            }
            let reason = ev.reason();
            state.status.set(format!(
                "Connection closed ({}{}); reconnecting…",
                ev.code(),
                if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {reason}")
                }
            ));
            gloo_timers::callback::Timeout::new(1000, move || {
                if generation.get_value() == g {
                    attempt.update(|a| *a += 1);
                }
            })
            .forget();
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        conn.set_value(Some(Conn {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        }));
    });
    on_cleanup(move || {
        generation.set_value(u64::MAX);
        conn.set_value(None);
    });

    let ticker = gloo_timers::callback::Interval::new(1000, move || {
        let now = js_sys::Date::now();
        rate.set(state.times.with_value(|t| rate_per_second(t, now, 5000.0)));
    });
    let ticker = StoredValue::new_local(Some(ticker));
    on_cleanup(move || ticker.set_value(None));

    // Without a prefix in the URL, start from the cluster's first allowed one, if it has an
    // allow list.
    Effect::new(move |_| {
        if !prefix.get().is_empty() {
            return;
        }
        let first = clusters.get().and_then(|r| r.ok()).and_then(|c| {
            let name = cluster.get();
            c.clusters
                .into_iter()
                .find(|c| c.name == name)
                .and_then(|c| c.allow_prefixes.into_iter().next())
        });
        if let Some(first) = first {
            writer.set(&[("prefix", Some(first))]);
        }
    });

    let watch = move || {
        writer.set(&[
            ("prefix", Some(draft.get_untracked())),
            ("cluster", Some(cluster.get_untracked())),
        ]);
    };
    let toggle_pause = move |_| {
        if state.paused.get_untracked() {
            let pending = state
                .pending
                .try_update_value(std::mem::take)
                .unwrap_or_default();
            state.push_rows(pending);
            state.paused.set(false);
        } else {
            state.paused.set(true);
        }
    };
    let visible_rows = Memo::new(move |_| {
        let f = filter.get();
        state.rows.with(|rows| {
            rows.iter()
                .filter(|r| f.is_empty() || r.event.key.contains(&f))
                .take(500)
                .cloned()
                .collect::<Vec<_>>()
        })
    });

    view! {
        <div class="kg-page kg-etcd">
            <div class="kg-dashboard-bar">
                <h1 class="kg-dashboard-title">"etcd"</h1>
                <div class="kg-dashboard-controls">
                    <select
                        class="kg-select"
                        data-etcd-cluster
                        on:change=move |ev| {
                            writer.set(&[("cluster", Some(event_target_value(&ev)))])
                        }
                    >
                        {move || {
                            let current = cluster.get();
                            clusters
                                .get()
                                .and_then(|r| r.ok())
                                .map(|c| c.clusters)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|c| {
                                    let sel = c.name == current;
                                    view! { <option value=c.name.clone() selected=sel>{c.name.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                    <input
                        class="kg-input kg-etcd-prefix"
                        data-etcd-prefix
                        placeholder="/prefix/"
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Enter" {
                                watch();
                            }
                        }
                    />
                    <button class="kg-btn kg-btn-primary" on:click=move |_| watch()>"Watch"</button>
                </div>
            </div>
            {move || clusters.get().and_then(|r| r.err()).map(|e| view! { <p class="kg-error">{e}</p> })}
            {move || state.error.get().map(|e| view! { <p class="kg-error" data-etcd-error>{e}</p> })}
            <div class="kg-etcd-status" data-etcd-status>{move || state.status.get()}</div>
            <div class="kg-etcd-layout">
                <section class="kg-etcd-tree">
                    <h2>"Keys"</h2>
                    {move || state.tree_error.get().map(|e| view! { <p class="kg-error">{e}</p> })}
                    <ul data-etcd-tree>
                        {move || {
                            let base = prefix.get();
                            state
                                .tree
                                .with(|t| t.keys().cloned().collect::<Vec<_>>())
                                .into_iter()
                                .map(|key| {
                                    let rest = key.strip_prefix(base.as_str()).unwrap_or(&key).to_string();
                                    let depth = rest.matches('/').count();
                                    let k = key.clone();
                                    let k2 = key.clone();
                                    view! {
                                        <li
                                            data-tree-key=key.clone()
                                            style=format!("padding-left:{}em", depth)
                                            class:kg-selected=move || selected.get().as_deref() == Some(k2.as_str())
                                            on:click=move |_| selected.set(Some(k.clone()))
                                        >
                                            {rest}
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ul>
                </section>
                <section class="kg-etcd-events">
                    <div class="kg-etcd-toolbar">
                        <input
                            class="kg-input"
                            placeholder="Filter by key"
                            data-etcd-filter
                            prop:value=move || filter.get()
                            on:input=move |ev| filter.set(event_target_value(&ev))
                        />
                        <button class="kg-btn" data-etcd-pause on:click=toggle_pause>
                            {move || if state.paused.get() { "Resume" } else { "Pause" }}
                        </button>
                        <span class="kg-etcd-count" data-etcd-count>
                            {move || format!("{} events", state.count.get())}
                        </span>
                        <span class="kg-etcd-rate" data-etcd-rate>{move || format!("{:.1}/s", rate.get())}</span>
                    </div>
                    <div class="kg-table-wrap">
                        <table class="kg-table" data-etcd-events>
                            <thead>
                                <tr>
                                    <th>"Revision"</th>
                                    <th>"Type"</th>
                                    <th>"Key"</th>
                                    <th>"Value"</th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=move || visible_rows.get() key=|r| r.seq let:row>
                                    <EventRow row=row selected=selected />
                                </For>
                            </tbody>
                        </table>
                    </div>
                </section>
                <section class="kg-etcd-value">
                    <h2>"Value"</h2>
                    {move || {
                        let Some(key) = selected.get() else {
                            return view! { <p class="kg-empty">"Choose a key or an event."</p> }.into_any();
                        };
                        let entry = state.tree.with(|t| t.get(&key).cloned());
                        match entry {
                            None => view! { <p class="kg-empty">{format!("{key} is deleted")}</p> }.into_any(),
                            Some(entry) => view! { <ValueView key=key entry=entry /> }.into_any(),
                        }
                    }}
                </section>
            </div>
        </div>
    }
}

#[component]
fn EventRow(row: Row, selected: RwSignal<Option<String>>) -> impl IntoView {
    let e = row.event;
    let kind = match e.kind {
        EventType::Put => "PUT",
        EventType::Delete => "DELETE",
    };
    let preview: String = e
        .value
        .as_ref()
        .map(|v| v.text.chars().take(120).collect())
        .unwrap_or_default();
    let key = e.key.clone();
    view! {
        <tr data-etcd-event=kind data-key=e.key.clone() data-revision=e.mod_revision on:click=move |_| selected.set(Some(key.clone()))>
            <td class="kg-num">{e.mod_revision}</td>
            <td class=format!("kg-etcd-{}", kind.to_lowercase())>{kind}</td>
            <td class="kg-etcd-key">{e.key.clone()}</td>
            <td class="kg-etcd-preview">{preview}</td>
        </tr>
    }
}

#[component]
fn ValueView(key: String, entry: Entry) -> impl IntoView {
    let Some(value) = entry.value else {
        return view! { <p class="kg-empty">{format!("{key}: no value read")}</p> }.into_any();
    };
    let about = format!(
        "{key} · revision {} · {} bytes · {}{}{}",
        entry.mod_revision,
        value.size,
        match value.format {
            ValueFormat::Text => "text",
            ValueFormat::Json => "JSON",
            ValueFormat::Kubernetes => "Kubernetes protobuf",
            ValueFormat::Binary => "binary (hex)",
        },
        value
            .kind
            .as_ref()
            .map(|k| format!(" {k}"))
            .unwrap_or_default(),
        if value.truncated { " · cut" } else { "" }
    );
    let diffable = |v: &Value| matches!(v.format, ValueFormat::Text | ValueFormat::Json);
    let diff = entry
        .prev
        .as_ref()
        .filter(|p| diffable(p) && diffable(&value))
        .map(|p| line_diff(&p.text, &value.text));
    view! {
        <div data-etcd-value=key.clone()>
            <p class="kg-etcd-about">{about}</p>
            {match diff {
                Some(lines) => view! {
                    <p class="kg-hint">"Change from the previous value:"</p>
                    <pre class="kg-etcd-diff">
                        {lines
                            .into_iter()
                            .map(|(op, line)| {
                                let (class, mark) = match op {
                                    DiffOp::Same => ("kg-diff-same", "  "),
                                    DiffOp::Added => ("kg-diff-add", "+ "),
                                    DiffOp::Removed => ("kg-diff-del", "- "),
                                };
                                view! { <div class=class>{format!("{mark}{line}")}</div> }
                            })
                            .collect_view()}
                    </pre>
                }
                .into_any(),
                None => view! { <pre class="kg-etcd-text">{value.text.clone()}</pre> }.into_any(),
            }}
        </div>
    }
    .into_any()
}
