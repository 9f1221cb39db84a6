//! Value formatting by Grafana unit id (`fieldConfig.defaults.unit`), as Grafana 13's
//! `getValueFormat(id)(value, decimals, scaledDecimals, timeZone)` writes it, for every id of
//! its unit picker and the custom forms (`suffix:…`, `prefix:…`, `si:…`, `count:…`,
//! `currency:…`, `currency:financial:…`, `time:FORMAT`, `bool:yes/no`), plus "nice" axis
//! ticks.
//!
//! Each unit id is one entry of a declarative table (`units/table.rs`): a `Kind` of
//! formatter and its parameters. The kinds share Grafana's number rule ([`to_fixed`]):
//! automatic decimals that keep three significant digits, `Math.round` of the value times a
//! power of ten (so halves round up only when they survive the multiplication: `2.25` → `2.3`
//! but `1.005` → `1.00`), zero padding, and `∞` for infinities. The JavaScript primitives
//! this needs are in [`crate::js::num`], dates in [`crate::js::moment`].
//!
//! A formatted value is a prefix, a number text and a suffix; the suffix carries its own
//! leading space where Grafana puts one (`1.50 KiB`, `42%`).

mod table;

use crate::display::units::table::{PICKER, SPECS};
use crate::js::moment::{self, Moment, Zone};
use crate::js::num::{self as jsnum, RangeError};
use std::borrow::Cow;
use std::fmt;

/// `String(n)` of JavaScript (it moved to [`crate::js::num`]; callers still find it here).
pub use crate::js::num::js_number;

/// A formatted value: prefix, number text and suffix, shown concatenated. A part Grafana
/// leaves undefined is empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FormattedValue {
    /// Before the number: a currency symbol, a minus sign put before it (`-$`).
    pub prefix: String,
    /// The number (or date, duration, …) itself.
    pub text: String,
    /// After the number, with its own leading space where Grafana puts one (` KiB`, `%`).
    pub suffix: String,
}

impl fmt::Display for FormattedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.prefix, self.text, self.suffix)
    }
}

/// A rung of a time unit's ladder (see [`Kind::Time`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rung {
    /// The rung applies to magnitudes below this (`f64::INFINITY` for the last).
    pub below: f64,
    /// Whether the value is multiplied by `factor` (else divided).
    pub multiply: bool,
    /// What the value is multiplied or divided by.
    pub factor: f64,
    /// The suffix, with its leading space.
    pub label: &'static str,
    /// Whether the label takes an `s` when the scaled magnitude is above 1.
    pub plural: bool,
}

/// How a unit formats, with its parameters. `'a` borrows from a custom unit id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind<'a> {
    /// The number (times `scale`) with a fixed prefix and suffix: `none`, `percent`, ` °C`.
    Fixed {
        prefix: Option<&'a str>,
        suffix: Option<Cow<'a, str>>,
        scale: Option<f64>,
    },
    /// Divided by the largest power of `factor` that keeps it at or above 1, with that power's
    /// suffix; `offset` is the index of the value's own unit in `suffixes` (`short`).
    Scaled {
        factor: f64,
        suffixes: &'static [&'static str],
        offset: i32,
    },
    /// Decimal SI prefixes from femto to yotta on `unit`; `offset` is the prefix of the value's
    /// own unit (`-1` for milli, `1` for kilo).
    Si { unit: &'a str, offset: i32 },
    /// Binary (1024) prefixes from none to Yi on `unit`; `offset` as for [`Kind::Si`].
    Binary { unit: &'a str, offset: i32 },
    /// A currency: K, M, B, T scaling, the symbol before (`$1.50K`) or after (`1.50Kkr`).
    Currency {
        symbol: &'a str,
        suffix_position: bool,
    },
    /// `currency:financial:SYMBOL[:suffix]`: en-US grouped digits (`$1,234.5`).
    Financial {
        symbol: &'a str,
        suffix_position: bool,
    },
    /// A count per something: K, M, B, T scaling, then ` symbol` (`1.50K req/s`).
    Count { symbol: &'a str },
    /// A time unit: the first rung of `ladder` whose bound the magnitude is below; the value is
    /// first divided by `divide` (timeticks) and 0 writes `0` and `zero_suffix` when set.
    Time {
        ladder: &'static [Rung],
        divide: Option<f64>,
        zero_suffix: Option<&'static str>,
    },
    /// A duration in words (`1 day, 1 hour`), the value in `unit`s of `unit_ms` ms.
    Duration { unit: &'static str, unit_ms: f64 },
    /// `hh:mm:ss` of seconds, with `N d ` days first when `days`.
    Hms { days: bool },
    /// A stopwatch of ms (times `multiply`): `01m:30s:000ms`, `2h:05m`.
    Clock { multiply: f64 },
    /// A date in moment `format` (moment's default when `None`), `today_format` for today.
    DateTime {
        format: Option<&'a str>,
        today_format: Option<&'static str>,
    },
    /// How long ago or ahead of now: `3 days ago`.
    FromNow,
    /// Hexadecimal, `0x`-prefixed when `prefix_0x`.
    Hex { prefix_0x: bool },
    /// Scientific notation: `1.536e+3`.
    Sci,
    /// en-US grouped digits: `1,234,567.891`.
    Locale,
    /// The number as JavaScript writes it.
    String,
    /// `yes` for a truthy value (not 0, NaN or null), else `no`.
    Bool { yes: &'a str, no: &'a str },
}

/// A unit as a picker shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitInfo {
    /// The id dashboards store (`bytes`).
    pub id: &'static str,
    /// Grafana's name for it (`bytes(IEC)`).
    pub name: &'static str,
    /// Its category (`Data`).
    pub category: &'static str,
}

/// A category of the unit picker and its units, in Grafana's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitCategory {
    /// Grafana's name for the category (`Data rate`).
    pub name: &'static str,
    /// Its units, in the picker's order.
    pub units: Vec<UnitInfo>,
}

/// The categories of Grafana's unit picker and their units, in its order.
pub fn unit_categories() -> Vec<UnitCategory> {
    let mut out: Vec<UnitCategory> = Vec::new();
    for line in PICKER.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push(UnitCategory {
                name,
                units: Vec::new(),
            });
        } else if let (Some((id, name)), Some(c)) = (line.split_once('\t'), out.last_mut()) {
            c.units.push(UnitInfo {
                id,
                name,
                category: c.name,
            });
        }
    }
    out
}

