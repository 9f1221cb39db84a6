//! A route whose page is in another of the UI apps (see [`super`]). The server sends
//! each app for its own URLs, so navigating here inside this app loads the page from the
//! server. If this app is what the server sent for this very URL, the other app is missing
//! from the server's UI directory: that is said instead of reloading in a loop.

use super::not_found::NotFound;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use std::sync::OnceLock;

/// The path the browser loaded this app for.
static LOADED_FOR: OnceLock<String> = OnceLock::new();

/// Remembers the path the app was loaded for; called once at start-up.
pub fn remember_loaded_path() {
    let path = window().location().pathname().unwrap_or_default();
    let _ = LOADED_FOR.set(path);
}

#[component]
pub fn OtherApp() -> impl IntoView {
    // The router's path: the browser's URL changes only after this page is made.
    let location = use_location();
    let here = location.pathname.get_untracked();
    if LOADED_FOR.get() == Some(&here) {
        return view! {
            <div class="kg-page" data-state="missing-app">
                <p class="kg-error">
                    "This page is part of a UI app the server does not have; the UI directory is incomplete."
                </p>
                <NotFound />
            </div>
        }
        .into_any();
    }
    let (search, hash) = (
        location.search.get_untracked(),
        location.hash.get_untracked(),
    );
    let mut target = here.clone();
    if !search.is_empty() {
        target = format!("{target}?{search}");
    }
    if !hash.is_empty() {
        target = format!("{target}#{}", hash.trim_start_matches('#'));
    }
    // Once the router has recorded the new URL, load it from the server.
    set_timeout(
        move || {
            let browser = window().location();
            if browser.pathname().ok().as_deref() == Some(here.as_str()) {
                let _ = browser.reload();
            } else {
                let _ = browser.replace(&target);
            }
        },
        std::time::Duration::ZERO,
    );
    view! { <p class="kg-hint">"Loading…"</p> }.into_any()
}
