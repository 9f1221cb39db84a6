//! The pieces pages are built from.

pub mod bargauge;
pub mod element_size;
pub mod export;
pub mod gauge;
pub mod grid;
pub mod heatmap;
pub mod panel;
pub mod piechart;
pub mod share;
pub mod stat;
pub mod table;
pub mod text;
pub mod time_picker;
pub mod timeseries;
pub mod variables;