/// The picker entry of a unit id; `None` for custom forms and unknown ids.
pub fn find_unit(id: &str) -> Option<UnitInfo> {
    unit_categories()
        .into_iter()
        .flat_map(|c| c.units)
        .find(|u| u.id == id)
}

/// The `(id, spec)` lines of [`SPECS`], sorted by id for a binary search (built once).
fn index() -> &'static [(&'static str, &'static str)] {
    static INDEX: std::sync::OnceLock<Vec<(&str, &str)>> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut v: Vec<(&str, &str)> = SPECS.lines().filter_map(|l| l.split_once('\t')).collect();
        v.sort_unstable_by(|a, b| a.0.cmp(b.0));
        v
    })
}

/// The formatter of a unit id of the table.
fn lookup(id: &str) -> Option<Kind<'static>> {
    let index = index();
    let i = index.binary_search_by(|e| e.0.cmp(id)).ok()?;
    Some(read_spec(index[i].1))
}

/// The scaling suffixes of `short`.
const SHORT: &[&str] = &[
    "", " K", " Mil", " Bil", " Tri", " Quadr", " Quint", " Sext", " Sept",
];
/// The scaling suffixes of `pressurepsi`.
const PSI: &[&str] = &["psi", "ksi", "Mpsi"];

/// A line's formatter, in the language [`SPECS`] documents.
fn read_spec(spec: &'static str) -> Kind<'static> {
    use crate::display::units::table as t;
    let time = |ladder, zero_suffix| Kind::Time {
        ladder,
        divide: None,
        zero_suffix,
    };
    let prefixed = |rest: &'static str| {
        let (offset, unit) = rest.split_once(':').unwrap_or(("0", rest));
        (unit, offset.parse().unwrap_or(0))
    };
    match spec {
        "n" => plain(None, None),
        "short" => Kind::Scaled {
            factor: 1000.0,
            suffixes: SHORT,
            offset: 0,
        },
        "psi" => Kind::Scaled {
            factor: 1000.0,
            suffixes: PSI,
            offset: 0,
        },
        "string" => Kind::String,
        "hex" => Kind::Hex { prefix_0x: false },
        "hex0x" => Kind::Hex { prefix_0x: true },
        "sci" => Kind::Sci,
        "locale" => Kind::Locale,
        "fromnow" => Kind::FromNow,
        "hms" => Kind::Hms { days: false },
        "dhms" => Kind::Hms { days: true },
        "dur:ms" => Kind::Duration {
            unit: "millisecond",
            unit_ms: 1.0,
        },
        "dur:s" => Kind::Duration {
            unit: "second",
            unit_ms: 1000.0,
        },
        "clock:ms" => Kind::Clock { multiply: 1.0 },
        "clock:s" => Kind::Clock { multiply: 1000.0 },
        "ticks" => Kind::Time {
            ladder: t::LADDER_S,
            divide: Some(100.0),
            zero_suffix: Some(" s"),
        },
        "t:ns" => time(t::LADDER_NS, None),
        "t:µs" => time(t::LADDER_US, None),
        "t:ms" => time(t::LADDER_MS, None),
        "t:s" => time(t::LADDER_S, Some(" s")),
        "t:m" => time(t::LADDER_M, None),
        "t:h" => time(t::LADDER_H, None),
        "t:d" => time(t::LADDER_D, None),
        _ => {
            let (code, rest) = spec.split_at(1);
            match code {
                "=" => plain(Some(Cow::Borrowed(rest)), None),
                "*" => {
                    let (scale, suffix) = rest.split_once('=').unwrap_or((rest, ""));
                    Kind::Fixed {
                        prefix: None,
                        suffix: Some(Cow::Borrowed(suffix)),
                        scale: scale.parse().ok(),
                    }
                }
                "i" => {
                    let (unit, offset) = prefixed(rest);
                    Kind::Si { unit, offset }
                }
                "b" => {
                    let (unit, offset) = prefixed(rest);
                    Kind::Binary { unit, offset }
                }
                "$" => match rest.strip_prefix('>') {
                    Some(symbol) => Kind::Currency {
                        symbol,
                        suffix_position: true,
                    },
                    None => Kind::Currency {
                        symbol: rest,
                        suffix_position: false,
                    },
                },
                "?" => {
                    let (yes, no) = rest.split_once('/').unwrap_or((rest, ""));
                    Kind::Bool { yes, no }
                }
                _ => match spec.split_once(':') {
                    Some(("c", symbol)) => Kind::Count { symbol },
                    Some(("D", f)) => {
                        let (format, today) = match f.split_once('|') {
                            Some((f, t)) => (f, Some(t)),
                            None => (f, None),
                        };
                        Kind::DateTime {
                            format: Some(format),
                            today_format: today,
                        }
                    }
                    // The table's test reads every line: this is not reached.
                    _ => plain(None, None),
                },
            }
        }
    }
}

