//! kubeglass-shared: everything the front end (wasm32) and the backend (native) must agree on.
//!
//! Pure logic only — no I/O, no async runtime — so that it compiles for both targets and is
//! tested here, once, with plain unit tests.

pub mod api;
pub mod chart;
pub mod colors;
pub mod decimate;
pub mod display;
pub mod etcd;
pub mod field;
pub mod frame;
pub mod gauge;
pub mod heatmap;
pub mod import;
pub mod interval;
pub mod jsnum;
pub mod k8s;
pub mod k8s_view;
pub mod legend;
pub mod mappings;
pub mod migrate;
pub mod model;
pub mod moment;
pub mod panels;
pub mod pie;
pub mod prom;
pub mod promql;
pub mod query;
pub mod reduce;
pub mod regex;
pub mod repeat;
pub mod sort;
pub mod table;
pub mod template;
#[cfg(feature = "text")]
pub mod text;
pub mod time;
pub mod transform;
pub mod tz;
pub mod units;
mod units_table;
pub mod validate;
pub mod variables;
