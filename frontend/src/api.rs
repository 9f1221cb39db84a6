//! Everything the front end fetches from the backend, in one place. Errors are strings fit to
//! show in the page: they name the request and carry the HTTP status and the server's message.

use gloo_net::http::{Request, RequestBuilder, Response};
use kubeglass_shared::api::{
    DashboardWithMeta, DataSourceInfo, ErrorBody, RenderTextRequest, RenderTextResponse,
    SaveDashboardRequest, SaveDashboardResponse, SearchHit, SignEmbedRequest, SignEmbedResponse,
    EMBED_TOKEN_HEADER,
};
use kubeglass_shared::api::{LoginRequest, UserInfo, CSRF_HEADER};
use kubeglass_shared::data::frame::Series;
use kubeglass_shared::prom::query::PromRequest;
use kubeglass_shared::prom::PromResponse;
use serde::de::DeserializeOwned;

/// The message of an error answer: kubeglass's `{"message"}`, Prometheus's `error`, or the
/// start of the body.
fn error_message(body: &str) -> String {
    if let Ok(b) = serde_json::from_str::<ErrorBody>(body) {
        return b.message;
    }
    if let Ok(r) = PromResponse::from_json(body) {
        if let Err(e) = r.into_series() {
            return e.message;
        }
    }
    let trimmed = body.trim();
    if trimmed.is_empty() {
        "(empty body)".to_string()
    } else {
        trimmed.chars().take(300).collect()
    }
}

async fn http_error(what: &str, resp: Response) -> String {
    let status = resp.status();
    if status == 401 {
        to_login();
    }
    let body = resp.text().await.unwrap_or_default();
    format!("{what}: HTTP {status}: {}", error_message(&body))
}

/// The embed token of the page (`?token=` of a signed link), if any. The front end only
/// carries it: the backend decides what it allows.
fn embed_token() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("token").filter(|t| !t.is_empty())
}

/// Adds the page's embed token to a request to the backend, and the session's CSRF token
/// (which the backend asks for on state-changing requests).
fn with_token(builder: RequestBuilder) -> RequestBuilder {
    let builder = match CSRF.with_borrow(Clone::clone) {
        Some(csrf) => builder.header(CSRF_HEADER, &csrf),
        None => builder,
    };
    match embed_token() {
        Some(token) => builder.header(EMBED_TOKEN_HEADER, &token),
        None => builder,
    }
}

thread_local! {
    /// The CSRF token of the login session, from `GET /api/user` or the login.
    static CSRF: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Sends the browser to the login page when the server asks for a login (401), coming back
/// here afterwards. Pages opened with a signed embed token never are: their token decides.
fn to_login() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let path = location.pathname().unwrap_or_default();
    if embed_token().is_some() || path == "/login" {
        return;
    }
    let here = format!("{path}{}", location.search().unwrap_or_default());
    let next: String = js_sys::encode_uri_component(&here).into();
    let _ = location.set_href(&format!("/login?next={next}"));
}

/// `GET /api/user`: who is logged in; `Ok(None)` when no one is (the server answered 401).
pub async fn current_user() -> Result<Option<UserInfo>, String> {
    let what = "GET /api/user";
    let resp = with_token(Request::get("/api/user"))
        .send()
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    if resp.status() == 401 {
        return Ok(None);
    }
    if !resp.ok() {
        return Err(http_error(what, resp).await);
    }
    let user: UserInfo = resp
        .json()
        .await
        .map_err(|e| format!("{what}: unexpected answer: {e}"))?;
    CSRF.set(user.csrf.clone());
    Ok(Some(user))
}

/// `POST /api/login`: starts a session (the server sets its cookie).
pub async fn login(req: &LoginRequest) -> Result<UserInfo, String> {
    let what = "POST /api/login";
    let resp = Request::post("/api/login")
        .json(req)
        .map_err(|e| format!("{what}: {e}"))?
        .send()
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    if !resp.ok() {
        let body = resp.text().await.unwrap_or_default();
        return Err(error_message(&body));
    }
    let user: UserInfo = resp
        .json()
        .await
        .map_err(|e| format!("{what}: unexpected answer: {e}"))?;
    CSRF.set(user.csrf.clone());
    Ok(user)
}

/// `POST /api/logout`.
pub async fn logout() -> Result<(), String> {
    let what = "POST /api/logout";
    let resp = with_token(Request::post("/api/logout"))
        .send()
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    CSRF.set(None);
    if !resp.ok() {
        return Err(http_error(what, resp).await);
    }
    Ok(())
}

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    let what = format!("GET {url}");
    let resp = with_token(Request::get(url))
        .send()
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    if !resp.ok() {
        return Err(http_error(&what, resp).await);
    }
    resp.json::<T>()
        .await
        .map_err(|e| format!("{what}: unexpected answer: {e}"))
}

