//! What a signed embed link opens: the routes of its one panel, that panel's dashboard reduced
//! to the panel, and exactly that panel's queries.
//!
//! The token is verified by [`crate::embed::EmbedKey`]; here it is admitted (routes, limits)
//! and its scope applied. A token's panel is resolved once per stored version of its
//! dashboard ([`Resolver`]): the dashboard is read, migrated and its queries interpolated on
//! the blocking pool, once, however many embeds ask at the same time.
//!
//! A proxied query is checked on the parameters as kubeglass decodes them, strictly (an
//! undecodable, repeated or unknown parameter is refused), and only those parameters,
//! re-encoded by kubeglass, are forwarded: Prometheus never sees a byte that was not checked.

use super::limits::Key;
use crate::embed::{now, Claims};
use crate::http::error::ApiError;
use crate::http::AppState;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kubeglass_shared::api::{DashboardMeta, EMBED_TOKEN_HEADER};
use kubeglass_shared::model::template::state::scope_of;
use kubeglass_shared::model::template::{interpolate, read_variables, Context};
use kubeglass_shared::model::{resolve_datasource, Dashboard};
use kubeglass_shared::time::interval::matches_with_time_macros;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Routes a token may open; everything else is refused with it.
const TOKEN_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/dashboards/uid/{uid}"),
    ("GET", "/api/datasources"),
    ("GET", "/api/datasources/{uid}/prometheus/api/v1/{*path}"),
    ("POST", "/api/datasources/{uid}/prometheus/api/v1/{*path}"),
    // Renders what the caller sends and reads nothing: a text panel needs it.
    ("POST", "/api/render/text"),
];

/// The embed token a request carries (the `X-Embed-Token` header, or `token=` in the query
/// string), if any.
pub fn token_of(req: &Request) -> Result<Option<String>, ApiError> {
    if let Some(v) = req.headers().get(EMBED_TOKEN_HEADER) {
        return v
            .to_str()
            .map(|t| Some(t.to_owned()))
            .map_err(|_| ApiError::Forbidden("embed token is malformed: not ASCII".into()));
    }
    Ok(
        url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned()),
    )
}

/// Lets a request with an embed token through to its panel's routes only, bounded per token
/// and per address like a user's queries.
pub async fn admit(
    state: &AppState,
    token: String,
    route: &str,
    peer: Option<IpAddr>,
    mut req: Request,
    next: Next,
) -> Response {
    let claims = match state.embed_key.verify(&token, now()) {
        Ok(c) => c,
        Err(e) => return ApiError::Forbidden(e.to_string()).into_response(),
    };
    if !TOKEN_ROUTES.contains(&(req.method().as_str(), route)) {
        return ApiError::Forbidden(format!(
            "an embed token opens only its own panel; {} {} is not allowed with one",
            req.method(),
            req.uri().path()
        ))
        .into_response();
    }
    let permit = if route.starts_with("/api/datasources/") {
        let signature = token.rsplit('.').next().unwrap_or_default().to_owned();
        match state
            .auth
            .queries
            .acquire(&[Key::Token(signature), Key::TokenAddress(peer)])
            .await
        {
            Ok(p) => Some(p),
            Err(e) => return e.into_response(),
        }
    } else {
        None
    };
    req.extensions_mut().insert(claims);
    let response = next.run(req).await;
    drop(permit);
    response
}

/// A token's panel as resolved from one stored version of its dashboard.
pub struct Resolved {
    /// The dashboard migrated to the current schema, reduced to the token's panel.
    pub dashboard: Value,
    pub meta: DashboardMeta,
    /// (data source uid, expression with the token's variables put in) of each query the
    /// panel sends.
    queries: Vec<(String, String)>,
}

/// What a resolution is for: a token's dashboard, panel and fixed variables, at one stored
/// version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ResolveKey {
    dashboard: String,
    version: i64,
    panel: i64,
    vars: BTreeMap<String, Vec<String>>,
}

type Slot = Arc<tokio::sync::OnceCell<Result<Arc<Resolved>, (u16, String)>>>;

/// Resolved panels, kept per dashboard version; identical resolutions running at once share
/// one. Bounded: past [`MAX_RESOLVED`] entries the oldest versions are dropped.
#[derive(Default)]
pub struct Resolver {
    slots: Mutex<HashMap<ResolveKey, Slot>>,
}

