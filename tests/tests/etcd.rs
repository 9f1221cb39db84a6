//! etcd through kubeglass against Debian's real etcd: range reads, live watches over
//! WebSockets with every event exactly once and in order (also across a kill -9 of etcd and a
//! dropped client socket), compaction, and the refusals.

use etcd_client::{Client, CompactionOptions, GetOptions};
use futures_util::SinkExt;
use kubeglass_e2e::{http, test_dir, ws_next, EtcdServer, Kubeglass, Ws};
use kubeglass_shared::etcd::{EventType, KeysResponse, ServerMessage};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

fn start(name: &str, extra: &[&str]) -> (EtcdServer, Kubeglass) {
    let dir = test_dir(name);
    let etcd = EtcdServer::start(&dir);
    let mut args = vec!["--etcd", etcd.url.as_str()];
    args.extend_from_slice(extra);
    let kg = Kubeglass::start(&dir, &args);
    (etcd, kg)
}

async fn etcd_client(etcd: &EtcdServer) -> Client {
    Client::connect([etcd.url.as_str()], None).await.unwrap()
}

async fn open(kg: &Kubeglass, cluster: &str) -> Ws {
    let url = format!("ws://{}/api/etcd/{cluster}/watch", kg.addr);
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

async fn send(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text)).await.unwrap();
}

/// Watches `prefix` and returns once the watch is established, with its revision.
async fn watch(ws: &mut Ws, prefix: &str, start: Option<i64>) -> i64 {
    let mut req = serde_json::json!({"prefix": prefix, "prev_kv": true});
    if let Some(s) = start {
        req["start_revision"] = s.into();
    }
    send(ws, &req.to_string()).await;
    match ws_next::<ServerMessage>(ws).await {
        Ok(ServerMessage::Created { revision, .. }) => revision,
        other => panic!("expected created, got {other:?}"),
    }
}

/// What a client saw: event revisions in arrival order, and how many reconnecting notices.
#[derive(Default, Debug)]
struct Seen {
    revisions: Vec<i64>,
    reconnecting: usize,
    last: i64,
}

