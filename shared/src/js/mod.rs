//! JavaScript's behaviour where Grafana's answers depend on it: numbers as V8 writes and
//! rounds them, dates as moment.js formats them, regexes as `RegExp` reads them. In the
//! browser each runs on the browser's own; natively on a port with the same results.

pub mod moment;
pub mod num;
pub mod regex;
