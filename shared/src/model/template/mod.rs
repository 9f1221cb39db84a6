//! Template variables (`templating.list`) and their interpolation into queries, titles and
//! legends, as Grafana's `TemplateSrv.replace` and its format registry
//! (public/app/features/templating/template_srv.ts, formatRegistry.ts) do it.
//!
//! Built-in macros that depend on the query's timing (`$__interval`, `$__rate_interval`,
//! `$__range`…) are not variables here: [`crate::time::interval::interpolate_macros`] replaces them
//! afterwards, and [`interpolate`] leaves them alone. `$__from`, `$__to` and `$__dashboard` are
//! plain values Grafana puts in the scope, so they live here ([`Scope::with_builtins`]).

pub mod variables;

use crate::time::interval::{calculate_interval, format_interval, parse_interval};
use crate::js::regex::Regex;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The value Grafana stores for "All" in `current.value`.
pub const ALL_VALUE: &str = "$__all";

/// The kinds of template variable Grafana has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableKind {
    Query,
    Custom,
    Constant,
    Interval,
    Datasource,
    Textbox,
    Adhoc,
    /// A type kubeglass does not know (kept, never interpolated).
    Other(String),
}

/// One filter of an ad hoc variable; the front end adds it as a label matcher to every
/// selector of the data source's queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdhocFilter {
    pub key: String,
    /// `=`, `!=`, `=~`, `!~`.
    pub operator: String,
    pub value: String,
}

/// One option of a variable's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableOption {
    pub text: String,
    pub value: String,
}

/// A template variable as the dashboard defines it.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    pub label: Option<String>,
    pub kind: VariableKind,
    /// The query (query variables), the comma-separated values (custom, interval), the value
    /// (constant, textbox default) or the plugin type (datasource).
    pub query: String,
    /// The data source a query variable asks.
    pub datasource: Option<Value>,
    /// The selected values (several when `multi`); `[ALL_VALUE]` when All is selected.
    pub current: Vec<String>,
    pub current_text: Vec<String>,
    pub options: Vec<VariableOption>,
    pub multi: bool,
    pub include_all: bool,
    /// What All stands for when set (`.*`); otherwise All is every option's value.
    pub all_value: Option<String>,
    /// The filter applied to a query variable's results (JavaScript regex, `/.../flags`).
    pub regex: Option<String>,
    /// 0 off, 1/2 alphabetical, 3/4 numerical, 5/6 alphabetical case-insensitive, 7/8
    /// natural; odd ascending, even descending.
    pub sort: u8,
    /// 0 never, 1 on dashboard load, 2 on time range change.
    pub refresh: u8,
    /// 0 shown, 1 label hidden, 2 variable hidden.
    pub hide: u8,
    /// Interval variables: whether `auto` is offered, into how many steps it divides the
    /// range, and its lower limit.
    pub auto: bool,
    pub auto_count: u32,
    pub auto_min: String,
    pub filters: Vec<AdhocFilter>,
}

/// A string or an array of strings (`current.value` may be either), as strings.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(scalar).collect(),
        Some(other) => scalar(other).into_iter().collect(),
        None => Vec::new(),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn small(v: Option<&Value>) -> u8 {
    v.and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok()))
        .map(|f| f.clamp(0.0, 255.0) as u8)
        .unwrap_or(0)
}

