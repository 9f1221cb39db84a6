//! Dates as Grafana's formatters write them with moment.js (English locale): `new Date(v)`'s
//! range and truncation, the calendar in a time zone, moment's format tokens (`YYYY-MM-DD
//! HH:mm:ss`, `LLLL`, `Do`, `[literal]`, …) and `fromNow` (`in 3 days`, `a year ago`).
//!
//! Time zones are a dashboard's (`utc`, `browser`, `""` for the browser's, or an IANA name),
//! read with [`crate::time::tz::offset_ms`]. As moment-timezone's bundled data ends with 2499, later
//! instants keep the offset in force then.

use crate::js::num::{js_number, round};

/// What moment writes for an invalid date.
pub const INVALID: &str = "Invalid date";

/// The largest instant a JavaScript `Date` holds, in ms from 1970 (either side).
const MAX_TIME: f64 = 8.64e15;

/// Month names.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Weekday names, from Sunday.
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// `new Date(v)`'s time value: the instant truncated to a whole millisecond, `None` for null,
/// NaN and instants beyond ±8.64e15 ms (an invalid date).
pub fn time_clip(v: Option<f64>) -> Option<i64> {
    let v = v?;
    if v.is_nan() || v.abs() > MAX_TIME {
        return None;
    }
    Some(v.trunc() as i64)
}

/// Days from 1970-01-01 of a proleptic Gregorian date (`month` 1..=12).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The proleptic Gregorian date (year, month 1..=12, day) of a day from 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether `y` is a leap year.
fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// The days of month `m0` (0-based, possibly beyond 0..12) of year `y`, as moment counts them.
fn days_in_month(y: i64, m0: i64) -> i64 {
    let mm = m0.rem_euclid(12);
    let y = y + (m0 - mm).div_euclid(12);
    if mm == 1 {
        if is_leap(y) {
            29
        } else {
            28
        }
    } else {
        31 - ((mm % 7) % 2)
    }
}

/// A time zone as Grafana's formatters read a dashboard's `timezone`.
#[derive(Debug, Clone, Copy)]
pub struct Zone<'a> {
    /// The zone to ask [`crate::time::tz::offset_ms`] for; `None` for UTC.
    name: Option<&'a str>,
    /// Grafana's `utc`: moment's UTC mode (`z` writes `UTC`).
    utc_mode: bool,
}

