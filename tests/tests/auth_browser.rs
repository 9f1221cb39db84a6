//! Logging in through the UI with `--auth basic`, in a real headless Chromium against the real
//! stack: a page that needs a user goes to the login page and back, the dashboard's panels load
//! with the session (under the app's Content-Security-Policy), a save from the UI carries the
//! CSRF token, and logging out ends the session.

use fantoccini::Locator;
use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::{http, live_stack};
use serde_json::json;
use std::time::{Duration, Instant};

fn users_file() -> std::path::PathBuf {
    let dir = xtask::target_dir().join("e2e/auth-browser-users");
    std::fs::create_dir_all(&dir).unwrap();
    let hash = kubeglass_e2e::hash_password("correct horse");
    let path = dir.join("users");
    std::fs::write(&path, format!("alice:{}:editor\n", hash.trim())).unwrap();
    path
}

async fn wait_for_path(browser: &Browser, want: &str) -> url::Url {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = browser.client.current_url().await.unwrap();
        if url.path() == want {
            return url;
        }
        assert!(
            Instant::now() < deadline,
            "still at {url}, waiting for {want}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fill(browser: &Browser, css: &str, text: &str) {
    let el = browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no `{css}`: {e}"));
    el.send_keys(text).await.unwrap();
}

#[tokio::test]
async fn login_dashboard_save_and_logout() {
    let users = users_file();
    let (_stack, kg, dir) = live_stack(
        "auth-browser",
        &["--auth", "basic", "--users", users.to_str().unwrap()],
    )
    .await;
    let browser = Browser::start(&dir).await;

    // A dashboard link without a session leads to the login page, remembering the way back.
    browser
        .client
        .goto(&kg.url("/d/node?from=now-5m"))
        .await
        .unwrap();
    let login = wait_for_path(&browser, "/login").await;
    let next = login
        .query_pairs()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned());
    assert_eq!(next.as_deref(), Some("/d/node?from=now-5m"));

    fill(&browser, "input[name=user]", "alice").await;
    fill(&browser, "input[name=password]", "wrong").await;
    browser
        .client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[data-login-error]"))
        .await
        .unwrap();
    assert_eq!(error.text().await.unwrap(), "wrong user name or password");

    let password = browser
        .client
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap();
    password.clear().await.unwrap();
    password.send_keys("correct horse").await.unwrap();
    browser
        .client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(&browser, "/d/node").await;
    let states = browser
        .wait_for_panels(Duration::from_secs(60), |s| {
            s.iter().all(|(_, state, _)| state == "ok")
        })
        .await;
    assert!(states.len() >= 10, "{states:?}");
    let user = browser
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[data-user=alice][data-role=editor]"))
        .await
        .unwrap();
    assert!(user.text().await.unwrap().starts_with("alice (editor)"));

    // A save from the page itself, as the UI's API client sends it (with the CSRF token).
    let saved = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
             const csrf = (await (await fetch('/api/user')).json()).csrf;
             const body = JSON.stringify({dashboard: {uid: 'ui-save', title: 'Saved from the page', panels: []}});
             const without = await fetch('/api/dashboards/db', {method: 'POST', headers: {'Content-Type': 'application/json'}, body});
             const withToken = await fetch('/api/dashboards/db', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-Kubeglass-CSRF': csrf}, body});
             done([without.status, withToken.status]);
             })();",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(saved, json!([403, 200]));

    browser
        .screenshot(&xtask::target_dir().join("screenshots/logged-in.png"))
        .await;
    browser
        .client
        .find(Locator::Css("[data-logout]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(&browser, "/login").await;
    let status = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch('/api/search').then(r => done(r.status));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(status, json!(401), "the session ended with the logout");
    // Nothing was readable without the session meanwhile.
    let r = http()
        .get(kg.url("/api/dashboards/uid/node"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    browser.close().await;
}
