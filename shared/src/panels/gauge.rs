//! The scale, threshold bands and SVG arcs of gauge and bar gauge panels: pure geometry, so the
//! components only place what is computed here.

use crate::model::field::FieldDefaults;

/// Where a gauge's arc starts, in degrees clockwise from 12 o'clock, and how far it sweeps:
/// the arc opens at the bottom, as Grafana's does.
pub const GAUGE_START_DEG: f64 = -120.0;
pub const GAUGE_SWEEP_DEG: f64 = 240.0;

/// The range a value is drawn against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub min: f64,
    pub max: f64,
}

impl Scale {
    /// The field's `min`/`max` when set; otherwise 0–100 for `percent`, 0–1 for
    /// `percentunit`, else the range of the values shown (from 0 when they are all positive,
    /// as Grafana's global range does for gauges).
    pub fn for_field(d: &FieldDefaults, values: &[f64]) -> Scale {
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let data_min = finite.clone().fold(f64::INFINITY, f64::min);
        let data_max = finite.fold(f64::NEG_INFINITY, f64::max);
        let (unit_min, unit_max) = match d.unit.as_deref() {
            Some("percent") => (Some(0.0), Some(100.0)),
            Some("percentunit") => (Some(0.0), Some(1.0)),
            _ => (None, None),
        };
        let min = d.min.or(unit_min).unwrap_or(if data_min.is_finite() {
            data_min.min(0.0)
        } else {
            0.0
        });
        let max = d.max.or(unit_max).unwrap_or(if data_max.is_finite() {
            data_max
        } else {
            100.0
        });
        Scale {
            min,
            max: if max > min { max } else { min + 1.0 },
        }
    }

    /// Where `value` falls on the scale, clamped to `[0, 1]`; NaN is 0.
    pub fn fraction(&self, value: f64) -> f64 {
        let f = (value - self.min) / (self.max - self.min);
        if f.is_nan() {
            0.0
        } else {
            f.clamp(0.0, 1.0)
        }
    }

    /// The value at `fraction` of the scale.
    pub fn value_at(&self, fraction: f64) -> f64 {
        self.min + fraction * (self.max - self.min)
    }
}

/// A stretch of the scale in one threshold colour, as fractions of the scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub from: f64,
    pub to: f64,
    pub color: String,
}

/// The threshold steps as bands over the scale (empty bands left out); a field without
/// thresholds gets one green band.
pub fn threshold_bands(d: &FieldDefaults, scale: &Scale) -> Vec<Band> {
    let at = |v: Option<f64>, edge: f64| match v {
        None => edge,
        Some(t) if d.thresholds_percentage => (t / 100.0).clamp(0.0, 1.0),
        Some(t) => scale.fraction(t),
    };
    if d.thresholds.is_empty() {
        return vec![Band {
            from: 0.0,
            to: 1.0,
            color: "green".into(),
        }];
    }
    d.thresholds
        .iter()
        .enumerate()
        .map(|(i, s)| Band {
            from: if i == 0 { 0.0 } else { at(s.value, 0.0) },
            to: d
                .thresholds
                .get(i + 1)
                .map_or(1.0, |next| at(next.value, 1.0)),
            color: s.color.clone(),
        })
        .filter(|b| b.to > b.from)
        .collect()
}

/// The point at `deg` degrees clockwise from 12 o'clock on a circle (SVG coordinates, y down).
pub fn point_on_circle(cx: f64, cy: f64, r: f64, deg: f64) -> (f64, f64) {
    let rad = deg.to_radians();
    (cx + r * rad.sin(), cy - r * rad.cos())
}

/// An SVG path along a circle from `from_deg` to `to_deg` (clockwise, less than a full turn).
pub fn arc_path(cx: f64, cy: f64, r: f64, from_deg: f64, to_deg: f64) -> String {
    let (x0, y0) = point_on_circle(cx, cy, r, from_deg);
    let (x1, y1) = point_on_circle(cx, cy, r, to_deg);
    let large = u8::from(to_deg - from_deg > 180.0);
    format!("M{x0:.2} {y0:.2} A{r:.2} {r:.2} 0 {large} 1 {x1:.2} {y1:.2}")
}

/// The SVG path of the part of a gauge's arc between two fractions of its scale.
pub fn gauge_arc(cx: f64, cy: f64, r: f64, from: f64, to: f64) -> String {
    arc_path(
        cx,
        cy,
        r,
        GAUGE_START_DEG + from * GAUGE_SWEEP_DEG,
        GAUGE_START_DEG + to * GAUGE_SWEEP_DEG,
    )
}

/// How many cells an LCD bar gauge `length_px` long shows: about one per 12px.
pub fn lcd_cell_count(length_px: f64) -> usize {
    ((length_px / 12.0).floor() as usize).clamp(1, 200)
}

