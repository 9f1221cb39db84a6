//! Ad hoc filters in a real browser against the real stack: a filter in the URL as Grafana
//! writes it (`var-Filters=job|=|node`) becomes a label matcher of the panel's query and leaves
//! fewer series; its chip's remove button clears it; the "+" form adds one from the label
//! names and values Prometheus lists, and the URL follows.

use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::live_stack;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn dashboard() -> Value {
    json!({
        "dashboard": {
            "uid": "adhoc",
            "title": "Adhoc",
            "schemaVersion": 39,
            "time": {"from": "now-5m", "to": "now"},
            "templating": {"list": [{
                "name": "Filters",
                "type": "adhoc",
                "datasource": {"type": "prometheus", "uid": "prometheus"},
                "filters": []
            }]},
            "panels": [{
                "id": 1,
                "type": "stat",
                "title": "Targets",
                "gridPos": {"x": 0, "y": 0, "w": 12, "h": 6},
                "targets": [{"refId": "A", "expr": "count(up)", "instant": true}]
            }]
        },
        "overwrite": true
    })
}

/// The panel's state and value, and the chips of the variables bar.
async fn page(browser: &Browser) -> Option<(String, String, Vec<String>)> {
    let v = browser
        .client
        .execute(
            "const p = document.querySelector('[data-panel-id=\"1\"]'); if (!p) return null;\
             const v = p.querySelector('.kg-stat-value');\
             return [p.getAttribute('data-state'), v ? v.innerText.trim() : '',\
                     Array.from(document.querySelectorAll('.kg-adhoc-chip')).map(c => c.getAttribute('data-filter'))];",
            vec![],
        )
        .await
        .ok()?;
    serde_json::from_value(v).ok()
}

/// Waits until the stat shows `value` with `chips`; fails naming what it shows instead.
async fn wait_for(browser: &Browser, value: &str, chips: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let seen = page(browser).await;
        if let Some((state, v, c)) = &seen {
            if state == "ok" && v == value && c == chips {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the stat should show {value} with chips {chips:?}; it shows {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn js(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap()
}

#[tokio::test]
async fn adhoc_filters_from_the_url_and_the_bar() {
    let (_stack, kg, dir) = live_stack("adhoc-browser", &[]).await;
    kg.save_dashboard(&dashboard()).await;
    let browser = Browser::start(&dir).await;

    // Without filters: both jobs of the stack (node, prometheus).
    browser
        .client
        .goto(&kg.url("/d/adhoc/adhoc?from=now-5m&to=now"))
        .await
        .unwrap();
    wait_for(&browser, "2", &[]).await;

    // The filter in the URL, as Grafana writes it, leaves one target.
    browser
        .client
        .goto(&kg.url("/d/adhoc/adhoc?from=now-5m&to=now&var-Filters=job%7C%3D%7Cnode"))
        .await
        .unwrap();
    wait_for(&browser, "1", &["job|=|node"]).await;

    // A filter that cannot be used is refused with a warning naming it, not applied.
    browser
        .client
        .goto(&kg.url("/d/adhoc/adhoc?from=now-5m&to=now&var-Filters=job%7C%3C%3E%7Cnode"))
        .await
        .unwrap();
    wait_for(&browser, "2", &[]).await;
    let warning = js(
        &browser,
        "const w = document.querySelector('.kg-adhoc .kg-variable-error'); return w ? w.title : null;",
    )
    .await;
    assert!(
        warning
            .as_str()
            .is_some_and(|w| w.contains("`<>` is not a label matcher operator")),
        "{warning}"
    );

    // Back to the filter; its chip's remove button clears it (the URL keeps an empty value).
    browser
        .client
        .goto(&kg.url("/d/adhoc/adhoc?from=now-5m&to=now&var-Filters=job%7C%3D%7Cnode"))
        .await
        .unwrap();
    wait_for(&browser, "1", &["job|=|node"]).await;
    js(
        &browser,
        "document.querySelector('.kg-adhoc-remove').click(); return null;",
    )
    .await;
    wait_for(&browser, "2", &[]).await;

    // "+": the keys come from Prometheus's label names; choose job != node.
    js(
        &browser,
        "document.querySelector('.kg-adhoc-add').click(); return null;",
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let has_job = js(
            &browser,
            "return Array.from(document.querySelectorAll('.kg-adhoc-key option')).some(o => o.value === 'job');",
        )
        .await;
        if has_job == Value::Bool(true) {
            break;
        }
        assert!(Instant::now() < deadline, "the label names did not load");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    js(
        &browser,
        "const k = document.querySelector('.kg-adhoc-key'); k.value = 'job'; k.dispatchEvent(new Event('change'));\
         const o = document.querySelector('.kg-adhoc-op'); o.value = '!='; o.dispatchEvent(new Event('change'));\
         const v = document.querySelector('.kg-adhoc-value'); v.value = 'node'; v.dispatchEvent(new Event('input'));\
         return null;",
    )
    .await;
    // The values of `job` are offered too.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let offered = js(
            &browser,
            "return Array.from(document.querySelectorAll('.kg-adhoc datalist option')).map(o => o.value).sort();",
        )
        .await;
        if offered == json!(["node", "prometheus"]) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the values of `job` should be offered; saw {offered}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    js(
        &browser,
        "document.querySelector('.kg-adhoc-apply').click(); return null;",
    )
    .await;
    wait_for(&browser, "1", &["job|!=|node"]).await;
    let url = browser.client.current_url().await.unwrap();
    let filters: Vec<String> = url
        .query_pairs()
        .filter(|(k, _)| k == "var-Filters")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(filters, vec!["job|!=|node"], "{url}");
    browser
        .screenshot(&xtask::target_dir().join("screenshots/adhoc.png"))
        .await;
    browser.close().await;
}
