//! The Prometheus proxy: `/api/datasources/{uid}/prometheus/api/v1/{path}`.
//!
//! Only the read endpoints of the Prometheus HTTP API pass (see
//! [`kubeglass_shared::api::is_allowed_prometheus_path`]); the upstream URL is always the
//! configured data source URL plus an allowlisted path, so no host, scheme or path from a
//! request can reach it. Prometheus's own answers, errors included, pass through unchanged;
//! kubeglass answers 502 when the upstream is down and 504 when it is too slow.
//!
//! Identical requests share one upstream request ([`Coalescer`]): a hundred browsers showing
//! the same dashboard send Prometheus each query once, and each gets the same answer. An answer
//! over a settled past time range (its `end` or `time` at least [`SETTLED`] ago, so no late
//! sample can change it) is kept for [`CACHE_TTL`] for exactly the same parameters; an answer
//! over a range that reaches the present only for [`LIVE_TTL`], so that identical requests
//! arriving just after it share it too while it is at most that much behind.

use super::error::ApiError;
use super::AppState;
use crate::embed::Claims;
use crate::metrics::UpstreamLabels;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Extension;
use futures_util::StreamExt;
use kubeglass_shared::api::is_allowed_prometheus_path;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub async fn prometheus(
    State(state): State<AppState>,
    Path((uid, path)): Path<(String, String)>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    claims: Option<Extension<Claims>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if state.datasource(&uid).is_none() {
        return Err(ApiError::NotFound(format!(
            "data source `{uid}` is not configured"
        )));
    }
    if !is_allowed_prometheus_path(&path) {
        return Err(ApiError::Forbidden(format!("`/api/v1/{path}` is not a read endpoint the proxy allows (query, query_range, labels, label/NAME/values, series, metadata, query_exemplars, status/buildinfo)")));
    }
    if method == Method::POST {
        let form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !form && !body.is_empty() {
            return Err(ApiError::BadRequest("POST to the Prometheus proxy needs Content-Type: application/x-www-form-urlencoded".into()));
        }
    } else if method != Method::GET {
        return Err(ApiError::BadRequest(format!(
            "method {method} is not allowed on the Prometheus proxy (GET or POST)"
        )));
    }
    // An embed token's request is forwarded as exactly the parameters that were checked,
    // re-encoded: the URL's of a GET, or (URL's and form's together) the form of a POST.
    let (query, body) = match &claims {
        Some(Extension(claims)) => {
            let form = (method == Method::POST).then_some(&body[..]);
            let checked = super::guard::embed::check_query(
                &state,
                claims,
                &uid,
                &path,
                query.as_deref(),
                form,
            )
            .await?;
            if method == Method::POST {
                (None, Bytes::from(checked))
            } else {
                (Some(checked), Bytes::new())
            }
        }
        None => (query, body),
    };
    // A POST passes on its URL's parameters as well as its form, and Prometheus reads both:
    // both tell requests apart (a parameter in both is repeated, so never kept).
    let params = if method == Method::POST {
        let form = String::from_utf8_lossy(&body);
        match query.as_deref() {
            Some(q) if !q.is_empty() => format!("{q}&{form}"),
            _ => form.into_owned(),
        }
    } else {
        query.clone().unwrap_or_default()
    };
    let key = Key {
        datasource: uid.clone(),
        path: path.clone(),
        post: method == Method::POST,
        params,
    };
    let cache_until = cacheable_until(&key.path, &key.params, unix_now());
    let fetch = fetch(&state, &uid, &path, method, query.as_deref(), body);
    let answer = state.proxy.run(key, cache_until, fetch).await?;
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = answer.status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        answer
            .content_type
            .unwrap_or_else(|| HeaderValue::from_static("application/json")),
    );
    Ok(response)
}