/// A CSS `linear-gradient` through the band colours (each band's colour at its middle), for a
/// bar running `direction` (`to right`, `to top`). `css` turns colour names into CSS.
pub fn band_gradient(bands: &[Band], direction: &str, css: impl Fn(&str) -> String) -> String {
    if bands.len() < 2 {
        let c = bands.first().map_or("green".to_string(), |b| css(&b.color));
        return format!("linear-gradient({direction}, {c}, {c})");
    }
    let stops: Vec<String> = bands
        .iter()
        .map(|b| format!("{} {:.1}%", css(&b.color), (b.from + b.to) * 50.0))
        .collect();
    format!("linear-gradient({direction}, {})", stops.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::field::ThresholdStep;

    fn steps(list: &[(&str, Option<f64>)]) -> Vec<ThresholdStep> {
        list.iter()
            .map(|(c, v)| ThresholdStep {
                color: c.to_string(),
                value: *v,
            })
            .collect()
    }

    #[test]
    fn scales_follow_unit_config_and_data() {
        let mut d = FieldDefaults {
            unit: Some("percent".into()),
            ..FieldDefaults::default()
        };
        assert_eq!(
            Scale::for_field(&d, &[250.0]),
            Scale {
                min: 0.0,
                max: 100.0
            }
        );
        d.unit = Some("percentunit".into());
        assert_eq!(Scale::for_field(&d, &[0.3]).max, 1.0);
        d.unit = Some("bytes".into());
        assert_eq!(
            Scale::for_field(&d, &[30.0, 70.0]),
            Scale {
                min: 0.0,
                max: 70.0
            }
        );
        assert_eq!(Scale::for_field(&d, &[-5.0, 5.0]).min, -5.0);
        d.min = Some(10.0);
        d.max = Some(20.0);
        let s = Scale::for_field(&d, &[]);
        assert_eq!(
            s,
            Scale {
                min: 10.0,
                max: 20.0
            }
        );
        assert_eq!(s.fraction(15.0), 0.5);
        assert_eq!(s.fraction(99.0), 1.0);
        assert_eq!(s.fraction(f64::NAN), 0.0);
        assert_eq!(s.value_at(0.25), 12.5);
        d.max = Some(10.0);
        assert_eq!(
            Scale::for_field(&d, &[]).max,
            11.0,
            "an empty range is widened"
        );
        assert_eq!(Scale::for_field(&FieldDefaults::default(), &[]).max, 100.0);
    }

    #[test]
    fn bands_cover_the_scale() {
        let mut d = FieldDefaults {
            thresholds: steps(&[("green", None), ("orange", Some(50.0)), ("red", Some(80.0))]),
            ..FieldDefaults::default()
        };
        let s = Scale {
            min: 0.0,
            max: 200.0,
        };
        let b = threshold_bands(&d, &s);
        assert_eq!(
            b.iter()
                .map(|b| (b.from, b.to, b.color.as_str()))
                .collect::<Vec<_>>(),
            [
                (0.0, 0.25, "green"),
                (0.25, 0.4, "orange"),
                (0.4, 1.0, "red")
            ]
        );
        d.thresholds_percentage = true;
        let b = threshold_bands(&d, &s);
        assert_eq!(
            b.iter().map(|b| (b.from, b.to)).collect::<Vec<_>>(),
            [(0.0, 0.5), (0.5, 0.8), (0.8, 1.0)]
        );
        let beyond = FieldDefaults {
            thresholds: steps(&[("green", None), ("red", Some(500.0))]),
            ..FieldDefaults::default()
        };
        assert_eq!(
            threshold_bands(&beyond, &s).len(),
            1,
            "a step above max is empty"
        );
        assert_eq!(
            threshold_bands(&FieldDefaults::default(), &s)[0].color,
            "green"
        );
    }

    #[test]
    fn arcs_start_bottom_left_and_end_bottom_right() {
        let (x, y) = point_on_circle(100.0, 100.0, 50.0, 0.0);
        assert!(
            (x - 100.0).abs() < 1e-9 && (y - 50.0).abs() < 1e-9,
            "0° is at the top"
        );
        let (x, y) = point_on_circle(100.0, 100.0, 50.0, 90.0);
        assert!(
            (x - 150.0).abs() < 1e-9 && (y - 100.0).abs() < 1e-9,
            "90° is at the right"
        );
        assert_eq!(
            gauge_arc(100.0, 100.0, 50.0, 0.0, 1.0),
            "M56.70 125.00 A50.00 50.00 0 1 1 143.30 125.00"
        );
        assert_eq!(
            gauge_arc(100.0, 100.0, 50.0, 0.0, 0.5),
            "M56.70 125.00 A50.00 50.00 0 0 1 100.00 50.00"
        );
    }

    #[test]
    fn lcd_and_gradients() {
        assert_eq!(lcd_cell_count(120.0), 10);
        assert_eq!(lcd_cell_count(3.0), 1);
        let bands = vec![
            Band {
                from: 0.0,
                to: 0.5,
                color: "green".into(),
            },
            Band {
                from: 0.5,
                to: 1.0,
                color: "red".into(),
            },
        ];
        assert_eq!(
            band_gradient(&bands, "to right", |c| c.to_uppercase()),
            "linear-gradient(to right, GREEN 25.0%, RED 75.0%)"
        );
        assert_eq!(
            band_gradient(&bands[..1], "to top", str::to_string),
            "linear-gradient(to top, green, green)"
        );
    }
}
