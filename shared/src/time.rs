//! Grafana time expressions (`now-6h`, `now/d`, `now-7d/d`, epoch milliseconds, UTC dates) and
//! the time ranges built from them.
//!
//! There is no clock here: callers pass `now_ms`, so the same expression resolves the same way in
//! the browser, on the server and in tests. Calendar arithmetic (months, years, rounding to the
//! start of a day or week) is done in UTC.

use std::fmt;

/// Milliseconds in each fixed-length unit.
const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// A unit of Grafana's date math: `s m h d w M y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl TimeUnit {
    fn from_char(c: char) -> Option<TimeUnit> {
        Some(match c {
            's' => TimeUnit::Second,
            'm' => TimeUnit::Minute,
            'h' => TimeUnit::Hour,
            'd' => TimeUnit::Day,
            'w' => TimeUnit::Week,
            'M' => TimeUnit::Month,
            'y' => TimeUnit::Year,
            _ => return None,
        })
    }
}

/// One step of a relative expression after `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateMathOp {
    /// `+N unit` or `-N unit` (N signed here).
    Add(i64, TimeUnit),
    /// `/unit`: round to the start of the unit (or its end when rounding up).
    Round(TimeUnit),
}

/// A parsed time expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeExpr {
    /// A fixed instant, in epoch milliseconds.
    Absolute(i64),
    /// `now` followed by date math.
    Relative(Vec<DateMathOp>),
}

/// Why a time expression could not be read; the message names the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    pub input: String,
    pub message: String,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "time `{}`: {}", self.input, self.message)
    }
}

impl std::error::Error for TimeError {}

fn time_err(input: &str, message: impl Into<String>) -> TimeError {
    TimeError {
        input: input.to_string(),
        message: message.into(),
    }
}

/// Reads a time expression: `now` with date math (`now-6h`, `now-7d/d`, `now/M`, `now-1h+30m`),
/// epoch milliseconds (`1700000000000`), or a UTC date (`2024-01-31 12:00:00`, `2024-01-31`,
/// `2024-01-31T12:00:00Z`).
pub fn parse_time(input: &str) -> Result<TimeExpr, TimeError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(time_err(input, "is empty"));
    }
    if let Some(rest) = s.strip_prefix("now") {
        return parse_date_math(input, rest).map(TimeExpr::Relative);
    }
    if s.bytes().all(|b| b.is_ascii_digit())
        || (s.starts_with('-') && s.len() > 1 && s[1..].bytes().all(|b| b.is_ascii_digit()))
    {
        return s
            .parse::<i64>()
            .map(TimeExpr::Absolute)
            .map_err(|_| time_err(input, "epoch milliseconds out of range"));
    }
    parse_utc_date(s).map(TimeExpr::Absolute).ok_or_else(|| {
        time_err(input, "expected `now` with date math (`now-6h`), epoch milliseconds, or a UTC date `YYYY-MM-DD HH:MM:SS`")
    })
}

fn parse_date_math(input: &str, mut rest: &str) -> Result<Vec<DateMathOp>, TimeError> {
    let mut ops = Vec::new();
    while let Some(op) = rest.chars().next() {
        rest = &rest[1..];
        match op {
            '+' | '-' => {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                // Grafana reads a missing number as 1 (`now-d`).
                let n: i64 = if digits == 0 {
                    1
                } else {
                    rest[..digits]
                        .parse()
                        .map_err(|_| time_err(input, "number out of range"))?
                };
                rest = &rest[digits..];
                let unit = take_unit(input, &mut rest)?;
                ops.push(DateMathOp::Add(if op == '-' { -n } else { n }, unit));
            }
            '/' => {
                let unit = take_unit(input, &mut rest)?;
                ops.push(DateMathOp::Round(unit));
            }
            other => {
                return Err(time_err(
                    input,
                    format!("unexpected `{other}` after `now` (expected `+`, `-` or `/`)"),
                ))
            }
        }
    }
    Ok(ops)
}

