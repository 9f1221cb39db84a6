//! `watch(cluster, kind, namespace)`: a live list of Kubernetes objects, kept up to date by
//! the backend's watch WebSocket (`/api/k8s/{cluster}/watch?kind=&namespace=`).

use crate::k8s::socket::{Socket, SocketEvent};
use crate::k8s::{encode, list_error, ws_url};
use kubeglass_shared::k8s::view::{parse_watch_message, Applied, LiveList};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use std::sync::Arc;

/// The objects of a live list, by key (uid, else `namespace/name`).
pub type Objects = LiveList<Arc<Value>>;

/// Where a watch is.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchState {
    /// Waiting for the first snapshot.
    Connecting,
    /// Following changes.
    Live,
    /// The server cannot reach the cluster's API server (it keeps trying); the list shows
    /// what was last known.
    UpstreamError(String),
    /// The WebSocket closed; it reconnects after `retry_ms`.
    Disconnected { message: String, retry_ms: u32 },
    /// The server sent something that cannot be read.
    Invalid(String),
}

impl WatchState {
    /// What the page's banner says, if anything; `synced` when a list is shown.
    pub fn banner(&self, synced: bool) -> Option<String> {
        let shown = if synced {
            " Showing the last known state;"
        } else {
            ""
        };
        match self {
            WatchState::Connecting | WatchState::Live => None,
            WatchState::UpstreamError(m) => Some(format!(
                "The cluster is unreachable: {m}.{shown} kubeglass keeps trying."
            )),
            WatchState::Disconnected { message, retry_ms } => Some(format!(
                "Not connected: {message}. Trying again in {:.1} s…",
                f64::from(*retry_ms) / 1000.0
            )),
            WatchState::Invalid(m) => Some(format!("The live list stopped updating: {m}")),
        }
    }
}

/// A live list and its state; `Copy`, so that views can read it freely.
#[derive(Clone, Copy)]
pub struct Watch {
    pub list: RwSignal<Objects>,
    pub state: RwSignal<WatchState>,
    /// How many times the server resynced the list after losing its upstream watch.
    pub resyncs: RwSignal<u32>,
}

impl Watch {
    /// `loading`, `ok` or `error`, for the page's `data-state`: an error only while there is
    /// no list to show.
    pub fn page_state(&self) -> &'static str {
        let synced = self.list.with(|l| l.synced);
        match self.state.get() {
            _ if synced => "ok",
            WatchState::Connecting => "loading",
            _ => "error",
        }
    }

    /// Every object, in key order.
    pub fn objects(&self) -> Vec<Arc<Value>> {
        self.list.with(|l| l.objects.values().cloned().collect())
    }
}

/// Opens a live list of `kind` (an allowlisted plural) in `cluster`, in one namespace or all.
/// It lives as long as the calling component; the WebSocket reconnects with backoff, and
/// every (re)connection starts with a snapshot that replaces the list.
pub fn watch(cluster: &str, kind: &'static str, namespace: Option<&str>) -> Watch {
    let w = Watch {
        list: RwSignal::new(Objects::default()),
        state: RwSignal::new(WatchState::Connecting),
        resyncs: RwSignal::new(0),
    };
    let mut path = format!("/api/k8s/{}/watch?kind={kind}", encode(cluster));
    if let Some(ns) = namespace {
        path.push_str(&format!("&namespace={}", encode(ns)));
    }
    // Whether the current connection has brought a message: a socket that closes before any
    // did not get through, and a REST request tells why.
    let heard = StoredValue::new_local(false);
    let (cluster, namespace) = (cluster.to_string(), namespace.map(str::to_string));
    Socket::open(ws_url(&path), true, move |event| match event {
        SocketEvent::Open => heard.set_value(false),
        SocketEvent::Text(text) => {
            heard.set_value(true);
            let applied = parse_watch_message(&text).and_then(|msg| {
                w.list
                    .try_update(|l| l.apply(msg))
                    .unwrap_or(Ok(Applied::Changed))
            });
            match applied {
                Ok(Applied::Snapshot { resynced }) => {
                    if resynced {
                        w.resyncs.try_update(|n| *n += 1);
                    }
                    w.state.try_set(WatchState::Live);
                }
                Ok(Applied::Changed) => {
                    if w.state.try_with_untracked(|s| *s != WatchState::Live) == Some(true)
                        && w.list.try_with_untracked(|l| l.synced) == Some(true)
                    {
                        w.state.try_set(WatchState::Live);
                    }
                }
                Ok(Applied::UpstreamError(m)) => {
                    w.state.try_set(WatchState::UpstreamError(m));
                }
                Err(e) => {
                    w.state.try_set(WatchState::Invalid(e));
                }
            }
        }
        SocketEvent::Binary => {
            w.state
                .try_set(WatchState::Invalid("the server sent a binary frame".into()));
        }
        SocketEvent::Closed {
            code,
            reason,
            retry_ms,
        } => {
            let retry_ms = retry_ms.unwrap_or(0);
            let message = if reason.is_empty() {
                format!("the connection closed (code {code})")
            } else {
                reason
            };
            w.state.try_set(WatchState::Disconnected {
                message: message.clone(),
                retry_ms,
            });
            if !heard.try_get_value().unwrap_or(true) {
                let (cluster, namespace) = (cluster.clone(), namespace.clone());
                spawn_local(async move {
                    if let Some(why) = list_error(&cluster, kind, namespace.as_deref()).await {
                        // Only while still disconnected: a reconnect may have happened since.
                        if w.state
                            .try_with_untracked(|s| matches!(s, WatchState::Disconnected { .. }))
                            == Some(true)
                        {
                            w.state.try_set(WatchState::Disconnected {
                                message: why,
                                retry_ms,
                            });
                        }
                    }
                });
            }
        }
    });
    w
}
