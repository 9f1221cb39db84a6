//! The heatmap panel in a real browser against the real stack: Prometheus's own request
//! duration histogram (`prometheus_http_request_duration_seconds_bucket`, from its scrape of
//! itself), queried as `format: heatmap` buckets by `le`, is drawn as coloured cells on the
//! canvas, with a bucket per `le`, a colour legend and a tooltip naming the bucket under the
//! mouse. A heatmap Grafana would calculate from raw values says it is unsupported.

use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::{http, live_stack};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn dashboard() -> Value {
    json!({
        "dashboard": {
            "uid": "heatmap",
            "title": "Heatmap",
            "schemaVersion": 39,
            "time": {"from": "now-5m", "to": "now"},
            "panels": [
                {
                    "id": 1,
                    "type": "heatmap",
                    "title": "Prometheus request durations",
                    "gridPos": {"x": 0, "y": 0, "w": 24, "h": 10},
                    "options": {
                        "calculate": false,
                        "cellGap": 1,
                        "color": {"mode": "scheme", "scheme": "RdYlBu", "exponent": 0.5,
                                  "scale": "exponential", "steps": 64, "reverse": false,
                                  "fill": "dark-orange"},
                        "filterValues": {"le": 1e-9},
                        "legend": {"show": true},
                        "tooltip": {"mode": "single"},
                        "yAxis": {"axisPlacement": "left", "unit": "s"}
                    },
                    "targets": [{
                        "refId": "A",
                        "expr": "sum(increase(prometheus_http_request_duration_seconds_bucket[$__rate_interval])) by (le)",
                        "format": "heatmap",
                        "legendFormat": "{{le}}"
                    }]
                },
                {
                    "id": 2,
                    "type": "heatmap",
                    "title": "Calculated",
                    "gridPos": {"x": 0, "y": 10, "w": 24, "h": 6},
                    "options": {"calculate": true},
                    "targets": [{"refId": "A", "expr": "up"}]
                }
            ]
        },
        "overwrite": true
    })
}

/// The heatmap panel as `[state, buckets, columns, strongly coloured canvas pixels, legend
/// text]`, and the second panel's state.
async fn page(browser: &Browser) -> Option<(Vec<String>, String)> {
    let v = browser
        .client
        .execute(
            "const p = document.querySelector('[data-panel-id=\"1\"]');\
             const q = document.querySelector('[data-panel-id=\"2\"]');\
             if (!p || !q) return null;\
             const h = p.querySelector('.kg-heatmap'); const c = p.querySelector('canvas.kg-heatmap-canvas');\
             let colored = 0;\
             if (c && c.width > 0) {\
               const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;\
               for (let i = 0; i < d.length; i += 4) {\
                 const mx = Math.max(d[i], d[i+1], d[i+2]), mn = Math.min(d[i], d[i+1], d[i+2]);\
                 if (d[i+3] > 200 && mx - mn > 40) colored++;\
               }\
             }\
             const l = p.querySelector('.kg-heatmap-legend');\
             return [[p.getAttribute('data-state'), h ? h.getAttribute('data-buckets') : '0',\
                      h ? h.getAttribute('data-columns') : '0', String(colored), l ? l.innerText : ''],\
                     q.getAttribute('data-state')];",
            vec![],
        )
        .await
        .ok()?;
    serde_json::from_value(v).ok()
}

/// Moves the mouse over the first coloured pixel of the canvas and returns the tooltip's text
/// (trying again a few times: a refresh may redraw the canvas in between).
async fn hover_a_cell(browser: &Browser) -> Option<String> {
    for _ in 0..5 {
        if let Some(t) = try_hover(browser).await {
            return Some(t);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    None
}

async fn try_hover(browser: &Browser) -> Option<String> {
    let v = browser
        .client
        .execute(
            "const c = document.querySelector('[data-panel-id=\"1\"] canvas.kg-heatmap-canvas');\
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;\
             const scale = c.width / c.clientWidth;\
             for (let i = 0; i < d.length; i += 4) {\
               const mx = Math.max(d[i], d[i+1], d[i+2]), mn = Math.min(d[i], d[i+1], d[i+2]);\
               if (d[i+3] > 200 && mx - mn > 40) {\
                 const px = (i / 4) % c.width, py = Math.floor(i / 4 / c.width);\
                 const r = c.getBoundingClientRect();\
                 c.dispatchEvent(new MouseEvent('mousemove', {bubbles: true,\
                   clientX: r.left + px / scale + 1, clientY: r.top + py / scale + 1}));\
                 return true;\
               }\
             }\
             return false;",
            vec![],
        )
        .await
        .ok()?;
    if v != Value::Bool(true) {
        return None;
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let t = browser
            .client
            .execute(
                "const t = document.querySelector('.kg-heatmap-tooltip'); return t ? t.innerText : null;",
                vec![],
            )
            .await
            .ok()?;
        if let Some(text) = t.as_str() {
            return Some(text.to_string());
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn heatmap_of_prometheus_buckets() {
    let (stack, kg, dir) = live_stack("heatmap-browser", &[]).await;
    // Prometheus scrapes itself: its request duration histogram has buckets.
    let r: Value = http()
        .get(format!(
            "{}/api/v1/query?query=count(count by (le) (prometheus_http_request_duration_seconds_bucket))",
            stack.prometheus_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let buckets: usize = r["data"]["result"][0]["value"][1]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("Prometheus has no request duration buckets: {r}"));
    assert!(buckets > 2, "{r}");
    kg.save_dashboard(&dashboard()).await;
    let browser = Browser::start(&dir).await;
    browser
        .client
        .goto(&kg.url("/d/heatmap/heatmap?from=now-5m&to=now&refresh=5s"))
        .await
        .unwrap();

    // Prometheus has held samples for a few seconds only: the panel refreshes every 5 s until
    // it has several columns.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (panel, calculated) = loop {
        let seen = page(&browser).await;
        if let Some((p, q)) = &seen {
            let painted = p[3].parse::<usize>().unwrap_or(0);
            let columns = p[2].parse::<usize>().unwrap_or(0);
            if p[0] == "ok" && painted > 100 && columns > 2 && q != "loading" {
                break (p.clone(), q.clone());
            }
            assert!(p[0] != "error", "the heatmap failed: {seen:?}");
        }
        assert!(
            Instant::now() < deadline,
            "the heatmap should be ok with coloured cells; it shows {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    // One row per `le` bucket Prometheus has, several columns over five minutes.
    assert_eq!(panel[1], buckets.to_string(), "{panel:?}");
    assert!(
        !panel[4].trim().is_empty(),
        "a colour legend with the counts' range: {panel:?}"
    );
    assert_eq!(calculated, "unsupported");

    let tooltip = hover_a_cell(&browser)
        .await
        .expect("a tooltip over a coloured cell");
    assert!(
        tooltip.contains("Bucket") && tooltip.contains("Count") && tooltip.contains(" - "),
        "{tooltip}"
    );
    browser
        .screenshot(&xtask::target_dir().join("screenshots/heatmap.png"))
        .await;
    browser.close().await;
}
