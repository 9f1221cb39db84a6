//! Value formatting by Grafana unit id (`fieldConfig.defaults.unit`): `short`, `percent`,
//! `bytes`, `Bps`, `s`, ... with Grafana's automatic decimals, plus "nice" axis ticks.
//!
//! The rules follow Grafana's `valueFormats` (`toFixed`, `scaledUnits`, `binaryPrefix`,
//! `decimalSIPrefix`, `simpleCountUnit`, `toSeconds`): a formatted value is a number text and a
//! suffix that carries its own leading space where Grafana puts one (`1.50 KiB`, `42%`).

use std::fmt;

/// A formatted value: prefix, number text and suffix, shown concatenated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FormattedValue {
    pub prefix: String,
    pub text: String,
    pub suffix: String,
}

impl fmt::Display for FormattedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.prefix, self.text, self.suffix)
    }
}

fn plain(text: String, suffix: &str) -> FormattedValue {
    FormattedValue {
        prefix: String::new(),
        text,
        suffix: suffix.to_string(),
    }
}

/// A number as JavaScript's `String(n)` writes it: the shortest digits that read back as the
/// same number, in plain notation from 1e-7 up to 1e21, in exponent notation (`1e+21`,
/// `1.5e-7`) beyond; `NaN`, `Infinity`, `-Infinity`.
pub fn js_number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if v == 0.0 {
        return "0".into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `d.ddde±x`.
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("an integer exponent");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i32;
    let n = exp + 1;
    let sign = if v < 0.0 { "-" } else { "" };
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = if n - 1 >= 0 { format!("+{}", n - 1) } else { format!("{}", n - 1) };
        if k == 1 {
            format!("{digits}e{e}")
        } else {
            format!("{}.{}e{e}", &digits[..1], &digits[1..])
        }
    };
    format!("{sign}{body}")
}

/// Grafana's `getDecimalsForValue`: decimals enough to show about two significant digits
/// for the value's magnitude; none for whole numbers.
pub fn auto_decimals(value: f64) -> usize {
    if value.fract() == 0.0 || !value.is_finite() {
        return 0;
    }
    let log10 = value.abs().log10().floor() as i32;
    // Grafana's `dec = -log10 + 1`, then `+1` since the normalised value is always above 2.25.
    (-log10 + 2).max(0) as usize
}

/// `value` rounded to 15 significant digits, which drops binary floating point noise.
fn clean(value: f64) -> f64 {
    format!("{value:.14e}").parse().unwrap_or(value)
}

/// Grafana's `toFixed`: `value` with `decimals` places (auto when `None`), no `-0`.
pub fn to_fixed(value: f64, decimals: Option<usize>) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let decimals = match decimals {
        Some(d) => d.min(20),
        // Float noise (`0.6 * 100 = 60.00000000000001`) must not ask for decimals.
        None => auto_decimals(clean(value)),
    };
    let s = format!("{value:.decimals$}");
    // `-0.00` reads as a bug to users.
    if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        return s[1..].to_string();
    }
    s
}

/// Scales by powers of `factor` and picks the suffix of that power (Grafana's `scaledUnits`),
/// never going below the first suffix.
fn scaled(value: f64, decimals: Option<usize>, factor: f64, suffixes: &[&str]) -> FormattedValue {
    if !value.is_finite() {
        return plain(to_fixed(value, None), suffixes[0]);
    }
    let index = if value == 0.0 {
        0
    } else {
        value.abs().log(factor).floor() as i64
    };
    let index = index.clamp(0, suffixes.len() as i64 - 1) as usize;
    plain(
        to_fixed(value / factor.powi(index as i32), decimals),
        suffixes[index],
    )
}

const SHORT: &[&str] = &[
    "", " K", " Mil", " Bil", " Tri", " Quadr", " Quint", " Sext", " Sept",
];
const COUNT: &[&str] = &["", "K", "M", "B", "T"];

fn binary(unit: &str) -> Vec<String> {
    ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
        .iter()
        .map(|p| format!(" {p}{unit}"))
        .collect()
}

