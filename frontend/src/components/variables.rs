//! The variables bar under the dashboard's title bar, as Grafana's: one control per template
//! variable, its values kept in the URL (`var-NAME`, repeated for several values).
//!
//! This module only fetches options and draws controls; what to ask, which value is selected
//! and how panels are interpolated is decided in `kubeglass_shared::model::template::state`.

use crate::api;
use crate::url_state::{QueryWriter, TimeContext};
use kubeglass_shared::api::DataSourceInfo;
use kubeglass_shared::model::template::state::{
    adhoc_filters, adhoc_sets, adhoc_url_value, apply_url, options_url, query_options, raw_values,
    resolution_order, scope_of, select_current, set_current, static_options, toggle_multi, url_key,
    variable_datasource, AdhocSet, UrlValues,
};
use kubeglass_shared::model::template::{
    interpolate, parse_variable_query, AdhocFilter, Context, Scope, Variable, VariableKind,
    VariableOption, VariableQuery, ALL_VALUE,
};
use kubeglass_shared::prom::promql::OPERATORS;
use kubeglass_shared::time::ResolvedRange;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use std::collections::HashMap;
use std::sync::Arc;

/// The scope panels are interpolated with, through context; `None` until the variables are
/// first resolved (panels wait for it, as in Grafana).
#[derive(Clone, Copy)]
pub struct VariableScope(pub Memo<Option<Scope>>);

/// The ad hoc variables' filters, through context: panels add them to their queries.
#[derive(Clone, Copy)]
pub struct AdhocFilters(pub Memo<Vec<AdhocSet>>);

/// The variables of the dashboard on show.
#[derive(Clone, Copy)]
struct Variables {
    /// With their options and selected values as last resolved.
    resolved: RwSignal<Vec<Variable>>,
    /// `resolved` with the URL's values over it: what the controls show.
    shown: Memo<Vec<Variable>>,
    /// Why a variable's options could not be read, by name.
    errors: RwSignal<HashMap<String, String>>,
    /// The URL's `var-NAME` values.
    url: Memo<UrlValues>,
    sources: StoredValue<Arc<Vec<DataSourceInfo>>>,
}

/// Fetches the raw values of a query variable's (interpolated) query and makes its options.
async fn fetch_options(
    var: &Variable,
    query: &str,
    datasource_uid: &str,
    range: ResolvedRange,
) -> Result<Vec<VariableOption>, String> {
    let parsed = parse_variable_query(query);
    let url = options_url(&parsed, datasource_uid, range)?;
    let body = api::prometheus_get(&url).await?;
    query_options(var, &raw_values(&parsed, &body)?)
}

