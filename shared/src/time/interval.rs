//! Query intervals and steps, computed exactly as Grafana does, and the built-in macros
//! (`$__interval`, `$__rate_interval`, `$__range`, ...) they fill in.
//!
//! The rules follow Grafana's `rangeutil.ts` (`roundInterval`, `calculateInterval`,
//! `secondsToHms`) and its Prometheus data source (`adjustInterval`, the `$__rate_interval`
//! rule, and step alignment, which rounds both `start` and `end` down to a multiple of the step:
//! `AlignTimeRange` in Grafana's Prometheus query code). Times here are UTC, so the alignment
//! offset Grafana applies for browser time zones is zero.

use crate::time::ResolvedRange;
use std::fmt;

/// Grafana's `roundInterval`: snaps a raw interval (ms) to a round value from a fixed table.
pub fn round_interval(interval_ms: f64) -> i64 {
    // (upper bound exclusive, result), from grafana/grafana rangeutil.ts.
    const TABLE: &[(f64, i64)] = &[
        (10.0, 1),
        (15.0, 10),
        (35.0, 20),
        (75.0, 50),
        (150.0, 100),
        (350.0, 200),
        (750.0, 500),
        (1_500.0, 1_000),
        (3_500.0, 2_000),
        (7_500.0, 5_000),
        (12_500.0, 10_000),
        (17_500.0, 15_000),
        (25_000.0, 20_000),
        (45_000.0, 30_000),
        (90_000.0, 60_000),
        (210_000.0, 120_000),
        (450_000.0, 300_000),
        (750_000.0, 600_000),
        (1_050_000.0, 900_000),
        (1_500_000.0, 1_200_000),
        (2_700_000.0, 1_800_000),
        (5_400_000.0, 3_600_000),
        (9_000_000.0, 7_200_000),
        (16_200_000.0, 10_800_000),
        (32_400_000.0, 21_600_000),
        (86_400_000.0, 43_200_000),
        (604_800_000.0, 86_400_000),
        (1_814_400_000.0, 604_800_000),
        (3_628_800_000.0, 2_592_000_000),
    ];
    TABLE
        .iter()
        .find(|(bound, _)| interval_ms < *bound)
        .map(|(_, v)| *v)
        .unwrap_or(31_536_000_000)
}

/// Grafana's `calculateInterval`: the panel's `$__interval` in ms for a range shown at
/// `resolution` points (max data points, or the panel's width in pixels), never below
/// `min_interval_ms` (the panel's min interval, else the data source's scrape interval).
pub fn calculate_interval(range_ms: i64, resolution: u32, min_interval_ms: Option<i64>) -> i64 {
    let low_limit = min_interval_ms.unwrap_or(1).max(1);
    let raw = range_ms as f64 / f64::from(resolution.max(1));
    round_interval(raw).max(low_limit)
}

/// Grafana's `secondsToHms`: the largest whole unit only (`90s` reads `1m`), as `$__interval`
/// is written: `15s`, `1m`, `2h`, `1d`, `1y`, `500ms`.
pub fn format_interval(ms: i64) -> String {
    let seconds = ms / 1000;
    for (unit, size) in [
        ("y", 31_536_000),
        ("d", 86_400),
        ("h", 3_600),
        ("m", 60),
        ("s", 1),
    ] {
        let n = seconds / size;
        if n > 0 {
            return format!("{n}{unit}");
        }
    }
    format!("{}ms", ms.max(0))
}

/// An exact duration in the form Prometheus reads: `90s`, or `500ms` below a whole second.
fn format_exact(ms: i64) -> String {
    if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// Why an interval string could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntervalError {
    pub input: String,
    pub message: String,
}

impl fmt::Display for IntervalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interval `{}`: {}", self.input, self.message)
    }
}

impl std::error::Error for IntervalError {}

/// The longest interval read: 100 years. Longer ones (`1e300`, `inf`) are refused, so that
/// the arithmetic on intervals (steps, `$__rate_interval`, alignment) cannot overflow.
pub const MAX_INTERVAL_MS: i64 = 100 * 31_536_000_000;

