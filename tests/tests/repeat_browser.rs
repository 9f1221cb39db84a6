//! Repeated panels and rows, value mappings and `noValue` in a real browser against the real
//! stack: a stat panel repeated over a query variable set to All gets one copy per job, side by
//! side, each querying its own job; a repeated row copies its panel under each copy; a value
//! mapping replaces the stat's number; a panel without data shows its `noValue` text.

use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::live_stack;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn dashboard() -> Value {
    json!({
        "dashboard": {
            "uid": "repeat",
            "title": "Repeats",
            "schemaVersion": 39,
            "time": {"from": "now-5m", "to": "now"},
            "templating": {"list": [{
                "name": "job",
                "type": "query",
                "datasource": {"type": "prometheus", "uid": "prometheus"},
                "query": "label_values(up, job)",
                "refresh": 1,
                "includeAll": true,
                "multi": true,
                "current": {"text": "All", "value": "$__all"}
            }]},
            "panels": [
                {
                    "id": 1,
                    "type": "stat",
                    "title": "Up $job",
                    "repeat": "job",
                    "repeatDirection": "h",
                    "gridPos": {"x": 0, "y": 0, "w": 8, "h": 4},
                    "fieldConfig": {"defaults": {"mappings": [
                        {"type": "value", "options": {"1": {"text": "UP", "color": "purple", "index": 0}}}
                    ]}, "overrides": []},
                    "targets": [{"refId": "A", "expr": "up{job=\"$job\"}"}]
                },
                {
                    "id": 2,
                    "type": "stat",
                    "title": "Nothing",
                    "gridPos": {"x": 0, "y": 4, "w": 24, "h": 4},
                    "fieldConfig": {"defaults": {"noValue": "nothing here"}, "overrides": []},
                    "targets": [{"refId": "A", "expr": "up{job=\"no-such-job\"}"}]
                },
                {
                    "id": 3,
                    "type": "row",
                    "title": "Job $job",
                    "repeat": "job",
                    "gridPos": {"x": 0, "y": 8, "w": 24, "h": 1}
                },
                {
                    "id": 4,
                    "type": "stat",
                    "title": "Samples of $job",
                    "gridPos": {"x": 0, "y": 9, "w": 12, "h": 4},
                    "targets": [{"refId": "A", "expr": "scrape_samples_scraped{job=\"$job\"}"}]
                }
            ]
        },
        "overwrite": true
    })
}

/// Every panel as `[title, data-state, shown text, style, its stat value's style]`, and the row titles, in page order.
async fn page(browser: &Browser) -> Option<(Vec<Vec<String>>, Vec<String>)> {
    let v = browser
        .client
        .execute(
            "return [Array.from(document.querySelectorAll('.kg-panel')).map(p => [\
                 p.querySelector('.kg-panel-title').innerText, p.getAttribute('data-state'),\
                 p.querySelector('.kg-panel-body').innerText.trim(), p.getAttribute('style') || '',\
                 (p.querySelector('.kg-stat-item') || {getAttribute: () => ''}).getAttribute('style') || '']),\
              Array.from(document.querySelectorAll('.kg-row-title')).map(r => r.innerText)];",
            vec![],
        )
        .await
        .ok()?;
    serde_json::from_value(v).ok()
}

#[tokio::test]
async fn repeats_mappings_and_no_value() {
    let (_stack, kg, dir) = live_stack("repeat-browser", &[]).await;
    kg.save_dashboard(&dashboard()).await;
    let browser = Browser::start(&dir).await;
    browser
        .client
        .goto(&kg.url("/d/repeat/repeats?from=now-5m&to=now"))
        .await
        .unwrap();

    // All jobs of the stack: node and prometheus. Wait until every panel has settled.
    let deadline = Instant::now() + Duration::from_secs(40);
    let (panels, rows) = loop {
        let seen = page(&browser).await;
        if let Some((panels, rows)) = &seen {
            let settled = panels.len() == 5
                && panels
                    .iter()
                    .all(|p| p[1] == "ok" || (p[0] == "Nothing" && p[1] == "nodata"));
            if settled {
                break (panels.clone(), rows.clone());
            }
        }
        assert!(
            Instant::now() < deadline,
            "five settled panels expected (two repeated stats, the empty one, two row copies); saw {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let find = |title: &str| {
        panels
            .iter()
            .find(|p| p[0] == title)
            .unwrap_or_else(|| panic!("no panel `{title}` in {panels:?}"))
    };
    // One copy per job, each with its value in the title, its own query's value mapped to UP,
    // placed side by side at 24 / 2 = 12 columns each.
    let node = find("Up node");
    let prom = find("Up prometheus");
    assert_eq!((node[2].as_str(), prom[2].as_str()), ("UP", "UP"));
    // The mapping's colour (Grafana's purple) replaces the threshold colour.
    assert!(node[4].contains("color:#B877D9"), "{node:?}");
    assert!(node[3].contains("grid-column:1 / span 12"), "{node:?}");
    assert!(prom[3].contains("grid-column:13 / span 12"), "{prom:?}");
    // No data: the `noValue` text instead of "No data".
    assert_eq!(find("Nothing")[2], "nothing here");
    // The row and its panel once per job, each seeing its own job.
    assert_eq!(rows, vec!["Job node", "Job prometheus"]);
    // Unmapped, and no thresholds written: Grafana's default thresholds (green, red from 80)
    // colour its hundreds of samples red.
    let samples_node = find("Samples of node");
    assert!(
        samples_node[4].contains("color:#F2495C"),
        "unmapped: the default thresholds' colour (red): {samples_node:?}"
    );
    let samples_prom = find("Samples of prometheus");
    assert!(
        [samples_node, samples_prom]
            .iter()
            .all(|p| p[2].chars().next().is_some_and(|c| c.is_ascii_digit())),
        "each copy has its own number: {samples_node:?} {samples_prom:?}"
    );
    browser
        .screenshot(&xtask::target_dir().join("screenshots/repeat.png"))
        .await;
    browser.close().await;
}
