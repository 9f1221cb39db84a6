//! Stable sorting through one compiled sort routine.
//!
//! The standard library's sort is generic over the element and the comparison, so every call
//! site with its own closure gets its own copy of the sort's code, several kilobytes each: in
//! the UI's WebAssembly, 35 call sites were about 100 KB. These functions sort a list of
//! indices with a comparison behind a `dyn` pointer, compiled once, and then move the elements
//! into place; per call site only that small move remains. They are stable, like
//! [`slice::sort_by`], and meant for the lists of a dashboard (series, rows, panels), not for
//! hot loops.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, keeping equal elements in their order; as `crate::sort::sort_by(&mut v, cmp)`.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    assert!(
        v.len() <= u32::MAX as usize,
        "sorting more than 2^32 elements"
    );
    let mut order: Vec<u32> = (0..v.len() as u32).collect();
    sort_indices(&mut order, &mut |a, b| cmp(&v[a as usize], &v[b as usize]));
    permute(v, &mut order);
}

/// As `crate::sort::sort_by_key(&mut v, key)`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// As `crate::sort::sort(&mut v)`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The one instance of the standard sort.
#[inline(never)]
fn sort_indices(order: &mut [u32], cmp: &mut dyn FnMut(u32, u32) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

/// Rearranges `v` so that position `i` holds what was at `order[i]`, following each cycle of
/// the permutation once with swaps; `order` is used up.
fn permute<T>(v: &mut [T], order: &mut [u32]) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let from = order[at] as usize;
            order[at] = at as u32;
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same order as the standard library's stable sort, ties included.
        #[test]
        fn sorts_as_std_does(v in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut ours = v.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = v.clone();
            std.sort_by(|a, b| a.0.cmp(&b.0));
            prop_assert_eq!(&ours, &std);
            let mut keyed = v.clone();
            sort_by_key(&mut keyed, |e| std::cmp::Reverse(e.1));
            let mut std = v.clone();
            std.sort_by_key(|e| std::cmp::Reverse(e.1));
            prop_assert_eq!(keyed, std);
            let mut plain = v.clone();
            sort(&mut plain);
            let mut std = v;
            std.sort();
            prop_assert_eq!(plain, std);
        }
    }

    #[test]
    fn moves_owned_elements() {
        let mut v: Vec<String> = ["b", "c", "a", "b"].iter().map(|s| s.to_string()).collect();
        sort(&mut v);
        assert_eq!(v, ["a", "b", "b", "c"]);
    }
}
