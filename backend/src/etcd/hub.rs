//! Watches: one upstream etcd watch per (cluster, prefix, prev_kv) shared by every client
//! watching live (no `start_revision`), and one of its own for a client that replays from a
//! revision (a reconnecting browser, or one that asks for history). Sharing a live watch is
//! exact: a client joins under the same lock the watch delivers under, so it gets every event
//! after the revision its `created` message names. A client with `start_revision` gets its own
//! watch because the shared one may be past that revision; it then stays on it (no hand-over),
//! which keeps the no-loss, no-duplicate argument simple.
//!
//! Each upstream watch re-watches from the last delivered revision + 1 when the connection to
//! etcd drops or etcd restarts, and drops any event at or below that revision, so clients see
//! every event once, in revision order. Each client has a bounded queue; a client whose queue
//! is full is dropped from its watch and its socket closed with the reason. The sharing, the
//! queues and the ending are `crate::fanout`'s, the same as the Kubernetes watches'.

use super::Cluster;
use crate::fanout::{self, Hub as FanOut, Topic};
use axum::extract::ws::Utf8Bytes;
use etcd_client::{EventType as PbEventType, WatchOptions};
use kubeglass_shared::etcd::{render_key, render_value, Event, EventType, ServerMessage};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Messages a client may have queued before it counts as too slow.
pub const CLIENT_QUEUE: usize = 1024;
/// How often an idle watch asks etcd for a progress notification (which also checks that the
/// connection is alive).
const PROGRESS_EVERY: Duration = Duration::from_secs(5);
/// Silence after which the connection to etcd counts as lost.
const SILENT_LIMIT: Duration = Duration::from_secs(16);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WatchKey {
    cluster: String,
    prefix: String,
    prev_kv: bool,
}

/// What a watch knows beyond its subscribers: the last revision delivered (or the revision
/// the watch was created at); `None` until etcd has confirmed the watch.
#[derive(Default)]
pub struct WatchState {
    position: Option<i64>,
}

/// Every upstream watch: the shared live ones by what they watch, and clients' own.
pub type Hub = FanOut<WatchKey, WatchState>;
pub type Subscription = fanout::Subscription<WatchKey, WatchState>;
type Upstream = Topic<WatchKey, WatchState>;

fn frame(m: &ServerMessage) -> Utf8Bytes {
    serde_json::to_string(m)
        .expect("server messages serialize")
        .into()
}

/// Subscribes a client to `prefix` of `cluster`: the shared live watch, or its own from
/// `start_revision`. With the subscription comes what the client is told first: the shared
/// watch's `created` message, when it is already confirmed.
pub fn subscribe(
    hub: &Arc<Hub>,
    cluster: Arc<Cluster>,
    prefix: String,
    prev_kv: bool,
    start_revision: Option<i64>,
) -> (Subscription, Option<Utf8Bytes>) {
    let key = WatchKey {
        cluster: cluster.config.name.clone(),
        prefix,
        prev_kv,
    };
    let running = hub.clone();
    match start_revision {
        Some(start) => {
            let own = hub.own(CLIENT_QUEUE, WatchState::default(), move |up| {
                tokio::spawn(async move {
                    let _running = running.running();
                    run(up, key, false, cluster, Some(start)).await
                })
            });
            (own, None)
        }
        None => {
            let greeted = key.prefix.clone();
            let watched = key.clone();
            hub.join(
                key,
                CLIENT_QUEUE,
                WatchState::default,
                move |up| {
                    tokio::spawn(async move {
                        let _running = running.running();
                        run(up, watched, true, cluster, None).await
                    })
                },
                move |state| {
                    state.position.map(|revision| {
                        frame(&ServerMessage::Created {
                            prefix: greeted,
                            revision,
                            shared: true,
                        })
                    })
                },
            )
        }
    }
}

/// Why one connection to etcd's watch ended.
enum Ended {
    /// The connection was lost: watch again from the next revision.
    Lost(String),
    /// The watch cannot go on (compacted, refused): tell the clients and stop.
    Final(ServerMessage),
}

async fn run(
    up: Arc<Upstream>,
    key: WatchKey,
    shared: bool,
    cluster: Arc<Cluster>,
    start: Option<i64>,
) {
    // The next revision to ask etcd for; 0: from now on.
    let mut next = start.unwrap_or(0);
    let mut created_sent = false;
    let mut backoff = Duration::from_millis(100);
    let mut reported = false;
    loop {
        let ended = watch_once(
            &up,
            &key,
            shared,
            &cluster,
            &mut next,
            &mut created_sent,
            &mut backoff,
        )
        .await;
        if backoff == Duration::from_millis(100) {
            // The last attempt got as far as a confirmed watch: a new loss is news again.
            reported = false;
        }
        match ended {
            Ended::Final(message) => {
                // The clients' queues end after this message; a client joining now starts a
                // new watch.
                up.end(Some(&frame(&message)));
                return;
            }
            Ended::Lost(message) => {
                tracing::warn!(cluster = %key.cluster, prefix = %key.prefix, next, %message, "etcd watch lost; watching again");
                if !reported {
                    reported = true;
                    up.lock().publish(&frame(&ServerMessage::Reconnecting {
                        next_revision: next,
                        message: format!("connection to etcd lost ({message}); watching again"),
                    }));
                }
                cluster.forget_client().await;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(3));
            }
        }
    }
}

