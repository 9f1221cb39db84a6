//! The app shell: router, top navigation and theme.

use crate::routes::{not_found::NotFound, pages::*};
use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::{use_location, use_query_map},
    path,
};

/// Whether the page shows no navigation: a single panel for an iframe (`/d-solo/`), or a
/// dashboard in kiosk mode (`?kiosk` or `?kiosk=1`), as in Grafana.
#[derive(Clone, Copy)]
pub struct Chrome {
    pub hidden: Signal<bool>,
}

/// Whether the light theme is on (`?theme=light`); dark is the default, as in Grafana.
/// Charts read it to pick their text and grid colours.
#[derive(Clone, Copy)]
pub struct Theme {
    pub light: Signal<bool>,
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Shell />
        </Router>
    }
}

/// Links inside the app keep `?theme=light` so the choice survives navigation.
pub fn themed_href(path: &str, light: bool) -> String {
    if light {
        format!("{path}?theme=light")
    } else {
        path.to_string()
    }
}

/// Who is logged in, at the right of the navigation, with a way to log out of a session.
/// Fetching the user also gives the API client the session's CSRF token.
#[component]
fn UserMenu() -> impl IntoView {
    let me = LocalResource::new(crate::api::current_user);
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            let _ = crate::api::logout().await;
            let _ = window().location().set_href("/login");
        })
    };
    move || {
        me.get().and_then(|r| r.ok()).flatten().filter(|u| u.via != "none").map(|u| {
            let session = u.via == "session";
            view! {
                <span class="kg-nav-user" data-user=u.name.clone() data-role=u.role.clone()>
                    {format!("{} ({})", u.name, u.role)}
                    {session.then(|| view! { <button class="kg-btn" data-logout="" on:click=logout>"Log out"</button> })}
                </span>
            }
        })
    }
}

#[component]
fn Shell() -> impl IntoView {
    let query = use_query_map();
    let light = Memo::new(move |_| query.read().get_str("theme") == Some("light"));
    provide_context(Theme {
        light: light.into(),
    });
    let location = use_location();
    let hidden = Memo::new(move |_| {
        location.pathname.read().starts_with("/d-solo/")
            || query
                .read()
                .get_str("kiosk")
                .is_some_and(|v| v != "0" && v != "false")
    });
    provide_context(Chrome {
        hidden: hidden.into(),
    });
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            body.set_class_name(if light.get() {
                "theme-light"
            } else {
                "theme-dark"
            });
        }
    });
    view! {
        <div class="kg-app">
            <nav class="kg-nav" class:kg-hidden=move || hidden.get()>
                <a class="kg-logo" href=move || themed_href("/", light.get())>
                    <span class="kg-logo-mark">"◆"</span>
                    "kubeglass"
                </a>
                <a class="kg-nav-link" href=move || themed_href("/", light.get())>
                    "Dashboards"
                </a>
                <a class="kg-nav-link" href=move || themed_href("/explore", light.get())>
                    "Explore"
                </a>
                <a class="kg-nav-link" href=move || themed_href("/dashboard/import", light.get())>
                    "Import"
                </a>
                <a class="kg-nav-link" href=move || themed_href("/k8s", light.get())>
                    "Kubernetes"
                </a>
                <a class="kg-nav-link" href=move || themed_href("/etcd", light.get())>
                    "etcd"
                </a>
                <UserMenu />
            </nav>
            <main class="kg-main">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/d/:uid/:slug") view=DashboardPage />
                    <Route path=path!("/d/:uid") view=DashboardPage />
                    <Route path=path!("/explore") view=Explore />
                    <Route path=path!("/etcd") view=EtcdPage />
                    <Route path=path!("/dashboard/import") view=ImportPage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/k8s") view=K8sIndex />
                    <Route path=path!("/k8s/:cluster") view=OverviewPage />
                    <Route path=path!("/k8s/:cluster/nodes") view=NodesPage />
                    <Route path=path!("/k8s/:cluster/workloads") view=WorkloadsPage />
                    <Route path=path!("/k8s/:cluster/pods") view=PodsPage />
                    <Route path=path!("/k8s/:cluster/events") view=EventsPage />
                    <Route path=path!("/k8s/:cluster/namespaces/:ns/pods/:name") view=PodPage />
                    <Route path=path!("/d-solo/:uid/:slug") view=SoloPanelPage />
                    <Route path=path!("/d-solo/:uid") view=SoloPanelPage />
                    <Route path=path!("/bench/render") view=BenchRender />
                </Routes>
            </main>
        </div>
    }
}
