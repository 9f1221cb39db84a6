//! The data frame panels draw from: labelled series of `(time, value)` points, whatever the
//! data source's own response shape was, and the reductions a stat panel applies to them.

use std::collections::BTreeMap;

/// One time series: its labels and its points, time in epoch milliseconds, ascending.
/// A NaN value is a gap.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(i64, f64)>,
}

pub use crate::data::reduce::Reducer;

impl Series {
    /// Reduces the series to one value (a NaN point is a null, as a gap is in Grafana);
    /// `None` when the reducer gives no number.
    pub fn reduce(&self, reducer: Reducer) -> Option<f64> {
        let cells: Vec<crate::data::table::Cell> = self
            .points
            .iter()
            .map(|(_, v)| {
                if v.is_nan() {
                    crate::data::table::Cell::Empty
                } else {
                    crate::data::table::Cell::Number(*v)
                }
            })
            .collect();
        crate::data::reduce::reduce(reducer, &cells).number()
    }

    /// The point nearest in time to `t_ms`, if any.
    pub fn nearest(&self, t_ms: i64) -> Option<(i64, f64)> {
        if self.points.is_empty() {
            return None;
        }
        let i = self.points.partition_point(|(t, _)| *t < t_ms);
        let candidates = [i.checked_sub(1), (i < self.points.len()).then_some(i)];
        candidates
            .into_iter()
            .flatten()
            .map(|i| self.points[i])
            .min_by_key(|(t, _)| (t - t_ms).abs())
    }

    /// Splits the points into runs that a line may join: a NaN, or a step between points larger
    /// than 1.5 × `step_ms` (a missing sample), starts a new run.
    pub fn segments(&self, step_ms: i64) -> Vec<Vec<(i64, f64)>> {
        let mut runs: Vec<Vec<(i64, f64)>> = Vec::new();
        let mut current: Vec<(i64, f64)> = Vec::new();
        let max_gap = if step_ms > 0 {
            step_ms + step_ms / 2
        } else {
            i64::MAX
        };
        for &(t, v) in &self.points {
            let gap = current.last().is_some_and(|(pt, _)| t - pt > max_gap);
            if !v.is_finite() || gap {
                if !current.is_empty() {
                    runs.push(std::mem::take(&mut current));
                }
                if !v.is_finite() {
                    continue;
                }
            }
            current.push((t, v));
        }
        if !current.is_empty() {
            runs.push(current);
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(i64, f64)]) -> Series {
        Series {
            labels: BTreeMap::new(),
            points: points.to_vec(),
        }
    }

    #[test]
    fn reductions() {
        let s = series(&[(1, 2.0), (2, 6.0), (3, 1.0), (4, f64::NAN)]);
        assert_eq!(s.reduce(Reducer::LastNotNull), Some(1.0));
        assert_eq!(s.reduce(Reducer::Last), None, "the last point is a gap");
        assert_eq!(s.reduce(Reducer::Mean), Some(3.0));
        assert_eq!(s.reduce(Reducer::Max), Some(6.0));
        assert_eq!(s.reduce(Reducer::Min), Some(1.0));
        assert_eq!(s.reduce(Reducer::Sum), Some(9.0));
        assert_eq!(s.reduce(Reducer::Count), Some(3.0));
        assert_eq!(series(&[]).reduce(Reducer::Mean), None);
        assert_eq!(Reducer::from_id("lastNotNull"), Some(Reducer::LastNotNull));
        assert_eq!(Reducer::from_id("bogus"), None);
    }

    #[test]
    fn more_reductions() {
        let s = series(&[(0, f64::NAN), (1, 2.0), (2, 6.0), (3, 1.0), (4, 4.0)]);
        assert_eq!(s.reduce(Reducer::First), None, "the first point is a gap");
        assert_eq!(s.reduce(Reducer::FirstNotNull), Some(2.0));
        assert_eq!(s.reduce(Reducer::Range), Some(5.0));
        assert_eq!(s.reduce(Reducer::Diff), Some(2.0));
        // As Grafana's delta: 2 -> 6 rises by 4; the drop to 1 (a reset) and the step right
        // after it add nothing.
        assert_eq!(s.reduce(Reducer::Delta), Some(4.0));
        assert_eq!(series(&[(0, 5.0)]).reduce(Reducer::Delta), Some(0.0));
        for r in [
            Reducer::Range,
            Reducer::Delta,
            Reducer::Diff,
            Reducer::First,
        ] {
            assert_eq!(series(&[]).reduce(r), None);
        }
        for (id, r) in [
            ("current", Reducer::LastNotNull),
            ("first", Reducer::First),
            ("avg", Reducer::Mean),
            ("total", Reducer::Sum),
            ("range", Reducer::Range),
            ("delta", Reducer::Delta),
            ("diff", Reducer::Diff),
        ] {
            assert_eq!(Reducer::from_id(id), Some(r), "{id}");
        }
    }

    #[test]
    fn nearest_point() {
        let s = series(&[(10, 1.0), (20, 2.0), (30, 3.0)]);
        assert_eq!(s.nearest(14), Some((10, 1.0)));
        assert_eq!(s.nearest(16), Some((20, 2.0)));
        assert_eq!(s.nearest(100), Some((30, 3.0)));
        assert_eq!(s.nearest(-5), Some((10, 1.0)));
        assert_eq!(series(&[]).nearest(1), None);
    }

    #[test]
    fn gaps_break_lines() {
        let s = series(&[
            (0, 1.0),
            (10, 1.0),
            (20, f64::NAN),
            (30, 2.0),
            (40, 2.0),
            (80, 3.0),
        ]);
        assert_eq!(
            s.segments(10),
            vec![
                vec![(0, 1.0), (10, 1.0)],
                vec![(30, 2.0), (40, 2.0)],
                vec![(80, 3.0)]
            ]
        );
        assert_eq!(
            s.segments(100).len(),
            2,
            "only the NaN breaks with a large step"
        );
    }
}