const MAX_RESOLVED: usize = 256;

impl Resolver {
    /// The token's panel, resolved from the dashboard's stored version now.
    pub async fn resolve(
        &self,
        state: &AppState,
        claims: &Claims,
    ) -> Result<Arc<Resolved>, ApiError> {
        let store = state.store.clone();
        let uid = claims.dashboard.clone();
        let version = crate::http::dashboards::blocking(move || store.version_of(&uid))
            .await??
            .ok_or_else(|| {
                ApiError::Forbidden(format!(
                    "embed token is for dashboard `{}`, which no longer exists",
                    claims.dashboard
                ))
            })?;
        let key = ResolveKey {
            dashboard: claims.dashboard.clone(),
            version,
            panel: claims.panel,
            vars: claims.vars.clone(),
        };
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            if !slots.contains_key(&key) && slots.len() >= MAX_RESOLVED {
                // Older versions of the same dashboards go first; then anything.
                let stale: Vec<ResolveKey> = slots
                    .keys()
                    .filter(|k| k.dashboard == key.dashboard && k.version < version)
                    .cloned()
                    .collect();
                if stale.is_empty() {
                    slots.clear();
                } else {
                    for k in stale {
                        slots.remove(&k);
                    }
                }
            }
            slots.entry(key).or_default().clone()
        };
        let outcome = slot
            .get_or_init(|| {
                let (store, claims) = (state.store.clone(), claims.clone());
                let sources: Vec<_> = state.config.datasources.iter().map(|d| d.info()).collect();
                async move {
                    let job = move || -> Result<Arc<Resolved>, ApiError> {
                        let stored = store.get(&claims.dashboard)?.ok_or_else(|| {
                            ApiError::Forbidden(format!(
                                "embed token is for dashboard `{}`, which no longer exists",
                                claims.dashboard
                            ))
                        })?;
                        resolve(&claims, stored.dashboard, stored.meta, &sources).map(Arc::new)
                    };
                    match crate::http::dashboards::blocking(job).await {
                        Ok(Ok(r)) => Ok(r),
                        Ok(Err(e)) | Err(e) => Err((e.status().as_u16(), e.to_string())),
                    }
                }
            })
            .await;
        outcome.clone().map_err(|(status, message)| match status {
            403 => ApiError::Forbidden(message),
            _ => ApiError::Internal(message),
        })
    }
}

/// Resolves a token's panel from its stored dashboard: migrated once, reduced to the panel
/// (found also in collapsed rows, so the other panels' queries are not disclosed), and the
/// panel's queries interpolated with the variables as the token fixes them (or the
/// dashboard's defaults: a token holder cannot choose them).
fn resolve(
    claims: &Claims,
    stored: Value,
    meta: DashboardMeta,
    sources: &[kubeglass_shared::api::DataSourceInfo],
) -> Result<Resolved, ApiError> {
    let uid = &claims.dashboard;
    let mut migrated = kubeglass_shared::model::migrate::migrate(stored).dashboard;
    let gone = || {
        ApiError::Forbidden(format!(
            "embed token is for panel {} of dashboard `{uid}`, which no longer has it",
            claims.panel
        ))
    };
    let mut panel_json = find_panel_json(&migrated, claims.panel).ok_or_else(gone)?;
    if let Some(p) = panel_json.as_object_mut() {
        p.remove("panels");
    }
    let (vars, _) = read_variables(&migrated);
    // Read as the single-panel page reads its URL's `var-` values (the same function), so that
    // what it sends is what is allowed. Interval variables set to `auto` depend on the range;
    // a day is a nominal one.
    let scope = scope_of(&vars, &claims.vars, 86_400_000);
    let model = Dashboard::from_json(&migrated);
    let panel = model.find_panel(claims.panel).ok_or_else(gone)?;
    let queries = panel
        .targets
        .iter()
        .filter(|t| !t.hide && !t.expr.trim().is_empty())
        .filter_map(|t| {
            let ds = resolve_datasource(panel.datasource.as_ref(), t.datasource.as_ref(), sources)?;
            Some((
                ds.uid.clone(),
                interpolate(&t.expr, &scope, Context::Prometheus),
            ))
        })
        .collect();
    let obj = migrated
        .as_object_mut()
        .expect("stored dashboards are objects");
    obj.remove("rows");
    obj.insert("panels".into(), Value::Array(vec![panel_json]));
    Ok(Resolved {
        dashboard: migrated,
        meta,
        queries,
    })
}