impl<'a> Zone<'a> {
    /// The zone of a dashboard's `timezone`: `utc`; `browser` or `""` for the browser's own;
    /// else an IANA name (one the database does not know counts as UTC).
    pub fn new(name: &'a str) -> Zone<'a> {
        match name {
            "utc" => Zone {
                name: None,
                utc_mode: true,
            },
            "" | "browser" => Zone {
                name: Some("browser"),
                utc_mode: false,
            },
            other => Zone {
                name: Some(other),
                utc_mode: false,
            },
        }
    }

    /// The offset from UTC at `utc_ms`, in ms. moment-timezone's data ends with 2499: later
    /// instants keep the offset then. Before the first transition (all are after 1800) every
    /// zone is at its first offset (local mean time): instants before the year 1000 are asked
    /// as of then, which the browser's `Intl` answers well (it writes years before 100 and BC
    /// in ways a `Date.UTC` round trip misreads).
    fn offset_ms(&self, utc_ms: i64) -> i64 {
        const FIRST: i64 = -30_610_224_000_000; // 1000-01-01T00:00:00Z
        const LAST: i64 = (16_725_225_600 - 1) * 1000; // 2500-01-01T00:00:00Z, less a second
        match self.name {
            None => 0,
            Some(name) => crate::time::tz::offset_ms(name, utc_ms.clamp(FIRST, LAST)),
        }
    }

    /// Whether the zone is one moment-timezone knows (an IANA name), which moment then writes
    /// as UTC (`Z`) while its offset is 0. A name without offset at any of a few probes (an
    /// unknown one, or `Etc/GMT`-like) counts as known only when it is a UTC alias.
    fn is_named(&self) -> bool {
        match self.name {
            None | Some("browser") => false,
            Some(name) => {
                const UTC_ALIASES: &[&str] = &[
                    "UTC",
                    "Etc/UTC",
                    "GMT",
                    "Etc/GMT",
                    "UCT",
                    "Etc/UCT",
                    "Universal",
                    "Etc/Universal",
                    "Zulu",
                    "Etc/Zulu",
                    "Greenwich",
                    "Etc/Greenwich",
                    "GMT0",
                    "Etc/GMT0",
                    "GMT+0",
                    "GMT-0",
                    "Etc/GMT+0",
                    "Etc/GMT-0",
                ];
                UTC_ALIASES.contains(&name)
                    || [-5_000_000_000_000, 1_700_000_000_000, 1_690_000_000_000]
                        .iter()
                        .any(|&t| crate::time::tz::offset_ms(name, t) != 0)
            }
        }
    }
}

/// A valid moment: an instant and the calendar fields of its wall clock in a zone.
#[derive(Debug, Clone)]
pub struct Moment {
    /// The instant, in ms from 1970 UTC.
    ms: i64,
    /// The zone's offset at the instant, in ms.
    offset_ms: i64,
    /// moment's UTC mode (Grafana's `utc` zone).
    utc_mode: bool,
    /// Whether the moment is in a zone moment-timezone knows (only found out, and so only
    /// true, at offset 0).
    named_zone: bool,
    /// The wall clock's fields: year (proleptic Gregorian, 0 is 1 BC), month 1..=12, day of
    /// month, hour 0..=23, minute, second and millisecond.
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    milli: i64,
    /// 0 = Sunday.
    weekday: i64,
    /// 1..=366; NaN when January 1st of the year is before the `Date` range (year -271821),
    /// as moment's `startOf('year')` then is.
    day_of_year: f64,
    /// Days from 1970-01-01 of the wall-clock date.
    days: i64,
}

impl Moment {
    /// The moment of `ms` with wall clock `ms + offset_ms`.
    fn at(ms: i64, offset_ms: i64, utc_mode: bool, named_zone: bool) -> Moment {
        let local = ms + offset_ms;
        let days = local.div_euclid(86_400_000);
        let rem = local.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        Moment {
            ms,
            offset_ms,
            utc_mode,
            named_zone,
            year,
            month,
            day,
            hour: rem / 3_600_000,
            minute: rem / 60_000 % 60,
            second: rem / 1000 % 60,
            milli: rem % 1000,
            weekday: (days + 4).rem_euclid(7),
            day_of_year: utc_date(year, 1).map_or(f64::NAN, |jan1| (days - jan1 + 1) as f64),
            days,
        }
    }

    /// `moment(new Date(v))` in `zone`; `None` for an invalid date, including one whose wall
    /// clock falls outside the `Date` range (moment-timezone shifts the inner `Date`).
    pub fn new(v: Option<f64>, zone: Zone<'_>) -> Option<Moment> {
        let ms = time_clip(v)?;
        let offset = zone.offset_ms(ms);
        if offset != 0 && (ms + offset).abs() as f64 > MAX_TIME {
            return None;
        }
        // Whether the zone is a named one matters only at offset 0 (see `is_utc`), and finding
        // out costs a few look-ups.
        let named = offset == 0 && zone.is_named();
        Some(Moment::at(ms, offset, zone.utc_mode, named))
    }