impl Variable {
    /// Reads one entry of `templating.list`; `path` names it in the error
    /// (`dashboard.templating.list[2]`).
    pub fn from_json(v: &Value, path: &str) -> Result<Variable, String> {
        let name = v
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| format!("{path}.name: a variable needs a name"))?
            .to_string();
        let kind = match v.get("type").and_then(Value::as_str).unwrap_or("query") {
            "query" => VariableKind::Query,
            "custom" => VariableKind::Custom,
            "constant" => VariableKind::Constant,
            "interval" => VariableKind::Interval,
            "datasource" => VariableKind::Datasource,
            "textbox" => VariableKind::Textbox,
            "adhoc" => VariableKind::Adhoc,
            other => VariableKind::Other(other.to_string()),
        };
        // Newer query variables keep the query as `{query, refId, qryType}`.
        let query = match v.get("query") {
            Some(Value::Object(o)) => o.get("query").and_then(scalar).unwrap_or_default(),
            Some(other) => scalar(other).unwrap_or_default(),
            None => String::new(),
        };
        let current = v.get("current");
        let options: Vec<VariableOption> = v
            .get("options")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|o| {
                let value = o.get("value").and_then(scalar)?;
                let text = o
                    .get("text")
                    .and_then(scalar)
                    .unwrap_or_else(|| value.clone());
                Some(VariableOption { text, value })
            })
            .collect();
        let filters = v
            .get("filters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| {
                Some(AdhocFilter {
                    key: f.get("key").and_then(scalar)?,
                    operator: f
                        .get("operator")
                        .and_then(scalar)
                        .unwrap_or_else(|| "=".into()),
                    value: f.get("value").and_then(scalar).unwrap_or_default(),
                })
            })
            .collect();
        Ok(Variable {
            label: v.get("label").and_then(Value::as_str).map(str::to_string),
            datasource: v.get("datasource").filter(|d| !d.is_null()).cloned(),
            current: strings(current.and_then(|c| c.get("value"))),
            current_text: strings(current.and_then(|c| c.get("text"))),
            options,
            multi: v.get("multi").and_then(Value::as_bool).unwrap_or(false),
            include_all: v
                .get("includeAll")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            all_value: v
                .get("allValue")
                .and_then(Value::as_str)
                .filter(|a| !a.is_empty())
                .map(str::to_string),
            regex: v
                .get("regex")
                .and_then(Value::as_str)
                .filter(|r| !r.is_empty())
                .map(str::to_string),
            sort: small(v.get("sort")),
            refresh: small(v.get("refresh")),
            hide: small(v.get("hide")),
            auto: v.get("auto").and_then(Value::as_bool).unwrap_or(false),
            auto_count: v
                .get("auto_count")
                .and_then(Value::as_u64)
                .map(|n| n as u32)
                .unwrap_or(30),
            auto_min: v
                .get("auto_min")
                .and_then(Value::as_str)
                .unwrap_or("10s")
                .to_string(),
            filters,
            name,
            kind,
            query,
        })
    }

    /// The options a custom or interval variable offers, read from its query: values separated
    /// by commas (`\,` is a literal comma), trimmed; `text : value` pairs give both.
    pub fn options_from_query(&self) -> Vec<VariableOption> {
        let mut out = Vec::new();
        let mut part = String::new();
        let mut chars = self.query.chars().peekable();
        let mut parts = Vec::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&',') => {
                    part.push(',');
                    chars.next();
                }
                ',' => parts.push(std::mem::take(&mut part)),
                c => part.push(c),
            }
        }
        parts.push(part);
        for p in parts {
            let p = p.trim();
            if p.is_empty() {
                continue;
            }
            let (text, value) = match p.split_once(" : ") {
                Some((t, v)) => (t.trim(), v.trim()),
                None => (p, p),
            };
            out.push(VariableOption {
                text: text.into(),
                value: value.into(),
            });
        }
        out
    }
}

/// Every variable of a dashboard's `templating.list`, with the errors of those that cannot be
/// read (named by JSON path).
pub fn read_variables(dashboard: &Value) -> (Vec<Variable>, Vec<String>) {
    let mut vars = Vec::new();
    let mut errors = Vec::new();
    for (i, v) in dashboard
        .pointer("/templating/list")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        match Variable::from_json(v, &format!("dashboard.templating.list[{i}]")) {
            Ok(var) => vars.push(var),
            Err(e) => errors.push(e),
        }
    }
    (vars, errors)
}

/// The value a variable has during interpolation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopeValue {
    pub values: Vec<String>,
    pub texts: Vec<String>,
    pub multi: bool,
    pub include_all: bool,
    /// All is selected and the variable has a custom all value: it is used as written.
    pub custom_all: Option<String>,
}

impl ScopeValue {
    /// A single plain value (built-ins, constants).
    pub fn single(value: impl Into<String>) -> Self {
        let value = value.into();
        ScopeValue {
            texts: vec![value.clone()],
            values: vec![value],
            ..ScopeValue::default()
        }
    }
}

/// The value used for a query variable whose options are not known without asking Prometheus
/// (`check-dashboard` works offline). It only stands for "some value": a check with it proves
/// every reference names a defined variable, not that Prometheus has data for it.
pub const PLACEHOLDER_VALUE: &str = "value";

