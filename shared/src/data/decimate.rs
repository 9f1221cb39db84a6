//! Decimation for drawing: a line of a million points on a canvas 1,200 pixels wide covers each
//! pixel column with hundreds of points, and all the eye sees of them is where the line enters
//! the column, where it leaves, and how high and low it goes in between. [`m4`] keeps exactly
//! those four points per column (the M4 aggregation of Jugel et al., VLDB 2014), so the drawn
//! line is pixel-for-pixel the one the full data gives, at a few thousand points at most.

/// Maps times to pixel columns when `[from, to]` spans `columns` columns; times outside the
/// range fall into the edge columns. Floating point: a 128-bit division per point would cost
/// more than all the rest of the decimation.
#[derive(Debug, Clone, Copy)]
struct Columns {
    from: f64,
    scale: f64,
    last: f64,
}

impl Columns {
    fn new(from: i64, to: i64, columns: usize) -> Columns {
        let span = to as f64 - from as f64;
        Columns {
            from: from as f64,
            scale: if span > 0.0 {
                columns as f64 / span
            } else {
                0.0
            },
            last: columns.saturating_sub(1) as f64,
        }
    }

    #[inline(always)]
    fn of(&self, t: i64) -> usize {
        ((t as f64 - self.from) * self.scale)
            .floor()
            .clamp(0.0, self.last) as usize
    }
}

/// The pixel column of time `t`.
#[cfg(test)]
fn column(t: i64, from: i64, to: i64, columns: usize) -> usize {
    Columns::new(from, to, columns.max(1)).of(t)
}

/// Reduces `points` (sorted by time, as Prometheus returns them) to at most four per pixel
/// column when `[from_ms, to_ms]` is drawn over `columns` columns: the first, the lowest, the
/// highest and the last point of each column, in time order (fewer where they coincide).
/// Series of four points or fewer come back unchanged. A non-finite value (a gap) is kept as it
/// is and closes the column's run, so gaps stay where they were.
///
/// The result is a subsequence of `points`: every kept point is one of the input's.
pub fn m4(points: &[(i64, f64)], from_ms: i64, to_ms: i64, columns: usize) -> Vec<(i64, f64)> {
    if points.len() <= 4 {
        return points.to_vec();
    }
    let mut out = Vec::with_capacity(points.len().min(columns.max(1) * 4 + 4));
    m4_into(points, from_ms, to_ms, columns, i64::MAX, &mut out);
    out
}

