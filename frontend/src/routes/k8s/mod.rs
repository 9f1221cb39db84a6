//! The Kubernetes pages (`/k8s/...`), after the Kubernetes Dashboard: a cluster overview,
//! nodes, workloads, pods with their detail and logs, and events. Lists are live: the watch
//! WebSocket keeps them up to date without reloading.
//!
//! Every page root carries `data-page` (`k8s-overview`, `k8s-pods`, ...) and `data-state`
//! (`loading`, `ok`, `error`): tests and users rely on these exact strings.

pub mod events;
pub mod nodes;
pub mod overview;
pub mod pod;
pub mod pods;
pub mod workloads;

use crate::app::{themed_href, Theme};
use crate::k8s::encode;
use crate::k8s::watch::Watch;
use kubeglass_shared::model::{GridPos, Panel, Target};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

/// The page's own state, set by its body; the page shows it as `data-state` once the cluster
/// is known to exist.
#[derive(Clone, Copy)]
pub struct PageState(pub RwSignal<&'static str>);

/// A route parameter (`:cluster`, `:ns`, `:name`).
pub fn param(name: &'static str) -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get(name).unwrap_or_default())
}

/// The current time for ages, ticking every 5 s while the page is shown.
pub fn clock() -> RwSignal<i64> {
    let now = RwSignal::new(js_sys::Date::now() as i64);
    let tick = gloo_timers::callback::Interval::new(5_000, move || {
        now.try_set(js_sys::Date::now() as i64);
    });
    // Dropped, and so cancelled, with the page.
    StoredValue::new_local(tick);
    now
}

/// A link inside the Kubernetes pages of `cluster` (`suffix` starts with `/`), keeping the theme.
pub fn k8s_href(cluster: &str, suffix: &str, light: bool) -> String {
    themed_href(&format!("/k8s/{}{suffix}", encode(cluster)), light)
}

/// The link to a pod's detail page.
pub fn pod_href(cluster: &str, ns: &str, name: &str, light: bool) -> String {
    k8s_href(
        cluster,
        &format!("/namespaces/{}/pods/{}", encode(ns), encode(name)),
        light,
    )
}

/// `/k8s`: opens the first configured cluster, or says that none is configured.
#[component]
pub fn K8sIndex() -> impl IntoView {
    let theme = expect_context::<Theme>();
    let clusters = LocalResource::new(crate::k8s::clusters);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(list)) = clusters.get() {
            if let Some(first) = list.first() {
                navigate(
                    &k8s_href(first, "", theme.light.get_untracked()),
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
        }
    });
    let state = move || match clusters.get() {
        None => "loading",
        Some(Ok(l)) if !l.is_empty() => "loading",
        _ => "error",
    };
    view! {
        <div class="kg-page kg-k8s" data-page="k8s" data-state=state>
            <h1>"Kubernetes"</h1>
            {move || match clusters.get() {
                None => view! { <p class="kg-loading">"Loading clusters…"</p> }.into_any(),
                Some(Err(e)) => not_configured(e).into_any(),
                Some(Ok(l)) if l.is_empty() => not_configured("no Kubernetes cluster is configured".into()).into_any(),
                Some(Ok(_)) => view! { <p class="kg-loading">"Opening the cluster…"</p> }.into_any(),
            }}
        </div>
    }
}

fn not_configured(message: String) -> impl IntoView {
    view! {
        <div class="kg-k8s-message">
            <p class="kg-error">{message}</p>
            <p class="kg-hint">
                "Start kubeglass with " <code>"--kubeconfig FILE"</code> " (and " <code>"--context NAME"</code>
                "), inside a cluster with its service account, or with " <code>"--k8s-url URL"</code>
                "; the README says how."
            </p>
        </div>
    }
}

const TABS: &[(&str, &str, &str)] = &[
    ("k8s-overview", "Overview", ""),
    ("k8s-nodes", "Nodes", "/nodes"),
    ("k8s-workloads", "Workloads", "/workloads"),
    ("k8s-pods", "Pods", "/pods"),
    ("k8s-events", "Events", "/events"),
];

