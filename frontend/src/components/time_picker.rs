//! The time picker (quick relative ranges, custom from/to, Apply) and the refresh picker.
//! Both write the URL (`from`, `to`, `refresh`), which is where the page reads them from.

use crate::url_state::{QueryWriter, TimeContext};
use kubeglass_shared::time::{
    format_utc, parse_time, to_url_value, TimeExpr, QUICK_RANGES, REFRESH_INTERVALS,
};
use leptos::prelude::*;

/// How an expression is shown in the custom inputs: absolute times as UTC dates.
fn display_time(expr: &str) -> String {
    match parse_time(expr) {
        Ok(TimeExpr::Absolute(ms)) => format_utc(ms),
        _ => expr.to_string(),
    }
}

#[component]
pub fn TimePicker() -> impl IntoView {
    let time = expect_context::<TimeContext>();
    let writer = QueryWriter::new();
    let open = RwSignal::new(false);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);

    let toggle = move |_| {
        if !open.get_untracked() {
            let r = time.range.get_untracked();
            from.set(display_time(&r.from));
            to.set(display_time(&r.to));
            error.set(None);
        }
        open.update(|o| *o = !*o);
    };
    let apply = move || {
        let checked = to_url_value(&from.get_untracked())
            .and_then(|f| Ok((f, to_url_value(&to.get_untracked())?)));
        match checked.and_then(|(f, t)| {
            kubeglass_shared::time::TimeRange::new(f.clone(), t.clone())
                .resolve(js_sys::Date::now() as i64)?;
            Ok((f, t))
        }) {
            Ok((f, t)) => {
                writer.set(&[("from", Some(f)), ("to", Some(t))]);
                open.set(false);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            apply();
        }
    };

    view! {
        <div class="kg-time-picker">
            <button class="kg-btn kg-time-button" title="Time range" on:click=toggle>
                <span class="kg-clock"></span>
                {move || time.range.get().label()}
            </button>
            <button class="kg-btn" title="Refresh now" on:click=move |_| time.tick.update(|t| *t += 1)>
                "Refresh"
            </button>
            <Show when=move || open.get()>
                <div class="kg-dropdown kg-time-dropdown">
                    <div class="kg-time-custom">
                        <h4>"Absolute time range"</h4>
                        <label>
                            "From"
                            <input class="kg-input kg-time-from" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) on:keydown=on_key />
                        </label>
                        <label>
                            "To"
                            <input class="kg-input kg-time-to" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) on:keydown=on_key />
                        </label>
                        <p class="kg-hint">"now-6h, now/d, 2024-01-31 12:00:00 (UTC) or epoch ms"</p>
                        <button class="kg-btn kg-btn-primary kg-time-apply" on:click=move |_| apply()>
                            "Apply time range"
                        </button>
                        {move || error.get().map(|e| view! { <p class="kg-error">{e}</p> })}
                    </div>
                    <ul class="kg-quick-ranges">
                        {QUICK_RANGES
                            .iter()
                            .map(|q| {
                                let from_expr = q.from;
                                view! {
                                    <li>
                                        <button
                                            class="kg-link-button"
                                            class:active=move || time.range.with(|r| r.from == from_expr && r.to == "now")
                                            on:click=move |_| {
                                                writer.set(&[("from", Some(from_expr.to_string())), ("to", Some("now".to_string()))]);
                                                open.set(false);
                                            }
                                        >
                                            {q.label}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            </Show>
        </div>
    }
}

#[component]
pub fn RefreshPicker() -> impl IntoView {
    let time = expect_context::<TimeContext>();
    let writer = QueryWriter::new();
    view! {
        <select
            class="kg-select kg-refresh-picker"
            title="Auto refresh"
            prop:value=move || time.refresh.get().unwrap_or_default()
            on:change=move |ev| {
                let v = event_target_value(&ev);
                // An empty `refresh=` means Off, even when the dashboard has a default period.
                writer.set(&[("refresh", if v.is_empty() { Some(String::new()) } else { Some(v) })]);
            }
        >
            {REFRESH_INTERVALS
                .iter()
                .map(|r| {
                    let label = if r.is_empty() { "Off" } else { r };
                    view! { <option value=*r>{label}</option> }
                })
                .collect_view()}
        </select>
    }
}