fn take_unit(input: &str, rest: &mut &str) -> Result<TimeUnit, TimeError> {
    let c = rest
        .chars()
        .next()
        .ok_or_else(|| time_err(input, "missing unit at the end (one of s m h d w M y)"))?;
    let unit =
        TimeUnit::from_char(c).ok_or_else(|| time_err(input, format!("unknown unit `{c}`")))?;
    *rest = &rest[c.len_utf8()..];
    Ok(unit)
}

/// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS` (optionally `T` for the space and a
/// trailing `Z`), all UTC.
fn parse_utc_date(s: &str) -> Option<i64> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim())),
        None => (s, None),
    };
    let mut d = date.split('-');
    let (y, m, day) = (
        d.next()?.parse::<i64>().ok()?,
        d.next()?.parse::<u32>().ok()?,
        d.next()?.parse::<u32>().ok()?,
    );
    if d.next().is_some() || !(1..=12).contains(&m) || day < 1 || day > days_in_month(y, m) {
        return None;
    }
    let mut ms = days_from_civil(y, m, day) * DAY;
    if let Some(time) = time {
        let mut t = time.split(':');
        let h: i64 = t.next()?.parse().ok()?;
        let min: i64 = t.next()?.parse().ok()?;
        let sec: f64 = t.next().map(|s| s.parse().ok()).unwrap_or(Some(0.0))?;
        if t.next().is_some()
            || !(0..24).contains(&h)
            || !(0..60).contains(&min)
            || !(0.0..60.0).contains(&sec)
        {
            return None;
        }
        ms += h * HOUR + min * MINUTE + (sec * 1000.0).round() as i64;
    }
    Some(ms)
}

impl TimeExpr {
    /// The instant this expression names at `now_ms`. `round_up` is for the end of a range:
    /// `/d` then means the last millisecond of the day, as Grafana does for `to`.
    pub fn resolve(&self, now_ms: i64, round_up: bool) -> i64 {
        match self {
            TimeExpr::Absolute(ms) => *ms,
            TimeExpr::Relative(ops) => ops.iter().fold(now_ms, |t, op| match *op {
                DateMathOp::Add(n, unit) => add_units(t, n, unit),
                DateMathOp::Round(unit) => {
                    let start = start_of(t, unit);
                    if round_up {
                        add_units(start, 1, unit) - 1
                    } else {
                        start
                    }
                }
            }),
        }
    }

    /// Whether this expression moves with the clock.
    pub fn is_relative(&self) -> bool {
        matches!(self, TimeExpr::Relative(_))
    }
}

fn add_units(t: i64, n: i64, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => t + n * SECOND,
        TimeUnit::Minute => t + n * MINUTE,
        TimeUnit::Hour => t + n * HOUR,
        TimeUnit::Day => t + n * DAY,
        TimeUnit::Week => t + n * WEEK,
        TimeUnit::Month => add_months(t, n),
        TimeUnit::Year => add_months(t, 12 * n),
    }
}

/// Calendar month arithmetic; the day of month is clamped (Jan 31 + 1M = Feb 28/29), as moment does.
fn add_months(t: i64, n: i64) -> i64 {
    let (days, ms_of_day) = (t.div_euclid(DAY), t.rem_euclid(DAY));
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + (m as i64 - 1) + n;
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd) * DAY + ms_of_day
}

