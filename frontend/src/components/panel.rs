//! A panel: its frame (header, state), the queries it runs, and the visualisation it shows.
//!
//! The root element carries `data-panel-id` and `data-state` (`loading`, `ok`, `nodata`,
//! `error`, `unsupported`): tests and users rely on these exact strings.

use crate::components::bargauge::BarGauge;
use crate::components::gauge::Gauge;
use crate::components::heatmap::Heatmap;
use crate::components::piechart::PieChart;
use crate::components::stat::Stat;
use crate::components::table::TablePanel;
use crate::components::text::TextPanel;
use crate::components::timeseries::TimeSeries;
use crate::components::variables::{AdhocFilters, VariableScope};
use crate::url_state::TimeContext;
use futures_util::future::join_all;
use kubeglass_shared::api::DataSourceInfo;
use kubeglass_shared::data::frame::FieldKind;
use kubeglass_shared::data::frame::Series;
use kubeglass_shared::data::frame::{frames_from_named_series, series_of_frames};
use kubeglass_shared::data::transform::apply;
use kubeglass_shared::display::field::{field_config, nulls_as_zero, FieldRef};
use kubeglass_shared::display::legend::series_name;
use kubeglass_shared::model::template::state::{apply_adhoc, interpolate_panel};
use kubeglass_shared::model::Panel;
use kubeglass_shared::panels::{applies_transformations, Visualization};
use kubeglass_shared::prom::query::plan_panel_queries;
use kubeglass_shared::time::ResolvedRange;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;

/// A series with the name its legend shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedSeries {
    pub name: String,
    /// The `refId` of the query that returned it (tables name value columns after it).
    pub ref_id: String,
    pub series: Series,
}

/// What a panel's queries returned, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelData {
    pub series: Vec<NamedSeries>,
    /// The range the panel was queried for (the x axis).
    pub range: ResolvedRange,
    /// The query step: a longer jump between points is a gap.
    pub step_ms: i64,
}

impl PanelData {
    /// The least and greatest value of all series: the range Grafana reads percent thresholds
    /// and continuous colours against when a field sets no `min`/`max`.
    pub fn value_range(&self) -> Option<(f64, f64)> {
        kubeglass_shared::display::range_of(
            self.series
                .iter()
                .flat_map(|s| s.series.points.iter().map(|p| p.1)),
        )
    }
}

/// Where a panel is in its life.
#[derive(Debug, Clone, PartialEq)]
pub enum PanelStatus {
    Loading,
    Ok,
    NoData,
    Error(String),
    Unsupported(String),
}

impl PanelStatus {
    /// The `data-state` attribute value.
    pub fn as_str(&self) -> &'static str {
        match self {
            PanelStatus::Loading => "loading",
            PanelStatus::Ok => "ok",
            PanelStatus::NoData => "nodata",
            PanelStatus::Error(_) => "error",
            PanelStatus::Unsupported(_) => "unsupported",
        }
    }
}

/// The width in CSS pixels a panel `w` columns wide gets in the current window: Grafana uses
/// the panel's width as the query resolution when `maxDataPoints` is not set.
fn panel_width_px(w: u32) -> u32 {
    let window = window()
        .inner_width()
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(1200.0);
    (((window - 32.0).max(240.0) * f64::from(w) / 24.0) - 8.0).max(50.0) as u32
}

/// Runs every query of a panel at once; any failure fails the panel, naming the query.
async fn run_queries(
    panel: &Panel,
    sources: &[DataSourceInfo],
    range: ResolvedRange,
) -> Result<PanelData, String> {
    let requests = plan_panel_queries(panel, sources, range, panel_width_px(panel.grid.w))?;
    let step_ms = requests.iter().map(|r| r.step_ms).max().unwrap_or(0);
    let answers = join_all(requests.iter().map(crate::api::prometheus)).await;
    let several = requests.len() > 1;
    let mut series = Vec::new();
    for (req, answer) in requests.iter().zip(answers) {
        let answer = answer.map_err(|e| {
            if several && !req.ref_id.is_empty() {
                format!("query {}: {e}", req.ref_id)
            } else {
                e
            }
        })?;
        series.extend(answer.into_iter().map(|s| {
            let name = series_name(req.legend_format.as_deref(), &s.labels, &req.expr);
            let field = FieldRef {
                name: &name,
                ref_id: &req.ref_id,
                kind: FieldKind::Number,
            };
            // `nullValueMode: null as zero` (a migrated graph's `nullPointMode`): missing
            // values are zeros in the data itself, for every panel type. An instant query has
            // one point and no steps to fill.
            let range_query = req.endpoint != "query";
            let s = if range_query && field_config(panel, field).defaults.null_as_zero {
                nulls_as_zero(&s, req.start_ms, req.end_ms, req.step_ms)
            } else {
                s
            };
            NamedSeries {
                name,
                ref_id: req.ref_id.clone(),
                series: s,
            }
        }));
    }
    Ok(PanelData {
        series: transform_series(panel, series),
        range,
        step_ms,
    })
}

