//! A table panel's transformations and data links in a real browser against the real stack:
//! two instant queries per job joined on `job` (`joinByField`, outer), a field computed from
//! one of them (`calculateField`, binary), columns hidden, ordered and renamed (`organize`);
//! the job cells link to a dashboard with the row's job in the URL, a `javascript:` link is
//! not made, and a transformation kubeglass does not know is named under the table.

use kubeglass_e2e::browser::Browser;
use kubeglass_e2e::{corpus, http, json_files, live_stack, project_dashboards};
use kubeglass_shared::data::frame::frames_from_series;
use kubeglass_shared::data::frame::Series;
use kubeglass_shared::data::table::frame_to_table;
use kubeglass_shared::data::transform::apply;
use kubeglass_shared::model::ensure_ref_ids;
use kubeglass_shared::model::migrate::migrate;
use kubeglass_shared::model::{Dashboard, Panel};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const SAMPLES: &str = "sum by (job) (scrape_samples_scraped)";

fn dashboard() -> Value {
    json!({
        "dashboard": {
            "uid": "transform",
            "title": "Transformations",
            "schemaVersion": 39,
            "time": {"from": "now-5m", "to": "now"},
            "templating": {"list": [{
                "name": "cluster", "type": "custom", "query": "lab,prod",
                "current": {"text": "lab", "value": "lab"}
            }]},
            "panels": [{
                "id": 1,
                "type": "table",
                "title": "Jobs",
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
                "fieldConfig": {
                    "defaults": {"unit": "none", "decimals": 0},
                    "overrides": [
                        {"matcher": {"id": "byName", "options": "Job"},
                         "properties": [{"id": "links", "value": [{
                            "title": "Drill down to ${__data.fields.Job}",
                            "url": "/d/repeat/repeats?var-cluster=$cluster&var-job=${__data.fields.Job}&up=${__data.fields.Up}&raw=${__value.raw}",
                            "targetBlank": true}]}]},
                        {"matcher": {"id": "byName", "options": "Up"},
                         "properties": [{"id": "links", "value": [{
                            "title": "bad", "url": "javascript:alert(${__value.raw})"}]}]}
                    ]
                },
                "targets": [
                    {"refId": "A", "expr": "sum by (job) (up)", "instant": true, "format": "table"},
                    {"refId": "B", "expr": SAMPLES, "instant": true, "format": "table"}
                ],
                "transformations": [
                    {"id": "joinByField", "options": {"byField": "job", "mode": "outer"}},
                    {"id": "calculateField", "options": {
                        "mode": "binary", "alias": "Double",
                        "binary": {"left": "Value #B", "operator": "*", "right": "2"}}},
                    {"id": "organize", "options": {
                        "excludeByName": {"Time 1": true, "Time 2": true},
                        "indexByName": {"job": 0, "Value #A": 1, "Value #B": 2, "Double": 3},
                        "renameByName": {"job": "Job", "Value #A": "Up", "Value #B": "Samples"}}},
                    {"id": "sortBy", "options": {"sort": [{"field": "Job", "desc": true}]}},
                    {"id": "groupingToMatrix", "options": {}}
                ]
            }, {
                "id": 2,
                "type": "timeseries",
                "title": "Samples by job",
                "fieldConfig": {"defaults": {"unit": "none"}},
                "gridPos": {"x": 0, "y": 8, "w": 24, "h": 8},
                "options": {"legend": {"displayMode": "table", "placement": "right", "showLegend": true,
                                       "calcs": ["mean", "max", "lastNotNull"], "sortBy": "Max", "sortDesc": true}},
                "targets": [{"refId": "A", "expr": SAMPLES, "legendFormat": "{{job}}"}]
            }, {
                "id": 3,
                "type": "stat",
                "title": "Jobs up",
                "gridPos": {"x": 0, "y": 16, "w": 6, "h": 4},
                "fieldConfig": {"defaults": {"unit": "none", "decimals": 0}},
                "options": {"reduceOptions": {"calcs": ["lastNotNull"]}, "textMode": "value_and_name"},
                "targets": [{"refId": "A", "expr": "sum by (job) (up)", "legendFormat": "{{job}}"}],
                "transformations": [{"id": "calculateField", "options": {
                    "mode": "reduceRow", "reduce": {"reducer": "sum"},
                    "replaceFields": true, "alias": "Jobs up"}}]
            }]
        },
        "overwrite": true
    })
}