/// Reads an interval: `15s`, `1m30s`, `500ms`, `1h`, `2d`, `1w`, `1M` (30 days), `1y`, or a bare
/// number of seconds (`30`), as Grafana accepts in min interval fields. A leading `>`
/// (Grafana's old "at least" marker) is ignored. Returns milliseconds, from 0 to
/// [`MAX_INTERVAL_MS`].
pub fn parse_interval(input: &str) -> Result<i64, IntervalError> {
    let err = |m: String| IntervalError {
        input: input.to_string(),
        message: m,
    };
    let too_long = || err("is longer than 100 years".into());
    let s = input.trim().trim_start_matches('>');
    if s.is_empty() {
        return Err(err("is empty".into()));
    }
    if let Ok(secs) = s.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return Err(err(
                "must be a finite number of seconds, not negative".into()
            ));
        }
        let ms = (secs * 1000.0).round();
        if ms > MAX_INTERVAL_MS as f64 {
            return Err(too_long());
        }
        return Ok(ms as i64);
    }
    let mut total = 0i64;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if digits == 0 {
            return Err(err(format!("expected a number at `{rest}`")));
        }
        let n: f64 = rest[..digits]
            .parse()
            .map_err(|_| err(format!("bad number `{}`", &rest[..digits])))?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        let unit = &rest[..unit_len];
        let size: f64 = match unit {
            "ms" => 1.0,
            "s" => 1_000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            "w" => 604_800_000.0,
            "M" => 2_592_000_000.0,
            "y" => 31_536_000_000.0,
            "" => {
                return Err(err(format!(
                    "missing unit after `{n}` (one of ms s m h d w M y)"
                )))
            }
            other => return Err(err(format!("unknown unit `{other}`"))),
        };
        let part = (n * size).round();
        if !part.is_finite() || part > MAX_INTERVAL_MS as f64 {
            return Err(too_long());
        }
        total = total
            .checked_add(part as i64)
            .filter(|t| *t <= MAX_INTERVAL_MS)
            .ok_or_else(too_long)?;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// Grafana's Prometheus rule for `$__rate_interval`:
/// `max($__interval + scrape interval, 4 × scrape interval)`; a zero scrape interval counts as 15s.
pub fn rate_interval_ms(interval_ms: i64, scrape_interval_ms: i64) -> i64 {
    let scrape = if scrape_interval_ms <= 0 {
        15_000
    } else {
        scrape_interval_ms
    };
    interval_ms
        .saturating_add(scrape)
        .max(scrape.saturating_mul(4))
}

/// Prometheus refuses range queries of more than 11,000 points; Grafana's `adjustInterval`
/// keeps the step at least `range / 11000` (rounded up to whole seconds once above a second).
pub fn safe_interval_ms(range_ms: i64) -> i64 {
    let safe_s = (range_ms as f64 / 1000.0) / 11_000.0;
    let safe_s = if safe_s > 1.0 { safe_s.ceil() } else { safe_s };
    (safe_s * 1000.0).ceil() as i64
}

/// Rounds an instant down to a multiple of `step_ms` (Grafana's `AlignTimeRange` in UTC).
pub fn align_to_step(t_ms: i64, step_ms: i64) -> i64 {
    if step_ms <= 0 {
        t_ms
    } else {
        t_ms.div_euclid(step_ms).saturating_mul(step_ms)
    }
}

/// What a panel knows when it builds a query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryContext<'a> {
    pub range: ResolvedRange,
    /// The panel's `maxDataPoints` if set, else its width in pixels.
    pub resolution: u32,
    /// The panel's `interval` ("Min interval"), if set.
    pub panel_min_interval: Option<&'a str>,
    /// The target's own `interval` ("Min step"), if set.
    pub target_min_interval: Option<&'a str>,
    /// The data source's scrape interval (`timeInterval`, `15s` when unset).
    pub datasource_interval: &'a str,
    /// The target's `intervalFactor` (1 when unset).
    pub interval_factor: u32,
}

/// Everything a Prometheus query needs for one target: the step, the aligned range and the
/// values of the built-in macros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTiming {
    /// `$__interval` in ms (after Prometheus's adjustment).
    pub interval_ms: i64,
    /// `$__interval` as text.
    pub interval_text: String,
    /// `$__rate_interval` in ms.
    pub rate_interval_ms: i64,
    /// The `step` of `query_range`, in ms.
    pub step_ms: i64,
    /// `start` and `end`, aligned down to the step.
    pub start_ms: i64,
    pub end_ms: i64,
    /// `$__range_ms`: the unaligned range's length.
    pub range_ms: i64,
}

