//! Colours as Grafana's dark theme resolves them: named colours, the palettes series take their
//! colours from, and the colour modes of `fieldConfig.defaults.color` (thresholds, a fixed
//! colour, shades of one, a palette, a continuous scheme). The data is Grafana's, generated
//! into [`table`].

#[rustfmt::skip]
mod table;

use crate::model::field::FieldColor;

/// The colour of a value nothing else colours (Grafana's `FALLBACK_COLOR`).
pub const FALLBACK: &str = "#808080";

/// Grafana's classic palette, in the order series take their colours.
pub const CLASSIC_PALETTE: &[&str] = table::CLASSIC;

/// The colour of the `index`-th series in the classic palette.
pub fn series_color(index: usize) -> &'static str {
    CLASSIC_PALETTE[index % CLASSIC_PALETTE.len()]
}

fn lookup(list: &'static [(&'static str, &'static str)], name: &str) -> Option<&'static str> {
    list.binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| list[i].1)
}

/// A colour as CSS, as Grafana's `getColorByName`: its named colours (`green`,
/// `semi-dark-red`, `text`, `transparent`) become their value; `#...` and `rgb(...)` are kept;
/// a CSS colour name in any case becomes its hex value; anything else is passed through. An
/// empty name is [`FALLBACK`].
pub fn css_color(name: &str) -> String {
    if name.is_empty() {
        return FALLBACK.to_string();
    }
    if let Some(c) = lookup(table::NAMED, name) {
        return c.to_string();
    }
    if name.starts_with('#') || name.contains("rgb") {
        return name.to_string();
    }
    lookup(table::CSS_NAMES, &name.to_lowercase()).map_or_else(|| name.to_string(), str::to_string)
}

/// The red, green and blue of a CSS colour: `#rgb`, `#rrggbb`, `#rrggbbaa` (alpha dropped),
/// `rgb(r, g, b)` and `rgba(r, g, b, a)`; `None` for other forms.
pub fn hex_rgb(color: &str) -> Option<(u8, u8, u8)> {
    let color = color.trim();
    if let Some(h) = color.strip_prefix('#') {
        let c = |s: &str| u8::from_str_radix(s, 16).ok();
        return match h.len() {
            3 => {
                let d = |i: usize| c(&h[i..i + 1]).map(|v| v * 17);
                Some((d(0)?, d(1)?, d(2)?))
            }
            6 | 8 if h.is_ascii() => Some((c(&h[0..2])?, c(&h[2..4])?, c(&h[4..6])?)),
            _ => None,
        };
    }
    let inner = color
        .strip_prefix("rgba(")
        .or_else(|| color.strip_prefix("rgb("))?
        .strip_suffix(')')?;
    let mut parts = inner.split(',').map(|p| p.trim().parse::<f64>().ok());
    let mut next = || -> Option<u8> { Some(parts.next()??.round().clamp(0.0, 255.0) as u8) };
    Some((next()?, next()?, next()?))
}

/// A continuous colour scheme: a value's colour is read at its percent of the range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scheme {
    /// Stops joined by a uniform cubic B-spline over red, green and blue.
    Spline(&'static [&'static str]),
    /// 256 colours, `rrggbb` each, one per 1/256 of the range.
    Ramp(&'static str),
}

impl Scheme {
    /// The colour at `t` (0 is the range's minimum, 1 its maximum; beyond is clamped).
    pub fn at(self, t: f64) -> String {
        match self {
            Scheme::Ramp(colors) => {
                let n = colors.len() / 6;
                let i = (t * n as f64).floor();
                let i = if i.is_nan() {
                    0
                } else {
                    i.clamp(0.0, (n - 1) as f64) as usize
                };
                format!("#{}", &colors[i * 6..i * 6 + 6])
            }
            Scheme::Spline(stops) => {
                let rgb: Vec<(f64, f64, f64)> = stops
                    .iter()
                    .map(|s| {
                        let (r, g, b) = hex_rgb(&css_color(s)).unwrap_or((0, 0, 0));
                        (r as f64, g as f64, b as f64)
                    })
                    .collect();
                let channel = |pick: fn(&(f64, f64, f64)) -> f64| {
                    let v: Vec<f64> = rgb.iter().map(pick).collect();
                    let c = spline(&v, t);
                    if c.is_nan() {
                        0
                    } else {
                        c.round().clamp(0.0, 255.0) as u8
                    }
                };
                format!(
                    "rgb({}, {}, {})",
                    channel(|c| c.0),
                    channel(|c| c.1),
                    channel(|c| c.2)
                )
            }
        }
    }
}