/// `GET /api/search`: every dashboard.
pub async fn search() -> Result<Vec<SearchHit>, String> {
    get_json("/api/search").await
}

/// `GET /api/dashboards/uid/{uid}`: the dashboard as stored (for export).
pub async fn dashboard(uid: &str) -> Result<DashboardWithMeta, String> {
    let uid: String = js_sys::encode_uri_component(uid).into();
    get_json(&format!("/api/dashboards/uid/{uid}")).await
}

/// `GET /api/dashboards/uid/{uid}?migrate=true`: the dashboard migrated to the current schema
/// by the server, ready for [`kubeglass_shared::model::template::state::read_migrated`].
pub async fn dashboard_migrated(uid: &str) -> Result<DashboardWithMeta, String> {
    let uid: String = js_sys::encode_uri_component(uid).into();
    get_json(&format!("/api/dashboards/uid/{uid}?migrate=true")).await
}

/// `GET /api/datasources`.
pub async fn datasources() -> Result<Vec<DataSourceInfo>, String> {
    get_json("/api/datasources").await
}

/// Why `POST /api/dashboards/db` did not save.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveError {
    /// 412: a dashboard with this uid exists and `overwrite` was false.
    Exists,
    Other(String),
}

/// `POST /api/dashboards/db`: stores a dashboard (Grafana's API).
pub async fn save_dashboard(
    req: &SaveDashboardRequest,
) -> Result<SaveDashboardResponse, SaveError> {
    let what = "POST /api/dashboards/db";
    let resp = with_token(Request::post("/api/dashboards/db"))
        .json(req)
        .map_err(|e| SaveError::Other(format!("{what}: {e}")))?
        .send()
        .await
        .map_err(|e| SaveError::Other(format!("{what}: {e}")))?;
    if resp.status() == 412 {
        return Err(SaveError::Exists);
    }
    if !resp.ok() {
        return Err(SaveError::Other(http_error(what, resp).await));
    }
    resp.json()
        .await
        .map_err(|e| SaveError::Other(format!("{what}: unexpected answer: {e}")))
}

/// Sends one Prometheus request through the proxy and reads the answer as series.
/// Prometheus answers query errors with its JSON envelope and a 4xx status; both are shown.
pub async fn prometheus(req: &PromRequest) -> Result<Vec<Series>, String> {
    let url = req.url();
    let resp = with_token(Request::post(&url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(req.form_body())
        .map_err(|e| format!("POST {url}: {e}"))?
        .send()
        .await
        .map_err(|e| format!("POST {url}: {e}"))?;
    let body = proxy_body(&format!("POST {url}"), resp).await?;
    PromResponse::from_json(&body)
        .and_then(PromResponse::into_series)
        .map_err(|e| e.message)
}

/// `GET url` through the Prometheus proxy, for a variable's options: the answer's body, which
/// [`kubeglass_shared::model::template::state::raw_values`] reads.
pub async fn prometheus_get(url: &str) -> Result<String, String> {
    let resp = with_token(Request::get(url))
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    proxy_body(&format!("GET {url}"), resp).await
}

/// The body of a Prometheus proxy answer; an error status gives the message of Prometheus or
/// kubeglass (and a 401 sends the browser to the login page).
async fn proxy_body(what: &str, resp: Response) -> Result<String, String> {
    let status = resp.status();
    let body = resp
        .text()
        .await
        .map_err(|e| format!("{what}: reading the answer: {e}"))?;
    if status == 401 {
        to_login();
    }
    if status >= 400 {
        return Err(format!("HTTP {status}: {}", error_message(&body)));
    }
    Ok(body)
}

/// `POST url` with a JSON body, answered with JSON.
async fn post_json<B: serde::Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
) -> Result<T, String> {
    let what = format!("POST {url}");
    let resp = with_token(Request::post(url))
        .json(body)
        .map_err(|e| format!("{what}: {e}"))?
        .send()
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    if !resp.ok() {
        return Err(http_error(&what, resp).await);
    }
    resp.json()
        .await
        .map_err(|e| format!("{what}: unexpected answer: {e}"))
}

/// `POST /api/embed/sign`: a signed link to one panel, for the share dialog.
pub async fn sign_embed(req: &SignEmbedRequest) -> Result<SignEmbedResponse, String> {
    post_json("/api/embed/sign", req).await
}

/// `POST /api/render/text`: a text panel's content as safe HTML.
pub async fn render_text(req: &RenderTextRequest) -> Result<String, String> {
    post_json::<_, RenderTextResponse>("/api/render/text", req)
        .await
        .map(|r| r.html)
}
