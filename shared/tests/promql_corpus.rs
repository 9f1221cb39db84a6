//! The ad hoc filter injector ([`kubeglass_shared::prom::promql::add_label_matchers`]) checked with a
//! real PromQL parser (promql-parser, a dev-dependency only) over every query expression of the
//! dashboard corpus, interpolated with each dashboard's default variable values: the result
//! still parses, has as many vector selectors as before, and every one of them carries the
//! filters. A property test does the same over generated expressions.

use kubeglass_shared::model::migrate::migrate;
use kubeglass_shared::model::template::{interpolate, read_variables, AdhocFilter, Context, Scope};
use kubeglass_shared::model::{Dashboard, Panel};
use kubeglass_shared::prom::promql::add_label_matchers;
use kubeglass_shared::time::interval::{interpolate_macros, query_timing, QueryContext};
use kubeglass_shared::time::ResolvedRange;
use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr, VectorSelector};
use proptest::prelude::*;

fn filters() -> Vec<AdhocFilter> {
    vec![
        AdhocFilter {
            key: "kg_adhoc".into(),
            operator: "=".into(),
            value: "a \"quoted\" value".into(),
        },
        AdhocFilter {
            key: "kg_adhoc_re".into(),
            operator: "=~".into(),
            value: r"node|x\.y".into(),
        },
    ]
}

/// Every vector selector of `e` (those of range selectors too).
fn selectors<'a>(e: &'a Expr, out: &mut Vec<&'a VectorSelector>) {
    match e {
        Expr::VectorSelector(v) => out.push(v),
        Expr::MatrixSelector(m) => out.push(&m.vs),
        Expr::Aggregate(a) => {
            selectors(&a.expr, out);
            if let Some(p) = &a.param {
                selectors(p, out);
            }
        }
        Expr::Unary(u) => selectors(&u.expr, out),
        Expr::Binary(b) => {
            selectors(&b.lhs, out);
            selectors(&b.rhs, out);
        }
        Expr::Paren(p) => selectors(&p.expr, out),
        Expr::Subquery(s) => selectors(&s.expr, out),
        Expr::Call(c) => c.args.args.iter().for_each(|a| selectors(a, out)),
        _ => {}
    }
}

/// Checks one expression; `Ok(false)` when the expression does not parse to begin with.
fn check(expr: &str) -> Result<bool, String> {
    let Ok(before) = parser::parse(expr) else {
        return Ok(false);
    };
    let injected = add_label_matchers(expr, &filters());
    let after = parser::parse(&injected)
        .map_err(|e| format!("`{expr}` became `{injected}`, which does not parse: {e}"))?;
    let (mut b, mut a) = (Vec::new(), Vec::new());
    selectors(&before, &mut b);
    selectors(&after, &mut a);
    if a.len() != b.len() {
        return Err(format!(
            "`{expr}` had {} selectors, `{injected}` has {}",
            b.len(),
            a.len()
        ));
    }
    for (old, new) in b.iter().zip(&a) {
        let m = &new.matchers.matchers;
        let eq = m.iter().any(|m| {
            m.name == "kg_adhoc" && m.op == MatchOp::Equal && m.value == "a \"quoted\" value"
        });
        let re = m.iter().any(|m| {
            m.name == "kg_adhoc_re" && matches!(m.op, MatchOp::Re(_)) && m.value == r"node|x\.y"
        });
        if !(eq && re) {
            return Err(format!(
                "a selector of `{injected}` lacks the filters: {new:?}"
            ));
        }
        // The selector's own matchers are all kept.
        for own in &old.matchers.matchers {
            if !m.contains(own) {
                return Err(format!("`{injected}` lost the matcher {own:?}"));
            }
        }
        if old.name != new.name {
            return Err(format!("`{injected}` renamed {:?}", old.name));
        }
    }
    Ok(true)
}

fn all_panels(panels: &[Panel]) -> Vec<&Panel> {
    let mut out = Vec::new();
    for p in panels {
        out.push(p);
        out.extend(all_panels(&p.panels));
    }
    out
}