/// A uniform cubic B-spline through `v` (end points mirrored), read at `t` in 0..=1.
fn spline(v: &[f64], t: f64) -> f64 {
    let n = v.len().saturating_sub(1);
    if n == 0 {
        return v.first().copied().unwrap_or(f64::NAN);
    }
    if t.is_nan() {
        return f64::NAN;
    }
    let (t, i) = if t <= 0.0 {
        (0.0, 0)
    } else if t >= 1.0 {
        (1.0, n - 1)
    } else {
        (t, ((t * n as f64).floor() as usize).min(n - 1))
    };
    let v1 = v[i];
    let v2 = v[i + 1];
    let v0 = if i > 0 { v[i - 1] } else { 2.0 * v1 - v2 };
    let v3 = if i + 1 < n { v[i + 2] } else { 2.0 * v2 - v1 };
    let t1 = (t - i as f64 / n as f64) * n as f64;
    let t2 = t1 * t1;
    let t3 = t2 * t1;
    ((1.0 - 3.0 * t1 + 3.0 * t2 - t3) * v0
        + (4.0 - 6.0 * t2 + 3.0 * t3) * v1
        + (1.0 + 3.0 * t1 + 3.0 * t2 - 3.0 * t3) * v2
        + t3 * v3)
        / 6.0
}

/// How a field's values are coloured (`color.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ColorMode {
    /// `thresholds` (and what a field without a mode gets): the threshold step's colour.
    #[default]
    Thresholds,
    /// `fixed` and `gradient`: the fixed colour.
    Fixed,
    /// `shades`: shades of the fixed colour, one per series.
    Shades,
    /// `palette-classic`, `palette-colorblind`, ...: one colour per series, in order.
    Palette(&'static [&'static str]),
    /// `palette-classic-by-name`: one colour per series, picked by a hash of its name.
    PaletteByName,
    /// `continuous-*`: the colour at the value's percent of the range.
    Continuous(Scheme),
}

impl ColorMode {
    /// The mode named `id`; `None` for an id Grafana does not know (it then uses thresholds).
    pub fn from_id(id: &str) -> Option<ColorMode> {
        Some(match id {
            "thresholds" => ColorMode::Thresholds,
            "fixed" | "gradient" => ColorMode::Fixed,
            "shades" => ColorMode::Shades,
            "palette-classic" => ColorMode::Palette(table::CLASSIC),
            "palette-classic-by-name" => ColorMode::PaletteByName,
            "palette-colorblind" => ColorMode::Palette(table::COLORBLIND),
            "palette-categorical-next" => ColorMode::Palette(table::CATEGORICAL_NEXT),
            "palette-categorical-next-2" => ColorMode::Palette(table::CATEGORICAL_NEXT_2),
            "palette-categorical-next-3" => ColorMode::Palette(table::CATEGORICAL_NEXT_3),
            other => {
                if let Some((_, stops)) = table::SPLINE_SCHEMES.iter().find(|(n, _)| *n == other) {
                    ColorMode::Continuous(Scheme::Spline(stops))
                } else if let Some((_, ramp)) = table::RAMPS.iter().find(|(n, _)| *n == other) {
                    ColorMode::Continuous(Scheme::Ramp(ramp))
                } else {
                    return None;
                }
            }
        })
    }

    /// Whether a value's colour depends on the value (thresholds, continuous schemes), rather
    /// than on the series alone.
    pub fn by_value(self) -> bool {
        matches!(self, ColorMode::Thresholds | ColorMode::Continuous(_))
    }
}

impl ColorMode {
    /// The mode of a field's colour setting; thresholds without one, or for a mode Grafana
    /// does not know.
    pub fn of(setting: Option<&FieldColor>) -> ColorMode {
        setting
            .and_then(|c| ColorMode::from_id(&c.mode))
            .unwrap_or_default()
    }

