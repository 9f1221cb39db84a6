//! kubeglass-shared: everything the front end (wasm32) and the backend (native) must agree on.
//!
//! Pure logic only — no I/O, no async runtime — so that it compiles for both targets and is
//! tested here, once, with plain unit tests.

pub mod api;
pub mod data;
pub mod display;
pub mod etcd;
pub mod js;
pub mod k8s;
pub mod model;
pub mod panels;
pub mod prom;
pub mod sort;
pub mod time;
