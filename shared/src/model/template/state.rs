//! The live state of a dashboard's template variables, as the variables bar keeps it: which
//! options each variable offers (asked of Prometheus for query variables), which values are
//! selected (from the URL's `var-NAME` parameters as Grafana writes them, else the saved
//! ones), in which order chained variables are resolved, and the panels as they look once
//! interpolated with the result.
//!
//! The front end only fetches and draws; every decision is here, so that it is tested once and
//! the scope it builds is the one [`crate::model::template::Scope::from_defaults`] builds for the
//! backend's checks of signed embed links.

use crate::api::{is_valid_label_name, prometheus_api_base, DataSourceInfo};
use crate::model::template::{
    compile_regex, filter_options, interpolate, read_variables, referenced_names, sort_options,
    AdhocFilter, Context, Scope, ScopeValue, Variable, VariableKind, VariableOption, VariableQuery,
    ALL_VALUE,
};
use crate::model::{read_datasource, resolve_datasource, Dashboard, DataSourceRef, Panel};
use crate::prom::query::{form_encode, seconds};
use crate::time::ResolvedRange;
use serde_json::Value;
use std::collections::BTreeMap;

/// The URL query parameter holding a variable's values (`var-job`), repeated for several.
pub fn url_key(name: &str) -> String {
    format!("var-{name}")
}

/// The selected values the URL gives, by variable name.
pub type UrlValues = BTreeMap<String, Vec<String>>;

/// The option Grafana lists first when `includeAll` is set.
fn all_option() -> VariableOption {
    VariableOption {
        text: "All".into(),
        value: ALL_VALUE.into(),
    }
}

/// The value of an interval variable's `auto` option, as Grafana stores it.
fn auto_value(name: &str) -> String {
    format!("$__auto_interval_{name}")
}

/// Reads a stored dashboard as the dashboard view shows it, with its variables: both from the
/// JSON migrated once to the current schema.
pub fn read_stored(json: Value) -> (Dashboard, Vec<Variable>) {
    read_migrated(&crate::model::migrate::migrate(json).dashboard)
}

/// As [`read_stored`], for a dashboard already migrated (by the server, for the UI).
pub fn read_migrated(migrated: &Value) -> (Dashboard, Vec<Variable>) {
    let (vars, _) = read_variables(migrated);
    (Dashboard::from_json(migrated), vars)
}

/// The names of the other variables `var` depends on: those its query, regex or data source
/// refers to. A query variable is resolved again when one of them changes.
pub fn dependencies(var: &Variable, vars: &[Variable]) -> Vec<String> {
    let mut text = var.query.clone();
    if let Some(r) = &var.regex {
        text.push(' ');
        text.push_str(r);
    }
    if let Some(ds) = &var.datasource {
        text.push(' ');
        text.push_str(&ds.to_string());
    }
    referenced_names(&text)
        .into_iter()
        .filter(|n| n != &var.name && vars.iter().any(|v| &v.name == n))
        .collect()
}

/// The order in which to resolve the variables: each after those it depends on, otherwise in
/// the dashboard's order. Variables in a cycle (which Grafana refuses) keep the dashboard's
/// order after the others.
pub fn resolution_order(vars: &[Variable]) -> Vec<usize> {
    let deps: Vec<Vec<usize>> = vars
        .iter()
        .map(|v| {
            dependencies(v, vars)
                .iter()
                .filter_map(|n| vars.iter().position(|o| &o.name == n))
                .collect()
        })
        .collect();
    let mut done = vec![false; vars.len()];
    let mut order = Vec::with_capacity(vars.len());
    while order.len() < vars.len() {
        let next = (0..vars.len()).find(|&i| !done[i] && deps[i].iter().all(|&d| done[d]));
        match next {
            Some(i) => {
                done[i] = true;
                order.push(i);
            }
            None => {
                order.extend((0..vars.len()).filter(|&i| !done[i]));
                break;
            }
        }
    }
    order
}

