//! Authentication and authorisation of every API request: the middleware, the login and
//! logout routes, the current user, and API tokens.
//!
//! Open without credentials: `/healthz`, `/readyz`, requests carrying a valid signed embed
//! token (limited to their panel by `embed::guard`), `/api/login`, and the UI's static files
//! (the app shell holds no data; it shows the login page). Everything else needs a user.

use super::error::ApiError;
use super::AppState;
use crate::auth::{self, BasicCache, LoginLimiter, Role, Sessions, User};
use crate::config::AuthMode;
use axum::extract::{ConnectInfo, MatchedPath, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kubeglass_shared::api::{ErrorBody, LoginRequest, UserInfo};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

pub const SESSION_COOKIE: &str = "kubeglass_session";
/// The header the UI sends its session's CSRF token in, on every state-changing request.
pub use kubeglass_shared::api::CSRF_HEADER;

/// The auth state shared by every request.
pub struct AuthState {
    pub sessions: Sessions,
    pub limiter: LoginLimiter,
    basic: BasicCache,
    queries: QueryLimiter,
}

impl AuthState {
    pub fn new(config: &crate::config::Config) -> AuthState {
        AuthState {
            sessions: Sessions::new(config.session_ttl),
            limiter: LoginLimiter::new(5, Duration::from_secs(60)),
            basic: BasicCache::new(),
            queries: QueryLimiter::new(config.limits.max_concurrent_queries),
        }
    }
}

fn peer_ip(req: &Request) -> Option<IpAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Requests that change nothing though their method is not GET: Prometheus queries sent as
/// forms.
/// Requests that change nothing: reads, and the POSTs that only compute an answer (queries
/// through the proxy, text panels rendered), which any viewer may send.
fn is_read_only(method: &Method, route: &str) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || (*method == Method::POST
            && (route.starts_with("/api/datasources/") || route == "/api/render/text"))
}

fn unauthorized(message: impl Into<String>, basic: bool) -> Response {
    let mut r = ApiError::Unauthorized(message.into()).into_response();
    if basic {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"kubeglass\", charset=\"UTF-8\""),
        );
    }
    r
}

