//! Signed embed links and the frame policy, against the real binary and a real Prometheus.

use kubeglass_e2e::{http, test_dir, Kubeglass, Stack, StackOptions};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// A dashboard whose panels query Prometheus about itself; panel 5 sits in a collapsed row.
fn dashboard() -> Value {
    json!({
        "uid": "emb", "title": "Embed me",
        "templating": {"list": [{"name": "job", "type": "custom", "query": "prometheus,node", "current": {"text": "node", "value": "node"}}]},
        "panels": [
            {"id": 1, "type": "timeseries", "title": "Requests", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
             "targets": [{"refId": "A", "expr": "sum(rate(prometheus_http_requests_total[$__rate_interval]))"}]},
            {"id": 2, "type": "timeseries", "title": "Up", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
             "targets": [{"refId": "A", "expr": "up{job=\"prometheus\"}"}]},
            {"id": 6, "type": "timeseries", "title": "Up by job", "gridPos": {"x": 0, "y": 8, "w": 12, "h": 8},
             "targets": [{"refId": "A", "expr": "up{job=~\"$job\"}"}]},
            {"id": 3, "type": "row", "title": "More", "collapsed": true, "gridPos": {"x": 0, "y": 8, "w": 24, "h": 1},
             "panels": [{"id": 5, "type": "stat", "title": "Build", "gridPos": {"x": 0, "y": 9, "w": 6, "h": 4},
                         "targets": [{"refId": "A", "expr": "count(prometheus_build_info)"}]}]}
        ]
    })
}

struct Env {
    _stack: Stack,
    kg: Kubeglass,
    args: Vec<String>,
}