    /// The colour, as CSS, in this mode of a value at `percent` of the range whose threshold
    /// step has the colour `threshold`, in the `series`-th series named `name`; `fixed` is the
    /// setting's `fixedColor`.
    pub fn color(
        self,
        fixed: Option<&str>,
        percent: f64,
        threshold: &str,
        series: usize,
        name: &str,
    ) -> String {
        let fixed = || css_color(fixed.unwrap_or(FALLBACK));
        match self {
            ColorMode::Thresholds => css_color(threshold),
            ColorMode::Fixed => fixed(),
            ColorMode::Shades => shade(&fixed(), series),
            ColorMode::Palette(colors) => css_color(colors[series % colors.len()]),
            ColorMode::PaletteByName => {
                let colors = table::CLASSIC_BY_NAME;
                css_color(colors[string_hash(name) as usize % colors.len()])
            }
            ColorMode::Continuous(scheme) => scheme.at(percent),
        }
    }
}

/// The `string-hash` of a name (djb2 over its UTF-16 units, last first), which
/// `palette-classic-by-name` picks colours by.
fn string_hash(s: &str) -> u32 {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut hash: i32 = 5381;
    for &u in units.iter().rev() {
        hash = hash.wrapping_mul(33) ^ u as i32;
    }
    hash as u32
}

/// The `series`-th shade of `base`: the base itself, then pairs of a lighter colour turned a
/// little one way and a darker one turned the other, up to five pairs, repeating after eleven.
fn shade(base: &str, series: usize) -> String {
    const SHADES: usize = 6;
    let i = series % (1 + 2 * (SHADES - 1));
    if i == 0 {
        return base.to_string();
    }
    // A colour that cannot be read is black, as colour libraries read it.
    let (r, g, b) = hex_rgb(base).unwrap_or((0, 0, 0));
    let step = i.div_ceil(2) as f64 / SHADES as f64;
    let rgb = (r as f64, g as f64, b as f64);
    let out = if i % 2 == 1 {
        brighten(spin(rgb, step * 10.0), step * 35.0)
    } else {
        darken(spin(rgb, -step * 10.0), step * 35.0)
    };
    let c = |v: f64| js_round(v).clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", c(out.0), c(out.1), c(out.2))
}

type Rgb = (f64, f64, f64);

/// JavaScript's `Math.round`: halves go up.
fn js_round(v: f64) -> f64 {
    (v + 0.5).floor()
}

/// A colour as colour libraries keep it: channels below 1 are rounded.
fn kept((r, g, b): Rgb) -> Rgb {
    let k = |v: f64| if v < 1.0 { js_round(v) } else { v.min(255.0) };
    (k(r), k(g), k(b))
}

