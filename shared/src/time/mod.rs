//! Grafana time expressions (`now-6h`, `now/d`, `now-7d/d`, epoch milliseconds, UTC dates) and
//! the time ranges built from them.
//!
//! There is no clock here: callers pass `now_ms`, so the same expression resolves the same way in
//! the browser, on the server and in tests. Calendar arithmetic (days, weeks, months, quarters,
//! fiscal years, and rounding to their start) follows the dashboard's time zone, week start and
//! fiscal year ([`DateContext`]), as Grafana's `dateMath` does; seconds, minutes and hours are
//! fixed lengths of time.

pub mod interval;
pub mod tz;

use std::fmt;

/// Milliseconds in each fixed-length unit.
const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// A unit of Grafana's date math: `s m h d w M Q y`, and the fiscal `fQ` and `fy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
    FiscalQuarter,
    FiscalYear,
}

impl TimeUnit {
    /// The unit at the start of `s` and its length in bytes.
    fn read(s: &str) -> Option<(TimeUnit, usize)> {
        if let Some(rest) = s.strip_prefix('f') {
            return match rest.chars().next()? {
                'y' => Some((TimeUnit::FiscalYear, 2)),
                'Q' => Some((TimeUnit::FiscalQuarter, 2)),
                _ => None,
            };
        }
        Some((
            match s.chars().next()? {
                's' => TimeUnit::Second,
                'm' => TimeUnit::Minute,
                'h' => TimeUnit::Hour,
                'd' => TimeUnit::Day,
                'w' => TimeUnit::Week,
                'M' => TimeUnit::Month,
                'Q' => TimeUnit::Quarter,
                'y' => TimeUnit::Year,
                _ => return None,
            },
            1,
        ))
    }

    /// The length of a second, minute or hour; `None` for the calendar units.
    fn fixed_ms(self) -> Option<i64> {
        match self {
            TimeUnit::Second => Some(SECOND),
            TimeUnit::Minute => Some(MINUTE),
            TimeUnit::Hour => Some(HOUR),
            _ => None,
        }
    }
}

/// The first day of a week (Grafana's `weekStart`; moment's locale week otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeekStart {
    /// The en-US locale's, Grafana's default.
    #[default]
    Sunday,
    Monday,
    Saturday,
}

impl WeekStart {
    /// Reads a dashboard's `weekStart` (`""`: the default).
    pub fn parse(s: &str) -> Option<WeekStart> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "sunday" => Some(WeekStart::Sunday),
            "monday" => Some(WeekStart::Monday),
            "saturday" => Some(WeekStart::Saturday),
            _ => None,
        }
    }

    /// Its index with Sunday 0.
    fn index(self) -> i64 {
        match self {
            WeekStart::Sunday => 0,
            WeekStart::Monday => 1,
            WeekStart::Saturday => 6,
        }
    }
}

/// What calendar arithmetic depends on: the dashboard's time zone (`utc`, `browser`, an IANA
/// name), the first day of its weeks, and the first month of its fiscal year (0: January).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateContext {
    pub zone: String,
    pub week_start: WeekStart,
    pub fiscal_year_start_month: u32,
}

