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
/// highest and the last point of each column, in time order. Columns of four points or fewer
/// keep them all, so small series come back unchanged. A non-finite value (a gap) is kept as it
/// is and closes the column's run, so gaps stay where they were.
///
/// The result is a subsequence of `points`: every kept point is one of the input's.
pub fn m4(points: &[(i64, f64)], from_ms: i64, to_ms: i64, columns: usize) -> Vec<(i64, f64)> {
    let columns = columns.max(1);
    if points.len() <= 4 {
        return points.to_vec();
    }
    let map = Columns::new(from_ms, to_ms, columns);
    let mut out = Vec::with_capacity(points.len().min(columns * 4 + 4));
    // The current run: the index of its first point and of its lowest, highest and last.
    let mut run: Option<(usize, [usize; 4])> = None;
    let flush = |out: &mut Vec<(i64, f64)>, run: Option<(usize, [usize; 4])>| {
        if let Some((_, mut idx)) = run {
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
    for (i, &(t, v)) in points.iter().enumerate() {
        if !v.is_finite() {
            flush(&mut out, run.take());
            out.push((t, v));
            continue;
        }
        let c = map.of(t);
        match &mut run {
            Some((rc, idx)) if *rc == c => {
                if v < points[idx[1]].1 {
                    idx[1] = i;
                }
                if v > points[idx[2]].1 {
                    idx[2] = i;
                }
                idx[3] = i;
            }
            _ => {
                flush(&mut out, run.take());
                run = Some((c, [i; 4]));
            }
        }
    }
    flush(&mut out, run);
    out
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

    proptest! {
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
