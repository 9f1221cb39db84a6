//! The real UI in a real headless Chromium, against the real stack: the shipped Node
//! dashboard shows live node_exporter data in every panel.

use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::{http, live_stack};
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn node_dashboard_shows_live_data_in_every_panel() {
    let (_stack, kg, dir) = live_stack("browser-node", &[]).await;
    let browser = Browser::start(&dir).await;
    browser
        .client
        .goto(&kg.url("/d/node/node?from=now-5m&to=now"))
        .await
        .unwrap();
    // The dashboard refreshes every 10 s: a panel whose first query came too early for a
    // rate() gets data on the next round. Any panel not `ok` after 60 s fails the test.
    let states = browser
        .wait_for_panels(Duration::from_secs(60), |s| {
            s.iter().all(|(_, state, _)| state == "ok")
        })
        .await;
    browser
        .screenshot(&xtask::target_dir().join("screenshots/node-dashboard.png"))
        .await;
    let node: Value = http()
        .get(kg.url("/api/dashboards/uid/node"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let expected: Vec<String> = node["dashboard"]["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] != "row")
        .map(|p| p["id"].to_string())
        .collect();
    let mut seen: Vec<String> = states.iter().map(|(id, _, _)| id.clone()).collect();
    seen.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(
        seen, want,
        "every panel of the Node dashboard is on the page"
    );
    let not_ok: Vec<_> = states
        .iter()
        .filter(|(_, state, _)| state != "ok")
        .collect();
    assert!(not_ok.is_empty(), "panels not ok: {not_ok:#?}");
    // The time range is kept in the URL as Grafana keeps it.
    let url = browser.client.current_url().await.unwrap();
    assert!(
        url.query().unwrap_or_default().contains("from=now-5m"),
        "{url}"
    );
    // Kiosk mode: the same panels, no navigation.
    browser
        .client
        .goto(&kg.url("/d/node/node?from=now-5m&to=now&kiosk=1"))
        .await
        .unwrap();
    browser
        .wait_for_panels(Duration::from_secs(60), |s| s.len() == want.len())
        .await;
    let chrome: Value = browser
        .client
        .execute(
            "return ['nav', '.kg-dashboard-bar'].map(s => { const e = document.querySelector(s); return !!e && e.offsetParent !== null; });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        chrome,
        serde_json::json!([false, false]),
        "kiosk hides the navigation and the dashboard bar"
    );
    browser.close().await;
}

#[tokio::test]
async fn explore_graphs_an_ad_hoc_query() {
    let (_stack, kg, dir) = live_stack("browser-explore", &[]).await;
    let browser = Browser::start(&dir).await;
    browser.client.goto(&kg.url("/explore")).await.unwrap();
    let input = browser
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("textarea"))
        .await
        .unwrap();
    input.send_keys("up{job=\"node\"}").await.unwrap();
    browser
        .client
        .find(fantoccini::Locator::XPath("//button[contains(., 'Run')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let states = browser
        .wait_for_panels(Duration::from_secs(30), |s| {
            s.iter().all(|(_, state, _)| state != "loading")
        })
        .await;
    browser
        .screenshot(&xtask::target_dir().join("screenshots/explore.png"))
        .await;
    assert_eq!(states.len(), 1, "{states:?}");
    assert_eq!(states[0].1, "ok", "{states:?}");
    assert!(
        states[0].2.contains("job=\"node\""),
        "the legend names the series: {states:?}"
    );
    browser.close().await;
}

/// A text panel shows its Markdown rendered (by the server) and made safe, in the page.
#[tokio::test]
async fn text_panel_shows_rendered_markdown() {
    let dir = kubeglass_e2e::test_dir("browser-text");
    let kg = kubeglass_e2e::Kubeglass::start(&dir, &[]);
    kg.save_dashboard(&serde_json::json!({
        "dashboard": {
            "uid": "text", "title": "Text", "schemaVersion": 39,
            "panels": [
                {"id": 1, "type": "text", "title": "Notes", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                 "options": {"mode": "markdown", "content": "## On call\n\n- check **disk**\n\n<script>window.pwned = 1</script>"}},
                {"id": 2, "type": "text", "title": "HTML", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
                 "options": {"mode": "html", "content": "<em class=\"x\" onmouseover=\"window.pwned = 2\">careful</em>"}}
            ]
        },
        "overwrite": true
    }))
    .await;
    let browser = Browser::start(&dir).await;
    browser.client.goto(&kg.url("/d/text/text")).await.unwrap();
    let states = browser
        .wait_for_panels(Duration::from_secs(30), |s| {
            s.len() == 2 && s.iter().all(|(_, state, _)| state != "loading")
        })
        .await;
    assert!(
        states.iter().all(|(_, state, _)| state == "ok"),
        "{states:?}"
    );
    let shown: Value = browser
        .client
        .execute(
            "const t = [...document.querySelectorAll('.kg-text')]; \
             return [t.map(e => e.innerHTML), document.querySelector('.kg-text h2')?.textContent, \
                     document.querySelector('.kg-text strong')?.textContent, window.pwned ?? null];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown[1], "On call", "{shown}");
    assert_eq!(shown[2], "disk", "{shown}");
    assert_eq!(shown[3], Value::Null, "no script ran: {shown}");
    let html = shown[0].to_string();
    assert!(
        !html.contains("script") && !html.contains("onmouseover"),
        "{html}"
    );
    assert!(html.contains("careful"), "{html}");
    browser.close().await;
}
