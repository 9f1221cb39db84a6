//! JavaScript's number primitives, with the exact results a browser (V8) gives, for the
//! formatters that reproduce Grafana's: `String(n)`, `Math.round`, `Number.prototype.toFixed`,
//! `toExponential`, `toString(16)`, `parseFloat`, `Intl.NumberFormat("en-US")`, and
//! `Math.pow` / `Math.log` / `Math.log10`.
//!
//! In the browser (wasm32) the primitives that need big-number or libm code call the
//! browser's own (`js_sys`), so nothing of that is shipped in the WebAssembly. Natively they
//! are Rust ports: fdlibm's `pow`, `log` and `log10` as V8 ports them (which are not
//! correctly rounded, and Grafana's output shows it: `10 ** -4` is `9.999999999999999e-05`),
//! and decimal formatting from Rust's exact float formatting with JavaScript's rounding of
//! ties (half away from zero) instead of Rust's (half to even).

/// `Math.LN10`.
pub const LN10: f64 = std::f64::consts::LN_10;

/// The error JavaScript throws for a digit count out of range (`toFixed(-1)`,
/// `toLocaleString` with `maximumFractionDigits: 21`, ...): Grafana's formatter throws too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeError(pub &'static str);

impl std::fmt::Display for RangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RangeError: {}", self.0)
    }
}

impl std::error::Error for RangeError {}

/// A number as JavaScript's `String(n)` writes it: the shortest digits that read back as the
/// same number, in plain notation from 1e-6 up to below 1e21, in exponent notation (`1e+21`,
/// `1.5e-7`) beyond; `NaN`, `Infinity`, `-Infinity`; `-0` is `0`.
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
    platform::js_number(v)
}

/// The shortest decimal digits that read back as the positive finite `v`, without leading or
/// trailing zeros, and the position `n` of the decimal point: `v = 0.d1d2… × 10^n`, as
/// JavaScript picks them (the closest, and the even one of two equally close).
pub(crate) fn shortest_digits(v: f64) -> (String, i32) {
    platform::shortest_digits(v)
}

/// `Math.round`: the nearest integer, halves toward +∞ (`-2.5` is `-2`); `-0` for values in
/// `[-0.5, 0)`.
pub fn round(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    let f = x.floor();
    let r = if x - f >= 0.5 { f + 1.0 } else { f };
    if r == 0.0 && x < 0.0 {
        -0.0
    } else {
        r
    }
}

/// JavaScript's `ToIntegerOrInfinity`: NaN is 0, the rest truncated toward zero.
pub fn to_integer(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.trunc()
    }
}

/// `String.prototype.substr(start, length)` on an ASCII string, with JavaScript's reading of
/// fractional, negative and non-finite arguments.
pub fn substr(s: &str, start: f64, length: f64) -> String {
    let n = s.len() as f64;
    let mut start = to_integer(start);
    if start < 0.0 {
        start = (n + start).max(0.0);
    }
    let start = start.min(n);
    let length = to_integer(length).max(0.0).min(n - start);
    if length <= 0.0 {
        return String::new();
    }
    s.chars()
        .skip(start as usize)
        .take(length as usize)
        .collect()
}

/// `Number.prototype.toFixed(digits)`: `x` with `digits` decimals, rounded half away from zero
/// on its exact binary value (`1.005` is `1.00`, since it is stored below 1.005); JavaScript's
/// `String(x)` from 1e21 up; a `RangeError` for `digits` outside 0..=100.
pub fn to_fixed(x: f64, digits: f64) -> Result<String, RangeError> {
    let d = to_integer(digits);
    if !(0.0..=100.0).contains(&d) {
        return Err(RangeError(
            "toFixed() digits argument must be between 0 and 100",
        ));
    }
    if x.is_nan() {
        return Ok("NaN".into());
    }
    if !x.is_finite() || x.abs() >= 1e21 {
        return Ok(js_number(x));
    }
    Ok(platform::to_fixed(x, d as u32))
}