/// The variables' values interpolation uses, by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scope {
    values: BTreeMap<String, ScopeValue>,
}

impl Scope {
    pub fn new() -> Self {
        Scope::default()
    }

    pub fn set(&mut self, name: impl Into<String>, value: ScopeValue) {
        self.values.insert(name.into(), value);
    }

    pub fn get(&self, name: &str) -> Option<&ScopeValue> {
        self.values.get(name)
    }

    /// Adds `$__from`, `$__to` (epoch ms) and `$__dashboard` (its title).
    pub fn with_builtins(mut self, from_ms: i64, to_ms: i64, dashboard_title: &str) -> Self {
        self.set("__from", ScopeValue::single(from_ms.to_string()));
        self.set("__to", ScopeValue::single(to_ms.to_string()));
        self.set("__dashboard", ScopeValue::single(dashboard_title));
        self
    }

    /// The scope of a dashboard as it opens with no `var-` parameters: each variable's saved
    /// current value; else its first option (custom and interval variables read theirs from
    /// the query); else [`PLACEHOLDER_VALUE`] for a query variable. Interval variables set to
    /// `auto` take the interval for a range of `range_ms`. Ad hoc variables are not values.
    pub fn from_defaults(vars: &[Variable], range_ms: i64) -> Scope {
        let mut scope = Scope::new();
        for var in vars {
            if matches!(var.kind, VariableKind::Adhoc | VariableKind::Other(_)) {
                continue;
            }
            let mut options = var.options.clone();
            if options.is_empty()
                && matches!(var.kind, VariableKind::Custom | VariableKind::Interval)
            {
                options = var.options_from_query();
            }
            options.retain(|o| o.value != ALL_VALUE);
            let mut current = var.current.clone();
            let mut texts = var.current_text.clone();
            if current.is_empty() || current.iter().all(String::is_empty) {
                current = match var.kind {
                    VariableKind::Constant | VariableKind::Textbox => vec![var.query.clone()],
                    _ => match options.first() {
                        Some(o) => {
                            texts = vec![o.text.clone()];
                            vec![o.value.clone()]
                        }
                        None if var.kind == VariableKind::Query => {
                            vec![PLACEHOLDER_VALUE.to_string()]
                        }
                        None if var.kind == VariableKind::Datasource => vec!["default".into()],
                        None => vec![String::new()],
                    },
                };
            }
            if var.kind == VariableKind::Interval
                && current
                    .first()
                    .is_some_and(|c| c == "auto" || c.starts_with("$__auto_interval"))
            {
                let min = parse_interval(&var.auto_min).unwrap_or(10_000);
                current = vec![format_interval(calculate_interval(
                    range_ms,
                    var.auto_count,
                    Some(min),
                ))];
            }
            let mut value = ScopeValue {
                multi: var.multi,
                include_all: var.include_all,
                ..ScopeValue::default()
            };
            if current.iter().any(|c| c == ALL_VALUE) {
                value.texts = vec!["All".into()];
                match &var.all_value {
                    Some(all) => value.custom_all = Some(all.clone()),
                    None if options.is_empty() => value.values = vec![PLACEHOLDER_VALUE.into()],
                    None => value.values = options.iter().map(|o| o.value.clone()).collect(),
                }
            } else {
                value.texts = if texts.len() == current.len() {
                    texts
                } else {
                    current.clone()
                };
                value.values = current;
            }
            scope.set(var.name.clone(), value);
        }
        scope
    }
}

/// How a variable's values are written where it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// A PromQL expression: Grafana's Prometheus `interpolateQueryExpr`.
    Prometheus,
    /// Titles, legends, links: Grafana's default (`glob` for several values).
    Text,
}

/// One variable reference in a text: `$var`, `[[var:fmt]]` or `${var.field:fmt}`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct VarRef<'a> {
    /// The reference as written.
    whole: &'a str,
    name: &'a str,
    /// `${var.field}`: a field of the variable (data links' `${__data.fields.X}`).
    field: Option<&'a str>,
    format: Option<&'a str>,
}

