//! Every unit id of Grafana's picker (`getValueFormats()`) and the custom unit forms
//! (`suffix:`, `prefix:`, `si:`, `count:`, `currency:`, `currency:financial:`, `time:`,
//! `bool:`, unknown ids, `""`) over a grid of values (zeros, tiny to huge magnitudes,
//! negatives, halves that do and do not survive rounding, NaN, infinities, null) and decimals
//! (automatic, 0 to 4), then random values, decimals and odd digit counts: kubeglass's
//! `units::try_format_full` against Grafana's `getValueFormat(id)(value, decimals,
//! undefined, timeZone)` in UTC (the date units also in a few other zones), compared as
//! prefix, text and suffix (an undefined part as "").

use super::listing;
use crate::oracle::num;
use crate::{Case, REFUSED};
use kubeglass_shared::display::units::{try_format_full, FormatContext};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Value};

/// The "now" of every case (2023-11-14T22:13:20Z), for `dateTimeFromNow` and the
/// `*NoDateIfToday` formats.
const NOW: i64 = 1_700_000_000_000;

/// The values every unit is tried on (`None` is null).
const GRID: &[Option<f64>] = &[
    Some(0.0),
    Some(-0.0),
    Some(1.0),
    Some(-1.0),
    Some(0.5),
    Some(-0.5),
    Some(2.25),
    Some(-2.25),
    Some(1.005),
    Some(2.675),
    Some(0.125),
    Some(1.5),
    Some(7.0),
    Some(59.0),
    Some(60.0),
    Some(61.0),
    Some(99.995),
    Some(999.0),
    Some(1000.0),
    Some(1023.0),
    Some(1024.0),
    Some(1536.0),
    Some(-1536.0),
    Some(3600.0),
    Some(86400.0),
    Some(604800.0),
    Some(1234567.891),
    Some(1e-12),
    Some(1e-9),
    Some(1.23456789e-7),
    Some(1e-6),
    Some(0.000123456),
    Some(0.001),
    Some(0.0123456),
    Some(0.123456),
    Some(12.3456),
    Some(123.456),
    Some(1e6),
    Some(1e9),
    Some(1e12),
    Some(1e15),
    Some(-1e15),
    Some(-1e-12),
    Some(31536000.0),
    Some(1_700_000_000_000.0),
    Some(1_699_990_000_000.0),
    Some(f64::NAN),
    Some(f64::INFINITY),
    Some(f64::NEG_INFINITY),
    None,
];

/// The decimals every unit is tried with (`None`: automatic).
const DECIMALS: &[Option<f64>] = &[None, Some(0.0), Some(1.0), Some(2.0), Some(3.0), Some(4.0)];

/// Custom unit forms and ids Grafana does not register.
const CUSTOM: &[&str] = &[
    "suffix: foo",
    "suffix:%",
    "suffix:",
    "suffix:a:b",
    "prefix:$ ",
    "prefix:",
    "prefix:a:b",
    "si:B",
    "si:",
    "si:kB",
    "si:mW",
    "si:Mohm",
    "si:µg",
    "si:μg",
    "si:m",
    "si:fF",
    "si:YB",
    "si:aB",
    "si:B:x",
    "count:req",
    "count:",
    "count:a:b",
    "currency:EUR",
    "currency:€",
    "currency:",
    "currency:USD:suffix",
    "currency:financial",
    "currency:financial:",
    "currency:financial:$",
    "currency:financial:€:suffix",
    "currency:financial:USD:x",
    "currency:financial:$:suffix:x",
    "time:YYYY-MM-DD",
    "time:",
    "time:HH:mm",
    "time:YYYY:MM",
    "time:[Q]Q YY Do MMM dddd LT",
    "time:x X SSSS ZZ w W gggg GGGG DDDo",
    "time:LLLL l ll h A k kk E e",
    "time:Mo Wo wo gg GG YYYYYY Y YYYYY k N NNNN y yo",
    "time:[literal] \\H HH:mm:ss.SSS S SS SSSSSS a A hmm Hmmss zz Qo",
    "time:LTS L LL LLL l lll llll",
    "time:DDDD DDD d do dd ddd dddd e E",
    "time:ww WW gggg GGGGG",
    "bool:Yes/No",
    "bool:A",
    "bool:",
    "bool:a/b/c",
    "bool:/",
    "foo",
    "",
    " ",
    "foo bar",
    "short:x",
    "suffix",
    "SI:B",
    "locale:de",
];

/// Digit counts Grafana's formatters read oddly or refuse (negative, fractional, beyond the
/// `toFixed` / `Intl` limits, NaN).
const ODD_DECIMALS: &[f64] = &[
    5.0,
    8.0,
    12.0,
    20.0,
    21.0,
    25.0,
    -1.0,
    0.5,
    1.5,
    2.7,
    f64::NAN,
];

/// A number as the case names write it: JavaScript's, with `-0` told apart.
fn shown(v: f64) -> String {
    if v == 0.0 && v.is_sign_negative() {
        "-0".into()
    } else {
        kubeglass_shared::display::units::js_number(v)
    }
}

/// Grafana's answer: prefix, text and suffix, an undefined part as "".
fn answer(r: &Value) -> Value {
    let part = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    json!({"prefix": part("prefix"), "text": r["text"], "suffix": part("suffix")})
}