/// A panel drawn from series (time series, stat, gauge, bar gauge, pie chart) with
/// transformations: its series go through them as Grafana's time-series frames (so that, say,
/// `calculateField` can draw the mean of all series instead of each) and come back as the
/// series the frames draw. Tables transform their own table; heatmaps draw their buckets.
/// The cluster app's own charts have no transformations, so it is built without them.
#[cfg(feature = "dashboards")]
fn transform_series(panel: &Panel, series: Vec<NamedSeries>) -> Vec<NamedSeries> {
    let drawn_from_series = applies_transformations(&panel.kind)
        && Visualization::of(&panel.kind) != Some(Visualization::Table);
    if !drawn_from_series || panel.transformations.iter().all(|t| t.disabled) {
        return series;
    }
    let input: Vec<(&str, &str, &Series)> = series
        .iter()
        .map(|s| (s.ref_id.as_str(), s.name.as_str(), &s.series))
        .collect();
    let out = apply(frames_from_named_series(&input), &panel.transformations);
    series_of_frames(&out.frames)
        .into_iter()
        .map(|(ref_id, name, series)| NamedSeries {
            name,
            ref_id,
            series,
        })
        .collect()
}

#[cfg(not(feature = "dashboards"))]
fn transform_series(_: &Panel, series: Vec<NamedSeries>) -> Vec<NamedSeries> {
    series
}

/// What the panel body shows; changes only when the kind of content changes, so that a chart
/// stays mounted across refreshes.
#[derive(Debug, Clone, PartialEq)]
enum Body {
    Chart,
    Message(&'static str, String),
}

/// One panel. `style` places it (grid position, or a fixed height in Explore).
#[component]
pub fn PanelView(
    panel: Panel,
    sources: Arc<Vec<DataSourceInfo>>,
    #[prop(into)] style: Signal<String>,
) -> impl IntoView {
    let time = expect_context::<TimeContext>();
    let status = RwSignal::new(PanelStatus::Loading);
    let data = RwSignal::new(None::<Arc<PanelData>>);
    // A text panel's content as the server rendered it.
    let text_html = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u64);
    // An auto-refresh of the same range keeps showing the current result (and its `data-state`)
    // with a spinner, as Grafana does; a new range starts over from `loading`.
    let refreshing = RwSignal::new(false);
    let last_range = StoredValue::new(None::<kubeglass_shared::time::TimeRange>);
    let visualization = Visualization::of(&panel.kind);
    let panel = Arc::new(panel);
    // The panel as its queries and title read with the dashboard's variables (as written where
    // there are none: Explore, single panels); `None` while the variables are being resolved.
    // It changes, and the panel queries again, only when a variable the panel uses changes.
    let scope = use_context::<VariableScope>();
    // Ad hoc filters become label matchers of the queries of their data source.
    let adhoc = use_context::<AdhocFilters>();
    let interpolated = {
        let panel = panel.clone();
        let sources = sources.clone();
        Memo::new(move |_| {
            let shown = match scope {
                None => Some(Panel::clone(&panel)),
                Some(VariableScope(s)) => {
                    s.with(|s| s.as_ref().map(|s| interpolate_panel(&panel, s)))
                }
            };
            match (shown, adhoc) {
                (Some(p), Some(AdhocFilters(sets))) => {
                    Some(sets.with(|sets| apply_adhoc(&p, sets, &sources)))
                }
                (shown, _) => shown,
            }
        })
    };

    {
        let panel = panel.clone();
        Effect::new(move |_| {
            let range = time.range.get();
            time.tick.track();
            let shown = interpolated.get();
            let Some(_) = visualization else {
                status.set(PanelStatus::Unsupported(format!(
                    "panel type `{}` is not supported yet",
                    panel.kind
                )));
                return;
            };
            if visualization == Some(Visualization::Heatmap)
                && kubeglass_shared::panels::heatmap::HeatmapOptions::from_options(&panel.options)
                    .calculate
            {
                status.set(PanelStatus::Unsupported(
                    "a heatmap calculated from raw values (`calculate: true`) is not supported yet"
                        .into(),
                ));
                return;
            }
            if visualization == Some(Visualization::Text) {
                // Rendered once: the content does not depend on the time range.
                if text_html.with_untracked(Option::is_none) {
                    render_text(&panel, status, text_html);
                }
                return;
            }
            let Some(shown) = shown else {
                status.set(PanelStatus::Loading);
                return;
            };
            let gen = generation.get_value() + 1;
            generation.set_value(gen);
            let same_range = last_range.with_value(|r| r.as_ref() == Some(&range));
            last_range.set_value(Some(range.clone()));
            if same_range
                && status.with_untracked(|s| matches!(s, PanelStatus::Ok | PanelStatus::NoData))
            {
                refreshing.set(true);
            } else {
                status.set(PanelStatus::Loading);
            }
            let (panel, sources) = (shown, sources.clone());
            spawn_local(async move {
                let result = match range.resolve(js_sys::Date::now() as i64) {
                    Ok(resolved) => run_queries(&panel, &sources, resolved).await,
                    Err(e) => Err(e.to_string()),
                };
                // A newer query has started, or the panel is gone: this answer is stale.
                if generation.try_get_value() != Some(gen) {
                    return;
                }
                refreshing.set(false);
                match result {
                    Ok(d) => {
                        let empty = d.series.iter().all(|s| s.series.points.is_empty());
                        data.set(Some(Arc::new(d)));
                        status.set(if empty {
                            PanelStatus::NoData
                        } else {
                            PanelStatus::Ok
                        });
                    }
                    Err(e) => status.set(PanelStatus::Error(e)),
                }
            });
        });
    }

