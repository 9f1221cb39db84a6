//! The text panel: `options.content` as Markdown (the default), HTML or code. The server renders
//! and sanitizes it (`POST /api/render/text`, see the panel's queries in `panel`), so the UI
//! carries no Markdown parser; this shows the safe HTML it answered.

use leptos::prelude::*;

#[component]
pub fn TextPanel(html: RwSignal<Option<String>>) -> impl IntoView {
    view! { <div class="kg-text" inner_html=move || html.get().unwrap_or_default()></div> }
}
