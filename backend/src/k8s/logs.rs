//! Pod logs: `GET /api/k8s/{cluster}/namespaces/{ns}/pods/{name}/log` as a WebSocket of
//! `LogMessage`s (following when asked), or as plain text without the upgrade. Lines longer
//! than [`MAX_LINE_BYTES`] are cut and marked.

use super::{allowed_kind, collection_path, truncate, valid_name};
use crate::http::error::ApiError;
use crate::http::AppState;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use kubeglass_shared::k8s::{LogLine, LogMessage};
use std::time::Duration;

/// The longest log line passed on; longer ones are cut there and marked `truncated`.
pub const MAX_LINE_BYTES: usize = 16 << 10;
/// Lines per message at most.
const MAX_BATCH: usize = 1000;
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// The log options, checked.
#[derive(Debug, Default, PartialEq)]
struct LogQuery {
    container: Option<String>,
    follow: bool,
    tail_lines: Option<u32>,
    since_seconds: Option<u32>,
    previous: bool,
    timestamps: bool,
}

fn parse_query(raw: Option<&str>) -> Result<LogQuery, ApiError> {
    let mut q = LogQuery::default();
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let bad = |m: &str| {
            ApiError::BadRequest(format!(
                "query parameter {key}={:?}: {m}",
                truncate(&value, 64)
            ))
        };
        if seen.iter().any(|s| *s == key) {
            return Err(bad("given twice"));
        }
        seen.push(key.to_string());
        let flag = || match value.as_ref() {
            "true" | "1" => Ok(true),
            "false" | "0" | "" => Ok(false),
            _ => Err(bad("true or false")),
        };
        match key.as_ref() {
            "container" => {
                if value.len() > 63 {
                    return Err(bad("a container name has at most 63 characters"));
                }
                q.container = Some(valid_name("container", &value)?.to_owned());
            }
            "follow" => q.follow = flag()?,
            "previous" => q.previous = flag()?,
            "timestamps" => q.timestamps = flag()?,
            "tailLines" => {
                q.tail_lines = Some(
                    value
                        .parse()
                        .ok()
                        .filter(|n| *n <= 100_000)
                        .ok_or_else(|| bad("a whole number from 0 to 100000"))?,
                )
            }
            "sinceSeconds" => {
                q.since_seconds = Some(
                    value
                        .parse()
                        .ok()
                        .filter(|n| (1..=31 * 86400).contains(n))
                        .ok_or_else(|| bad("a whole number of seconds from 1 to 2678400"))?,
                )
            }
            other => {
                return Err(ApiError::BadRequest(format!(
                    "query parameter {:?} is not supported; use container, follow, tailLines, sinceSeconds, previous or timestamps",
                    truncate(other, 64)
                )))
            }
        }
    }
    Ok(q)
}

/// Splits a byte stream into lines, cutting long ones.
#[derive(Default)]
struct Lines {
    partial: Vec<u8>,
    /// The rest of a line already cut is being skipped.
    skipping: bool,
}