/// Sends one request upstream and reads its answer, within the configured limits.
async fn fetch(
    state: &AppState,
    uid: &str,
    path: &str,
    method: Method,
    query: Option<&str>,
    body: Bytes,
) -> Result<Answer, ApiError> {
    let ds = state
        .datasource(uid)
        .ok_or_else(|| ApiError::NotFound(format!("data source `{uid}` is not configured")))?;
    let mut url = ds.api_url(path);
    url.set_query(query);
    let request = match method {
        Method::GET => state.http.get(url),
        _ => state
            .http
            .post(url)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body),
    };
    let count = |outcome: &'static str| {
        state
            .metrics
            .upstream
            .get_or_create(&UpstreamLabels {
                datasource: uid.to_owned(),
                outcome,
            })
            .inc()
    };
    let limits = &state.config.limits;
    let upstream = match request.timeout(limits.upstream_timeout).send().await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => {
            count("timeout");
            return Err(ApiError::GatewayTimeout(format!(
                "data source `{uid}` did not answer within {}s",
                limits.upstream_timeout.as_secs()
            )));
        }
        Err(e) => {
            count("unreachable");
            return Err(ApiError::BadGateway(format!(
                "data source `{uid}` is unreachable: {}",
                error_chain(&e)
            )));
        }
    };
    let status = upstream.status();
    let content_type = upstream.headers().get(header::CONTENT_TYPE).cloned();
    if upstream
        .content_length()
        .is_some_and(|n| n > limits.max_response_bytes as u64)
    {
        count("too_large");
        return Err(too_large(uid, limits.max_response_bytes));
    }
    let mut gathered = Gathered::new(limits.max_response_bytes, upstream.content_length());
    let mut stream = upstream.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            count(if e.is_timeout() { "timeout" } else { "broken" });
            if e.is_timeout() {
                ApiError::GatewayTimeout(format!(
                    "data source `{uid}` did not finish its answer within {}s",
                    limits.upstream_timeout.as_secs()
                ))
            } else {
                ApiError::BadGateway(format!(
                    "data source `{uid}` broke off its answer: {}",
                    error_chain(&e)
                ))
            }
        })?;
        if gathered.push(chunk).is_err() {
            count("too_large");
            return Err(too_large(uid, limits.max_response_bytes));
        }
    }
    let body = gathered.finish();
    count(if status.is_success() { "ok" } else { "error" });
    Ok(Answer {
        status: StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY),
        content_type,
        body,
    })
}

/// An upstream answer's body, gathered chunk by chunk up to a limit. Most answers arrive as
/// one chunk, which is kept as it is (no copy); only an answer in several chunks is copied
/// into one buffer.
struct Gathered {
    first: Bytes,
    joined: Vec<u8>,
    limit: usize,
    /// The announced length, to size the buffer at once.
    expected: usize,
}

impl Gathered {
    fn new(limit: usize, content_length: Option<u64>) -> Gathered {
        Gathered {
            first: Bytes::new(),
            joined: Vec::new(),
            limit,
            expected: content_length.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX)),
        }
    }

    fn len(&self) -> usize {
        self.first.len() + self.joined.len()
    }

    /// Adds a chunk; `Err` once the answer would be longer than the limit.
    fn push(&mut self, chunk: Bytes) -> Result<(), ()> {
        if self.len() + chunk.len() > self.limit {
            return Err(());
        }
        if self.len() == 0 {
            self.first = chunk;
        } else {
            if self.joined.is_empty() {
                let first = std::mem::take(&mut self.first);
                self.joined.reserve(
                    self.expected
                        .max(2 * (first.len() + chunk.len()))
                        .min(self.limit),
                );
                self.joined.extend_from_slice(&first);
            }
            self.joined.extend_from_slice(&chunk);
        }
        Ok(())
    }

    fn finish(self) -> Bytes {
        if self.joined.is_empty() {
            self.first
        } else {
            Bytes::from(self.joined)
        }
    }
}

/// An upstream answer, shared by every request that waited for it.
#[derive(Debug, Clone)]
pub struct Answer {
    status: StatusCode,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

/// What tells two proxy requests apart: the data source, the endpoint and the exact
/// parameters. Nothing else of a request reaches the upstream.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    datasource: String,
    path: String,
    post: bool,
    params: String,
}

