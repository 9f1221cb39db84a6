//! A dashboard's template variables (`templating.list`) as it stores them: kind, options,
//! current value, and how they are read from the JSON.

use serde_json::Value;

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
