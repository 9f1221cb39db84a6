//! The dashboard API and the server around it: storing real dashboards, refusing bad ones
//! without storing anything, provisioning, static serving and the default security headers.

use kubeglass_e2e::{http, project_dashboard, test_dashboards, test_dir, Kubeglass};
use serde_json::{json, Value};

async fn post(kg: &Kubeglass, body: impl Into<reqwest::Body>) -> (u16, Value) {
    post_to(kg, "/api/dashboards/db", body).await
}

/// A JSON body POSTed to `path`: the status and the JSON answer.
async fn post_to(kg: &Kubeglass, path: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let r = http()
        .post(kg.url(path))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn get(kg: &Kubeglass, path: &str) -> (u16, Value) {
    let r = http().get(kg.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Every test dashboard (the project's, and the real ones of the corpus when it is beside the
/// project) is stored and comes back JSON-equal, unknown fields and key order included; only
/// `uid` (when absent) and `version` are the store's.
#[tokio::test]
async fn every_corpus_dashboard_round_trips() {
    let kg = Kubeglass::start(&test_dir("dash-corpus"), &[]);
    let files = test_dashboards("dashboards::every_corpus_dashboard_round_trips");
    let mut uids = std::collections::BTreeSet::new();
    assert!(files.len() >= 3, "found {} test dashboards", files.len());
    for file in &files {
        let sent: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let (s, saved) = post(
            &kg,
            json!({"dashboard": sent, "overwrite": true}).to_string(),
        )
        .await;
        assert_eq!(s, 200, "{}: {saved}", file.display());
        let uid = saved["uid"].as_str().unwrap();
        uids.insert(uid.to_owned());
        let (s, got) = get(&kg, &format!("/api/dashboards/uid/{uid}")).await;
        assert_eq!(s, 200);
        let mut expected = sent.clone();
        expected["uid"] = json!(uid);
        expected["version"] = saved["version"].clone();
        assert_eq!(got["dashboard"], expected, "{}", file.display());
        assert_eq!(
            serde_json::to_string(&got["dashboard"]).unwrap(),
            serde_json::to_string(&expected).unwrap(),
            "{}: key order",
            file.display()
        );
        assert_eq!(got["meta"]["url"], saved["url"]);
    }
    let (_, hits) = get(&kg, "/api/search").await;
    // Some files are two versions of one dashboard (same uid): the later one replaced the first.
    let listed: std::collections::BTreeSet<String> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["uid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, uids);
}

#[tokio::test]
async fn bad_input_is_refused_with_a_message_and_stores_nothing() {
    let kg = Kubeglass::start(&test_dir("dash-bad"), &["--max-body-bytes", "100000"]);
    let cases: Vec<(String, u16, &str)> = vec![
        (
            "{\"dashboard\": {\"title\": \"x\",\n \"panels\": [}}".into(),
            400,
            "request body is not valid JSON: expected value at line 2 column 13",
        ),
        (
            "[1]".into(),
            400,
            "request body must be a JSON object {\"dashboard\": {...}, \"overwrite\": bool}",
        ),
        (
            "{\"overwrite\": true}".into(),
            400,
            "dashboard: is missing from the request body",
        ),
        (
            json!({"dashboard": {"panels": []}}).to_string(),
            400,
            "dashboard.title: is missing",
        ),
        (
            json!({"dashboard": {"title": "T", "panels": [{"id": 1}, {"id": "two"}]}}).to_string(),
            400,
            "dashboard.panels[1].id: must be an integer, found a string",
        ),
        (
            json!({"dashboard": {"title": "T", "uid": "../../etc", "panels": []}}).to_string(),
            400,
            "dashboard.uid: may hold only letters, digits, `-` and `_`, found '.'",
        ),
        (
            json!({"dashboard": {"title": "T", "panels": []}, "overwrite": "yes"}).to_string(),
            400,
            "request body: invalid type: string \"yes\", expected a boolean",
        ),
    ];
    for (body, status, message) in cases {
        let (s, answer) = post(&kg, body.clone()).await;
        assert_eq!(
            (s, answer["message"].as_str().unwrap_or_default()),
            (status, message),
            "for {body}"
        );
    }
    // Larger than --max-body-bytes.
    let big = json!({"dashboard": {"title": "Big", "panels": [], "pad": "x".repeat(200_000)}})
        .to_string();
    let r = http()
        .post(kg.url("/api/dashboards/db"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let (_, hits) = get(&kg, "/api/search").await;
    assert_eq!(hits, json!([]), "nothing was stored");
}

#[tokio::test]
async fn versions_overwrite_search_and_delete_behave_as_grafana() {
    let kg = Kubeglass::start(&test_dir("dash-crud"), &[]);
    let board =
        json!({"uid": "ops", "title": "Ops / Overview", "tags": ["ops", "k8s"], "panels": []});
    let (s, saved) = post(&kg, json!({"dashboard": board}).to_string()).await;
    assert_eq!(
        (s, &saved),
        (
            200,
            &json!({"id": 1, "uid": "ops", "url": "/d/ops/ops-overview", "status": "success", "version": 1, "slug": "ops-overview"})
        )
    );
    // A second save from a stale copy is refused with 412 and the stored one is kept.
    let (s, answer) = post(
        &kg,
        json!({"dashboard": {"uid": "ops", "title": "Stale", "panels": []}}).to_string(),
    )
    .await;
    assert_eq!(s, 412);
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("send \"overwrite\": true"),
        "{answer}"
    );
    let (_, got) = get(&kg, "/api/dashboards/uid/ops").await;
    assert_eq!(got["dashboard"]["title"], "Ops / Overview");
    // Saving with the stored version, or with overwrite, replaces it.
    let (s, saved) = post(&kg, json!({"dashboard": {"uid": "ops", "title": "Ops", "version": 1, "tags": ["ops"], "panels": []}}).to_string()).await;
    assert_eq!((s, saved["version"].as_i64()), (200, Some(2)));
    let (s, saved) = post(
        &kg,
        json!({"dashboard": {"title": "Second", "tags": ["k8s"], "panels": []}, "overwrite": true})
            .to_string(),
    )
    .await;
    assert_eq!(s, 200);
    let generated = saved["uid"].as_str().unwrap().to_owned();
    assert_eq!(generated.len(), 14);

    let titles = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(&get(&kg, "/api/search").await.1), ["Ops", "Second"]);
    assert_eq!(
        titles(&get(&kg, "/api/search?query=sec").await.1),
        ["Second"]
    );
    assert_eq!(titles(&get(&kg, "/api/search?tag=ops").await.1), ["Ops"]);
    assert_eq!(
        titles(&get(&kg, "/api/search?tag=k8s&tag=ops").await.1),
        Vec::<String>::new()
    );

    let r = http()
        .delete(kg.url("/api/dashboards/uid/ops"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["title"], "Ops");
    let (s, answer) = get(&kg, "/api/dashboards/uid/ops").await;
    assert_eq!(
        (s, answer["message"].as_str().unwrap()),
        (404, "dashboard `ops` not found")
    );
    let r = http()
        .delete(kg.url("/api/dashboards/uid/ops"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn provisioned_dashboards_survive_a_restart_and_the_ui_is_served() {
    let dir = test_dir("dash-provisioned");
    let shipped = xtask::workspace_root().join("assets/dashboards");
    let kg = Kubeglass::start(&dir, &["--dashboards", shipped.to_str().unwrap()]);
    let (s, node) = get(&kg, "/api/dashboards/uid/node").await;
    assert_eq!(s, 200);
    assert_eq!(node["dashboard"]["title"], "Node");
    assert_eq!(node["meta"]["provisioned"], true);

    // The UI: index.html for / and for client-side routes, with the frame policy.
    for path in ["/", "/d/node/node", "/explore"] {
        let r = http().get(kg.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["x-frame-options"], "DENY");
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            csp.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-")
                && csp.ends_with("; frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("<html") && html.contains(".wasm"),
            "{path} should serve the built UI's index.html"
        );
    }
    // The dashboards app is at the top of the UI dir; the list, import and login pages are the
    // home app under /home/, the Kubernetes and etcd pages the cluster app under /cluster/.
    // The CSP allows the inline loaders of all three.
    for (paths, app) in [
        (
            &[
                "/d/node/node",
                "/d-solo/node/node",
                "/explore",
                "/no-such-page",
            ][..],
            None,
        ),
        (&["/", "/dashboard/import", "/login"][..], Some("home")),
        (
            &["/k8s", "/k8s/default/pods", "/etcd", "/etcd/x"][..],
            Some("cluster"),
        ),
    ] {
        for path in paths {
            let r = http().get(kg.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let csp = r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_string();
            assert_eq!(csp.matches("'sha256-").count(), 3, "{csp}");
            let html = r.text().await.unwrap();
            let served = ["home", "cluster"]
                .into_iter()
                .find(|a| html.contains(&format!("/{a}/kubeglass-frontend-")));
            assert_eq!(served, app, "{path}: {html}");
            assert!(html.contains(".wasm"), "{path}: {html}");
        }
    }
    for index in ["/home/index.html", "/cluster/index.html"] {
        let r = http().get(kg.url(index)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{index}");
    }
    // Unknown API paths are JSON 404s, not the UI.
    let (s, body) = get(&kg, "/api/nope").await;
    assert_eq!(
        (s, body["message"].as_str().unwrap()),
        (404, "no API route /api/nope")
    );
    // Path traversal never leaves the UI dir.
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/..%2fCargo.toml",
        "/assets/..%5c..%5cCargo.toml",
    ] {
        let r = http().get(kg.url(path)).send().await.unwrap();
        let text = r.text().await.unwrap();
        assert!(
            !text.contains("[workspace]"),
            "{path} leaked a file outside the UI dir"
        );
    }

    // Restart on the same data dir, without provisioning: the stored dashboard is still there.
    drop(kg);
    let kg = Kubeglass::start(&dir, &[]);
    let (s, again) = get(&kg, "/api/dashboards/uid/node").await;
    assert_eq!(s, 200);
    assert_eq!(again["dashboard"], node["dashboard"]);
}

#[test]
fn listening_beyond_loopback_without_auth_is_refused() {
    let out = std::process::Command::new(kubeglass_e2e::kubeglass_bin())
        .args(["--listen", "0.0.0.0:0", "--data-dir"])
        .arg(test_dir("dash-open").join("data"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "kubeglass: --listen 0.0.0.0:0: listening beyond loopback needs an auth mode, and --auth none allows loopback only");
}

#[test]
fn check_dashboard_reports_each_file() {
    let dir = test_dir("dash-check");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"title\": \"x\", \"panels\": [{\"gridPos\": []}]}").unwrap();
    let good = project_dashboard("legacy-rows.json");
    let current = project_dashboard("current.json");
    let run = |json: bool| {
        let mut cmd = std::process::Command::new(kubeglass_e2e::kubeglass_bin());
        cmd.arg("check-dashboard");
        if json {
            cmd.arg("--json");
        }
        cmd.arg(&good).arg(&current).arg(&bad).output().unwrap()
    };
    let out = run(false);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    // The heatmap of Prometheus buckets is drawn too; rows are not panels here.
    assert_eq!(
        text,
        format!(
            "{}: ok, schemaVersion 13 -> 43, 5/5 panels supported\n\
             {}: ok, schemaVersion 39 -> 43, 5/5 panels supported\n\
             {}: dashboard.panels[0].gridPos: must be an object, found an array\n",
            good.display(),
            current.display(),
            bad.display()
        )
    );

    let out = run(true);
    assert_eq!(out.status.code(), Some(1));
    let reports: Value = serde_json::from_slice(&out.stdout).expect("one JSON array");
    assert_eq!(reports.as_array().map(Vec::len), Some(3));
    assert_eq!(reports[0]["file"], json!(good.display().to_string()));
    assert_eq!(reports[0]["ok"], json!(true));
    assert_eq!(reports[0]["error"], Value::Null);
    assert_eq!(reports[0]["schema_version_before"], json!(13));
    assert_eq!(reports[0]["schema_version_after"], json!(43));
    assert_eq!(reports[0]["panels_total"], json!(5));
    assert_eq!(reports[0]["panels_supported"], json!(5));
    assert_eq!(reports[0]["unresolved"], json!([]));
    assert_eq!(reports[1]["panels_supported"], json!(5));
    assert_eq!(reports[1]["unsupported"], json!([]));
    assert_eq!(reports[2]["ok"], json!(false));
    assert_eq!(
        reports[2]["error"],
        json!("dashboard.panels[0].gridPos: must be an object, found an array")
    );
    assert_eq!(reports[2]["schema_version_before"], Value::Null);
}

/// Text panels are rendered by the server: Markdown and HTML come back as safe HTML, and a bad
/// request is answered with what is wrong with it.
#[tokio::test]
async fn text_panels_render_as_safe_html() {
    let kg = Kubeglass::start(&test_dir("dash-text"), &[]);
    let render = |body: String| post_to(&kg, "/api/render/text", body);
    let markdown = "# Runbook\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[docs](https://example.com/x) \
                    <script>alert(1)</script> [bad](javascript:alert(1))";
    let (s, body) = render(json!({"content": markdown}).to_string()).await;
    assert_eq!(s, 200, "{body}");
    let html = body["html"].as_str().unwrap();
    for want in [
        "<h1>Runbook</h1>",
        "<table>",
        "<td>1</td>",
        "<a href=\"https://example.com/x\"",
    ] {
        assert!(html.contains(want), "{want} in {html}");
    }
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    let (s, body) = render(
        json!({"mode": "html", "content": "<b onclick=\"x()\">bold</b><img src=x onerror=y>"})
            .to_string(),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let html = body["html"].as_str().unwrap();
    assert!(html.contains("<b>bold</b>"), "{html}");
    assert!(
        !html.contains("onclick") && !html.contains("onerror"),
        "{html}"
    );
    let (s, body) = render(json!({"mode": "code", "content": "<b>"}).to_string()).await;
    assert_eq!(
        (s, body["html"].as_str()),
        (200, Some("<pre><code>&lt;b&gt;</code></pre>"))
    );

    let cases = [
        ("{".to_string(), "request body must be"),
        (
            json!({"content": "x", "extra": 1}).to_string(),
            "unknown field `extra`",
        ),
        (
            json!({"mode": "pdf", "content": "x"}).to_string(),
            "mode `pdf` is not one of markdown, html, code",
        ),
        (
            json!({"content": "a".repeat(300 * 1024)}).to_string(),
            "a text panel may have at most 262144",
        ),
    ];
    for (body, expected) in cases {
        let (s, answer) = render(body.clone()).await;
        assert_eq!(s, 400, "{answer}");
        assert!(
            answer["message"]
                .as_str()
                .unwrap_or_default()
                .contains(expected),
            "{expected}: {answer}"
        );
    }
}

/// `?migrate=true` answers a dashboard as the UI shows it, migrated to the current schema by
/// the server; without it the dashboard is as stored. A bad value is named.
#[tokio::test]
async fn dashboards_are_migrated_on_request() {
    let kg = Kubeglass::start(&test_dir("dash-migrate"), &[]);
    let old: Value =
        serde_json::from_slice(&std::fs::read(project_dashboard("legacy-rows.json")).unwrap())
            .unwrap();
    assert!(old["rows"].is_array(), "the test dashboard has legacy rows");
    let (s, saved) = post(
        &kg,
        json!({"dashboard": old, "overwrite": true}).to_string(),
    )
    .await;
    assert_eq!(s, 200, "{saved}");
    let uid = saved["uid"].as_str().unwrap().to_owned();
    let (s, stored) = get(&kg, &format!("/api/dashboards/uid/{uid}")).await;
    assert_eq!(s, 200);
    assert_eq!(stored["dashboard"]["rows"], old["rows"]);
    let (s, migrated) = get(&kg, &format!("/api/dashboards/uid/{uid}?migrate=true")).await;
    assert_eq!(s, 200);
    let expected = kubeglass_shared::model::migrate::migrate(stored["dashboard"].clone()).dashboard;
    assert_eq!(migrated["dashboard"], expected);
    assert_eq!(
        migrated["dashboard"]["schemaVersion"],
        kubeglass_shared::model::migrate::TARGET_SCHEMA_VERSION
    );
    assert!(migrated["dashboard"].get("rows").is_none());
    assert_eq!(migrated["meta"], stored["meta"]);
    let (s, body) = get(&kg, &format!("/api/dashboards/uid/{uid}?migrate=yes")).await;
    assert_eq!(
        (s, body["message"].as_str()),
        (400, Some("migrate must be true or false, not `yes`"))
    );
}
