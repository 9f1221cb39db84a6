//! Shared watches: one upstream watch (kube-rs's watcher: list, then watch, relisting after
//! `410 Gone`, retrying with backoff while the API server is away) per (cluster, kind,
//! namespace), fanned out to every WebSocket client that asks for it.
//!
//! A client gets a `SNAPSHOT` first, then `ADDED`/`MODIFIED`/`DELETED`; after a relist a
//! `SNAPSHOT` with `resynced: true`; `ERROR` while the upstream fails. Each client has a bounded
//! queue: one that cannot keep up is closed with a reason instead of growing memory.

use super::{allowed_kind, redact, truncate, valid_name};
use crate::http::error::ApiError;
use crate::http::AppState;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::watcher;
use kube::runtime::WatchStreamExt;
use kubeglass_shared::k8s::{Kind, WatchMessage};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Messages a client may have waiting before it is closed as too slow.
pub const CLIENT_QUEUE: usize = 256;
/// How long one message may take to reach a client.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);
/// Objects one watch holds at most; beyond, the watch reports an error instead of growing.
const MAX_OBJECTS: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    cluster: String,
    kind: &'static str,
    namespace: Option<String>,
}

/// Every shared watch, by what it watches.
#[derive(Default)]
pub struct Hub {
    watches: Mutex<HashMap<Key, Arc<Shared>>>,
}

struct Shared {
    state: Mutex<WatchState>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

#[derive(Default)]
struct WatchState {
    /// (namespace, name) -> object
    objects: BTreeMap<(String, String), Value>,
    resource_version: String,
    listed: bool,
    error: Option<String>,
    subscribers: HashMap<u64, Subscriber>,
    next_id: u64,
}

struct Subscriber {
    tx: mpsc::Sender<Utf8Bytes>,
    too_slow: Arc<AtomicBool>,
}

/// One client's place on a shared watch; leaving (dropping it) stops the upstream watch when
/// it was the last.
struct Subscription {
    hub: Arc<Hub>,
    key: Key,
    shared: Arc<Shared>,
    id: u64,
    rx: mpsc::Receiver<Utf8Bytes>,
    too_slow: Arc<AtomicBool>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut watches = self.hub.watches.lock().unwrap();
        let mut state = self.shared.state.lock().unwrap();
        state.subscribers.remove(&self.id);
        if state.subscribers.is_empty() {
            if let Some(current) = watches.get(&self.key) {
                if Arc::ptr_eq(current, &self.shared) {
                    watches.remove(&self.key);
                }
            }
            if let Some(task) = self.shared.task.lock().unwrap().take() {
                task.abort();
            }
        }
    }
}

fn encode(message: &WatchMessage) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(message).expect("watch messages serialize"))
}

impl WatchState {
    fn snapshot(&self, resynced: bool) -> WatchMessage {
        WatchMessage::Snapshot {
            resource_version: self.resource_version.clone(),
            items: self.objects.values().cloned().collect(),
            resynced,
        }
    }

    /// Sends to every client; a client whose queue is full is dropped and told why.
    fn broadcast(&mut self, message: &WatchMessage) {
        let text = encode(message);
        self.subscribers
            .retain(|_, s| match s.tx.try_send(text.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    s.too_slow.store(true, Ordering::SeqCst);
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            });
    }

    fn note_version(&mut self, object: &Value) {
        let Some(rv) = object["metadata"]["resourceVersion"].as_str() else {
            return;
        };
        let newer = match (rv.parse::<u64>(), self.resource_version.parse::<u64>()) {
            (Ok(a), Ok(b)) => a > b,
            _ => self.resource_version.is_empty(),
        };
        if newer {
            self.resource_version = rv.to_owned();
        }
    }
}

