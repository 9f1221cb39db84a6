//! Shared watches: one upstream watch (kube-rs's watcher: list, then watch, relisting after
//! `410 Gone`, retrying with backoff while the API server is away) per (cluster, kind,
//! namespace), fanned out to every WebSocket client that asks for it (`crate::fanout`).
//!
//! A client gets a `SNAPSHOT` first, then `ADDED`/`MODIFIED`/`DELETED`; after a relist a
//! `SNAPSHOT` with `resynced: true`; `ERROR` while the upstream fails. Each client has a bounded
//! queue: one that cannot keep up is closed with a reason instead of growing memory.
//!
//! A watch keeps at most `--k8s-max-objects` objects; a snapshot that leaves some out says so
//! (`incomplete`), as does an `INCOMPLETE` message when objects added later are left out.
//! Objects are kept serialized, so that a new client's snapshot is assembled from them after
//! the lock is released, and a change is serialized once for every client.

use super::{allowed_kind, redact, truncate, valid_name};
use crate::fanout::{Hub as FanOut, Subscription, Topic};
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
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Messages a client may have waiting before it is closed as too slow.
pub const CLIENT_QUEUE: usize = 256;
/// How long one message may take to reach a client.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    cluster: String,
    kind: &'static str,
    namespace: Option<String>,
}

/// Every shared watch, by what it watches.
pub type Hub = FanOut<Key, WatchState>;

/// (namespace, name) of an object.
type ObjectId = (String, String);

/// What one shared watch knows.
#[derive(Default)]
pub struct WatchState {
    /// Each object as serialized JSON.
    objects: BTreeMap<ObjectId, Arc<str>>,
    resource_version: String,
    listed: bool,
    error: Option<String>,
    /// Why the list is incomplete, once objects were left out.
    incomplete: Option<String>,
}

/// What a client is told first: the snapshot and any error, read when it joined.
struct Greeting {
    snapshot: Option<(String, Vec<Arc<str>>, Option<String>)>,
    error: Option<String>,
}

impl Greeting {
    fn frames(self) -> Vec<Utf8Bytes> {
        let mut frames = Vec::new();
        if let Some((rv, items, incomplete)) = self.snapshot {
            frames.push(snapshot_frame(&rv, &items, false, incomplete.as_deref()));
        }
        if let Some(message) = self.error {
            frames.push(encode(&WatchMessage::Error { message }));
        }
        frames
    }
}

fn encode(message: &WatchMessage) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(message).expect("watch messages serialize"))
}

