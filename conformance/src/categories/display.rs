//! Grafana's display processor on one field: its unit (or none), decimals, thresholds (absolute
//! and percentage, with the base colour), colour modes, value mappings of every kind in the
//! order written, `noValue`, and the colours of text values and nulls. kubeglass's
//! `display::Processor` against Grafana's `getDisplayProcessor`, the field config read as a
//! dashboard stores it.

use crate::oracle::num;
use crate::Case;
use kubeglass_shared::data::frame::FieldKind;
use kubeglass_shared::display::mappings::Input;
use kubeglass_shared::display::{range_of, Processor};
use kubeglass_shared::model::field::read_field_defaults;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Map, Value};

/// A value of the field.
#[derive(Debug, Clone)]
enum V {
    Null,
    Num(f64),
    Text(String),
}

impl V {
    fn json(&self) -> Value {
        match self {
            V::Null => Value::Null,
            V::Num(n) => num(*n),
            V::Text(t) => json!(t),
        }
    }

    fn input(&self) -> Input<'_> {
        match self {
            V::Null => Input::Null,
            V::Num(n) => Input::Number(*n),
            V::Text(t) => Input::Text(t),
        }
    }
}

/// One case: the field's kind, config, values, the value shown, and the series' place.
struct Field {
    kind: FieldKind,
    config: Value,
    values: Vec<V>,
    value: V,
    series: usize,
    name: String,
}

fn kind_name(k: FieldKind) -> &'static str {
    match k {
        FieldKind::Number => "number",
        FieldKind::String => "string",
        FieldKind::Time => "time",
    }
}

fn ours(f: &Field) -> Value {
    let d = read_field_defaults(Some(&f.config));
    let numbers = f.values.iter().filter_map(|v| match v {
        V::Num(n) => Some(*n),
        _ => None,
    });
    let p = Processor::new(&d, f.kind, range_of(numbers), f.series, &f.name);
    let s = p.show(f.value.input());
    let mut out = Map::new();
    out.insert("text".into(), json!(s.text));
    out.insert("prefix".into(), json!(s.prefix));
    out.insert("suffix".into(), json!(s.suffix));
    out.insert("color".into(), json!(s.color));
    out.insert("percent".into(), s.percent.map_or(Value::Null, num));
    Value::Object(out)
}

/// Grafana's answer in kubeglass's shape: absent prefix, suffix and percent are empty / null.
fn answer(r: &Value) -> Value {
    let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    json!({
        "text": text("text"),
        "prefix": text("prefix"),
        "suffix": text("suffix"),
        "color": text("color"),
        "percent": r.get("percent").cloned().unwrap_or(Value::Null),
    })
}

const UNITS: &[&str] = &[
    "short",
    "percent",
    "percentunit",
    "bytes",
    "decbytes",
    "ms",
    "s",
    "reqps",
    "none",
    "bool",
    "suffix: req",
    "prefix:$",
    "currencyUSD",
    "watt",
    "celsius",
    "string",
    "locale",
    "hertz",
];
const COLORS: &[&str] = &[
    "green",
    "red",
    "semi-dark-orange",
    "dark-blue",
    "super-light-purple",
    "#FF0000",
    "#abc",
    "rgb(1, 2, 3)",
    "rgba(10,20,30,0.5)",
    "transparent",
    "text",
    "Red",
    "BLUE",
    "orange",
    "rebeccapurple",
    "nonsense",
    "",
    "panel-bg",
    "yellow",
];
const MODES: &[&str] = &[
    "thresholds",
    "fixed",
    "shades",
    "gradient",
    "palette-classic",
    "palette-classic-by-name",
    "palette-colorblind",
    "palette-categorical-next",
    "continuous-GrYlRd",
    "continuous-RdYlGr",
    "continuous-BlYlRd",
    "continuous-YlRd",
    "continuous-BlPu",
    "continuous-YlBl",
    "continuous-blues",
    "continuous-reds",
    "continuous-greens",
    "continuous-purples",
    "continuous-viridis",
    "continuous-magma",
    "continuous-plasma",
    "continuous-inferno",
    "no-such-mode",
];
const TEXTS: &[&str] = &[
    "",
    "up",
    "down",
    "12",
    " 3.5 ",
    "12abc",
    "true",
    "false",
    "0x1f",
    "abc",
    "NaN",
    "-7",
    "web-1.example.com",
    "1e3",
    "Infinity",
];

