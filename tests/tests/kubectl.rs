//! The test API server's fidelity, proved with a real client: Debian's `kubectl` lists and
//! watches pods on it as it would on a real cluster.

use kubeglass_e2e::k8s_server::K8sServer;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Debian's kubectl, which `cargo xtask test` installs (package kubernetes-client).
fn kubectl() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("kubectl"))
        .find(|p| p.is_file())
}

/// A kubectl command with its own kubeconfig (naming only the stand-in), cache and home, so
/// that nothing of the machine's own configuration is used.
fn command(kubectl: &Path, dir: &Path, server: &K8sServer) -> Command {
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: standin\n  cluster:\n    server: {url}\ncontexts:\n- name: standin\n  context:\n    cluster: standin\n    user: nobody\nusers:\n- name: nobody\n  user: {{}}\ncurrent-context: standin\n",
            url = server.url()
        ),
    )
    .unwrap();
    let mut cmd = Command::new(kubectl);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("KUBECONFIG", &kubeconfig)
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("--server")
        .arg(server.url())
        .arg("--cache-dir")
        .arg(dir.join("cache"))
        .arg("--request-timeout")
        .arg("20s");
    cmd
}

#[test]
fn kubectl_lists_pods_in_every_namespace_as_json() {
    let Some(kubectl) = kubectl() else {
        println!("skipped: kubectl is not installed (cargo xtask test installs Debian's kubernetes-client)");
        return;
    };
    let dir = kubeglass_e2e::test_dir("kubectl_get_pods");
    let server = K8sServer::start();
    let out = command(&kubectl, &dir, &server)
        .args(["get", "pods", "-A", "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl get pods failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["kind"], "List");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 11, "{list}");
    assert!(items
        .iter()
        .all(|p| p["kind"] == "Pod" && p["apiVersion"] == "v1"));
    let namespaces: std::collections::BTreeSet<&str> = items
        .iter()
        .map(|p| p["metadata"]["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(
        namespaces.into_iter().collect::<Vec<_>>(),
        ["batch", "default", "kube-system", "shop"]
    );
    let crashing = items
        .iter()
        .find(|p| p["metadata"]["name"] == "api-6f8d7c9b5-lmn3q")
        .unwrap();
    assert_eq!(
        crashing["status"]["containerStatuses"][0]["restartCount"],
        7
    );
    assert_eq!(
        crashing["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"],
        "Error"
    );
    println!(
        "kubectl asked for: {:?}",
        server
            .requests()
            .iter()
            .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
            .collect::<Vec<_>>()
    );
    // It found pods through discovery, as on a real API server.
    for path in ["/api", "/apis", "/api/v1"] {
        assert_eq!(server.count(|r| r.path == path), 1, "{path}");
    }
    // kubectl listed in chunks, as it does against a real API server.
    let lists: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/pods")
        .collect();
    assert_eq!(lists.len(), 1, "{lists:?}");
    assert_eq!(lists[0].param("limit").as_deref(), Some("500"));

    // Paging: a limit smaller than the list makes kubectl follow the continue tokens.
    server.clear_requests();
    let out = command(&kubectl, &dir, &server)
        .args(["get", "pods", "-A", "-o", "name", "--chunk-size", "4"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = String::from_utf8(out.stdout).unwrap();
    assert_eq!(names.lines().count(), 11, "{names}");
    assert!(names.contains("pod/busybox"), "{names}");
    assert_eq!(
        server.count(|r| r.path == "/api/v1/pods" && r.param("continue").is_some()),
        2
    );
    // Secrets exist on the stand-in, so that tests can prove kubeglass never asks for them.
    let out = command(&kubectl, &dir, &server)
        .args(["get", "secrets", "-n", "shop", "-o", "name"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "secret/db-password\nsecret/web-tls\n"
    );
}

#[test]
fn kubectl_watches_pods() {
    let Some(kubectl) = kubectl() else {
        println!("skipped: kubectl is not installed (cargo xtask test installs Debian's kubernetes-client)");
        return;
    };
    let dir = kubeglass_e2e::test_dir("kubectl_watch_pods");
    let server = K8sServer::start();
    let mut child = command(&kubectl, &dir, &server)
        .args(["get", "pods", "-n", "shop", "--watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(
            std::fs::File::create(dir.join("kubectl.stderr")).unwrap(),
        ))
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let wait_for = |what: &str, seen: &mut Vec<String>| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                let found = line.contains(what);
                seen.push(line);
                if found {
                    return;
                }
            }
        }
        panic!(
            "kubectl get pods --watch did not print {what:?} within 20 s; it printed:\n{}\nstderr: {}",
            seen.join("\n"),
            std::fs::read_to_string(dir.join("kubectl.stderr")).unwrap_or_default()
        );
    };
    // The initial list, as a table.
    wait_for("web-7c5d8f6b9-9qm7z", &mut seen);
    // The API server's table for pods, as kubectl asks for it (`as=Table`).
    assert_eq!(
        seen[0].split_whitespace().collect::<Vec<_>>(),
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        "{seen:?}"
    );
    let crashing = seen
        .iter()
        .find(|l| l.starts_with("api-6f8d7c9b5-lmn3q"))
        .unwrap();
    assert_eq!(
        crashing.split_whitespace().take(4).collect::<Vec<_>>(),
        ["api-6f8d7c9b5-lmn3q", "0/1", "CrashLoopBackOff", "7"]
    );
    // The watch is open before the change is made.
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.watch_requests("/api/v1/namespaces/shop/pods") == 0 {
        assert!(
            Instant::now() < deadline,
            "kubectl never watched: {:?}",
            server.requests()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut pod = server.get("pods", "shop", "web-7c5d8f6b9-2xk4p").unwrap();
    pod["metadata"]["name"] = json!("web-7c5d8f6b9-new01");
    pod["metadata"].as_object_mut().unwrap().remove("uid");
    pod["status"]["phase"] = json!("Pending");
    server.create(pod);
    wait_for("web-7c5d8f6b9-new01", &mut seen);
    server.delete("pods", "shop", "db-0").unwrap();
    // kubectl prints a deleted object's last row again.
    let before = seen.iter().filter(|l| l.contains("db-0")).count();
    wait_for("db-0", &mut seen);
    assert_eq!(
        seen.iter().filter(|l| l.contains("db-0")).count(),
        before + 1
    );
    println!("kubectl printed:\n{}", seen.join("\n"));
    let _ = child.kill();
    let _ = child.wait();
}