/// The options of a variable that are known without asking Prometheus: custom and interval
/// variables read their query (interval adds `auto` first when enabled), datasource variables
/// list the configured data sources of their plugin type (filtered by `regex`), and `includeAll`
/// adds All first. Query variables keep what they have; others have none.
pub fn static_options(var: &Variable, sources: &[DataSourceInfo]) -> Vec<VariableOption> {
    let mut options = match var.kind {
        VariableKind::Custom => var.options_from_query(),
        VariableKind::Interval => {
            let mut o = Vec::new();
            if var.auto {
                o.push(VariableOption {
                    text: "auto".into(),
                    value: auto_value(&var.name),
                });
            }
            o.extend(var.options_from_query());
            o
        }
        VariableKind::Datasource => {
            let kind = if var.query.is_empty() {
                "prometheus"
            } else {
                var.query.as_str()
            };
            let regex = var
                .regex
                .as_deref()
                .and_then(|r| compile_regex(&var.name, r).ok());
            sources
                .iter()
                .filter(|s| s.kind == kind)
                .filter(|s| regex.as_ref().is_none_or(|r| r.is_match(&s.name)))
                .map(|s| VariableOption {
                    text: s.name.clone(),
                    value: s.uid.clone(),
                })
                .collect()
        }
        VariableKind::Query => return var.options.clone(),
        _ => Vec::new(),
    };
    if var.include_all && !options.is_empty() {
        options.insert(0, all_option());
    }
    options
}

/// The options of a query variable from the raw values its query returned: the variable's
/// `regex` applied (capture groups, `text`/`value` named groups), then `sort`, then All first
/// when `includeAll`. An invalid regex is an error naming the variable.
pub fn query_options(var: &Variable, raw: &[String]) -> Result<Vec<VariableOption>, String> {
    let regex = match &var.regex {
        Some(r) => Some(compile_regex(&var.name, r)?),
        None => None,
    };
    let mut options = filter_options(raw, regex.as_ref());
    sort_options(&mut options, var.sort);
    if var.include_all {
        options.insert(0, all_option());
    }
    Ok(options)
}

/// The HTTP request (a GET URL through kubeglass's proxy to data source `datasource_uid`) that
/// lists the raw values of a query variable's (already interpolated) query, as Grafana's
/// `PrometheusMetricFindQuery` asks them. Label queries are limited to `range`, as Grafana does.
pub fn options_url(
    query: &VariableQuery,
    datasource_uid: &str,
    range: ResolvedRange,
) -> Result<String, String> {
    let base = prometheus_api_base(datasource_uid);
    let window = format!(
        "start={}&end={}",
        seconds(range.from_ms),
        seconds(range.to_ms)
    );
    let label_url = |label: &str, matcher: Option<&str>| {
        if !is_valid_label_name(label) {
            return Err(format!("`{label}` is not a label name"));
        }
        Ok(match matcher {
            Some(m) => format!(
                "{base}/label/{label}/values?match[]={}&{window}",
                form_encode(m)
            ),
            None => format!("{base}/label/{label}/values?{window}"),
        })
    };
    match query {
        VariableQuery::LabelNames => Ok(format!("{base}/labels?{window}")),
        VariableQuery::LabelValues { metric, label } => label_url(label, metric.as_deref()),
        VariableQuery::Metrics { .. } => label_url("__name__", None),
        VariableQuery::QueryResult { expr } => Ok(format!(
            "{base}/query?query={}&time={}",
            form_encode(expr),
            seconds(range.to_ms)
        )),
        VariableQuery::Series { selector } => Ok(format!(
            "{base}/series?match[]={}&{window}",
            form_encode(selector)
        )),
    }
}

/// The `data` of a Prometheus API answer, or its error.
fn answer_data(body: &str) -> Result<Value, String> {
    let v: Value =
        serde_json::from_str(body).map_err(|e| format!("the answer is not JSON: {e}"))?;
    if v.get("status").and_then(Value::as_str) == Some("error") {
        let msg = v.get("error").and_then(Value::as_str).unwrap_or("error");
        return Err(msg.to_string());
    }
    v.get("data")
        .cloned()
        .ok_or_else(|| "the answer has no `data`".to_string())
}

/// A series' labels as Grafana writes them: `name{a="x",b="y"}` (`__name__` first, unquoted;
/// the others in the answer's order).
fn series_text(labels: &serde_json::Map<String, Value>) -> String {
    let name = labels.get("__name__").and_then(Value::as_str).unwrap_or("");
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| format!("{k}=\"{}\"", v.as_str().unwrap_or_default()))
        .collect();
    format!("{name}{{{}}}", rest.join(","))
}

