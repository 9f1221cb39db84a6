//! Authentication: who sent a request (sessions, HTTP Basic, the trusted proxy's header, API
//! tokens), the login and logout routes, the current user, and API tokens. What each user may
//! do is decided by the guard (`http::guard`), which calls [`identify`].
//!
//! Password checks are the one expensive thing an anonymous client can ask for (Argon2 takes
//! about 19 MiB and tens of milliseconds each, on purpose). They are bounded twice: a failed
//! attempt is counted before its hash is computed, so the login limit holds however many
//! guesses arrive at once, and at most [`HASHES_AT_ONCE`] hashes run at a time; others wait up
//! to [`HASH_WAIT`] and are then answered with 429.

use super::error::ApiError;
use super::AppState;
use crate::auth::{self, BasicCache, LoginLimiter, Role, Sessions, User};
use crate::config::AuthMode;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kubeglass_shared::api::{ErrorBody, LoginRequest, UserInfo};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use tokio::sync::Semaphore;

pub const SESSION_COOKIE: &str = "kubeglass_session";

/// Password hashes computed at once, at most.
pub const HASHES_AT_ONCE: usize = 2;
/// How long a login waits for a hash to be free before it is answered with 429.
pub const HASH_WAIT: Duration = Duration::from_secs(5);

/// The auth state shared by every request.
pub struct AuthState {
    pub sessions: Sessions,
    pub limiter: LoginLimiter,
    basic: BasicCache,
    pub queries: super::guard::limits::QueryLimiter,
    hashing: Semaphore,
}

