//! Grafana's `rangeUtil`: `calculateInterval` (`$__interval` for a range and a resolution,
//! never below a minimum), `roundInterval`, `intervalToMs` and `secondsToHms`, against
//! kubeglass's `interval` module.

use crate::Case;
use kubeglass_shared::time::interval::{
    calculate_interval, format_interval, parse_interval, round_interval,
};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::json;

const INTERVAL_TEXTS: &[&str] = &[
    "15s", "1m", "1m30s", "500ms", "1h", "2d", "1w", "1M", "1y", "30", "1.5h", "0.5s", "0", "10S",
    "1x", "", "m", "inf", "-5s", ">10s",
];

fn calculate(range_ms: i64, resolution: u32, min: Option<&str>) -> Case {
    let low = min.map(|m| parse_interval(m).ok());
    let ours = match low {
        Some(None) => json!(crate::REFUSED),
        _ => {
            let ms = calculate_interval(range_ms, resolution, low.flatten());
            json!({"intervalMs": ms, "interval": format_interval(ms)})
        }
    };
    let mut args = vec![
        json!({"from": 1_700_000_000_000i64, "to": 1_700_000_000_000i64 + range_ms}),
        json!(resolution),
    ];
    if let Some(m) = min {
        args.push(json!(m));
    }
    Case {
        name: format!(
            "calculateInterval range={range_ms} resolution={resolution} min={}",
            min.unwrap_or("-")
        ),
        input: json!({"cat": "rangeutil", "fn": "calculateInterval", "args": args}),
        ours,
        answer: |r| r["result"].clone(),
    }
}

pub fn cases(rng: &mut StdRng, n: usize) -> Vec<Case> {
    let mut out = Vec::new();
    for text in INTERVAL_TEXTS {
        out.push(Case {
            name: format!("intervalToMs {text:?}"),
            input: json!({"cat": "rangeutil", "fn": "intervalToMs", "args": [text]}),
            ours: parse_interval(text).map_or(json!(crate::REFUSED), |ms| json!(ms)),
            answer: |r| r["result"].clone(),
        });
    }
    let ranges = [
        1_000i64,
        60_000,
        300_000,
        3_600_000,
        21_600_000,
        86_400_000,
        604_800_000,
        2_592_000_000,
        31_536_000_000,
    ];
    for range in ranges {
        for resolution in [1u32, 100, 1000, 1920] {
            out.push(calculate(range, resolution, None));
        }
        out.push(calculate(range, 1000, Some("30s")));
    }
    for _ in 0..n {
        match rng.random_range(0..3) {
            0 => {
                let ms = rng.random_range(0.0..4e9f64).round();
                out.push(Case {
                    name: format!("roundInterval {ms}"),
                    input: json!({"cat": "rangeutil", "fn": "roundInterval", "args": [ms]}),
                    ours: json!(round_interval(ms)),
                    answer: |r| r["result"].clone(),
                });
            }
            1 => {
                let s = rng.random_range(0..400_000_000i64);
                out.push(Case {
                    name: format!("secondsToHms {s}"),
                    input: json!({"cat": "rangeutil", "fn": "secondsToHms", "args": [s]}),
                    ours: json!(format_interval(s * 1000)),
                    answer: |r| r["result"].clone(),
                });
            }
            _ => {
                let range = rng.random_range(1_000..40_000_000_000i64);
                let min = INTERVAL_TEXTS[..13].choose(rng).copied();
                out.push(calculate(
                    range,
                    rng.random_range(1..3000),
                    min.filter(|_| rng.random()),
                ));
            }
        }
    }
    out
}
