//! The import page (`/dashboard/import`), as Grafana's: paste a dashboard JSON or upload a
//! file, see what it holds, pick the data sources an exported dashboard asks for
//! (`__inputs`), choose title, uid and folder, and import. Nothing is sent until the JSON
//! parses and validates; a uid already taken asks before overwriting.

use crate::api::{self, SaveError};
use crate::app::{themed_href, Theme};
use kubeglass_shared::api::{DataSourceInfo, SaveDashboardRequest};
use kubeglass_shared::model::default_datasource;
use kubeglass_shared::model::import::{
    apply_inputs, inputs, parse_dashboard, preview, DashboardInput,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use serde_json::Value;
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;

/// Where the import stands after the Import button.
#[derive(Debug, Clone, PartialEq)]
enum Saving {
    Idle,
    Busy,
    /// 412: the uid is taken. The Overwrite button re-sends.
    Exists,
    Failed(String),
}

#[component]
pub fn ImportPage() -> impl IntoView {
    document().set_title("Import dashboard - kubeglass");
    let text = RwSignal::new(String::new());
    let parsed = Memo::new(move |_| {
        text.with(|t| (!t.trim().is_empty()).then(|| parse_dashboard(t).map_err(|e| e.to_string())))
    });
    let title = RwSignal::new(String::new());
    let uid = RwSignal::new(String::new());
    let folder = RwSignal::new(String::new());
    // The data source chosen for each `__inputs` entry the user changed; the others use the
    // default data source.
    let chosen = RwSignal::new(BTreeMap::<String, String>::new());
    let saving = RwSignal::new(Saving::Idle);
    // A new document prefills title and uid from it, as Grafana does.
    Effect::new(move |_| {
        if let Some(Ok(d)) = parsed.get() {
            let p = preview(&d);
            title.set(p.title);
            uid.set(p.uid);
            chosen.set(BTreeMap::new());
            saving.set(Saving::Idle);
        }
    });
    let sources = LocalResource::new(api::datasources);
    let navigate = use_navigate();
    let theme = expect_context::<Theme>();

    let import = move |overwrite: bool| {
        let Some(Ok(dashboard)) = parsed.get_untracked() else {
            return;
        };
        let srcs = sources
            .get_untracked()
            .and_then(Result::ok)
            .unwrap_or_default();
        let values = input_values(&inputs(&dashboard), &chosen.get_untracked(), &srcs);
        let mut dashboard = apply_inputs(dashboard, &values);
        if let Some(obj) = dashboard.as_object_mut() {
            obj.insert("title".into(), Value::String(title.get_untracked()));
            let uid = uid.get_untracked().trim().to_string();
            if uid.is_empty() {
                obj.remove("uid");
            } else {
                obj.insert("uid".into(), Value::String(uid));
            }
            // The store assigns id and version. Without a version, a uid already taken is
            // always refused (412) unless overwriting, whatever version the file carries.
            obj.remove("id");
            obj.remove("version");
        }
        let folder = folder.get_untracked().trim().to_string();
        let req = SaveDashboardRequest {
            dashboard,
            overwrite,
            folder_uid: (!folder.is_empty()).then_some(folder),
            message: None,
        };
        saving.set(Saving::Busy);
        let navigate = navigate.clone();
        let light = theme.light.get_untracked();
        spawn_local(async move {
            match api::save_dashboard(&req).await {
                Ok(saved) => {
                    saving.set(Saving::Idle);
                    navigate(&themed_href(&saved.url, light), Default::default());
                }
                Err(SaveError::Exists) => saving.set(Saving::Exists),
                Err(SaveError::Other(e)) => saving.set(Saving::Failed(e)),
            }
        });
    };
    let import_new = import.clone();

    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(t) => text.set(t.as_string().unwrap_or_default()),
                Err(e) => saving.set(Saving::Failed(format!("reading {}: {e:?}", file.name()))),
            }
        });
    };

    view! {
        <div class="kg-page kg-import">
            <h1>"Import dashboard"</h1>
            <p class="kg-hint">
                "Paste a Grafana dashboard JSON, or upload a .json file. It is stored as it is: only the data sources it asks for are filled in."
            </p>
            <div class="kg-import-source">
                <label class="kg-btn kg-import-upload">
                    "Upload dashboard JSON file"
                    <input type="file" accept=".json,application/json" class="kg-hidden" on:change=on_file />
                </label>
                <textarea
                    class="kg-input kg-import-json"
                    rows="14"
                    spellcheck="false"
                    placeholder="{ \"title\": \"…\", \"panels\": [ … ] }"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </div>
            {move || match parsed.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="kg-error kg-import-error">{e}</p> }.into_any(),
                Some(Ok(d)) => {
                    let p = preview(&d);
                    let asked: Vec<DashboardInput> = inputs(&d);
                    view! {
                        <dl class="kg-import-preview" data-panels=p.panels_total data-supported=p.panels_supported>
                            <dt>"Title"</dt>
                            <dd>{p.title}</dd>
                            <dt>"Schema version"</dt>
                            <dd class="kg-import-schema">{format!("{} → {}", p.version_before, p.version_after)}</dd>
                            <dt>"Panels"</dt>
                            <dd class="kg-import-panels">
                                {format!("{} ({} of a supported type)", p.panels_total, p.panels_supported)}
                            </dd>
                        </dl>
                        <InputChoices asked=asked sources=sources chosen=chosen />
                        <div class="kg-import-form">
                            <label>"Title" <input class="kg-input" name="title" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) /></label>
                            <label>"uid" <input class="kg-input" name="uid" placeholder="generated when empty" prop:value=move || uid.get() on:input=move |ev| uid.set(event_target_value(&ev)) /></label>
                            <label>"Folder uid" <input class="kg-input" name="folder" placeholder="General" prop:value=move || folder.get() on:input=move |ev| folder.set(event_target_value(&ev)) /></label>
                        </div>
                    }
                        .into_any()
                }
            }}
            <div class="kg-import-actions">
                {move || {
                    let import_new = import_new.clone();
                    let import = import.clone();
                    let ready = matches!(parsed.get(), Some(Ok(_)));
                    match saving.get() {
                        Saving::Exists => view! {
                            <p class="kg-error kg-import-exists">
                                {format!("A dashboard with uid {} exists. Overwrite it?", uid.get_untracked())}
                            </p>
                            <button class="kg-btn kg-btn-primary kg-import-overwrite" on:click=move |_| import(true)>"Overwrite"</button>
                            <button class="kg-btn" on:click=move |_| saving.set(Saving::Idle)>"Cancel"</button>
                        }
                            .into_any(),
                        state => view! {
                            {match state {
                                Saving::Failed(e) => Some(view! { <p class="kg-error kg-import-failed">{e}</p> }),
                                _ => None,
                            }}
                            <button
                                class="kg-btn kg-btn-primary kg-import-submit"
                                disabled=move || !ready || saving.get() == Saving::Busy
                                on:click=move |_| import_new(false)
                            >
                                "Import"
                            </button>
                        }
                            .into_any(),
                    }
                }}
            </div>
        </div>
    }
}