fn decimal_si(unit: &str) -> Vec<String> {
    ["", "k", "M", "G", "T", "P", "E"]
        .iter()
        .map(|p| format!(" {p}{unit}"))
        .collect()
}

fn scaled_owned(
    value: f64,
    decimals: Option<usize>,
    factor: f64,
    suffixes: &[String],
) -> FormattedValue {
    let refs: Vec<&str> = suffixes.iter().map(String::as_str).collect();
    scaled(value, decimals, factor, &refs)
}

/// Grafana's `simpleCountUnit`: `1.5K req/s`.
fn count_unit(value: f64, decimals: Option<usize>, symbol: &str) -> FormattedValue {
    let mut v = scaled(value, decimals, 1000.0, COUNT);
    v.suffix = format!("{} {symbol}", v.suffix);
    v
}

/// Grafana's `toSeconds`: below a second in ms, then s, min, hour, day, week, year.
fn seconds(value: f64, decimals: Option<usize>) -> FormattedValue {
    let a = value.abs();
    if a < 1.0 && a > 0.0 {
        return milliseconds(value * 1000.0, decimals);
    }
    let (div, suffix) = match a {
        a if a < 60.0 => (1.0, " s"),
        a if a < 3_600.0 => (60.0, " min"),
        a if a < 86_400.0 => (3_600.0, " hour"),
        a if a < 604_800.0 => (86_400.0, " day"),
        a if a < 31_536_000.0 => (604_800.0, " week"),
        _ => (3.15569e7, " year"),
    };
    plain(to_fixed(value / div, decimals), suffix)
}

/// Grafana's `toMilliSeconds`.
fn milliseconds(value: f64, decimals: Option<usize>) -> FormattedValue {
    let (div, suffix) = match value.abs() {
        a if a < 1_000.0 => (1.0, " ms"),
        a if a < 60_000.0 => (1_000.0, " s"),
        a if a < 3_600_000.0 => (60_000.0, " min"),
        a if a < 86_400_000.0 => (3_600_000.0, " hour"),
        a if a < 31_536_000_000.0 => (86_400_000.0, " day"),
        _ => (31_536_000_000.0, " year"),
    };
    plain(to_fixed(value / div, decimals), suffix)
}

/// Formats `value` in Grafana unit `unit` (`None`/empty means `short`) with `decimals` places,
/// or automatic decimals. Unknown units format as `short` followed by the unit's name.
pub fn format_value(value: f64, unit: Option<&str>, decimals: Option<usize>) -> FormattedValue {
    let unit = unit
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or("short");
    match unit {
        "none" => plain(to_fixed(value, decimals), ""),
        "short" => scaled(value, decimals, 1000.0, SHORT),
        "percent" => plain(to_fixed(value, decimals), "%"),
        "percentunit" => plain(to_fixed(value * 100.0, decimals), "%"),
        "bytes" => scaled_owned(value, decimals, 1024.0, &binary("B")),
        "decbytes" => scaled_owned(value, decimals, 1000.0, &decimal_si("B")),
        "bits" => scaled_owned(value, decimals, 1024.0, &binary("b")),
        "decbits" => scaled_owned(value, decimals, 1000.0, &decimal_si("b")),
        "Bps" => scaled_owned(value, decimals, 1000.0, &decimal_si("B/s")),
        "binBps" => scaled_owned(value, decimals, 1024.0, &binary("B/s")),
        "bps" => scaled_owned(value, decimals, 1000.0, &decimal_si("bps")),
        "binbps" => scaled_owned(value, decimals, 1024.0, &binary("bps")),
        "pps" => scaled_owned(value, decimals, 1000.0, &decimal_si("p/s")),
        "s" => seconds(value, decimals),
        "ms" => milliseconds(value, decimals),
        "reqps" => count_unit(value, decimals, "req/s"),
        "ops" => count_unit(value, decimals, "ops/s"),
        "iops" => count_unit(value, decimals, "io/s"),
        "cps" => count_unit(value, decimals, "c/s"),
        "rps" => count_unit(value, decimals, "rd/s"),
        "wps" => count_unit(value, decimals, "wr/s"),
        "hertz" => scaled_owned(value, decimals, 1000.0, &decimal_si("Hz")),
        other => {
            if let Some(s) = other.strip_prefix("suffix:") {
                return plain(to_fixed(value, decimals), s);
            }
            if let Some(p) = other.strip_prefix("prefix:") {
                return FormattedValue {
                    prefix: p.to_string(),
                    text: to_fixed(value, decimals),
                    suffix: String::new(),
                };
            }
            let mut v = scaled(value, decimals, 1000.0, SHORT);
            v.suffix = format!("{} {other}", v.suffix);
            v
        }
    }
}