fn start(name: &str, extra: &[&str]) -> Env {
    let dir = test_dir(name);
    let stack = Stack::start(&StackOptions {
        dir: dir.join("stack"),
        scrape_interval: "5s".into(),
        ..Default::default()
    })
    .unwrap();
    let dashboards = dir.join("dashboards");
    std::fs::create_dir_all(&dashboards).unwrap();
    std::fs::write(dashboards.join("emb.json"), dashboard().to_string()).unwrap();
    std::fs::write(
        dashboards.join("other.json"),
        json!({"uid": "other", "title": "Other", "panels": []}).to_string(),
    )
    .unwrap();
    let mut args: Vec<String> = vec![
        "--prometheus".into(),
        stack.prometheus_url.clone(),
        "--dashboards".into(),
        dashboards.to_str().unwrap().into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let kg = Kubeglass::start(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    Env {
        _stack: stack,
        kg,
        args,
    }
}

/// `kubeglass embed-link` on the server's data dir: the printed URL and its token.
fn embed_link(dir: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(kubeglass_e2e::kubeglass_bin())
        .arg("embed-link")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "embed-link failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let token = url
        .split("token=")
        .nth(1)
        .expect("the link carries a token")
        .to_owned();
    (url, token)
}

async fn with_token(
    kg: &Kubeglass,
    token: &str,
    method: reqwest::Method,
    path: &str,
    form: Option<&[(&str, String)]>,
) -> (u16, Value) {
    let mut req = http()
        .request(method, kg.url(path))
        .header("x-embed-token", token);
    if let Some(form) = form {
        req = req.form(form);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn message(v: &Value) -> &str {
    v["message"].as_str().unwrap_or_default()
}

const API: &str = "/api/datasources/prometheus/prometheus/api/v1";

#[tokio::test]
async fn a_token_opens_its_panel_and_nothing_else() {
    let env = start("embed-token", &[]);
    let (url, token) = embed_link(
        &env.kg.dir,
        &[
            "--dashboard",
            "emb",
            "--panel",
            "2",
            "--expires",
            "1h",
            "--base-url",
            "https://kg.example",
        ],
    );
    assert!(
        url.starts_with("https://kg.example/d-solo/emb/embed-me?panelId=2&token="),
        "{url}"
    );

    // The dashboard, reduced to the one panel.
    let (s, body) = with_token(
        &env.kg,
        &token,
        reqwest::Method::GET,
        "/api/dashboards/uid/emb",
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let panels = body["dashboard"]["panels"].as_array().unwrap();
    assert_eq!(panels.len(), 1);
    assert_eq!(panels[0]["id"], 2);
    // The token also travels as `token=` in a URL.
    let r = http()
        .get(
            env.kg
                .url(&format!("/api/dashboards/uid/emb?token={token}")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Its query, at any time range and step, passes.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let form = |q: &str| {
        vec![
            ("query", q.to_string()),
            ("start", (now - 300).to_string()),
            ("end", now.to_string()),
            ("step", "15".to_string()),
        ]
    };
    let (s, body) = with_token(
        &env.kg,
        &token,
        reqwest::Method::POST,
        &format!("{API}/query_range"),
        Some(&form("up{job=\"prometheus\"}")),
    )
    .await;
    assert_eq!(
        (s, body["status"].as_str()),
        (200, Some("success")),
        "{body}"
    );

    // A text panel's content is rendered for it (the call reads nothing).
    let r = http()
        .post(env.kg.url("/api/render/text"))
        .header("x-embed-token", &token)
        .json(&serde_json::json!({"content": "**runbook**"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["html"], "<p><strong>runbook</strong></p>\n");

    // Anything else is refused, saying why.
    let cases: Vec<(reqwest::Method, String, Option<Vec<(&str, String)>>, &str)> = vec![
        (reqwest::Method::GET, "/api/dashboards/uid/other".into(), None, "embed token is for dashboard `emb`, not `other`"),
        (reqwest::Method::GET, "/api/search".into(), None, "an embed token opens only its own panel; GET /api/search is not allowed with one"),
        (reqwest::Method::POST, format!("{API}/query_range"), Some(form("sum(rate(prometheus_http_requests_total[1m]))")), "embed token for panel 2 of dashboard `emb` does not allow this query on data source `prometheus`: sum(rate(prometheus_http_requests_total[1m]))"),
        (reqwest::Method::POST, format!("{API}/query_range"), Some(form("up{job=\"prometheus\"} or up")), "does not allow this query"),
        (reqwest::Method::POST, format!("{API}/query_range"), Some(form("up{job=~\".+\"}")), "does not allow this query"),
        (reqwest::Method::GET, format!("{API}/labels"), None, "an embed token allows only its panel's queries, not `/api/v1/labels`"),
        (reqwest::Method::GET, format!("{API}/series?match[]=up"), None, "not `/api/v1/series`"),
    ];
    for (method, path, f, expected) in cases {
        let (s, body) = with_token(&env.kg, &token, method.clone(), &path, f.as_deref()).await;
        assert_eq!(s, 403, "{method} {path}: {body}");
        assert!(message(&body).contains(expected), "{method} {path}: {body}");
    }
    let r = http()
        .post(env.kg.url("/api/dashboards/db"))
        .header("x-embed-token", &token)
        .json(&json!({"dashboard": {"title": "x", "panels": []}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a token never writes");

    // A panel inside a collapsed row can be embedded too, and its macro-free query passes.
    let (_, token5) = embed_link(
        &env.kg.dir,
        &["--dashboard", "emb", "--panel", "5", "--expires", "10m"],
    );
    let (s, body) = with_token(
        &env.kg,
        &token5,
        reqwest::Method::GET,
        "/api/dashboards/uid/emb",
        None,
    )
    .await;
    assert_eq!((s, &body["dashboard"]["panels"][0]["id"]), (200, &json!(5)));
    let (s, _) = with_token(
        &env.kg,
        &token5,
        reqwest::Method::POST,
        &format!("{API}/query"),
        Some(&[("query", "count(prometheus_build_info)".to_string())]),
    )
    .await;
    assert_eq!(s, 200);
    // The panel with $__rate_interval: any duration in its place passes, nothing else.
    let (_, token1) = embed_link(
        &env.kg.dir,
        &["--dashboard", "emb", "--panel", "1", "--expires", "10m"],
    );
    let (s, _) = with_token(
        &env.kg,
        &token1,
        reqwest::Method::POST,
        &format!("{API}/query_range"),
        Some(&form("sum(rate(prometheus_http_requests_total[60s]))")),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = with_token(
        &env.kg,
        &token1,
        reqwest::Method::POST,
        &format!("{API}/query_range"),
        Some(&form(
            "sum(rate(prometheus_http_requests_total[60s] offset 1d))",
        )),
    )
    .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn bad_tokens_are_refused_with_the_check_that_failed() {
    let env = start("embed-bad", &[]);
    let (_, token) = embed_link(
        &env.kg.dir,
        &["--dashboard", "emb", "--panel", "2", "--expires", "1s"],
    );
    // Tampered: the first character of the signature changed (the last one also carries
    // padding bits, so changing it may make the base64 invalid rather than the signature wrong).
    let dot = token.find('.').unwrap();
    let first = token.as_bytes()[dot + 1];
    let tampered = format!(
        "{}{}{}",
        &token[..=dot],
        if first == b'A' { 'B' } else { 'A' },
        &token[dot + 2..]
    );
    let (s, body) = with_token(
        &env.kg,
        &tampered,
        reqwest::Method::GET,
        "/api/dashboards/uid/emb",
        None,
    )
    .await;
    assert_eq!((s, message(&body)), (403, "embed token signature does not match: the token was altered, or signed with a key that has since been rotated"));
    let (s, body) = with_token(
        &env.kg,
        "garbage",
        reqwest::Method::GET,
        "/api/dashboards/uid/emb",
        None,
    )
    .await;
    assert_eq!(
        (s, message(&body)),
        (
            403,
            "embed token is malformed: expected two parts separated by `.`"
        )
    );
    // Expired.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (s, body) = with_token(
        &env.kg,
        &token,
        reqwest::Method::GET,
        "/api/dashboards/uid/emb",
        None,
    )
    .await;
    assert_eq!(s, 403);
    assert!(
        message(&body).starts_with("embed token expired at "),
        "{body}"
    );
    // Errors of the command line name what is wrong.
    let out = Command::new(kubeglass_e2e::kubeglass_bin())
        .arg("embed-link")
        .arg("--data-dir")
        .arg(env.kg.dir.join("data"))
        .args(["--dashboard", "emb", "--panel", "4", "--expires", "1h"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "kubeglass: --panel 4: dashboard `emb` has no panel with that id"
    );
    let out = Command::new(kubeglass_e2e::kubeglass_bin())
        .arg("embed-link")
        .arg("--data-dir")
        .arg(env.kg.dir.join("data"))
        .args(["--dashboard", "emb", "--panel", "2", "--expires", "soon"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("kubeglass: --expires: interval `soon`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn rotating_the_key_revokes_every_token() {
    let mut env = start("embed-rotate", &[]);
    let (_, token) = embed_link(
        &env.kg.dir,
        &["--dashboard", "emb", "--panel", "2", "--expires", "1h"],
    );
    let (s, _) = with_token(
        &env.kg,
        &token,
        reqwest::Method::GET,
        "/api/dashboards/uid/emb",
        None,
    )
    .await;
    assert_eq!(s, 200);
    let dir = env.kg.dir.clone();
    env.kg.process.stop();
    std::fs::remove_file(dir.join("data/embed.key")).unwrap();
    env.kg = Kubeglass::start(
        &dir,
        &env.args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let (s, body) = with_token(
        &env.kg,
        &token,
        reqwest::Method::GET,
        "/api/dashboards/uid/emb",
        None,
    )
    .await;
    assert_eq!(s, 403);
    assert!(
        message(&body).starts_with("embed token signature does not match"),
        "{body}"
    );
}

#[tokio::test]
async fn the_share_dialog_signs_links_that_work() {
    let env = start("embed-sign", &[]);
    let r = http()
        .post(env.kg.url("/api/embed/sign"))
        .json(&json!({"dashboard": "emb", "panel": 2, "expires": "1h"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let path = body["path"].as_str().unwrap();
    assert!(
        path.starts_with("/d-solo/emb/embed-me?panelId=2&token="),
        "{path}"
    );
    let (s, _) = with_token(
        &env.kg,
        body["token"].as_str().unwrap(),
        reqwest::Method::GET,
        "/api/dashboards/uid/emb",
        None,
    )
    .await;
    assert_eq!(s, 200);
    for (req, status, expected) in [
        (
            json!({"dashboard": "emb", "panel": 9, "expires": "1h"}),
            404,
            "dashboard `emb` has no panel 9",
        ),
        (
            json!({"dashboard": "nope", "panel": 1, "expires": "1h"}),
            404,
            "dashboard `nope` not found",
        ),
        (
            json!({"dashboard": "emb", "panel": 2, "expires": "400d"}),
            400,
            "expires `400d`: must be between 1s and 366d",
        ),
    ] {
        let r = http()
            .post(env.kg.url("/api/embed/sign"))
            .json(&req)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status);
        assert_eq!(r.json::<Value>().await.unwrap()["message"], expected);
    }
}

/// The `frame-ancestors` directive of a response's Content-Security-Policy.
fn frame_ancestors(r: &reqwest::Response) -> &str {
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'self'; script-src 'self'"),
        "the app's policy comes first: {csp}"
    );
    csp.split("; ")
        .find(|d| d.starts_with("frame-ancestors "))
        .unwrap_or_else(|| panic!("no frame-ancestors in {csp}"))
}

#[tokio::test]
async fn only_allowed_origins_may_frame_dashboards() {
    let closed = start("embed-closed", &[]);
    for path in ["/", "/d/emb/embed-me", "/d-solo/emb/embed-me?panelId=2"] {
        let r = http().get(closed.kg.url(path)).send().await.unwrap();
        assert_eq!(frame_ancestors(&r), "frame-ancestors 'none'", "{path}");
        assert_eq!(r.headers()["x-frame-options"], "DENY", "{path}");
    }
    let open = start(
        "embed-open",
        &[
            "--allow-embedding",
            "http://127.0.0.1:8123",
            "--allow-embedding",
            "https://wiki.example.com",
        ],
    );
    for path in ["/d/emb/embed-me", "/d-solo/emb/embed-me?panelId=2"] {
        let r = http().get(open.kg.url(path)).send().await.unwrap();
        assert_eq!(
            frame_ancestors(&r),
            "frame-ancestors http://127.0.0.1:8123 https://wiki.example.com",
            "{path}"
        );
        assert!(r.headers().get("x-frame-options").is_none(), "{path}");
    }
    // Everything else stays unframable.
    for path in ["/", "/explore", "/api/search"] {
        let r = http().get(open.kg.url(path)).send().await.unwrap();
        assert_eq!(frame_ancestors(&r), "frame-ancestors 'none'", "{path}");
    }
}

#[tokio::test]
async fn variables_are_those_the_token_fixes_or_the_defaults() {
    let env = start("embed-vars", &[]);
    let q = |expr: &str| vec![("query", expr.to_string())];
    let path = format!("{API}/query");
    let (_, fixed) = embed_link(
        &env.kg.dir,
        &[
            "--dashboard",
            "emb",
            "--panel",
            "6",
            "--expires",
            "1h",
            "--var",
            "job=prometheus",
        ],
    );
    let (_, default) = embed_link(
        &env.kg.dir,
        &["--dashboard", "emb", "--panel", "6", "--expires", "1h"],
    );
    let cases = [
        (
            &fixed,
            "up{job=~\"prometheus\"}",
            200,
            "the value the token fixes",
        ),
        (&fixed, "up{job=~\"node\"}", 403, "an altered variable"),
        (
            &default,
            "up{job=~\"node\"}",
            200,
            "the dashboard's default value",
        ),
        (
            &default,
            "up{job=~\".*\"}",
            403,
            "a value of the holder's choosing",
        ),
    ];
    for (token, expr, status, what) in cases {
        let (s, body) =
            with_token(&env.kg, token, reqwest::Method::POST, &path, Some(&q(expr))).await;
        assert_eq!(s, status, "{what}: {body}");
    }
}
