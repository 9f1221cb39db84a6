//! The share dialog of a panel, as Grafana's: "Link" (to the dashboard, time range relative or
//! locked, theme) and "Embed" (an `<iframe>` snippet of `/d-solo/`, optionally a signed link
//! that works without login until it expires). Both copy to the clipboard.

use crate::url_state::TimeContext;
use kubeglass_shared::api::SignEmbedRequest;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeMap;

/// The dashboard a panel belongs to, for links to it; absent in Explore.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardRef {
    pub uid: String,
    pub slug: String,
}

fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

fn copy(text: String) {
    let _ = window().navigator().clipboard().write_text(&text);
}

/// `key=value` pairs as a query string, values encoded.
fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// The share button of a panel header and the dialog it opens.
#[component]
pub fn ShareButton(panel_id: i64) -> impl IntoView {
    let Some(dashboard) = use_context::<DashboardRef>() else {
        return ().into_any();
    };
    let time = expect_context::<TimeContext>();
    let query = use_query_map();
    let open = RwSignal::new(false);
    let tab = RwSignal::new("link");
    let lock_time = RwSignal::new(false);
    let theme = RwSignal::new(String::from("current"));
    let width = RwSignal::new(String::from("450"));
    let height = RwSignal::new(String::from("200"));
    let transparent = RwSignal::new(false);
    let signed = RwSignal::new(false);
    let expires = RwSignal::new(String::from("1d"));
    let signed_path = RwSignal::new(None::<Result<String, String>>);

    // The variables, time range and theme the links carry.
    let params = Memo::new(move |_| {
        let q = query.read();
        let mut pairs: Vec<(String, String)> = Vec::new();
        let range = time.range.get();
        if lock_time.get() {
            if let Ok(r) = range.resolve(js_sys::Date::now() as i64) {
                pairs.push(("from".into(), r.from_ms.to_string()));
                pairs.push(("to".into(), r.to_ms.to_string()));
            }
        } else {
            pairs.push(("from".into(), range.from.clone()));
            pairs.push(("to".into(), range.to.clone()));
        }
        for (k, v) in q.clone().into_iter() {
            if k.starts_with("var-") {
                pairs.push((k.to_string(), v));
            }
        }
        let chosen = theme.get();
        let current = q.get("theme");
        match chosen.as_str() {
            "light" | "dark" => pairs.push(("theme".into(), chosen)),
            _ => {
                if let Some(t) = current {
                    pairs.push(("theme".into(), t));
                }
            }
        }
        pairs
    });
    let dash = dashboard.clone();
    let link = Signal::derive(move || {
        format!(
            "{}/d/{}/{}?{}",
            origin(),
            dash.uid,
            dash.slug,
            query_string(&params.get())
        )
    });

    // A signed link is asked for whenever its inputs change.
    let dash = dashboard.clone();
    Effect::new(move |_| {
        if !open.get() || !signed.get() {
            signed_path.set(None);
            return;
        }
        let mut vars: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in query.read().clone().into_iter() {
            if let Some(name) = k.strip_prefix("var-") {
                vars.entry(name.to_string()).or_default().push(v);
            }
        }
        let req = SignEmbedRequest {
            dashboard: dash.uid.clone(),
            panel: panel_id,
            expires: expires.get(),
            vars,
        };
        signed_path.set(None);
        spawn_local(async move {
            signed_path.set(Some(crate::api::sign_embed(&req).await.map(|r| r.path)));
        });
    });
    let dash = dashboard.clone();
    let embed_src = Signal::derive(move || {
        let mut pairs = params.get();
        if transparent.get() {
            pairs.push(("transparent".into(), "1".into()));
        }
        let extra = query_string(
            &pairs
                .into_iter()
                .filter(|(k, _)| !k.starts_with("var-") || !signed.get())
                .collect::<Vec<_>>(),
        );
        if signed.get() {
            match signed_path.get() {
                Some(Ok(path)) => Ok(format!("{}{path}&{extra}", origin())),
                Some(Err(e)) => Err(e),
                None => Err("signing…".to_string()),
            }
        } else {
            Ok(format!(
                "{}/d-solo/{}/{}?panelId={panel_id}&{extra}",
                origin(),
                dash.uid,
                dash.slug
            ))
        }
    });
    let snippet = Signal::derive(move || {
        embed_src.get().map(|src| {
            let attr = |s: String| s.replace('&', "&amp;").replace('"', "&quot;");
            format!(
                "<iframe src=\"{}\" width=\"{}\" height=\"{}\" frameborder=\"0\"></iframe>",
                attr(src),
                attr(width.get()),
                attr(height.get())
            )
        })
    });

    view! {
        <button class="kg-panel-share" title="Share" on:click=move |_| open.set(true)>"⤴"</button>
        <Show when=move || open.get()>
            <div class="kg-modal-backdrop" on:click=move |_| open.set(false)>
                <div class="kg-modal" data-share-dialog="" on:click=|ev| ev.stop_propagation()>
                    <header class="kg-modal-header">
                        <button class:kg-tab-active=move || tab.get() == "link" on:click=move |_| tab.set("link")>"Link"</button>
                        <button class:kg-tab-active=move || tab.get() == "embed" on:click=move |_| tab.set("embed")>"Embed"</button>
                        <button class="kg-modal-close" title="Close" on:click=move |_| open.set(false)>"×"</button>
                    </header>
                    <div class="kg-modal-options">
                        <label>
                            <input type="checkbox" prop:checked=move || lock_time.get() on:change=move |ev| lock_time.set(event_target_checked(&ev)) />
                            " Lock time range"
                        </label>
                        <label>
                            "Theme "
                            <select on:change=move |ev| theme.set(event_target_value(&ev))>
                                <option value="current">"Current"</option>
                                <option value="dark">"Dark"</option>
                                <option value="light">"Light"</option>
                            </select>
                        </label>
                    </div>
                    <Show when=move || tab.get() == "link">
                        <input class="kg-share-text" data-share-link="" readonly prop:value=link />
                        <button on:click=move |_| copy(link.get())>"Copy link"</button>
                    </Show>
                    <Show when=move || tab.get() == "embed">
                        <div class="kg-modal-options">
                            <label>"Width " <input type="number" min="50" prop:value=move || width.get() on:input=move |ev| width.set(event_target_value(&ev)) /></label>
                            <label>"Height " <input type="number" min="50" prop:value=move || height.get() on:input=move |ev| height.set(event_target_value(&ev)) /></label>
                            <label>
                                <input type="checkbox" prop:checked=move || transparent.get() on:change=move |ev| transparent.set(event_target_checked(&ev)) />
                                " Transparent"
                            </label>
                        </div>
                        <div class="kg-modal-options">
                            <label>
                                <input type="checkbox" data-share-signed="" prop:checked=move || signed.get() on:change=move |ev| signed.set(event_target_checked(&ev)) />
                                " Signed link, works without login for "
                            </label>
                            <select prop:value=move || expires.get() on:change=move |ev| expires.set(event_target_value(&ev))>
                                <option value="1h">"1 hour"</option>
                                <option value="1d">"1 day"</option>
                                <option value="7d">"7 days"</option>
                                <option value="30d">"30 days"</option>
                            </select>
                        </div>
                        {move || match snippet.get() {
                            Ok(s) => view! {
                                <textarea class="kg-share-text" data-share-embed="" readonly rows="4" prop:value=s.clone()></textarea>
                                <button on:click=move |_| copy(s.clone())>"Copy embed code"</button>
                            }.into_any(),
                            Err(e) => view! { <p class="kg-error">{e}</p> }.into_any(),
                        }}
                        <p class="kg-hint">"The host page's origin must be allowed with --allow-embedding."</p>
                    </Show>
                </div>
            </div>
        </Show>
    }
    .into_any()
}
