//! The guard: who may do what, decided in one place for every request.
//!
//! Two layers, both here:
//! - [`host`] on every response (API, WebSockets, the UI's files): the request must name this
//!   server. Any IP literal, `localhost` and the names of `--allowed-host`/`--public-url` are
//!   served; any other name is refused, so that a page whose name an attacker rebinds to
//!   kubeglass's address (DNS rebinding) cannot read or change anything, whatever the auth mode.
//! - [`request`] on the API routes, in this order:
//!   1. a signed embed token ([`embed`]): verified, limited to its panel's routes, and its
//!      requests bounded per token and per address;
//!   2. otherwise a user ([`super::auth::identify`]), except on the open routes;
//!   3. credentials a browser sends by itself (a session cookie, the proxy's login, or none at
//!      all) may change something or open a WebSocket only from kubeglass's own pages (the
//!      `Origin`), and sessions' writes carry their CSRF token;
//!   4. the role: viewers read, editors also write;
//!   5. the query limits of the Prometheus proxy ([`limits`]).
//!
//! What a handler may still check is only what depends on its own input: an embed token's
//! queries are compared with its panel's by [`embed::check_query`], called by the proxy
//! with exactly the parameters it forwards.

pub mod embed;
pub mod limits;

use super::auth::identify;
use super::error::ApiError;
use super::AppState;
use crate::auth::{Role, User};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
pub use kubeglass_shared::api::CSRF_HEADER;
use std::net::{IpAddr, SocketAddr};

/// The client's address, as the listener saw it.
pub fn peer_ip(req: &Request) -> Option<IpAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The host part of a `Host` (or `X-Forwarded-Host`) value: `[::1]:3000` → `::1`,
/// `Example.COM.:80` → `example.com`. `None` when it is not a host at all.
fn host_name(value: &str) -> Option<String> {
    let value = value.trim();
    let host = if let Some(rest) = value.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        inside
    } else {
        match value.rsplit_once(':') {
            Some((h, port)) if is_port(port) => h,
            Some(_) => return None,
            None => value,
        }
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

fn is_port(s: &str) -> bool {
    !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a request naming `value` as its host is for this server: IP literals (a browser
/// that reaches an address by its number sends that number, so no rebinding is possible),
/// `localhost` and its subdomains (browsers resolve them to loopback themselves), and the
/// configured names.
pub fn host_allowed(value: &str, allowed: &[String]) -> bool {
    let Some(host) = host_name(value) else {
        return false;
    };
    host.parse::<IpAddr>().is_ok()
        || host == "localhost"
        || host.ends_with(".localhost")
        || allowed.iter().any(|a| *a == host)
}

/// The first host a request names that this server does not answer to, if any: `Host` (or
/// the HTTP/2 authority) and every `X-Forwarded-Host` a reverse proxy added.
fn foreign_host(req: &Request, allowed: &[String]) -> Option<String> {
    let headers = req.headers();
    let mut named: Vec<&str> = Vec::new();
    match headers.get(header::HOST) {
        Some(h) => named.push(h.to_str().unwrap_or("\u{fffd}")),
        None => {
            if let Some(a) = req.uri().authority() {
                named.push(a.as_str());
            }
        }
    }
    for h in headers.get_all("x-forwarded-host") {
        named.extend(h.to_str().unwrap_or("\u{fffd}").split(','));
    }
    named
        .into_iter()
        .find(|h| !host_allowed(h, allowed))
        .map(|h| super::super::k8s::truncate(h.trim(), 100))
}

/// Middleware on every response: refuses requests for a host this server is not.
pub async fn host(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(host) = foreign_host(&req, &state.config.allowed_hosts) {
        let name = host_name(&host).unwrap_or_else(|| host.clone());
        tracing::warn!(%host, path = %req.uri().path(), "request for a host this server is not");
        return ApiError::Forbidden(format!(
            "this kubeglass does not answer to the host `{host}`: start it with --allowed-host {name} \
             (or --public-url https://{name}) if that name is its own"
        ))
        .into_response();
    }
    next.run(req).await
}

/// Requests that change nothing: reads, and the POSTs that only compute an answer (queries
/// through the proxy, text panels rendered), which any viewer may send.
fn is_read_only(method: &Method, route: &str) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || (*method == Method::POST
            && (route.starts_with("/api/datasources/") || route == "/api/render/text"))
}

/// Routes open without a user. `/api/logout` is open (it needs none to end nothing) but, being
/// a change, still goes through the origin and CSRF checks when a session is sent.
fn is_open(route: &str) -> bool {
    matches!(route, "/healthz" | "/readyz" | "/api/login")
}

/// The request's origin matches the host it was sent to (browsers always send `Origin` on
/// cross-origin requests and WebSocket handshakes). Behind a reverse proxy that rewrites
/// `Host`, the proxy's `X-Forwarded-Host` counts too: a page of another site cannot set that
/// header (it would need a CORS preflight, which kubeglass never grants). Both were checked by
/// [`host`] to name this server.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let forwarded = headers
        .get("x-forwarded-host")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split(',').next())
        .map(str::trim);
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| url::Url::parse(o).ok())
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
        });
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    origin_host.is_some_and(|o| {
        [host, forwarded]
            .into_iter()
            .flatten()
            .any(|h| o.eq_ignore_ascii_case(h))
    })
}