#[test]
fn every_corpus_expression_keeps_parsing_with_the_filters_on_each_selector() {
    // The project's own test dashboards always; the real ones of the corpus when it is
    // beside the project.
    let mut files = xtask::skip::json_files(&xtask::skip::project_dashboards());
    let project = files.len();
    assert!(project >= 3, "{project} test dashboards");
    if let Some(dir) = xtask::skip::corpus(
        "promql_corpus::every_corpus_expression_keeps_parsing_with_the_filters_on_each_selector",
    ) {
        let corpus = xtask::skip::json_files(&dir);
        assert!(corpus.len() >= 29, "{} corpus files", corpus.len());
        files.extend(corpus);
    }
    let range = ResolvedRange {
        from_ms: 1_700_000_000_000,
        to_ms: 1_700_003_600_000,
    };
    let (mut checked, mut unparsable, mut failures) = (0, Vec::new(), Vec::new());
    for file in &files {
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let migrated = migrate(json).dashboard;
        let (vars, _) = read_variables(&migrated);
        let scope = Scope::from_defaults(&vars, range.to_ms - range.from_ms).with_builtins(
            range.from_ms,
            range.to_ms,
            "corpus",
        );
        let dashboard = Dashboard::from_json(&migrated);
        for panel in all_panels(&dashboard.panels) {
            for t in &panel.targets {
                if t.expr.trim().is_empty() {
                    continue;
                }
                let timing = query_timing(&QueryContext {
                    range,
                    resolution: 1000,
                    panel_min_interval: None,
                    target_min_interval: None,
                    datasource_interval: "15s",
                    interval_factor: 1,
                })
                .unwrap();
                let expr =
                    interpolate_macros(&interpolate(&t.expr, &scope, Context::Prometheus), &timing);
                match check(&expr) {
                    Ok(true) => checked += 1,
                    Ok(false) => unparsable.push(expr),
                    Err(e) => failures.push(format!("{}: {e}", file.display())),
                }
            }
        }
    }
    println!(
        "{checked} corpus expressions checked; {} do not parse before injection",
        unparsable.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let least = if files.len() > project { 1000 } else { 10 };
    assert!(checked > least, "only {checked} expressions checked");
    // Nearly all corpus expressions are valid PromQL once interpolated.
    assert!(
        unparsable.len() * 100 <= checked,
        "{} expressions do not parse: {:#?}",
        unparsable.len(),
        &unparsable[..unparsable.len().min(10)]
    );
}

/// Expressions built from the pieces PromQL is made of.
fn arb_expr() -> impl Strategy<Value = String> {
    let metric = prop_oneof![
        Just("up".to_string()),
        Just("node_cpu_seconds_total".to_string()),
        Just("x:rate5m".to_string()),
        Just("sum_total".to_string()),
        Just("by_name".to_string()),
    ];
    let matchers = prop_oneof![
        Just(String::new()),
        Just("{}".to_string()),
        Just(r#"{job="a"}"#.to_string()),
        Just(r#"{job=~"a|b", mode!="idle",}"#.to_string()),
        Just(r#"{le="+Inf"}"#.to_string()),
    ];
    let selector = (metric, matchers).prop_map(|(m, s)| format!("{m}{s}"));
    let leaf = prop_oneof![
        selector.clone(),
        selector.prop_map(|s| format!("rate({s}[5m])")),
    ];
    leaf.prop_recursive(4, 32, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| format!("rate(({e})[5m:1m])")),
            inner
                .clone()
                .prop_map(|e| format!("sum by (job, le) ({e})")),
            inner
                .clone()
                .prop_map(|e| format!("sum({e}) without (instance)")),
            inner
                .clone()
                .prop_map(|e| format!("max_over_time(({e})[1h:1m] offset 5m)")),
            inner
                .clone()
                .prop_map(|e| format!("histogram_quantile(0.9, {e})")),
            inner
                .clone()
                .prop_map(|e| format!("label_replace({e}, \"a\", \"$1\", \"b\", \"(.*)\")")),
            inner.clone().prop_map(|e| format!("topk(5, {e})")),
            inner.clone().prop_map(|e| format!("(-({e}))")),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("{a} / on (instance) group_left (node) {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} > bool 1e-3 * {b}")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("{a} and {b} unless vector(1)")),
        ]
    })
}

proptest! {
    /// Any text (outside input: a dashboard's expression, a URL's filter) is handled without a
    /// panic, and only ever grows by the matchers added.
    #[test]
    fn any_text_is_handled(
        text in prop_oneof!["\\PC{0,200}", "[a-z0-9{}()\\[\\]\"'`$#,=~! :._\n-]{0,80}"],
        url in "[a-z|=!~_\\PC]{0,40}",
    ) {
        let out = add_label_matchers(&text, &filters());
        prop_assert!(out.len() >= text.len());
        let _ = kubeglass_shared::model::template::state::parse_adhoc_url(&url);
    }

    #[test]
    fn generated_expressions_keep_parsing_with_the_filters(expr in arb_expr()) {
        match check(&expr) {
            Ok(parsed) => prop_assert!(parsed, "the generator made `{}`, which does not parse", expr),
            Err(e) => prop_assert!(false, "{}", e),
        }
    }
}
