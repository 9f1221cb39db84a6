//! The real UI in a real headless Chromium, against the real stack: the shipped Node
//! dashboard shows live node_exporter data in every panel.

use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::{http, test_dir, Kubeglass, Stack, StackOptions};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Starts Prometheus scraping node_exporter every 5 s and kubeglass with the shipped
/// dashboards; returns once Prometheus holds 20 s of node_exporter samples, enough for
/// `rate()` over 20 s (the `$__rate_interval` of a 5 s scrape interval).
async fn live_stack(name: &str) -> (Stack, Kubeglass, std::path::PathBuf) {
    let dir = test_dir(name);
    let stack = Stack::start(&StackOptions {
        dir: dir.join("stack"),
        node_exporter: true,
        scrape_interval: "5s".into(),
        ..Default::default()
    })
    .unwrap();
    let datasources = dir.join("datasources.yaml");
    std::fs::write(&datasources, format!("apiVersion: 1\ndatasources:\n  - name: Prometheus\n    uid: prometheus\n    type: prometheus\n    url: {}\n    jsonData:\n      timeInterval: 5s\n", stack.prometheus_url)).unwrap();
    let shipped = xtask::workspace_root().join("assets/dashboards");
    let kg = Kubeglass::start(
        &dir,
        &[
            "--datasources",
            datasources.to_str().unwrap(),
            "--dashboards",
            shipped.to_str().unwrap(),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r: Value = http()
            .get(format!(
                "{}/api/v1/query?query=rate(node_cpu_seconds_total[20s])",
                stack.prometheus_url
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if r["data"]["result"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus does not hold 4 scrapes of node_exporter after 60 s: {r}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    (stack, kg, dir)
}

#[tokio::test]
async fn node_dashboard_shows_live_data_in_every_panel() {
    let (_stack, kg, dir) = live_stack("browser-node").await;
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
    browser.close().await;
}

#[tokio::test]
async fn explore_graphs_an_ad_hoc_query() {
    let (_stack, kg, dir) = live_stack("browser-explore").await;
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