/// Constant-time comparison of secrets.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Middleware on every API route (see the module's doc for the order of the checks).
pub async fn request(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let peer = peer_ip(&req);
    match embed::token_of(&req) {
        Ok(Some(token)) => return embed::admit(&state, token, &route, peer, req, next).await,
        Ok(None) => {}
        Err(e) => return e.into_response(),
    }
    let method = req.method().clone();
    let session_cookie = req.headers().get(header::COOKIE).is_some_and(|c| {
        c.to_str()
            .is_ok_and(|c| c.contains(super::auth::SESSION_COOKIE))
    });
    if is_open(&route) || (route == "/api/logout" && !session_cookie) {
        return next.run(req).await;
    }
    let (user, csrf) = if route == "/api/logout" {
        match identify(&state, req.headers(), peer).await {
            Ok(u) => u,
            // An expired session is logged out without further checks: it opens nothing.
            Err(_) => return next.run(req).await,
        }
    } else {
        match identify(&state, req.headers(), peer).await {
            Ok(u) => u,
            Err(response) => return response,
        }
    };
    let upgrade = req.headers().contains_key(header::UPGRADE);
    // Credentials a browser sends by itself could be used by another site's page: such
    // requests must come from kubeglass's own pages. Tokens and Basic credentials are never
    // sent by a browser unasked.
    let ambient = matches!(user.via, "session" | "proxy" | "none");
    if ambient && (upgrade || !is_read_only(&method, &route)) && !same_origin(req.headers()) {
        return ApiError::Forbidden(format!(
            "{method} {} from another origin is refused",
            req.uri().path()
        ))
        .into_response();
    }
    if matches!(user.via, "session" | "proxy") && !is_read_only(&method, &route) {
        let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        let ok = match (&csrf, sent) {
            (Some(expected), Some(sent)) => ct_eq(expected.as_bytes(), sent.as_bytes()),
            (None, Some(sent)) => !sent.is_empty(),
            _ => false,
        };
        if !ok {
            return ApiError::Forbidden(format!(
                "{method} {} needs the {CSRF_HEADER} header of the session (the UI sends it)",
                req.uri().path()
            ))
            .into_response();
        }
    }
    if route != "/api/logout" && user.role < Role::Editor && !is_read_only(&method, &route) {
        return ApiError::Forbidden(format!(
            "{method} {} needs the editor role; `{}` is a viewer",
            req.uri().path(),
            user.name
        ))
        .into_response();
    }
    let permit = if route.starts_with("/api/datasources/") {
        let key = match user.via {
            "none" => limits::Key::Address(peer),
            _ => limits::Key::User(user.name.clone()),
        };
        match state.auth.queries.acquire(&[key]).await {
            Ok(p) => Some(p),
            Err(e) => return e.into_response(),
        }
    } else {
        None
    };
    req.extensions_mut().insert::<User>(user);
    let response = next.run(req).await;
    drop(permit);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_this_servers_only() {
        let allowed = vec!["kubeglass.example.com".to_owned()];
        for ok in [
            "127.0.0.1:3000",
            "127.0.0.1",
            "[::1]:3000",
            "[::1]",
            "10.1.2.3:80",
            "localhost:3000",
            "LOCALHOST",
            "app.localhost:3000",
            "kubeglass.example.com",
            "KubeGlass.Example.com.:443",
        ] {
            assert!(host_allowed(ok, &allowed), "{ok}");
        }
        for bad in [
            "evil.example:3000",
            "evil.example",
            "kubeglass.example.com.evil.example",
            "localhost.evil.example",
            "127.0.0.1.nip.io:3000",
            "",
            ":3000",
            "[::1]x",
            "a:b:c",
            "example.com:99999999",
        ] {
            assert!(!host_allowed(bad, &allowed), "{bad}");
        }
        assert!(!host_allowed("kubeglass.example.com", &[]));
    }

    #[test]
    fn writes_and_reads_are_told_apart_by_method_and_route() {
        assert!(is_read_only(&Method::GET, "/api/search"));
        assert!(is_read_only(
            &Method::POST,
            "/api/datasources/{uid}/prometheus/api/v1/{*path}"
        ));
        assert!(!is_read_only(&Method::POST, "/api/dashboards/db"));
        assert!(!is_read_only(&Method::POST, "/api/logout"));
        assert!(!is_read_only(&Method::DELETE, "/api/dashboards/uid/{uid}"));
    }
}