/// Who sent the request, or the answer to send instead.
async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> Result<(User, Option<String>), Response> {
    let config = &state.config;
    let authz = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    if let Some(authz) = authz {
        let (scheme, value) = authz.split_once(' ').unwrap_or((authz, ""));
        if scheme.eq_ignore_ascii_case("bearer") {
            let token = value.trim();
            if !token.starts_with(auth::TOKEN_PREFIX) || token.len() > 200 {
                return Err(unauthorized(
                    "the bearer token is not a kubeglass API token (they start with kg_)",
                    false,
                ));
            }
            let hash = auth::digest(token);
            let store = state.store.clone();
            let found = super::dashboards::blocking(move || store.token_by_hash(&hash))
                .await
                .map_err(IntoResponse::into_response)?
                .map_err(|e| ApiError::from(e).into_response())?;
            let Some((name, role)) = found else {
                return Err(unauthorized(
                    "the API token is not valid: revoked or mistyped",
                    false,
                ));
            };
            let role = Role::parse(&role).unwrap_or(Role::Viewer);
            return Ok((
                User {
                    name,
                    role,
                    via: "token",
                },
                None,
            ));
        }
        if scheme.eq_ignore_ascii_case("basic") {
            let Some(users) = config.users.clone() else {
                return Err(unauthorized(
                    "HTTP Basic credentials are accepted only with --auth basic; use an API token",
                    false,
                ));
            };
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            let Some((name, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
                return Err(unauthorized(
                    "the Basic credentials are malformed: expected base64 of `user:password`",
                    true,
                ));
            };
            if name.len() > 128 || password.len() > 1024 {
                return Err(unauthorized("the Basic credentials are too long", true));
            }
            if let Some(role) = state.auth.basic.get(name, password) {
                return Ok((
                    User {
                        name: name.to_owned(),
                        role,
                        via: "basic",
                    },
                    None,
                ));
            }
            let ip = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
            if let Some(wait) = state.auth.limiter.blocked(ip, name) {
                return Err(ApiError::TooManyRequests(
                    format!("too many failed logins; try again in {wait} s"),
                    wait,
                )
                .into_response());
            }
            let (n, p) = (name.to_owned(), password.to_owned());
            let role = tokio::task::spawn_blocking(move || users.verify(&n, &p))
                .await
                .unwrap_or(None);
            return match role {
                Some(role) => {
                    state.auth.limiter.succeeded(ip, name);
                    state.auth.basic.put(name, password, role);
                    Ok((
                        User {
                            name: name.to_owned(),
                            role,
                            via: "basic",
                        },
                        None,
                    ))
                }
                None => {
                    state.auth.limiter.failed(ip, name);
                    Err(unauthorized("wrong user name or password", true))
                }
            };
        }
        return Err(unauthorized(
            format!(
                "Authorization scheme `{scheme}` is not supported: use Bearer (API token) or Basic"
            ),
            false,
        ));
    }
    match config.auth {
        AuthMode::None => Ok((
            User {
                name: "anonymous".into(),
                role: Role::Editor,
                via: "none",
            },
            None,
        )),
        AuthMode::Basic => {
            let session =
                cookie(headers, SESSION_COOKIE).and_then(|id| state.auth.sessions.get(&id));
            match session {
                Some(s) => Ok((
                    User {
                        name: s.user,
                        role: s.role,
                        via: "session",
                    },
                    Some(s.csrf),
                )),
                None => Err(unauthorized(
                    "log in first: no session, or it has expired",
                    false,
                )),
            }
        }
        AuthMode::Proxy => {
            let proxy = &config.proxy;
            let Some(value) = headers.get(proxy.header.as_str()) else {
                return Err(unauthorized(
                    format!(
                        "no {} header: kubeglass expects its reverse proxy to log users in",
                        proxy.header
                    ),
                    false,
                ));
            };
            if !peer.is_some_and(|ip| proxy.trusted.iter().any(|c| c.contains(ip))) {
                tracing::warn!(?peer, header = %proxy.header, "user header from an address outside --proxy-trusted");
                return Err(unauthorized(
                    format!(
                        "the {} header is believed only from --proxy-trusted addresses",
                        proxy.header
                    ),
                    false,
                ));
            }
            let name = value.to_str().unwrap_or("").trim();
            if name.is_empty() || name.len() > 256 {
                return Err(unauthorized(
                    format!(
                        "the {} header is empty, too long or not ASCII",
                        proxy.header
                    ),
                    false,
                ));
            }
            let role = if proxy.editors.iter().any(|e| e == name) {
                Role::Editor
            } else {
                Role::Viewer
            };
            Ok((
                User {
                    name: name.to_owned(),
                    role,
                    via: "proxy",
                },
                None,
            ))
        }
    }
}

/// The request's origin matches the host it was sent to (browsers always send `Origin` on
/// cross-origin requests and WebSocket handshakes). Behind a reverse proxy that rewrites
/// `Host`, the proxy's `X-Forwarded-Host` counts too: a page of another site cannot set that
/// header (it would need a CORS preflight, which kubeglass never grants).
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

/// The middleware on every API route.
pub async fn require_user(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    if matches!(
        route.as_str(),
        "/healthz" | "/readyz" | "/api/login" | "/api/logout"
    ) || req.extensions().get::<crate::embed::Claims>().is_some()
    {
        return next.run(req).await;
    }
    let peer = peer_ip(&req);
    let (user, csrf) = match identify(&state, req.headers(), peer).await {
        Ok(u) => u,
        Err(response) => return response,
    };
    let method = req.method().clone();
    let upgrade = req.headers().contains_key(header::UPGRADE);
    // Credentials a browser sends by itself (a cookie, the proxy's login, or none needed at
    // all) could be used by another site's page: such requests must come from kubeglass's own
    // pages. Tokens and Basic credentials are never sent by a browser unasked.
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
            (Some(expected), Some(sent)) => {
                use subtle_eq::ct_eq;
                ct_eq(expected.as_bytes(), sent.as_bytes())
            }
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
    if user.role < Role::Editor && !is_read_only(&method, &route) {
        return ApiError::Forbidden(format!(
            "{method} {} needs the editor role; `{}` is a viewer",
            req.uri().path(),
            user.name
        ))
        .into_response();
    }
    let permit = if route.starts_with("/api/datasources/") {
        let key = match user.via {
            "none" => format!("ip {peer:?}"),
            _ => format!("user {}", user.name),
        };
        match state
            .auth
            .queries
            .acquire(&key, state.config.limits.upstream_timeout)
            .await
        {
            Ok(p) => Some(p),
            Err(e) => return e.into_response(),
        }
    } else {
        None
    };
    req.extensions_mut().insert(user);
    let response = next.run(req).await;
    drop(permit);
    response
}

/// Constant-time comparison of secrets.
mod subtle_eq {
    pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// Bounds the Prometheus queries one user (or, without auth, one address) has in flight.
struct QueryLimiter {
    max: usize,
    map: Mutex<HashMap<String, (Arc<Semaphore>, Arc<AtomicUsize>)>>,
}

struct QueryPermit {
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl QueryLimiter {
    fn new(max: usize) -> QueryLimiter {
        QueryLimiter {
            max,
            map: Mutex::new(HashMap::new()),
        }
    }

    async fn acquire(&self, key: &str, wait: Duration) -> Result<QueryPermit, ApiError> {
        let (sem, waiting) = {
            let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            if map.len() > 10_000 {
                let max = self.max;
                map.retain(|_, (s, w)| {
                    s.available_permits() < max || w.load(Ordering::Relaxed) > 0
                });
            }
            map.entry(key.to_owned())
                .or_insert_with(|| {
                    (
                        Arc::new(Semaphore::new(self.max)),
                        Arc::new(AtomicUsize::new(0)),
                    )
                })
                .clone()
        };
        if let Ok(p) = sem.clone().try_acquire_owned() {
            return Ok(QueryPermit { _permit: p });
        }
        if waiting.fetch_add(1, Ordering::SeqCst) >= 8 * self.max {
            waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::TooManyRequests(
                format!("too many queries at once: {} running and {} waiting (--max-concurrent-queries {})", self.max, 8 * self.max, self.max),
                1,
            ));
        }
        let r = tokio::time::timeout(wait, sem.acquire_owned()).await;
        waiting.fetch_sub(1, Ordering::SeqCst);
        match r {
            Ok(Ok(p)) => Ok(QueryPermit { _permit: p }),
            _ => Err(ApiError::TooManyRequests(
                format!(
                    "a query waited {} s for one of the {} running before it to finish",
                    wait.as_secs(),
                    self.max
                ),
                1,
            )),
        }
    }
}

/// `POST /api/login` (`--auth basic`): checks the password and starts a session.
pub async fn login(State(state): State<AppState>, req: Request) -> Response {
    let ip = peer_ip(&req).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let secure = req
        .headers()
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let Some(users) = state.config.users.clone() else {
        return ApiError::BadRequest(format!(
            "there is no login with --auth {}",
            state.config.auth.as_str()
        ))
        .into_response();
    };
    let body = match axum::body::to_bytes(req.into_body(), 64 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::BadRequest("the login request is larger than 64 KiB".into())
                .into_response()
        }
    };
    let form: LoginRequest = match serde_json::from_slice(&body) {
        Ok(f) => f,
        Err(e) => {
            return ApiError::BadRequest(format!("login: expected {{\"user\", \"password\"}}: {e}"))
                .into_response()
        }
    };
    if form.user.len() > 128 || form.password.len() > 1024 {
        return ApiError::BadRequest("login: the user name or password is too long".into())
            .into_response();
    }
    if let Some(wait) = state.auth.limiter.blocked(ip, &form.user) {
        return ApiError::TooManyRequests(
            format!("too many failed logins; try again in {wait} s"),
            wait,
        )
        .into_response();
    }
    let (n, p) = (form.user.clone(), form.password);
    let role = tokio::task::spawn_blocking(move || users.verify(&n, &p))
        .await
        .unwrap_or(None);
    let Some(role) = role else {
        state.auth.limiter.failed(ip, &form.user);
        tracing::info!(user = %form.user, %ip, "failed login");
        return ApiError::Unauthorized("wrong user name or password".into()).into_response();
    };
    state.auth.limiter.succeeded(ip, &form.user);
    let (id, session) = state.auth.sessions.create(&form.user, role);
    let cookie = format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        state.config.session_ttl.as_secs(),
        if secure { "; Secure" } else { "" }
    );
    let mut response = Json(UserInfo {
        name: form.user,
        role: role.as_str().into(),
        via: "session".into(),
        auth: state.config.auth.as_str().into(),
        csrf: Some(session.csrf),
    })
    .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("the cookie is ASCII"),
    );
    response
}