/// A `query_result(expr)` answer as Grafana lists it: for a vector, one line per sample
/// `metric{labels} value timestamp_ms`; for a scalar or string, its value.
pub fn query_result_texts(body: &str) -> Result<Vec<String>, String> {
    let data = answer_data(body)?;
    let result = data.get("result");
    match data.get("resultType").and_then(Value::as_str) {
        Some("scalar") | Some("string") => Ok(result
            .and_then(|r| r.get(1))
            .and_then(Value::as_str)
            .map(|s| vec![s.to_string()])
            .unwrap_or_default()),
        Some("vector") => Ok(result
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|sample| {
                let empty = serde_json::Map::new();
                let labels = sample
                    .get("metric")
                    .and_then(Value::as_object)
                    .unwrap_or(&empty);
                let time = sample
                    .pointer("/value/0")
                    .and_then(Value::as_f64)
                    .unwrap_or(0.0);
                let value = sample
                    .pointer("/value/1")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                format!(
                    "{} {value} {}",
                    series_text(labels),
                    (time * 1000.0).round() as i64
                )
            })
            .collect()),
        other => Err(format!(
            "query_result needs an instant vector, scalar or string, not {}",
            other.unwrap_or("nothing")
        )),
    }
}

/// The raw values of a query variable from the answer to [`options_url`]'s request.
pub fn raw_values(query: &VariableQuery, body: &str) -> Result<Vec<String>, String> {
    if let VariableQuery::QueryResult { .. } = query {
        return query_result_texts(body);
    }
    let data = answer_data(body)?;
    let items = data.as_array().cloned().unwrap_or_default();
    match query {
        VariableQuery::Series { .. } => Ok(items
            .iter()
            .filter_map(Value::as_object)
            .map(series_text)
            .collect()),
        VariableQuery::Metrics { regex } => {
            let re = crate::js::regex::Regex::new(regex, "")
                .map_err(|e| format!("metrics({regex}): invalid regex: {e}"))?;
            Ok(items
                .iter()
                .filter_map(Value::as_str)
                .filter(|m| re.is_match(m))
                .map(str::to_string)
                .collect())
        }
        _ => Ok(items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()),
    }
}

/// The values selected once a variable's options are known, as Grafana chooses them: the URL's
/// values when it has some (kept even when they are not options, as Grafana keeps them); else
/// the saved values when they are still options (or All, when offered); else the first option.
/// A variable with no options keeps its values; a textbox's default (and a constant) is its
/// query.
pub fn select_current(var: &Variable, url: Option<&[String]>) -> Vec<String> {
    if let Some(values) = url.filter(|v| !v.is_empty()) {
        return values.to_vec();
    }
    if matches!(var.kind, VariableKind::Textbox | VariableKind::Constant) {
        return if var.current.is_empty() || var.kind == VariableKind::Constant {
            vec![var.query.clone()]
        } else {
            var.current.clone()
        };
    }
    let has = |v: &String| var.options.iter().any(|o| &o.value == v);
    let saved_ok = !var.current.is_empty()
        && var.current.iter().all(|c| {
            has(c)
                || (c == ALL_VALUE && var.include_all)
                || (var.kind == VariableKind::Interval && c == "auto")
        });
    if saved_ok || var.options.is_empty() {
        return var.current.clone();
    }
    vec![var.options[0].value.clone()]
}

/// Sets `current` (and its texts, from the options) of every variable the URL names.
pub fn apply_url(vars: &mut [Variable], url: &UrlValues) {
    for var in vars.iter_mut() {
        if matches!(var.kind, VariableKind::Constant) {
            continue;
        }
        if let Some(values) = url.get(&var.name).filter(|v| !v.is_empty()) {
            set_current(var, values.clone());
        }
    }
}

/// Selects `values` (texts taken from the matching options).
pub fn set_current(var: &mut Variable, values: Vec<String>) {
    var.current_text = values
        .iter()
        .map(|v| {
            var.options
                .iter()
                .find(|o| &o.value == v)
                .map_or_else(|| v.clone(), |o| o.text.clone())
        })
        .collect();
    var.current = values;
}

/// The scope the dashboard's panels are interpolated with: the variables as they stand, with
/// the URL's values over them, read exactly as the backend reads saved values.
///
/// A variable set to All with a custom all value is written as that value; its options are
/// kept as its values too, so that panels repeated over it repeat over each option.
pub fn scope_of(vars: &[Variable], url: &UrlValues, range_ms: i64) -> Scope {
    let mut vars = vars.to_vec();
    apply_url(&mut vars, url);
    let mut scope = Scope::from_defaults(&vars, range_ms);
    for var in &vars {
        let Some(value) = scope.get(&var.name) else {
            continue;
        };
        if value.custom_all.is_some() && value.values.is_empty() {
            let mut value = value.clone();
            let mut options = var.options.clone();
            if options.is_empty()
                && matches!(var.kind, VariableKind::Custom | VariableKind::Interval)
            {
                options = var.options_from_query();
            }
            let options = options.iter().filter(|o| o.value != ALL_VALUE);
            value.values = options.clone().map(|o| o.value.clone()).collect();
            value.texts = options.map(|o| o.text.clone()).collect();
            scope.set(var.name.clone(), value);
        }
    }
    scope
}