/// Computes a target's step, aligned range and macro values the way Grafana's Prometheus
/// data source does (`createQuery` with `adjustInterval`).
pub fn query_timing(ctx: &QueryContext<'_>) -> Result<QueryTiming, IntervalError> {
    let range_ms = ctx.range.duration_ms();
    let ds_interval = parse_interval(if ctx.datasource_interval.trim().is_empty() {
        "15s"
    } else {
        ctx.datasource_interval
    })?;
    let panel_min = ctx
        .panel_min_interval
        .filter(|s| !s.trim().is_empty())
        .map(parse_interval)
        .transpose()?;
    let target_min = ctx
        .target_min_interval
        .filter(|s| !s.trim().is_empty())
        .map(parse_interval)
        .transpose()?;
    // The panel-level interval: the query runner's lower limit is the panel's min interval,
    // else the data source's scrape interval.
    let calculated = calculate_interval(
        range_ms,
        ctx.resolution,
        Some(panel_min.unwrap_or(ds_interval)),
    );
    // "Min step" of the target, else the calculated interval.
    let min_interval = target_min.unwrap_or(calculated);
    // The scrape interval behind `$__rate_interval`: the target's min step, else the data source's.
    let scrape = target_min.unwrap_or(ds_interval);
    let factor = i64::from(ctx.interval_factor.max(1));
    let adjusted = calculated
        .saturating_mul(factor)
        .max(min_interval)
        .max(safe_interval_ms(range_ms));
    let interval_text = if adjusted == calculated {
        format_interval(adjusted)
    } else {
        format_exact(adjusted)
    };
    Ok(QueryTiming {
        interval_ms: adjusted,
        interval_text,
        rate_interval_ms: rate_interval_ms(adjusted, scrape),
        step_ms: adjusted,
        start_ms: align_to_step(ctx.range.from_ms, adjusted),
        end_ms: align_to_step(ctx.range.to_ms, adjusted),
        range_ms,
    })
}

/// Replaces Grafana's built-in macros in a query (`$__interval`, `${__interval}`,
/// `$__interval_ms`, `$__rate_interval`, `$__rate_interval_ms`, `$__range`, `$__range_s`,
/// `$__range_ms`, each also in `${...}` form). Everything else, including other variables, is
/// left as it is.
pub fn interpolate_macros(query: &str, timing: &QueryTiming) -> String {
    let range_s = (timing.range_ms as f64 / 1000.0).round() as i64;
    replace_macros(query, |name| {
        Some(match name {
            "__interval" => timing.interval_text.clone(),
            "__interval_ms" => timing.interval_ms.to_string(),
            "__rate_interval" => format_exact(timing.rate_interval_ms),
            "__rate_interval_ms" => timing.rate_interval_ms.to_string(),
            "__range" => format!("{range_s}s"),
            "__range_s" => range_s.to_string(),
            "__range_ms" => timing.range_ms.to_string(),
            _ => return None,
        })
    })
}

/// The macros whose values depend on the time range and the panel's width.
pub const TIME_MACROS: &[&str] = &[
    "__interval",
    "__interval_ms",
    "__rate_interval",
    "__rate_interval_ms",
    "__range",
    "__range_s",
    "__range_ms",
];

/// Whether `actual` is `template` with each time macro replaced by some duration or number
/// (`5m`, `20s`, `300`, `1.5`). A signed embed link allows its panel's queries at any time
/// range and size, and nothing else: this is how the backend tells them apart.
pub fn matches_with_time_macros(template: &str, actual: &str) -> bool {
    const HOLE: char = '\u{0}';
    if template.contains(HOLE) || actual.contains(HOLE) {
        return false;
    }
    let pattern = replace_macros(template, |name| {
        TIME_MACROS.contains(&name).then(|| HOLE.to_string())
    });
    let parts: Vec<&str> = pattern.split(HOLE).collect();
    let Some(rest) = actual.strip_prefix(parts[0]) else {
        return false;
    };
    match_holes(&parts[1..], rest)
}

/// Matches `rest` against holes each followed by a literal part; a hole is a non-empty run of
/// digits, `.` and unit letters. Backtracks over the hole's length (queries are short).
fn match_holes(parts: &[&str], rest: &str) -> bool {
    let Some((literal, more)) = parts.split_first() else {
        return rest.is_empty();
    };
    let run = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.' || b.is_ascii_lowercase())
        .count();
    (1..=run).rev().any(|len| {
        let value = &rest[..len];
        value.as_bytes()[0].is_ascii_digit()
            && rest[len..]
                .strip_prefix(literal)
                .is_some_and(|after| match_holes(more, after))
    })
}