/// The SI prefixes, from femto (`f`) to yotta (`Y`); the unit itself is at [`SI_BASE`].
const SI_PREFIXES: [&str; 14] = [
    "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y",
];
/// The index of "no prefix" in [`SI_PREFIXES`].
const SI_BASE: i32 = 5;
/// The binary prefixes.
const BINARY_PREFIXES: [&str; 9] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"];
/// The scaling suffixes of currencies and counts.
const SHORT_COUNT: [&str; 5] = ["", "K", "M", "B", "T"];
/// The units of a duration in words, with their length in ms.
const DURATION_UNITS: [(&str, f64); 8] = [
    ("year", 31_536_000_000.0),
    ("month", 2_592_000_000.0),
    ("week", 604_800_000.0),
    ("day", 86_400_000.0),
    ("hour", 3_600_000.0),
    ("minute", 60_000.0),
    ("second", 1000.0),
    ("millisecond", 1.0),
];

/// The offset a first character of `si:X` names (`si:kB` is bytes from kilo up), as Grafana
/// reads it.
fn si_prefix_offset(c: char) -> Option<i32> {
    Some(match c {
        'f' => -5,
        'p' => -4,
        'n' => -3,
        'µ' | 'μ' => -2,
        'm' => -1,
        'k' => 1,
        'M' => 2,
        'G' => 3,
        'T' => 4,
        'P' => 5,
        'E' => 6,
        'Z' => 7,
        'Y' => 8,
        _ => return None,
    })
}

/// A plain number with an optional suffix and prefix.
fn plain<'a>(suffix: Option<Cow<'a, str>>, prefix: Option<&'a str>) -> Kind<'a> {
    Kind::Fixed {
        prefix,
        suffix,
        scale: None,
    }
}

/// The formatter of a unit id: the table's, else a custom form; an unknown id is a plain
/// number followed by ` id`, an empty one a plain number.
fn resolve(id: &str) -> Kind<'_> {
    if let Some(kind) = lookup(id) {
        return kind;
    }
    if id.is_empty() {
        return plain(None, None);
    }
    let unknown = || plain(Some(Cow::Owned(format!(" {id}"))), None);
    let Some((head, rest)) = id.split_once(':') else {
        return unknown();
    };
    let non_empty = |s: &str| !s.is_empty();
    match head {
        "suffix" => plain(
            non_empty(rest).then(|| Cow::Owned(format!(" {rest}"))),
            None,
        ),
        "prefix" => plain(None, non_empty(rest).then_some(rest)),
        "time" => Kind::DateTime {
            format: non_empty(rest).then_some(rest),
            today_format: None,
        },
        "si" => {
            let first = rest.chars().next();
            match first.and_then(si_prefix_offset) {
                Some(offset) => Kind::Si {
                    unit: &rest[first.map_or(0, char::len_utf8)..],
                    offset,
                },
                None => Kind::Si {
                    unit: rest,
                    offset: 0,
                },
            }
        }
        "count" => Kind::Count { symbol: rest },
        "currency" => {
            let parts: Vec<&str> = rest.split(':').collect();
            if parts[0] == "financial" && parts.len() > 1 {
                if parts[1].is_empty() {
                    return plain(None, None);
                }
                return Kind::Financial {
                    symbol: parts[1],
                    suffix_position: parts.get(2) == Some(&"suffix"),
                };
            }
            Kind::Currency {
                symbol: rest,
                suffix_position: false,
            }
        }
        "bool" => {
            let (yes, no) = rest.split_once('/').unwrap_or((rest, "-"));
            Kind::Bool { yes, no }
        }
        _ => unknown(),
    }
}

/// What a formatter gives before it becomes a [`FormattedValue`]: Grafana's prefix and suffix
/// may be undefined, which some kinds then build on (`undefined c/s`).
struct Out {
    prefix: Option<String>,
    text: String,
    suffix: Option<String>,
}

impl Out {
    /// Only a text.
    fn text(text: impl Into<String>) -> Out {
        Out {
            prefix: None,
            text: text.into(),
            suffix: None,
        }
    }

    /// A text and a suffix.
    fn with_suffix(text: String, suffix: impl Into<String>) -> Out {
        Out {
            prefix: None,
            text,
            suffix: Some(suffix.into()),
        }
    }

    /// `" ago"` added to the suffix (negative durations).
    fn ago(mut self) -> Out {
        self.suffix = Some(self.suffix.unwrap_or_default() + " ago");
        self
    }
}

impl From<Out> for FormattedValue {
    fn from(o: Out) -> FormattedValue {
        FormattedValue {
            prefix: o.prefix.unwrap_or_default(),
            text: o.text,
            suffix: o.suffix.unwrap_or_default(),
        }
    }
}

/// What formatting needs besides the value: the dashboard's time zone (`utc`, `browser`, an
/// IANA name; `""` is the browser's) and now, for the date units.
#[derive(Debug, Clone, Copy)]
pub struct FormatContext<'a> {
    /// The dashboard's `timezone`.
    pub time_zone: &'a str,
    /// Now, in ms from 1970 UTC (`dateTimeFromNow`, `*NoDateIfToday`).
    pub now_ms: i64,
}

impl FormatContext<'static> {
    /// The browser's time zone and the clock's now.
    pub fn browser_now() -> FormatContext<'static> {
        FormatContext {
            time_zone: "browser",
            now_ms: now_ms(),
        }
    }
}

/// The clock, in ms from 1970 UTC.
#[cfg(target_arch = "wasm32")]
fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The clock, in ms from 1970 UTC.
#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Formats `value` (`None` for null) in Grafana unit `unit` with `decimals` places (automatic
/// when `None`), as Grafana does, or the `RangeError` Grafana's formatter throws (a digit count
/// out of range: `locale` with 21 decimals, `sci` with 101, a negative count for 0).
pub fn try_format_full(
    value: Option<f64>,
    unit: &str,
    decimals: Option<f64>,
    ctx: &FormatContext<'_>,
) -> Result<FormattedValue, RangeError> {
    format_kind(&resolve(unit), value, decimals, ctx).map(FormattedValue::from)
}

