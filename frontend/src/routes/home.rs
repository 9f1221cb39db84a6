//! Home: the list of dashboards, filtered by a search box on title or tag.

use crate::api;
use crate::app::{themed_href, Theme};
use kubeglass_shared::api::SearchHit;
use leptos::prelude::*;

/// Whether a dashboard matches the search text (case-insensitive, on title or any tag).
fn matches(hit: &SearchHit, needle: &str) -> bool {
    let needle = needle.trim().to_lowercase();
    needle.is_empty()
        || hit.title.to_lowercase().contains(&needle)
        || hit.tags.iter().any(|t| t.to_lowercase().contains(&needle))
}

#[component]
pub fn Home() -> impl IntoView {
    let theme = expect_context::<Theme>();
    let hits = LocalResource::new(api::search);
    let filter = RwSignal::new(String::new());
    view! {
        <div class="kg-page kg-home">
            <h1>"Dashboards"</h1>
            <input
                class="kg-input kg-search"
                type="search"
                placeholder="Search dashboards by name or tag"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))
            />
            {move || match hits.get() {
                None => view! { <p class="kg-loading">"Loading dashboards…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="kg-error">"Could not list dashboards: " {e}</p> }.into_any(),
                Some(Ok(list)) => {
                    let shown: Vec<SearchHit> = filter.with(|f| list.into_iter().filter(|h| matches(h, f)).collect());
                    if shown.is_empty() {
                        view! { <p class="kg-empty">"No dashboards match."</p> }.into_any()
                    } else {
                        let light = theme.light.get();
                        view! {
                            <ul class="kg-dashboard-list">
                                {shown
                                    .into_iter()
                                    .map(|h| {
                                        view! {
                                            <li class="kg-dashboard-item">
                                                <a href=themed_href(&h.url, light)>{h.title}</a>
                                                <span class="kg-tags">
                                                    {h.tags.into_iter().map(|t| view! { <span class="kg-tag">{t}</span> }).collect_view()}
                                                </span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }
            }}
        </div>
    }
}