/// `Number.prototype.toExponential(digits)`: one digit, `digits` decimals (the shortest
/// round-trip digits when `None`) and the exponent (`1.536e+3`); `RangeError` for `digits`
/// outside 0..=100.
pub fn to_exponential(x: f64, digits: Option<f64>) -> Result<String, RangeError> {
    let d = digits.map(to_integer);
    if x.is_nan() {
        return Ok("NaN".into());
    }
    if x.is_infinite() {
        return Ok(if x > 0.0 { "Infinity" } else { "-Infinity" }.into());
    }
    if d.is_some_and(|d| !(0.0..=100.0).contains(&d)) {
        return Err(RangeError(
            "toExponential() argument must be between 0 and 100",
        ));
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    let (digits, e) = match d {
        _ if a == 0.0 => ("0".repeat(1 + d.unwrap_or(0.0) as usize), 0),
        None => {
            let (digits, n) = shortest_digits(a);
            (digits, n - 1)
        }
        Some(d) => return Ok(format!("{sign}{}", platform::to_exponential(a, d as u32))),
    };
    Ok(format!("{sign}{}", exponential_text(&digits, e)))
}

/// `d.ddd` `e±x` from the significant digits and the decimal exponent.
fn exponential_text(digits: &str, e: i32) -> String {
    let mantissa = if digits.len() > 1 {
        format!("{}.{}", &digits[..1], &digits[1..])
    } else {
        digits.to_string()
    };
    format!("{mantissa}e{}{}", if e >= 0 { "+" } else { "-" }, e.abs())
}

/// `parseFloat(s)`: the longest number at the start of `s` (after white space), `Infinity`
/// included; NaN when there is none.
pub fn parse_float(s: &str) -> f64 {
    let s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if s[i..].starts_with("Infinity") {
        return if b[0] == b'-' {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let int = digits(&mut i);
    let mut frac = 0;
    if i < b.len() && b[i] == b'.' {
        let mut j = i + 1;
        frac = digits(&mut j);
        if int > 0 || frac > 0 {
            i = j;
        }
    }
    if int == 0 && frac == 0 {
        return f64::NAN;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if digits(&mut j) > 0 {
            i = j;
        }
    }
    // Rust reads `5.` and `.5` as JavaScript does.
    s[..i].parse().unwrap_or(f64::NAN)
}

/// `Number.prototype.toString(radix)` (2..=36) as V8 writes it: the integer digits, then
/// fraction digits until the number is told apart from its neighbours (`(0.1).toString(16)`
/// is `0.1999999999999a`).
pub fn to_radix_string(value: f64, radix: u32) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if value == 0.0 {
        return "0".into();
    }
    platform::to_radix_string(value, radix)
}

/// `Intl.NumberFormat("en-US", {minimumFractionDigits, maximumFractionDigits}).format(x)`:
/// grouped thousands, the shortest round-trip digits rounded half away from zero to `max_frac`
/// decimals (`1.005` is `1.01` with 2), trailing zeros dropped down to `min_frac`; `-0`
/// for negative values that round to zero, `∞`, `NaN`. The digit counts are 0..=20.
pub fn intl_format(x: f64, min_frac: u32, max_frac: u32) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞" } else { "-∞" }.into();
    }
    platform::intl_format(x, min_frac, max_frac)
}

/// `Math.pow(b, e)` (and `b ** e`) as the browser computes it.
pub fn pow(b: f64, e: f64) -> f64 {
    platform::pow(b, e)
}

/// `Math.log(x)` as the browser computes it.
pub fn log(x: f64) -> f64 {
    platform::log(x)
}

/// `Math.log10(x)` as the browser computes it.
pub fn log10(x: f64) -> f64 {
    platform::log10(x)
}

/// The browser's own primitives.
#[cfg(target_arch = "wasm32")]
mod platform {
    use js_sys::{Array, Function, Intl, Math, Number, Object, Reflect};
    use std::cell::RefCell;
    use std::collections::HashMap;
    use wasm_bindgen::JsValue;

    thread_local! {
        /// `Intl.NumberFormat("en-US", …).format` per (min, max) fraction digits: making a
        /// formatter is slow, using one is not.
        static FORMATS: RefCell<HashMap<(u32, u32), Function>> = RefCell::new(HashMap::new());
    }

    /// `String(v)`, the browser's own.
    pub fn js_number(v: f64) -> String {
        Number::from(v)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default()
    }