/// Starts resolving the dashboard's variables (on load; again when the URL's values change,
/// and on time range changes for `refresh: 2`) and provides [`VariableScope`].
pub fn provide_variables(vars: Vec<Variable>, sources: Arc<Vec<DataSourceInfo>>) {
    let time = expect_context::<TimeContext>();
    let query = use_query_map();
    let names: Vec<String> = vars.iter().map(|v| v.name.clone()).collect();
    let url = Memo::new(move |_| {
        let q = query.read();
        names
            .iter()
            .filter_map(|n| q.get_all(&url_key(n)).map(|v| (n.clone(), v)))
            .collect::<UrlValues>()
    });
    let on_range = vars.iter().any(|v| v.refresh == 2);
    let all_sources = sources.clone();
    let order = resolution_order(&vars);
    let resolved = RwSignal::new(vars);
    let errors = RwSignal::new(HashMap::new());
    let ready = RwSignal::new(false);
    // Options by variable, with the request they answered: asked again only when it changes.
    let cache = StoredValue::new(HashMap::<String, (String, Vec<VariableOption>)>::new());
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let url = url.get();
        let range = if on_range {
            time.range.get()
        } else {
            time.range.get_untracked()
        };
        let gen = generation.get_value() + 1;
        generation.set_value(gen);
        let mut vars = resolved.get_untracked();
        let (sources, order) = (sources.clone(), order.clone());
        spawn_local(async move {
            let resolved_range = range.resolve(js_sys::Date::now() as i64).ok();
            let range_ms = resolved_range.map_or(3_600_000, |r| r.to_ms - r.from_ms);
            let mut failed = HashMap::new();
            for i in order {
                let var = &vars[i];
                if var.kind == VariableKind::Query && (var.refresh > 0 || var.options.is_empty()) {
                    let scope = scope_of(&vars, &url, range_ms);
                    let q = interpolate(&var.query, &scope, Context::Prometheus);
                    let ds = variable_datasource(var, &scope, &sources).map(|d| d.uid.clone());
                    let key = format!(
                        "{ds:?}\n{q}\n{}",
                        if var.refresh == 2 {
                            format!("{range:?}")
                        } else {
                            String::new()
                        }
                    );
                    let cached = cache.with_value(|c| {
                        c.get(&var.name)
                            .filter(|(k, _)| *k == key)
                            .map(|(_, o)| o.clone())
                    });
                    let options = match (cached, ds, resolved_range) {
                        (Some(o), _, _) => Ok(o),
                        (None, Some(ds), Some(r)) => fetch_options(var, &q, &ds, r).await,
                        (None, None, _) => Err("no data source is configured".to_string()),
                        (None, _, None) => Err("the time range is not valid".to_string()),
                    };
                    match options {
                        Ok(o) => {
                            cache.update_value(|c| {
                                c.insert(vars[i].name.clone(), (key, o.clone()));
                            });
                            vars[i].options = o;
                        }
                        Err(e) => {
                            failed.insert(vars[i].name.clone(), e);
                        }
                    }
                } else if var.kind != VariableKind::Query {
                    vars[i].options = static_options(var, &sources);
                }
                let current = select_current(&vars[i], url.get(&vars[i].name).map(Vec::as_slice));
                set_current(&mut vars[i], current);
            }
            // A newer resolution has started: this one is stale.
            if generation.try_get_value() != Some(gen) {
                return;
            }
            resolved.set(vars);
            errors.set(failed);
            ready.set(true);
        });
    });
    let shown = Memo::new(move |_| {
        let mut vars = resolved.get();
        apply_url(&mut vars, &url.get());
        vars
    });
    let scope = Memo::new(move |_| {
        if !ready.get() {
            return None;
        }
        let range_ms = time
            .range
            .get()
            .resolve(js_sys::Date::now() as i64)
            .map_or(3_600_000, |r| r.to_ms - r.from_ms);
        Some(scope_of(&resolved.get(), &url.get(), range_ms))
    });
    let adhoc = {
        let sources = all_sources.clone();
        Memo::new(move |_| {
            let scope = scope.get().unwrap_or_default();
            resolved.with(|vars| adhoc_sets(vars, &url.get(), &scope, &sources).0)
        })
    };
    provide_context(VariableScope(scope));
    provide_context(AdhocFilters(adhoc));
    provide_context(Variables {
        resolved,
        shown,
        errors,
        url,
        sources: StoredValue::new(all_sources),
    });
}

/// Whether a variable gets a control: not hidden (`hide: 2`) and a kind one chooses.
fn has_control(v: &Variable) -> bool {
    v.hide < 2
        && matches!(
            v.kind,
            VariableKind::Query
                | VariableKind::Custom
                | VariableKind::Interval
                | VariableKind::Datasource
                | VariableKind::Textbox
                | VariableKind::Adhoc
        )
}

/// The bar: one control per shown variable; nothing when there is none.
#[component]
pub fn VariablesBar() -> impl IntoView {
    let state = expect_context::<Variables>();
    let vars: Vec<Variable> = state
        .resolved
        .get_untracked()
        .into_iter()
        .filter(has_control)
        .collect();
    if vars.is_empty() {
        return ().into_any();
    }
    let writer = QueryWriter::new();
    view! {
        <div class="kg-variables">
            {vars.into_iter().map(|v| view! { <VariableControl var=v writer=writer /> }).collect_view()}
        </div>
    }
    .into_any()
}

/// What a control shows for the selected values: `All`, or the texts joined by ` + `.
fn selected_text(v: &Variable) -> String {
    if v.current.iter().any(|c| c == ALL_VALUE) {
        "All".into()
    } else if v.current_text.is_empty() {
        "None".into()
    } else {
        v.current_text.join(" + ")
    }
}

