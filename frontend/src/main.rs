//! kubeglass's user interface: a Leptos client-side app, compiled to WebAssembly by trunk and
//! served by the backend. Routes and URLs are Grafana's, so existing links keep working.

mod api;
mod app;
mod components;
mod k8s;
mod routes;
mod url_state;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
