//! Template variables in a real browser, against the real stack: a query variable's options
//! come from Prometheus, its value from the URL (`var-job=`), and choosing another value in
//! the variables bar rewrites the URL and re-queries the panel that uses it.

use fantoccini::Locator;
use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::{http, live_stack};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A dashboard with `job` = `label_values(up, job)` (All included) and one panel using it.
fn dashboard() -> Value {
    json!({
        "dashboard": {
            "uid": "vars",
            "title": "Variables",
            "schemaVersion": 39,
            "time": {"from": "now-5m", "to": "now"},
            "templating": {"list": [{
                "name": "job",
                "label": "Job",
                "type": "query",
                "datasource": {"type": "prometheus", "uid": "prometheus"},
                "query": "label_values(up, job)",
                "refresh": 1,
                "includeAll": true,
                "multi": false,
                "current": {"text": "All", "value": "$__all"}
            }]},
            "panels": [{
                "id": 1,
                "type": "timeseries",
                "title": "Up of $job",
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
                "targets": [{"refId": "A", "expr": "up{job=~\"$job\"}", "legendFormat": "{{job}}"}]
            }]
        },
        "overwrite": true
    })
}

/// The panel's (data-state, sorted legend entries, title), once it is `ok`.
async fn panel(browser: &Browser) -> Option<(String, Vec<String>, String)> {
    let v = browser
        .client
        .execute(
            "const p = document.querySelector('[data-panel-id=\"1\"]'); if (!p) return null;\
             return [p.getAttribute('data-state'),\
                     Array.from(p.querySelectorAll('.kg-legend-item')).map(e => e.innerText.trim()).sort(),\
                     p.querySelector('.kg-panel-title').innerText];",
            vec![],
        )
        .await
        .ok()?;
    serde_json::from_value(v).ok()
}