/// The reference starting at byte `i` of `text`, and where it ends: what Grafana's
/// `variableRegex` (`\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}`)
/// matches there, read by hand so that no regex engine is needed for it.
fn var_ref_at(text: &str, i: usize) -> Option<(VarRef<'_>, usize)> {
    let found = |end: usize, name, field, format| {
        Some((
            VarRef {
                whole: &text[i..end],
                name,
                field,
                format,
            },
            end,
        ))
    };
    let b = text.as_bytes();
    let run = |from: usize, ok: &dyn Fn(u8) -> bool| {
        from + b
            .get(from..)
            .map_or(0, |r| r.iter().take_while(|&&c| ok(c)).count())
    };
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    // An optional `sep` and a non-empty run of `ok` bytes at `at`: `Some((part, end))`, with
    // `part` `None` when there is no `sep`; `None` when `sep` is there but nothing follows it,
    // which the regex cannot match either.
    let part = |at: usize, sep: u8, ok: &dyn Fn(u8) -> bool| {
        if b.get(at) != Some(&sep) {
            return Some((None, at));
        }
        let end = run(at + 1, ok);
        (end > at + 1).then(|| (Some(&text[at + 1..end]), end))
    };
    if b[i] == b'$' {
        let name_end = run(i + 1, &word);
        if name_end > i + 1 {
            return found(name_end, &text[i + 1..name_end], None, None);
        }
        if b.get(i + 1) != Some(&b'{') {
            return None;
        }
        let name_end = run(i + 2, &word);
        if name_end == i + 2 {
            return None;
        }
        let (field, at) = part(name_end, b'.', &|c| !matches!(c, b':' | b'^' | b'}'))?;
        let (format, at) = part(at, b':', &|c| c != b'}')?;
        return (b.get(at) == Some(&b'}'))
            .then(|| found(at + 1, &text[i + 2..name_end], field, format))
            .flatten();
    }
    if !text[i..].starts_with("[[") {
        return None;
    }
    let name_end = run(i + 2, &word);
    if name_end == i + 2 {
        return None;
    }
    let (format, at) = part(name_end, b':', &word)?;
    text[at..]
        .starts_with("]]")
        .then(|| found(at + 2, &text[i + 2..name_end], None, format))
        .flatten()
}