    // A panel without data says so with its `noValue` text when it has one, as Grafana does.
    let no_data_text = panel.defaults.no_value_text();
    let body = Memo::new(move |_| match status.get() {
        PanelStatus::Ok => Body::Chart,
        PanelStatus::Loading if data.with(Option::is_some) => Body::Chart,
        PanelStatus::Loading => Body::Message("kg-panel-loading", "Loading…".into()),
        PanelStatus::NoData => Body::Message("kg-panel-nodata", no_data_text.clone()),
        PanelStatus::Error(e) => Body::Message("kg-panel-error", e),
        PanelStatus::Unsupported(m) => Body::Message("kg-panel-unsupported", m),
    });

    let title = {
        let written = panel.title.clone();
        move || interpolated.with(|p| p.as_ref().map_or(written.clone(), |p| p.title.clone()))
    };
    let description = panel.description.clone();
    let has_description = !description.is_empty();
    let info_tooltip = description.clone();
    let panel_for_body = panel.clone();
    view! {
        <section
            class="kg-panel"
            data-panel-id=panel.id.to_string()
            data-state=move || status.with(PanelStatus::as_str)
            style=move || style.get()
        >
            <header class="kg-panel-header" title=description>
                <span class="kg-panel-title">{title}</span>
                <Show when=move || has_description>
                    <span class="kg-panel-info" title=info_tooltip.clone()>
                        "i"
                    </span>
                </Show>
                <Show when=move || refreshing.get() || status.with(|s| *s == PanelStatus::Loading)>
                    <span class="kg-panel-spinner" title="Loading"></span>
                </Show>
                {share_button(panel.id)}
            </header>
            <div class="kg-panel-body">
                {move || {
                    let panel = panel_for_body.clone();
                    match body.get() {
                        Body::Message(class, text) => view! { <div class=format!("kg-panel-message {class}")>{text}</div> }.into_any(),
                        Body::Chart => chart(visualization, panel, data, text_html),
                    }
                }}
            </div>
        </section>
    }
}

/// A text panel's "query": its content rendered by the server, once.
fn render_text(panel: &Panel, status: RwSignal<PanelStatus>, html: RwSignal<Option<String>>) {
    let req = kubeglass_shared::api::RenderTextRequest {
        mode: panel.option_str("/mode").map(str::to_owned),
        content: panel.option_str("/content").unwrap_or_default().to_owned(),
    };
    status.set(PanelStatus::Loading);
    spawn_local(async move {
        match crate::api::render_text(&req).await {
            Ok(h) => {
                html.try_set(Some(h));
                status.try_set(PanelStatus::Ok);
            }
            Err(e) => {
                status.try_set(PanelStatus::Error(e));
            }
        }
    });
}

/// The visualisation of a panel that has data. The cluster app (see `routes`) shows only its
/// CPU and memory time series, so it is built without the other panel types' code.
#[cfg(feature = "dashboards")]
fn chart(
    visualization: Option<Visualization>,
    panel: Arc<Panel>,
    data: RwSignal<Option<Arc<PanelData>>>,
    text_html: RwSignal<Option<String>>,
) -> AnyView {
    match visualization {
        Some(Visualization::Stat) => view! { <Stat panel=panel data=data /> }.into_any(),
        Some(Visualization::Table) => view! { <TablePanel panel=panel data=data /> }.into_any(),
        Some(Visualization::Gauge) => view! { <Gauge panel=panel data=data /> }.into_any(),
        Some(Visualization::BarGauge) => view! { <BarGauge panel=panel data=data /> }.into_any(),
        Some(Visualization::PieChart) => view! { <PieChart panel=panel data=data /> }.into_any(),
        Some(Visualization::Text) => view! { <TextPanel html=text_html /> }.into_any(),
        Some(Visualization::Heatmap) => view! { <Heatmap panel=panel data=data /> }.into_any(),
        _ => view! { <TimeSeries panel=panel data=data /> }.into_any(),
    }
}

#[cfg(not(feature = "dashboards"))]
fn chart(
    _: Option<Visualization>,
    panel: Arc<Panel>,
    data: RwSignal<Option<Arc<PanelData>>>,
    _: RwSignal<Option<String>>,
) -> AnyView {
    view! { <TimeSeries panel=panel data=data /> }.into_any()
}

/// The panel's share menu (links and embedding), on dashboards only.
#[cfg(feature = "dashboards")]
fn share_button(panel_id: i64) -> AnyView {
    view! { <crate::components::share::ShareButton panel_id=panel_id /> }.into_any()
}

#[cfg(not(feature = "dashboards"))]
fn share_button(_: i64) -> AnyView {
    ().into_any()
}