/// The panel with `id` of a migrated dashboard, also inside collapsed rows; never a row.
fn find_panel_json(dashboard: &Value, id: i64) -> Option<Value> {
    fn search(panels: &[Value], id: i64) -> Option<&Value> {
        panels.iter().find_map(|p| {
            if p.get("id").and_then(Value::as_i64) == Some(id)
                && p.get("type").and_then(Value::as_str) != Some("row")
            {
                Some(p)
            } else {
                p.get("panels")
                    .and_then(Value::as_array)
                    .and_then(|nested| search(nested, id))
            }
        })
    }
    dashboard
        .get("panels")
        .and_then(Value::as_array)
        .and_then(|p| search(p, id))
        .cloned()
}

/// The dashboard as a token holder sees it: migrated, reduced to the token's panel.
pub async fn dashboard(
    state: &AppState,
    claims: &Claims,
    uid: &str,
) -> Result<(Value, DashboardMeta), ApiError> {
    if claims.dashboard != uid {
        return Err(ApiError::Forbidden(format!(
            "embed token is for dashboard `{}`, not `{uid}`",
            claims.dashboard
        )));
    }
    let r = state.embeds.resolve(state, claims).await?;
    Ok((r.dashboard.clone(), r.meta.clone()))
}

/// The parameters each endpoint a token may query takes; anything else is refused.
fn known_params(api_path: &str) -> Option<&'static [&'static str]> {
    match api_path {
        "query" => Some(&["query", "time", "timeout"]),
        "query_range" => Some(&["query", "start", "end", "step", "timeout"]),
        _ => None,
    }
}

