//! Anything the router does not know.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn NotFound() -> impl IntoView {
    let location = use_location();
    view! {
        <div class="kg-page kg-not-found">
            <h1>"Not found"</h1>
            <p>"There is no page at " <code>{move || location.pathname.get()}</code> "."</p>
            <p>
                <a href="/">"Go to the dashboards"</a>
            </p>
        </div>
    }
}