impl AuthState {
    pub fn new(config: &crate::config::Config) -> AuthState {
        AuthState {
            sessions: Sessions::new(config.session_ttl),
            limiter: LoginLimiter::new(5, Duration::from_secs(60)),
            basic: BasicCache::new(),
            queries: super::guard::limits::QueryLimiter::new(
                config.limits.max_concurrent_queries,
                config.limits.upstream_timeout,
            ),
            hashing: Semaphore::new(HASHES_AT_ONCE),
        }
    }
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

/// Checks a user name and password of `--users`, within the login limit and the bound on
/// concurrent hashes: the attempt is counted first (and forgiven when it succeeds).
async fn check_password(
    state: &AppState,
    ip: IpAddr,
    name: &str,
    password: &str,
) -> Result<Role, ApiError> {
    let Some(users) = state.config.users.clone() else {
        return Err(ApiError::BadRequest(format!(
            "there is no login with --auth {}",
            state.config.auth.as_str()
        )));
    };
    if let Err(wait) = state.auth.limiter.attempt(ip, name) {
        return Err(ApiError::TooManyRequests(
            format!("too many failed logins; try again in {wait} s"),
            wait,
        ));
    }
    let permit = match tokio::time::timeout(HASH_WAIT, state.auth.hashing.acquire()).await {
        Ok(Ok(p)) => p,
        _ => {
            state.auth.limiter.forgive(ip, name);
            return Err(ApiError::TooManyRequests(
                format!(
                    "too many password checks at once ({HASHES_AT_ONCE} run, the others wait {} s); try again",
                    HASH_WAIT.as_secs()
                ),
                1,
            ));
        }
    };
    let (n, p) = (name.to_owned(), password.to_owned());
    let role = tokio::task::spawn_blocking(move || users.verify(&n, &p))
        .await
        .unwrap_or(None);
    drop(permit);
    match role {
        Some(role) => {
            state.auth.limiter.succeeded(ip, name);
            Ok(role)
        }
        None => {
            tracing::info!(user = %name, %ip, "failed login");
            Err(ApiError::Unauthorized("wrong user name or password".into()))
        }
    }
}

/// Who sent the request, or the answer to send instead; with a session, also its CSRF token.
pub async fn identify(
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
            return api_token(state, value.trim()).await.map(|u| (u, None));
        }
        if scheme.eq_ignore_ascii_case("basic") {
            if config.users.is_none() {
                return Err(unauthorized(
                    "HTTP Basic credentials are accepted only with --auth basic; use an API token",
                    false,
                ));
            }
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
            let role = match state.auth.basic.get(name, password) {
                Some(role) => role,
                None => {
                    let ip = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
                    match check_password(state, ip, name, password).await {
                        Ok(role) => {
                            state.auth.basic.put(name, password, role);
                            role
                        }
                        Err(e @ ApiError::Unauthorized(_)) => {
                            return Err(unauthorized(e.to_string(), true))
                        }
                        Err(e) => return Err(e.into_response()),
                    }
                }
            };
            return Ok((
                User {
                    name: name.to_owned(),
                    role,
                    via: "basic",
                    maker: crate::store::Maker::User(name.to_owned()),
                },
                None,
            ));
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
                maker: crate::store::Maker::Anonymous,
            },
            None,
        )),
        AuthMode::Basic => {
            let session =
                cookie(headers, SESSION_COOKIE).and_then(|id| state.auth.sessions.get(&id));
            match session {
                Some(s) => Ok((
                    User {
                        maker: crate::store::Maker::User(s.user.clone()),
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
            Ok((
                User {
                    name: name.to_owned(),
                    role: proxy_role(config, name),
                    via: "proxy",
                    maker: crate::store::Maker::ProxyUser(name.to_owned()),
                },
                None,
            ))
        }
    }
}

/// The role of a user the proxy lets in: editor when named in `--proxy-editors`.
fn proxy_role(config: &crate::config::Config, name: &str) -> Role {
    if config.proxy.editors.iter().any(|e| e == name) {
        Role::Editor
    } else {
        Role::Viewer
    }
}

/// The user of an API token: its name, with the lesser of the token's role and its maker's
/// role now, so that a token never keeps rights its maker has lost.
async fn api_token(state: &AppState, token: &str) -> Result<User, Response> {
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
    let Some(found) = found else {
        return Err(unauthorized(
            "the API token is not valid: revoked or mistyped",
            false,
        ));
    };
    let role = Role::parse(&found.role).unwrap_or(Role::Viewer);
    let maker = makers_role(&state.config, &found.maker).map_err(|why| {
        unauthorized(
            format!("the API token `{}` no longer works: {why}", found.name),
            false,
        )
    })?;
    Ok(User {
        name: found.name,
        role: role.min(maker),
        via: "token",
        // A token made with this token answers to the same maker.
        maker: found.maker,
    })
}

/// The role a token's maker has now, under the server's current auth settings; `Err` saying
/// why the maker has none.
fn makers_role(
    config: &crate::config::Config,
    maker: &crate::store::Maker,
) -> Result<Role, String> {
    use crate::store::Maker;
    match maker {
        // Made by whoever runs the server, on its data dir.
        Maker::Operator => Ok(Role::Editor),
        Maker::Anonymous => match config.auth {
            AuthMode::None => Ok(Role::Editor),
            other => Err(format!(
                "it was made without a login (--auth none) and the server now runs --auth {}",
                other.as_str()
            )),
        },
        Maker::User(name) => match &config.users {
            Some(users) => users
                .role_of(name)
                .ok_or_else(|| format!("its maker `{name}` is no longer a user of --users")),
            None => Err(format!(
                "its maker `{name}` logged in with --auth basic, which the server no longer runs"
            )),
        },
        Maker::ProxyUser(name) => match config.auth {
            AuthMode::Proxy => Ok(proxy_role(config, name)),
            other => Err(format!(
                "its maker `{name}` came through --auth proxy and the server now runs --auth {}",
                other.as_str()
            )),
        },
    }
}

/// `POST /api/login` (`--auth basic`): checks the password and starts a session.
pub async fn login(State(state): State<AppState>, req: Request) -> Response {
    let ip = super::guard::peer_ip(&req).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let secure = req
        .headers()
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    if state.config.users.is_none() {
        return ApiError::BadRequest(format!(
            "there is no login with --auth {}",
            state.config.auth.as_str()
        ))
        .into_response();
    }
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
    let role = match check_password(&state, ip, &form.user, &form.password).await {
        Ok(role) => role,
        Err(e) => return e.into_response(),
    };
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
    let maker = user.maker.clone();
    let info =
        super::dashboards::blocking(move || store.add_token(&name, role.as_str(), &hash, &maker))
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
        .add_token(
            name,
            role.as_str(),
            &auth::digest(&token),
            &crate::store::Maker::Operator,
        )
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("--name {name}: a token with this name exists already"))?;
    println!("{token}");
    Ok(std::process::ExitCode::SUCCESS)
}