/// The start of the `unit` that contains `t` (weeks start on Monday, ISO 8601).
fn start_of(t: i64, unit: TimeUnit) -> i64 {
    let days = t.div_euclid(DAY);
    match unit {
        TimeUnit::Second => t.div_euclid(SECOND) * SECOND,
        TimeUnit::Minute => t.div_euclid(MINUTE) * MINUTE,
        TimeUnit::Hour => t.div_euclid(HOUR) * HOUR,
        TimeUnit::Day => days * DAY,
        // 1970-01-01 was a Thursday: Monday-based weekday index is (days + 3) mod 7.
        TimeUnit::Week => (days - (days + 3).rem_euclid(7)) * DAY,
        TimeUnit::Month => {
            let (y, m, _) = civil_from_days(days);
            days_from_civil(y, m, 1) * DAY
        }
        TimeUnit::Year => {
            let (y, _, _) = civil_from_days(days);
            days_from_civil(y, 1, 1) * DAY
        }
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The calendar fields of an instant in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcDateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl UtcDateTime {
    pub fn from_ms(ms: i64) -> UtcDateTime {
        let (y, m, d) = civil_from_days(ms.div_euclid(DAY));
        let in_day = ms.rem_euclid(DAY);
        UtcDateTime {
            year: y,
            month: m,
            day: d,
            hour: (in_day / HOUR) as u32,
            minute: (in_day % HOUR / MINUTE) as u32,
            second: (in_day % MINUTE / SECOND) as u32,
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` in UTC: the absolute form the time picker shows and accepts.
pub fn format_utc(ms: i64) -> String {
    let t = UtcDateTime::from_ms(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// A time axis label: `HH:MM` when the visible range is under a day, `MM-DD HH:MM` beyond,
/// `HH:MM:SS` under five minutes.
pub fn format_axis_time(ms: i64, range_ms: i64) -> String {
    let t = UtcDateTime::from_ms(ms);
    if range_ms <= 5 * MINUTE {
        format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second)
    } else if range_ms < DAY {
        format!("{:02}:{:02}", t.hour, t.minute)
    } else {
        format!("{:02}-{:02} {:02}:{:02}", t.month, t.day, t.hour, t.minute)
    }
}

/// Steps a time axis may use, in milliseconds: round clock values.
const TIME_TICK_STEPS: &[i64] = &[
    SECOND,
    2 * SECOND,
    5 * SECOND,
    10 * SECOND,
    15 * SECOND,
    30 * SECOND,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    WEEK,
    4 * WEEK,
];

/// Tick positions for a time axis over `[from_ms, to_ms]`: multiples of a round step (1m, 5m,
/// 1h, ...) chosen so that there are at most `max_ticks` of them.
pub fn time_ticks(from_ms: i64, to_ms: i64, max_ticks: usize) -> Vec<i64> {
    let range = (to_ms - from_ms).max(1);
    let max_ticks = max_ticks.max(1) as i64;
    let step = TIME_TICK_STEPS
        .iter()
        .copied()
        .find(|s| range / s < max_ticks)
        .unwrap_or_else(|| {
            let w = 4 * WEEK;
            (range / max_ticks / w + 1) * w
        });
    let first = from_ms.div_euclid(step) * step
        + if from_ms.rem_euclid(step) == 0 {
            0
        } else {
            step
        };
    (0..)
        .map(|i| first + i * step)
        .take_while(|t| *t <= to_ms)
        .collect()
}

/// A time range as written in a URL or dashboard: two expressions, kept as text so that
/// relative ranges stay relative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeRange {
    pub from: String,
    pub to: String,
}

/// A time range resolved to instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedRange {
    pub from_ms: i64,
    pub to_ms: i64,
}

impl ResolvedRange {
    pub fn duration_ms(&self) -> i64 {
        self.to_ms.saturating_sub(self.from_ms)
    }
}

impl Default for TimeRange {
    /// Grafana's default: the last 6 hours.
    fn default() -> Self {
        TimeRange::new("now-6h", "now")
    }
}

impl TimeRange {
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> TimeRange {
        TimeRange {
            from: from.into(),
            to: to.into(),
        }
    }

    /// Resolves both ends at `now_ms` (`to` rounds up, as in Grafana). A range whose end is not
    /// after its start is refused.
    pub fn resolve(&self, now_ms: i64) -> Result<ResolvedRange, TimeError> {
        let from_ms = parse_time(&self.from)?.resolve(now_ms, false);
        let to_ms = parse_time(&self.to)?.resolve(now_ms, true);
        if to_ms <= from_ms {
            return Err(time_err(
                &format!("{} to {}", self.from, self.to),
                "the end must be after the start",
            ));
        }
        Ok(ResolvedRange { from_ms, to_ms })
    }

    /// A human label: `Last 6 hours` for the quick ranges, else `from to to`.
    pub fn label(&self) -> String {
        if self.to == "now" {
            if let Some(q) = QUICK_RANGES.iter().find(|q| q.from == self.from) {
                return q.label.to_string();
            }
        }
        let show = |s: &str| match parse_time(s) {
            Ok(TimeExpr::Absolute(ms)) => format_utc(ms),
            _ => s.to_string(),
        };
        format!("{} to {}", show(&self.from), show(&self.to))
    }
}

/// One entry of the time picker's list of quick relative ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuickRange {
    pub from: &'static str,
    pub label: &'static str,
}

/// The quick ranges the time picker offers (all ending `now`).
pub const QUICK_RANGES: &[QuickRange] = &[
    QuickRange {
        from: "now-5m",
        label: "Last 5 minutes",
    },
    QuickRange {
        from: "now-15m",
        label: "Last 15 minutes",
    },
    QuickRange {
        from: "now-30m",
        label: "Last 30 minutes",
    },
    QuickRange {
        from: "now-1h",
        label: "Last 1 hour",
    },
    QuickRange {
        from: "now-3h",
        label: "Last 3 hours",
    },
    QuickRange {
        from: "now-6h",
        label: "Last 6 hours",
    },
    QuickRange {
        from: "now-12h",
        label: "Last 12 hours",
    },
    QuickRange {
        from: "now-24h",
        label: "Last 24 hours",
    },
    QuickRange {
        from: "now-2d",
        label: "Last 2 days",
    },
    QuickRange {
        from: "now-7d",
        label: "Last 7 days",
    },
];

/// The auto-refresh periods the refresh picker offers; `""` is Off.
pub const REFRESH_INTERVALS: &[&str] = &["", "5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h"];

/// A time picker input turned into what goes in the URL: relative expressions stay as typed,
/// UTC dates become epoch milliseconds (as Grafana puts absolute times in URLs).
pub fn to_url_value(input: &str) -> Result<String, TimeError> {
    match parse_time(input)? {
        TimeExpr::Absolute(ms) => Ok(ms.to_string()),
        TimeExpr::Relative(_) => Ok(input.trim().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-03-15 13:45:30.250 UTC, a Friday.
    const NOW: i64 = 1_710_510_330_250;

    fn at(s: &str) -> i64 {
        parse_utc_date(s).unwrap()
    }

    #[test]
    fn civil_conversion_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for d in [-800_000, -1, 0, 59, 11_016, 19_797, 400_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(format_utc(NOW), "2024-03-15 13:45:30");
    }

    #[test]
    fn relative_expressions() {
        let r = |s: &str| parse_time(s).unwrap().resolve(NOW, false);
        assert_eq!(r("now"), NOW);
        assert_eq!(r("now-6h"), NOW - 6 * HOUR);
        assert_eq!(r("now-5m"), NOW - 5 * MINUTE);
        assert_eq!(r("now+1w"), NOW + WEEK);
        assert_eq!(r("now-1h-30m"), NOW - 90 * MINUTE);
        assert_eq!(r("now/d"), at("2024-03-15"));
        assert_eq!(r("now-7d/d"), at("2024-03-08"));
        assert_eq!(r("now/w"), at("2024-03-11"), "weeks start on Monday");
        assert_eq!(r("now-1M"), at("2024-02-15 13:45:30.25"));
        assert_eq!(r("now-1y/y"), at("2023-01-01"));
        assert_eq!(r("now/M"), at("2024-03-01"));
        assert_eq!(r("now-d"), NOW - DAY, "a missing number is 1");
    }

    #[test]
    fn rounding_up_gives_the_end_of_the_unit() {
        let up = |s: &str| parse_time(s).unwrap().resolve(NOW, true);
        assert_eq!(up("now/d"), at("2024-03-16") - 1);
        assert_eq!(up("now-1d/d"), at("2024-03-15") - 1);
        assert_eq!(up("now/M"), at("2024-04-01") - 1);
        assert_eq!(up("now/y"), at("2025-01-01") - 1);
        assert_eq!(up("now-6h"), NOW - 6 * HOUR, "no rounding without `/`");
    }

    #[test]
    fn month_arithmetic_clamps_the_day() {
        let jan31 = at("2024-01-31 10:00:00");
        assert_eq!(add_months(jan31, 1), at("2024-02-29 10:00:00"));
        assert_eq!(add_months(jan31, -2), at("2023-11-30 10:00:00"));
        assert_eq!(add_months(at("2024-02-29"), 12), at("2025-02-28"));
    }

    #[test]
    fn absolute_times() {
        assert_eq!(
            parse_time("1700000000000"),
            Ok(TimeExpr::Absolute(1_700_000_000_000))
        );
        assert_eq!(
            parse_time("2023-11-14 22:13:20"),
            Ok(TimeExpr::Absolute(1_700_000_000_000))
        );
        assert_eq!(
            parse_time("2023-11-14T22:13:20Z"),
            Ok(TimeExpr::Absolute(1_700_000_000_000))
        );
        assert_eq!(
            parse_time("2023-11-14"),
            Ok(TimeExpr::Absolute(1_699_920_000_000))
        );
        assert_eq!(
            to_url_value("2023-11-14 22:13:20").unwrap(),
            "1700000000000"
        );
        assert_eq!(to_url_value(" now-1h ").unwrap(), "now-1h");
    }

    #[test]
    fn errors_name_the_input() {
        assert_eq!(
            parse_time("now-6x").unwrap_err().to_string(),
            "time `now-6x`: unknown unit `x`"
        );
        assert_eq!(
            parse_time("now-6").unwrap_err().to_string(),
            "time `now-6`: missing unit at the end (one of s m h d w M y)"
        );
        assert_eq!(
            parse_time("now*2h").unwrap_err().message,
            "unexpected `*` after `now` (expected `+`, `-` or `/`)"
        );
        assert!(parse_time("2024-02-30").is_err());
        assert!(parse_time("2024-01-01 25:00:00").is_err());
        assert!(parse_time("yesterday")
            .unwrap_err()
            .to_string()
            .starts_with("time `yesterday`: expected"));
        assert_eq!(parse_time("").unwrap_err().message, "is empty");
    }

    #[test]
    fn ranges_resolve_and_label() {
        let r = TimeRange::default().resolve(NOW).unwrap();
        assert_eq!(
            (r.from_ms, r.to_ms, r.duration_ms()),
            (NOW - 6 * HOUR, NOW, 6 * HOUR)
        );
        assert!(TimeRange::new("now", "now-1h").resolve(NOW).is_err());
        assert_eq!(TimeRange::new("now-24h", "now").label(), "Last 24 hours");
        assert_eq!(
            TimeRange::new("1700000000000", "now").label(),
            "2023-11-14 22:13:20 to now"
        );
    }

    #[test]
    fn axis_labels_and_ticks() {
        assert_eq!(format_axis_time(NOW, 6 * HOUR), "13:45");
        assert_eq!(format_axis_time(NOW, 2 * DAY), "03-15 13:45");
        assert_eq!(format_axis_time(NOW, 60 * SECOND), "13:45:30");
        let from = at("2024-03-15 07:45:30");
        let ticks = time_ticks(from, NOW, 8);
        assert_eq!(ticks.first(), Some(&at("2024-03-15 08:00:00")));
        assert_eq!(ticks.len(), 6, "hourly ticks 08:00..13:00: {ticks:?}");
        assert!(ticks.windows(2).all(|w| w[1] - w[0] == HOUR));
    }
}
