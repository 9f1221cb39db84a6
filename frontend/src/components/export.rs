//! Export of a dashboard, as Grafana's "Export → Save to file": the JSON as stored (every
//! field kept, not the migrated model), pretty-printed, downloaded as `<slug>.json`.

use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// Hands `text` to the browser as a download named `file_name`: a Blob behind an object URL,
/// clicked through a temporary `<a download>`.
fn download(file_name: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let a: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    let body = document().body().ok_or("no body")?;
    let _ = body.append_child(&a);
    a.click();
    a.remove();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The Export button of the dashboard title bar.
#[component]
pub fn ExportButton(uid: String, slug: String) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let export = move |_| {
        let (uid, slug) = (uid.clone(), slug.clone());
        spawn_local(async move {
            let result = api::dashboard(&uid).await.and_then(|stored| {
                let text =
                    serde_json::to_string_pretty(&stored.dashboard).map_err(|e| e.to_string())?;
                download(&format!("{slug}.json"), &text)
            });
            error.set(result.err().map(|e| format!("Export failed: {e}")));
        });
    };
    view! {
        <button class="kg-btn kg-export" title="Download the dashboard JSON" on:click=export>
            "Export"
        </button>
        {move || error.get().map(|e| view! { <span class="kg-error">{e}</span> })}
    }
}