/// The table as `[headers, rows of cell texts, rows of cell links (href, target) or null,
/// the "not applied" note]`, once the panel is `ok`.
async fn table(browser: &Browser) -> Option<Value> {
    browser
        .client
        .execute(
            "const p = document.querySelector('.kg-panel[data-panel-id=\"1\"]');\
             if (!p || p.getAttribute('data-state') !== 'ok') return null;\
             const rows = Array.from(p.querySelectorAll('tbody tr'));\
             if (rows.length === 0) return null;\
             const note = p.querySelector('.kg-table-skipped');\
             return [Array.from(p.querySelectorAll('thead th')).map(h => h.innerText.trim()),\
                     rows.map(r => Array.from(r.querySelectorAll('td')).map(c => c.innerText.trim())),\
                     rows.map(r => Array.from(r.querySelectorAll('td')).map(c => {\
                         const a = c.querySelector('a');\
                         return a ? [a.getAttribute('href'), a.getAttribute('target') || '', a.getAttribute('title') || ''] : null; })),\
                     note ? note.innerText : ''];",
            vec![],
        )
        .await
        .ok()
        .filter(|v| !v.is_null())
}

#[tokio::test]
async fn join_calculate_organize_and_links_in_a_table() {
    let (stack, kg, dir) = live_stack("transform-browser", &[]).await;
    kg.save_dashboard(&dashboard()).await;
    let browser = Browser::start(&dir).await;
    browser
        .client
        .goto(&kg.url("/d/transform/transformations?from=now-5m&to=now"))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(40);
    let seen = loop {
        if let Some(v) = table(&browser).await {
            break v;
        }
        assert!(Instant::now() < deadline, "the table did not show rows");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    // What Prometheus itself answers for the second query, by job.
    let answer: Value = http()
        .get(format!("{}/api/v1/query", stack.prometheus_url))
        .query(&[("query", SAMPLES)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let samples: BTreeMap<String, f64> = answer["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["metric"]["job"].as_str().unwrap().to_string(),
                r["value"][1].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        samples.keys().collect::<Vec<_>>(),
        ["node", "prometheus"],
        "{answer}"
    );

    let headers: Vec<String> = serde_json::from_value(seen[0].clone()).unwrap();
    assert_eq!(headers, ["Job", "Up", "Samples", "Double"], "{seen}");
    let rows: Vec<Vec<String>> = serde_json::from_value(seen[1].clone()).unwrap();
    // One row per job, sorted by job descending.
    let jobs: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(jobs, ["prometheus", "node"], "{seen}");
    let number = |s: &str| -> f64 {
        s.parse()
            .unwrap_or_else(|_| panic!("not a number: {s:?} in {seen}"))
    };
    for row in &rows {
        assert_eq!(row[1], "1", "every job is up: {row:?}");
        let shown = number(&row[2]);
        let real = samples[&row[0]];
        // Both answers are of the same data a few seconds apart: within a quarter.
        assert!(
            (shown - real).abs() <= real * 0.25,
            "{} samples shown, Prometheus says {real}",
            row[0]
        );
        assert_eq!(
            number(&row[3]),
            shown * 2.0,
            "Double is twice Samples: {row:?}"
        );
    }
    // Links: the job cell links to the drill-down with the row's values, in a new tab; the
    // `javascript:` link of the Up column is not made.
    let links: Vec<Vec<Option<(String, String, String)>>> =
        serde_json::from_value(seen[2].clone()).unwrap();
    for (row, cells) in rows.iter().zip(&links) {
        let (href, target, title) = cells[0].clone().expect("the job cell is a link");
        let job = &row[0];
        assert_eq!(
            href,
            format!("/d/repeat/repeats?var-cluster=lab&var-job={job}&up=1&raw={job}")
        );
        assert_eq!(target, "_blank");
        assert_eq!(title, format!("Drill down to {job}"));
        assert!(cells[1].is_none(), "no javascript: link: {cells:?}");
        assert!(cells[2].is_none() && cells[3].is_none());
    }
    assert_eq!(seen[3], "Not applied: transformation groupingToMatrix");
    browser
        .screenshot(&xtask::target_dir().join("screenshots/transform.png"))
        .await;

    // The time series panel's legend: a table right of the chart with the calcs' headers,
    // one row per job, sorted by Max, highest first.
    let legend_js = "const p = document.querySelector('.kg-panel[data-panel-id=\"2\"]');\
         if (!p || p.getAttribute('data-state') !== 'ok') return null;\
         const t = p.querySelector('[data-legend=\"table\"]');\
         if (!t) return null;\
         return [Array.from(t.querySelectorAll('thead th')).map(h => h.innerText.trim()),\
                 Array.from(t.querySelectorAll('tbody tr')).map(r => Array.from(r.querySelectorAll('td')).map(c => c.innerText.trim())),\
                 !!p.querySelector('.kg-ts-legend-right')];";
    let deadline = Instant::now() + Duration::from_secs(30);
    let legend = loop {
        let v = browser.client.execute(legend_js, vec![]).await.unwrap();
        if v[1]
            .as_array()
            .is_some_and(|rows| rows.len() == samples.len())
        {
            break v;
        }
        assert!(
            Instant::now() < deadline,
            "the legend table did not show: {v}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(legend[0], json!(["", "Mean", "Max", "Last *"]), "{legend}");
    assert_eq!(legend[2], true, "placed right of the chart: {legend}");
    let number = |v: &Value| -> f64 { v.as_str().unwrap().parse().unwrap_or(f64::NAN) };
    let rows = legend[1].as_array().unwrap();
    let mut names: Vec<&str> = rows.iter().map(|r| r[0].as_str().unwrap()).collect();
    let maxes: Vec<f64> = rows.iter().map(|r| number(&r[2])).collect();
    assert!(
        maxes.windows(2).all(|w| w[0] >= w[1]),
        "sorted by Max, highest first: {legend}"
    );
    for r in rows {
        let (mean, max, last) = (number(&r[1]), number(&r[2]), number(&r[3]));
        assert!(mean <= max && last <= max && mean > 0.0, "{r}");
    }
    names.sort();
    assert_eq!(
        names,
        samples.keys().map(String::as_str).collect::<Vec<_>>()
    );

    // A stat panel's series through calculateField (reduceRow sum, replacing the fields):
    // one value, the number of jobs up, as Grafana shows it.
    let stat_js = "const p = document.querySelector('.kg-panel[data-panel-id=\"3\"]');\
         if (!p || p.getAttribute('data-state') !== 'ok') return null;\
         return Array.from(p.querySelectorAll('.kg-stat-item')).map(i => [\
             i.querySelector('.kg-stat-value').innerText.trim(),\
             (i.querySelector('.kg-stat-name') || {innerText: ''}).innerText.trim()]);";
    let deadline = Instant::now() + Duration::from_secs(30);
    let stat = loop {
        let v = browser.client.execute(stat_js, vec![]).await.unwrap();
        if !v.is_null() {
            break v;
        }
        assert!(Instant::now() < deadline, "the stat panel did not show");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(
        stat,
        json!([[samples.len().to_string(), "Jobs up"]]),
        "one value: the sum over the jobs"
    );
    browser.close().await;
}

/// Every table of the corpus that joins its queries on a label and organizes the result
/// (kube-prometheus' resource tables): fed one series per query for the same label value, it
/// shows one row with every query's value, and exactly the columns its `organize` names, in its
/// order, renamed; each data link's `${__data.fields.X}` names a column it shows.
#[test]
fn corpus_join_tables_show_the_columns_grafana_shows() {
    let mut checked = 0;
    // The project's own join table always; kube-prometheus' (14 of them) when the corpus is
    // beside the project.
    let mut files = json_files(&project_dashboards());
    let mut expected = 1;
    if let Some(dir) =
        corpus("transform_browser::corpus_join_tables_show_the_columns_grafana_shows")
    {
        files.extend(json_files(&dir));
        expected += 14;
    }
    for file in files {
        let raw: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let d = Dashboard::from_json(&migrate(raw).dashboard);
        let panels: Vec<Panel> = d
            .panels
            .iter()
            .flat_map(|p| std::iter::once(p.clone()).chain(p.panels.clone()))
            .collect();
        for mut p in panels {
            let ids: Vec<&str> = p.transformations.iter().map(|t| t.id.as_str()).collect();
            if p.kind != "table" || ids != ["joinByField", "organize"] {
                continue;
            }
            let by = p.transformations[0].options["byField"]
                .as_str()
                .unwrap()
                .to_string();
            let organize = p.transformations[1].options.clone();
            // The labels the organize step names (`workload_type 2` is the label `workload_type`).
            let mut labels = vec![by.clone()];
            for key in ["indexByName", "renameByName", "excludeByName"] {
                for k in organize[key].as_object().unwrap().keys() {
                    let base = k
                        .rsplit_once(' ')
                        .filter(|(_, n)| n.parse::<u32>().is_ok())
                        .map_or(k.as_str(), |(b, _)| b);
                    if !base.starts_with("Time")
                        && !base.starts_with("Value")
                        && !labels.iter().any(|l| l == base)
                    {
                        labels.push(base.to_string());
                    }
                }
            }
            ensure_ref_ids(&mut p.targets);
            let targets: Vec<_> = p.targets.iter().filter(|t| !t.hide).collect();
            let series: Vec<Series> = targets
                .iter()
                .enumerate()
                .map(|(i, _)| Series {
                    labels: labels
                        .iter()
                        .map(|l| (l.clone(), "x".to_string()))
                        .collect(),
                    points: vec![(1000, i as f64 + 1.0)],
                })
                .collect();
            let input: Vec<(&str, &Series)> = targets
                .iter()
                .zip(&series)
                .map(|(t, s)| (t.ref_id.as_str(), s))
                .collect();
            let out = apply(
                frames_from_series(&input, targets.len()),
                &p.transformations,
            );
            let what = format!("{} panel {} `{}`", file.display(), p.id, p.title);
            assert!(out.skipped.is_empty(), "{what}: {:?}", out.skipped);
            assert_eq!(out.frames.len(), 1, "{what}");
            let table = frame_to_table(&out.frames[0]);
            // What organize says Grafana shows: the indexed names not excluded, in index order,
            // renamed.
            let excluded = |k: &str| organize["excludeByName"][k].as_bool() == Some(true);
            let mut indexed: Vec<(i64, &String)> = organize["indexByName"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| !excluded(k))
                .map(|(k, v)| (v.as_i64().unwrap(), k))
                .collect();
            indexed.sort();
            let expected: Vec<String> = indexed
                .iter()
                .map(|(_, k)| {
                    organize["renameByName"][k.as_str()]
                        .as_str()
                        .filter(|s| !s.is_empty())
                        .unwrap_or(k)
                        .to_string()
                })
                .collect();
            let shown: Vec<String> = table.columns.iter().map(|c| c.display.clone()).collect();
            assert_eq!(shown, expected, "{what}");
            assert_eq!(table.rows.len(), 1, "{what}: {:?}", table.rows);
            let values: Vec<_> = table
                .columns
                .iter()
                .zip(&table.rows[0])
                .filter(|(c, _)| c.name.starts_with("Value"))
                .map(|(_, v)| v.clone())
                .collect();
            assert_eq!(
                values.len(),
                targets.len(),
                "{what}: a value column per query"
            );
            assert!(
                values
                    .iter()
                    .all(|v| matches!(v, kubeglass_shared::data::cell::Cell::Number(_))),
                "{what}: {values:?}"
            );
            for o in &p.overrides {
                for (id, v) in &o.properties {
                    if id != "links" {
                        continue;
                    }
                    let url = v[0]["url"].as_str().unwrap();
                    for part in url.split("${__data.fields.").skip(1) {
                        let name = part.split('}').next().unwrap();
                        assert!(
                            shown.iter().any(|s| s == name),
                            "{what}: link field {name} not in {shown:?}"
                        );
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= expected, "only {checked} join tables checked");
}