/// A time range is settled once its end is this far in the past: Prometheus has ingested every
/// sample and rule result up to it, and the same query gives the same answer.
pub const SETTLED: Duration = Duration::from_secs(60);
/// How long an answer over a settled range is kept.
pub const CACHE_TTL: Duration = Duration::from_secs(2);
/// How long an answer over a range that reaches the present is kept: less than any scrape or
/// refresh interval, so nobody sees it behind.
pub const LIVE_TTL: Duration = Duration::from_secs(1);
/// Requests in flight or cached at most; past it requests go upstream on their own.
const MAX_ENTRIES: usize = 1024;
/// Larger answers are shared while in flight but not kept.
const MAX_CACHED_BYTES: usize = 1024 * 1024;
/// The answers kept at once, in bytes at most; past it new answers are shared while in flight
/// but not kept (so many distinct queries cannot make the cache large).
const MAX_KEPT_BYTES: usize = 32 * 1024 * 1024;

/// The outcome of one upstream request. Errors are shared as their status and message.
type Outcome = Result<Answer, (StatusCode, String)>;

#[derive(Default)]
struct Flight {
    outcome: tokio::sync::OnceCell<Outcome>,
    /// When a finished answer stops being served; `None`: not at all once finished.
    keep_until: Option<Instant>,
}

impl Flight {
    /// The size of the answer it keeps (none while in flight).
    fn kept_bytes(&self) -> usize {
        match self.outcome.get() {
            Some(Ok(a)) => a.body.len(),
            _ => 0,
        }
    }

    /// Whether a new request may still take this flight's answer.
    fn usable(&self, now: Instant) -> bool {
        match self.outcome.get() {
            None => true,
            Some(Ok(a)) => {
                a.status.is_success()
                    && a.body.len() <= MAX_CACHED_BYTES
                    && self.keep_until.is_some_and(|t| now < t)
            }
            Some(Err(_)) => false,
        }
    }
}

/// Request coalescing (singleflight) and a short-lived cache of settled answers.
#[derive(Default)]
pub struct Coalescer {
    flights: Mutex<HashMap<Key, Arc<Flight>>>,
}

impl Coalescer {
    /// Runs `fetch` for `key`, or waits for the identical request already running, or takes the
    /// answer kept for it. `keep_until` says how long the answer may be kept once fetched.
    async fn run(
        &self,
        key: Key,
        keep_until: Option<Instant>,
        fetch: impl std::future::Future<Output = Result<Answer, ApiError>>,
    ) -> Result<Answer, ApiError> {
        let now = Instant::now();
        let flight = {
            let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
            match flights.get(&key) {
                Some(f) if f.usable(now) => Some(f.clone()),
                _ => {
                    flights.retain(|_, f| f.usable(now));
                    let kept: usize = flights.values().map(|f| f.kept_bytes()).sum();
                    let keep_until = keep_until.filter(|_| kept < MAX_KEPT_BYTES);
                    (flights.len() < MAX_ENTRIES).then(|| {
                        let f = Arc::new(Flight {
                            outcome: Default::default(),
                            keep_until,
                        });
                        flights.insert(key.clone(), f.clone());
                        f
                    })
                }
            }
        };
        let Some(flight) = flight else {
            return fetch.await;
        };
        // Should the request that fetches be cancelled (its client gone), a waiting one
        // fetches instead.
        let outcome = flight
            .outcome
            .get_or_init(|| async { fetch.await.map_err(|e| (e.status(), e.to_string())) })
            .await
            .clone();
        if !flight.usable(Instant::now()) {
            let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
            if flights.get(&key).is_some_and(|f| Arc::ptr_eq(f, &flight)) {
                flights.remove(&key);
            }
        }
        outcome.map_err(|(status, message)| match status {
            StatusCode::GATEWAY_TIMEOUT => ApiError::GatewayTimeout(message),
            StatusCode::NOT_FOUND => ApiError::NotFound(message),
            _ => ApiError::BadGateway(message),
        })
    }
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Until when an answer to `path?params` may be kept: [`CACHE_TTL`] for a `query_range` whose
/// `end`, or a `query` whose `time`, lies [`SETTLED`] or more before `now_unix` (a Unix
/// timestamp, seconds); [`LIVE_TTL`] for other ranges and instants (the present included).
/// Other paths, and a repeated `end` or `time`, are never kept.
fn cacheable_until(path: &str, params: &str, now_unix: f64) -> Option<Instant> {
    let name = match path {
        "query_range" => "end",
        "query" => "time",
        _ => return None,
    };
    let mut value = None;
    for (k, v) in url::form_urlencoded::parse(params.as_bytes()) {
        if k == name {
            if value.is_some() {
                // Repeated: which one Prometheus takes is not for the proxy to guess.
                return None;
            }
            value = Some(v);
        }
    }
    let settled = value
        .and_then(|v| v.parse::<f64>().ok())
        .is_some_and(|t| t.is_finite() && t <= now_unix - SETTLED.as_secs_f64());
    Some(Instant::now() + if settled { CACHE_TTL } else { LIVE_TTL })
}

fn too_large(uid: &str, limit: usize) -> ApiError {
    ApiError::BadGateway(format!("data source `{uid}` answered with more than {limit} bytes (--max-response-bytes); narrow the query or the time range"))
}

/// An error and its causes on one line ("error sending request: connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_700_000_000.0;

