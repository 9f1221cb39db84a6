//! Turns a panel's targets into the Prometheus requests to send through kubeglass's proxy:
//! data source chosen, step and range computed and macros filled in as Grafana does.

use crate::api::{prometheus_api_base, DataSourceInfo};
use crate::model::{resolve_datasource, Panel};
use crate::time::interval::{interpolate_macros, query_timing, QueryContext};
use crate::time::ResolvedRange;

/// One Prometheus request for one target of a panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromRequest {
    pub ref_id: String,
    pub datasource_uid: String,
    /// `query_range`, or `query` for instant targets.
    pub endpoint: &'static str,
    /// The query with macros filled in.
    pub expr: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub step_ms: i64,
    pub legend_format: Option<String>,
}

/// Epoch milliseconds as the decimal seconds Prometheus reads (`1700000000.5`).
pub(crate) fn seconds(ms: i64) -> String {
    if ms % 1000 == 0 {
        (ms / 1000).to_string()
    } else {
        format!("{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000))
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub(crate) fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl PromRequest {
    /// The proxy URL this request goes to.
    pub fn url(&self) -> String {
        format!(
            "{}/{}",
            prometheus_api_base(&self.datasource_uid),
            self.endpoint
        )
    }

    /// The POST body: `query`, and `start`/`end`/`step` (range) or `time` (instant).
    pub fn form_body(&self) -> String {
        let mut body = format!("query={}", form_encode(&self.expr));
        if self.endpoint == "query" {
            body.push_str(&format!("&time={}", seconds(self.end_ms)));
        } else {
            body.push_str(&format!(
                "&start={}&end={}&step={}",
                seconds(self.start_ms),
                seconds(self.end_ms),
                seconds(self.step_ms)
            ));
        }
        body
    }
}

/// Plans the requests of a panel shown `width_px` wide over `range`: one per target that is
/// not hidden and has an `expr`. Errors name the panel and what is wrong with it.
pub fn plan_panel_queries(
    panel: &Panel,
    sources: &[DataSourceInfo],
    range: ResolvedRange,
    width_px: u32,
) -> Result<Vec<PromRequest>, String> {
    let name = |m: String| format!("panel {} (`{}`): {m}", panel.id, panel.title);
    let mut out = Vec::new();
    for target in panel
        .targets
        .iter()
        .filter(|t| !t.hide && !t.expr.trim().is_empty())
    {
        let ds = resolve_datasource(
            panel.datasource.as_ref(),
            target.datasource.as_ref(),
            sources,
        )
        .ok_or_else(|| name("no data source is configured".to_string()))?;
        let timing = query_timing(&QueryContext {
            range,
            resolution: panel.max_data_points.unwrap_or(width_px).max(1),
            panel_min_interval: panel.interval.as_deref(),
            target_min_interval: target.interval.as_deref(),
            datasource_interval: &ds.time_interval,
            interval_factor: target.interval_factor,
        })
        .map_err(|e| name(e.to_string()))?;
        // A heatmap's buckets are a range over time, whatever the target says.
        let heatmap = panel.kind == "heatmap" || target.format.as_deref() == Some("heatmap");
        let instant = target.instant && !heatmap;
        out.push(PromRequest {
            ref_id: target.ref_id.clone(),
            datasource_uid: ds.uid.clone(),
            endpoint: if instant { "query" } else { "query_range" },
            expr: interpolate_macros(&target.expr, &timing),
            start_ms: if instant {
                range.to_ms
            } else {
                timing.start_ms
            },
            end_ms: if instant { range.to_ms } else { timing.end_ms },
            step_ms: timing.step_ms,
            legend_format: target.legend_format.clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dashboard;
    use serde_json::json;

    #[test]
    fn plans_one_request_per_visible_target() {
        let d = Dashboard::from_json(
            &json!({"title": "A", "panels": [{"id": 3, "title": "CPU", "type": "timeseries",
            "targets": [
                {"refId": "A", "expr": "rate(node_cpu_seconds_total{mode!=\"idle\"}[$__rate_interval])", "legendFormat": "{{cpu}}"},
                {"refId": "B", "expr": "up", "hide": true},
                {"refId": "C", "expr": ""},
                {"refId": "D", "expr": "up", "instant": true}
            ]}]}),
        );
        let sources = vec![DataSourceInfo {
            uid: "prometheus".into(),
            name: "Prometheus".into(),
            kind: "prometheus".into(),
            is_default: true,
            time_interval: "15s".into(),
        }];
        let to = 1_700_000_007_500;
        let range = ResolvedRange {
            from_ms: to - 3_600_000,
            to_ms: to,
        };
        let reqs = plan_panel_queries(&d.panels[0], &sources, range, 1000).unwrap();
        assert_eq!(reqs.len(), 2);
        let a = &reqs[0];
        // 1h / 1000 px = 3.6s -> 5s, raised to the 15s scrape interval; rate interval 60s.
        assert_eq!(a.expr, "rate(node_cpu_seconds_total{mode!=\"idle\"}[60s])");
        assert_eq!(
            (a.step_ms, a.start_ms, a.end_ms),
            (15_000, 1_699_996_395_000, 1_699_999_995_000),
            "start and end round down to the step"
        );
        assert_eq!(
            a.url(),
            "/api/datasources/prometheus/prometheus/api/v1/query_range"
        );
        assert_eq!(
            a.form_body(),
            "query=rate%28node_cpu_seconds_total%7Bmode%21%3D%22idle%22%7D%5B60s%5D%29&start=1699996395&end=1699999995&step=15"
        );
        let d = &reqs[1];
        assert_eq!(
            (d.endpoint, d.form_body().as_str()),
            ("query", "query=up&time=1700000007.500")
        );
        let none = plan_panel_queries(&d_panel(), &[], range, 1000).unwrap_err();
        assert_eq!(none, "panel 9 (`X`): no data source is configured");
    }

    #[test]
    fn heatmap_targets_are_range_queries() {
        let d = Dashboard::from_json(&json!({"title": "A", "panels": [
            {"id": 1, "type": "heatmap", "targets": [{"refId": "A", "expr": "x_bucket", "instant": true}]},
            {"id": 2, "type": "table", "targets": [{"refId": "A", "expr": "x_bucket", "instant": true, "format": "heatmap"}]},
            {"id": 3, "type": "table", "targets": [{"refId": "A", "expr": "x_bucket", "instant": true}]}
        ]}));
        let sources = vec![DataSourceInfo {
            uid: "prometheus".into(),
            name: "Prometheus".into(),
            kind: "prometheus".into(),
            is_default: true,
            time_interval: "15s".into(),
        }];
        let range = ResolvedRange {
            from_ms: 1_700_000_000_000,
            to_ms: 1_700_003_600_000,
        };
        let endpoint =
            |i: usize| plan_panel_queries(&d.panels[i], &sources, range, 500).unwrap()[0].endpoint;
        assert_eq!(
            (endpoint(0), endpoint(1), endpoint(2)),
            ("query_range", "query_range", "query")
        );
    }

    fn d_panel() -> Panel {
        Dashboard::from_json(&json!({"title": "A", "panels": [{"id": 9, "title": "X", "targets": [{"expr": "up"}]}]})).panels.remove(0)
    }
}