/// Replaces each `$name` / `${name}` / `${name:format}` for which `value_of(name)` gives a
/// value; leaves everything else as it is.
fn replace_macros(query: &str, value_of: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let (name, consumed) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                // `${__interval:text}` style format suffixes do not change these values.
                Some(end) => (braced[..end].split(':').next().unwrap_or(""), end + 2),
                None => ("", 0),
            }
        } else {
            let len = after
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            (&after[..len], len)
        };
        match value_of(name).filter(|_| consumed > 0) {
            Some(v) => {
                out.push_str(&v);
                rest = &after[consumed..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_interval_matches_grafana_table() {
        // Values read from grafana/grafana packages/grafana-data/src/datetime/rangeutil.ts.
        assert_eq!(round_interval(5.0), 1);
        assert_eq!(round_interval(14.9), 10);
        assert_eq!(round_interval(700.0), 500);
        assert_eq!(round_interval(14_400.0), 15_000);
        assert_eq!(round_interval(17_500.0), 20_000);
        assert_eq!(round_interval(100_000.0), 120_000);
        assert_eq!(round_interval(1_000_000.0), 900_000);
        assert_eq!(round_interval(86_400_000.0), 86_400_000);
        assert_eq!(round_interval(5e9), 31_536_000_000);
    }

    #[test]
    fn calculate_interval_uses_resolution_and_low_limit() {
        // 6h over 1500 px: 14.4s raw -> 15s.
        assert_eq!(calculate_interval(6 * 3_600_000, 1500, Some(1_000)), 15_000);
        // 1h over 1000 px: 3.6s -> 5s, then the 15s scrape interval wins.
        assert_eq!(calculate_interval(3_600_000, 1000, Some(15_000)), 15_000);
        assert_eq!(calculate_interval(3_600_000, 1000, None), 5_000);
        // 7d over 800 px: 756s -> 15m.
        assert_eq!(
            calculate_interval(7 * 86_400_000, 800, Some(15_000)),
            900_000
        );
    }

    #[test]
    fn interval_text_is_seconds_to_hms() {
        assert_eq!(format_interval(15_000), "15s");
        assert_eq!(format_interval(60_000), "1m");
        assert_eq!(
            format_interval(90_000),
            "1m",
            "secondsToHms keeps the largest unit only"
        );
        assert_eq!(format_interval(7_200_000), "2h");
        assert_eq!(format_interval(86_400_000), "1d");
        assert_eq!(format_interval(500), "500ms");
        assert_eq!(format_interval(31_536_000_000), "1y");
    }

    #[test]
    fn parses_interval_strings() {
        assert_eq!(parse_interval("15s"), Ok(15_000));
        assert_eq!(parse_interval("1m30s"), Ok(90_000));
        assert_eq!(parse_interval("500ms"), Ok(500));
        assert_eq!(parse_interval("1h"), Ok(3_600_000));
        assert_eq!(parse_interval(">10s"), Ok(10_000));
        assert_eq!(parse_interval("30"), Ok(30_000));
        assert_eq!(
            parse_interval("1x").unwrap_err().to_string(),
            "interval `1x`: unknown unit `x`"
        );
        assert_eq!(
            parse_interval("m").unwrap_err().message,
            "expected a number at `m`"
        );
        assert!(parse_interval("").is_err());
        assert_eq!(parse_interval("1M"), Ok(30 * 86_400_000));
        // Nothing unbounded: infinities, huge numbers and negatives are refused by name.
        for (bad, why) in [
            ("inf", "finite"),
            ("-inf", "finite"),
            ("NaN", "finite"),
            ("-5", "not negative"),
            ("1e300", "longer than 100 years"),
            ("99999999999999999999y", "longer than 100 years"),
            ("60y60y", "longer than 100 years"),
            ("101y", "longer than 100 years"),
        ] {
            let e = parse_interval(bad).unwrap_err().message;
            assert!(e.contains(why), "{bad}: {e}");
        }
        assert_eq!(parse_interval("100y"), Ok(MAX_INTERVAL_MS));
    }

    #[test]
    fn rate_interval_follows_grafanas_rule() {
        // Grafana docs: max($__interval + scrape interval, 4 * scrape interval).
        assert_eq!(rate_interval_ms(15_000, 15_000), 60_000);
        assert_eq!(rate_interval_ms(120_000, 15_000), 135_000);
        assert_eq!(rate_interval_ms(5_000, 5_000), 20_000);
        assert_eq!(
            rate_interval_ms(15_000, 0),
            60_000,
            "0 counts as the 15s default"
        );
    }

    #[test]
    fn safe_interval_keeps_under_11000_points() {
        assert_eq!(
            safe_interval_ms(3_600_000),
            328,
            "fractional below a second"
        );
        // 30 days: 235.6s -> ceil 236s.
        assert_eq!(safe_interval_ms(30 * 86_400_000), 236_000);
    }

    fn ctx(range_ms: i64, resolution: u32) -> QueryContext<'static> {
        let to = 1_710_510_330_250;
        QueryContext {
            range: ResolvedRange {
                from_ms: to - range_ms,
                to_ms: to,
            },
            resolution,
            panel_min_interval: None,
            target_min_interval: None,
            datasource_interval: "15s",
            interval_factor: 1,
        }
    }

    #[test]
    fn query_timing_for_a_six_hour_panel() {
        let t = query_timing(&ctx(6 * 3_600_000, 1000)).unwrap();
        // 21.6s raw -> 20s; above the 15s scrape interval.
        assert_eq!(t.interval_ms, 20_000);
        assert_eq!(t.interval_text, "20s");
        assert_eq!(t.rate_interval_ms, 60_000);
        assert_eq!(t.step_ms, 20_000);
        assert_eq!(t.end_ms, 1_710_510_320_000);
        assert_eq!(t.start_ms, 1_710_510_320_000 - 6 * 3_600_000);
        assert_eq!(t.start_ms % 20_000, 0);
    }

    #[test]
    fn query_timing_honours_min_interval_and_factor() {
        let mut c = ctx(3_600_000, 2000);
        c.panel_min_interval = Some("1m");
        let t = query_timing(&c).unwrap();
        assert_eq!((t.interval_ms, t.interval_text.as_str()), (60_000, "1m"));
        assert_eq!(t.rate_interval_ms, 75_000, "1m + 15s scrape");

        let mut c = ctx(3_600_000, 2000);
        c.interval_factor = 3;
        let t = query_timing(&c).unwrap();
        assert_eq!((t.interval_ms, t.interval_text.as_str()), (45_000, "45s"));

        let mut c = ctx(3_600_000, 2000);
        c.target_min_interval = Some("30s");
        let t = query_timing(&c).unwrap();
        assert_eq!(t.interval_ms, 30_000);
        assert_eq!(
            t.rate_interval_ms, 120_000,
            "the min step is the scrape interval: 4 * 30s"
        );

        let mut c = ctx(3_600_000, 2000);
        c.panel_min_interval = Some("1q");
        assert_eq!(
            query_timing(&c).unwrap_err().to_string(),
            "interval `1q`: unknown unit `q`"
        );
    }

    #[test]
    fn macros_are_interpolated_and_nothing_else() {
        let t = query_timing(&ctx(6 * 3_600_000, 1000)).unwrap();
        let q = "rate(x[$__rate_interval]) + rate(y[${__interval}]) / $__interval_ms * $__range_s + $job + ${__range} + $__range_ms + $__intervalx + ${__rate_interval}";
        assert_eq!(
            interpolate_macros(q, &t),
            "rate(x[60s]) + rate(y[20s]) / 20000 * 21600 + $job + 21600s + 21600000 + $__intervalx + 60s"
        );
        assert_eq!(interpolate_macros("a $ b ${ c", &t), "a $ b ${ c");
        assert_eq!(interpolate_macros("x[$__interval]", &t), "x[20s]");
    }

    #[test]
    fn embed_checks_match_time_macros_only() {
        let t = "sum(rate(x{job=\"a\"}[$__rate_interval])) / ${__interval_ms}";
        assert!(matches_with_time_macros(
            t,
            "sum(rate(x{job=\"a\"}[60s])) / 15000"
        ));
        assert!(matches_with_time_macros(
            t,
            "sum(rate(x{job=\"a\"}[1m])) / 1.5"
        ));
        assert!(
            !matches_with_time_macros(t, "sum(rate(x{job=\"b\"}[60s])) / 15000"),
            "another label"
        );
        assert!(
            !matches_with_time_macros(t, "sum(rate(x{job=\"a\"}[60s] or vector(1))) / 15000"),
            "a hole is a duration, not an expression"
        );
        assert!(
            !matches_with_time_macros(t, "sum(rate(x{job=\"a\"}[])) / 15000"),
            "a hole is never empty"
        );
        assert!(!matches_with_time_macros(
            t,
            "sum(rate(x{job=\"a\"}[60s])) / 15000 + secret"
        ));
        assert!(matches_with_time_macros("up", "up"));
        assert!(!matches_with_time_macros("up", "up or down"));
        assert!(
            !matches_with_time_macros("x[$__range]$__range_s", "x[5m]"),
            "every hole must be filled"
        );
    }
}