/// `text` with every variable reference replaced by what `replace` makes of it, scanned left to
/// right as a regex's `replace_all` would.
fn replace_var_refs(text: &str, mut replace: impl FnMut(&VarRef<'_>) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < text.len() {
        if matches!(text.as_bytes()[i], b'$' | b'[') {
            if let Some((r, end)) = var_ref_at(text, i) {
                out.push_str(&text[copied..i]);
                out.push_str(&replace(&r));
                (i, copied) = (end, end);
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// The names of the variables `text` refers to (`$a`, `${b:csv}`, `[[c]]`), each once, in order.
pub fn referenced_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    replace_var_refs(text, |r| {
        if !names.iter().any(|n| n == r.name) {
            names.push(r.name.to_string());
        }
        String::new()
    });
    names
}

/// Replaces every variable of `scope` in `text`; unknown variables (and built-in macros such as
/// `$__rate_interval`) are left as written, which is how unresolved ones are found.
pub fn interpolate(text: &str, scope: &Scope, context: Context) -> String {
    replace_var_refs(text, |r| match scope.get(r.name) {
        Some(value) if r.field.is_none() => match r.format.and_then(|f| f.strip_prefix("date")) {
            Some(arg) => format_date(value, arg).unwrap_or_else(|| r.whole.to_string()),
            None => format_value(r.name, value, r.format, context),
        },
        _ => r.whole.to_string(),
    })
}

/// Writes a variable's value in `format` (`None`: the context's default), as Grafana's
/// Scenes `formatRegistry` does. `format` is the text after the variable's name, its arguments
/// after further `:` (`join: + `, `customqueryparam:name:prefix`, `date:YYYY-MM-DD`).
///
/// A variable's value is a list when the variable is multi-valued (or holds other than one
/// value), else one string; the formats tell the two apart (`json` of one string is the string,
/// of a list a JSON array).
pub fn format_value(name: &str, v: &ScopeValue, format: Option<&str>, context: Context) -> String {
    let (format, args) = match format {
        Some(f) => {
            let mut parts = f.split(':');
            (parts.next(), parts.collect::<Vec<_>>())
        }
        None => (None, Vec::new()),
    };
    if let Some(all) = &v.custom_all {
        // A custom all value is used as written, except by `text` and `percentencode`.
        match format {
            Some("text") => return "All".into(),
            Some("percentencode") => return percent_encode(all),
            _ => return all.clone(),
        }
    }
    let values = &v.values;
    let list = v.multi || values.len() != 1;
    let single = || values.first().cloned().unwrap_or_default();
    // A list in braces (`{a,b}`), as glob and the URL encodings write it.
    let braced = || format!("{{{}}}", values.join(","));
    let glob = || match values.len() {
        0 => String::new(),
        1 => values[0].clone(),
        _ => braced(),
    };
    let format = match (format, context) {
        (None, Context::Prometheus) => return prometheus_default(v),
        (None, Context::Text) => "glob",
        (Some(f), _) => f,
    };
    match format {
        "regex" => {
            let escaped: Vec<String> = values.iter().map(|s| regex_escape(s)).collect();
            match (list, escaped.len()) {
                (false, _) | (true, 1) => escaped.concat(),
                _ => format!("({})", escaped.join("|")),
            }
        }
        "pipe" => values.join("|"),
        "csv" | "raw" => values.join(","),
        "join" => values.join(args.first().copied().unwrap_or(",")),
        "distributed" => match values.split_first() {
            Some((first, rest)) if list => std::iter::once(first.clone())
                .chain(rest.iter().map(|v| format!("{name}={v}")))
                .collect::<Vec<_>>()
                .join(","),
            _ => single(),
        },
        "json" if list => serde_json::to_string(values).unwrap_or_default(),
        "json" => single(),
        "doublequote" => quoted(values, '"'),
        "singlequote" => quoted(values, '\''),
        "sqlstring" => values
            .iter()
            .map(|s| format!("'{}'", s.replace('\'', "''").replace('"', "\\\"")))
            .collect::<Vec<_>>()
            .join(","),
        "html" => html_escape(&values.join(", ")),
        "text" => v.texts.join(" + "),
        "queryparam" => values
            .iter()
            .map(|s| format!("var-{}={}", percent_encode(name), percent_encode(s)))
            .collect::<Vec<_>>()
            .join("&"),
        "customqueryparam" => {
            let key = args
                .first()
                .copied()
                .filter(|k| !k.is_empty())
                .unwrap_or(name);
            let prefix = args.get(1).copied().unwrap_or("");
            values
                .iter()
                .map(|s| format!("{}={}{}", percent_encode(key), prefix, percent_encode(s)))
                .collect::<Vec<_>>()
                .join("&")
        }
        "percentencode" if list => percent_encode(&braced()),
        "percentencode" => percent_encode(&single()),
        "uriencode" if list => uri_encode(&braced()),
        "uriencode" => uri_encode(&single()),
        "lucene" if list && values.is_empty() => "__empty__".into(),
        "lucene" if list => format!(
            "({})",
            values
                .iter()
                .map(|s| format!("\"{}\"", lucene_escape(s)))
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
        "lucene" => lucene_escape(&single()),
        "date" => values
            .iter()
            .filter_map(|s| format_date_value(s, args.first().copied().unwrap_or("")))
            .collect::<Vec<_>>()
            .join(","),
        // `glob`, and any format Grafana does not know, which it writes as glob.
        _ => glob(),
    }
}

/// The `date` format of a time (epoch ms, as `$__from` and `$__to` hold): without an
/// argument or with `iso`, ISO 8601 in UTC; `seconds`, epoch seconds; anything else, a
/// moment.js pattern (`YYYY-MM-DD HH:mm`) in the browser's zone, as Grafana's `dateTime`
/// writes it. `None` when the value is not a time.
fn format_date_value(value: &str, arg: &str) -> Option<String> {
    use crate::js::moment::{format, Moment, Zone};
    let ms: i64 = value.trim().parse().ok()?;
    let at = |zone: &str| Moment::new(Some(ms as f64), Zone::new(zone));
    Some(match arg {
        "" | "iso" => format(at("utc").as_ref(), "YYYY-MM-DDTHH:mm:ss.SSS[Z]"),
        "seconds" => ms.div_euclid(1000).to_string(),
        pattern => format(at("browser").as_ref(), pattern),
    })
}

/// The `date` format of `$__from`/`$__to` in `${__from:date:...}`: see [`format_date_value`].
fn format_date(v: &ScopeValue, arg: &str) -> Option<String> {
    format_date_value(v.values.first()?, arg.strip_prefix(':').unwrap_or(arg))
}

/// Grafana's Prometheus `interpolateQueryExpr`: a variable that is neither multi nor include-All
/// has only `\` and `'` escaped (`prometheusRegularEscape`); otherwise each value is escaped
/// for a regex inside a PromQL string (`prometheusSpecialRegexEscape`) and several are joined as
/// `(a|b)`. (Grafana 13's default: its `prometheusSpecialCharsInLabelValues` feature, which
/// escapes differently, is off by default.)
fn prometheus_default(v: &ScopeValue) -> String {
    if !v.multi && !v.include_all {
        return v
            .values
            .iter()
            .map(|s| s.replace('\\', "\\\\").replace('\'', "\\\\'"))
            .collect();
    }
    let escaped: Vec<String> = v
        .values
        .iter()
        .map(|s| prometheus_regex_escape(s))
        .collect();
    if escaped.len() == 1 {
        escaped.concat()
    } else {
        format!("({})", escaped.join("|"))
    }
}

/// A regex metacharacter escaped twice: once for the regex, once for the PromQL string.
fn prometheus_regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\\\\\"),
            '$' | '^' | '*' | '{' | '}' | '[' | ']' | '+' | '?' | '.' | '(' | ')' | '|' => {
                out.push_str("\\\\");
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Grafana's `kbn.regexEscape`.
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\^$*+?.()|[]{}/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn quoted(values: &[String], q: char) -> String {
    values
        .iter()
        .map(|s| format!("{q}{}{q}", s.replace(q, &format!("\\{q}"))))
        .collect::<Vec<_>>()
        .join(",")
}

/// Lucene's special characters, and the space, escaped with `\`.
fn lucene_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "+-=&|><!(){}[]^\"~*?:\\/ ".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes every byte of `s` but ASCII letters, digits and `keep`.
fn encode_except(s: &str, keep: &[u8]) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// JavaScript's `encodeURIComponent`, with `!'()*` encoded too, as Grafana's URL formats do.
fn percent_encode(s: &str) -> String {
    encode_except(s, b"-_.~")
}

/// JavaScript's `encodeURI` (which keeps a URL's reserved characters), with `!'()*` encoded
/// too (Grafana's `uriencode`).
fn uri_encode(s: &str) -> String {
    encode_except(s, b";,/?:@&=+$-_.~#")
}

/// The variable references still in an interpolated text: `$name`, `${...}`, `[[name]]`; how
/// unresolved variables are found. A `$` not followed by a name (a regex anchor: `"^foo$"`) or
/// followed by digits only (a back-reference: `label_replace(..., "$1", ...)`) is not one.
pub fn unresolved_references(expr: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &expr[i..];
        let len = if rest.starts_with("${") {
            rest.find('}').map_or(0, |e| e + 1)
        } else if rest.starts_with('$') {
            1 + rest[1..]
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count()
        } else if rest.starts_with("[[") {
            rest.find("]]").map_or(0, |e| e + 2)
        } else {
            0
        };
        let candidate = if len > 1 { &rest[..len] } else { "" };
        // `$1` is a regex back-reference (`label_replace`), which Grafana leaves alone too.
        let back_reference =
            candidate.len() > 1 && candidate[1..].bytes().all(|b| b.is_ascii_digit());
        let name_ok = match candidate.strip_prefix("[[") {
            Some(inner) => {
                let inner = inner.trim_end_matches("]]");
                !inner.is_empty()
                    && inner
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
            }
            None => true,
        };
        if !candidate.is_empty() && !back_reference && name_ok {
            found.push(rest[..len].to_string());
            i += len;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    found
}

/// What a Prometheus query variable asks for; the front end turns it into an HTTP API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableQuery {
    /// `label_names()`: `/api/v1/labels`.
    LabelNames,
    /// `label_values(label)`: `/api/v1/label/{label}/values`; with a metric (any series
    /// selector), `/api/v1/series?match[]=metric` and the label read from each series.
    LabelValues {
        metric: Option<String>,
        label: String,
    },
    /// `metrics(regex)`: metric names (`__name__` values) matching the regex.
    Metrics { regex: String },
    /// `query_result(expr)`: an instant query; each result line is an option.
    QueryResult { expr: String },
    /// Anything else: a series selector whose matching series are the options.
    Series { selector: String },
}

/// Parses a Prometheus query variable's query, as Grafana's `PrometheusMetricFindQuery`.
pub fn parse_variable_query(query: &str) -> VariableQuery {
    // Compiled per call (a variable's query is parsed once per resolution): in the browser a
    // regex is a JavaScript object, which a `static` cannot hold.
    let re = |source: &str| Regex::new(source, "").expect("valid");
    let [names, values, metrics, result] = [
        re(r"^label_names\(\)\s*$"),
        re(r"^label_values\((?:(.+),\s*)?([a-zA-Z_$][a-zA-Z0-9_]*)\)\s*$"),
        re(r"^metrics\((.+)\)\s*$"),
        re(r"^query_result\(([\s\S]+)\)\s*$"),
    ];
    let q = query.trim();
    if names.is_match(q) {
        return VariableQuery::LabelNames;
    }
    if let Some(c) = values.captures(q) {
        return VariableQuery::LabelValues {
            metric: c.get(1).map(|m| m.trim().to_string()),
            label: c.get(2).unwrap_or_default().to_string(),
        };
    }
    if let Some(c) = metrics.captures(q) {
        return VariableQuery::Metrics {
            regex: c.get(1).unwrap_or_default().trim().to_string(),
        };
    }
    if let Some(c) = result.captures(q) {
        return VariableQuery::QueryResult {
            expr: c.get(1).unwrap_or_default().trim().to_string(),
        };
    }
    VariableQuery::Series {
        selector: q.to_string(),
    }
}

/// A variable's `regex` written as JavaScript does (`/pattern/flags`, or a bare pattern that
/// must match the whole value), compiled; the error names the variable.
pub fn compile_regex(var_name: &str, js: &str) -> Result<Regex, String> {
    let (pattern, flags) = match js
        .strip_prefix('/')
        .and_then(|r| r.rfind('/').map(|i| (&r[..i], &r[i + 1..])))
    {
        Some((p, f)) => (p.to_string(), f),
        None => (format!("^{js}$"), ""),
    };
    Regex::new(&pattern, flags).map_err(|e| format!("variable `{var_name}`: regex `{js}`: {e}"))
}

/// Applies a variable's regex to the raw results of its query, as Grafana's
/// `metricNamesToVariableValues`: values that do not match are dropped; a named group `value`
/// (and `text`) or else the first capture group is what is kept; duplicates are removed.
pub fn filter_options(values: &[String], regex: Option<&Regex>) -> Vec<VariableOption> {
    let mut out: Vec<VariableOption> = Vec::new();
    for raw in values {
        let (text, value) = match regex {
            None => (raw.clone(), raw.clone()),
            Some(re) => {
                let Some(c) = re.captures(raw) else { continue };
                if let Some(v) = c.name("value") {
                    let t = c.name("text").unwrap_or(v);
                    (t.to_string(), v.to_string())
                } else if let Some(t) = c.name("text") {
                    (t.to_string(), t.to_string())
                } else if let Some(g) = c.get(1).filter(|g| !g.is_empty()) {
                    (g.to_string(), g.to_string())
                } else {
                    (raw.clone(), raw.clone())
                }
            }
        };
        if !out.iter().any(|o| o.value == value) {
            out.push(VariableOption { text, value });
        }
    }
    out
}

/// Sorts options by their text as Grafana's `sortVariableValues` does for `sort` 0–8.
pub fn sort_options(options: &mut [VariableOption], sort: u8) {
    fn number(text: &str) -> i64 {
        // Grafana: the first run of digits, or -1.
        let digits: String = text
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap_or(-1)
    }
    let cmp: fn(&VariableOption, &VariableOption) -> Ordering = match sort {
        1 | 2 => |a, b| a.text.cmp(&b.text),
        3 | 4 => |a, b| number(&a.text).cmp(&number(&b.text)),
        5 | 6 => |a, b| a.text.to_lowercase().cmp(&b.text.to_lowercase()),
        7 | 8 => |a, b| natural_cmp(&a.text, &b.text),
        _ => return,
    };
    crate::sort::sort_by(options, cmp);
    if sort % 2 == 0 {
        options.reverse();
    }
}

/// Natural order (`localeCompare` with `numeric: true`): digit runs compare as numbers, the
/// rest case-insensitively.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let take = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut s = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        s.push(c);
                        it.next();
                    }
                    s
                };
                let (na, nb) = (take(&mut a), take(&mut b));
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(x), Some(y)) => {
                let ord = x.to_lowercase().cmp(y.to_lowercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                a.next();
                b.next();
            }
        }
    }
}

