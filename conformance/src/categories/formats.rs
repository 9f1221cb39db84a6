//! Every format of Scenes' `formatRegistry` (`${var:csv}`, `${var:lucene}`, ...) on single and
//! multi values with the characters each format escapes, plus the Prometheus data source's
//! default interpolation (`interpolateQueryExpr`, regular and regex escaping) for single,
//! multi and include-All variables: kubeglass's `template::format_value` against Grafana's.

use crate::Case;
use kubeglass_shared::model::template::{format_value, Context, ScopeValue};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Value};

/// Values with the characters the formats treat specially.
const SAMPLES: &[&str] = &[
    "a",
    "web-01",
    "a b",
    "a,b",
    "it's",
    "say \"hi\"",
    "back\\slash",
    "a.b|c",
    "(x)[y]{z}",
    "$^*+?",
    "<b>&amp;</b>",
    "a/b:c",
    "100%",
    "ünïcødé",
    "",
    "x=y&z",
    "~!*()'",
    "10.0.0.1:9100",
];

/// A variable's value: one string, or several.
#[derive(Clone)]
enum Val {
    One(String),
    Many(Vec<String>),
}

impl Val {
    fn json(&self) -> Value {
        match self {
            Val::One(s) => json!(s),
            Val::Many(v) => json!(v),
        }
    }
    fn values(&self) -> Vec<String> {
        match self {
            Val::One(s) => vec![s.clone()],
            Val::Many(v) => v.clone(),
        }
    }
    fn shown(&self) -> String {
        match self {
            Val::One(s) => format!("{s:?}"),
            Val::Many(v) => format!("{v:?}"),
        }
    }
}

/// (format id, its arguments) of the registry.
fn formats() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("lucene", vec![]),
        ("raw", vec![]),
        ("regex", vec![]),
        ("pipe", vec![]),
        ("distributed", vec![]),
        ("csv", vec![]),
        ("html", vec![]),
        ("json", vec![]),
        ("percentencode", vec![]),
        ("singlequote", vec![]),
        ("doublequote", vec![]),
        ("sqlstring", vec![]),
        ("join", vec![]),
        ("join", vec![" + "]),
        ("join", vec![";"]),
        ("glob", vec![]),
        ("text", vec![]),
        ("queryparam", vec![]),
        ("customqueryparam", vec![]),
        ("customqueryparam", vec!["h"]),
        ("customqueryparam", vec!["h", "pre-", "-post"]),
        ("uriencode", vec![]),
    ]
}

fn format_case(format: &str, args: &[&str], value: &Val) -> Case {
    let values = value.values();
    let multi = matches!(value, Val::Many(_));
    let scope = ScopeValue {
        texts: values.iter().map(|v| format!("{v}!")).collect(),
        values,
        multi,
        ..ScopeValue::default()
    };
    let spec = std::iter::once(format)
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(":");
    Case {
        name: format!("format={spec} value={}", value.shown()),
        // A multi-value variable's text, as Scenes' `getValueText` gives it: the texts joined.
        input: json!({"cat": "format", "format": format, "args": args, "value": value.json(), "name": "var",
                      "text": scope.texts.join(" + ")}),
        ours: json!(format_value("var", &scope, Some(&spec), Context::Text)),
        answer: |r| r["result"].clone(),
    }
}

fn prometheus_case(value: &Val, multi: bool, include_all: bool) -> Case {
    // Only a multi or include-All variable holds a list.
    let value = &match value {
        Val::Many(v) if !multi && !include_all => Val::One(v.first().cloned().unwrap_or_default()),
        v => v.clone(),
    };
    let values = value.values();
    let scope = ScopeValue {
        texts: values.clone(),
        values,
        multi,
        include_all,
        ..ScopeValue::default()
    };
    Case {
        name: format!(
            "format=prometheus multi={multi} includeAll={include_all} value={}",
            value.shown()
        ),
        input: json!({"cat": "promescape", "value": value.json(), "multi": multi, "includeAll": include_all}),
        ours: json!(format_value("var", &scope, None, Context::Prometheus)),
        answer: |r| r["result"].clone(),
    }
}

fn random_value(rng: &mut StdRng) -> Val {
    let pick = |rng: &mut StdRng| SAMPLES.choose(rng).expect("samples").to_string();
    match rng.random_range(0..3) {
        0 => Val::One(pick(rng)),
        _ => Val::Many((0..rng.random_range(0..4)).map(|_| pick(rng)).collect()),
    }
}

pub fn cases(rng: &mut StdRng, n: usize) -> Vec<Case> {
    let mut values: Vec<Val> = SAMPLES.iter().map(|s| Val::One(s.to_string())).collect();
    values.push(Val::Many(vec![]));
    values.push(Val::Many(vec!["a".into()]));
    values.push(Val::Many(vec!["a".into(), "b".into()]));
    values.push(Val::Many(
        SAMPLES.iter().map(|s| s.to_string()).take(6).collect(),
    ));
    let formats = formats();
    let mut out = Vec::new();
    for v in &values {
        for (f, args) in &formats {
            out.push(format_case(f, args, v));
        }
        for (multi, all) in [(false, false), (true, false), (false, true), (true, true)] {
            out.push(prometheus_case(v, multi, all));
        }
    }
    for _ in 0..n {
        let v = random_value(rng);
        if rng.random_range(0..5) == 0 {
            out.push(prometheus_case(&v, rng.random(), rng.random()));
        } else {
            let (f, args) = formats.choose(rng).expect("formats");
            out.push(format_case(f, args, &v));
        }
    }
    out
}