/// [`try_format_full`], with a value Grafana would refuse written as JavaScript writes the
/// number (`String(value)`), without prefix or suffix.
pub fn format_full(
    value: Option<f64>,
    unit: &str,
    decimals: Option<f64>,
    ctx: &FormatContext<'_>,
) -> FormattedValue {
    try_format_full(value, unit, decimals, ctx).unwrap_or_else(|_| FormattedValue {
        text: value.map_or_else(String::new, js_number),
        ..FormattedValue::default()
    })
}

/// Formats `value` in Grafana unit `unit` with `decimals` places (automatic when `None`), in
/// the browser's time zone, as Grafana does ([`format_full`]).
///
/// No unit (`None`) is Grafana's empty unit: the plain number, as `none` (`1500`, not `short`'s
/// `1.50 K`, which this function gave before it followed Grafana).
pub fn format_value(value: f64, unit: Option<&str>, decimals: Option<usize>) -> FormattedValue {
    format_full(
        Some(value),
        unit.unwrap_or(""),
        decimals.map(|d| d as f64),
        &FormatContext::browser_now(),
    )
}

/// The formatter of `kind` on `v`.
fn format_kind(
    kind: &Kind<'_>,
    v: Option<f64>,
    dec: Option<f64>,
    ctx: &FormatContext<'_>,
) -> Result<Out, RangeError> {
    Ok(match kind {
        Kind::Fixed {
            prefix,
            suffix,
            scale,
        } => {
            let Some(v) = v else {
                return Ok(Out::text(""));
            };
            Out {
                prefix: prefix.map(str::to_string),
                text: grafana_to_fixed(v * scale.unwrap_or(1.0), dec)?,
                suffix: suffix.as_ref().map(|s| s.to_string()),
            }
        }
        Kind::Scaled {
            factor,
            suffixes,
            offset,
        } => scaled(v, dec, *factor, suffixes.len(), *offset, |i| {
            suffixes[i].to_string()
        })?,
        Kind::Si { unit, offset } => {
            scaled(v, dec, 1000.0, SI_PREFIXES.len(), SI_BASE + offset, |i| {
                format!(" {}{unit}", SI_PREFIXES[i])
            })?
        }
        Kind::Binary { unit, offset } => {
            scaled(v, dec, 1024.0, BINARY_PREFIXES.len(), *offset, |i| {
                format!(" {}{unit}", BINARY_PREFIXES[i])
            })?
        }
        Kind::Currency {
            symbol,
            suffix_position,
        } => {
            let Some(v) = v else {
                return Ok(Out::text(""));
            };
            let negative = v < 0.0;
            let mut r = short_count(Some(v.abs()), dec)?;
            if *suffix_position {
                r.suffix = r.suffix.map(|s| s + symbol);
                if negative {
                    r.prefix = Some("-".into());
                }
            } else {
                r.prefix = Some(format!("{}{symbol}", if negative { "-" } else { "" }));
            }
            r
        }
        Kind::Financial {
            symbol,
            suffix_position,
        } => {
            let Some(v) = v else {
                return Ok(Out::text(""));
            };
            let (min, max) = match dec {
                None => (0, 1),
                Some(d) => {
                    let d = fraction_digits(d, "minimumFractionDigits value is out of range.")?;
                    (d, d)
                }
            };
            let text = jsnum::intl_format(v, min, max);
            let (prefix, suffix) = if *suffix_position {
                ("", *symbol)
            } else {
                (*symbol, "")
            };
            Out {
                prefix: Some(prefix.into()),
                text,
                suffix: Some(suffix.into()),
            }
        }
        Kind::Count { symbol } => {
            if v.is_none() {
                return Ok(Out::text(""));
            }
            let mut r = short_count(v, dec)?;
            // JavaScript concatenates an undefined suffix as `undefined`.
            let base = r.suffix.take().unwrap_or_else(|| "undefined".into());
            r.suffix = Some(format!("{base} {symbol}"));
            r
        }
        Kind::Time {
            ladder,
            divide,
            zero_suffix,
        } => {
            let v = match divide {
                // timeticks: JavaScript's `null / 100` is 0.
                Some(d) => Some(v.unwrap_or(0.0) / d),
                None => v,
            };
            let Some(v) = v else {
                return Ok(Out::text(""));
            };
            if let (Some(zero), true) = (zero_suffix, v == 0.0) {
                return Ok(Out::with_suffix("0".into(), *zero));
            }
            let a = v.abs();
            // NaN and ∞ are below no bound: the last rung.
            let rung = ladder
                .iter()
                .find(|r| a < r.below)
                .or(ladder.last())
                .expect("a ladder has rungs");
            let scaled = if rung.multiply {
                v * rung.factor
            } else {
                v / rung.factor
            };
            let mut label = rung.label.to_string();
            if rung.plural && scaled.abs() > 1.0 {
                label.push('s');
            }
            Out::with_suffix(grafana_to_fixed(scaled, dec)?, label)
        }
        Kind::Duration { unit, unit_ms } => duration(v, dec, unit, *unit_ms),
        Kind::Hms { days: false } => hms(v),
        Kind::Hms { days: true } => days_hms(v),
        Kind::Clock { multiply } => {
            // clocks: JavaScript's `null * 1000` is 0.
            let v = if *multiply != 1.0 {
                Some(v.unwrap_or(0.0) * multiply)
            } else {
                v
            };
            let Some(v) = v else {
                return Ok(Out::text(""));
            };
            Out::text(clock(v, dec))
        }
        Kind::DateTime {
            format,
            today_format,
        } => {
            let zone = Zone::new(ctx.time_zone);
            let m = Moment::new(v, zone);
            let mut fmt = format.unwrap_or(match &m {
                Some(m) if m.is_utc() => "YYYY-MM-DDTHH:mm:ss[Z]",
                _ => "YYYY-MM-DDTHH:mm:ssZ",
            });
            if let Some(today) = today_format {
                if m.is_some() && moment::is_same_local_day(v, Some(ctx.now_ms as f64)) {
                    fmt = today;
                }
            }
            Out::text(moment::format(m.as_ref(), fmt))
        }
        Kind::FromNow => {
            if Moment::new(v, Zone::new(ctx.time_zone)).is_none() {
                return Ok(Out::text(moment::INVALID));
            }
            Out::text(moment::from_now(v, ctx.now_ms as f64))
        }
        Kind::Hex { prefix_0x } => {
            let Some(v) = v else {
                return Ok(Out::text(""));
            };
            let fixed = jsnum::parse_float(&grafana_to_fixed(v, dec)?);
            let hex = jsnum::to_radix_string(fixed, 16).to_ascii_uppercase();
            if !prefix_0x {
                Out::text(hex)
            } else if let Some(rest) = hex.strip_prefix('-') {
                Out::text(format!("-0x{rest}"))
            } else {
                Out::text(format!("0x{hex}"))
            }
        }
        Kind::Sci => match v {
            None => Out::text(""),
            Some(v) => Out::text(jsnum::to_exponential(v, dec)?),
        },
        Kind::Locale => match v {
            None => Out::text(""),
            Some(v) => {
                let max = match dec {
                    None => 3,
                    Some(d) => fraction_digits(d, "maximumFractionDigits value is out of range.")?,
                };
                Out::text(jsnum::intl_format(v, 0, max))
            }
        },
        Kind::String => Out::text(v.map_or_else(|| "null".into(), js_number)),
        Kind::Bool { yes, no } => {
            let truthy = v.is_some_and(|v| v != 0.0 && !v.is_nan());
            Out::text(if truthy { *yes } else { *no })
        }
    })
}

