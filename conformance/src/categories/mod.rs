//! The categories of the suite. Each makes its cases: hand-written edge cases, then `n`
//! generated from the random source it is given (seeded per category).

pub mod datemath;
pub mod display;
pub mod formats;
pub mod intervals;
pub mod reducers;
pub mod transforms;
pub mod units;

use crate::Category;

/// Every category, in report order.
pub const ALL: &[Category] = &[
    Category {
        name: "datemath",
        cases: datemath::cases,
    },
    Category {
        name: "display",
        cases: display::cases,
    },
    Category {
        name: "formats",
        cases: formats::cases,
    },
    Category {
        name: "intervals",
        cases: intervals::cases,
    },
    Category {
        name: "reducers",
        cases: reducers::cases,
    },
    Category {
        name: "transforms",
        cases: transforms::cases,
    },
    Category {
        name: "units",
        cases: units::cases,
    },
];

/// Asks the oracle one listing question (`{"cat": "units"}`, ...), for the ids a category
/// covers; panics with the oracle's error, since the suite cannot run without it.
pub fn listing(cat: &str) -> serde_json::Value {
    let answer = crate::oracle::run(&[serde_json::json!({"cat": cat})])
        .unwrap_or_else(|e| panic!("asking the oracle for {cat}: {e}"));
    answer.into_iter().next().expect("one answer")
}