    /// Whether moment counts the moment as UTC: UTC mode, or a named zone at offset 0.
    pub fn is_utc(&self) -> bool {
        self.utc_mode || (self.named_zone && self.offset_ms == 0)
    }
}

/// `number` zero-padded to `width` digits, `-` for negatives, `+` for others when `sign`
/// (moment's `zeroFill`).
fn zero_fill(number: i64, width: usize, sign: bool) -> String {
    let digits = number.unsigned_abs().to_string();
    let s = if number < 0 {
        "-"
    } else if sign {
        "+"
    } else {
        ""
    };
    format!(
        "{s}{}{digits}",
        "0".repeat(width.saturating_sub(digits.len()))
    )
}

/// An English ordinal: `1st`, `2nd`, `11th`, `23rd`.
fn ordinal(n: i64) -> String {
    let b = n % 10;
    let suffix = if n % 100 / 10 == 1 {
        "th"
    } else {
        match b {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        }
    };
    format!("{n}{suffix}")
}

/// The day (from 1970) of January `day` of `year`, as `Date.UTC` gives it: `None` beyond the
/// `Date` range.
fn utc_date(year: i64, day: i64) -> Option<i64> {
    let days = days_from_civil(year, 1, day);
    ((days as f64 * 86_400_000.0).abs() <= MAX_TIME).then_some(days)
}

/// moment's `firstWeekOffset`: where week 1 of `year` starts, relative to January 1st, for
/// weeks starting on weekday `dow` whose first week holds January `7 + dow - doy`; NaN
/// beyond the `Date` range.
fn first_week_offset(year: i64, dow: i64, doy: i64) -> f64 {
    let fwd = 7 + dow - doy;
    let Some(day) = utc_date(year, fwd) else {
        return f64::NAN;
    };
    let wd = (day + 4).rem_euclid(7);
    let fwdlw = (7 + wd - dow).rem_euclid(7);
    (-fwdlw + fwd - 1) as f64
}

/// The weeks of `year` (NaN beyond the `Date` range).
fn weeks_in_year(year: i64, dow: i64, doy: i64) -> f64 {
    let wo = first_week_offset(year, dow, doy);
    let won = first_week_offset(year + 1, dow, doy);
    ((if is_leap(year) { 366.0 } else { 365.0 }) - wo + won) / 7.0
}

/// The week of the year (NaN at the start of the `Date` range) and its week-year: locale
/// weeks (`dow` 0, `doy` 6: US) or ISO weeks (1, 4).
fn week_of_year(m: &Moment, dow: i64, doy: i64) -> (f64, i64) {
    let wo = first_week_offset(m.year, dow, doy);
    let week = ((m.day_of_year - wo - 1.0) / 7.0).floor() + 1.0;
    if week < 1.0 {
        let ry = m.year - 1;
        (week + weeks_in_year(ry, dow, doy), ry)
    } else if week > weeks_in_year(m.year, dow, doy) {
        (week - weeks_in_year(m.year, dow, doy), m.year + 1)
    } else {
        (week, m.year)
    }
}

/// [`zero_fill`] of a count that may be NaN (moment writes `-NaN`).
fn fill(n: f64, width: usize) -> String {
    if n.is_nan() {
        format!("-{}NaN", "0".repeat(width.saturating_sub(3)))
    } else {
        zero_fill(n as i64, width, false)
    }
}

/// [`ordinal`] of a count that may be NaN (`NaNth`).
fn ordinal_of(n: f64) -> String {
    if n.is_nan() {
        "NaNth".into()
    } else {
        ordinal(n as i64)
    }
}

/// The offset as `±hh:mm` (or `±hhmm` with an empty `sep`), minutes truncated.
fn offset_text(m: &Moment, sep: &str) -> String {
    let sign = if m.offset_ms < 0 { '-' } else { '+' };
    let minutes = m.offset_ms.abs() / 60_000;
    format!(
        "{sign}{}{sep}{}",
        zero_fill(minutes / 60, 2, false),
        zero_fill(minutes % 60, 2, false)
    )
}

/// The text of a format token, `None` when `t` is not one (then it is written as is).
fn token(m: &Moment, t: &str) -> Option<String> {
    let h12 = if m.hour % 12 == 0 { 12 } else { m.hour % 12 };
    let era_year = if m.year >= 1 { m.year } else { 1 - m.year };
    let quarter = (m.month + 2) / 3;
    Some(match t {
        "M" => m.month.to_string(),
        "MM" => zero_fill(m.month, 2, false),
        "MMM" => MONTHS[m.month as usize - 1][..3].to_string(),
        "MMMM" => MONTHS[m.month as usize - 1].to_string(),
        "Mo" => ordinal(m.month),
        "D" => m.day.to_string(),
        "DD" => zero_fill(m.day, 2, false),
        "Do" => ordinal(m.day),
        "DDD" => js_number(m.day_of_year),
        "DDDD" => fill(m.day_of_year, 3),
        "DDDo" => ordinal_of(m.day_of_year),
        "d" | "e" => m.weekday.to_string(),
        "do" => ordinal(m.weekday),
        "dd" => WEEKDAYS[m.weekday as usize][..2].to_string(),
        "ddd" => WEEKDAYS[m.weekday as usize][..3].to_string(),
        "dddd" => WEEKDAYS[m.weekday as usize].to_string(),
        "E" => (if m.weekday == 0 { 7 } else { m.weekday }).to_string(),
        "w" | "ww" | "wo" | "W" | "WW" | "Wo" => {
            let (dow, doy) = if t.starts_with('w') { (0, 6) } else { (1, 4) };
            let (w, _) = week_of_year(m, dow, doy);
            match t.len() {
                1 => js_number(w),
                _ if t.ends_with('o') => ordinal_of(w),
                _ => fill(w, 2),
            }
        }
        "gg" | "gggg" | "ggggg" | "GG" | "GGGG" | "GGGGG" => {
            let (dow, doy) = if t.starts_with('g') { (0, 6) } else { (1, 4) };
            let (_, wy) = week_of_year(m, dow, doy);
            if t.len() == 2 {
                zero_fill(wy % 100, 2, false)
            } else {
                zero_fill(wy, t.len(), false)
            }
        }
        "Q" => quarter.to_string(),
        "Qo" => ordinal(quarter),
        "Y" => {
            if m.year <= 9999 {
                zero_fill(m.year, 4, false)
            } else {
                format!("+{}", m.year)
            }
        }
        "YY" => zero_fill(m.year % 100, 2, false),
        "YYYY" => zero_fill(m.year, 4, false),
        "YYYYY" => zero_fill(m.year, 5, false),
        "YYYYYY" => zero_fill(m.year, 6, true),
        "H" => m.hour.to_string(),
        "HH" => zero_fill(m.hour, 2, false),
        "h" => h12.to_string(),
        "hh" => zero_fill(h12, 2, false),
        "k" => (if m.hour == 0 { 24 } else { m.hour }).to_string(),
        "kk" => zero_fill(if m.hour == 0 { 24 } else { m.hour }, 2, false),
        "hmm" => format!("{h12}{}", zero_fill(m.minute, 2, false)),
        "hmmss" => format!(
            "{h12}{}{}",
            zero_fill(m.minute, 2, false),
            zero_fill(m.second, 2, false)
        ),
        "Hmm" => format!("{}{}", m.hour, zero_fill(m.minute, 2, false)),
        "Hmmss" => format!(
            "{}{}{}",
            m.hour,
            zero_fill(m.minute, 2, false),
            zero_fill(m.second, 2, false)
        ),
        "m" => m.minute.to_string(),
        "mm" => zero_fill(m.minute, 2, false),
        "s" => m.second.to_string(),
        "ss" => zero_fill(m.second, 2, false),
        "S" => zero_fill(m.milli / 100, 1, false),
        "SS" => zero_fill(m.milli / 10, 2, false),
        _ if t.len() >= 3 && t.bytes().all(|b| b == b'S') => {
            zero_fill(m.milli * 10i64.pow(t.len() as u32 - 3), t.len(), false)
        }
        "a" => (if m.hour > 11 { "pm" } else { "am" }).to_string(),
        "A" => (if m.hour > 11 { "PM" } else { "AM" }).to_string(),
        "Z" => offset_text(m, ":"),
        "ZZ" => offset_text(m, ""),
        "X" => m.ms.div_euclid(1000).to_string(),
        "x" => m.ms.to_string(),
        // moment-timezone would name the zone (`CET`); only UTC mode is written here.
        "z" | "zz" => (if m.utc_mode { "UTC" } else { "" }).to_string(),
        "N" | "NN" | "NNN" | "NNNNN" => (if m.year >= 1 { "AD" } else { "BC" }).to_string(),
        "NNNN" => (if m.year >= 1 {
            "Anno Domini"
        } else {
            "Before Christ"
        })
        .to_string(),
        "y" | "yyy" => era_year.to_string(),
        "yy" => zero_fill(era_year % 100, 2, false),
        "yyyy" => zero_fill(era_year, 4, false),
        "yo" => ordinal(era_year),
        _ => return None,
    })
}

/// The length of the `[literal]` at the start of `s`: `[`, then everything up to the last `]`
/// before the next `[` (moment's `\[[^\[]*\]`).
fn bracket_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('[')?;
    let span = rest.find('[').unwrap_or(rest.len());
    rest[..span].rfind(']').map(|i| i + 2)
}