/// A digit count for `Intl.NumberFormat` (0..=20), or the `RangeError` it throws.
fn fraction_digits(d: f64, message: &'static str) -> Result<u32, RangeError> {
    let i = jsnum::to_integer(d);
    if d.is_nan() || !(0.0..=20.0).contains(&i) {
        return Err(RangeError(message));
    }
    Ok(i as u32)
}

/// Grafana's `scaledUnits`: `v` divided by `factor` to the power that brings it to 1..factor,
/// with the suffix of that power; `offset` is the index of the value's own unit among the
/// `n` suffixes, and values beyond either end stay in the first or last unit.
fn scaled(
    v: Option<f64>,
    dec: Option<f64>,
    factor: f64,
    n: usize,
    offset: i32,
    suffix: impl Fn(usize) -> String,
) -> Result<Out, RangeError> {
    let Some(v) = v else {
        return Ok(Out::text(""));
    };
    if !v.is_finite() {
        return Ok(Out::text(jsnum::intl_format(v, 0, 3)));
    }
    let power = if v == 0.0 {
        0
    } else {
        (jsnum::log10(v.abs()) / jsnum::log10(factor)).floor() as i64
    };
    let (n, offset) = (n as i64, i64::from(offset));
    let index = (offset + power).max(0).min(n - 1);
    let exponent = power.max(-offset).min(n - offset - 1);
    let text = grafana_to_fixed(v / jsnum::pow(factor, exponent as f64), dec)?;
    Ok(Out::with_suffix(text, suffix(index as usize)))
}

/// The K, M, B, T scaling of currencies and counts.
fn short_count(v: Option<f64>, dec: Option<f64>) -> Result<Out, RangeError> {
    scaled(v, dec, 1000.0, SHORT_COUNT.len(), 0, |i| {
        SHORT_COUNT[i].to_string()
    })
}

/// A duration in words: from the largest unit the value reaches, `decimals + 1` units
/// (`1 day, 1 hour`); `N ago` for negatives; `0 unit`s for 0.
fn duration(v: Option<f64>, dec: Option<f64>, unit: &str, unit_ms: f64) -> Out {
    let Some(v) = v else {
        return Out::text("");
    };
    if v == 0.0 {
        return Out::with_suffix("0".into(), format!(" {unit}s"));
    }
    if v < 0.0 {
        return duration(Some(-v), dec, unit, unit_ms).ago();
    }
    let mut size = v * unit_ms;
    let mut parts = Vec::new();
    let mut started = false;
    let mut count = dec.unwrap_or(0.0);
    for (name, interval) in DURATION_UNITS {
        if count.is_nan() || count < 0.0 {
            break;
        }
        let value = size / interval;
        if value >= 1.0 || started {
            started = true;
            let whole = value.floor();
            let plural = if whole != 1.0 { "s" } else { "" };
            parts.push(format!("{} {name}{plural}", js_number(whole)));
            size %= interval;
            count -= 1.0;
        }
    }
    Out::text(parts.join(", "))
}

/// Two digits at least: `07`, `42`, `342`.
fn pad2(n: f64) -> String {
    if n > 9.0 {
        js_number(n)
    } else {
        format!("0{}", js_number(n))
    }
}

/// `hh:mm:ss` of seconds (`dthms`); null is 0, negatives are `… ago`.
fn hms(size: Option<f64>) -> Out {
    if let Some(s) = size.filter(|s| *s < 0.0) {
        return hms(Some(-s)).ago();
    }
    let s = size.unwrap_or(0.0);
    let h = (s / 3600.0).floor();
    let m = (s % 3600.0 / 60.0).floor();
    let sec = (s % 3600.0 % 60.0).floor();
    Out::text(format!("{}:{}:{}", pad2(h), pad2(m), pad2(sec)))
}