/// The value of each input: the data source picked for it, else the default data source
/// (for a data source input), else the exporter's value (for a constant).
fn input_values(
    asked: &[DashboardInput],
    chosen: &BTreeMap<String, String>,
    sources: &[DataSourceInfo],
) -> BTreeMap<String, String> {
    asked
        .iter()
        .filter_map(|i| {
            let value = chosen.get(&i.name).cloned().or_else(|| {
                if i.kind == "datasource" {
                    default_datasource(sources).map(|s| s.uid.clone())
                } else {
                    Some(i.value.clone())
                }
            })?;
            Some((i.name.clone(), value))
        })
        .collect()
}

/// A select of the configured data sources for each data source an exported dashboard asks
/// for (`__inputs`), preselecting the default.
#[component]
fn InputChoices(
    asked: Vec<DashboardInput>,
    sources: LocalResource<Result<Vec<DataSourceInfo>, String>>,
    chosen: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let asked: Vec<DashboardInput> = asked
        .into_iter()
        .filter(|i| i.kind == "datasource")
        .collect();
    if asked.is_empty() {
        return ().into_any();
    }
    view! {
        <div class="kg-import-inputs">
            <h2>"Data sources"</h2>
            {move || match sources.get() {
                None => view! { <p class="kg-loading">"Loading data sources…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="kg-error">{e}</p> }.into_any(),
                Some(Ok(list)) => {
                    let default_uid = default_datasource(&list).map(|s| s.uid.clone()).unwrap_or_default();
                    asked
                        .iter()
                        .map(|input| {
                            let name = input.name.clone();
                            let selected = chosen.with_untracked(|c| c.get(&name).cloned()).unwrap_or_else(|| default_uid.clone());
                            let options = list
                                .iter()
                                .filter(|s| input.plugin_id.is_empty() || s.kind == input.plugin_id)
                                .map(|s| {
                                    view! { <option value=s.uid.clone() selected=s.uid == selected>{format!("{} ({})", s.name, s.uid)}</option> }
                                })
                                .collect_view();
                            view! {
                                <label class="kg-import-input">
                                    {format!("{} (${{{}}}, {})", input.label, input.name, input.plugin_id)}
                                    <select
                                        class="kg-select"
                                        data-input=name.clone()
                                        on:change=move |ev| {
                                            let v = event_target_value(&ev);
                                            chosen.update(|c| {
                                                c.insert(name.clone(), v);
                                            });
                                        }
                                    >
                                        {options}
                                    </select>
                                </label>
                            }
                        })
                        .collect_view()
                        .into_any()
                }
            }}
        </div>
    }
    .into_any()
}