/// [`m4`] for drawing, into `out` (cleared first, so that one buffer serves every line): the
/// same points, and where two neighbouring finite points are more than `max_gap_ms` apart (a
/// missing sample), a gap between them, `(t, NaN)` with `t` the earlier point's time. A line
/// drawn through the result breaks at every NaN, and at nothing else.
pub fn m4_into(
    points: &[(i64, f64)],
    from_ms: i64,
    to_ms: i64,
    columns: usize,
    max_gap_ms: i64,
    out: &mut Vec<(i64, f64)>,
) {
    out.clear();
    let map = Columns::new(from_ms, to_ms, columns.max(1));
    // The current run: its column, the indexes of its first, lowest, highest and last point,
    // and its lowest and highest value (kept at hand: this loop runs over every point).
    struct Run {
        column: usize,
        idx: [usize; 4],
        lo: f64,
        hi: f64,
    }
    let flush = |out: &mut Vec<(i64, f64)>, run: Option<Run>| {
        if let Some(Run { mut idx, .. }) = run {
            idx.sort_unstable();
            let mut prev = usize::MAX;
            for i in idx {
                if i != prev {
                    out.push(points[i]);
                    prev = i;
                }
            }
        }
    };
    let mut run: Option<Run> = None;
    // The time of the last finite point, while no gap has followed it.
    let mut last_t: Option<i64> = None;
    for (i, &(t, v)) in points.iter().enumerate() {
        if !v.is_finite() {
            flush(out, run.take());
            out.push((t, v));
            last_t = None;
            continue;
        }
        if let Some(lt) = last_t {
            if t.saturating_sub(lt) > max_gap_ms {
                flush(out, run.take());
                out.push((lt, f64::NAN));
            }
        }
        last_t = Some(t);
        let c = map.of(t);
        match &mut run {
            Some(r) if r.column == c => {
                if v < r.lo {
                    r.lo = v;
                    r.idx[1] = i;
                }
                if v > r.hi {
                    r.hi = v;
                    r.idx[2] = i;
                }
                r.idx[3] = i;
            }
            _ => {
                flush(out, run.take());
                run = Some(Run {
                    column: c,
                    idx: [i; 4],
                    lo: v,
                    hi: v,
                });
            }
        }
    }
    flush(out, run);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_series_come_back_unchanged() {
        let p = vec![(0, 1.0), (10, 5.0), (20, 2.0)];
        assert_eq!(m4(&p, 0, 20, 1200), p);
        let p: Vec<(i64, f64)> = (0..100).map(|t| (t, t as f64)).collect();
        // A hundred points over a thousand columns: every column holds one point at most.
        assert_eq!(m4(&p, 0, 99, 1000), p);
    }

    #[test]
    fn one_column_keeps_first_min_max_last_in_order() {
        let p = vec![(0, 3.0), (1, 9.0), (2, 1.0), (3, 4.0), (4, 5.0), (5, 2.0)];
        assert_eq!(
            m4(&p, 0, 5, 1),
            vec![(0, 3.0), (1, 9.0), (2, 1.0), (5, 2.0)]
        );
    }

    #[test]
    fn gaps_are_kept_where_they_were() {
        let mut p: Vec<(i64, f64)> = (0..20).map(|t| (t, (t % 7) as f64)).collect();
        p[10].1 = f64::NAN;
        let out = m4(&p, 0, 19, 1);
        let gap = out.iter().position(|(_, v)| v.is_nan()).unwrap();
        assert_eq!(out[gap].0, 10);
        assert!(out[..gap].iter().all(|(t, _)| *t < 10));
        assert!(out[gap + 1..].iter().all(|(t, _)| *t > 10));
    }

    #[test]
    fn a_million_points_become_at_most_four_per_column() {
        let p: Vec<(i64, f64)> = (0..1_000_000)
            .map(|i| (i * 15, ((i as f64) * 0.001).sin()))
            .collect();
        let out = m4(&p, 0, 999_999 * 15, 1200);
        assert!(out.len() <= 4800, "{}", out.len());
        assert!(out.len() >= 1200 * 2, "{}", out.len());
        assert_eq!(out.first(), p.first());
        assert_eq!(out.last(), p.last());
    }

    fn series() -> impl Strategy<Value = (Vec<(i64, f64)>, usize)> {
        (
            proptest::collection::vec((1i64..50, -1e6f64..1e6), 0..3000),
            1usize..400,
        )
            .prop_map(|(steps, columns)| {
                let mut t = -100;
                let points = steps
                    .into_iter()
                    .map(|(dt, v)| {
                        t += dt;
                        (t, v)
                    })
                    .collect();
                (points, columns)
            })
    }

    #[test]
    fn missing_samples_become_gaps() {
        let p = vec![(0, 1.0), (10, 2.0), (20, 3.0), (50, 4.0), (60, 5.0)];
        let mut out = Vec::new();
        m4_into(&p, 0, 60, 1000, 15, &mut out);
        assert_eq!(out.len(), 6);
        assert_eq!(out[..3], p[..3]);
        assert_eq!(out[3].0, 20);
        assert!(out[3].1.is_nan());
        assert_eq!(out[4..], p[3..]);
        // Without a limit nothing is added, and the buffer is reused.
        m4_into(&p, 0, 60, 1000, i64::MAX, &mut out);
        assert_eq!(out, p);
    }

    proptest! {
        /// With a gap limit the output is, run by run, what no limit makes of each stretch of the
        /// input between two neighbouring points further apart than the limit, with one NaN
        /// between the runs.
        #[test]
        fn gaps_mark_exactly_the_long_jumps((points, columns) in series(), max_gap in 1i64..60) {
            let (Some(first), Some(last)) = (points.first(), points.last()) else {
                return Ok(());
            };
            let (from, to) = (first.0, last.0);
            let mut out = Vec::new();
            m4_into(&points, from, to, columns, max_gap, &mut out);
            let mut expected = Vec::new();
            let mut start = 0;
            for i in 1..=points.len() {
                if i == points.len() || points[i].0 - points[i - 1].0 > max_gap {
                    let mut run = Vec::new();
                    m4_into(&points[start..i], from, to, columns, i64::MAX, &mut run);
                    expected.extend(run);
                    if i < points.len() {
                        expected.push((points[i - 1].0, f64::NAN));
                    }
                    start = i;
                }
            }
            prop_assert_eq!(out.len(), expected.len());
            for (a, b) in out.iter().zip(&expected) {
                prop_assert!(a.0 == b.0 && (a.1 == b.1 || (a.1.is_nan() && b.1.is_nan())), "{:?} != {:?}", a, b);
            }
        }

        /// Against the undecimated data: per pixel column the output keeps the first, the last,
        /// the lowest and the highest value, holds only input points in their order, and no
        /// more than four per column.
        #[test]
        fn keeps_every_column_extreme((points, columns) in series(), cut in 0.0f64..0.5) {
            let (Some(first), Some(last)) = (points.first(), points.last()) else {
                prop_assert!(m4(&points, 0, 1, columns).is_empty());
                return Ok(());
            };
            // A range a little inside the data, so that points outside it occur too.
            let span = (last.0 - first.0) as f64;
            let from = first.0 + (span * cut / 4.0) as i64;
            let to = (last.0 - (span * cut / 4.0) as i64).max(from + 1);
            let out = m4(&points, from, to, columns);

            // A subsequence of the input.
            let mut it = points.iter();
            for p in &out {
                prop_assert!(it.any(|q| q == p), "{:?} is not an input point in order", p);
            }
            prop_assert!(points.len() <= 4 || out.len() <= 4 * columns);

            let mut by_column: std::collections::BTreeMap<usize, Vec<(i64, f64)>> = Default::default();
            for &(t, v) in &points {
                by_column.entry(column(t, from, to, columns)).or_default().push((t, v));
            }
            for (c, col) in by_column {
                let kept: Vec<(i64, f64)> = out
                    .iter()
                    .copied()
                    .filter(|(t, _)| column(*t, from, to, columns) == c)
                    .collect();
                prop_assert_eq!(kept.first(), col.first());
                prop_assert_eq!(kept.last(), col.last());
                let lo = col.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
                let hi = col.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(kept.iter().any(|p| p.1 == lo), "column {} lost its minimum {}", c, lo);
                prop_assert!(kept.iter().any(|p| p.1 == hi), "column {} lost its maximum {}", c, hi);
                prop_assert!(kept.len() <= 4 || points.len() <= 4);
            }
        }
    }
}