    #[test]
    fn settled_ranges_are_kept_longer_than_live_ones() {
        // How long from now an answer is kept, in whole seconds.
        let kept = |path: &str, params: &str| {
            cacheable_until(path, params, NOW)
                .map(|t| (t - Instant::now()).as_secs_f64().round() as u64)
        };
        let old = format!("query=up&start=1&end={}&step=15", NOW - 61.0);
        assert_eq!(kept("query_range", &old), Some(CACHE_TTL.as_secs()));
        assert_eq!(
            kept("query", "query=up&time=100"),
            Some(CACHE_TTL.as_secs())
        );
        let recent = format!("query=up&start=1&end={}&step=15", NOW - 5.0);
        let future = format!("query=up&start=1&end={}&step=15", NOW + 600.0);
        for live in [
            recent.as_str(),
            &future,
            "query=up&start=1&step=15",
            "query=up&end=2023-11-14T00:00:00Z",
            "end=NaN",
        ] {
            assert_eq!(
                kept("query_range", live),
                Some(LIVE_TTL.as_secs()),
                "{live}"
            );
        }
        assert_eq!(kept("query", "query=up"), Some(LIVE_TTL.as_secs()));
        assert_eq!(kept("query_range", "end=1&end=2"), None);
        assert_eq!(kept("labels", "end=100"), None);
    }

    #[test]
    fn gathered_answers_are_the_chunks_in_order_and_bounded() {
        let text: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        // One chunk: kept as it is, not copied.
        let one = Bytes::from(text.clone());
        let mut g = Gathered::new(1000, None);
        g.push(one.clone()).unwrap();
        let out = g.finish();
        assert_eq!(out.as_ptr(), one.as_ptr());
        assert_eq!(out, text);
        // Any split into several chunks (empty ones included) gives the same bytes.
        for cut in [0, 1, 499, 999, 1000] {
            for announced in [None, Some(1000), Some(10)] {
                let mut g = Gathered::new(1000, announced);
                g.push(Bytes::new()).unwrap();
                g.push(Bytes::copy_from_slice(&text[..cut])).unwrap();
                g.push(Bytes::copy_from_slice(&text[cut..cut.max(700)]))
                    .unwrap();
                g.push(Bytes::copy_from_slice(&text[cut.max(700)..]))
                    .unwrap();
                assert_eq!(g.finish(), text, "cut at {cut}");
            }
        }
        // Exactly the limit passes; one byte more is refused, whichever chunk brings it.
        let mut g = Gathered::new(1000, None);
        g.push(Bytes::copy_from_slice(&text[..600])).unwrap();
        g.push(Bytes::copy_from_slice(&text[600..])).unwrap();
        assert!(g.push(Bytes::from_static(b"x")).is_err());
        let mut g = Gathered::new(999, Some(1000));
        assert!(g.push(Bytes::from(text.clone())).is_err());
    }

