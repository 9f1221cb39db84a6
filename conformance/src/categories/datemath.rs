//! Grafana's date math (`dateMath.toDateTime`): relative times, rounding to units (weeks by
//! the week start, fiscal years and quarters by the fiscal year's first month), absolute times,
//! in UTC and in other time zones, against kubeglass's `time` module.

use crate::Case;
use kubeglass_shared::time::{parse_time, DateContext, WeekStart};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Value};

const TEXTS: &[&str] = &[
    "now",
    "now-5m",
    "now-1h",
    "now+2d",
    "now-1h/h",
    "now/d",
    "now-1d/d",
    "now/w",
    "now-1w/w",
    "now/M",
    "now-1M/M",
    "now/y",
    "now-1y/y",
    "now/fy",
    "now-1fy/fy",
    "now/fQ",
    "now/Q",
    "now-7d",
    "now-90d",
    "now-30s",
    "now-1.5h",
    "now-1x",
    "now/x",
    "now-",
    "nowx",
    "",
    "garbage",
    "1700000000000",
    "2023-01-01",
    "2023-01-01T10:20:30Z",
    "2023-06-15 08:00:00",
    "2023-01-31T00:00:00Z||+1M",
];

const NOWS: &[i64] = &[
    1_700_000_000_000, // Tue 2023-11-14 22:13:20 UTC
    1_704_067_199_999, // the last ms of 2023
    1_709_251_200_000, // Fri 2024-03-01 00:00 UTC (after a leap day)
    1_711_846_800_000, // 2024-03-31 01:00 UTC (a DST change in Europe)
];

const WEEK_STARTS: &[Option<&str>] = &[None, Some("monday"), Some("sunday"), Some("saturday")];
const ZONES: &[&str] = &[
    "utc",
    "browser",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
];

struct Spec<'a> {
    text: &'a str,
    now: i64,
    round_up: bool,
    week_start: Option<&'a str>,
    fiscal: u32,
    zone: &'a str,
}

fn case(s: Spec<'_>) -> Case {
    let ctx = DateContext {
        zone: s.zone.to_owned(),
        week_start: s.week_start.and_then(WeekStart::parse).unwrap_or_default(),
        fiscal_year_start_month: s.fiscal,
    };
    let ours = match parse_time(s.text) {
        Ok(expr) => json!(expr.resolve_in(s.now, s.round_up, &ctx)),
        Err(_) => Value::Null,
    };
    let mut input = json!({"cat": "datemath", "text": s.text, "now": s.now, "roundUp": s.round_up,
                           "timezone": s.zone, "fiscalYearStartMonth": s.fiscal});
    if let Some(w) = s.week_start {
        input["weekStart"] = json!(w);
    }
    Case {
        name: format!(
            "text={:?} now={} roundUp={} weekStart={} fiscalYearStartMonth={} timezone={}",
            s.text,
            s.now,
            s.round_up,
            s.week_start.unwrap_or("-"),
            s.fiscal,
            s.zone
        ),
        input,
        ours,
        answer: |r| r["result"]["ms"].clone(),
    }
}

pub fn cases(rng: &mut StdRng, n: usize) -> Vec<Case> {
    let mut out = Vec::new();
    for text in TEXTS {
        for round_up in [false, true] {
            out.push(case(Spec {
                text,
                now: NOWS[0],
                round_up,
                week_start: None,
                fiscal: 0,
                zone: "utc",
            }));
        }
    }
    for week_start in WEEK_STARTS {
        for text in ["now/w", "now-1w/w", "now-2w/w"] {
            out.push(case(Spec {
                text,
                now: NOWS[0],
                round_up: false,
                week_start: *week_start,
                fiscal: 0,
                zone: "utc",
            }));
        }
    }
    for fiscal in [0, 1, 3, 9, 11] {
        for text in ["now/fy", "now-1fy/fy", "now/fQ", "now-1fQ/fQ"] {
            out.push(case(Spec {
                text,
                now: NOWS[0],
                round_up: true,
                week_start: None,
                fiscal,
                zone: "utc",
            }));
        }
    }
    for _ in 0..n {
        out.push(case(Spec {
            text: TEXTS.choose(rng).expect("texts"),
            now: *NOWS.choose(rng).expect("nows"),
            round_up: rng.random(),
            week_start: *WEEK_STARTS.choose(rng).expect("week starts"),
            fiscal: rng.random_range(0..12),
            zone: ZONES.choose(rng).expect("zones"),
        }));
    }
    out
}
