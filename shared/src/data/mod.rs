//! The data panels draw: Prometheus answers as frames and series, Grafana's transformations
//! over them, the tables a table panel shows, reducers, and decimation for drawing.

pub mod cell;
pub mod decimate;
pub mod frame;
pub mod reduce;
pub mod table;
pub mod transform;
