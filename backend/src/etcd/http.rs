//! `GET /api/etcd/clusters`, `GET /api/etcd/{cluster}/keys` and the WebSocket
//! `/api/etcd/{cluster}/watch`.

use super::Cluster;
use crate::http::error::ApiError;
use crate::http::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use etcd_client::GetOptions;
use futures_util::{SinkExt, StreamExt};
use kubeglass_shared::etcd::{
    render_key, render_value, ClientMessage, ClusterInfo, ClustersResponse, KeyValue, KeysResponse,
    ServerMessage, DEFAULT_RANGE_LIMIT, MAX_CLIENT_MESSAGE_BYTES, MAX_RANGE_LIMIT,
};
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Largest WebSocket message read at all; past [`MAX_CLIENT_MESSAGE_BYTES`] a message is
/// answered with an error frame, past this the socket is closed (1009).
const MAX_WS_MESSAGE: usize = 64 * 1024;
/// Messages a client may send per second (after a burst of as many).
const MESSAGES_PER_SECOND: f64 = 10.0;
/// A send to a client that takes longer than this closes its socket.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/etcd/clusters", get(clusters))
        .route("/api/etcd/{cluster}/keys", get(keys))
        .route("/api/etcd/{cluster}/watch", get(watch))
}

fn cluster(state: &AppState, name: &str) -> Result<Arc<Cluster>, ApiError> {
    state.etcd.cluster(name).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no etcd cluster {name:?}; configured: {:?}",
            state.etcd.clusters.keys().collect::<Vec<_>>()
        ))
    })
}

async fn clusters(State(state): State<AppState>) -> Json<ClustersResponse> {
    Json(ClustersResponse {
        clusters: state
            .etcd
            .clusters
            .values()
            .map(|c| ClusterInfo {
                name: c.config.name.clone(),
                endpoints: c.config.endpoints.clone(),
                allow_prefixes: c.config.policy.allow.clone(),
                deny_prefixes: c.config.policy.deny.clone(),
            })
            .collect(),
        upstream_watches: state
            .etcd
            .hub
            .running
            .load(std::sync::atomic::Ordering::Relaxed),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysQuery {
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    keys_only: bool,
    limit: Option<i64>,
    revision: Option<i64>,
}

async fn keys(
    State(state): State<AppState>,
    Path(name): Path<String>,
    query: Result<Query<KeysQuery>, QueryRejection>,
) -> Result<Json<KeysResponse>, ApiError> {
    let cluster = cluster(&state, &name)?;
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    cluster
        .config
        .policy
        .check(&q.prefix)
        .map_err(ApiError::Forbidden)?;
    let limit = q.limit.unwrap_or(DEFAULT_RANGE_LIMIT);
    if !(1..=MAX_RANGE_LIMIT).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit {limit}: must be between 1 and {MAX_RANGE_LIMIT}"
        )));
    }
    let mut options = GetOptions::new().with_prefix().with_limit(limit);
    if q.keys_only {
        options = options.with_keys_only();
    }
    if let Some(r) = q.revision {
        if r < 1 {
            return Err(ApiError::BadRequest(format!(
                "revision {r}: must be at least 1"
            )));
        }
        options = options.with_revision(r);
    }
    let mut client = cluster.client().await.map_err(ApiError::BadGateway)?;
    let response = tokio::time::timeout(
        state.config.limits.upstream_timeout,
        client.get(q.prefix.as_bytes(), Some(options)),
    )
    .await
    .map_err(|_| {
        ApiError::GatewayTimeout(format!(
            "etcd cluster {name}: no answer within {} s",
            state.config.limits.upstream_timeout.as_secs()
        ))
    })?
    .map_err(|e| {
        let text = e.to_string();
        if text.contains("compacted") || text.contains("future revision") {
            ApiError::BadRequest(format!("revision {}: {text}", q.revision.unwrap_or(0)))
        } else {
            ApiError::BadGateway(format!("etcd cluster {name}: {text}"))
        }
    })?;
    Ok(Json(KeysResponse {
        revision: response.header().map(|h| h.revision()).unwrap_or(0),
        count: response.count(),
        more: response.more(),
        kvs: response
            .kvs()
            .iter()
            .map(|kv| {
                let (key, key_base64) = render_key(kv.key());
                KeyValue {
                    key,
                    key_base64,
                    value: (!q.keys_only).then(|| render_value(kv.value())),
                    create_revision: kv.create_revision(),
                    mod_revision: kv.mod_revision(),
                    version: kv.version(),
                }
            })
            .collect(),
    }))
}