    /// The shortest digits of the positive finite `v`, read from the browser's `String(v)`
    /// (`1.5e-7`, `123.45`, `0.001`).
    pub fn shortest_digits(v: f64) -> (String, i32) {
        let text = js_number(v);
        let (mantissa, exp) = match text.split_once('e') {
            Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
            None => (text.as_str(), 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all: String = int.chars().chain(frac.chars()).collect();
        let lead = all.len() - all.trim_start_matches('0').len();
        let digits = all
            .trim_start_matches('0')
            .trim_end_matches('0')
            .to_string();
        (digits, int.len() as i32 - lead as i32 + exp)
    }

    pub fn to_fixed(x: f64, d: u32) -> String {
        Number::from(x)
            .to_fixed(d as u8)
            .map(String::from)
            .unwrap_or_default()
    }

    pub fn to_exponential(x: f64, d: u32) -> String {
        Number::from(x)
            .to_exponential(d as u8)
            .map(String::from)
            .unwrap_or_default()
    }

    pub fn to_radix_string(x: f64, radix: u32) -> String {
        Number::from(x)
            .to_string_with_radix(radix as u8)
            .map(String::from)
            .unwrap_or_default()
    }

    pub fn intl_format(x: f64, min_frac: u32, max_frac: u32) -> String {
        let format = FORMATS.with(|f| {
            f.borrow_mut()
                .entry((min_frac, max_frac))
                .or_insert_with(|| {
                    let options = Object::new();
                    let set = |k: &str, v: u32| {
                        let _ = Reflect::set(&options, &JsValue::from_str(k), &JsValue::from(v));
                    };
                    set("minimumFractionDigits", min_frac);
                    set("maximumFractionDigits", max_frac);
                    let locales = Array::of1(&JsValue::from_str("en-US"));
                    Intl::NumberFormat::new(&locales, &options).format()
                })
                .clone()
        });
        format
            .call1(&JsValue::UNDEFINED, &JsValue::from_f64(x))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    pub fn pow(b: f64, e: f64) -> f64 {
        Math::pow(b, e)
    }

    pub fn log(x: f64) -> f64 {
        Math::log(x)
    }

    pub fn log10(x: f64) -> f64 {
        Math::log10(x)
    }
}

/// Rust ports of the browser's primitives (V8's), for the backend and the tests.
#[cfg(not(target_arch = "wasm32"))]
mod platform {
    /// `String(v)` for the finite, non-zero `v`: JavaScript's layout of the shortest digits.
    pub fn js_number(v: f64) -> String {
        let (digits, n) = shortest_digits(v.abs());
        let k = digits.len() as i32;
        let sign = if v < 0.0 { "-" } else { "" };
        let body = if k <= n && n <= 21 {
            format!("{digits}{}", "0".repeat((n - k) as usize))
        } else if 0 < n && n <= 21 {
            format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
        } else if -6 < n && n <= 0 {
            format!("0.{}{digits}", "0".repeat((-n) as usize))
        } else {
            let e = if n >= 1 {
                format!("+{}", n - 1)
            } else {
                format!("{}", n - 1)
            };
            if k == 1 {
                format!("{digits}e{e}")
            } else {
                format!("{}.{}e{e}", &digits[..1], &digits[1..])
            }
        };
        format!("{sign}{body}")
    }

    /// The shortest decimal digits that read back as the positive finite `v`, without leading or
    /// trailing zeros, and the position `n` of the decimal point: `v = 0.d1d2… × 10^n`. Among
    /// equally short digits the closest to `v` wins and, when `v` is midway between two, the even
    /// one, as JavaScript requires (`274962700774268.625` is `274962700774268.62`).
    pub fn shortest_digits(v: f64) -> (String, i32) {
        // Rust's `{:e}` gives the shortest round-trip digits, `d.ddde±x`, but rounds a midpoint up.
        let sci = format!("{:e}", v);
        let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
        let exp: i32 = exp.parse().expect("an integer exponent");
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let n = exp + 1;
        let k = digits.len() as i32;
        // A midpoint of k-digit decimals has k + 1 exact digits, the last a 5. The exact
        // expansion of m × 2^e (m odd) has n - e digits when e < 0.
        let (m, e) = binary_parts(v);
        let e = e + m.trailing_zeros() as i32;
        let maybe_midpoint = if e < 0 { n - e == k + 1 } else { n > k };
        if !maybe_midpoint {
            return (digits, n);
        }
        let (exact, point) = exact_digits(v);
        if exact.len() as i32 != k + 1 || exact.last() != Some(&b'5') || point != n {
            return (digits, n);
        }
        let mut even: Vec<u8> = exact[..k as usize].to_vec();
        let mut n = n;
        if even.last().is_some_and(|d| (d - b'0') % 2 == 1) {
            // The even neighbour is the one above: add one in the last place.
            let mut i = even.len();
            loop {
                if i == 0 {
                    even.insert(0, b'1');
                    n += 1;
                    break;
                }
                i -= 1;
                if even[i] == b'9' {
                    even[i] = b'0';
                } else {
                    even[i] += 1;
                    break;
                }
            }
        }
        while even.last() == Some(&b'0') {
            even.pop();
        }
        (String::from_utf8(even).expect("ASCII digits"), n)
    }

    /// `v = m × 2^e` for the positive finite `v`, `m` an integer below 2^53.
    fn binary_parts(v: f64) -> (u64, i32) {
        let bits = v.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let mantissa = bits & ((1 << 52) - 1);
        if biased == 0 {
            (mantissa, -1074)
        } else {
            (mantissa | (1 << 52), biased - 1075)
        }
    }

    /// The exact decimal digits of the positive finite `v` (a double's expansion is finite, with
    /// as many decimals as it has binary places), without leading or trailing zeros, and the
    /// position of the decimal point as in [`shortest_digits`].
    fn exact_digits(v: f64) -> (Vec<u8>, i32) {
        let (m, e) = binary_parts(v);
        let places = (-(e + m.trailing_zeros() as i32)).max(0) as usize;
        let text = format!("{v:.places$}");
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
        let lead = digits.iter().take_while(|&&d| d == b'0').count();
        digits.drain(..lead);
        let point = int.len() as i32 - lead as i32;
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        (digits, point)
    }

    /// A non-negative decimal `0.d1d2… × 10^point`; no digits is zero.
    struct Decimal {
        digits: Vec<u8>,
        point: i32,
    }

    impl Decimal {
        /// The exact decimal value of the finite, non-negative `x`.
        fn exact(x: f64) -> Decimal {
            if x == 0.0 {
                return Decimal {
                    digits: Vec::new(),
                    point: 0,
                };
            }
            let (digits, point) = exact_digits(x);
            Decimal { digits, point }
        }

        /// The shortest round-trip digits of the finite, non-negative `x`.
        fn shortest(x: f64) -> Decimal {
            if x == 0.0 {
                return Decimal {
                    digits: Vec::new(),
                    point: 0,
                };
            }
            let (digits, point) = shortest_digits(x);
            Decimal {
                digits: digits.into_bytes(),
                point,
            }
        }

        /// Rounded to `places` decimals (negative: to tens, hundreds, …), halves away from
        /// zero.
        fn round(mut self, places: i32) -> Decimal {
            let keep = self.point + places;
            if keep >= self.digits.len() as i32 {
                return self;
            }
            if keep < 0 {
                return Decimal {
                    digits: Vec::new(),
                    point: 0,
                };
            }
            let keep = keep as usize;
            let up = self.digits[keep] >= b'5';
            self.digits.truncate(keep);
            if up {
                let mut i = keep;
                loop {
                    if i == 0 {
                        self.digits.insert(0, b'1');
                        self.point += 1;
                        break;
                    }
                    i -= 1;
                    if self.digits[i] == b'9' {
                        self.digits[i] = b'0';
                    } else {
                        self.digits[i] += 1;
                        break;
                    }
                }
            }
            while self.digits.last() == Some(&b'0') {
                self.digits.pop();
            }
            if self.digits.is_empty() {
                self.point = 0;
            }
            self
        }

        /// The integer digits (at least `0`) and exactly `places` decimals.
        fn fixed_parts(&self, places: usize) -> (String, String) {
            let digit = |i: i32| -> char {
                if i >= 0 && (i as usize) < self.digits.len() {
                    self.digits[i as usize] as char
                } else {
                    '0'
                }
            };
            let int: String = if self.point > 0 {
                (0..self.point).map(digit).collect()
            } else {
                "0".into()
            };
            let frac: String = (0..places as i32).map(|i| digit(self.point + i)).collect();
            (int, frac)
        }
    }

    pub fn to_fixed(x: f64, d: u32) -> String {
        let rounded = Decimal::exact(x.abs()).round(d as i32);
        let (int, frac) = rounded.fixed_parts(d as usize);
        let sign = if x < 0.0 { "-" } else { "" };
        if d == 0 {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    }

    pub fn to_exponential(a: f64, d: u32) -> String {
        let exact = Decimal::exact(a);
        let point = exact.point;
        // d + 1 significant digits: `point - 1` is the exponent before rounding.
        let rounded = exact.round(d as i32 + 1 - point);
        let e = rounded.point - 1;
        let mut digits: String = rounded.digits.iter().map(|&b| b as char).collect();
        while digits.len() < d as usize + 1 {
            digits.push('0');
        }
        super::exponential_text(&digits, e)
    }

    pub fn intl_format(x: f64, min_frac: u32, max_frac: u32) -> String {
        let negative = x.is_sign_negative();
        let rounded = Decimal::shortest(x.abs()).round(max_frac as i32);
        let (int, frac) = rounded.fixed_parts(max_frac as usize);
        let mut frac = frac.trim_end_matches('0').to_string();
        while frac.len() < min_frac as usize {
            frac.push('0');
        }
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if negative { "-" } else { "" };
        if frac.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}.{frac}")
        }
    }

    /// The exponent V8's `Double::Exponent()` gives: `d = significand × 2^exponent` with a
    /// 53-bit integer significand.
    fn v8_exponent(d: f64) -> i32 {
        let biased = ((d.to_bits() >> 52) & 0x7ff) as i32;
        if biased == 0 {
            -1074
        } else {
            biased - 1075
        }
    }

    pub fn to_radix_string(value: f64, radix: u32) -> String {
        const CHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let negative = value < 0.0;
        let value = value.abs();
        let mut integer = value.floor();
        let mut fraction = value - integer;
        // Half the distance to the next double: fraction digits stop below it.
        let mut delta = (0.5 * (value.next_up() - value)).max(0.0f64.next_up());
        let r = f64::from(radix);
        let mut frac_digits: Vec<u32> = Vec::new();
        if fraction >= delta {
            loop {
                fraction *= r;
                delta *= r;
                let digit = fraction as u32;
                frac_digits.push(digit);
                fraction -= f64::from(digit);
                if (fraction > 0.5 || (fraction == 0.5 && digit & 1 == 1)) && fraction + delta > 1.0
                {
                    // Round up, carrying into earlier digits (a digit that overflows drops).
                    loop {
                        match frac_digits.pop() {
                            None => {
                                integer += 1.0;
                                break;
                            }
                            Some(d) if d + 1 < radix => {
                                frac_digits.push(d + 1);
                                break;
                            }
                            Some(_) => {}
                        }
                    }
                    break;
                }
                if fraction < delta {
                    break;
                }
            }
        }
        let mut int_digits: Vec<u8> = Vec::new();
        while v8_exponent(integer / r) > 0 {
            integer /= r;
            int_digits.push(b'0');
        }
        loop {
            let remainder = integer % r;
            int_digits.push(CHARS[remainder as usize]);
            integer = (integer - remainder) / r;
            if integer <= 0.0 {
                break;
            }
        }
        int_digits.reverse();
        let mut s = String::new();
        if negative {
            s.push('-');
        }
        s.push_str(std::str::from_utf8(&int_digits).expect("ASCII"));
        if !frac_digits.is_empty() {
            s.push('.');
            s.extend(frac_digits.iter().map(|&d| CHARS[d as usize] as char));
        }
        s
    }

    pub fn pow(x: f64, y: f64) -> f64 {
        super::fdlibm::pow(x, y)
    }

    pub fn log(x: f64) -> f64 {
        super::fdlibm::log(x)
    }

    pub fn log10(x: f64) -> f64 {
        super::fdlibm::log10(x)
    }
}

/// fdlibm's `pow`, `log` and `log10` (public-domain Sun code) as V8 ports them in
/// `base/ieee754.cc`, bit for bit: the browser's `Math.pow`, `Math.log`, `Math.log10`.
#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::excessive_precision, clippy::approx_constant)] // fdlibm's constants as written
mod fdlibm {
    /// The high 32 bits of a double (sign, exponent, top of the mantissa).
    fn hi(x: f64) -> i32 {
        (x.to_bits() >> 32) as i32
    }

    /// The low 32 bits of a double.
    fn lo(x: f64) -> u32 {
        x.to_bits() as u32
    }

    /// The double of these words.
    fn from_words(hi: i32, lo: u32) -> f64 {
        f64::from_bits((u64::from(hi as u32) << 32) | u64::from(lo))
    }

    /// `x` with its low word replaced.
    fn with_lo(x: f64, lo: u32) -> f64 {
        from_words(hi(x), lo)
    }

    /// `x` with its high word replaced.
    fn with_hi(x: f64, hi: i32) -> f64 {
        from_words(hi, lo(x))
    }

    /// `x × 2^n` with a single rounding (musl's `scalbn`).
    fn scalbn(mut x: f64, mut n: i32) -> f64 {
        let p1023 = f64::from_bits(0x7fe0_0000_0000_0000);
        let m1022_53 = f64::from_bits(0x0360_0000_0000_0000); // 2^-1022 × 2^53
        if n > 1023 {
            x *= p1023;
            n -= 1023;
            if n > 1023 {
                x *= p1023;
                n -= 1023;
                n = n.min(1023);
            }
        } else if n < -1022 {
            x *= m1022_53;
            n += 1022 - 53;
            if n < -1022 {
                x *= m1022_53;
                n += 1022 - 53;
                n = n.max(-1022);
            }
        }
        x * f64::from_bits(((0x3ff + n) as u64) << 52)
    }

    const BP: [f64; 2] = [1.0, 1.5];
    const DP_H: [f64; 2] = [0.0, 5.84962487220764160156e-01];
    const DP_L: [f64; 2] = [0.0, 1.35003920212974897128e-08];
    const TWO53: f64 = 9007199254740992.0;
    const L1: f64 = 5.99999999999994648725e-01;
    const L2: f64 = 4.28571428578550184252e-01;
    const L3: f64 = 3.33333329818377432918e-01;
    const L4: f64 = 2.72728123808534006489e-01;
    const L5: f64 = 2.30660745775561754067e-01;
    const L6: f64 = 2.06975017800338417784e-01;
    const P1: f64 = 1.66666666666666019037e-01;
    const P2: f64 = -2.77777777770155933842e-03;
    const P3: f64 = 6.61375632143793436117e-05;
    const P4: f64 = -1.65339022054652515390e-06;
    const P5: f64 = 4.13813679705723846039e-08;
    const LG2: f64 = 6.93147180559945286227e-01;
    const LG2_H: f64 = 6.93147182464599609375e-01;
    const LG2_L: f64 = -1.90465429995776804525e-09;
    const OVT: f64 = 8.0085662595372944372e-17;
    const CP: f64 = 9.61796693925975554329e-01;
    const CP_H: f64 = 9.61796700954437255859e-01;
    const CP_L: f64 = -7.02846165095275826516e-09;
    const IVLN2: f64 = 1.44269504088896338700e+00;
    const IVLN2_H: f64 = 1.44269502162933349609e+00;
    const IVLN2_L: f64 = 1.92596299112661746887e-08;

    /// `x ** y`.
    pub fn pow(x: f64, y: f64) -> f64 {
        let (hx, lx, hy, ly) = (hi(x), lo(x), hi(y), lo(y));
        let mut ix = hx & 0x7fff_ffff;
        let iy = hy & 0x7fff_ffff;
        // y == ±0: 1.
        if (iy as u32 | ly) == 0 {
            return 1.0;
        }
        // NaN in, NaN out.
        if ix > 0x7ff0_0000
            || (ix == 0x7ff0_0000 && lx != 0)
            || iy > 0x7ff0_0000
            || (iy == 0x7ff0_0000 && ly != 0)
        {
            return x + y;
        }
        // For x < 0: whether y is an odd (1) or even (2) integer, or not one (0).
        let mut yisint = 0;
        if hx < 0 {
            if iy >= 0x4340_0000 {
                yisint = 2;
            } else if iy >= 0x3ff0_0000 {
                let k = (iy >> 20) - 0x3ff;
                if k > 20 {
                    let j = ly >> (52 - k);
                    if (j << (52 - k)) == ly {
                        yisint = 2 - (j & 1) as i32;
                    }
                } else if ly == 0 {
                    let j = iy >> (20 - k);
                    if (j << (20 - k)) == iy {
                        yisint = 2 - (j & 1);
                    }
                }
            }
        }
        if ly == 0 {
            if iy == 0x7ff0_0000 {
                // y is ±∞.
                return if ((ix - 0x3ff0_0000) as u32 | lx) == 0 {
                    f64::NAN // (±1) ** ±∞
                } else if ix >= 0x3ff0_0000 {
                    if hy >= 0 {
                        y
                    } else {
                        0.0
                    }
                } else if hy < 0 {
                    -y
                } else {
                    0.0
                };
            }
            if iy == 0x3ff0_0000 {
                return if hy < 0 { 1.0 / x } else { x };
            }
            if hy == 0x4000_0000 {
                return x * x;
            }
            if hy == 0x3fe0_0000 && hx >= 0 {
                return x.sqrt();
            }
        }
        let mut ax = x.abs();
        if lx == 0 && (ix == 0x7ff0_0000 || ix == 0 || ix == 0x3ff0_0000) {
            // x is ±0, ±∞ or ±1.
            let mut z = ax;
            if hy < 0 {
                z = 1.0 / z;
            }
            if hx < 0 {
                if ((ix - 0x3ff0_0000) | yisint) == 0 {
                    z = f64::NAN;
                } else if yisint == 1 {
                    z = -z;
                }
            }
            return z;
        }
        let n0 = (hx >> 31) + 1;
        if (n0 | yisint) == 0 {
            return f64::NAN;
        }
        let s = if (n0 | (yisint - 1)) == 0 { -1.0 } else { 1.0 };
        let (t1, t2);
        if iy > 0x41e0_0000 {
            // |y| is huge.
            if iy > 0x43f0_0000 {
                if ix <= 0x3fef_ffff {
                    return if hy < 0 { f64::INFINITY } else { 0.0 };
                }
                if ix >= 0x3ff0_0000 {
                    return if hy > 0 { f64::INFINITY } else { 0.0 };
                }
            }
            if ix < 0x3fef_ffff {
                return if hy < 0 { s * f64::INFINITY } else { s * 0.0 };
            }
            if ix > 0x3ff0_0000 {
                return if hy > 0 { s * f64::INFINITY } else { s * 0.0 };
            }
            let t = ax - 1.0;
            let w = (t * t) * (0.5 - t * (0.3333333333333333333333 - t * 0.25));
            let u = IVLN2_H * t;
            let v = t * IVLN2_L - w * IVLN2;
            t1 = with_lo(u + v, 0);
            t2 = v - (t1 - u);
        } else {
            let mut n = 0;
            if ix < 0x0010_0000 {
                // Subnormal x.
                ax *= TWO53;
                n -= 53;
                ix = hi(ax);
            }
            n += (ix >> 20) - 0x3ff;
            let j = ix & 0x000f_ffff;
            ix = j | 0x3ff0_0000;
            let k = if j <= 0x3988e {
                0
            } else if j < 0xbb67a {
                1
            } else {
                n += 1;
                ix -= 0x0010_0000;
                0
            };
            ax = with_hi(ax, ix);
            let u = ax - BP[k];
            let v = 1.0 / (ax + BP[k]);
            let ss = u * v;
            let s_h = with_lo(ss, 0);
            let mut t_h = from_words(
                ((ix >> 1) | 0x2000_0000) + 0x0008_0000 + ((k as i32) << 18),
                0,
            );
            let mut t_l = ax - (t_h - BP[k]);
            let s_l = v * ((u - s_h * t_h) - s_h * t_l);
            let mut s2 = ss * ss;
            let mut r = s2 * s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))));
            r += s_l * (s_h + ss);
            s2 = s_h * s_h;
            t_h = with_lo(3.0 + s2 + r, 0);
            t_l = r - ((t_h - 3.0) - s2);
            let u = s_h * t_h;
            let v = s_l * t_h + t_l * ss;
            let p_h = with_lo(u + v, 0);
            let p_l = v - (p_h - u);
            let z_h = CP_H * p_h;
            let z_l = CP_L * p_h + p_l * CP + DP_L[k];
            let t = f64::from(n);
            t1 = with_lo(((z_h + z_l) + DP_H[k]) + t, 0);
            t2 = z_l - (((t1 - t) - DP_H[k]) - z_h);
        }
        // (y1 + y2) × (t1 + t2)
        let y1 = with_lo(y, 0);
        let p_l = (y - y1) * t1 + y * t2;
        let mut p_h = y1 * t1;
        let z = p_l + p_h;
        let j = hi(z);
        let i = lo(z);
        if j >= 0x4090_0000 {
            if (j - 0x4090_0000) != 0 || i != 0 || p_l + OVT > z - p_h {
                return s * f64::INFINITY;
            }
        } else if (j & 0x7fff_ffff) >= 0x4090_cc00
            && (j.wrapping_sub(0xc090_cc00u32 as i32) != 0 || i != 0 || p_l <= z - p_h)
        {
            return s * 0.0;
        }
        let i = j & 0x7fff_ffff;
        let mut k = (i >> 20) - 0x3ff;
        let mut n = 0;
        if i > 0x3fe0_0000 {
            n = j.wrapping_add(0x0010_0000 >> (k + 1));
            k = ((n & 0x7fff_ffff) >> 20) - 0x3ff;
            let t = from_words(n & !(0x000f_ffff >> k), 0);
            n = ((n & 0x000f_ffff) | 0x0010_0000) >> (20 - k);
            if j < 0 {
                n = -n;
            }
            p_h -= t;
        }
        let t = with_lo(p_l + p_h, 0);
        let u = t * LG2_H;
        let v = (p_l - (t - p_h)) * LG2 + t * LG2_L;
        let mut z = u + v;
        let w = v - (z - u);
        let t = z * z;
        let t1 = z - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
        let r = (z * t1) / ((t1 - 2.0) - (w + z * w));
        z = 1.0 - (r - z);
        let j = hi(z).wrapping_add(n << 20);
        if (j >> 20) <= 0 {
            z = scalbn(z, n);
        } else {
            z = with_hi(z, j);
        }
        s * z
    }

    const LN2_HI: f64 = 6.93147180369123816490e-01;
    const LN2_LO: f64 = 1.90821492927058770002e-10;
    const TWO54: f64 = 1.80143985094819840000e+16;
    const LG1: f64 = 6.666666666666735130e-01;
    const LG2C: f64 = 3.999999999940941908e-01;
    const LG3: f64 = 2.857142874366239149e-01;
    const LG4: f64 = 2.222219843214978396e-01;
    const LG5: f64 = 1.818357216161805012e-01;
    const LG6: f64 = 1.531383769920937332e-01;
    const LG7: f64 = 1.479819860511658591e-01;

    /// The natural logarithm.
    pub fn log(mut x: f64) -> f64 {
        let mut hx = hi(x);
        let lx = lo(x);
        let mut k = 0;
        if hx < 0x0010_0000 {
            if ((hx & 0x7fff_ffff) as u32 | lx) == 0 {
                return f64::NEG_INFINITY;
            }
            if hx < 0 {
                return f64::NAN;
            }
            // Subnormal: scale up.
            k -= 54;
            x *= TWO54;
            hx = hi(x);
        }
        if hx >= 0x7ff0_0000 {
            return x + x;
        }
        k += (hx >> 20) - 1023;
        hx &= 0x000f_ffff;
        let i = (hx + 0x95f64) & 0x0010_0000;
        x = with_hi(x, hx | (i ^ 0x3ff0_0000));
        k += i >> 20;
        let f = x - 1.0;
        if (0x000f_ffff & (2 + hx)) < 3 {
            // |f| < 2^-20
            if f == 0.0 {
                if k == 0 {
                    return 0.0;
                }
                let dk = f64::from(k);
                return dk * LN2_HI + dk * LN2_LO;
            }
            let r = f * f * (0.5 - 0.33333333333333333 * f);
            if k == 0 {
                return f - r;
            }
            let dk = f64::from(k);
            return dk * LN2_HI - ((r - dk * LN2_LO) - f);
        }
        let s = f / (2.0 + f);
        let dk = f64::from(k);
        let z = s * s;
        let mut i = hx - 0x6147a;
        let w = z * z;
        let j = 0x6b851 - hx;
        let t1 = w * (LG2C + w * (LG4 + w * LG6));
        let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
        i |= j;
        let r = t2 + t1;
        if i > 0 {
            let hfsq = 0.5 * f * f;
            if k == 0 {
                return f - (hfsq - s * (hfsq + r));
            }
            return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
        }
        if k == 0 {
            return f - s * (f - r);
        }
        dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f)
    }

    /// The decimal logarithm.
    pub fn log10(mut x: f64) -> f64 {
        const IVLN10: f64 = 4.34294481903251816668e-01;
        const LOG10_2HI: f64 = 3.01029995663611771306e-01;
        const LOG10_2LO: f64 = 3.69423907715893078616e-13;
        let mut hx = hi(x);
        let mut lx = lo(x);
        let mut k = 0;
        if hx < 0x0010_0000 {
            if ((hx & 0x7fff_ffff) as u32 | lx) == 0 {
                return f64::NEG_INFINITY;
            }
            if hx < 0 {
                return f64::NAN;
            }
            k -= 54;
            x *= TWO54;
            hx = hi(x);
            lx = lo(x);
        }
        if hx >= 0x7ff0_0000 {
            return x + x;
        }
        if hx == 0x3ff0_0000 && lx == 0 {
            return 0.0;
        }
        k += (hx >> 20) - 1023;
        let i = i32::from(k < 0);
        hx = (hx & 0x000f_ffff) | ((0x3ff - i) << 20);
        let y = f64::from(k + i);
        let x = from_words(hx, lx);
        let z = y * LOG10_2LO + IVLN10 * log(x);
        z + y * LOG10_2HI
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            // Exactly midway between two shortest candidates (…268.625, …092.25): the even one.
            (274962700774268.62, "274962700774268.62"),
            (-807538572430092.2, "-807538572430092.2"),
        ] {
            assert_eq!(js_number(v), js, "{v}");
        }
    }

    #[test]
    fn rounding_like_math_round() {
        assert_eq!(round(2.5), 3.0);
        assert_eq!(round(-2.5), -2.0);
        assert_eq!(round(0.49999999999999994), 0.0);
        assert!(round(-0.4).is_sign_negative());
    }

    #[test]
    fn fixed_and_exponential_round_the_exact_value_half_away_from_zero() {
        assert_eq!(to_fixed(1.005, 2.0).unwrap(), "1.00");
        assert_eq!(to_fixed(2.5, 0.0).unwrap(), "3");
        assert_eq!(to_fixed(-2.5, 0.0).unwrap(), "-3");
        assert_eq!(to_fixed(0.125, 2.0).unwrap(), "0.13");
        assert_eq!(to_fixed(-0.001, 2.0).unwrap(), "-0.00");
        assert_eq!(to_fixed(0.0, 2.0).unwrap(), "0.00");
        assert_eq!(to_fixed(1e21, 2.0).unwrap(), "1e+21");
        assert_eq!(to_fixed(999.995, 2.0).unwrap(), "1000.00");
        assert!(to_fixed(1.0, -1.0).is_err());
        assert_eq!(to_exponential(1536.0, None).unwrap(), "1.536e+3");
        assert_eq!(to_exponential(0.0, None).unwrap(), "0e+0");
        assert_eq!(to_exponential(0.0, Some(2.0)).unwrap(), "0.00e+0");
        assert_eq!(to_exponential(1.25, Some(1.0)).unwrap(), "1.3e+0");
        assert_eq!(to_exponential(9.96, Some(1.0)).unwrap(), "1.0e+1");
        assert_eq!(to_exponential(-1.5e-7, Some(3.0)).unwrap(), "-1.500e-7");
        assert!(to_exponential(1.0, Some(101.0)).is_err());
    }

    #[test]
    fn radix_16_and_parse_float() {
        assert_eq!(to_radix_string(255.0, 16), "ff");
        assert_eq!(to_radix_string(0.1, 16), "0.1999999999999a");
        assert_eq!(to_radix_string(-0.5, 16), "-0.8");
        assert_eq!(to_radix_string(1e21, 16), "3635c9adc5dea00000");
        assert_eq!(parse_float("1.50"), 1.5);
        assert_eq!(parse_float("1e-12"), 1e-12);
        assert_eq!(parse_float("-3."), -3.0);
        assert_eq!(parse_float("Infinity.00"), f64::INFINITY);
        assert!(parse_float("NaN.00").is_nan());
        assert!(parse_float("∞").is_nan());
    }

    #[test]
    fn intl_groups_and_rounds_the_shortest_digits() {
        assert_eq!(intl_format(1234567.891, 0, 3), "1,234,567.891");
        assert_eq!(intl_format(1234567.891, 0, 1), "1,234,567.9");
        assert_eq!(intl_format(1.005, 0, 2), "1.01");
        assert_eq!(intl_format(0.95, 0, 1), "1");
        assert_eq!(intl_format(-0.0, 0, 3), "-0");
        assert_eq!(intl_format(2.0, 2, 2), "2.00");
        assert_eq!(intl_format(f64::NEG_INFINITY, 0, 3), "-∞");
    }

    #[test]
    fn pow_and_logs_as_v8() {
        assert_eq!(pow(10.0, -4.0), 9.999999999999999e-5);
        assert_eq!(pow(10.0, 2.0), 100.0);
        assert_eq!(pow(2.0, 0.5), std::f64::consts::SQRT_2);
        assert_eq!(log10(1000.0), 3.0);
        assert_eq!(log(1.0), 0.0);
        assert!(log(-1.0).is_nan());
    }
}
