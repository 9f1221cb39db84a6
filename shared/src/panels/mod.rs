//! Which panel types kubeglass draws, and with what: the one mapping the front end renders by
//! and `check-dashboard` reports from.

pub mod chart;
pub mod gauge;
pub mod heatmap;
pub mod pie;
#[cfg(feature = "text")]
pub mod text;

/// How a panel is drawn. Legacy types draw like their successors (after [`crate::model::migrate`],
/// `graph` and `singlestat` are `timeseries` and `stat`; stored as they were, they still map).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visualization {
    TimeSeries,
    Stat,
    Table,
    Gauge,
    BarGauge,
    PieChart,
    /// Prometheus histogram buckets over time ([`crate::panels::heatmap`]).
    Heatmap,
    /// Needs no query: its state is `ok` as soon as it is shown.
    Text,
}

impl Visualization {
    /// The visualization of a panel type; `None` for types kubeglass cannot draw (and rows,
    /// which are layout).
    pub fn of(kind: &str) -> Option<Visualization> {
        Some(match kind {
            "timeseries" | "graph" => Visualization::TimeSeries,
            "stat" | "singlestat" => Visualization::Stat,
            "table" | "table-old" => Visualization::Table,
            "gauge" => Visualization::Gauge,
            "bargauge" => Visualization::BarGauge,
            "piechart" | "grafana-piechart-panel" => Visualization::PieChart,
            "text" => Visualization::Text,
            "heatmap" => Visualization::Heatmap,
            _ => return None,
        })
    }
}

/// Whether kubeglass applies a panel's `transformations` for panels of type `kind`: tables to
/// their table, the types drawn from series (time series, stat, gauge, bar gauge, pie chart)
/// to their series. Heatmaps draw their buckets as they come, text panels have no data.
pub fn applies_transformations(kind: &str) -> bool {
    !matches!(
        Visualization::of(kind),
        None | Some(Visualization::Heatmap | Visualization::Text)
    )
}

/// Whether kubeglass shows panels of type `kind`: a type it draws, or a row.
pub fn is_supported(kind: &str) -> bool {
    kind == "row" || Visualization::of(kind).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_and_migrated_types_are_supported() {
        for kind in [
            "timeseries",
            "graph",
            "stat",
            "singlestat",
            "table",
            "gauge",
            "bargauge",
            "piechart",
            "text",
            "heatmap",
            "row",
        ] {
            assert!(is_supported(kind), "{kind}");
        }
        assert_eq!(Visualization::of("graph"), Some(Visualization::TimeSeries));
        assert_eq!(Visualization::of("row"), None);
        assert_eq!(Visualization::of("heatmap"), Some(Visualization::Heatmap));
        assert!(!is_supported("status-history"));
        assert!(!is_supported(""));
        assert!(applies_transformations("table") && applies_transformations("graph"));
        assert!(applies_transformations("stat") && applies_transformations("piechart"));
        assert!(!applies_transformations("heatmap") && !applies_transformations("text"));
        assert!(!applies_transformations("row") && !applies_transformations("news"));
    }
}