async fn watch_once(
    up: &Arc<Upstream>,
    key: &WatchKey,
    shared: bool,
    cluster: &Cluster,
    next: &mut i64,
    created_sent: &mut bool,
    backoff: &mut Duration,
) -> Ended {
    let mut client = match cluster.client().await {
        Ok(c) => c,
        Err(e) => return Ended::Lost(e),
    };
    let mut options = WatchOptions::new().with_prefix().with_progress_notify();
    if key.prev_kv {
        options = options.with_prev_key();
    }
    if *next > 0 {
        options = options.with_start_revision(*next);
    }
    let mut stream = match tokio::time::timeout(
        SILENT_LIMIT,
        client.watch(key.prefix.as_bytes(), Some(options)),
    )
    .await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Ended::Lost(e.to_string()),
        Err(_) => return Ended::Lost("no answer to the watch request".into()),
    };
    let mut heard = Instant::now();
    loop {
        let message = tokio::select! {
            m = stream.message() => m,
            _ = tokio::time::sleep(PROGRESS_EVERY) => {
                if heard.elapsed() > SILENT_LIMIT {
                    return Ended::Lost(format!("etcd silent for {} s", heard.elapsed().as_secs()));
                }
                if let Err(e) = stream.request_progress().await {
                    return Ended::Lost(e.to_string());
                }
                continue;
            }
        };
        let response = match message {
            Ok(Some(r)) => r,
            Ok(None) => return Ended::Lost("etcd ended the watch stream".into()),
            Err(e) => return Ended::Lost(e.to_string()),
        };
        heard = Instant::now();
        let revision = response.header().map(|h| h.revision()).unwrap_or(0);
        if response.canceled() {
            if response.compact_revision() > 0 {
                return Ended::Final(ServerMessage::Compacted {
                    compact_revision: response.compact_revision(),
                    message: format!(
                        "compacted at revision {}: revision {} is gone; read the keys again and watch from the revision of that read + 1",
                        response.compact_revision(),
                        *next
                    ),
                });
            }
            let reason = response.cancel_reason();
            return Ended::Final(ServerMessage::Error {
                message: format!(
                    "etcd cancelled the watch of {:?}: {}",
                    key.prefix,
                    if reason.is_empty() {
                        "no reason given"
                    } else {
                        reason
                    }
                ),
            });
        }
        if response.created() {
            *backoff = Duration::from_millis(100);
            let mut state = up.lock();
            if !*created_sent {
                *created_sent = true;
                // Live: events after the store's revision now follow. Replay: after start - 1.
                let position = if *next > 0 { *next - 1 } else { revision };
                state.position = Some(position);
                *next = position + 1;
                state.publish(&frame(&ServerMessage::Created {
                    prefix: key.prefix.clone(),
                    revision: position,
                    shared,
                }));
            }
            continue;
        }
        if response.events().is_empty() {
            up.lock()
                .publish(&frame(&ServerMessage::Progress { revision }));
            continue;
        }
        let floor = *next - 1;
        let events: Vec<Event> = response
            .events()
            .iter()
            .filter_map(|e| {
                let kv = e.kv()?;
                if kv.mod_revision() <= floor {
                    return None; // already delivered before a re-watch
                }
                let (key, key_base64) = render_key(kv.key());
                let kind = match e.event_type() {
                    PbEventType::Put => EventType::Put,
                    PbEventType::Delete => EventType::Delete,
                };
                Some(Event {
                    kind,
                    key,
                    key_base64,
                    value: (kind == EventType::Put).then(|| render_value(kv.value())),
                    prev_value: e.prev_kv().map(|p| render_value(p.value())),
                    create_revision: kv.create_revision(),
                    mod_revision: kv.mod_revision(),
                    version: kv.version(),
                })
            })
            .collect();
        let Some(last) = events.iter().map(|e| e.mod_revision).max() else {
            continue;
        };
        let message = frame(&ServerMessage::Events { revision, events });
        let mut state = up.lock();
        state.publish(&message);
        state.position = Some(last);
        *next = last + 1;
        if state.subscribers() == 0 && !shared {
            return Ended::Final(ServerMessage::Error {
                message: "no client left".into(),
            });
        }
    }
}
