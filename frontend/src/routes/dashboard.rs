//! The dashboard view (`/d/{uid}/{slug}`): title bar with time and refresh pickers, the
//! variables bar, then the grid.

use crate::api;
use crate::components::export::ExportButton;
use crate::components::grid::DashboardGrid;
use crate::components::time_picker::{RefreshPicker, TimePicker};
use crate::components::variables::{provide_variables, VariablesBar};
use crate::url_state::TimeContext;
use kubeglass_shared::api::DataSourceInfo;
use kubeglass_shared::model::template::Variable;
use kubeglass_shared::model::Dashboard;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use std::sync::Arc;

/// Fetches the dashboard (with its template variables) and the data sources its panels query.
async fn load(uid: String) -> Result<(Dashboard, Vec<Variable>, Vec<DataSourceInfo>), String> {
    let stored = api::dashboard_migrated(&uid).await?;
    let sources = api::datasources().await?;
    let (dashboard, vars) =
        kubeglass_shared::model::template::state::read_migrated(&stored.dashboard);
    Ok((dashboard, vars, sources))
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let params = use_params_map();
    let uid = Memo::new(move |_| params.read().get("uid").unwrap_or_default());
    let loaded = LocalResource::new(move || load(uid.get()));
    view! {
        {move || match loaded.get() {
            None => view! { <p class="kg-page kg-loading">"Loading dashboard…"</p> }.into_any(),
            Some(Err(e)) => {
                view! {
                    <div class="kg-page">
                        <h1>"Dashboard not available"</h1>
                        <p class="kg-error">{e}</p>
                    </div>
                }
                    .into_any()
            }
            Some(Ok((dashboard, vars, sources))) => view! { <DashboardView dashboard=dashboard vars=vars sources=sources /> }.into_any(),
        }}
    }
}

#[component]
fn DashboardView(
    dashboard: Dashboard,
    vars: Vec<Variable>,
    sources: Vec<DataSourceInfo>,
) -> impl IntoView {
    let time = TimeContext::from_url(
        dashboard.time.clone().unwrap_or_default(),
        dashboard.refresh.clone(),
    );
    provide_context(time);
    time.run_auto_refresh();
    let sources = Arc::new(sources);
    provide_variables(vars, sources.clone());
    let title = dashboard.title.clone();
    document().set_title(&format!("{title} - kubeglass"));
    provide_context(crate::components::share::DashboardRef {
        uid: dashboard.uid.clone(),
        slug: kubeglass_shared::api::slugify(&title),
    });
    let kiosk = expect_context::<crate::app::Chrome>().hidden;
    view! {
        <div class="kg-dashboard">
            <div class="kg-dashboard-bar" class:kg-hidden=move || kiosk.get()>
                <h1 class="kg-dashboard-title">{title}</h1>
                <div class="kg-dashboard-controls">
                    <TimePicker />
                    <RefreshPicker />
                    <ExportButton uid=dashboard.uid.clone() slug=kubeglass_shared::api::slugify(&dashboard.title) />
                </div>
            </div>
            <div class:kg-hidden=move || kiosk.get()>
                <VariablesBar />
            </div>
            <DashboardGrid panels=dashboard.panels sources=sources />
        </div>
    }
}
