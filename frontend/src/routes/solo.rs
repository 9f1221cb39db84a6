//! A single panel for iframes (`/d-solo/{uid}/{slug}?panelId=N`), as Grafana's `/d-solo/`:
//! no navigation, the panel filling the frame at any size (it redraws when the frame is
//! resized), and a link that opens the full dashboard in a new tab. `transparent=1` drops the
//! panel background so it blends into the host page; `theme=light|dark` as everywhere.

use crate::api;
use crate::components::panel::PanelView;
use crate::components::variables::VariableScope;
use crate::url_state::TimeContext;
use kubeglass_shared::api::{slugify, DataSourceInfo};
use kubeglass_shared::model::template::state::{read_migrated, scope_of, url_key, UrlValues};
use kubeglass_shared::model::template::Variable;
use kubeglass_shared::model::{Dashboard, Panel};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::sync::Arc;

/// What a single panel needs: its dashboard, the panel, the dashboard's variables and the
/// data sources.
type Loaded = (Dashboard, Panel, Vec<Variable>, Vec<DataSourceInfo>);

/// Fetches the dashboard (with the page's embed token, if any) and finds the panel.
async fn load(uid: String, panel_id: Option<i64>) -> Result<Loaded, String> {
    let id = panel_id.ok_or("the URL needs `panelId=N`, the id of the panel to show")?;
    let stored = api::dashboard_migrated(&uid).await?;
    let sources = api::datasources().await?;
    let (dashboard, vars) = read_migrated(&stored.dashboard);
    let panel = dashboard
        .find_panel(id)
        .cloned()
        .ok_or_else(|| format!("dashboard `{uid}` has no panel {id}"))?;
    Ok((dashboard, panel, vars, sources))
}

#[component]
pub fn SoloPanelPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let uid = Memo::new(move |_| params.read().get("uid").unwrap_or_default());
    let panel_id = Memo::new(move |_| {
        query
            .read()
            .get("panelId")
            .and_then(|v| v.trim().parse::<i64>().ok())
    });
    let transparent = Memo::new(move |_| {
        query
            .read()
            .get_str("transparent")
            .is_some_and(|v| v == "1" || v == "true")
    });
    let loaded = LocalResource::new(move || load(uid.get(), panel_id.get()));
    view! {
        <div class="kg-solo" class:kg-solo-transparent=move || transparent.get()>
            {move || match loaded.get() {
                None => view! { <p class="kg-solo-message">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="kg-solo-message kg-error" data-solo-error="">{e}</p> }.into_any(),
                Some(Ok((dashboard, panel, vars, sources))) => view! { <SoloPanel dashboard=dashboard panel=panel vars=vars sources=sources /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn SoloPanel(
    dashboard: Dashboard,
    panel: Panel,
    vars: Vec<Variable>,
    sources: Vec<DataSourceInfo>,
) -> impl IntoView {
    let time = TimeContext::from_url(
        dashboard.time.clone().unwrap_or_default(),
        dashboard.refresh.clone(),
    );
    provide_context(time);
    // The variables' values come from the URL, else the saved ones: no option is asked of
    // Prometheus (an embed token allows only the panel's queries), and the backend checks a
    // signed link's queries with this same scope.
    let query = use_query_map();
    let scope = Memo::new(move |_| {
        let q = query.read();
        let url: UrlValues = vars
            .iter()
            .filter_map(|v| {
                q.get_all(&url_key(&v.name))
                    .map(|vals| (v.name.clone(), vals))
            })
            .collect();
        let range_ms = time
            .range
            .get()
            .resolve(js_sys::Date::now() as i64)
            .map_or(86_400_000, |r| r.to_ms - r.from_ms);
        Some(scope_of(&vars, &url, range_ms))
    });
    provide_context(VariableScope(scope));
    time.run_auto_refresh();
    document().set_title(&format!(
        "{} - {} - kubeglass",
        panel.title, dashboard.title
    ));
    // The full dashboard, same time range and variables, without the embed token (it opens
    // only this panel) and without panelId.
    let query = use_query_map();
    let full = move || {
        let q = query.read();
        let mut href = format!("/d/{}/{}", dashboard.uid, slugify(&dashboard.title));
        let kept: Vec<String> = ["from", "to", "theme", "refresh"]
            .iter()
            .filter_map(|k| {
                q.get(k)
                    .map(|v| format!("{k}={}", js_sys::encode_uri_component(&v)))
            })
            .collect();
        if !kept.is_empty() {
            href.push('?');
            href.push_str(&kept.join("&"));
        }
        href
    };
    view! {
        <PanelView panel=panel sources=Arc::new(sources) style="position:absolute;inset:0" />
        <a class="kg-solo-open" href=full target="_blank" rel="noopener noreferrer" title="Open the dashboard in a new tab">
            "↗"
        </a>
    }
}