fn number(rng: &mut StdRng) -> f64 {
    match rng.random_range(0..12) {
        0 => 0.0,
        1 => f64::NAN,
        2 => [f64::INFINITY, f64::NEG_INFINITY][rng.random_range(0..2)],
        3 => rng.random_range(-5..=5) as f64,
        4 => rng.random_range(0..=100) as f64,
        5 => rng.random_range(0..=200) as f64 / 2.0,
        _ => (rng.random::<f64>() - 0.3) * 10f64.powi(rng.random_range(-4..8)),
    }
}

/// A value of a field of `kind`: a number field holds numbers and nulls, a text field texts
/// (numbers written as text among them) and nulls.
fn value(rng: &mut StdRng, kind: FieldKind) -> V {
    match (kind, rng.random_range(0..10)) {
        (_, 0) => V::Null,
        (FieldKind::String, _) => V::Text(TEXTS.choose(rng).unwrap().to_string()),
        _ => V::Num(number(rng)),
    }
}

fn color(rng: &mut StdRng) -> Value {
    json!(COLORS.choose(rng).unwrap())
}

fn result(rng: &mut StdRng) -> Value {
    let mut r = Map::new();
    if rng.random_bool(0.7) {
        r.insert(
            "text".into(),
            json!(["Up", "Down", "", "$1", "n/a", "x$&y", "big"]
                .choose(rng)
                .unwrap()),
        );
    }
    if rng.random_bool(0.5) {
        r.insert("color".into(), color(rng));
    }
    r.insert("index".into(), json!(rng.random_range(0..4)));
    Value::Object(r)
}

fn mapping(rng: &mut StdRng) -> Value {
    match rng.random_range(0..4) {
        0 => {
            let mut options = Map::new();
            for _ in 0..rng.random_range(1..4) {
                let key = match rng.random_range(0..3) {
                    0 => rng.random_range(-2..=5).to_string(),
                    1 => TEXTS.choose(rng).unwrap().to_string(),
                    _ => ["1.5", "NaN", "null"].choose(rng).unwrap().to_string(),
                };
                options.insert(key, result(rng));
            }
            json!({"type": "value", "options": options})
        }
        1 => {
            let end = |rng: &mut StdRng| -> Value {
                match rng.random_range(0..5) {
                    0 => Value::Null,
                    1 => json!(rng.random_range(-10..10).to_string()),
                    _ => json!(rng.random_range(-10..100)),
                }
            };
            json!({"type": "range", "options": {"from": end(rng), "to": end(rng), "result": result(rng)}})
        }
        2 => {
            let pattern = [
                "(.*)\\.example\\.com",
                "/^UP$/i",
                "^\\d+$",
                "/a/g",
                "(\\w)(\\w)",
                "[",
                "ab",
            ]
            .choose(rng)
            .unwrap();
            json!({"type": "regex", "options": {"pattern": pattern, "result": result(rng)}})
        }
        _ => {
            let m = ["null", "nan", "null+nan", "true", "false", "empty"]
                .choose(rng)
                .unwrap();
            json!({"type": "special", "options": {"match": m, "result": result(rng)}})
        }
    }
}

fn config(rng: &mut StdRng) -> Value {
    let mut c = Map::new();
    if rng.random_bool(0.5) {
        c.insert("unit".into(), json!(UNITS.choose(rng).unwrap()));
    }
    if rng.random_bool(0.25) {
        c.insert("decimals".into(), json!(rng.random_range(0..4)));
    }
    if rng.random_bool(0.3) {
        c.insert("min".into(), json!(rng.random_range(-50..50)));
    }
    if rng.random_bool(0.3) {
        c.insert("max".into(), json!(rng.random_range(0..200)));
    }
    if rng.random_bool(0.8) {
        let mut steps = vec![json!({"value": null, "color": color(rng)})];
        for _ in 0..rng.random_range(0..4) {
            let mut step = Map::new();
            step.insert("value".into(), json!(rng.random_range(-20..120)));
            if rng.random_bool(0.95) {
                step.insert("color".into(), color(rng));
            }
            steps.push(Value::Object(step));
        }
        let mode = if rng.random_bool(0.3) {
            "percentage"
        } else {
            "absolute"
        };
        c.insert("thresholds".into(), json!({"mode": mode, "steps": steps}));
    }
    if rng.random_bool(0.5) {
        let mut color_cfg = Map::new();
        if rng.random_bool(0.95) {
            color_cfg.insert("mode".into(), json!(MODES.choose(rng).unwrap()));
        }
        if rng.random_bool(0.6) {
            color_cfg.insert("fixedColor".into(), color(rng));
        }
        c.insert("color".into(), Value::Object(color_cfg));
    }
    if rng.random_bool(0.4) {
        let n = rng.random_range(1..4);
        let list: Vec<Value> = (0..n).map(|_| mapping(rng)).collect();
        c.insert("mappings".into(), json!(list));
    }
    if rng.random_bool(0.2) {
        c.insert(
            "noValue".into(),
            json!(["-", "nothing", "0"].choose(rng).unwrap()),
        );
    }
    Value::Object(c)
}