/// `scope` with a panel's own single-valued variables (a repeated copy's) over it.
pub fn panel_scope(panel: &Panel, scope: &Scope) -> Scope {
    let mut scope = scope.clone();
    for v in &panel.scoped_vars {
        scope.set(
            v.name.clone(),
            ScopeValue {
                values: vec![v.value.clone()],
                texts: vec![v.text.clone()],
                ..ScopeValue::default()
            },
        );
    }
    scope
}

/// The values a multi-value control selects when `value` is ticked or unticked: All and the
/// single values exclude each other; unticking the last value leaves All when offered.
pub fn toggle_multi(current: &[String], value: &str, include_all: bool) -> Vec<String> {
    if value == ALL_VALUE {
        return vec![ALL_VALUE.to_string()];
    }
    let mut out: Vec<String> = current
        .iter()
        .filter(|c| c.as_str() != ALL_VALUE)
        .cloned()
        .collect();
    match out.iter().position(|c| c == value) {
        Some(i) => {
            out.remove(i);
        }
        None => out.push(value.to_string()),
    }
    if out.is_empty() && include_all {
        out.push(ALL_VALUE.to_string());
    }
    out
}

/// A data source reference with its variable replaced: `$datasource` becomes the data source
/// the variable's value names; one that stays unresolved is the default.
pub fn resolve_ref(r: &DataSourceRef, scope: &Scope) -> DataSourceRef {
    match r {
        DataSourceRef::Variable(v) => {
            let name = interpolate(v, scope, Context::Text);
            if name.is_empty() || name.contains('$') || name == "default" {
                DataSourceRef::Default
            } else {
                DataSourceRef::Named(name)
            }
        }
        other => other.clone(),
    }
}

/// The data source a query variable asks: its own reference (a variable resolved through
/// `scope`), else the default.
pub fn variable_datasource<'a>(
    var: &Variable,
    scope: &Scope,
    sources: &'a [DataSourceInfo],
) -> Option<&'a DataSourceInfo> {
    let r = read_datasource(var.datasource.as_ref()).map(|r| resolve_ref(&r, scope));
    resolve_datasource(None, r.as_ref(), sources)
}

/// A panel as it is queried and shown with `scope`: target expressions interpolated for
/// PromQL, legends and title as text, data source variables resolved. Collapsed rows' panels
/// are interpolated too.
pub fn interpolate_panel(panel: &Panel, scope: &Scope) -> Panel {
    if !panel.scoped_vars.is_empty() {
        let scoped = panel_scope(panel, scope);
        let mut bare = panel.clone();
        bare.scoped_vars.clear();
        let mut p = interpolate_panel(&bare, &scoped);
        p.scoped_vars = panel.scoped_vars.clone();
        return p;
    }
    let mut p = panel.clone();
    p.title = interpolate(&p.title, scope, Context::Text);
    p.datasource = p.datasource.as_ref().map(|r| resolve_ref(r, scope));
    // Min interval and min step may be variables too (`$resolution` in real dashboards).
    p.interval = p
        .interval
        .as_ref()
        .map(|i| interpolate(i, scope, Context::Text));
    for t in &mut p.targets {
        t.expr = interpolate(&t.expr, scope, Context::Prometheus);
        t.legend_format = t
            .legend_format
            .as_ref()
            .map(|l| interpolate(l, scope, Context::Text));
        t.datasource = t.datasource.as_ref().map(|r| resolve_ref(r, scope));
        t.interval = t
            .interval
            .as_ref()
            .map(|i| interpolate(i, scope, Context::Text));
    }
    p.panels = p
        .panels
        .iter()
        .map(|c| interpolate_panel(c, scope))
        .collect();
    p
}

/// The characters Grafana writes in place of `|` and `,` inside an ad hoc filter of the URL.
const URL_PIPE: &str = "__gfp__";
const URL_COMMA: &str = "__gfc__";

/// An ad hoc filter as the URL holds it: `key|op|value` (Grafana's `var-NAME` form, `|` and `,`
/// inside a part written as `__gfp__` and `__gfc__`).
pub fn adhoc_url_value(f: &AdhocFilter) -> String {
    let esc = |s: &str| s.replace('|', URL_PIPE).replace(',', URL_COMMA);
    format!("{}|{}|{}", esc(&f.key), f.operator, esc(&f.value))
}