impl Hub {
    /// Joins the shared watch of `key`, starting it if nobody watches it yet.
    fn subscribe(
        self: &Arc<Hub>,
        key: Key,
        start: impl FnOnce(Arc<Shared>) -> tokio::task::JoinHandle<()>,
    ) -> Subscription {
        let mut watches = self.watches.lock().unwrap();
        let shared = match watches.get(&key) {
            Some(s) => s.clone(),
            None => {
                let shared = Arc::new(Shared {
                    state: Mutex::new(WatchState::default()),
                    task: Mutex::new(None),
                });
                *shared.task.lock().unwrap() = Some(start(shared.clone()));
                watches.insert(key.clone(), shared.clone());
                shared
            }
        };
        let (tx, rx) = mpsc::channel(CLIENT_QUEUE);
        let too_slow = Arc::new(AtomicBool::new(false));
        let mut state = shared.state.lock().unwrap();
        if state.listed {
            let _ = tx.try_send(encode(&state.snapshot(false)));
        }
        if let Some(message) = &state.error {
            let _ = tx.try_send(encode(&WatchMessage::Error {
                message: message.clone(),
            }));
        }
        let id = state.next_id;
        state.next_id += 1;
        state.subscribers.insert(
            id,
            Subscriber {
                tx,
                too_slow: too_slow.clone(),
            },
        );
        drop(state);
        Subscription {
            hub: self.clone(),
            key,
            shared: shared.clone(),
            id,
            rx,
            too_slow,
        }
    }
}

/// Retries quickly at first (a dashboard should come back soon after its API server), then
/// every 5 s.
struct QuickBackoff {
    next: Duration,
}

impl Iterator for QuickBackoff {
    type Item = Duration;
    fn next(&mut self) -> Option<Duration> {
        let now = self.next;
        self.next = (self.next * 2).min(Duration::from_secs(5));
        Some(now)
    }
}

impl kube::runtime::utils::Backoff for QuickBackoff {
    fn reset(&mut self) {
        self.next = Duration::from_millis(250);
    }
}

/// Runs the upstream watch of one key until aborted.
async fn run(
    shared: Arc<Shared>,
    client: Result<kube::Client, ApiError>,
    kind: &'static Kind,
    namespace: Option<String>,
    cluster: String,
) {
    let client = match client {
        Ok(c) => c,
        Err(e) => {
            let mut state = shared.state.lock().unwrap();
            state.error = Some(e.to_string());
            state.broadcast(&WatchMessage::Error {
                message: e.to_string(),
            });
            return;
        }
    };
    let (group, version) = kind
        .api_version
        .split_once('/')
        .unwrap_or(("", kind.api_version));
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(group, version, kind.kind),
        kind.plural,
    );
    let api: Api<DynamicObject> = match &namespace {
        Some(ns) => Api::namespaced_with(client, ns, &resource),
        None => Api::all_with(client, &resource),
    };
    let mut stream = watcher(api, watcher::Config::default())
        .backoff(QuickBackoff {
            next: Duration::from_millis(250),
        })
        .boxed();
    let to_json = |object: DynamicObject| -> Value {
        let mut value = serde_json::to_value(object).unwrap_or(Value::Null);
        if let Some(o) = value.as_object_mut() {
            o.insert("apiVersion".into(), Value::String(kind.api_version.into()));
            o.insert("kind".into(), Value::String(kind.kind.into()));
        }
        redact(kind, &mut value);
        value
    };
    let id = |value: &Value| {
        (
            value["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
            value["metadata"]["name"].as_str().unwrap_or("").to_owned(),
        )
    };
    let mut buffer: Option<BTreeMap<(String, String), Value>> = None;
    let mut listed_before = false;
    while let Some(item) = stream.next().await {
        let mut state = shared.state.lock().unwrap();
        match item {
            Ok(watcher::Event::Init) => buffer = Some(BTreeMap::new()),
            Ok(watcher::Event::InitApply(object)) => {
                let value = to_json(object);
                let buffer = buffer.get_or_insert_with(BTreeMap::new);
                if buffer.len() < MAX_OBJECTS {
                    buffer.insert(id(&value), value);
                }
            }
            Ok(watcher::Event::InitDone) => {
                state.objects = buffer.take().unwrap_or_default();
                state.resource_version.clear();
                let values: Vec<Value> = state.objects.values().cloned().collect();
                for v in &values {
                    state.note_version(v);
                }
                state.listed = true;
                state.error = None;
                let snapshot = state.snapshot(listed_before);
                state.broadcast(&snapshot);
                listed_before = true;
            }
            Ok(watcher::Event::Apply(object)) => {
                let value = to_json(object);
                state.note_version(&value);
                state.error = None;
                let known = state.objects.contains_key(&id(&value));
                if !known && state.objects.len() >= MAX_OBJECTS {
                    let message = format!(
                        "{cluster}: more than {MAX_OBJECTS} {} to watch",
                        kind.plural
                    );
                    state.broadcast(&WatchMessage::Error { message });
                    continue;
                }
                state.objects.insert(id(&value), value.clone());
                let message = if known {
                    WatchMessage::Modified { object: value }
                } else {
                    WatchMessage::Added { object: value }
                };
                state.broadcast(&message);
            }
            Ok(watcher::Event::Delete(object)) => {
                let value = to_json(object);
                state.note_version(&value);
                state.objects.remove(&id(&value));
                state.broadcast(&WatchMessage::Deleted { object: value });
            }
            // The upstream said the version is too old: a relist follows, then a snapshot.
            Err(watcher::Error::WatchError(status)) if status.code == 410 => {}
            Err(e) => {
                let message = truncate(
                    &format!("cluster {cluster}: watching {} failed: {e}", kind.plural),
                    1024,
                );
                if state.error.as_ref() != Some(&message) {
                    state.error = Some(message.clone());
                    state.broadcast(&WatchMessage::Error { message });
                }
            }
        }
    }
}