fn generated(rng: &mut StdRng) -> Field {
    let kind = if rng.random_bool(0.8) {
        FieldKind::Number
    } else {
        FieldKind::String
    };
    let value = value(rng, kind);
    let mut values = vec![value.clone()];
    for _ in 0..rng.random_range(0..4) {
        values.push(self::value(rng, kind));
    }
    Field {
        kind,
        config: config(rng),
        values,
        value,
        series: rng.random_range(0..80),
        name: ["A", "Value #B", "node-1", "cpu", "お知らせ", ""]
            .choose(rng)
            .unwrap()
            .to_string(),
    }
}

/// The cases written by hand: the behaviours the issue names.
fn edge_cases() -> Vec<Field> {
    let f = |config: Value, value: V| Field {
        kind: match value {
            V::Text(_) => FieldKind::String,
            _ => FieldKind::Number,
        },
        config,
        values: vec![value.clone()],
        value,
        series: 0,
        name: "A".into(),
    };
    let thresholds = json!({"mode": "absolute", "steps": [{"value": null, "color": "green"}, {"value": 80, "color": "red"}]});
    vec![
        f(json!({}), V::Num(1e6)),
        f(json!({}), V::Num(123.456789)),
        f(json!({}), V::Null),
        f(json!({}), V::Num(f64::NAN)),
        f(json!({}), V::Num(f64::INFINITY)),
        f(json!({"thresholds": thresholds}), V::Text("up".into())),
        f(json!({"thresholds": thresholds}), V::Null),
        f(
            json!({"thresholds": thresholds, "noValue": "none"}),
            V::Null,
        ),
        f(json!({"thresholds": thresholds}), V::Num(80.0)),
        f(
            json!({"min": 0, "max": 200, "thresholds": {"mode": "percentage", "steps": [{"value": null, "color": "green"}, {"value": 50, "color": "red"}]}}),
            V::Num(100.0),
        ),
        f(
            json!({"mappings": [
                {"type": "range", "options": {"from": 0, "to": 10, "result": {"text": "low", "index": 1}}},
                {"type": "value", "options": {"5": {"text": "five", "index": 0}}}]}),
            V::Num(5.0),
        ),
        f(
            json!({"color": {"mode": "fixed", "fixedColor": "purple"}}),
            V::Num(5.0),
        ),
        f(
            json!({"color": {"mode": "continuous-GrYlRd"}, "min": 0, "max": 100}),
            V::Num(50.0),
        ),
        f(json!({"unit": "bytes"}), V::Text("1234.5678".into())),
    ]
}

pub fn cases(rng: &mut StdRng, n: usize) -> Vec<Case> {
    let mut fields = edge_cases();
    fields.extend((0..n).map(|_| generated(rng)));
    fields
        .into_iter()
        .map(|f| {
            let values: Vec<Value> = f.values.iter().map(V::json).collect();
            Case {
                name: format!(
                    "display {} value={} config={} values={} series={} name={:?}",
                    kind_name(f.kind),
                    f.value.json(),
                    f.config,
                    Value::Array(values.clone()),
                    f.series,
                    f.name
                ),
                input: json!({"cat": "display", "fieldType": kind_name(f.kind), "value": f.value.json(),
                    "values": values, "config": f.config, "seriesIndex": f.series, "name": f.name}),
                ours: ours(&f),
                answer,
            }
        })
        .collect()
}