/// Interpolates a data link's URL or title (Grafana's data links): `lookup(name, path)`
/// answers the data macros first — `${__data.fields.Pod}` asks `("__data", Some("fields.Pod"))`,
/// `${__value.raw}` asks `("__value", Some("raw"))`, `$__cell_1` asks `("__cell_1", None)` —
/// then the dashboard's variables in `scope` as text (`${datasource:queryparam}`), and
/// `${__url_time_range}` from `$__from`/`$__to`. A `:format` applies to data macros as to
/// variables (`${__data.fields.Pod:percentencode}`). What neither knows is left as written.
pub fn interpolate_link(
    text: &str,
    scope: &Scope,
    lookup: &dyn Fn(&str, Option<&str>) -> Option<String>,
) -> String {
    replace_var_refs(text, |r| {
        let VarRef {
            whole,
            name,
            field: path,
            format,
        } = *r;
        {
            if let Some(v) = lookup(name, path) {
                return match format {
                    None => v,
                    Some(f) => format_value(name, &ScopeValue::single(v), Some(f), Context::Text),
                };
            }
            if name == "__url_time_range" && path.is_none() {
                if let (Some(from), Some(to)) = (scope.get("__from"), scope.get("__to")) {
                    return format!("from={}&to={}", from.values.concat(), to.values.concat());
                }
            }
            match scope.get(name) {
                Some(value) if path.is_none() => {
                    match format.and_then(|f| f.strip_prefix("date")) {
                        Some(arg) => format_date(value, arg).unwrap_or_else(|| whole.to_string()),
                        None => format_value(name, value, format, Context::Text),
                    }
                }
                _ => whole.to_string(),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        assert_eq!(
            fmt("${servers:raw}", &["test.1", "test2"]),
            "test.1,test2"
        );
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
            interpolate("${__from:date:ddd, Do MMM YYYY h:mm A [UTC]}", &s, Context::Text),
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

#[cfg(test)]
mod var_ref_tests {
    use super::replace_var_refs;
    use proptest::prelude::*;

    /// Each reference as `<name|field|format>`, through Grafana's `variableRegex` itself.
    fn by_regex(text: &str) -> String {
        let re = regex_lite::Regex::new(
            r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}",
        )
        .unwrap();
        re.replace_all(text, |c: &regex_lite::Captures<'_>| {
            let g = |i: usize| c.get(i).map_or("-", |m| m.as_str());
            let name = c
                .get(1)
                .or(c.get(2))
                .or(c.get(4))
                .map_or("", |m| m.as_str());
            let format = c.get(3).or(c.get(6)).map_or("-", |m| m.as_str());
            format!("<{name}|{}|{format}>", g(5))
        })
        .into_owned()
    }

    fn by_scanner(text: &str) -> String {
        replace_var_refs(text, |r| {
            format!(
                "<{}|{}|{}>",
                r.name,
                r.field.unwrap_or("-"),
                r.format.unwrap_or("-")
            )
        })
    }

    proptest! {
        /// The hand-written scanner finds exactly what Grafana's regex finds.
        #[test]
        fn scanner_matches_grafanas_regex(text in "[$\\[\\]{}:.^a_1 é]{0,40}") {
            prop_assert_eq!(by_scanner(&text), by_regex(&text));
        }
    }

    #[test]
    fn known_references() {
        for text in [
            "$a ${b} ${c.d:e} [[f]] [[g:h]] ${i:date:iso} $1 ${__data.fields.X:percentencode}",
            "${} [[]] [[a:]] ${a.} ${a:} ${a.b^c} $ [[a:b c]] ${a.b:c",
        ] {
            assert_eq!(by_scanner(text), by_regex(text), "{text}");
        }
    }
}