/// Reads one `var-NAME=key|op|value` value of an ad hoc variable; errors name what is wrong.
pub fn parse_adhoc_url(value: &str) -> Result<AdhocFilter, String> {
    let parts: Vec<&str> = value.splitn(3, '|').collect();
    let [key, operator, v] = parts[..] else {
        return Err(format!(
            "ad hoc filter `{value}` is not `key|operator|value`"
        ));
    };
    let un = |s: &str| s.replace(URL_PIPE, "|").replace(URL_COMMA, ",");
    let f = AdhocFilter {
        key: un(key),
        operator: operator.to_string(),
        value: un(v),
    };
    crate::prom::promql::validate_filter(&f)
        .map_err(|e| format!("ad hoc filter `{value}`: {e}"))?;
    Ok(f)
}

/// At most this many filters per ad hoc variable are applied (the rest are refused).
pub const MAX_ADHOC_FILTERS: usize = 32;

/// The filters of an ad hoc variable: those the URL gives (`var-NAME`, repeated; one empty value
/// means none), else the saved ones; with the errors of those that cannot be used.
pub fn adhoc_filters(var: &Variable, url: Option<&[String]>) -> (Vec<AdhocFilter>, Vec<String>) {
    let (mut filters, mut errors) = (Vec::new(), Vec::new());
    match url.filter(|v| !v.is_empty()) {
        Some(values) => {
            for v in values.iter().filter(|v| !v.is_empty()) {
                match parse_adhoc_url(v) {
                    Ok(f) => filters.push(f),
                    Err(e) => errors.push(e),
                }
            }
        }
        None => {
            for f in &var.filters {
                match crate::prom::promql::validate_filter(f) {
                    Ok(()) => filters.push(f.clone()),
                    Err(e) => errors.push(format!("ad hoc filter of `{}`: {e}", var.name)),
                }
            }
        }
    }
    if filters.len() > MAX_ADHOC_FILTERS {
        errors.push(format!(
            "`{}` has {} ad hoc filters; only the first {MAX_ADHOC_FILTERS} are applied",
            var.name,
            filters.len()
        ));
        filters.truncate(MAX_ADHOC_FILTERS);
    }
    (filters, errors)
}

/// The filters of one ad hoc variable and the data source they apply to (`None`: every
/// Prometheus query, as when the variable names no data source).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdhocSet {
    pub datasource_uid: Option<String>,
    pub filters: Vec<AdhocFilter>,
}

/// Every ad hoc variable's filters, read from the URL (or the saved ones) with their data
/// source resolved through `scope`; with the errors of the filters that cannot be used.
pub fn adhoc_sets(
    vars: &[Variable],
    url: &UrlValues,
    scope: &Scope,
    sources: &[DataSourceInfo],
) -> (Vec<AdhocSet>, Vec<String>) {
    let (mut sets, mut errors) = (Vec::new(), Vec::new());
    for var in vars.iter().filter(|v| v.kind == VariableKind::Adhoc) {
        let (filters, e) = adhoc_filters(var, url.get(&var.name).map(Vec::as_slice));
        errors.extend(e);
        if filters.is_empty() {
            continue;
        }
        let datasource_uid = read_datasource(var.datasource.as_ref())
            .map(|r| resolve_ref(&r, scope))
            .filter(|r| *r != DataSourceRef::Default)
            .and_then(|r| resolve_datasource(None, Some(&r), sources))
            .map(|d| d.uid.clone());
        sets.push(AdhocSet {
            datasource_uid,
            filters,
        });
    }
    (sets, errors)
}