/// `POST /api/logout`: ends the session of the cookie, if any.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        state.auth.sessions.remove(&id);
    }
    let mut response = axum::http::StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        ))
        .expect("ASCII"),
    );
    response
}

/// `GET /api/user`: who the request is from.
pub async fn current_user(
    State(state): State<AppState>,
    req: Request,
) -> Result<Json<UserInfo>, Response> {
    let user = req
        .extensions()
        .get::<User>()
        .cloned()
        .ok_or_else(|| ApiError::Unauthorized("log in first".into()).into_response())?;
    let csrf = match user.via {
        "session" => cookie(req.headers(), SESSION_COOKIE)
            .and_then(|id| state.auth.sessions.get(&id))
            .map(|s| s.csrf),
        // Behind the proxy any value does: another site cannot add a header to a request.
        "proxy" => Some("proxy".to_owned()),
        _ => None,
    };
    Ok(Json(UserInfo {
        name: user.name,
        role: user.role.as_str().into(),
        via: user.via.into(),
        auth: state.config.auth.as_str().into(),
        csrf,
    }))
}

fn editor(req_user: Option<&User>) -> Result<&User, ApiError> {
    match req_user {
        Some(u) if u.role == Role::Editor => Ok(u),
        Some(u) => Err(ApiError::Forbidden(format!(
            "API tokens are managed by editors; `{}` is a viewer",
            u.name
        ))),
        None => Err(ApiError::Unauthorized("log in first".into())),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
    #[serde(default = "viewer")]
    role: String,
}

fn viewer() -> String {
    "viewer".into()
}

fn check_token_request(name: &str, role: &str) -> Result<Role, String> {
    if name.trim().is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err("the token name must be 1 to 100 characters without control characters".into());
    }
    Role::parse(role).ok_or_else(|| format!("role `{role}` is neither viewer nor editor"))
}