impl Default for DateContext {
    fn default() -> Self {
        DateContext {
            zone: "utc".into(),
            week_start: WeekStart::default(),
            fiscal_year_start_month: 0,
        }
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
    /// A fixed instant followed by date math: `2024-01-31||+1M`.
    Anchored(i64, Vec<DateMathOp>),
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

/// Reads a time expression: `now` with date math (`now-6h`, `now-7d/d`, `now/M`, `now-1h+30m`,
/// `now/fy`), epoch milliseconds (`1700000000000`, as URLs carry them), a UTC date
/// (`2024-01-31 12:00:00`, `2024-01-31`, `2024-01-31T12:00:00.000Z`, `20240131`), or a date
/// followed by date math after `||` (`2024-01-31||+1M`).
pub fn parse_time(input: &str) -> Result<TimeExpr, TimeError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(time_err(input, "is empty"));
    }
    if let Some(rest) = s.strip_prefix("now") {
        return parse_date_math(input, rest).map(TimeExpr::Relative);
    }
    if let Some((date, math)) = s.split_once("||") {
        let anchor = parse_utc_date(date.trim())
            .ok_or_else(|| time_err(input, "expected a date before `||`"))?;
        return parse_date_math(input, math).map(|ops| TimeExpr::Anchored(anchor, ops));
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
    loop {
        // Grafana reads `now - 1h` as `now-1h`.
        rest = rest.trim_start();
        let Some(op) = rest.chars().next() else {
            break;
        };
        rest = &rest[op.len_utf8()..];
        match op {
            '+' | '-' => {
                rest = rest.trim_start();
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
    if rest.is_empty() {
        return Err(time_err(
            input,
            "missing unit at the end (one of s m h d w M Q y fQ fy)",
        ));
    }
    let (unit, len) = TimeUnit::read(rest).ok_or_else(|| {
        time_err(
            input,
            format!(
                "unknown unit `{}` (one of s m h d w M Q y fQ fy)",
                rest.chars().next().unwrap_or(' ')
            ),
        )
    })?;
    *rest = &rest[len..];
    Ok(unit)
}

/// `YYYY-MM-DD`, `YYYYMMDD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS[.SSS]` (optionally `T`
/// for the space, and a trailing `Z` or `±HH:MM` offset), UTC unless an offset says otherwise.
fn parse_utc_date(s: &str) -> Option<i64> {
    let compact;
    let s = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        compact = format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..]);
        compact.as_str()
    } else {
        s
    };
    let (s, offset_ms) = split_offset(s)?;
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
    Some(ms - offset_ms)
}

/// A date's `Z` or `±HH:MM` (`±HHMM`) suffix: the rest and the offset in ms.
fn split_offset(s: &str) -> Option<(&str, i64)> {
    if let Some(rest) = s.strip_suffix('Z') {
        return Some((rest, 0));
    }
    // An offset follows a time (`T10:00+02:00`), never a bare date (`2024-01-31`).
    let Some(t) = s.find(['T', ' ']) else {
        return Some((s, 0));
    };
    match s[t..].rfind(['+', '-']) {
        Some(i) => {
            let at = t + i;
            let (rest, offset) = s.split_at(at);
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let h: i64 = digits[..2].parse().ok()?;
            let m: i64 = digits[2..].parse().ok()?;
            Some((rest, sign * (h * HOUR + m * MINUTE)))
        }
        None => Some((s, 0)),
    }
}

impl TimeExpr {
    /// The instant this expression names at `now_ms`, in UTC with Sunday weeks. `round_up` is
    /// for the end of a range: `/d` then means the last millisecond of the day, as Grafana
    /// does for `to`.
    pub fn resolve(&self, now_ms: i64, round_up: bool) -> i64 {
        self.resolve_in(now_ms, round_up, &DateContext::default())
    }

    /// As [`TimeExpr::resolve`], in the calendar of `ctx`.
    pub fn resolve_in(&self, now_ms: i64, round_up: bool, ctx: &DateContext) -> i64 {
        match self {
            TimeExpr::Absolute(ms) => *ms,
            TimeExpr::Relative(ops) => ops
                .iter()
                .fold(now_ms, |t, op| apply(t, *op, round_up, ctx)),
            TimeExpr::Anchored(ms, ops) => {
                // Grafana does the math of a date anchor on the browser's clock, whatever the
                // dashboard's time zone.
                let local = DateContext {
                    zone: "browser".into(),
                    ..ctx.clone()
                };
                ops.iter()
                    .fold(*ms, |t, op| apply(t, *op, round_up, &local))
            }
        }
    }

    /// Whether this expression moves with the clock.
    pub fn is_relative(&self) -> bool {
        matches!(self, TimeExpr::Relative(_))
    }
}

/// One step of date math. Seconds, minutes and hours are added to the instant; the other units
/// to the wall clock of the time zone, as moment does; rounding is to the start (or the last
/// millisecond) of the unit on the wall clock.
fn apply(t: i64, op: DateMathOp, round_up: bool, ctx: &DateContext) -> i64 {
    let zone = ctx.zone.as_str();
    match op {
        DateMathOp::Add(n, unit) => match unit.fixed_ms() {
            Some(len) => t.saturating_add(n.saturating_mul(len)),
            None => crate::time::tz::from_local(
                zone,
                add_units(crate::time::tz::to_local(zone, t), n, unit),
            ),
        },
        DateMathOp::Round(unit) => {
            let start = start_of(crate::time::tz::to_local(zone, t), unit, ctx);
            let local = if round_up {
                add_units(start, 1, unit) - 1
            } else {
                start
            };
            crate::time::tz::from_local(zone, local)
        }
    }
}

fn add_units(t: i64, n: i64, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second | TimeUnit::Minute | TimeUnit::Hour => {
            t.saturating_add(n.saturating_mul(unit.fixed_ms().unwrap_or(0)))
        }
        TimeUnit::Day => t.saturating_add(n.saturating_mul(DAY)),
        TimeUnit::Week => t.saturating_add(n.saturating_mul(WEEK)),
        TimeUnit::Month => add_months(t, n),
        TimeUnit::Quarter | TimeUnit::FiscalQuarter => add_months(t, n.saturating_mul(3)),
        TimeUnit::Year | TimeUnit::FiscalYear => add_months(t, n.saturating_mul(12)),
    }
}

