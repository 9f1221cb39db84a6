//! Template variables (`templating.list`) and their interpolation into queries, titles and
//! legends, as Grafana's `TemplateSrv.replace` and its format registry
//! (public/app/features/templating/template_srv.ts, formatRegistry.ts) do it.
//!
//! Built-in macros that depend on the query's timing (`$__interval`, `$__rate_interval`,
//! `$__range`…) are not variables here: [`crate::time::interval::interpolate_macros`] replaces them
//! afterwards, and [`interpolate`] leaves them alone. `$__from`, `$__to` and `$__dashboard` are
//! plain values Grafana puts in the scope, so they live here ([`Scope::with_builtins`]).
//!
//! The parts: the variables as a dashboard stores them (`variable`), interpolation
//! (`interpolate`) and the formats values are written in (`formats`), what a query variable
//! asks Prometheus and how its answer becomes options (`query`), and the live state the
//! variables bar keeps ([`state`]).

mod formats;
mod interpolate;
mod query;
pub mod state;
mod variable;

pub use formats::{format_value, Context, ScopeValue};
pub use interpolate::{
    interpolate, interpolate_link, referenced_names, unresolved_references, Scope,
    PLACEHOLDER_VALUE,
};
pub use query::{compile_regex, filter_options, parse_variable_query, sort_options, VariableQuery};
pub use variable::{
    read_variables, AdhocFilter, Variable, VariableKind, VariableOption, ALL_VALUE,
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// The docs' example variable: `servers` with `test1` and `test2` selected.
    fn servers(values: &[&str]) -> Scope {
        let mut s = Scope::new();
        s.set(
            "servers",
            ScopeValue {
                values: values.iter().map(|v| v.to_string()).collect(),
                texts: values.iter().map(|v| v.to_string()).collect(),
                multi: true,
                include_all: false,
                custom_all: None,
            },
        );
        s
    }

    fn fmt(expr: &str, values: &[&str]) -> String {
        interpolate(expr, &servers(values), Context::Text)
    }

    #[test]
    fn syntaxes() {
        // Grafana docs, "Variable syntax".
        let mut s = Scope::new();
        s.set("server", ScopeValue::single("web1"));
        assert_eq!(
            interpolate("apps.$server.requests", &s, Context::Text),
            "apps.web1.requests"
        );
        assert_eq!(
            interpolate("apps.${server}x", &s, Context::Text),
            "apps.web1x"
        );
        assert_eq!(
            interpolate("apps.[[server]].count", &s, Context::Text),
            "apps.web1.count"
        );
        assert_eq!(
            interpolate("$unknown and ${other:csv}", &s, Context::Text),
            "$unknown and ${other:csv}"
        );
        assert_eq!(
            interpolate("rate(x[$__rate_interval])", &s, Context::Prometheus),
            "rate(x[$__rate_interval])"
        );
    }

    #[test]
    fn formats_as_documented() {
        // Grafana docs, "Advanced variable format options", servers = [test1, test2] or test.1.
        assert_eq!(fmt("${servers:csv}", &["test1", "test2"]), "test1,test2");
        assert_eq!(
            fmt("${servers:doublequote}", &["test1", "test2"]),
            r#""test1","test2""#
        );
        assert_eq!(
            fmt("${servers:singlequote}", &["test1", "test2"]),
            "'test1','test2'"
        );
        assert_eq!(fmt("${servers:glob}", &["test1", "test2"]), "{test1,test2}");
        assert_eq!(
            fmt("${servers:json}", &["test1", "test2"]),
            r#"["test1","test2"]"#
        );
        assert_eq!(
            fmt("${servers:lucene}", &["test", "test2"]),
            r#"("test" OR "test2")"#
        );
        assert_eq!(fmt("${servers:pipe}", &["test.1", "test2"]), "test.1|test2");
        // Scenes' raw joins a list with commas (the older template service wrote it as glob).
        assert_eq!(fmt("${servers:raw}", &["test.1", "test2"]), "test.1,test2");
        assert_eq!(
            fmt("${servers:regex}", &["test.1", "test2"]),
            r"(test\.1|test2)"
        );
        assert_eq!(fmt("${servers:regex}", &["test.1"]), r"test\.1");
        assert_eq!(
            fmt("${servers:queryparam}", &["test1", "test2"]),
            "var-servers=test1&var-servers=test2"
        );
        // Scenes encodes a list as it writes it, in braces, and `!'()*` too.
        assert_eq!(
            fmt("${servers:percentencode}", &["foo()bar BAZ", "test2"]),
            "%7Bfoo%28%29bar%20BAZ%2Ctest2%7D"
        );
        assert_eq!(fmt("${servers:text}", &["test1", "test2"]), "test1 + test2");
        assert_eq!(fmt("[[servers:csv]]", &["a", "b"]), "a,b");
        assert_eq!(
            fmt("${servers:sqlstring}", &["test'1", "test2"]),
            "'test''1','test2'"
        );
    }

    #[test]
    fn prometheus_default_formatting() {
        // interpolateQueryExpr: multi values regex-escaped (twice, for the PromQL string).
        let s = servers(&["a.b", "c"]);
        assert_eq!(
            interpolate(r#"up{job=~"$servers"}"#, &s, Context::Prometheus),
            r#"up{job=~"(a\\.b|c)"}"#
        );
        let s = servers(&["a.b"]);
        assert_eq!(
            interpolate(r#"up{job=~"$servers"}"#, &s, Context::Prometheus),
            r#"up{job=~"a\\.b"}"#
        );
        // Neither multi nor include-All: not regex-escaped.
        let mut s = Scope::new();
        s.set("job", ScopeValue::single("a.b"));
        assert_eq!(
            interpolate(r#"up{job="$job"}"#, &s, Context::Prometheus),
            r#"up{job="a.b"}"#
        );
    }

    #[test]
    fn all_uses_all_value_or_every_option() {
        let vars = |all: Value| {
            let (v, _) = read_variables(&json!({"templating": {"list": [{
                "name": "ns", "type": "custom", "query": "a, b.c", "includeAll": true, "allValue": all,
                "current": {"text": "All", "value": "$__all"}}]}}));
            Scope::from_defaults(&v, 3_600_000)
        };
        let with = vars(json!(".*"));
        assert_eq!(
            interpolate(r#"x{ns=~"$ns"}"#, &with, Context::Prometheus),
            r#"x{ns=~".*"}"#
        );
        assert_eq!(interpolate("${ns:text}", &with, Context::Text), "All");
        let without = vars(Value::Null);
        assert_eq!(
            interpolate(r#"x{ns=~"$ns"}"#, &without, Context::Prometheus),
            r#"x{ns=~"(a|b\\.c)"}"#
        );
        assert_eq!(interpolate("${ns:csv}", &without, Context::Text), "a,b.c");
    }

    #[test]
    fn defaults_current_then_first_option_then_placeholder() {
        let (vars, errors) = read_variables(&json!({"templating": {"list": [
            {"name": "a", "type": "query", "query": {"query": "label_values(up, job)", "refId": "x"},
             "current": {"text": ["x", "y"], "value": ["x", "y"]}, "multi": true},
            {"name": "b", "type": "query", "query": "label_values(up, instance)"},
            {"name": "c", "type": "custom", "query": "1s, 15s"},
            {"name": "d", "type": "constant", "query": "k"},
            {"name": "e", "type": "interval", "query": "1m,5m", "auto": true, "auto_count": 30, "auto_min": "10s",
             "current": {"text": "auto", "value": "$__auto_interval_e"}},
            {"name": "f", "type": "textbox", "query": "hello"},
            {"type": "query"}
        ]}}));
        assert_eq!(
            errors,
            vec!["dashboard.templating.list[6].name: a variable needs a name".to_string()]
        );
        let s = Scope::from_defaults(&vars, 3_600_000);
        let p = |e: &str| interpolate(e, &s, Context::Prometheus);
        assert_eq!(p("$a"), "(x|y)");
        assert_eq!(p("$b"), "value");
        assert_eq!(p("$c"), "1s");
        assert_eq!(p("$d"), "k");
        // calculateInterval(1h / 30 = 120s) -> 2m.
        assert_eq!(p("$e"), "2m");
        assert_eq!(p("$f"), "hello");
    }

    #[test]
    fn unresolved_references_are_variables_only() {
        assert_eq!(
            unresolved_references(r#"up{job=~"^a$", x="$foo"}[${bar}] [[baz]]"#),
            vec!["$foo", "${bar}", "[[baz]]"]
        );
        assert!(unresolved_references(r#"up{job=~"^node$"}"#).is_empty());
        assert!(unresolved_references(r#"label_replace(up, "a", "$1", "b", "(.*)")"#).is_empty());
        assert!(unresolved_references("µs $ [[]] [[a b]]").is_empty());
    }

    #[test]
    fn builtins_from_to_dashboard() {
        let s = Scope::new().with_builtins(1000, 2000, "Nodes");
        assert_eq!(
            interpolate("$__from-${__to}:$__dashboard", &s, Context::Text),
            "1000-2000:Nodes"
        );
        // Grafana docs, "Global variables": `${__from:date}`, `:date:iso`, `:date:seconds`.
        let s = Scope::new().with_builtins(1_594_671_549_254, 1_594_671_549_254, "x");
        assert_eq!(
            interpolate("${__from:date}", &s, Context::Text),
            "2020-07-13T20:19:09.254Z"
        );
        assert_eq!(
            interpolate("${__to:date:iso}", &s, Context::Text),
            "2020-07-13T20:19:09.254Z"
        );
        assert_eq!(
            interpolate("${__from:date:seconds}", &s, Context::Text),
            "1594671549"
        );
        assert_eq!(
            interpolate("${__from:date:YYYY-MM}", &s, Context::Text),
            "2020-07"
        );
        assert_eq!(
            interpolate(
                "${__from:date:ddd, Do MMM YYYY h:mm A [UTC]}",
                &s,
                Context::Text
            ),
            "Mon, 13th Jul 2020 8:19 PM UTC"
        );
    }

    #[test]
    fn variable_queries() {
        assert_eq!(
            parse_variable_query("label_names()"),
            VariableQuery::LabelNames
        );
        assert_eq!(
            parse_variable_query("label_values(job)"),
            VariableQuery::LabelValues {
                metric: None,
                label: "job".into()
            }
        );
        assert_eq!(
            parse_variable_query(r#"label_values(kube_pod_info{namespace="$ns"}, pod)"#),
            VariableQuery::LabelValues {
                metric: Some(r#"kube_pod_info{namespace="$ns"}"#.into()),
                label: "pod".into()
            }
        );
        assert_eq!(
            parse_variable_query("metrics(node_.*)"),
            VariableQuery::Metrics {
                regex: "node_.*".into()
            }
        );
        assert_eq!(
            parse_variable_query("query_result(topk(5, up))"),
            VariableQuery::QueryResult {
                expr: "topk(5, up)".into()
            }
        );
        assert_eq!(
            parse_variable_query("up{job=\"x\"}"),
            VariableQuery::Series {
                selector: "up{job=\"x\"}".into()
            }
        );
    }

    #[test]
    fn regex_filter_with_capture_groups() {
        let raw: Vec<String> = ["node-1:9100", "node-2:9100", "node-1:9100", "other"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let re = compile_regex("instance", "/([^:]+):.*/").unwrap();
        let opts = filter_options(&raw, Some(&re));
        assert_eq!(
            opts.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(),
            vec!["node-1", "node-2"]
        );
        let re = compile_regex("x", "/(?<text>[^:]+):(?<value>\\d+)/").unwrap();
        let opts = filter_options(&raw[..1], Some(&re));
        assert_eq!(
            opts,
            vec![VariableOption {
                text: "node-1".into(),
                value: "9100".into()
            }]
        );
        let re = compile_regex("x", "/OTHER/i").unwrap();
        assert_eq!(filter_options(&raw, Some(&re)).len(), 1);
        // A bare pattern must match the whole value.
        let re = compile_regex("x", "node").unwrap();
        assert!(filter_options(&raw, Some(&re)).is_empty());
        assert!(compile_regex("x", "/(/")
            .unwrap_err()
            .starts_with("variable `x`: regex `/(/`"));
    }

    #[test]
    fn sort_modes() {
        let texts = |sort: u8| {
            let mut o: Vec<VariableOption> = ["b10", "a2", "B1", "a10"]
                .iter()
                .map(|t| VariableOption {
                    text: t.to_string(),
                    value: t.to_string(),
                })
                .collect();
            sort_options(&mut o, sort);
            o.into_iter().map(|o| o.text).collect::<Vec<_>>()
        };
        assert_eq!(texts(0), vec!["b10", "a2", "B1", "a10"]);
        assert_eq!(texts(1), vec!["B1", "a10", "a2", "b10"]);
        assert_eq!(texts(2), vec!["b10", "a2", "a10", "B1"]);
        assert_eq!(texts(3), vec!["B1", "a2", "b10", "a10"]);
        assert_eq!(texts(4), vec!["a10", "b10", "a2", "B1"]);
        assert_eq!(texts(5), vec!["a10", "a2", "B1", "b10"]);
        assert_eq!(texts(7), vec!["a2", "a10", "B1", "b10"]);
        assert_eq!(texts(8), vec!["b10", "B1", "a10", "a2"]);
    }

    #[test]
    fn custom_options_from_query() {
        let (v, _) = read_variables(&json!({"templating": {"list": [
            {"name": "c", "type": "custom", "query": "a\\,b, Prod : prod ,c"}]}}));
        assert_eq!(
            v[0].options_from_query(),
            vec![
                VariableOption {
                    text: "a,b".into(),
                    value: "a,b".into()
                },
                VariableOption {
                    text: "Prod".into(),
                    value: "prod".into()
                },
                VariableOption {
                    text: "c".into(),
                    value: "c".into()
                }
            ]
        );
    }

    #[test]
    fn data_links_take_row_values_and_variables() {
        let mut scope = Scope::new().with_builtins(1000, 2000, "D");
        scope.set("cluster", ScopeValue::single("prod"));
        scope.set("datasource", ScopeValue::single("Prom 1"));
        let lookup = |name: &str, path: Option<&str>| match (name, path) {
            ("__data", Some("fields.Pod")) => Some("web 1".to_string()),
            ("__value", Some("raw")) => Some("42".to_string()),
            ("__cell_1", None) => Some("c1".to_string()),
            _ => None,
        };
        let url = "/d/x?${datasource:queryparam}&var-cluster=$cluster&var-pod=${__data.fields.Pod}&${__url_time_range}";
        assert_eq!(
            interpolate_link(url, &scope, &lookup),
            "/d/x?var-datasource=Prom%201&var-cluster=prod&var-pod=web 1&from=1000&to=2000"
        );
        assert_eq!(
            interpolate_link(
                "q=${__data.fields.Pod:percentencode}&v=${__value.raw}&c=$__cell_1",
                &scope,
                &lookup
            ),
            "q=web%201&v=42&c=c1"
        );
        assert_eq!(
            interpolate_link("${__data.fields.Missing}&$unknown", &scope, &lookup),
            "${__data.fields.Missing}&$unknown",
            "what is not known stays as written"
        );
    }
}