/// `POST /api/auth/tokens`: a new API token, shown once.
pub async fn create_token(
    State(state): State<AppState>,
    req: Request,
) -> Result<Json<serde_json::Value>, ApiError> {
    let user = editor(req.extensions().get::<User>())?.clone();
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiError::BadRequest("the token request is larger than 64 KiB".into()))?;
    let new: NewToken = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("expected {{\"name\", \"role\"}}: {e}")))?;
    let role = check_token_request(&new.name, &new.role).map_err(ApiError::BadRequest)?;
    if role > user.role {
        return Err(ApiError::Forbidden(format!(
            "`{}` cannot make a token with more rights than its own",
            user.name
        )));
    }
    let token = auth::new_api_token();
    let hash = auth::digest(&token);
    let store = state.store.clone();
    let name = new.name.clone();
    let info = super::dashboards::blocking(move || store.add_token(&name, role.as_str(), &hash))
        .await??
        .ok_or_else(|| {
            ApiError::Conflict(format!("a token named `{}` exists already", new.name))
        })?;
    tracing::info!(by = %user.name, token = %info.name, role = %info.role, "API token created");
    let mut v = serde_json::to_value(info).expect("serializes");
    v["token"] = token.into();
    Ok(Json(v))
}

/// `GET /api/auth/tokens`: names and roles, never the tokens.
pub async fn list_tokens(
    State(state): State<AppState>,
    req: Request,
) -> Result<Json<Vec<crate::store::TokenInfo>>, ApiError> {
    editor(req.extensions().get::<User>())?;
    let store = state.store.clone();
    Ok(Json(
        super::dashboards::blocking(move || store.tokens()).await??,
    ))
}

/// `DELETE /api/auth/tokens/{id}`: revokes a token at once.
pub async fn delete_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Json<ErrorBody>, ApiError> {
    editor(req.extensions().get::<User>())?;
    let store = state.store.clone();
    if super::dashboards::blocking(move || store.delete_token(id)).await?? {
        Ok(Json(ErrorBody {
            message: format!("token {id} revoked"),
        }))
    } else {
        Err(ApiError::NotFound(format!("no API token with id {id}")))
    }
}

/// `kubeglass create-token`: makes a token in the data dir's store and prints it.
pub fn create_token_command(
    args: crate::config::ServeArgs,
    name: &str,
    role: &str,
) -> Result<std::process::ExitCode, String> {
    let config = crate::config::Config::load(args).map_err(|e| e.to_string())?;
    let role = check_token_request(name, role)?;
    let store = crate::store::Store::open(&config.data_dir)?;
    let token = auth::new_api_token();
    store
        .add_token(name, role.as_str(), &auth::digest(&token))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("--name {name}: a token with this name exists already"))?;
    println!("{token}");
    Ok(std::process::ExitCode::SUCCESS)
}