/// One variable: its label (unless `hide: 1`) and the control its kind calls for.
#[component]
fn VariableControl(var: Variable, writer: QueryWriter) -> impl IntoView {
    let state = expect_context::<Variables>();
    let name = var.name.clone();
    let current = {
        let fallback = var.clone();
        Memo::new(move |_| {
            state.shown.with(|vs| {
                vs.iter()
                    .find(|v| v.name == fallback.name)
                    .cloned()
                    .unwrap_or_else(|| fallback.clone())
            })
        })
    };
    let hide = var.hide;
    let error = {
        let name = name.clone();
        Memo::new(move |_| state.errors.with(|e| e.get(&name).cloned()))
    };
    let key = url_key(&name);
    let label = var
        .label
        .clone()
        .filter(|l| !l.is_empty())
        .unwrap_or(name.clone());
    let control = if var.kind == VariableKind::Adhoc {
        view! { <AdhocControl var=var.clone() writer=writer /> }.into_any()
    } else if var.kind == VariableKind::Textbox {
        let key = key.clone();
        view! {
            <input
                class="kg-input kg-variable-input"
                data-variable=name.clone()
                prop:value=move || current.with(|v| v.current.first().cloned().unwrap_or_default())
                on:change=move |ev| writer.set_all(key.clone(), vec![event_target_value(&ev)])
            />
        }
        .into_any()
    } else if var.multi {
        let include_all = var.include_all;
        view! {
            <details class="kg-variable-multi" data-variable=name.clone()>
                <summary class="kg-select kg-variable-value">{move || current.with(selected_text)}</summary>
                <div class="kg-dropdown kg-variable-options">
                    {move || {
                        current
                            .get()
                            .options
                            .into_iter()
                            .map(|o| {
                                let value = o.value.clone();
                                let checked = current.with(|v| v.current.contains(&value));
                                let key = key.clone();
                                view! {
                                    <label class="kg-variable-option">
                                        <input
                                            type="checkbox"
                                            value=value.clone()
                                            prop:checked=checked
                                            on:change=move |_| {
                                                let next = toggle_multi(&current.get_untracked().current, &value, include_all);
                                                writer.set_all(key.clone(), next);
                                            }
                                        />
                                        {o.text}
                                    </label>
                                }
                            })
                            .collect_view()
                    }}
                </div>
            </details>
        }
        .into_any()
    } else {
        view! {
            <select
                class="kg-select kg-variable-select"
                data-variable=name.clone()
                prop:value=move || current.with(|v| v.current.first().cloned().unwrap_or_default())
                on:change=move |ev| writer.set_all(key.clone(), vec![event_target_value(&ev)])
            >
                {move || {
                    let v = current.get();
                    let selected = v.current.first().cloned().unwrap_or_default();
                    let mut options = v.options.clone();
                    // A value from the URL that is not an option is kept, and shown.
                    if !selected.is_empty() && !options.iter().any(|o| o.value == selected) {
                        options.insert(
                            0,
                            VariableOption {
                                text: selected_text(&v),
                                value: selected.clone(),
                            },
                        );
                    }
                    options
                        .into_iter()
                        .map(|o| {
                            let is = o.value == selected;
                            view! { <option value=o.value selected=is>{o.text}</option> }
                        })
                        .collect_view()
                }}
            </select>
        }
        .into_any()
    };
    view! {
        <div class="kg-variable" data-variable-name=name>
            <Show when=move || hide == 0>
                <span class="kg-variable-label">{label.clone()}</span>
            </Show>
            {control}
            {move || error.get().map(|e| view! { <span class="kg-variable-error" title=e>"⚠"</span> })}
        </div>
    }
}

/// Lists label names (`key: None`) or the values of label `key`, from the data source an ad hoc
/// variable names, over the shown time range.
async fn label_list(
    var: &Variable,
    key: Option<String>,
    sources: &[DataSourceInfo],
    range: ResolvedRange,
) -> Result<Vec<String>, String> {
    let uid = variable_datasource(var, &Scope::new(), sources)
        .map(|d| d.uid.clone())
        .ok_or_else(|| "no data source is configured".to_string())?;
    let query = match key {
        None => VariableQuery::LabelNames,
        Some(label) => VariableQuery::LabelValues {
            metric: None,
            label,
        },
    };
    let body = api::prometheus_get(&options_url(&query, &uid, range)?).await?;
    let mut list = raw_values(&query, &body)?;
    list.retain(|n| n != "__name__");
    list.truncate(5000);
    Ok(list)
}

