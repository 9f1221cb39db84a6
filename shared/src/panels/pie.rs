//! The slices of a pie chart panel: each series' reduced value as a share of the whole, and
//! the SVG path of a slice (pie or donut).

use crate::panels::gauge::point_on_circle;

/// One slice, as fractions of the full turn from 12 o'clock, clockwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slice {
    pub start: f64,
    pub end: f64,
    /// Its share of the total, in percent.
    pub percent: f64,
}

/// The slices of `values`, in order; NaN and negative values count as zero, and a total of
/// zero gives empty slices.
pub fn slices(values: &[f64]) -> Vec<Slice> {
    let clean = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
    let total: f64 = values.iter().map(|v| clean(*v)).sum();
    let mut at = 0.0;
    values
        .iter()
        .map(|v| {
            let share = if total > 0.0 { clean(*v) / total } else { 0.0 };
            let s = Slice {
                start: at,
                end: at + share,
                percent: share * 100.0,
            };
            at += share;
            s
        })
        .collect()
}

/// The SVG path of a slice of a circle of radius `r` around `(cx, cy)`; a donut's hole has
/// radius `inner` (0 for a pie). A slice of the whole turn is drawn as two halves, since one
/// SVG arc cannot close on itself.
pub fn slice_path(cx: f64, cy: f64, r: f64, inner: f64, slice: &Slice) -> String {
    let span = (slice.end - slice.start).clamp(0.0, 1.0);
    if span >= 0.9999 {
        let mut d = format!(
            "M{cx:.2} {:.2} A{r:.2} {r:.2} 0 1 1 {cx:.2} {:.2} A{r:.2} {r:.2} 0 1 1 {cx:.2} {:.2}Z",
            cy - r,
            cy + r,
            cy - r
        );
        if inner > 0.0 {
            d.push_str(&format!(
                " M{cx:.2} {:.2} A{inner:.2} {inner:.2} 0 1 0 {cx:.2} {:.2} A{inner:.2} {inner:.2} 0 1 0 {cx:.2} {:.2}Z",
                cy - inner,
                cy + inner,
                cy - inner
            ));
        }
        return d;
    }
    let (a0, a1) = (slice.start * 360.0, (slice.start + span) * 360.0);
    let large = u8::from(span > 0.5);
    let (x0, y0) = point_on_circle(cx, cy, r, a0);
    let (x1, y1) = point_on_circle(cx, cy, r, a1);
    if inner > 0.0 {
        let (x2, y2) = point_on_circle(cx, cy, inner, a1);
        let (x3, y3) = point_on_circle(cx, cy, inner, a0);
        format!(
            "M{x0:.2} {y0:.2} A{r:.2} {r:.2} 0 {large} 1 {x1:.2} {y1:.2} L{x2:.2} {y2:.2} A{inner:.2} {inner:.2} 0 {large} 0 {x3:.2} {y3:.2}Z"
        )
    } else {
        format!("M{cx:.2} {cy:.2} L{x0:.2} {y0:.2} A{r:.2} {r:.2} 0 {large} 1 {x1:.2} {y1:.2}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_the_total() {
        let s = slices(&[1.0, 3.0, f64::NAN, -2.0]);
        assert_eq!(
            s.iter()
                .map(|s| (s.start, s.end, s.percent))
                .collect::<Vec<_>>(),
            [
                (0.0, 0.25, 25.0),
                (0.25, 1.0, 75.0),
                (1.0, 1.0, 0.0),
                (1.0, 1.0, 0.0)
            ]
        );
        assert!(slices(&[0.0, 0.0]).iter().all(|s| s.percent == 0.0));
    }

    #[test]
    fn slice_paths() {
        let quarter = Slice {
            start: 0.0,
            end: 0.25,
            percent: 25.0,
        };
        assert_eq!(
            slice_path(50.0, 50.0, 40.0, 0.0, &quarter),
            "M50.00 50.00 L50.00 10.00 A40.00 40.00 0 0 1 90.00 50.00Z"
        );
        assert_eq!(
            slice_path(50.0, 50.0, 40.0, 20.0, &quarter),
            "M50.00 10.00 A40.00 40.00 0 0 1 90.00 50.00 L70.00 50.00 A20.00 20.00 0 0 0 50.00 30.00Z"
        );
        let most = Slice {
            start: 0.25,
            end: 1.0,
            percent: 75.0,
        };
        assert!(
            slice_path(50.0, 50.0, 40.0, 0.0, &most).contains(" 0 1 1 "),
            "large arc"
        );
        let all = Slice {
            start: 0.0,
            end: 1.0,
            percent: 100.0,
        };
        assert_eq!(
            slice_path(50.0, 50.0, 40.0, 0.0, &all),
            "M50.00 10.00 A40.00 40.00 0 1 1 50.00 90.00 A40.00 40.00 0 1 1 50.00 10.00Z"
        );
    }
}
