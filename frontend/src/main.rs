//! kubeglass's user interface: a Leptos client-side app, compiled to WebAssembly by trunk and
//! served by the backend. Routes and URLs are Grafana's, so existing links keep working.
//!
//! Built as three apps (features `home`, `dashboards` and `cluster`, see [`routes`]); each
//! leaves out the others' pages, so code only another app uses is expected to be unused here.
#![cfg_attr(
    not(all(feature = "home", feature = "dashboards", feature = "cluster")),
    allow(dead_code, unused_imports)
)]

mod api;
mod app;
mod components;
#[cfg(feature = "cluster")]
mod k8s;
mod routes;
mod url_state;

fn main() {
    console_error_panic_hook::set_once();
    routes::other_app::remember_loaded_path();
    leptos::mount::mount_to_body(app::App);
}