/// Decodes `application/x-www-form-urlencoded` text strictly: `%` must start two hex digits,
/// the result must be UTF-8; `+` is a space. Empty pairs (`a=1&&b=2`) are skipped as every
/// form reader does.
pub fn decode_form_strict(raw: &[u8]) -> Result<Vec<(String, String)>, String> {
    fn decode(part: &[u8]) -> Result<String, String> {
        let mut out = Vec::with_capacity(part.len());
        let mut i = 0;
        while i < part.len() {
            match part[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = |b: u8| (b as char).to_digit(16);
                    let (Some(h), Some(l)) = (
                        part.get(i + 1).copied().and_then(hex),
                        part.get(i + 2).copied().and_then(hex),
                    ) else {
                        let shown = String::from_utf8_lossy(&part[i..part.len().min(i + 3)]);
                        return Err(format!("`{shown}` is not a percent-encoded byte"));
                    };
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).map_err(|_| "is not UTF-8 once decoded".to_owned())
    }
    let mut pairs = Vec::new();
    for pair in raw.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        if pair.contains(&b';') {
            return Err("a `;` separates nothing in a form: encode it as %3B".into());
        }
        let (k, v) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let key = decode(k).map_err(|e| format!("a parameter name {e}"))?;
        let value = decode(v).map_err(|e| format!("parameter `{key}`: {e}"))?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// Checks a proxied request made with an embed token and returns the parameters to forward,
/// re-encoded: only `query` or `query_range`, against the data source the target names, with
/// the target's expression at some time range and resolution (the time macros may take any
/// duration), the variables as the token fixes them (or as the dashboard's defaults). The
/// parameters are read from the URL and (for a POST) the form, each at most once.
pub async fn check_query(
    state: &AppState,
    claims: &Claims,
    datasource: &str,
    api_path: &str,
    url_query: Option<&str>,
    form: Option<&[u8]>,
) -> Result<String, ApiError> {
    let Some(known) = known_params(api_path) else {
        return Err(ApiError::Forbidden(format!(
            "an embed token allows only its panel's queries, not `/api/v1/{api_path}`"
        )));
    };
    let refuse = |why: String| {
        ApiError::BadRequest(format!("embed token query to /api/v1/{api_path}: {why}"))
    };
    let mut pairs = decode_form_strict(url_query.unwrap_or("").as_bytes()).map_err(refuse)?;
    if let Some(form) = form {
        pairs.extend(decode_form_strict(form).map_err(refuse)?);
    }
    let mut checked: Vec<(&'static str, String)> = Vec::new();
    for (k, v) in pairs {
        if k == "token" {
            continue; // the token itself, verified already
        }
        let Some(name) = known.iter().find(|n| **n == k) else {
            return Err(refuse(format!(
                "parameter `{}` is not one a panel's query sends ({})",
                crate::k8s::truncate(&k, 64),
                known.join(", ")
            )));
        };
        if checked.iter().any(|(n, _)| n == name) {
            return Err(refuse(format!("parameter `{name}` is given twice")));
        }
        checked.push((name, v));
    }
    let query = checked
        .iter()
        .find(|(n, _)| *n == "query")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| refuse("parameter `query` is missing".into()))?;
    let resolved = state.embeds.resolve(state, claims).await?;
    let allowed = resolved
        .queries
        .iter()
        .any(|(ds, expr)| ds == datasource && matches_with_time_macros(expr, query));
    if !allowed {
        return Err(ApiError::Forbidden(format!(
            "embed token for panel {} of dashboard `{}` does not allow this query on data source `{datasource}`: {}",
            claims.panel,
            claims.dashboard,
            crate::k8s::truncate(query, 512)
        )));
    }
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &checked {
        out.append_pair(k, v);
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_strictly() {
        assert_eq!(
            decode_form_strict(b"query=up+%2B+1&&time=1%2E5&flag").unwrap(),
            [
                ("query".to_owned(), "up + 1".to_owned()),
                ("time".to_owned(), "1.5".to_owned()),
                ("flag".to_owned(), String::new())
            ]
        );
        for (bad, why) in [
            (&b"query=up+%+2"[..], "`%+2` is not a percent-encoded byte"),
            (b"query=100%", "`%` is not a percent-encoded byte"),
            (b"query=%zz", "`%zz`"),
            (b"query=%ff", "not UTF-8"),
            (b"query=up;x=1", "`;`"),
            (b"q%=1", "a parameter name"),
        ] {
            let e = decode_form_strict(bad).unwrap_err();
            assert!(e.contains(why), "{}: {e}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn panels_are_found_in_collapsed_rows_and_reduced() {
        let claims = Claims {
            dashboard: "d".into(),
            panel: 7,
            expires: i64::MAX,
            vars: BTreeMap::from([("job".into(), vec!["node".into()])]),
        };
        let stored = serde_json::json!({
            "uid": "d", "title": "D", "schemaVersion": 39,
            "templating": {"list": [{"name": "job", "type": "custom", "query": "node,prom",
                                     "current": {"text": "prom", "value": "prom"}}]},
            "panels": [
                {"id": 1, "type": "timeseries", "targets": [{"refId": "A", "expr": "secret_metric"}]},
                {"id": 2, "type": "row", "collapsed": true, "panels": [
                    {"id": 7, "type": "timeseries", "datasource": {"uid": "prom"},
                     "targets": [{"refId": "A", "expr": "rate(x{job=\"$job\"}[$__rate_interval])"},
                                 {"refId": "B", "expr": "hidden", "hide": true}]}]}]
        });
        let sources = [kubeglass_shared::api::DataSourceInfo {
            uid: "prom".into(),
            name: "Prom".into(),
            kind: "prometheus".into(),
            is_default: true,
            time_interval: "15s".into(),
        }];
        let meta = || DashboardMeta {
            slug: "d".into(),
            url: "/d/d/d".into(),
            version: 1,
            folder_uid: String::new(),
            created: String::new(),
            updated: String::new(),
            provisioned: false,
        };
        let r = resolve(&claims, stored, meta(), &sources).unwrap();
        assert_eq!(
            r.queries,
            [(
                "prom".to_owned(),
                "rate(x{job=\"node\"}[$__rate_interval])".to_owned()
            )]
        );
        let panels = r.dashboard["panels"].as_array().unwrap();
        assert_eq!(panels.len(), 1);
        assert_eq!(panels[0]["id"], 7);
        assert!(!r.dashboard.to_string().contains("secret_metric"));
        let other = Claims { panel: 2, ..claims };
        let e = resolve(&other, r.dashboard.clone(), meta(), &sources)
            .err()
            .unwrap();
        assert!(e.to_string().contains("no longer has it"), "{e}");
    }
}