/// A `SNAPSHOT` frame made from serialized objects (the same JSON as
/// `WatchMessage::Snapshot` serializes to, without parsing the objects again).
fn snapshot_frame(
    rv: &str,
    items: &[Arc<str>],
    resynced: bool,
    incomplete: Option<&str>,
) -> Utf8Bytes {
    let mut text = String::with_capacity(64 + items.iter().map(|i| i.len() + 1).sum::<usize>());
    text.push_str(r#"{"type":"SNAPSHOT","resourceVersion":"#);
    text.push_str(&serde_json::to_string(rv).expect("strings serialize"));
    text.push_str(r#","items":["#);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(item);
    }
    text.push_str(r#"],"resynced":"#);
    text.push_str(if resynced { "true" } else { "false" });
    if let Some(m) = incomplete {
        text.push_str(r#","incomplete":"#);
        text.push_str(&serde_json::to_string(m).expect("strings serialize"));
    }
    text.push('}');
    Utf8Bytes::from(text)
}

/// An `ADDED`, `MODIFIED` or `DELETED` frame of a serialized object.
fn change_frame(kind: &str, object: &str) -> Utf8Bytes {
    Utf8Bytes::from(format!(r#"{{"type":"{kind}","object":{object}}}"#))
}

impl WatchState {
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

    fn greeting(&self) -> Greeting {
        Greeting {
            snapshot: self.listed.then(|| {
                (
                    self.resource_version.clone(),
                    self.objects.values().cloned().collect(),
                    self.incomplete.clone(),
                )
            }),
            error: self.error.clone(),
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

/// Publishes an upstream error, once for each new message.
fn report(topic: &Topic<Key, WatchState>, message: String) {
    let mut state = topic.lock();
    if state.error.as_ref() != Some(&message) {
        state.error = Some(message.clone());
        state.publish(&encode(&WatchMessage::Error { message }));
    }
}

/// What one upstream watch is of.
struct Watched {
    cluster: String,
    kind: &'static Kind,
    namespace: Option<String>,
    max_objects: usize,
}

/// Runs the upstream watch of one key until aborted. A cluster whose client cannot be made
/// (a kubeconfig being rewritten, an exec plugin failing) is tried again with backoff.
async fn run(topic: Arc<Topic<Key, WatchState>>, clusters: super::Clusters, watched: Watched) {
    let Watched {
        cluster,
        kind,
        namespace,
        max_objects,
    } = watched;
    let mut backoff = QuickBackoff {
        next: Duration::from_millis(250),
    };
    let client = loop {
        let attempt = match clusters.get(&cluster) {
            Ok(c) => c.client().await,
            Err(e) => Err(e),
        };
        match attempt {
            Ok(c) => break c,
            Err(e) => {
                report(&topic, e.to_string());
                tokio::time::sleep(backoff.next().unwrap_or(Duration::from_secs(5))).await;
            }
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
    let id = |value: &Value| -> ObjectId {
        (
            value["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
            value["metadata"]["name"].as_str().unwrap_or("").to_owned(),
        )
    };
    let serialized = |value: &Value| -> Arc<str> {
        Arc::from(serde_json::to_string(value).expect("JSON serializes"))
    };
    let cut = |kept: usize, total: usize| {
        format!(
            "kubeglass keeps at most {kept} {} per watch (--k8s-max-objects) and the cluster has {total}",
            kind.plural
        )
    };
    // The list being read, and how many objects it left out.
    let mut buffer: BTreeMap<ObjectId, Arc<str>> = BTreeMap::new();
    let mut left_out = 0usize;
    let mut listed_before = false;
    while let Some(item) = stream.next().await {
        match item {
            Ok(watcher::Event::Init) => {
                buffer.clear();
                left_out = 0;
            }
            Ok(watcher::Event::InitApply(object)) => {
                let value = to_json(object);
                if buffer.len() < max_objects {
                    buffer.insert(id(&value), serialized(&value));
                } else {
                    left_out += 1;
                }
            }
            Ok(watcher::Event::InitDone) => {
                let objects = std::mem::take(&mut buffer);
                // The list's version: the newest of its objects'.
                let mut newest = WatchState::default();
                for text in objects.values() {
                    if let Ok(v) = serde_json::from_str::<Value>(text) {
                        newest.note_version(&v);
                    }
                }
                let incomplete = (left_out > 0).then(|| cut(max_objects, objects.len() + left_out));
                let items: Vec<Arc<str>> = objects.values().cloned().collect();
                let frame = snapshot_frame(
                    &newest.resource_version,
                    &items,
                    listed_before,
                    incomplete.as_deref(),
                );
                let mut state = topic.lock();
                state.objects = objects;
                state.resource_version = newest.resource_version;
                state.listed = true;
                state.error = None;
                state.incomplete = incomplete;
                state.publish(&frame);
                listed_before = true;
            }
            Ok(watcher::Event::Apply(object)) => {
                let value = to_json(object);
                let key = id(&value);
                let text = serialized(&value);
                let mut state = topic.lock();
                state.note_version(&value);
                state.error = None;
                let known = state.objects.contains_key(&key);
                if !known && state.objects.len() >= max_objects {
                    let message = format!(
                        "{} {} were added since the list was read and are not shown: {}",
                        cluster,
                        kind.plural,
                        cut(max_objects, max_objects + 1)
                    );
                    if state.incomplete.is_none() {
                        state.incomplete = Some(message.clone());
                        state.publish(&encode(&WatchMessage::Incomplete { message }));
                    }
                    continue;
                }
                let frame = change_frame(if known { "MODIFIED" } else { "ADDED" }, &text);
                state.objects.insert(key, text);
                state.publish(&frame);
            }
            Ok(watcher::Event::Delete(object)) => {
                let value = to_json(object);
                let frame = change_frame(
                    "DELETED",
                    &serde_json::to_string(&value).expect("JSON serializes"),
                );
                let mut state = topic.lock();
                state.note_version(&value);
                state.objects.remove(&id(&value));
                state.publish(&frame);
            }
            // The upstream said the version is too old: a relist follows, then a snapshot.
            Err(watcher::Error::WatchError(status)) if status.code == 410 => {}
            Err(e) => report(
                &topic,
                truncate(
                    &format!("cluster {cluster}: watching {} failed: {e}", kind.plural),
                    1024,
                ),
            ),
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
    let max_objects = state.config.limits.k8s_max_objects;
    Ok(ws
        .max_message_size(64 << 10)
        .on_upgrade(move |socket| async move {
            let watched = Watched {
                cluster: key.cluster.clone(),
                kind,
                namespace,
                max_objects,
            };
            let running = hub.clone();
            let (subscription, greeting) = hub.join(
                key,
                CLIENT_QUEUE,
                WatchState::default,
                move |topic| {
                    tokio::spawn(async move {
                        let _running = running.running();
                        run(topic, clusters, watched).await
                    })
                },
                WatchState::greeting,
            );
            serve_client(socket, subscription, greeting.frames()).await
        }))
}

async fn serve_client(
    socket: WebSocket,
    mut subscription: Subscription<Key, WatchState>,
    greeting: Vec<Utf8Bytes>,
) {
    let (mut sink, mut incoming) = socket.split();
    for frame in greeting {
        match tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Text(frame))).await {
            Ok(Ok(())) => {}
            _ => return,
        }
    }
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
                    let reason = if subscription.slow() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_made_by_hand_read_as_watch_messages() {
        let items: Vec<Arc<str>> = vec![
            Arc::from(r#"{"metadata":{"name":"a","uid":"1"}}"#),
            Arc::from(r#"{"metadata":{"name":"b\"q","uid":"2"}}"#),
        ];
        let read = |f: Utf8Bytes| -> WatchMessage { serde_json::from_str(f.as_str()).unwrap() };
        assert_eq!(
            read(snapshot_frame("7\"", &items, true, Some("1 of \"2\""))),
            WatchMessage::Snapshot {
                resource_version: "7\"".into(),
                items: items
                    .iter()
                    .map(|i| serde_json::from_str(i).unwrap())
                    .collect(),
                resynced: true,
                incomplete: Some("1 of \"2\"".into()),
            }
        );
        assert_eq!(
            read(snapshot_frame("", &[], false, None)),
            WatchMessage::Snapshot {
                resource_version: String::new(),
                items: vec![],
                resynced: false,
                incomplete: None,
            }
        );
        for (kind, expected) in [
            (
                "ADDED",
                WatchMessage::Added {
                    object: serde_json::from_str(&items[0]).unwrap(),
                },
            ),
            (
                "MODIFIED",
                WatchMessage::Modified {
                    object: serde_json::from_str(&items[0]).unwrap(),
                },
            ),
            (
                "DELETED",
                WatchMessage::Deleted {
                    object: serde_json::from_str(&items[0]).unwrap(),
                },
            ),
        ] {
            assert_eq!(read(change_frame(kind, &items[0])), expected);
        }
    }
}