/// The length of the longest run (up to `max`) of `c` at the start of `s`.
fn run_of(s: &str, c: u8, max: usize) -> usize {
    s.bytes().take(max).take_while(|&b| b == c).count()
}

/// The length of the format token at the start of `s` (not empty), tried in moment's order:
/// the first alternative that matches wins, not the longest.
fn format_token_len(s: &str) -> usize {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let starts = |p: &str| s.starts_with(p);
    match at(0) {
        b'H' | b'h' if s[1..].starts_with("mmss") => 5,
        b'H' | b'h' if s[1..].starts_with("mm") => 3,
        b'M' if at(1) == b'o' => 2,
        b'M' => run_of(s, b'M', 4),
        b'D' if at(1) == b'o' => 2,
        b'D' if starts("DDDo") => 4,
        b'D' => run_of(s, b'D', 4),
        b'd' if at(1) == b'd' => 2 + run_of(&s[2..], b'd', 2),
        b'd' if at(1) == b'o' => 2,
        b'w' | b'W' if matches!(at(1), b'o' | b'|') || at(1) == at(0) => 2,
        b'Q' if at(1) == b'o' => 2,
        b'N' => run_of(s, b'N', 5),
        b'Y' if starts("YYYYYY") => 6,
        b'Y' if starts("YYYYY") => 5,
        b'Y' if starts("YYYY") => 4,
        b'Y' if starts("YY") => 2,
        b'y' if at(1) == b'y' => run_of(s, b'y', 4),
        b'y' if at(1) == b'o' => 2,
        b'g' | b'G' if at(1) == at(0) => {
            let n = run_of(s, at(0), 5);
            if n >= 4 {
                n
            } else {
                2
            }
        }
        b'h' | b'H' | b'k' | b'm' | b's' | b'z' | b'Z' if at(1) == at(0) => 2,
        b'S' => run_of(s, b'S', 9),
        _ => s.chars().next().map_or(1, char::len_utf8),
    }
}

