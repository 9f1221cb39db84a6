//! The login page (`/login?next=PATH`), for `--auth basic`: a user name and password form.
//! After a login the browser goes back to where it was sent from.

use crate::api;
use kubeglass_shared::api::{safe_next_path, LoginRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    document().set_title("Log in - kubeglass");
    let query = use_query_map();
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let req = LoginRequest {
            user: user.get_untracked(),
            password: password.get_untracked(),
        };
        let next = safe_next_path(query.read_untracked().get("next"));
        spawn_local(async move {
            match api::login(&req).await {
                Ok(_) => {
                    // A full load, so that every page starts with the new session.
                    let _ = window().location().set_href(&next);
                }
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <div class="kg-login" data-page="login">
            <form class="kg-login-form" on:submit=submit>
                <h1>"Log in to kubeglass"</h1>
                <label>
                    "User"
                    <input
                        class="kg-input"
                        name="user"
                        autocomplete="username"
                        required
                        prop:value=move || user.get()
                        on:input=move |ev| user.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Password"
                    <input
                        class="kg-input"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </label>
                {move || error.get().map(|e| view! { <p class="kg-error" data-login-error="">{e}</p> })}
                <button class="kg-btn kg-btn-primary" type="submit" disabled=move || busy.get()>
                    "Log in"
                </button>
            </form>
        </div>
    }
}
