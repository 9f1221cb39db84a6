//! The pieces pages are built from.

pub mod element_size;
pub mod grid;
pub mod panel;
pub mod stat;
pub mod time_picker;
pub mod timeseries;