async fn watch(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let cluster = cluster(&state, &name)?;
    Ok(ws
        .max_message_size(MAX_WS_MESSAGE)
        .max_frame_size(MAX_WS_MESSAGE)
        .on_upgrade(move |socket| session(state, cluster, socket)))
}

/// A token bucket over the messages a client sends.
struct Rate {
    tokens: f64,
    last: Instant,
}

impl Rate {
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens
            + now.duration_since(self.last).as_secs_f64() * MESSAGES_PER_SECOND)
            .min(MESSAGES_PER_SECOND);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

fn text(m: &ServerMessage) -> Message {
    Message::Text(
        serde_json::to_string(m)
            .expect("server messages serialize")
            .into(),
    )
}

fn close(code: u16, reason: String) -> Message {
    // A close reason is at most 123 bytes.
    let mut reason = reason;
    while reason.len() > 123 {
        reason.pop();
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

async fn session(state: AppState, cluster: Arc<Cluster>, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let mut subscription: Option<super::hub::Subscription> = None;
    let mut rate = Rate {
        tokens: MESSAGES_PER_SECOND,
        last: Instant::now(),
    };
    loop {
        let outgoing = async {
            match subscription.as_mut() {
                Some(s) => s.rx.recv().await,
                None => std::future::pending::<Option<Utf8Bytes>>().await,
            }
        };
        let reply: Option<Message> = tokio::select! {
            incoming = stream.next() => match incoming {
                None | Some(Ok(Message::Close(_))) => break,
                Some(Err(e)) => {
                    let reason = if e.to_string().contains("too long") || e.to_string().contains("too big") {
                        format!("message larger than {MAX_WS_MESSAGE} bytes")
                    } else {
                        format!("WebSocket error: {e}")
                    };
                    let _ = tokio::time::timeout(SEND_TIMEOUT, sink.send(close(1009, reason))).await;
                    break;
                }
                Some(Ok(Message::Text(t))) => {
                    if !rate.take() {
                        Some(text(&ServerMessage::Error {
                            message: format!("too many messages: at most {MESSAGES_PER_SECOND} per second; this one was ignored"),
                        }))
                    } else {
                        match ClientMessage::parse(&t) {
                            Err(message) => Some(text(&ServerMessage::Error { message })),
                            Ok(ClientMessage::Cancel) => {
                                subscription = None;
                                None
                            }
                            Ok(ClientMessage::Watch(request)) => match cluster.config.policy.check(&request.prefix) {
                                Err(message) => Some(text(&ServerMessage::Error { message })),
                                Ok(()) => {
                                    // Leave the old watch before joining the new one.
                                    drop(subscription.take());
                                    let (joined, greeting) = super::hub::subscribe(
                                        &state.etcd.hub,
                                        cluster.clone(),
                                        request.prefix,
                                        request.prev_kv,
                                        request.start_revision,
                                    );
                                    subscription = Some(joined);
                                    greeting.map(Message::Text)
                                }
                            },
                        }
                    }
                }
                Some(Ok(Message::Binary(b))) => Some(text(&ServerMessage::Error {
                    message: format!(
                        "binary message of {} bytes: send JSON text like {{\"prefix\": \"/app/\"}} (at most {MAX_CLIENT_MESSAGE_BYTES} bytes)",
                        b.len()
                    ),
                })),
                Some(Ok(_)) => None, // ping and pong: answered by the WebSocket layer
            },
            frame = outgoing => match frame {
                Some(frame) => Some(Message::Text(frame)),
                None => {
                    let slow = subscription.take().is_some_and(|s| s.slow());
                    if slow {
                        let reason = format!(
                            "client too slow: more than {} messages queued; reconnect with start_revision",
                            super::hub::CLIENT_QUEUE
                        );
                        let _ = tokio::time::timeout(SEND_TIMEOUT, sink.send(close(1008, reason))).await;
                        break;
                    }
                    None
                }
            },
        };
        if let Some(message) = reply {
            match tokio::time::timeout(SEND_TIMEOUT, sink.send(message)).await {
                Ok(Ok(())) => {}
                _ => break,
            }
        }
    }
}
