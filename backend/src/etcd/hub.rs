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
//! is full is dropped from its watch and its socket closed with the reason.

use super::Cluster;
use axum::extract::ws::Utf8Bytes;
use etcd_client::{EventType as PbEventType, WatchOptions};
use kubeglass_shared::etcd::{render_key, render_value, Event, EventType, ServerMessage};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Messages a client may have queued before it counts as too slow.
pub const CLIENT_QUEUE: usize = 1024;
/// How often an idle watch asks etcd for a progress notification (which also checks that the
/// connection is alive).
const PROGRESS_EVERY: Duration = Duration::from_secs(5);
/// Silence after which the connection to etcd counts as lost.
const SILENT_LIMIT: Duration = Duration::from_secs(16);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct WatchKey {
    cluster: String,
    prefix: String,
    prev_kv: bool,
}

struct Subscriber {
    id: u64,
    tx: mpsc::Sender<Utf8Bytes>,
    slow: Arc<AtomicBool>,
}

#[derive(Default)]
struct WatchState {
    subs: Vec<Subscriber>,
    /// The last revision delivered (or the revision the watch was created at); `None` until
    /// etcd has confirmed the watch.
    position: Option<i64>,
    ended: bool,
}

struct Upstream {
    key: WatchKey,
    shared: bool,
    state: Mutex<WatchState>,
    task: Mutex<Option<tokio::task::AbortHandle>>,
}

impl Upstream {
    /// Sends `frame` to every subscriber; a full queue marks the subscriber slow and drops it.
    fn broadcast(state: &mut WatchState, frame: &Utf8Bytes) {
        state.subs.retain(|s| match s.tx.try_send(frame.clone()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                s.slow.store(true, Ordering::Relaxed);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
    }
}

/// Every upstream watch, by what it watches.
#[derive(Default)]
pub struct Hub {
    shared: Mutex<HashMap<WatchKey, Arc<Upstream>>>,
    next_id: AtomicU64,
    /// Upstream watches running now (shared and own), for tests and metrics.
    pub upstreams: AtomicU64,
}

/// A client's place on a watch; dropping it leaves the watch (and stops the upstream watch
/// when nobody is left).
pub struct Subscription {
    pub rx: mpsc::Receiver<Utf8Bytes>,
    /// Set when the client was dropped for being too slow.
    pub slow: Arc<AtomicBool>,
    id: u64,
    upstream: Arc<Upstream>,
    hub: Arc<Hub>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut registry = self.hub.shared.lock().unwrap();
        let mut state = self.upstream.state.lock().unwrap();
        state.subs.retain(|s| s.id != self.id);
        if state.subs.is_empty() {
            if self.upstream.shared
                && registry
                    .get(&self.upstream.key)
                    .is_some_and(|u| Arc::ptr_eq(u, &self.upstream))
            {
                registry.remove(&self.upstream.key);
            }
            if let Some(task) = self.upstream.task.lock().unwrap().take() {
                task.abort();
            }
        }
    }
}

fn frame(m: &ServerMessage) -> Utf8Bytes {
    serde_json::to_string(m)
        .expect("server messages serialize")
        .into()
}

impl Hub {
    /// Subscribes a client to `prefix` of `cluster`: the shared live watch, or its own from
    /// `start_revision`.
    pub fn subscribe(
        self: &Arc<Hub>,
        cluster: Arc<Cluster>,
        prefix: String,
        prev_kv: bool,
        start_revision: Option<i64>,
    ) -> Subscription {
        let (tx, rx) = mpsc::channel(CLIENT_QUEUE);
        let slow = Arc::new(AtomicBool::new(false));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let key = WatchKey {
            cluster: cluster.config.name.clone(),
            prefix,
            prev_kv,
        };
        let sub = Subscriber {
            id,
            tx,
            slow: slow.clone(),
        };
        let upstream = match start_revision {
            Some(start) => {
                let up = Arc::new(Upstream {
                    key,
                    shared: false,
                    state: Mutex::new(WatchState {
                        subs: vec![sub],
                        ..Default::default()
                    }),
                    task: Mutex::new(None),
                });
                self.start(&up, cluster, Some(start));
                up
            }
            None => {
                let mut registry = self.shared.lock().unwrap();
                match registry.get(&key) {
                    Some(up) => {
                        let up = up.clone();
                        let mut state = up.state.lock().unwrap();
                        if let Some(revision) = state.position {
                            // Cannot be full: the queue is new.
                            let _ = sub.tx.try_send(frame(&ServerMessage::Created {
                                prefix: key.prefix.clone(),
                                revision,
                                shared: true,
                            }));
                        }
                        state.subs.push(sub);
                        drop(state);
                        up
                    }
                    None => {
                        let up = Arc::new(Upstream {
                            key: key.clone(),
                            shared: true,
                            state: Mutex::new(WatchState {
                                subs: vec![sub],
                                ..Default::default()
                            }),
                            task: Mutex::new(None),
                        });
                        registry.insert(key, up.clone());
                        self.start(&up, cluster, None);
                        up
                    }
                }
            }
        };
        Subscription {
            rx,
            slow,
            id,
            upstream,
            hub: self.clone(),
        }
    }