    fn key(params: &str) -> Key {
        Key {
            datasource: "prometheus".into(),
            path: "query_range".into(),
            post: false,
            params: params.into(),
        }
    }

    fn answer(text: &str) -> Answer {
        Answer {
            status: StatusCode::OK,
            content_type: None,
            body: Bytes::from(text.to_owned()),
        }
    }

    #[tokio::test]
    async fn concurrent_identical_requests_share_one_fetch() {
        let c = Arc::new(Coalescer::default());
        let fetches = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (release, wait) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (c, fetches, mut wait) = (c.clone(), fetches.clone(), wait.clone());
            tasks.push(tokio::spawn(async move {
                c.run(key("q=1"), None, async move {
                    fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let _ = wait.wait_for(|v| *v).await;
                    Ok(answer("shared"))
                })
                .await
                .unwrap()
                .body
            }));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        release.send(true).unwrap();
        for t in tasks {
            assert_eq!(t.await.unwrap(), "shared");
        }
        assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 1);
        // Not kept: the next request fetches again.
        let again = c.run(key("q=1"), None, async { Ok(answer("new")) }).await;
        assert_eq!(again.unwrap().body, "new");
        // Other parameters never share.
        let other = c.run(key("q=2"), None, async { Ok(answer("other")) }).await;
        assert_eq!(other.unwrap().body, "other");
    }

    #[tokio::test]
    async fn the_kept_answers_are_bounded_in_bytes() {
        let c = Coalescer::default();
        let until = Some(Instant::now() + Duration::from_secs(60));
        let big = "x".repeat(MAX_CACHED_BYTES);
        let n = MAX_KEPT_BYTES / MAX_CACHED_BYTES;
        for i in 0..n {
            let a = c.run(key(&format!("{i}")), until, async { Ok(answer(&big)) });
            assert_eq!(a.await.unwrap().body.len(), MAX_CACHED_BYTES);
        }
        // Each is kept...
        let kept = c
            .run(key("0"), until, async { Ok(answer("refetched")) })
            .await;
        assert_eq!(kept.unwrap().body.len(), MAX_CACHED_BYTES);
        // ...until they fill the budget: the next answer is not kept.
        let over = c.run(key("over"), until, async { Ok(answer("a")) }).await;
        assert_eq!(over.unwrap().body, "a");
        let again = c.run(key("over"), until, async { Ok(answer("b")) }).await;
        assert_eq!(again.unwrap().body, "b");
    }

    #[tokio::test]
    async fn kept_answers_expire_and_errors_are_not_kept() {
        let c = Coalescer::default();
        let until = Some(Instant::now() + Duration::from_millis(200));
        let first = c.run(key("k"), until, async { Ok(answer("a")) }).await;
        assert_eq!(first.unwrap().body, "a");
        let cached = c.run(key("k"), until, async { Ok(answer("b")) }).await;
        assert_eq!(cached.unwrap().body, "a");
        tokio::time::sleep(Duration::from_millis(250)).await;
        let fresh = c.run(key("k"), None, async { Ok(answer("c")) }).await;
        assert_eq!(fresh.unwrap().body, "c");

        let failed = c
            .run(key("e"), until, async {
                Err(ApiError::BadGateway("down".into()))
            })
            .await;
        assert_eq!(failed.unwrap_err().to_string(), "down");
        let retried = c.run(key("e"), until, async { Ok(answer("up")) }).await;
        assert_eq!(retried.unwrap().body, "up");
    }
}