/// Waits until the panel is `ok` with exactly `legend`; fails naming what it shows instead.
async fn wait_legend(browser: &Browser, legend: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let seen = panel(browser).await;
        if let Some((state, items, title)) = &seen {
            if state == "ok" && items == legend {
                return title.clone();
            }
        }
        assert!(
            Instant::now() < deadline,
            "the panel should be ok with legend {legend:?}; it shows {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits until the page's URL holds `param` (`$` may be written `%24`).
async fn wait_url(browser: &Browser, param: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let url = browser.client.current_url().await.unwrap();
        let query = url.query().unwrap_or_default().to_string();
        if query.split('&').any(|p| p.replace("%24", "$") == param) {
            return query;
        }
        assert!(
            Instant::now() < deadline,
            "the URL should hold `{param}`: {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn choose(browser: &Browser, value: &str) {
    browser
        .client
        .find(Locator::Css("select[data-variable=\"job\"]"))
        .await
        .expect("the variables bar has a select for `job`")
        .select_by_value(value)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_query_variable_filters_the_panel_and_lives_in_the_url() {
    let (_stack, kg, dir) = live_stack("variables-browser", &[]).await;
    kg.save_dashboard(&dashboard()).await;
    let browser = Browser::start(&dir).await;
    browser
        .client
        .goto(&kg.url("/d/vars/variables?from=now-5m&to=now&var-job=node"))
        .await
        .unwrap();

    // The URL's value is selected and used: only the node job, also in the title.
    let title = wait_legend(&browser, &["node"]).await;
    assert_eq!(title, "Up of node");
    let options: Value = browser
        .client
        .execute(
            "const s = document.querySelector('select[data-variable=\"job\"]');\
             return [s.value, Array.from(s.options).map(o => o.text),\
                     document.querySelector('[data-variable-name=\"job\"] .kg-variable-label').innerText];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        options,
        json!(["node", ["All", "node", "prometheus"], "Job"]),
        "options come from Prometheus, All first, with the variable's label"
    );

    // Choosing another value rewrites the URL (keeping the time range) and the panel.
    choose(&browser, "prometheus").await;
    let query = wait_url(&browser, "var-job=prometheus").await;
    assert!(query.contains("from=now-5m"), "{query}");
    assert!(!query.contains("var-job=node"), "{query}");
    wait_legend(&browser, &["prometheus"]).await;

    // All: every job.
    choose(&browser, "$__all").await;
    wait_url(&browser, "var-job=$__all").await;
    let title = wait_legend(&browser, &["node", "prometheus"]).await;
    assert_eq!(title, "Up of {node,prometheus}");

    // Opening a URL restores its value.
    browser
        .client
        .goto(&kg.url("/d/vars/variables?from=now-5m&to=now&var-job=prometheus"))
        .await
        .unwrap();
    wait_legend(&browser, &["prometheus"]).await;
    browser
        .screenshot(&xtask::target_dir().join("screenshots/variables.png"))
        .await;
    browser.close().await;
}

/// The options of a select-like control (`select` or the multi-value dropdown), in order.
async fn options_of(browser: &Browser, name: &str) -> Vec<String> {
    let v = browser
        .client
        .execute(
            "const n = arguments[0];\
             const s = document.querySelector(`select[data-variable=\"${n}\"]`);\
             if (s) return Array.from(s.options).map(o => o.value);\
             return Array.from(document.querySelectorAll(`details[data-variable=\"${n}\"] input`)).map(i => i.value);",
            vec![json!(name)],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn chained_multi_value_variables_follow_each_other() {
    let (stack, kg, dir) = live_stack("variables-chained", &[]).await;
    // The node_exporter's instance, as Prometheus labels it.
    let up: Value = http()
        .get(format!(
            "{}/api/v1/query?query=up{{job=\"node\"}}",
            stack.prometheus_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let node_instance = up["data"]["result"][0]["metric"]["instance"]
        .as_str()
        .unwrap()
        .to_string();
    let mut d = dashboard();
    d["dashboard"]["uid"] = json!("chain");
    d["dashboard"]["templating"]["list"] = json!([
        {"name": "job", "type": "query", "query": "label_values(up, job)", "refresh": 1,
         "includeAll": true, "multi": true, "current": {"text": "All", "value": ["$__all"]}},
        {"name": "instance", "type": "query", "query": "label_values(up{job=~\"$job\"}, instance)",
         "refresh": 1, "includeAll": true, "hide": 1}
    ]);
    d["dashboard"]["panels"][0]["targets"][0]["expr"] =
        json!("up{job=~\"$job\", instance=~\"$instance\"}");
    kg.save_dashboard(&d).await;
    let browser = Browser::start(&dir).await;
    browser
        .client
        .goto(&kg.url("/d/chain/variables?from=now-5m&to=now&var-job=node"))
        .await
        .unwrap();
    wait_legend(&browser, &["node"]).await;
    // `instance` is asked with `job` interpolated: only the node job's instance.
    assert_eq!(
        options_of(&browser, "instance").await,
        vec!["$__all".to_string(), node_instance]
    );
    assert_eq!(
        options_of(&browser, "job").await,
        vec!["$__all", "node", "prometheus"]
    );
    // Ticking a second job: both in the URL, both in the panel, `instance` asked again.
    browser
        .client
        .find(Locator::Css("details[data-variable=\"job\"] summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css(
            "details[data-variable=\"job\"] input[value=\"prometheus\"]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let query = wait_url(&browser, "var-job=prometheus").await;
    assert!(query.contains("var-job=node"), "{query}");
    wait_legend(&browser, &["node", "prometheus"]).await;
    assert_eq!(options_of(&browser, "instance").await.len(), 3);
    browser.close().await;
}

/// Dashboards' regexes run in the browser as JavaScript's, as in Grafana: a lookahead (which
/// the server-side engine does not have) in a variable's regex, named groups `text`/`value`, a
/// `renameByRegex` with `$1`, and a value mapping by regex.
#[tokio::test]
async fn regexes_run_as_javascript() {
    let (_stack, kg, dir) = live_stack("variables-regex", &[]).await;
    let query = |name: &str, regex: &str| {
        json!({"name": name, "type": "query", "query": "label_values(up, job)", "refresh": 1,
               "regex": regex, "datasource": {"type": "prometheus", "uid": "prometheus"}})
    };
    kg.save_dashboard(&json!({
        "dashboard": {
            "uid": "regex", "title": "Regexes", "schemaVersion": 39,
            "time": {"from": "now-5m", "to": "now"},
            "templating": {"list": [
                query("notnode", "/^(?!node$).*/"),
                query("named", "/(?<value>p)(?<text>rom)/")
            ]},
            "panels": [{
                "id": 1, "type": "table", "title": "Jobs",
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
                "fieldConfig": {"defaults": {"mappings": [
                    {"type": "regex", "options": {"pattern": "/(no)de/", "result": {"text": "$1 exporter"}}}
                ]}, "overrides": []},
                "targets": [{"refId": "A", "expr": "sum by (job) (up)", "instant": true, "format": "table"}],
                "transformations": [
                    {"id": "renameByRegex", "options": {"regex": "(Val)ue", "renamePattern": "$1 up"}}
                ]
            }]
        },
        "overwrite": true
    }))
    .await;
    let browser = Browser::start(&dir).await;
    browser
        .client
        .goto(&kg.url("/d/regex/regexes"))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let shown = loop {
        let v: Value = browser
            .client
            .execute(
                "const p = document.querySelector('[data-panel-id=\"1\"]');\
                 const named = document.querySelector('select[data-variable=\"named\"]');\
                 return [p && p.dataset.state,\
                         p ? Array.from(p.querySelectorAll('thead th')).map(h => h.innerText.trim()) : [],\
                         p ? Array.from(p.querySelectorAll('tbody td')).map(c => c.innerText.trim()) : [],\
                         named ? Array.from(named.options).map(o => [o.value, o.text]) : []];",
                vec![],
            )
            .await
            .unwrap();
        let done = v[0] == "ok" && v[3].as_array().is_some_and(|o| !o.is_empty());
        if done || Instant::now() > deadline {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(shown[0], "ok", "{shown}");
    assert_eq!(options_of(&browser, "notnode").await, vec!["prometheus"]);
    assert_eq!(shown[3], json!([["p", "rom"]]), "{shown}");
    let headers: Vec<String> = serde_json::from_value(shown[1].clone()).unwrap();
    assert!(headers.contains(&"Val up".to_string()), "{shown}");
    let cells: Vec<String> = serde_json::from_value(shown[2].clone()).unwrap();
    assert!(cells.contains(&"no exporter".to_string()), "{shown}");
    assert!(cells.contains(&"prometheus".to_string()), "{shown}");
    browser.close().await;
}