    fn start(self: &Arc<Hub>, up: &Arc<Upstream>, cluster: Arc<Cluster>, start: Option<i64>) {
        let task = tokio::spawn(run(self.clone(), up.clone(), cluster, start));
        *up.task.lock().unwrap() = Some(task.abort_handle());
    }
}

/// Why one connection to etcd's watch ended.
enum Ended {
    /// The connection was lost: watch again from the next revision.
    Lost(String),
    /// The watch cannot go on (compacted, refused): tell the clients and stop.
    Final(ServerMessage),
}

async fn run(hub: Arc<Hub>, up: Arc<Upstream>, cluster: Arc<Cluster>, start: Option<i64>) {
    hub.upstreams.fetch_add(1, Ordering::Relaxed);
    let _count = scopeguard(hub.clone());
    // The next revision to ask etcd for; 0: from now on.
    let mut next = start.unwrap_or(0);
    let mut created_sent = false;
    let mut backoff = Duration::from_millis(100);
    let mut reported = false;
    loop {
        let ended = watch_once(&up, &cluster, &mut next, &mut created_sent, &mut backoff).await;
        if backoff == Duration::from_millis(100) {
            // The last attempt got as far as a confirmed watch: a new loss is news again.
            reported = false;
        }
        match ended {
            Ended::Final(message) => {
                let mut state = up.state.lock().unwrap();
                Upstream::broadcast(&mut state, &frame(&message));
                state.ended = true;
                // Dropping the senders ends each client's stream after what is queued.
                state.subs.clear();
                drop(state);
                if up.shared {
                    let mut registry = hub.shared.lock().unwrap();
                    if registry.get(&up.key).is_some_and(|u| Arc::ptr_eq(u, &up)) {
                        registry.remove(&up.key);
                    }
                }
                return;
            }
            Ended::Lost(message) => {
                tracing::warn!(cluster = %up.key.cluster, prefix = %up.key.prefix, next, %message, "etcd watch lost; watching again");
                if !reported {
                    reported = true;
                    let mut state = up.state.lock().unwrap();
                    Upstream::broadcast(
                        &mut state,
                        &frame(&ServerMessage::Reconnecting {
                            next_revision: next,
                            message: format!("connection to etcd lost ({message}); watching again"),
                        }),
                    );
                }
                cluster.forget_client().await;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(3));
            }
        }
    }
}

struct CountGuard(Arc<Hub>);
impl Drop for CountGuard {
    fn drop(&mut self) {
        self.0.upstreams.fetch_sub(1, Ordering::Relaxed);
    }
}
fn scopeguard(hub: Arc<Hub>) -> CountGuard {
    CountGuard(hub)
}

async fn watch_once(
    up: &Arc<Upstream>,
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
    if up.key.prev_kv {
        options = options.with_prev_key();
    }
    if *next > 0 {
        options = options.with_start_revision(*next);
    }
    let mut stream = match tokio::time::timeout(
        SILENT_LIMIT,
        client.watch(up.key.prefix.as_bytes(), Some(options)),
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
                    up.key.prefix,
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
            let mut state = up.state.lock().unwrap();
            if !*created_sent {
                *created_sent = true;
                // Live: events after the store's revision now follow. Replay: after start - 1.
                let position = if *next > 0 { *next - 1 } else { revision };
                state.position = Some(position);
                *next = position + 1;
                Upstream::broadcast(
                    &mut state,
                    &frame(&ServerMessage::Created {
                        prefix: up.key.prefix.clone(),
                        revision: position,
                        shared: up.shared,
                    }),
                );
            }
            continue;
        }
        if response.events().is_empty() {
            let mut state = up.state.lock().unwrap();
            Upstream::broadcast(&mut state, &frame(&ServerMessage::Progress { revision }));
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
        let mut state = up.state.lock().unwrap();
        Upstream::broadcast(&mut state, &message);
        state.position = Some(last);
        *next = last + 1;
        if state.subs.is_empty() && !up.shared {
            return Ended::Final(ServerMessage::Error {
                message: "no client left".into(),
            });
        }
    }
}