/// Expands moment's localized formats (`LT`, `LTS`, `L`…`LLLL`, `l`…`llll`) to their English
/// patterns, leaving `[literals]` and escaped tokens as they are.
fn expand_long_formats(fmt: &str) -> String {
    let mut out = String::with_capacity(fmt.len());
    let mut i = 0;
    while i < fmt.len() {
        let s = &fmt[i..];
        if let Some(n) = bracket_len(s) {
            out.push_str(&s[..n]);
            i += n;
            continue;
        }
        let escaped = s.starts_with('\\');
        let body = if escaped { &s[1..] } else { s };
        let n = if body.starts_with("LTS") {
            3
        } else if body.starts_with("LT") {
            2
        } else if body.starts_with('L') {
            run_of(body, b'L', 4)
        } else {
            run_of(body, b'l', 4)
        };
        if n == 0 {
            let c = s.chars().next().expect("not empty");
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let tok = &body[..n];
        if escaped {
            out.push('\\');
            out.push_str(tok);
        } else {
            out.push_str(match tok {
                "LTS" => "h:mm:ss A",
                "LT" => "h:mm A",
                "L" => "MM/DD/YYYY",
                "LL" => "MMMM D, YYYY",
                "LLL" => "MMMM D, YYYY h:mm A",
                "LLLL" => "dddd, MMMM D, YYYY h:mm A",
                "l" => "M/D/YYYY",
                "ll" => "MMM D, YYYY",
                "lll" => "MMM D, YYYY h:mm A",
                _ => "ddd, MMM D, YYYY h:mm A",
            });
        }
        i += n + usize::from(escaped);
    }
    out
}

/// `moment.format(fmt)`: `Invalid date` for no moment.
pub fn format(m: Option<&Moment>, fmt: &str) -> String {
    let Some(m) = m else {
        return INVALID.into();
    };
    let fmt = expand_long_formats(fmt);
    let mut out = String::new();
    let mut i = 0;
    while i < fmt.len() {
        let s = &fmt[i..];
        if let Some(n) = bracket_len(s) {
            out.push_str(&s[1..n - 1]);
            i += n;
            continue;
        }
        // An escaping backslash binds to the token after it (`\H` is a literal H).
        let escaped = s.starts_with('\\') && s.len() > 1;
        let n = if escaped {
            1 + format_token_len(&s[1..])
        } else {
            format_token_len(s)
        };
        let tok = &s[..n];
        match token(m, tok) {
            Some(text) => out.push_str(&text),
            None => out.push_str(&tok.replace('\\', "")),
        }
        i += n;
    }
    out
}

/// `new Date(t)` moved by `months` calendar months in UTC (moment's `add(months, 'M')`: the
/// day of month clamped to the target month's length); `None` outside the `Date` range.
fn add_months(t: i64, months: i64) -> Option<i64> {
    if months == 0 {
        return Some(t);
    }
    let m = Moment::at(t, 0, true, false);
    let target = (m.month - 1) + months;
    let date = if m.day < 29 {
        m.day
    } else {
        m.day.min(days_in_month(m.year, target))
    };
    let year = m.year + target.div_euclid(12);
    let month = target.rem_euclid(12);
    let days = days_from_civil(year, month + 1, 1) + date - 1;
    let moved = days * 86_400_000 + (t - m.days * 86_400_000);
    ((moved.abs() as f64) <= MAX_TIME).then_some(moved)
}

/// The whole calendar months from `base` to the later `other`, and the ms left over (NaN when
/// the month step leaves the `Date` range).
fn positive_diff(base: i64, other: i64) -> (i64, f64) {
    let (b, o) = (
        Moment::at(base, 0, true, false),
        Moment::at(other, 0, true, false),
    );
    let mut months = o.month - b.month + (o.year - b.year) * 12;
    if add_months(base, months).is_some_and(|a| a > other) {
        months -= 1;
    }
    let ms = add_months(base, months).map_or(f64::NAN, |a| (other - a) as f64);
    (months, ms)
}

/// `moment(v).from(now)` in English: `a few seconds ago`, `in 5 minutes`, `2 years ago`;
/// `Invalid date` when either is not a valid date.
pub fn from_now(value: Option<f64>, now_ms: f64) -> String {
    let (Some(t), Some(now)) = (time_clip(value), time_clip(Some(now_ms))) else {
        return INVALID.into();
    };
    let (months, ms) = if now < t {
        positive_diff(now, t)
    } else {
        let (m, ms) = positive_diff(t, now);
        (-m, -ms)
    };
    if ms.is_nan() {
        return INVALID.into();
    }
    // The duration's sign, as moment's `valueOf` weighs months and years.
    let total = ms + (months % 12) as f64 * 2592e6 + (months / 12) as f64 * 31536e6;
    let (am, ams) = (months.unsigned_abs() as f64, ms.abs());
    let days_s = round(am * 146097.0 / 4800.0);
    let seconds = round(days_s * 86400.0 + ams / 1000.0);
    let minutes = round(days_s * 1440.0 + ams / 6e4);
    let hours = round(days_s * 24.0 + ams / 36e5);
    let days = round(days_s + ams / 864e5);
    let months_f = am + ams / 864e5 * 4800.0 / 146097.0;
    let months_r = round(months_f);
    let years = round(months_f / 12.0);
    let n = |v: f64| js_number(v);
    let text = if seconds <= 44.0 {
        "a few seconds".to_string()
    } else if seconds < 45.0 {
        format!("{} seconds", n(seconds))
    } else if minutes <= 1.0 {
        "a minute".into()
    } else if minutes < 45.0 {
        format!("{} minutes", n(minutes))
    } else if hours <= 1.0 {
        "an hour".into()
    } else if hours < 22.0 {
        format!("{} hours", n(hours))
    } else if days <= 1.0 {
        "a day".into()
    } else if days < 26.0 {
        format!("{} days", n(days))
    } else if months_r <= 1.0 {
        "a month".into()
    } else if months_r < 11.0 {
        format!("{} months", n(months_r))
    } else if years <= 1.0 {
        "a year".into()
    } else {
        format!("{} years", n(years))
    };
    if total > 0.0 {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

/// Whether two instants fall on the same day of the browser's calendar (Grafana's `*NoDateIfToday`
/// formats compare with a local moment, whatever the dashboard's zone).
pub fn is_same_local_day(a: Option<f64>, b: Option<f64>) -> bool {
    let zone = Zone::new("browser");
    match (Moment::new(a, zone), Moment::new(b, zone)) {
        (Some(a), Some(b)) => a.days == b.days,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(v: f64, fmt: &str) -> String {
        format(Moment::new(Some(v), Zone::new("utc")).as_ref(), fmt)
    }

    #[test]
    fn formats_tokens_literals_and_long_formats() {
        let t = 1_700_000_000_123.0; // 2023-11-14T22:13:20.123Z, a Tuesday
        assert_eq!(utc(t, "YYYY-MM-DD HH:mm:ss.SSS"), "2023-11-14 22:13:20.123");
        assert_eq!(utc(t, "MM/DD/YYYY h:mm:ss a"), "11/14/2023 10:13:20 pm");
        assert_eq!(utc(t, "[Q]Q YY Do MMM dddd"), "Q4 23 14th Nov Tuesday");
        assert_eq!(utc(t, "LLLL"), "Tuesday, November 14, 2023 10:13 PM");
        assert_eq!(utc(t, "llll"), "Tue, Nov 14, 2023 10:13 PM");
        assert_eq!(utc(t, "\\H ss\\s"), "H 20s");
        assert_eq!(utc(t, "W wo gggg Z z"), "46 46th 2023 +00:00 UTC");
        assert_eq!(utc(-62_198_755_200_000.0, "YYYY"), "-0001");
        assert_eq!(format(None, "YYYY"), INVALID);
        assert!(Moment::new(Some(8.64e15 + 1.0), Zone::new("utc")).is_none());
    }

    #[test]
    fn from_now_in_words() {
        let now = 1_700_000_000_000.0;
        assert_eq!(from_now(Some(now), now), "a few seconds ago");
        assert_eq!(from_now(Some(now + 90_000.0), now), "in 2 minutes");
        assert_eq!(from_now(Some(now - 3.0 * 86_400_000.0), now), "3 days ago");
        assert_eq!(
            from_now(Some(now - 400.0 * 86_400_000.0), now),
            "a year ago"
        );
        assert_eq!(from_now(None, now), INVALID);
    }
}