impl Seen {
    fn take(&mut self, m: ServerMessage) {
        match m {
            ServerMessage::Events { events, .. } => {
                for e in events {
                    self.revisions.push(e.mod_revision);
                    self.last = e.mod_revision;
                }
            }
            ServerMessage::Reconnecting { .. } => self.reconnecting += 1,
            ServerMessage::Progress { .. } | ServerMessage::Created { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Every revision in `from..=to` exactly once, in order.
    fn assert_exact(&self, who: &str, from: i64, to: i64) {
        let expected: Vec<i64> = (from..=to).collect();
        if self.revisions != expected {
            let set: BTreeSet<i64> = self.revisions.iter().copied().collect();
            let missing: Vec<i64> = expected
                .iter()
                .filter(|r| !set.contains(r))
                .take(10)
                .copied()
                .collect();
            let dups = self.revisions.len() - set.len();
            panic!(
                "{who}: {} events for revisions {from}..={to} ({} expected); missing (first 10) {missing:?}; duplicates {dups}; in order: {}",
                self.revisions.len(),
                expected.len(),
                self.revisions.windows(2).all(|w| w[0] < w[1])
            );
        }
    }
}

/// Reads from `ws` into `seen` until it has seen revision `to`.
async fn read_until(ws: &mut Ws, seen: &mut Seen, to: i64) {
    while seen.last < to {
        let m = ws_next::<ServerMessage>(ws)
            .await
            .unwrap_or_else(|c| panic!("closed {c:?} at revision {}", seen.last));
        seen.take(m);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_events_reach_two_clients_exactly_once_in_order() {
    let (etcd, kg) = start("etcd_order", &[]);
    let mut a = open(&kg, "default").await;
    let mut b = open(&kg, "default").await;
    let ra = watch(&mut a, "/order/", None).await;
    let rb = watch(&mut b, "/order/", None).await;
    let clusters: Value = http()
        .get(kg.url("/api/etcd/clusters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        clusters["upstream_watches"], 1,
        "two identical live watches share one upstream watch"
    );
    let client = etcd_client(&etcd).await;
    // Something outside the prefix must not show.
    client.kv_client().put("/other/x", "1", None).await.unwrap();
    const TASKS: usize = 40;
    const OPS: usize = 10_000;
    const _: () = assert!(OPS.is_multiple_of(TASKS));
    let t0 = Instant::now();
    let mut writers = Vec::new();
    for t in 0..TASKS {
        let mut kv = client.kv_client();
        writers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for i in 0..OPS / TASKS {
                let key = format!("/order/{t}/{}", i / 2);
                // Each key is put, then deleted: 5,000 puts and 5,000 deletes.
                let rev = if i % 2 == 0 {
                    let r = kv
                        .put(key.clone(), format!("{{\"i\":{i}}}"), None)
                        .await
                        .unwrap();
                    (r.header().unwrap().revision(), EventType::Put, key)
                } else {
                    let r = kv.delete(key.clone(), None).await.unwrap();
                    (r.header().unwrap().revision(), EventType::Delete, key)
                };
                mine.push(rev);
            }
            mine
        }));
    }
    let mut written = Vec::new();
    for w in writers {
        written.extend(w.await.unwrap());
    }
    let put_secs = t0.elapsed().as_secs_f64();
    written.sort();
    assert_eq!(written.len(), OPS);
    let (first, last) = (written[0].0, written[OPS - 1].0);
    // Only the writers changed the store since the watch began, besides /other/x.
    assert_eq!(
        last - first + 1,
        OPS as i64,
        "revisions of the writes are contiguous"
    );
    assert_eq!(first, ra + 2);
    assert_eq!(ra, rb);

    let reader = |mut ws: Ws, expect: Vec<(i64, EventType, String)>| async move {
        let mut got = Vec::new();
        let mut batches = 0;
        while got.len() < expect.len() {
            match ws_next::<ServerMessage>(&mut ws).await {
                Ok(ServerMessage::Events { events, .. }) => {
                    batches += 1;
                    for e in events {
                        got.push((e.mod_revision, e.kind, e.key));
                    }
                }
                Ok(ServerMessage::Progress { .. }) => {}
                other => panic!("unexpected {other:?} after {} events", got.len()),
            }
        }
        let done = Instant::now();
        assert_eq!(got, expect, "every event exactly once, in revision order");
        (done, batches)
    };
    let (ea, eb) = tokio::join!(reader(a, written.clone()), reader(b, written.clone()));
    let end = ea.0.max(eb.0);
    let secs = (end - t0).as_secs_f64();
    println!(
        "etcd watch: {OPS} events to 2 clients (one shared upstream watch) in {secs:.2} s end to end = {:.0} events/s; the {TASKS} writers took {put_secs:.2} s ({:.0} writes/s); batches per client {} and {}",
        OPS as f64 / secs,
        OPS as f64 / put_secs,
        ea.1,
        eb.1
    );

    // Replay of the same history to a third client, from a revision: as fast as it can read.
    let mut c = open(&kg, "default").await;
    let t1 = Instant::now();
    watch(&mut c, "/order/", Some(first)).await;
    let mut seen = Seen::default();
    read_until(&mut c, &mut seen, last).await;
    seen.assert_exact("replaying client", first, last);
    let secs = t1.elapsed().as_secs_f64();
    println!(
        "etcd watch replay: {OPS} events in {secs:.2} s = {:.0} events/s through one watch",
        OPS as f64 / secs
    );

    // The replaying client has a watch of its own; a cancel ends it, and closing the last
    // socket ends the rest: no upstream watch outlives its clients.
    let upstream = || async {
        let v: Value = http()
            .get(kg.url("/api/etcd/clusters"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["upstream_watches"].as_u64().unwrap()
    };
    let mut d = open(&kg, "default").await;
    watch(&mut d, "/order/", None).await;
    assert_eq!(
        upstream().await,
        2,
        "the replay's own watch and a new shared one"
    );
    send(&mut c, "{\"cancel\": true}").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while upstream().await != 1 {
        assert!(
            Instant::now() < deadline,
            "the cancel ends the replay's watch"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(d);
    while upstream().await != 0 {
        assert!(
            Instant::now() < deadline,
            "closing the socket ends the shared watch"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_event_lost_when_etcd_is_killed_or_a_client_reconnects() {
    let (mut etcd, kg) = start("etcd_faults", &[]);
    let mut a = open(&kg, "default").await;
    let mut b = open(&kg, "default").await;
    let from = watch(&mut a, "/faults/", None).await + 1;
    watch(&mut b, "/faults/", None).await;

    // A writer that keeps putting until 3,000 puts have succeeded, retrying through outages
    // (a retried put may have been applied too: the truth is etcd's own revision at the end).
    let client = etcd_client(&etcd).await;
    let writer = tokio::spawn(async move {
        let mut kv = client.kv_client();
        let mut ok = 0;
        let mut i = 0;
        while ok < 3_000 {
            i += 1;
            let r = tokio::time::timeout(
                Duration::from_secs(2),
                kv.put(format!("/faults/{}", i % 100), format!("v{i}"), None),
            )
            .await;
            match r {
                Ok(Ok(_)) => ok += 1,
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    });

    let mut sa = Seen::default();
    let mut sb = Seen::default();
    // Client b drops its socket after 500 events and comes back from its last revision + 1.
    read_until(&mut b, &mut sb, from + 500).await;
    drop(b);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut b = open(&kg, "default").await;
    let resumed = watch(&mut b, "/faults/", Some(sb.last + 1)).await;
    assert_eq!(resumed, sb.last);

    // etcd is killed after 1,000 events, and started again on the same data dir a second later.
    read_until(&mut a, &mut sa, from + 1_000).await;
    etcd.kill();
    let killed_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(1)).await;
    etcd.restart();
    println!("etcd was down {:.1} s", killed_at.elapsed().as_secs_f64());

    // Both clients read on while the writer finishes, up to etcd's final revision.
    let target = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(i64::MAX));
    let reader =
        |mut ws: Ws, mut seen: Seen, target: std::sync::Arc<std::sync::atomic::AtomicI64>| {
            tokio::spawn(async move {
                while seen.last < target.load(std::sync::atomic::Ordering::SeqCst) {
                    let m = ws_next::<ServerMessage>(&mut ws)
                        .await
                        .unwrap_or_else(|c| panic!("closed {c:?} at revision {}", seen.last));
                    seen.take(m);
                }
                seen
            })
        };
    let ra = reader(a, sa, target.clone());
    let rb = reader(b, sb, target.clone());
    tokio::time::timeout(Duration::from_secs(120), writer)
        .await
        .expect("the writer finishes within 120 s")
        .unwrap();
    let fresh = etcd_client(&etcd).await;
    let to = fresh
        .kv_client()
        .get(
            "/faults/",
            Some(GetOptions::new().with_prefix().with_count_only()),
        )
        .await
        .unwrap()
        .header()
        .unwrap()
        .revision();
    assert!(
        to >= from + 2_999,
        "etcd's revision {to} after 3,000 puts from {from}"
    );
    target.store(to, std::sync::atomic::Ordering::SeqCst);
    let sa = tokio::time::timeout(Duration::from_secs(60), ra)
        .await
        .expect("client a catches up")
        .unwrap();
    let sb = tokio::time::timeout(Duration::from_secs(60), rb)
        .await
        .expect("client b catches up")
        .unwrap();
    sa.assert_exact("client a (through the etcd restart)", from, to);
    sb.assert_exact(
        "client b (through its own reconnect and the etcd restart)",
        from,
        to,
    );
    assert!(
        sa.reconnecting >= 1,
        "client a was told about the lost connection: {sa:?}"
    );
    println!("both clients saw revisions {from}..={to} exactly once across a kill -9 of etcd");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compacted_revision_gets_the_compacted_message() {
    let (etcd, kg) = start("etcd_compaction", &[]);
    let mut kv = etcd_client(&etcd).await.kv_client();
    let mut first = 0;
    for i in 0..20 {
        let r = kv.put("/compact/k", format!("{i}"), None).await.unwrap();
        if i == 0 {
            first = r.header().unwrap().revision();
        }
    }
    let now = kv
        .get("/compact/k", None)
        .await
        .unwrap()
        .header()
        .unwrap()
        .revision();
    etcd_client(&etcd)
        .await
        .compact(now, Some(CompactionOptions::new().with_physical()))
        .await
        .unwrap();
    let mut ws = open(&kg, "default").await;
    send(
        &mut ws,
        &serde_json::json!({"prefix": "/compact/", "start_revision": first}).to_string(),
    )
    .await;
    // etcd confirms the watch, then cancels it as compacted.
    let mut m = ws_next::<ServerMessage>(&mut ws).await;
    if let Ok(ServerMessage::Created { .. }) = m {
        m = ws_next::<ServerMessage>(&mut ws).await;
    }
    match m {
        Ok(ServerMessage::Compacted {
            compact_revision,
            message,
        }) => {
            assert_eq!(compact_revision, now);
            assert!(
                message.contains(&format!("compacted at revision {now}")),
                "{message}"
            );
        }
        other => panic!("expected compacted, got {other:?}"),
    }
    // The socket stays usable: resync with a range read, then watch from its revision + 1.
    let keys: KeysResponse = http()
        .get(kg.url("/api/etcd/default/keys?prefix=/compact/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys.kvs[0].value.as_ref().unwrap().text, "19");
    let r = watch(&mut ws, "/compact/", Some(keys.revision + 1)).await;
    assert_eq!(r, keys.revision);
    kv.put("/compact/k", "20", None).await.unwrap();
    match ws_next::<ServerMessage>(&mut ws).await {
        Ok(ServerMessage::Events { events, .. }) => {
            assert_eq!(events[0].value.as_ref().unwrap().text, "20");
            assert_eq!(events[0].prev_value.as_ref().unwrap().text, "19");
        }
        other => panic!("expected the put, got {other:?}"),
    }
    // A range read at a compacted revision is refused, naming it.
    let r = http()
        .get(kg.url(&format!(
            "/api/etcd/default/keys?prefix=/compact/&revision={first}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("compacted"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_reads_list_keys_under_a_prefix() {
    let (etcd, kg) = start("etcd_keys", &[]);
    let mut kv = etcd_client(&etcd).await.kv_client();
    for (k, v) in [
        ("/app/a", "{\"x\":1}"),
        ("/app/b", "text"),
        ("/app/c", "3"),
        ("/apq", "no"),
    ] {
        kv.put(k, v, None).await.unwrap();
    }
    let before = kv
        .put("/app/a", "{\"x\":2}", None)
        .await
        .unwrap()
        .header()
        .unwrap()
        .revision()
        - 1;
    kv.put(b"/app/\xff".to_vec(), vec![0u8, 1, 2], None)
        .await
        .unwrap();
    let get = |q: &str| {
        let url = kg.url(&format!("/api/etcd/default/keys?{q}"));
        async move { http().get(url).send().await.unwrap() }
    };
    let all: KeysResponse = get("prefix=/app/").await.json().await.unwrap();
    let keys: Vec<&str> = all.kvs.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(keys, ["/app/a", "/app/b", "/app/c", "/app/\u{fffd}"]);
    assert_eq!(all.count, 4);
    assert_eq!(all.kvs[0].value.as_ref().unwrap().text, "{\n  \"x\": 2\n}");
    assert_eq!(all.kvs[3].key_base64.as_deref(), Some("L2FwcC//"));
    assert_eq!(all.kvs[3].value.as_ref().unwrap().text, "000102");
    let limited: KeysResponse = get("prefix=/app/&limit=2&keys_only=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (limited.kvs.len(), limited.more, limited.count),
        (2, true, 4)
    );
    assert!(limited.kvs[0].value.is_none());
    let old: KeysResponse = get(&format!("prefix=/app/a&revision={before}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(old.kvs[0].value.as_ref().unwrap().text, "{\n  \"x\": 1\n}");
    for (q, status, says) in [
        ("prefix=/app/&limit=0", 400, "limit 0"),
        ("prefix=/app/&limt=3", 400, "limt"),
        (
            "prefix=/registry/secrets/default/",
            403,
            "/registry/secrets/",
        ),
        (
            "prefix=/registry/",
            403,
            "includes the denied prefix \\\"/registry/secrets/\\\"",
        ),
    ] {
        let r = get(q).await;
        assert_eq!(r.status(), status, "{q}");
        let text = r.text().await.unwrap();
        assert!(text.contains(says), "{q}: {text}");
    }
    let r = http()
        .get(kg.url("/api/etcd/nope/keys?prefix=/app/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("no etcd cluster \"nope\""), "{message}");
    let clusters: Value = http()
        .get(kg.url("/api/etcd/clusters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clusters["clusters"][0]["name"], "default");
    assert_eq!(clusters["clusters"][0]["endpoints"][0], etcd.url.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_watch_messages_are_refused_and_the_socket_stays_usable() {
    let (etcd, kg) = start("etcd_refusals", &["--etcd-deny-prefix", "/private/"]);
    let mut ws = open(&kg, "default").await;
    let error = |m: Result<ServerMessage, (u16, String)>| match m {
        Ok(ServerMessage::Error { message }) => message,
        other => panic!("expected an error frame, got {other:?}"),
    };
    for (sent, says) in [
        (
            "{\"prefix\": \"/registry/secrets/\"}".to_owned(),
            "/registry/secrets/",
        ),
        (
            "{\"prefix\": \"/private/x\"}".to_owned(),
            "lies under \"/private/\"",
        ),
        (
            "{\"prefix\": \"\"}".to_owned(),
            "includes the denied prefix",
        ),
        ("{nope".to_owned(), "not JSON"),
        (
            "{\"prefix\": \"/a/\", \"prevkv\": true}".to_owned(),
            "unknown field `prevkv`",
        ),
        ("{\"prefix\": 5}".to_owned(), "invalid type"),
        (
            format!("{{\"prefix\": \"{}\"}}", "a".repeat(2000)),
            "longer than the 1024",
        ),
        (
            format!(
                "{{\"prefix\": \"/a/\", \"pad\": \"{}\"}}",
                "x".repeat(20_000)
            ),
            "larger than the 8192",
        ),
    ] {
        send(&mut ws, &sent).await;
        let message = error(ws_next::<ServerMessage>(&mut ws).await);
        assert!(
            message.contains(says),
            "{}: {message}",
            &sent[..sent.len().min(60)]
        );
    }
    ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    assert!(error(ws_next::<ServerMessage>(&mut ws).await).contains("binary message"));
    // Still usable: a good watch works.
    watch(&mut ws, "/ok/", None).await;
    etcd_client(&etcd)
        .await
        .kv_client()
        .put("/ok/1", "x", None)
        .await
        .unwrap();
    match ws_next::<ServerMessage>(&mut ws).await {
        Ok(ServerMessage::Events { events, .. }) => assert_eq!(events[0].key, "/ok/1"),
        other => panic!("{other:?}"),
    }
    // Too many messages at once: the excess is refused.
    for _ in 0..15 {
        send(&mut ws, "{\"cancel\": true}").await;
    }
    let message = loop {
        match ws_next::<ServerMessage>(&mut ws).await {
            Ok(ServerMessage::Error { message }) => break message,
            Ok(ServerMessage::Progress { .. } | ServerMessage::Events { .. }) => continue,
            other => panic!("expected an error frame, got {other:?}"),
        }
    };
    assert!(message.contains("too many messages"), "{message}");
    // A message beyond what is read at all closes the socket with 1009.
    let mut big = open(&kg, "default").await;
    let _ = big.send(Message::text("x".repeat(200_000))).await;
    match ws_next::<ServerMessage>(&mut big).await {
        Err((code, reason)) => {
            assert_eq!(code, 1009, "{reason}");
            assert!(reason.contains("larger than"), "{reason}");
        }
        other => panic!("expected a close, got {other:?}"),
    }
    let r = tokio_tungstenite::connect_async(format!("ws://{}/api/etcd/nope/watch", kg.addr)).await;
    match r {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 404),
        other => panic!("expected 404, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_that_cannot_keep_up_is_closed_with_the_reason() {
    let (etcd, kg) = start("etcd_slow", &[]);
    let mut slow = open(&kg, "default").await;
    let mut fast = open(&kg, "default").await;
    watch(&mut slow, "/slow/", None).await;
    let from = watch(&mut fast, "/slow/", None).await + 1;
    // 6,000 puts of 4 KiB: far more than the queue of 1,024 messages plus socket buffers.
    let client = etcd_client(&etcd).await;
    let value = "v".repeat(4096);
    let mut writers = Vec::new();
    for t in 0..6 {
        let mut kv = client.kv_client();
        let value = value.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..1000 {
                kv.put(format!("/slow/{t}/{i}"), value.clone(), None)
                    .await
                    .unwrap();
            }
        }));
    }
    let mut seen = Seen::default();
    let reading = async {
        read_until(&mut fast, &mut seen, from + 5_999).await;
    };
    let (_, _) = tokio::join!(reading, futures_util::future::join_all(writers));
    seen.assert_exact("the fast client", from, from + 5_999);
    // Only now does the slow client read: what was queued, then the close with its reason.
    let mut events = 0;
    let reason = loop {
        match ws_next::<ServerMessage>(&mut slow).await {
            Ok(ServerMessage::Events { events: e, .. }) => events += e.len(),
            Ok(_) => {}
            Err((code, reason)) => {
                assert_eq!(code, 1008);
                break reason;
            }
        }
    };
    assert!(reason.contains("too slow"), "{reason}");
    assert!(
        events < 6_000,
        "the slow client got {events} events before the close"
    );
    println!("the slow client got {events} events, then: {reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_watch_gets_progress_and_stays_connected() {
    let (etcd, kg) = start("etcd_idle", &[]);
    let mut ws = open(&kg, "default").await;
    let created = watch(&mut ws, "/idle/", None).await;
    // Writes elsewhere move the store's revision; the watch reports progress past them.
    let rev = etcd_client(&etcd)
        .await
        .kv_client()
        .put("/elsewhere", "1", None)
        .await
        .unwrap()
        .header()
        .unwrap()
        .revision();
    let t0 = Instant::now();
    let mut progress = Vec::new();
    while t0.elapsed() < Duration::from_secs(18) {
        match tokio::time::timeout(Duration::from_secs(1), ws_next::<ServerMessage>(&mut ws)).await
        {
            Err(_) => continue,
            Ok(Ok(ServerMessage::Progress { revision })) => progress.push(revision),
            Ok(other) => panic!("an idle watch should only get progress; got {other:?}"),
        }
    }
    assert!(
        progress.len() >= 2,
        "progress every 5 s while idle: {progress:?}"
    );
    assert!(
        progress.iter().all(|r| *r >= rev && rev > created),
        "{progress:?}"
    );
}

/// Runs openssl in `dir`; fails the test with its output when it fails.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("running openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, and a server and a client certificate it signs (for 127.0.0.1), as PEM files.
fn certificates(dir: &std::path::Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=kubeglass-test-ca",
    ]);
    openssl(dir, &ca);
    for name in ["server", "client"] {
        let (key, csr, pem, ext) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.ext"),
        );
        std::fs::write(
            dir.join(&ext),
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n",
        )
        .unwrap();
        let subj = format!("/CN={name}");
        let mut req = vec!["req"];
        req.extend(ec);
        req.extend(["-keyout", &key, "-out", &csr, "-subj", &subj]);
        openssl(dir, &req);
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "2",
                "-extfile",
                &ext,
            ],
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_client_certificates_and_a_password() {
    use etcd_client::{Certificate, ConnectOptions, Identity, TlsOptions};
    let dir = test_dir("etcd_tls");
    certificates(&dir);
    let etcd = EtcdServer::start_with(
        &dir,
        Some([
            dir.join("server.pem"),
            dir.join("server.key"),
            dir.join("ca.pem"),
        ]),
    );
    assert!(etcd.url.starts_with("https://"));
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
    let tls = TlsOptions::new()
        .ca_certificate(Certificate::from_pem(read("ca.pem")))
        .identity(Identity::from_pem(read("client.pem"), read("client.key")));
    let mut admin = Client::connect(
        [etcd.url.as_str()],
        Some(ConnectOptions::new().with_tls(tls.clone())),
    )
    .await
    .unwrap();
    admin.user_add("root", "s3cret", None).await.unwrap();
    admin.user_grant_role("root", "root").await.unwrap();
    admin.auth_enable().await.unwrap();
    let mut kv = Client::connect(
        [etcd.url.as_str()],
        Some(
            ConnectOptions::new()
                .with_tls(tls)
                .with_user("root", "s3cret"),
        ),
    )
    .await
    .unwrap()
    .kv_client();
    kv.put("/tls/a", "secure", None).await.unwrap();

    std::fs::write(dir.join("password"), "s3cret\n").unwrap();
    for sub in ["with-password", "without-password"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let (ca, cert, key, pw) = (
        dir.join("ca.pem"),
        dir.join("client.pem"),
        dir.join("client.key"),
        dir.join("password"),
    );
    let tls_args = [
        "--etcd-ca",
        ca.to_str().unwrap(),
        "--etcd-cert",
        cert.to_str().unwrap(),
        "--etcd-key",
        key.to_str().unwrap(),
    ];
    let mut args = vec!["--etcd", etcd.url.as_str()];
    args.extend(tls_args);
    args.extend([
        "--etcd-user",
        "root",
        "--etcd-password-file",
        pw.to_str().unwrap(),
    ]);
    let kg = Kubeglass::start(&dir.join("with-password"), &args);
    let keys: KeysResponse = http()
        .get(kg.url("/api/etcd/default/keys?prefix=/tls/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys.kvs[0].value.as_ref().unwrap().text, "secure");
    let mut ws = open(&kg, "default").await;
    watch(&mut ws, "/tls/", None).await;
    kv.put("/tls/b", "watched", None).await.unwrap();
    match ws_next::<ServerMessage>(&mut ws).await {
        Ok(ServerMessage::Events { events, .. }) => assert_eq!(events[0].key, "/tls/b"),
        other => panic!("{other:?}"),
    }

    // Without the password, etcd refuses kubeglass, and kubeglass says so.
    let mut args = vec!["--etcd", etcd.url.as_str()];
    args.extend(tls_args);
    let refused = Kubeglass::start(&dir.join("without-password"), &args);
    let r = http()
        .get(refused.url("/api/etcd/default/keys?prefix=/tls/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("etcd cluster default: "),
        "{body}"
    );
    println!("without the password: {}", body["message"]);
}