/// A panel with the ad hoc filters added to the queries of their data source (every query when
/// a set names none), as label matchers on every selector. Nested panels of collapsed rows too.
pub fn apply_adhoc(panel: &Panel, sets: &[AdhocSet], sources: &[DataSourceInfo]) -> Panel {
    let mut p = panel.clone();
    if sets.is_empty() {
        return p;
    }
    for t in &mut p.targets {
        let uid = resolve_datasource(panel.datasource.as_ref(), t.datasource.as_ref(), sources)
            .map(|d| d.uid.as_str());
        let filters: Vec<AdhocFilter> = sets
            .iter()
            .filter(|s| s.datasource_uid.is_none() || s.datasource_uid.as_deref() == uid)
            .flat_map(|s| s.filters.iter().cloned())
            .collect();
        t.expr = crate::prom::promql::add_label_matchers(&t.expr, &filters);
    }
    p.panels = p
        .panels
        .iter()
        .map(|c| apply_adhoc(c, sets, sources))
        .collect();
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::template::parse_variable_query;

    #[test]
    fn adhoc_filters_come_from_the_url_as_grafana_writes_them() {
        let v = &vars(json!([{"name": "Filters", "type": "adhoc",
            "datasource": {"type": "prometheus", "uid": "thanos"},
            "filters": [{"key": "job", "operator": "=", "value": "saved"}]}]))[0];
        let f = parse_adhoc_url("instance|=~|a__gfp__b__gfc__c").unwrap();
        assert_eq!(
            (f.key.as_str(), f.operator.as_str(), f.value.as_str()),
            ("instance", "=~", "a|b,c")
        );
        assert_eq!(adhoc_url_value(&f), "instance|=~|a__gfp__b__gfc__c");
        assert_eq!(
            parse_adhoc_url("job=node").unwrap_err(),
            "ad hoc filter `job=node` is not `key|operator|value`"
        );
        assert_eq!(
            parse_adhoc_url("job|<>|x").unwrap_err(),
            "ad hoc filter `job|<>|x`: `<>` is not a label matcher operator (=, !=, =~, !~)"
        );
        // Saved filters apply when the URL has none; an empty URL value clears them.
        assert_eq!(adhoc_filters(v, None).0[0].value, "saved");
        assert!(adhoc_filters(v, Some(&["".to_string()])).0.is_empty());
        let (f, e) = adhoc_filters(v, Some(&["job|!=|node".to_string(), "bad".to_string()]));
        assert_eq!((f.len(), e.len()), (1, 1));

        // Applied to the queries of the variable's data source only.
        let d = Dashboard::from_json(&json!({"panels": [
            {"id": 1, "targets": [
                {"refId": "A", "expr": "up"},
                {"refId": "B", "expr": "sum by (job) (up{a=\"b\"})", "datasource": {"uid": "thanos"}}
            ]}
        ]}));
        let list = sources();
        let url = url(&[("Filters", &["job|=|node"])]);
        let (sets, errors) = adhoc_sets(std::slice::from_ref(v), &url, &Scope::new(), &list);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(sets[0].datasource_uid.as_deref(), Some("thanos"));
        let p = apply_adhoc(&d.panels[0], &sets, &list);
        assert_eq!(
            p.targets[0].expr, "up",
            "the default data source is not filtered"
        );
        assert_eq!(p.targets[1].expr, "sum by (job) (up{a=\"b\",job=\"node\"})");
        // A variable without a data source filters every query.
        let mut anywhere = v.clone();
        anywhere.datasource = None;
        let (sets, _) = adhoc_sets(&[anywhere], &url, &Scope::new(), &list);
        assert_eq!(sets[0].datasource_uid, None);
        assert_eq!(
            apply_adhoc(&d.panels[0], &sets, &list).targets[0].expr,
            "up{job=\"node\"}"
        );
    }
    use serde_json::json;

    #[test]
    fn intervals_of_panels_and_targets_take_variable_values() {
        let d = crate::model::Dashboard::from_json(&json!({"title": "A", "panels": [
            {"id": 1, "type": "timeseries", "interval": "$res",
             "targets": [{"expr": "rate(x[$__rate_interval])", "interval": "${res}"}]}
        ]}));
        let mut scope = Scope::new();
        scope.set("res", crate::model::template::ScopeValue::single("30s"));
        let p = interpolate_panel(&d.panels[0], &scope);
        assert_eq!(p.interval.as_deref(), Some("30s"));
        assert_eq!(p.targets[0].interval.as_deref(), Some("30s"));
        assert_eq!(
            p.targets[0].expr, "rate(x[$__rate_interval])",
            "macros are left to the query planner"
        );
    }

    fn vars(list: Value) -> Vec<Variable> {
        let (v, errors) = read_variables(&json!({ "templating": { "list": list } }));
        assert!(errors.is_empty(), "{errors:?}");
        v
    }

    fn sources() -> Vec<DataSourceInfo> {
        let ds = |uid: &str, name: &str, default| DataSourceInfo {
            uid: uid.into(),
            name: name.into(),
            kind: "prometheus".into(),
            is_default: default,
            time_interval: "15s".into(),
        };
        vec![
            ds("prom", "Prometheus", true),
            ds("thanos", "Thanos", false),
        ]
    }

    fn url(pairs: &[(&str, &[&str])]) -> UrlValues {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn chained_variables_resolve_after_what_they_use() {
        let v = vars(json!([
            {"name": "instance", "type": "query", "query": "label_values(up{job=~\"$job\"}, instance)"},
            {"name": "ds", "type": "datasource", "query": "prometheus"},
            {"name": "job", "type": "query", "query": "label_values(up, job)", "datasource": "$ds"},
            {"name": "a", "type": "query", "query": "$b"},
            {"name": "b", "type": "query", "query": "$a"},
        ]));
        assert_eq!(dependencies(&v[0], &v), vec!["job"]);
        assert_eq!(dependencies(&v[2], &v), vec!["ds"]);
        assert_eq!(resolution_order(&v), vec![1, 2, 0, 3, 4]);
    }

    #[test]
    fn options_requests_follow_grafana() {
        let range = ResolvedRange {
            from_ms: 1_700_000_000_000,
            to_ms: 1_700_000_600_000,
        };
        let url = |q: &str| options_url(&parse_variable_query(q), "prom", range).unwrap();
        let base = "/api/datasources/prom/prometheus/api/v1";
        assert_eq!(
            url("label_values(job)"),
            format!("{base}/label/job/values?start=1700000000&end=1700000600")
        );
        assert_eq!(
            url("label_values(up{job=\"a\"}, instance)"),
            format!("{base}/label/instance/values?match[]=up%7Bjob%3D%22a%22%7D&start=1700000000&end=1700000600")
        );
        assert_eq!(
            url("label_names()"),
            format!("{base}/labels?start=1700000000&end=1700000600")
        );
        assert_eq!(
            url("metrics(node_.*)"),
            format!("{base}/label/__name__/values?start=1700000000&end=1700000600")
        );
        assert_eq!(
            url("query_result(count by (job) (up))"),
            format!("{base}/query?query=count+by+%28job%29+%28up%29&time=1700000600")
        );
        assert_eq!(
            url("up"),
            format!("{base}/series?match[]=up&start=1700000000&end=1700000600")
        );
    }

    #[test]
    fn answers_become_raw_values() {
        let list = r#"{"status":"success","data":["node_cpu","node_load1","up"]}"#;
        assert_eq!(
            raw_values(&parse_variable_query("metrics(^node_)"), list).unwrap(),
            vec!["node_cpu", "node_load1"]
        );
        assert_eq!(
            raw_values(&parse_variable_query("label_values(job)"), list).unwrap(),
            vec!["node_cpu", "node_load1", "up"]
        );
        let vector = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"__name__":"up","job":"node","instance":"a:9100"},"value":[1700000000.5,"1"]},
            {"metric":{"job":"prometheus"},"value":[1700000000,"0"]}]}}"#;
        assert_eq!(
            query_result_texts(vector).unwrap(),
            vec![
                "up{job=\"node\",instance=\"a:9100\"} 1 1700000000500",
                "{job=\"prometheus\"} 0 1700000000000"
            ]
        );
        let scalar =
            r#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"42"]}}"#;
        assert_eq!(query_result_texts(scalar).unwrap(), vec!["42"]);
        let series = r#"{"status":"success","data":[{"__name__":"up","job":"node"}]}"#;
        assert_eq!(
            raw_values(&parse_variable_query("up"), series).unwrap(),
            vec!["up{job=\"node\"}"]
        );
        let error = r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#;
        assert_eq!(
            raw_values(&parse_variable_query("label_names()"), error).unwrap_err(),
            "parse error"
        );
    }

    #[test]
    fn query_options_apply_regex_sort_and_all() {
        let v = &vars(
            json!([{"name": "i", "type": "query", "regex": "/(?<text>[^:]+):(?<value>\\d+)/",
            "sort": 2, "includeAll": true}]),
        )[0];
        let raw = vec!["a:1".to_string(), "b:2".into(), "nope".into()];
        let o = query_options(v, &raw).unwrap();
        let pairs: Vec<(&str, &str)> = o
            .iter()
            .map(|o| (o.text.as_str(), o.value.as_str()))
            .collect();
        assert_eq!(pairs, vec![("All", ALL_VALUE), ("b", "2"), ("a", "1")]);
    }

    #[test]
    fn static_options_of_custom_interval_and_datasource() {
        let v = vars(json!([
            {"name": "c", "type": "custom", "query": "a, b", "includeAll": true},
            {"name": "iv", "type": "interval", "query": "1m,5m", "auto": true},
            {"name": "ds", "type": "datasource", "query": "prometheus", "regex": "/Than/"},
        ]));
        let values =
            |o: Vec<VariableOption>| -> Vec<String> { o.into_iter().map(|o| o.value).collect() };
        assert_eq!(
            values(static_options(&v[0], &[])),
            vec![ALL_VALUE, "a", "b"]
        );
        assert_eq!(
            values(static_options(&v[1], &[])),
            vec!["$__auto_interval_iv", "1m", "5m"]
        );
        assert_eq!(values(static_options(&v[2], &sources())), vec!["thanos"]);
    }

    #[test]
    fn current_values_come_from_the_url_then_the_saved_ones_then_the_first_option() {
        let mut v = vars(json!([{"name": "job", "type": "query", "includeAll": true,
            "current": {"value": "gone", "text": "gone"}}]))
        .remove(0);
        v.options = query_options(&v, &["node".into(), "prometheus".into()]).unwrap();
        // Unknown values in the URL are kept, as Grafana keeps them.
        assert_eq!(select_current(&v, Some(&["other".into()])), vec!["other"]);
        // A saved value that is no longer an option gives way to the first option (All).
        assert_eq!(select_current(&v, None), vec![ALL_VALUE]);
        v.current = vec!["node".into()];
        assert_eq!(select_current(&v, None), vec!["node"]);
        let t = &vars(json!([{"name": "t", "type": "textbox", "query": "abc"}]))[0];
        assert_eq!(select_current(t, None), vec!["abc"]);
    }

    #[test]
    fn the_scope_reads_url_values_as_the_backend_reads_saved_ones() {
        let mut v =
            vars(json!([{"name": "job", "type": "query", "includeAll": true, "multi": true}]));
        v[0].options = query_options(&v[0], &["node".into(), "prometheus".into()]).unwrap();
        let expr = "up{job=~\"$job\"}";
        let s = scope_of(&v, &url(&[("job", &["node"])]), 3_600_000);
        assert_eq!(
            interpolate(expr, &s, Context::Prometheus),
            "up{job=~\"node\"}"
        );
        let s = scope_of(&v, &url(&[("job", &[ALL_VALUE])]), 3_600_000);
        assert_eq!(
            interpolate(expr, &s, Context::Prometheus),
            "up{job=~\"(node|prometheus)\"}"
        );
        assert_eq!(interpolate("$job", &s, Context::Text), "{node,prometheus}");
        let s = scope_of(&v, &url(&[("job", &["a.b", "c"])]), 3_600_000);
        assert_eq!(
            interpolate(expr, &s, Context::Prometheus),
            "up{job=~\"(a\\\\.b|c)\"}"
        );
    }

    #[test]
    fn multi_value_toggles() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(toggle_multi(&s(&[ALL_VALUE]), "a", true), s(&["a"]));
        assert_eq!(toggle_multi(&s(&["a"]), "b", true), s(&["a", "b"]));
        assert_eq!(toggle_multi(&s(&["a"]), "a", true), s(&[ALL_VALUE]));
        assert_eq!(toggle_multi(&s(&["a"]), "a", false), s(&[] as &[&str]));
        assert_eq!(
            toggle_multi(&s(&["a", "b"]), ALL_VALUE, true),
            s(&[ALL_VALUE])
        );
    }

    #[test]
    fn panels_are_interpolated_and_their_datasource_variable_resolved() {
        let d = Dashboard::from_json(&json!({"panels": [{"id": 1, "title": "Up of $job",
            "datasource": "$ds",
            "targets": [{"expr": "up{job=~\"$job\"}[$__rate_interval]", "legendFormat": "{{instance}} $job"}]}]}));
        let v = vars(json!([
            {"name": "job", "type": "custom", "query": "node,prometheus", "includeAll": true},
            {"name": "ds", "type": "datasource", "query": "prometheus"},
        ]));
        let s = scope_of(
            &v,
            &url(&[("job", &["node"]), ("ds", &["thanos"])]),
            3_600_000,
        );
        let p = interpolate_panel(&d.panels[0], &s);
        assert_eq!(p.title, "Up of node");
        assert_eq!(p.targets[0].expr, "up{job=~\"node\"}[$__rate_interval]");
        assert_eq!(
            p.targets[0].legend_format.as_deref(),
            Some("{{instance}} node")
        );
        let list = sources();
        assert_eq!(
            resolve_datasource(p.datasource.as_ref(), None, &list)
                .unwrap()
                .uid,
            "thanos"
        );
        // Unresolved, the variable stands for the default data source.
        let p = interpolate_panel(&d.panels[0], &Scope::new());
        assert_eq!(
            resolve_datasource(p.datasource.as_ref(), None, &list)
                .unwrap()
                .uid,
            "prom"
        );
        let q = vars(json!([{"name": "q", "type": "query", "datasource": {"uid": "${ds}"}}]));
        assert_eq!(variable_datasource(&q[0], &s, &list).unwrap().uid, "thanos");
    }
}