/// Whether a unit scales by 1024, so that its axis ticks read better at powers of two.
pub fn is_binary_unit(unit: Option<&str>) -> bool {
    matches!(unit, Some("bytes" | "bits" | "binBps" | "binbps"))
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

    #[test]
    fn auto_decimals_like_grafana() {
        assert_eq!(to_fixed(4.56789, None), "4.57");
        assert_eq!(to_fixed(12.345, None), "12.3");
        assert_eq!(to_fixed(123.456, None), "123");
        assert_eq!(to_fixed(0.5, None), "0.500");
        assert_eq!(to_fixed(42.0, None), "42");
        assert_eq!(
            to_fixed(0.6000000000000001 * 100.0, None),
            "60",
            "float noise is not a decimal"
        );
        assert_eq!(to_fixed(0.1 + 0.2, None), "0.300");
        assert_eq!(to_fixed(-0.0001, Some(2)), "0.00");
        assert_eq!(to_fixed(f64::NAN, None), "NaN");
        assert_eq!(to_fixed(f64::INFINITY, None), "+Inf");
    }

    #[test]
    fn numbers_as_javascript_writes_them() {
        for (v, js) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-2.5, "-2.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(js_number(v), js, "{v}");
        }
    }

    #[test]
    fn short_and_none() {
        assert_eq!(f(999.0, "short"), "999");
        assert_eq!(f(1_500.0, "short"), "1.50 K");
        assert_eq!(f(2_500_000.0, "short"), "2.50 Mil");
        assert_eq!(f(3e9, "short"), "3 Bil");
        assert_eq!(f(4.2e12, "short"), "4.20 Tri");
        assert_eq!(f(0.25, "short"), "0.250");
        assert_eq!(f(-1_500.0, "short"), "-1.50 K");
        assert_eq!(f(1_500.0, "none"), "1500");
        assert_eq!(format_value(1_500.0, None, None).to_string(), "1.50 K");
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
        assert_eq!(f(1500.0, "decbytes"), "1.50 kB");
        assert_eq!(f(2_000_000.0, "Bps"), "2 MB/s");
        assert_eq!(f(2048.0, "binBps"), "2 KiB/s");
        assert_eq!(f(1e9, "bps"), "1 Gbps");
        assert_eq!(f(1024.0, "bits"), "1 Kib");
        assert_eq!(
            format_value(1536.0, Some("bytes"), Some(1)).to_string(),
            "1.5 KiB"
        );
    }

    #[test]
    fn time_units() {
        assert_eq!(f(30.0, "s"), "30 s");
        assert_eq!(f(0.25, "s"), "250 ms");
        assert_eq!(f(90.0, "s"), "1.50 min");
        assert_eq!(f(7200.0, "s"), "2 hour");
        assert_eq!(f(1500.0, "ms"), "1.50 s");
        assert_eq!(f(20.0, "ms"), "20 ms");
    }

    #[test]
    fn count_units_and_unknown_units() {
        assert_eq!(f(1500.0, "reqps"), "1.50K req/s");
        assert_eq!(f(20.0, "ops"), "20 ops/s");
        assert_eq!(f(3.0, "iops"), "3 io/s");
        assert_eq!(f(12.0, "cps"), "12 c/s");
        assert_eq!(f(2000.0, "pps"), "2 kp/s");
        assert_eq!(f(1500.0, "widgets"), "1.50 K widgets");
        assert_eq!(f(5.0, "suffix: apples"), "5 apples");
        assert_eq!(f(5.0, "prefix:$"), "$5");
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