/// The date units and the zones they are tried in besides UTC.
const DATE_UNITS: &[&str] = &[
    "dateTimeAsIso",
    "dateTimeAsUS",
    "dateTimeAsLocal",
    "dateTimeAsIsoNoDateIfToday",
    "dateTimeFromNow",
    "time:",
    "time:YYYY-MM-DD HH:mm:ss Z",
];
/// Zones with daylight saving, half and quarter hours, half-hour DST, and one unknown.
const ZONES: &[&str] = &[
    "browser",
    "America/New_York",
    "Europe/Berlin",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Foo/Bar",
];
/// Instants for the zones: the epoch, now and 3 hours later, summer and winter, 1938, 1811
/// (local mean time) and 2508 (after moment-timezone's data ends).
const ZONE_VALUES: &[f64] = &[
    0.0,
    NOW as f64,
    NOW as f64 + 3.0 * 3_600_000.0,
    1.3e12,
    1.5e12,
    -1e12,
    -5e12,
    1.7e13,
];

/// One case: `id` on `value` with `decimals`, in UTC.
fn case(id: &str, value: Option<f64>, decimals: Option<f64>) -> Case {
    zoned_case(id, value, decimals, "utc")
}

/// One case: `id` on `value` with `decimals` in time zone `zone`.
fn zoned_case(id: &str, value: Option<f64>, decimals: Option<f64>, zone: &str) -> Case {
    let ctx = FormatContext {
        time_zone: zone,
        now_ms: NOW,
    };
    let ours = match try_format_full(value, id, decimals, &ctx) {
        Ok(v) => json!({"prefix": v.prefix, "text": v.text, "suffix": v.suffix}),
        Err(_) => json!(REFUSED),
    };
    Case {
        name: format!(
            "unit={id} value={} decimals={}{}",
            value.map_or_else(|| "null".into(), shown),
            decimals.map_or_else(|| "-".into(), shown),
            if zone == "utc" {
                String::new()
            } else {
                format!(" timeZone={zone}")
            }
        ),
        input: json!({"cat": "unit", "id": id, "value": value.map_or(Value::Null, num),
                      "decimals": decimals.map_or(Value::Null, num), "timeZone": zone, "now": NOW}),
        ours,
        answer,
    }
}

/// A random value: magnitudes from 1e-12 to 1e15, simple fractions, powers of the scaling
/// factors and their neighbours, timestamps (negative years included) and values near now.
fn random_value(rng: &mut StdRng) -> f64 {
    let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
    match rng.random_range(0..100) {
        0..35 => sign * 10f64.powf(rng.random_range(-12.0..15.0)),
        35..55 => {
            let d = *[1.0, 2.0, 4.0, 8.0, 10.0, 100.0, 1000.0, 3.0]
                .choose(rng)
                .expect("divisors");
            rng.random_range(-1_000_000..=1_000_000) as f64 / d
        }
        55..65 => {
            let base = *[
                1000.0, 1024.0, 60.0, 3600.0, 86400.0, 604800.0, 31536000.0, 8.64e7,
            ]
            .choose(rng)
            .expect("bases");
            let near = *[1.0, 0.999999, 1.000001, 1.5].choose(rng).expect("factors");
            sign * f64::powi(base, rng.random_range(0..6)) * near
        }
        65..80 => rng.random_range(-10_000_000_000_000i64..2_000_000_000_000) as f64,
        80..90 => NOW as f64 + rng.random_range(-4e10..4e10),
        _ => rng.random_range(-100.0..100.0),
    }
}

pub fn cases(rng: &mut StdRng, n: usize) -> Vec<Case> {
    let listed = listing("units");
    let ids: Vec<String> = listed["categories"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["units"].as_array().into_iter().flatten())
        .filter_map(|u| u["id"].as_str().map(str::to_string))
        .collect();
    assert!(!ids.is_empty(), "the oracle lists no units: {listed}");
    let mut out = Vec::new();
    for id in &ids {
        for &v in GRID {
            for &d in DECIMALS {
                out.push(case(id, v, d));
            }
        }
        for &d in ODD_DECIMALS {
            out.push(case(id, GRID[rng.random_range(0..40)], Some(d)));
        }
    }
    for id in CUSTOM {
        for &v in GRID.iter().step_by(2) {
            for d in [None, Some(0.0), Some(2.0)] {
                out.push(case(id, v, d));
            }
        }
    }
    for id in DATE_UNITS {
        for zone in ZONES {
            for &v in ZONE_VALUES {
                out.push(zoned_case(id, Some(v), None, zone));
            }
        }
    }
    let customs = &CUSTOM[..20];
    for _ in 0..n {
        let id = if rng.random_range(0..ids.len() + customs.len()) < ids.len() {
            ids.choose(rng).expect("ids").as_str()
        } else {
            customs.choose(rng).expect("customs")
        };
        let d = match rng.random_range(0..20) {
            0..6 => None,
            6 => Some(*ODD_DECIMALS.choose(rng).expect("odd decimals")),
            k => Some(f64::from((k - 7) % 8)),
        };
        let v = match rng.random_range(0..40) {
            0 => None,
            1 => Some(f64::NAN),
            _ => Some(random_value(rng)),
        };
        out.push(case(id, v, d));
    }
    out
}