fn to_hsl((r, g, b): Rgb) -> (f64, f64, f64) {
    let (r, g, b) = (r / 255.0, g / 255.0, b / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let l = (max + min) / 2.0;
    if max == min {
        return (0.0, 0.0, l);
    }
    let d = max - min;
    let s = if l > 0.5 {
        d / (2.0 - max - min)
    } else {
        d / (max + min)
    };
    let h = if max == r {
        (g - b) / d + if g < b { 6.0 } else { 0.0 }
    } else if max == g {
        (b - r) / d + 2.0
    } else {
        (r - g) / d + 4.0
    };
    (h / 6.0 * 360.0, s, l)
}

/// A fraction written as a percentage and read back as colour libraries do: to a hundredth
/// of a percent, truncated.
fn percent_fraction(v: f64) -> f64 {
    let p = (v * 100.0).clamp(0.0, 100.0);
    let p = (p * 100.0).trunc() / 100.0;
    if (p - 100.0).abs() < 1e-6 {
        1.0
    } else {
        (p % 100.0) / 100.0
    }
}

fn from_hsl(h: f64, s: f64, l: f64) -> Rgb {
    let h = {
        let h = h.clamp(0.0, 360.0);
        if (h - 360.0).abs() < 1e-6 {
            1.0
        } else {
            (h % 360.0) / 360.0
        }
    };
    let s = if s <= 1.0 { percent_fraction(s) } else { s };
    let l = if l <= 1.0 { percent_fraction(l) } else { l };
    if s == 0.0 {
        return kept((l * 255.0, l * 255.0, l * 255.0));
    }
    let hue = |p: f64, q: f64, mut t: f64| {
        if t < 0.0 {
            t += 1.0;
        }
        if t > 1.0 {
            t -= 1.0;
        }
        if t < 1.0 / 6.0 {
            p + (q - p) * 6.0 * t
        } else if t < 0.5 {
            q
        } else if t < 2.0 / 3.0 {
            p + (q - p) * (2.0 / 3.0 - t) * 6.0
        } else {
            p
        }
    };
    let q = if l < 0.5 {
        l * (1.0 + s)
    } else {
        l + s - l * s
    };
    let p = 2.0 * l - q;
    kept((
        hue(p, q, h + 1.0 / 3.0) * 255.0,
        hue(p, q, h) * 255.0,
        hue(p, q, h - 1.0 / 3.0) * 255.0,
    ))
}

fn spin(rgb: Rgb, degrees: f64) -> Rgb {
    let (h, s, l) = to_hsl(rgb);
    let hue = (h + degrees) % 360.0;
    from_hsl(if hue < 0.0 { 360.0 + hue } else { hue }, s, l)
}

fn brighten(rgb: Rgb, amount: f64) -> Rgb {
    let less = js_round(255.0 * -(amount / 100.0));
    let f = |v: f64| (js_round(v) - less).clamp(0.0, 255.0);
    kept((f(rgb.0), f(rgb.1), f(rgb.2)))
}

fn darken(rgb: Rgb, amount: f64) -> Rgb {
    let (h, s, l) = to_hsl(rgb);
    from_hsl(h, s, (l - amount / 100.0).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_and_names() {
        assert_eq!(series_color(0), "#73BF69");
        assert_eq!(series_color(1), "#F2CC0C");
        assert_eq!(series_color(3), "#FF9830");
        assert_eq!(series_color(CLASSIC_PALETTE.len()), "#73BF69");
        assert_eq!(css_color("red"), "#F2495C");
        assert_eq!(css_color("Red"), "#ff0000", "CSS names in another case");
        assert_eq!(css_color("semi-dark-orange"), "#FF780A");
        assert_eq!(css_color("#123456"), "#123456");
        assert_eq!(css_color("text"), "rgb(204, 204, 220)");
        assert_eq!(css_color(""), FALLBACK);
        assert_eq!(css_color("nonsense"), "nonsense");
        assert_eq!(hex_rgb("#73BF69"), Some((0x73, 0xBF, 0x69)));
        assert_eq!(hex_rgb("#fff"), Some((255, 255, 255)));
        assert_eq!(hex_rgb("rgb(226, 192, 61)"), Some((226, 192, 61)));
        assert_eq!(hex_rgb("red"), None);
    }

    #[test]
    fn continuous_schemes() {
        let gr = ColorMode::from_id("continuous-GrYlRd").unwrap();
        let ColorMode::Continuous(s) = gr else {
            panic!("{gr:?}")
        };
        // Grafana: 50 of 0..100 is rgb(226, 192, 61); the ends are the first and last stops.
        assert_eq!(s.at(0.5), "rgb(226, 192, 61)");
        assert_eq!(s.at(0.0), "rgb(115, 191, 105)");
        assert_eq!(s.at(7.0), s.at(1.0));
        let ColorMode::Continuous(v) = ColorMode::from_id("continuous-viridis").unwrap() else {
            panic!()
        };
        assert_eq!(v.at(0.0), "#440154");
        assert_eq!(v.at(0.5), "#21918c");
        assert_eq!(v.at(1.0), "#fde725");
    }

    #[test]
    fn series_colours() {
        let mode = |v| ColorMode::of(FieldColor::parse(&v).as_ref());
        let c = mode(serde_json::json!({"mode": "palette-classic"}));
        assert_eq!(c.color(None, 0.0, "green", 3, "x"), "#FF9830");
        let c = mode(serde_json::json!({"fixedColor": "red"}));
        assert_eq!(c, ColorMode::Thresholds, "no mode: thresholds");
        let c = mode(serde_json::json!({"mode": "shades", "fixedColor": "red"}));
        assert_eq!(c.color(Some("red"), 0.0, "green", 0, "x"), "#F2495C");
        assert_eq!(
            mode(serde_json::json!({"mode": "nonsense"})),
            ColorMode::Thresholds
        );
    }
}