/// The frame of every page of a cluster: title, cluster choice, tabs, and the body once the
/// cluster is known to be configured (else a message saying what is wrong). The body is
/// rendered again when the cluster changes, so that its live lists follow.
#[component]
pub fn K8sPage(page: &'static str, title: &'static str, children: ChildrenFn) -> impl IntoView {
    let theme = expect_context::<Theme>();
    let cluster = param("cluster");
    let clusters = LocalResource::new(crate::k8s::clusters);
    let inner = RwSignal::new("loading");
    provide_context(PageState(inner));
    // Err(None) while loading, Err(Some(message)) when the cluster cannot be shown.
    let check = Memo::new(move |_| match clusters.get() {
        None => Err(None),
        Some(Err(e)) => Err(Some(e)),
        Some(Ok(list)) => {
            let c = cluster.get();
            if list.contains(&c) {
                Ok((c, list))
            } else if list.is_empty() {
                Err(Some("no Kubernetes cluster is configured".to_string()))
            } else {
                Err(Some(format!(
                    "there is no Kubernetes cluster named `{c}` (configured: {})",
                    list.join(", ")
                )))
            }
        }
    });
    let state = move || match check.get() {
        Err(None) => "loading",
        Err(Some(_)) => "error",
        Ok(_) => inner.get(),
    };
    let navigate = use_navigate();
    let tab_of_page = if page == "k8s-pod" { "k8s-pods" } else { page };
    view! {
        <div class=format!("kg-page kg-k8s {page}") data-page=page data-state=state>
            <div class="kg-dashboard-bar">
                <h1 class="kg-dashboard-title">{title}</h1>
                <div class="kg-dashboard-controls">
                    {move || {
                        let list = check.get().map(|(_, l)| l).unwrap_or_default();
                        (list.len() > 1).then(|| {
                            let navigate = navigate.clone();
                            let current = cluster.get();
                            view! {
                                <label class="kg-k8s-filter">
                                    "Cluster "
                                    <select
                                        class="kg-select"
                                        on:change=move |ev| {
                                            let c = event_target_value(&ev);
                                            navigate(&k8s_href(&c, "", theme.light.get_untracked()), Default::default());
                                        }
                                    >
                                        {list
                                            .into_iter()
                                            .map(|c| {
                                                let selected = c == current;
                                                view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                                            })
                                            .collect_view()}
                                    </select>
                                </label>
                            }
                        })
                    }}
                </div>
            </div>
            <nav class="kg-k8s-tabs">
                {TABS
                    .iter()
                    .map(|(id, label, suffix)| {
                        view! {
                            <a
                                class="kg-k8s-tab"
                                class:active=*id == tab_of_page
                                href=move || k8s_href(&cluster.get(), suffix, theme.light.get())
                            >
                                {*label}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            {move || match check.get() {
                Err(None) => view! { <p class="kg-loading">"Loading clusters…"</p> }.into_any(),
                Err(Some(e)) => not_configured(e).into_any(),
                Ok(_) => children().into_any(),
            }}
        </div>
    }
}

/// The body of a page built on live lists: a banner while a watch is disconnected or its
/// cluster unreachable, and — while a list has never arrived — the reason in place of the
/// content, never an empty table. Sets the page's `data-state`.
#[component]
pub fn LiveBody(
    watches: Vec<Watch>,
    /// A problem with the page's own input (a filter in the URL), shown instead of the content.
    #[prop(optional, into)]
    problem: Option<Signal<Option<String>>>,
    children: ChildrenFn,
) -> impl IntoView {
    let page = use_context::<PageState>();
    let ws = watches.clone();
    let state = Memo::new(move |_| {
        if problem.is_some_and(|p| p.with(Option::is_some)) {
            return "error";
        }
        let states: Vec<&str> = ws.iter().map(Watch::page_state).collect();
        if states.contains(&"error") {
            "error"
        } else if states.contains(&"loading") {
            "loading"
        } else {
            "ok"
        }
    });
    Effect::new(move |_| {
        if let Some(p) = page {
            p.0.set(state.get());
        }
    });
    // A watch's trouble, else a list the server cut short.
    let banner = Memo::new(move |_| {
        watches
            .iter()
            .find_map(|w| w.state.with(|s| s.banner(w.list.with(|l| l.synced))))
            .or_else(|| {
                watches.iter().find_map(|w| {
                    w.list.with(|l| {
                        l.incomplete
                            .as_ref()
                            .map(|m| format!("This list is incomplete: {m}."))
                    })
                })
            })
    });
    view! {
        {move || {
            (state.get() == "ok")
                .then(|| banner.get())
                .flatten()
                .map(|b| view! { <div class="kg-k8s-banner" role="alert">{b}</div> })
        }}
        {move || match state.get() {
            "ok" => children().into_any(),
            "loading" => view! { <p class="kg-loading">"Loading…"</p> }.into_any(),
            _ => {
                let message = problem
                    .and_then(|p| p.get())
                    .or_else(|| banner.get())
                    .unwrap_or_else(|| "the list could not be read".into());
                view! {
                    <div class="kg-k8s-message" role="alert">
                        <p class="kg-error">{message}</p>
                    </div>
                }
                    .into_any()
            }
        }}
    }
}

/// A time series panel for the CPU and memory charts of the node and pod pages.
pub fn chart_panel(id: i64, title: &str, unit: &str, targets: &[(&str, String)]) -> Panel {
    let mut p = Panel {
        id,
        kind: "timeseries".into(),
        title: title.into(),
        grid: GridPos {
            x: 0,
            y: 0,
            w: 12,
            h: 8,
        },
        targets: targets
            .iter()
            .enumerate()
            .map(|(i, (legend, expr))| Target {
                ref_id: ((b'A' + i as u8) as char).to_string(),
                expr: expr.clone(),
                legend_format: Some(legend.to_string()),
                interval_factor: 1,
                ..Target::default()
            })
            .collect(),
        ..Panel::default()
    };
    p.defaults.unit = Some(unit.into());
    p
}

/// CPU and memory charts over the default Prometheus data source, when one is configured;
/// nothing otherwise. A chart whose metrics are not collected shows "No data".
#[component]
pub fn Charts(panels: Vec<Panel>) -> impl IntoView {
    use crate::components::panel::PanelView;
    use crate::url_state::TimeContext;
    use kubeglass_shared::time::TimeRange;
    use std::sync::Arc;
    let time = TimeContext::from_url(TimeRange::new("now-1h", "now"), Some("30s".into()));
    time.run_auto_refresh();
    provide_context(time);
    let sources = LocalResource::new(crate::api::datasources);
    move || match sources.get() {
        Some(Ok(list)) if !list.is_empty() => {
            let list = Arc::new(list);
            let panels = panels.clone();
            view! {
                <div class="kg-k8s-charts">
                    {panels
                        .into_iter()
                        .map(|p| view! { <PanelView panel=p sources=list.clone() style="height:240px" /> })
                        .collect_view()}
                </div>
            }
                .into_any()
        }
        _ => ().into_any(),
    }
}