/// `GET /api/k8s/{cluster}/watch?kind=&namespace=` (a WebSocket).
pub async fn watch(
    State(state): State<AppState>,
    Path(cluster): Path<String>,
    RawQuery(query): RawQuery,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let cluster = state.k8s.clusters.get(&cluster)?;
    let mut kind = None;
    let mut namespace = None;
    for (key, value) in url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "kind" if kind.is_none() => kind = Some(allowed_kind(&value)?),
            "namespace" if namespace.is_none() => {
                if !value.is_empty() {
                    namespace = Some(valid_name("namespace", &value)?.to_owned());
                }
            }
            "kind" | "namespace" => {
                return Err(ApiError::BadRequest(format!(
                    "query parameter {key} given twice"
                )))
            }
            other => {
                return Err(ApiError::BadRequest(format!(
                    "query parameter {:?} is not supported; use kind and namespace",
                    truncate(other, 64)
                )))
            }
        }
    }
    let kind = kind.ok_or_else(|| {
        ApiError::BadRequest("query parameter kind is required (e.g. kind=pods)".into())
    })?;
    if namespace.is_some() && !kind.namespaced {
        return Err(ApiError::BadRequest(format!(
            "{} are not namespaced: leave out namespace",
            kind.plural
        )));
    }
    let ws = ws.map_err(|e| ApiError::BadRequest(format!("this endpoint is a WebSocket: {e}")))?;
    let key = Key {
        cluster: cluster.name.clone(),
        kind: kind.plural,
        namespace: namespace.clone(),
    };
    let hub = state.k8s.hub.clone();
    let clusters = state.k8s.clusters.clone();
    Ok(ws
        .max_message_size(64 << 10)
        .on_upgrade(move |socket| async move {
            let cluster_name = key.cluster.clone();
            let subscription = hub.subscribe(key, move |shared| {
                tokio::spawn(async move {
                    let client = match clusters.get(&cluster_name) {
                        Ok(c) => c.client().await,
                        Err(e) => Err(e),
                    };
                    run(shared, client, kind, namespace, cluster_name).await
                })
            });
            serve_client(socket, subscription).await
        }))
}

async fn serve_client(socket: WebSocket, mut subscription: Subscription) {
    let (mut sink, mut incoming) = socket.split();
    loop {
        tokio::select! {
            message = subscription.rx.recv() => match message {
                Some(text) => {
                    match tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Text(text))).await {
                        Ok(Ok(())) => {}
                        _ => return,
                    }
                }
                None => {
                    let reason = if subscription.too_slow.load(Ordering::SeqCst) {
                        format!("client too slow: more than {CLIENT_QUEUE} watch messages were waiting")
                    } else {
                        "the watch ended".to_owned()
                    };
                    let _ = tokio::time::timeout(
                        SEND_TIMEOUT,
                        sink.send(Message::Close(Some(CloseFrame {
                            code: 1008,
                            reason: reason.into(),
                        }))),
                    )
                    .await;
                    return;
                }
            },
            incoming = incoming.next() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                // The client has nothing to say on a watch; pings are answered by the socket.
                Some(Ok(_)) => {}
            },
        }
    }
}