/// Calendar month arithmetic; the day of month is clamped (Jan 31 + 1M = Feb 28/29), as moment
/// does. Beyond a million years either way the answer is clamped there.
fn add_months(t: i64, n: i64) -> i64 {
    const LIMIT: i64 = 12_000_000;
    let n = n.clamp(-LIMIT, LIMIT);
    let (days, ms_of_day) = (t.div_euclid(DAY), t.rem_euclid(DAY));
    let (y, m, d) = civil_from_days(days);
    let total = (y * 12 + (m as i64 - 1) + n).clamp(-LIMIT * 2, LIMIT * 2);
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd) * DAY + ms_of_day
}

/// The start of the `unit` that contains the wall-clock time `t`.
fn start_of(t: i64, unit: TimeUnit, ctx: &DateContext) -> i64 {
    let days = t.div_euclid(DAY);
    let (y, m, _) = civil_from_days(days);
    let month_start = |y: i64, m0: i64| {
        days_from_civil(y + m0.div_euclid(12), m0.rem_euclid(12) as u32 + 1, 1) * DAY
    };
    let fiscal = i64::from(ctx.fiscal_year_start_month.min(11));
    match unit {
        TimeUnit::Second => t.div_euclid(SECOND) * SECOND,
        TimeUnit::Minute => t.div_euclid(MINUTE) * MINUTE,
        TimeUnit::Hour => t.div_euclid(HOUR) * HOUR,
        TimeUnit::Day => days * DAY,
        TimeUnit::Week => {
            // 1970-01-01 was a Thursday (4, with Sunday 0).
            let weekday = (days + 4).rem_euclid(7);
            (days - (weekday - ctx.week_start.index()).rem_euclid(7)) * DAY
        }
        TimeUnit::Month => month_start(y, m as i64 - 1),
        TimeUnit::Quarter => month_start(y, (m as i64 - 1) / 3 * 3),
        TimeUnit::Year => month_start(y, 0),
        TimeUnit::FiscalYear => {
            let into = (m as i64 - 1 - fiscal).rem_euclid(12);
            month_start(y, m as i64 - 1 - into)
        }
        TimeUnit::FiscalQuarter => {
            let into = (m as i64 - 1 - fiscal).rem_euclid(3);
            month_start(y, m as i64 - 1 - into)
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
        TimeExpr::Relative(_) | TimeExpr::Anchored(..) => Ok(input.trim().to_string()),
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
        assert_eq!(
            r("now/w"),
            at("2024-03-10"),
            "weeks start on Sunday, as en-US"
        );
        let monday = DateContext {
            week_start: WeekStart::Monday,
            ..DateContext::default()
        };
        let w = parse_time("now/w").unwrap();
        assert_eq!(w.resolve_in(NOW, false, &monday), at("2024-03-11"));
        let fiscal = DateContext {
            fiscal_year_start_month: 3,
            ..DateContext::default()
        };
        assert_eq!(
            parse_time("now/fy")
                .unwrap()
                .resolve_in(NOW, false, &fiscal),
            at("2023-04-01")
        );
        assert_eq!(
            parse_time("now/fQ")
                .unwrap()
                .resolve_in(NOW, false, &fiscal),
            at("2024-01-01")
        );
        assert_eq!(r("now/Q"), at("2024-01-01"));
        assert_eq!(r("now - 1h"), NOW - HOUR);
        let berlin = DateContext {
            zone: "Europe/Berlin".into(),
            ..DateContext::default()
        };
        assert_eq!(
            parse_time("now/d").unwrap().resolve_in(NOW, false, &berlin),
            at("2024-03-14 23:00")
        );
        assert_eq!(
            parse_time("2024-01-31||+1M").unwrap().resolve(NOW, false),
            at("2024-02-29")
        );
        assert_eq!(at("20240131"), at("2024-01-31"));
        assert_eq!(at("2024-01-31T10:00:00+02:00"), at("2024-01-31 08:00"));
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
            "time `now-6x`: unknown unit `x` (one of s m h d w M Q y fQ fy)"
        );
        assert_eq!(
            parse_time("now-6").unwrap_err().to_string(),
            "time `now-6`: missing unit at the end (one of s m h d w M Q y fQ fy)"
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