/// `N d hh:mm:ss` of seconds (`dtdhms`), days only when there are some.
fn days_hms(v: Option<f64>) -> Out {
    if let Some(s) = v.filter(|s| *s < 0.0) {
        return days_hms(Some(-s)).ago();
    }
    let s = v.unwrap_or(0.0);
    let days = (s / 86400.0).floor();
    let day = if days > 0.0 {
        format!("{} d ", js_number(days))
    } else {
        String::new()
    };
    let rest = s - days * 24.0 * 3600.0;
    Out::text(day + &hms(Some(rest)).text)
}

/// A stopwatch of `v` ms: the UTC clock fields of the instant `v` down to ms, fewer with
/// fewer decimals; whole hours unpadded.
fn clock(v: f64, dec: Option<f64>) -> String {
    let utc = |fmt: &str| moment::format(Moment::new(Some(v), Zone::new("utc")).as_ref(), fmt);
    let dec = dec.filter(|d| !d.is_nan());
    if v < 1000.0 {
        return utc("SSS\\m\\s");
    }
    if v < 60_000.0 {
        return utc(if dec == Some(0.0) {
            "ss\\s"
        } else {
            "ss\\s:SSS\\m\\s"
        });
    }
    if v < 3_600_000.0 {
        return utc(match dec {
            Some(0.0) => "mm\\m",
            Some(1.0) => "mm\\m:ss\\s",
            _ => "mm\\m:ss\\s:SSS\\m\\s",
        });
    }
    let hours = format!("{}h", js_number((v / 3_600_000.0).floor()));
    let rest = match dec {
        Some(0.0) => return hours,
        Some(1.0) => "mm\\m",
        Some(2.0) => "mm\\m:ss\\s",
        _ => "mm\\m:ss\\s:SSS\\m\\s",
    };
    format!("{hours}:{}", utc(rest))
}

/// Grafana's `getDecimalsForValue`: 0 for whole numbers, else enough decimals for three
/// significant digits (`1 - floor(log10|v|)`, plus one since the normalised value is always
/// above 2.25); NaN for NaN.
fn decimals_for_value(v: f64) -> f64 {
    let a = v.abs();
    if a.is_nan() {
        return f64::NAN;
    }
    if v % 1.0 == 0.0 {
        return 0.0;
    }
    let mut dec = -(jsnum::log(a) / jsnum::LN10).floor() + 1.0;
    if a / jsnum::pow(10.0, -dec) > 2.25 {
        dec += 1.0;
    }
    dec.max(0.0)
}

/// Grafana's number rule (`toFixed`): `v` with `dec` decimals (automatic when `None`):
/// `Math.round` of `v × 10^dec`, divided back, written as JavaScript does and padded with
/// zeros; `∞` / `-∞`; exponent forms (below 1e-6 or from 1e21) as they are.
fn grafana_to_fixed(v: f64, dec: Option<f64>) -> Result<String, RangeError> {
    if v.is_infinite() {
        return Ok(if v > 0.0 { "∞" } else { "-∞" }.into());
    }
    let d = dec.unwrap_or_else(|| decimals_for_value(v));
    if v == 0.0 {
        return jsnum::to_fixed(0.0, d);
    }
    let factor = if d != 0.0 && !d.is_nan() {
        jsnum::pow(10.0, d.max(0.0))
    } else {
        1.0
    };
    let formatted = js_number(jsnum::round(v * factor) / factor);
    if formatted.contains('e') {
        return Ok(formatted);
    }
    let precision = formatted.find('.').map_or(0, |p| formatted.len() - p - 1);
    if !d.is_nan() && (precision as f64) < d {
        let pad = jsnum::substr(&js_number(factor), 1.0, d - precision as f64);
        let dot = if precision == 0 { "." } else { "" };
        return Ok(format!("{formatted}{dot}{pad}"));
    }
    Ok(formatted)
}

/// Grafana's `toFixed`: `value` with `decimals` places (automatic when `None`: three
/// significant digits, none for whole numbers); `∞` for infinities.
pub fn to_fixed(value: f64, decimals: Option<usize>) -> String {
    grafana_to_fixed(value, decimals.map(|d| d as f64)).unwrap_or_else(|_| js_number(value))
}

/// Grafana's automatic decimals for `value` ([`to_fixed`] with `None`): enough for three
/// significant digits, none for whole numbers (and for NaN and infinities).
pub fn auto_decimals(value: f64) -> usize {
    if !value.is_finite() || value == 0.0 {
        return 0;
    }
    decimals_for_value(value) as usize
}

/// Whether a unit scales by 1024 (`bytes`, `kbytes`, `binBps`, …), so that its axis ticks read
/// better at powers of two.
pub fn is_binary_unit(unit: Option<&str>) -> bool {
    unit.and_then(lookup)
        .is_some_and(|k| matches!(k, Kind::Binary { .. }))
}

/// About `count` "nice" tick values covering `[min, max]`: multiples of 1, 2 or 5 × 10^k (or,
/// for `binary`, of 1024^k × a power of two once values reach 1024).
pub fn nice_ticks(min: f64, max: f64, count: usize, binary: bool) -> Vec<f64> {
    if !min.is_finite() || !max.is_finite() || count == 0 {
        return Vec::new();
    }
    let (min, max) = if max > min {
        (min, max)
    } else {
        (min - 1.0, min + 1.0)
    };
    let step = nice_step((max - min) / count.max(1) as f64, binary);
    let first = (min / step).ceil();
    let last = (max / step).floor();
    let n = (last - first) as i64;
    (0..=n.clamp(0, 1000))
        .map(|i| (first + i as f64) * step)
        .map(|v| if v == 0.0 { 0.0 } else { v })
        .collect()
}