fn cut(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut end = text.len().min(MAX_LINE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

impl Lines {
    fn push(&mut self, mut chunk: &[u8], out: &mut Vec<LogLine>) {
        while !chunk.is_empty() {
            let (part, rest, ends) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (&chunk[..i], &chunk[i + 1..], true),
                None => (chunk, &[][..], false),
            };
            chunk = rest;
            if !self.skipping {
                self.partial.extend_from_slice(part);
                if self.partial.len() > MAX_LINE_BYTES {
                    out.push(LogLine {
                        text: cut(&self.partial),
                        truncated: true,
                    });
                    self.partial.clear();
                    self.skipping = !ends;
                } else if ends {
                    let line = std::mem::take(&mut self.partial);
                    let line = line.strip_suffix(b"\r").unwrap_or(&line);
                    out.push(LogLine {
                        text: String::from_utf8_lossy(line).into_owned(),
                        truncated: false,
                    });
                }
            } else if ends {
                self.skipping = false;
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<LogLine>) {
        if !self.partial.is_empty() {
            out.push(LogLine {
                text: cut(&self.partial),
                truncated: false,
            });
            self.partial.clear();
        }
    }
}

pub async fn log(
    State(state): State<AppState>,
    Path((cluster, ns, name)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let pods = allowed_kind("pods")?;
    let ns = valid_name("namespace", &ns)?.to_owned();
    let name = valid_name("name", &name)?.to_owned();
    let q = parse_query(query.as_deref())?;
    let cluster_ref = state.k8s.clusters.get(&cluster)?;
    let max = state.config.limits.max_response_bytes;
    if ws.is_err() && q.follow {
        return Err(ApiError::BadRequest(
            "follow=true needs a WebSocket; a plain GET returns the log so far".into(),
        ));
    }
    let upstream_query = {
        let mut upstream = url::form_urlencoded::Serializer::new(String::new());
        if let Some(c) = &q.container {
            upstream.append_pair("container", c);
        }
        if q.follow {
            upstream.append_pair("follow", "true");
        }
        if let Some(n) = q.tail_lines {
            upstream.append_pair("tailLines", &n.to_string());
        }
        if let Some(n) = q.since_seconds {
            upstream.append_pair("sinceSeconds", &n.to_string());
        }
        if q.previous {
            upstream.append_pair("previous", "true");
        }
        if q.timestamps {
            upstream.append_pair("timestamps", "true");
        }
        if ws.is_err() {
            upstream.append_pair("limitBytes", &max.to_string());
        }
        upstream.finish()
    };
    let uri = format!(
        "{}/{name}/log?{upstream_query}",
        collection_path(pods, Some(&ns)),
    );
    let client = cluster_ref.client().await?;
    let timeout = state.config.limits.upstream_timeout;
    let request = |uri: &str| {
        axum::http::Request::get(uri)
            .body(kube::client::Body::empty())
            .map_err(|e| ApiError::Internal(e.to_string()))
    };
    let cluster_name = cluster_ref.name.clone();
    let send = |req| async {
        tokio::time::timeout(timeout, client.send(req))
            .await
            .map_err(|_| {
                ApiError::GatewayTimeout(format!(
                    "cluster {cluster_name} did not answer within {} s",
                    timeout.as_secs()
                ))
            })?
            .map_err(|e| cluster_ref.unreachable(e))
    };
    match ws {
        Err(_) => {
            let response = send(request(&uri)?).await?;
            let status = response.status();
            let body = tokio::time::timeout(
                timeout,
                axum::body::to_bytes(axum::body::Body::new(response.into_body()), max),
            )
            .await
            .map_err(|_| {
                ApiError::GatewayTimeout(format!(
                    "cluster {cluster_name}: the log took longer than {} s",
                    timeout.as_secs()
                ))
            })?
            .map_err(|e| {
                ApiError::BadGateway(format!("cluster {cluster_name}: reading the log: {e}"))
            })?;
            if !status.is_success() {
                return Err(upstream_error(&cluster_name, status, &body));
            }
            let mut lines = Vec::new();
            let mut splitter = Lines::default();
            splitter.push(&body, &mut lines);
            splitter.finish(&mut lines);
            let mut text = String::with_capacity(body.len());
            for line in lines {
                text.push_str(&line.text);
                if line.truncated {
                    text.push_str(&format!(" [line cut at {MAX_LINE_BYTES} bytes]"));
                }
                text.push('\n');
            }
            Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
        }
        Ok(ws) => {
            // Errors before the upgrade are HTTP answers; after it, ERROR messages.
            let response = send(request(&uri)?).await?;
            let status = response.status();
            if !status.is_success() {
                let body = tokio::time::timeout(
                    timeout,
                    axum::body::to_bytes(axum::body::Body::new(response.into_body()), 64 << 10),
                )
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
                // A browser cannot read the answer to a refused handshake: the API server's
                // refusal (no such container, no previous instance) comes as an ERROR message.
                let message = upstream_error(&cluster_name, status, &body).to_string();
                return Ok(ws.on_upgrade(move |socket| async move {
                    let (mut sink, _) = socket.split();
                    let _ = send_log(&mut sink, LogMessage::Error { message }).await;
                    let _ = tokio::time::timeout(
                        SEND_TIMEOUT,
                        sink.send(Message::Close(Some(CloseFrame {
                            code: 1000,
                            reason: "the log could not be read".into(),
                        }))),
                    )
                    .await;
                }));
            }
            let body = axum::body::Body::new(response.into_body());
            Ok(ws
                .max_message_size(64 << 10)
                .on_upgrade(move |socket| stream_log(socket, body, cluster_name)))
        }
    }
}

fn upstream_error(cluster: &str, status: axum::http::StatusCode, body: &[u8]) -> ApiError {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let message = value["message"]
        .as_str()
        .map(|m| truncate(m, 1024))
        .unwrap_or_else(|| format!("status {status}"));
    let message = format!("cluster {cluster}: {message}");
    match status.as_u16() {
        400 => ApiError::BadRequest(message),
        404 => ApiError::NotFound(message),
        401 | 403 => ApiError::Forbidden(message),
        _ => ApiError::BadGateway(message),
    }
}

type Sink = futures_util::stream::SplitSink<WebSocket, Message>;

async fn send_log(
    sink: &mut Sink,
    message: LogMessage,
) -> Result<Result<(), axum::Error>, tokio::time::error::Elapsed> {
    let text = serde_json::to_string(&message).expect("log messages serialize");
    tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Text(text.into()))).await
}

async fn stream_log(socket: WebSocket, body: axum::body::Body, cluster: String) {
    let (mut sink, mut incoming) = socket.split();
    let mut data = body.into_data_stream();
    let mut splitter = Lines::default();
    loop {
        tokio::select! {
            chunk = data.next() => match chunk {
                Some(Ok(bytes)) => {
                    let mut lines = Vec::new();
                    splitter.push(&bytes, &mut lines);
                    while !lines.is_empty() {
                        let rest = lines.split_off(lines.len().min(MAX_BATCH));
                        if !matches!(send_log(&mut sink, LogMessage::Lines { lines }).await, Ok(Ok(()))) {
                            return;
                        }
                        lines = rest;
                    }
                }
                Some(Err(e)) => {
                    let _ = send_log(&mut sink, LogMessage::Error { message: format!("cluster {cluster}: reading the log failed: {e}") }).await;
                    break;
                }
                None => {
                    let mut lines = Vec::new();
                    splitter.finish(&mut lines);
                    if !lines.is_empty() && !matches!(send_log(&mut sink, LogMessage::Lines { lines }).await, Ok(Ok(()))) {
                        return;
                    }
                    let _ = send_log(&mut sink, LogMessage::End).await;
                    break;
                }
            },
            incoming = incoming.next() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
        }
    }
    let _ = tokio::time::timeout(
        SEND_TIMEOUT,
        sink.send(Message::Close(Some(CloseFrame {
            code: 1000,
            reason: "the log ended".into(),
        }))),
    )
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_and_marked() {
        let mut s = Lines::default();
        let mut out = Vec::new();
        s.push(b"one\r\ntw", &mut out);
        s.push(b"o\n", &mut out);
        let long = vec![b'x'; MAX_LINE_BYTES + 10];
        s.push(&long[..MAX_LINE_BYTES - 1], &mut out);
        s.push(&long[MAX_LINE_BYTES - 1..], &mut out);
        s.push(b"yyy\nthree\nfour", &mut out);
        s.finish(&mut out);
        let texts: Vec<(&str, bool)> = out.iter().map(|l| (l.text.as_str(), l.truncated)).collect();
        assert_eq!(texts.len(), 5);
        assert_eq!(texts[0], ("one", false));
        assert_eq!(texts[1], ("two", false));
        assert_eq!(out[2].text.len(), MAX_LINE_BYTES);
        assert!(out[2].truncated);
        assert_eq!(texts[3], ("three", false));
        assert_eq!(texts[4], ("four", false));
    }

    #[test]
    fn options_are_checked() {
        let q = parse_query(Some("container=web&follow=true&tailLines=10&timestamps=1")).unwrap();
        assert_eq!(
            q,
            LogQuery {
                container: Some("web".into()),
                follow: true,
                tail_lines: Some(10),
                timestamps: true,
                ..Default::default()
            }
        );
        for (bad, why) in [
            ("tailLines=-1", "from 0 to 100000"),
            ("sinceSeconds=0", "from 1 to"),
            ("follow=yes", "true or false"),
            ("container=A", "not a valid Kubernetes name"),
            ("limitBytes=1", "\"limitBytes\" is not supported"),
        ] {
            let e = parse_query(Some(bad)).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