/// An ad hoc variable: its filters as chips (each with a remove button) and a "+" that adds
/// one (key, operator, value), the keys and values listed from Prometheus. The filters live in
/// the URL as Grafana writes them (`var-NAME=key|op|value`, repeated).
#[component]
fn AdhocControl(var: Variable, writer: QueryWriter) -> impl IntoView {
    let state = expect_context::<Variables>();
    let time = expect_context::<TimeContext>();
    let name = var.name.clone();
    let key = url_key(&name);
    let parsed = {
        let var = var.clone();
        Memo::new(move |_| {
            state
                .url
                .with(|u| adhoc_filters(&var, u.get(&var.name).map(Vec::as_slice)))
        })
    };
    let set_filters = {
        let key = key.clone();
        move |filters: Vec<AdhocFilter>| {
            let mut values: Vec<String> = filters.iter().map(adhoc_url_value).collect();
            if values.is_empty() {
                // An empty value: no filters, rather than the saved ones.
                values.push(String::new());
            }
            writer.set_all(key.clone(), values);
        }
    };
    let adding = RwSignal::new(false);
    let new_key = RwSignal::new(String::new());
    let new_op = RwSignal::new("=".to_string());
    let new_value = RwSignal::new(String::new());
    let keys = RwSignal::new(Vec::<String>::new());
    let values = RwSignal::new(Vec::<String>::new());
    let list_error = RwSignal::new(None::<String>);
    let resolved_range = move || {
        time.range
            .get_untracked()
            .resolve(js_sys::Date::now() as i64)
            .ok()
    };
    // The label names, asked when the form opens.
    {
        let var = var.clone();
        Effect::new(move |_| {
            if !adding.get() {
                return;
            }
            let (var, sources) = (var.clone(), state.sources.get_value());
            let Some(range) = resolved_range() else {
                return;
            };
            spawn_local(async move {
                match label_list(&var, None, &sources, range).await {
                    Ok(k) => keys.set(k),
                    Err(e) => list_error.set(Some(e)),
                }
            });
        });
    }
    // The values of the chosen key.
    {
        let var = var.clone();
        Effect::new(move |_| {
            let k = new_key.get();
            values.set(Vec::new());
            if k.is_empty() || !adding.get_untracked() {
                return;
            }
            let (var, sources) = (var.clone(), state.sources.get_value());
            let Some(range) = resolved_range() else {
                return;
            };
            spawn_local(async move {
                match label_list(&var, Some(k), &sources, range).await {
                    Ok(v) => values.set(v),
                    Err(e) => list_error.set(Some(e)),
                }
            });
        });
    }
    let datalist = format!("kg-adhoc-values-{name}");
    let remove = set_filters.clone();
    let add = move |_| {
        let f = AdhocFilter {
            key: new_key.get_untracked().trim().to_string(),
            operator: new_op.get_untracked(),
            value: new_value.get_untracked(),
        };
        if let Err(e) = kubeglass_shared::prom::promql::validate_filter(&f) {
            list_error.set(Some(e));
            return;
        }
        let mut filters = parsed.get_untracked().0;
        filters.push(f);
        set_filters(filters);
        adding.set(false);
        new_value.set(String::new());
        list_error.set(None);
    };
    view! {
        <span class="kg-adhoc" data-adhoc=name.clone()>
            {move || {
                let (filters, _) = parsed.get();
                filters
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let remove = remove.clone();
                        let text = format!("{} {} {}", f.key, f.operator, f.value);
                        view! {
                            <span class="kg-adhoc-chip" data-filter=adhoc_url_value(&f)>
                                {text}
                                <button
                                    class="kg-adhoc-remove"
                                    title="Remove this filter"
                                    on:click=move |_| {
                                        let mut all = parsed.get_untracked().0;
                                        if i < all.len() {
                                            all.remove(i);
                                        }
                                        remove(all);
                                    }
                                >
                                    "×"
                                </button>
                            </span>
                        }
                    })
                    .collect_view()
            }}
            {move || {
                let errors = parsed.with(|p| p.1.clone());
                (!errors.is_empty())
                    .then(|| view! { <span class="kg-variable-error" title=errors.join("\n")>"⚠"</span> })
            }}
            <button class="kg-adhoc-add" title="Add a filter" on:click=move |_| adding.update(|a| *a = !*a)>
                "+"
            </button>
            <Show when=move || adding.get()>
                <span class="kg-adhoc-form">
                    <select
                        class="kg-select kg-adhoc-key"
                        prop:value=move || new_key.get()
                        on:change=move |ev| new_key.set(event_target_value(&ev))
                    >
                        <option value="">"key"</option>
                        {move || {
                            keys.get()
                                .into_iter()
                                .map(|k| view! { <option value=k.clone()>{k.clone()}</option> })
                                .collect_view()
                        }}
                    </select>
                    <select
                        class="kg-select kg-adhoc-op"
                        prop:value=move || new_op.get()
                        on:change=move |ev| new_op.set(event_target_value(&ev))
                    >
                        {OPERATORS
                            .iter()
                            .map(|o| view! { <option value=*o>{*o}</option> })
                            .collect_view()}
                    </select>
                    <input
                        class="kg-input kg-adhoc-value"
                        list=datalist.clone()
                        placeholder="value"
                        prop:value=move || new_value.get()
                        on:input=move |ev| new_value.set(event_target_value(&ev))
                    />
                    <datalist id=datalist.clone()>
                        {move || {
                            values.get()
                                .into_iter()
                                .map(|v| view! { <option value=v></option> })
                                .collect_view()
                        }}
                    </datalist>
                    <button class="kg-button kg-adhoc-apply" on:click=add.clone()>"Add"</button>
                    {move || list_error.get().map(|e| view! { <span class="kg-variable-error" title=e.clone()>"⚠"</span> })}
                </span>
            </Show>
        </span>
    }
}
