//! Hostile input for everything that reads outside data: dashboard import (text and JSON
//! shapes), template interpolation, time ranges and WebSocket messages. Each property is that
//! the code returns — a value or an error — without panicking, and that what it returns is
//! bounded by what it was given.
//!
//! `cargo xtask test` runs these with proptest's default number of cases; `cargo xtask fuzz`
//! runs them with many more (`PROPTEST_CASES`).

use kubeglass_shared::model::import::parse_dashboard;
use kubeglass_shared::model::migrate::migrate;
use kubeglass_shared::model::template::{interpolate, Context, Scope, ScopeValue};
use kubeglass_shared::model::validate::validate_dashboard;
use kubeglass_shared::model::Dashboard;
use kubeglass_shared::time::{parse_time, TimeRange};
use proptest::prelude::*;
use serde_json::{json, Value};

/// JSON values of any shape, with the keys and values dashboards use most, so that the
/// generated documents reach deep into the migrations.
fn arb_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("panels".to_owned()),
        Just("rows".to_owned()),
        Just("type".to_owned()),
        Just("targets".to_owned()),
        Just("expr".to_owned()),
        Just("gridPos".to_owned()),
        Just("schemaVersion".to_owned()),
        Just("templating".to_owned()),
        Just("list".to_owned()),
        Just("fieldConfig".to_owned()),
        Just("options".to_owned()),
        Just("thresholds".to_owned()),
        Just("yaxes".to_owned()),
        Just("collapsed".to_owned()),
        Just("datasource".to_owned()),
        Just("repeat".to_owned()),
        Just("h".to_owned()),
        Just("w".to_owned()),
        Just("id".to_owned()),
        "[a-z_]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just("graph"),
            Just("singlestat"),
            Just("table"),
            Just("row"),
            Just("timeseries"),
            Just("stat"),
            Just("gauge"),
            Just("text"),
            Just("$var"),
            Just("${DS_PROMETHEUS}"),
            Just("rate(x[$__rate_interval])"),
            Just("null as zero"),
        ]
        .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// The number of values in a document, containers included.
fn nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(nodes).sum(),
        Value::Object(o) => o.values().map(nodes).sum(),
        _ => 0,
    }
}

fn scope() -> Scope {
    let mut s = Scope::new().with_builtins(0, 3_600_000, "fuzz");
    s.set("job", ScopeValue::single("node"));
    s.set(
        "instance",
        ScopeValue {
            values: vec!["a|b".into(), "c.d:9100".into(), "$job".into()],
            texts: vec!["a|b".into(), "c.d:9100".into(), "$job".into()],
            multi: true,
            ..ScopeValue::default()
        },
    );
    s
}

proptest! {
    #[test]
    fn import_text_never_panics(text in ".{0,400}") {
        let _ = parse_dashboard(&text);
    }

    #[test]
    fn import_of_any_json_shape_never_panics(doc in arb_json()) {
        let _ = validate_dashboard(&doc);
        let migrated = migrate(doc.clone());
        let d = Dashboard::from_json(&migrated.dashboard);
        let _ = Dashboard::from_stored(doc);
        // A migration never multiplies panels: at most one per value in the document.
        prop_assert!(d.panels.len() <= nodes(&migrated.dashboard));
    }

    #[test]
    fn wrapped_in_a_dashboard_any_panel_migrates(panel in arb_json(), version in 0i64..45) {
        let doc = json!({"schemaVersion": version, "panels": [panel.clone()], "rows": [{"panels": [panel]}]});
        let _ = Dashboard::from_json(&migrate(doc).dashboard);
    }

    #[test]
    fn interpolation_never_panics_and_stays_bounded(text in "([a-z ]|\\$|\\{|\\}|\\[|\\]|:|job|instance|__interval|__from|__to|raw|regex|pipe|csv|json|glob|text|queryparam|date|\\.){0,60}") {
        let s = scope();
        for ctx in [Context::Prometheus, Context::Text] {
            let out = interpolate(&text, &s, ctx);
            // Each reference expands to at most the joined values, escaped: bounded growth.
            prop_assert!(out.len() <= 64 * text.len().max(1), "{} -> {}", text, out);
        }
    }

    #[test]
    fn time_parsing_never_panics(t in "(now|[-+/]|[0-9]{1,20}|[smhdwMy]|T|:|Z|\\.| ){0,16}") {
        let _ = parse_time(&t);
        let _ = TimeRange::new(t.clone(), "now").resolve(1_700_000_000_000);
        let _ = TimeRange::new("now-6h", t).resolve(1_700_000_000_000);
    }

    #[test]
    fn intervals_are_bounded_and_their_arithmetic_never_overflows(
        text in "(>|-|inf|NaN|1e300|9{1,25}|[0-9]{1,6}|\\.|ms|s|m|h|d|w|M|y| ){0,8}",
        from in any::<i64>(),
        to in any::<i64>(),
        resolution in any::<u32>(),
        factor in any::<u32>(),
    ) {
        use kubeglass_shared::time::interval::{parse_interval, query_timing, QueryContext, MAX_INTERVAL_MS};
        if let Ok(ms) = parse_interval(&text) {
            prop_assert!((0..=MAX_INTERVAL_MS).contains(&ms), "{} -> {}", text, ms);
        }
        let ctx = QueryContext {
            range: kubeglass_shared::time::ResolvedRange { from_ms: from, to_ms: to },
            resolution,
            panel_min_interval: Some(&text),
            target_min_interval: Some("1e300"),
            datasource_interval: &text,
            interval_factor: factor,
        };
        // Returns a timing or an error; never panics (overflow checks are on in tests).
        let _ = query_timing(&ctx);
        let _ = query_timing(&QueryContext { target_min_interval: None, ..ctx.clone() });
        let _ = query_timing(&QueryContext { panel_min_interval: None, target_min_interval: None, datasource_interval: "100y", ..ctx });
    }

    #[test]
    fn watch_messages_from_browsers_never_panic(text in ".{0,300}", doc in arb_json()) {
        let _ = kubeglass_shared::etcd::ClientMessage::parse(&text);
        let _ = kubeglass_shared::etcd::ClientMessage::parse(&doc.to_string());
        let _ = serde_json::from_str::<kubeglass_shared::k8s::WatchMessage>(&doc.to_string());
    }
}