/// The round step nearest above `raw`.
pub fn nice_step(raw: f64, binary: bool) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    if binary && raw >= 1024.0 {
        let base = 1024f64.powf(raw.log(1024.0).floor());
        let mut m = 1.0;
        while base * m < raw {
            m *= 2.0;
        }
        return base * m;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: f64, unit: &str) -> String {
        format_value(v, Some(unit), None).to_string()
    }

    fn full(v: Option<f64>, unit: &str, dec: Option<f64>) -> String {
        let ctx = FormatContext {
            time_zone: "utc",
            now_ms: 1_700_000_000_000,
        };
        format_full(v, unit, dec, &ctx).to_string()
    }

    #[test]
    fn the_table_is_grafanas_picker() {
        let cats = unit_categories();
        assert_eq!(cats.len(), 25);
        assert_eq!(cats.iter().map(|c| c.units.len()).sum::<usize>(), 273);
        assert_eq!(cats[0].name, "Misc");
        assert_eq!(
            find_unit("bytes"),
            Some(UnitInfo {
                id: "bytes",
                name: "bytes(IEC)",
                category: "Data"
            })
        );
        assert_eq!(find_unit("µs").map(|u| u.category), Some("Time"));
        assert!(find_unit("suffix:x").is_none());
        let picker: Vec<&str> = cats.iter().flat_map(|c| c.units.iter().map(|u| u.id)).collect();
        let specs: Vec<&str> = SPECS.lines().map(|l| l.split('\t').next().unwrap()).collect();
        assert_eq!(picker, specs, "the picker and the specs list the same units in order");
        for line in SPECS.lines() {
            let (id, spec) = line.split_once('\t').expect("an id, a tab and a spec");
            assert_eq!(lookup(id), Some(read_spec(spec)), "the index finds {id}");
            // Only `none` is a plain number: any other spec read as one is a typo.
            if id != "none" {
                assert_ne!(read_spec(spec), plain(None, None), "{id}: `{spec}` is read");
            }
        }
    }

    #[test]
    fn auto_decimals_like_grafana() {
        assert_eq!(to_fixed(4.56789, None), "4.57");
        assert_eq!(to_fixed(12.345, None), "12.3");
        assert_eq!(to_fixed(123.456, None), "123");
        assert_eq!(to_fixed(0.5, None), "0.500");
        assert_eq!(to_fixed(42.0, None), "42");
        assert_eq!(to_fixed(2.25, Some(1)), "2.3");
        assert_eq!(to_fixed(-2.25, Some(1)), "-2.2");
        assert_eq!(to_fixed(1.005, Some(2)), "1.00");
        assert_eq!(to_fixed(2.675, Some(2)), "2.68");
        // Float noise counts: Grafana writes a decimal for it.
        assert_eq!(to_fixed(0.6000000000000001 * 100.0, None), "60.0");
        assert_eq!(to_fixed(0.1 + 0.2, None), "0.300");
        assert_eq!(to_fixed(-0.0001, Some(2)), "0.00");
        assert_eq!(to_fixed(1e-12, None), "1e-12");
        assert_eq!(to_fixed(f64::NAN, None), "NaN");
        assert_eq!(to_fixed(f64::NAN, Some(2)), "NaN.00");
        assert_eq!(to_fixed(f64::INFINITY, None), "∞");
        assert_eq!(auto_decimals(0.000123456), 6);
    }

    #[test]
    fn short_and_none() {
        assert_eq!(f(999.0, "short"), "999");
        assert_eq!(f(1_500.0, "short"), "1.50 K");
        assert_eq!(f(2_500_000.0, "short"), "2.50 Mil");
        assert_eq!(f(3e9, "short"), "3 Bil");
        assert_eq!(f(4.2e12, "short"), "4.20 Tri");
        assert_eq!(f(1e27, "short"), "1000 Sept");
        assert_eq!(f(0.25, "short"), "0.250");
        assert_eq!(f(-1_500.0, "short"), "-1.50 K");
        assert_eq!(f(1_500.0, "none"), "1500");
        assert_eq!(format_value(1_500.0, None, None).to_string(), "1500");
        assert_eq!(f(1_500.0, ""), "1500");
    }

    #[test]
    fn percents() {
        assert_eq!(f(42.0, "percent"), "42%");
        assert_eq!(f(42.567, "percent"), "42.6%");
        assert_eq!(f(0.425, "percentunit"), "42.5%");
        assert_eq!(
            format_value(0.5, Some("percentunit"), Some(0)).to_string(),
            "50%"
        );
    }

    #[test]
    fn bytes_and_rates() {
        assert_eq!(f(512.0, "bytes"), "512 B");
        assert_eq!(f(1536.0, "bytes"), "1.50 KiB");
        assert_eq!(f(8.0 * 1024.0 * 1024.0 * 1024.0, "bytes"), "8 GiB");
        assert_eq!(f(0.5, "kbytes"), "512 B");
        assert_eq!(f(1500.0, "decbytes"), "1.50 kB");
        assert_eq!(f(2_000_000.0, "Bps"), "2 MB/s");
        assert_eq!(f(2048.0, "binBps"), "2 KiB/s");
        assert_eq!(f(1e9, "bps"), "1 Gb/s");
        assert_eq!(f(1024.0, "bits"), "1 Kib");
        assert_eq!(f(0.5, "pps"), "500 mp/s");
        assert_eq!(
            format_value(1536.0, Some("bytes"), Some(1)).to_string(),
            "1.5 KiB"
        );
        assert!(is_binary_unit(Some("kbytes")));
        assert!(!is_binary_unit(Some("decbytes")));
    }

    #[test]
    fn time_units() {
        assert_eq!(f(30.0, "s"), "30 s");
        assert_eq!(f(0.25, "s"), "250 ms");
        assert_eq!(f(90.0, "s"), "1.50 mins");
        assert_eq!(f(60.0, "s"), "1 min");
        assert_eq!(f(7200.0, "s"), "2 hours");
        assert_eq!(f(31_536_000.0, "s"), "0.999 year");
        assert_eq!(f(1500.0, "ms"), "1.50 s");
        assert_eq!(f(20.0, "ms"), "20 ms");
        assert_eq!(f(1.5, "d"), "1.50 days");
        assert_eq!(f(1.5, "h"), "1.50 hour");
        assert_eq!(full(Some(0.0), "s", Some(2.0)), "0 s");
        assert_eq!(full(None, "timeticks", None), "0 s");
        assert_eq!(
            full(Some(90_061_001.0), "dtdurationms", Some(2.0)),
            "1 day, 1 hour, 1 minute"
        );
        assert_eq!(full(Some(-60.0), "dtdurations", None), "1 minute ago");
        assert_eq!(full(Some(1536.0), "dthms", None), "00:25:36");
        assert_eq!(full(Some(1_234_567.0), "dtdhms", None), "14 d 06:56:07");
        assert_eq!(full(Some(90_000.0), "clockms", None), "01m:30s:000ms");
        assert_eq!(full(Some(-1536.0), "clockms", None), "464ms");
    }

    #[test]
    fn dates() {
        let now = Some(1_700_000_000_000.0);
        assert_eq!(full(now, "dateTimeAsIso", None), "2023-11-14 22:13:20");
        assert_eq!(full(now, "dateTimeAsIsoNoDateIfToday", None), "22:13:20");
        assert_eq!(full(now, "dateTimeAsUS", None), "11/14/2023 10:13:20 pm");
        assert_eq!(
            full(now, "dateTimeAsLocal", None),
            "11/14/2023, 10:13:20\u{202f}PM"
        );
        assert_eq!(full(now, "time:YYYY-MM-DD", None), "2023-11-14");
        assert_eq!(full(now, "time:", None), "2023-11-14T22:13:20Z");
        assert_eq!(
            full(Some(1_699_990_000_000.0), "dateTimeFromNow", None),
            "3 hours ago"
        );
        assert_eq!(full(None, "dateTimeAsIso", None), "Invalid date");
    }

    #[test]
    fn count_currency_and_custom_units() {
        assert_eq!(f(1500.0, "reqps"), "1.50K req/s");
        assert_eq!(f(20.0, "ops"), "20 ops/s");
        assert_eq!(f(3.0, "iops"), "3 io/s");
        assert_eq!(f(12.0, "cps"), "12 c/s");
        assert_eq!(f(f64::NAN, "cps"), "NaNundefined c/s");
        assert_eq!(f(2000.0, "pps"), "2 kp/s");
        assert_eq!(f(-1536.0, "currencyUSD"), "-$1.54K");
        assert_eq!(f(1536.0, "currencySEK"), "1.54Kkr");
        assert_eq!(f(1234567.891, "currency:financial:$"), "$1,234,567.9");
        assert_eq!(f(1500.0, "widgets"), "1500 widgets");
        assert_eq!(f(5.0, "suffix: apples"), "5  apples");
        assert_eq!(f(5.0, "suffix:apples"), "5 apples");
        assert_eq!(f(5.0, "prefix:$"), "$5");
        assert_eq!(f(1e-7, "si:B"), "100.0 nB");
        assert_eq!(f(1536.0, "si:kB"), "1.54 MB");
        assert_eq!(f(1.0, "bool:Yes/No"), "Yes");
        assert_eq!(f(0.0, "bool:Yes"), "-");
        assert_eq!(f(f64::INFINITY, "short"), "∞");
    }

    #[test]
    fn misc_kinds() {
        assert_eq!(f(255.0, "hex"), "FF");
        assert_eq!(f(-255.0, "hex0x"), "-0xFF");
        assert_eq!(f(0.1, "hex"), "0.1999999999999A");
        assert_eq!(f(1536.0, "sci"), "1.536e+3");
        assert_eq!(f(1234567.891, "locale"), "1,234,567.891");
        assert_eq!(f(2.5, "string"), "2.5");
        let ctx = FormatContext {
            time_zone: "utc",
            now_ms: 0,
        };
        assert!(try_format_full(Some(1.0), "locale", Some(21.0), &ctx).is_err());
        assert!(try_format_full(Some(0.0), "none", Some(-1.0), &ctx).is_err());
        assert_eq!(
            format_full(Some(1.0), "locale", Some(21.0), &ctx).to_string(),
            "1"
        );
    }

    #[test]
    fn ticks_are_nice() {
        assert_eq!(
            nice_ticks(0.0, 100.0, 5, false),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(
            nice_ticks(0.13, 0.87, 4, false),
            vec![0.2, 0.4, 0.6000000000000001, 0.8]
        );
        assert_eq!(
            nice_ticks(-3.0, 7.0, 5, false),
            vec![-2.0, 0.0, 2.0, 4.0, 6.0]
        );
        assert_eq!(nice_step(3000.0, true), 4096.0);
        assert_eq!(
            nice_step(5.0 * 1024.0 * 1024.0, true),
            8.0 * 1024.0 * 1024.0
        );
        assert_eq!(
            nice_ticks(0.0, 4.0 * 1024.0 * 1024.0 * 1024.0, 4, true).len(),
            5
        );
        assert_eq!(
            nice_ticks(5.0, 5.0, 4, false),
            vec![4.0, 4.5, 5.0, 5.5, 6.0],
            "a flat series gets a range around it"
        );
        assert!(nice_ticks(f64::NAN, 1.0, 4, false).is_empty());
    }
}
