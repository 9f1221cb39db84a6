//! The text panel: `options.content` as markdown (the default) or HTML, sanitized in `shared`
//! before it reaches the page.

use kubeglass_shared::model::Panel;
use kubeglass_shared::text::render_text_panel;
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn TextPanel(panel: Arc<Panel>) -> impl IntoView {
    let html = render_text_panel(
        panel.option_str("/mode"),
        panel.option_str("/content").unwrap_or_default(),
    );
    view! { <div class="kg-text" inner_html=html></div> }
}
