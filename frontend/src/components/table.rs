//! The table panel: the panel's series as a table (built in `shared::table`), put through the
//! panel's transformations (`shared::transform`), with per-column field config (unit, decimals,
//! display name, width, hidden, threshold colours), data links in cells, and sorting by a click
//! on a header. Transformations kubeglass cannot apply are named under the table.

use crate::components::panel::PanelData;
use crate::components::variables::VariableScope;
use kubeglass_shared::data::cell::Cell;
use kubeglass_shared::data::frame::frames_from_series;
use kubeglass_shared::data::frame::FieldKind;
use kubeglass_shared::data::table::frame_to_table;
use kubeglass_shared::data::table::{series_table, sort_rows, ColumnKind, Table};
use kubeglass_shared::data::transform::{apply, merge};
use kubeglass_shared::display::field::{field_config, CellDisplay, FieldConfig, FieldRef};
use kubeglass_shared::display::links::{safe_link_url, DataLink};
use kubeglass_shared::display::mappings::Input;
use kubeglass_shared::model::template::{interpolate_link, Scope};
use kubeglass_shared::model::Panel;
use kubeglass_shared::time::format_utc;
use leptos::prelude::*;
use std::sync::Arc;

/// A column as shown: its header, settings, data links and place in the table's rows.
#[derive(Debug, Clone, PartialEq)]
struct ShownColumn {
    index: usize,
    header: String,
    config: FieldConfig,
    links: Vec<DataLink>,
    kind: FieldKind,
    /// Its place among the columns that are not time (palette colours go by it).
    series: usize,
}

/// The table and the columns to show, computed once per answer.
#[derive(Debug, Clone, PartialEq, Default)]
struct TableView {
    table: Table,
    /// Every column's header and settings, hidden ones included (links read them).
    all: Vec<ShownColumn>,
    columns: Vec<ShownColumn>,
    /// Transformations (or options) that could not be applied.
    skipped: Vec<String>,
    /// The range the data is for: `$__from`, `$__to` and `${__url_time_range}` in links.
    range_ms: (i64, i64),
    /// The least and greatest number in the table (percent thresholds read against it).
    values: Option<(f64, f64)>,
}

/// The table the panel shows: with no transformation, one row per label set with each query's
/// value (what Grafana's `merge` makes of instant results); otherwise the panel's
/// transformations over Grafana's table frames, several frames left being merged.
fn transformed(
    panel: &Panel,
    input: &[(&str, &kubeglass_shared::data::frame::Series)],
    queries: usize,
) -> (Table, Vec<String>) {
    if panel.transformations.iter().all(|t| t.disabled) {
        return (series_table(input, queries), Vec::new());
    }
    let out = apply(frames_from_series(input, queries), &panel.transformations);
    let frames = if out.frames.len() > 1 {
        merge(out.frames)
    } else {
        out.frames
    };
    (
        frames.first().map(frame_to_table).unwrap_or_default(),
        out.skipped,
    )
}

fn table_view(panel: &Panel, data: &PanelData) -> TableView {
    let input: Vec<(&str, &kubeglass_shared::data::frame::Series)> = data
        .series
        .iter()
        .map(|s| (s.ref_id.as_str(), &s.series))
        .collect();
    let queries = panel
        .targets
        .iter()
        .filter(|t| !t.hide && !t.expr.trim().is_empty())
        .count();
    let (table, skipped) = transformed(panel, &input, queries);
    let mut series = 0;
    let all: Vec<ShownColumn> = table
        .columns
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let kind = match c.kind {
                ColumnKind::Time => FieldKind::Time,
                ColumnKind::Label => FieldKind::String,
                ColumnKind::Value => FieldKind::Number,
            };
            let field = FieldRef {
                name: &c.display,
                ref_id: &c.ref_id,
                kind,
            };
            let config = field_config(panel, field);
            let column = ShownColumn {
                index,
                header: config
                    .display_name
                    .clone()
                    .unwrap_or_else(|| c.display.clone()),
                links: config.links(),
                config,
                kind,
                series,
            };
            if kind != FieldKind::Time {
                series += 1;
            }
            column
        })
        .collect();
    let values =
        kubeglass_shared::display::range_of(table.rows.iter().flatten().filter_map(|c| match c {
            Cell::Number(v) => Some(*v),
            _ => None,
        }));
    let columns = all.iter().filter(|c| !c.config.hidden()).cloned().collect();
    TableView {
        table,
        all,
        columns,
        skipped,
        range_ms: (data.range.from_ms, data.range.to_ms),
        values,
    }
}

/// A cell's value as Grafana's `${__value.raw}` writes it.
fn raw_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) => t.clone(),
        Cell::Number(v) => v.to_string(),
        Cell::Time(t) => t.to_string(),
    }
}

/// The first link of a cell, interpolated for its row, if its URL is one a link may have.
fn cell_link(
    view: &TableView,
    scope: &Scope,
    row: &[Cell],
    column: &ShownColumn,
) -> Option<(String, String, bool)> {
    let link = column.links.first()?;
    let find = |name: &str| {
        view.all
            .iter()
            .position(|c| c.header == name)
            .or_else(|| {
                view.table
                    .columns
                    .iter()
                    .position(|c| c.display == name || c.name == name)
            })
            .or_else(|| name.parse::<usize>().ok().filter(|i| *i < row.len()))
    };
    let shown = |i: usize| render_cell(&row[i], &view.all[i], view.values).0;
    let cell = &row[column.index];
    let lookup = |name: &str, path: Option<&str>| -> Option<String> {
        match (name, path) {
            ("__data", Some(p)) => p.strip_prefix("fields.").and_then(find).map(shown),
            ("__value", Some("raw")) => Some(raw_text(cell)),
            ("__value", Some("text")) | ("__cell", None) => Some(shown(column.index)),
            ("__value", Some("numeric")) => match cell {
                Cell::Number(v) => Some(v.to_string()),
                _ => None,
            },
            ("__value", Some("time")) => row.iter().find_map(|c| match c {
                Cell::Time(t) => Some(t.to_string()),
                _ => None,
            }),
            ("__field", Some("name" | "displayName")) | ("__series", Some("name")) => {
                Some(column.header.clone())
            }
            // Table frames carry labels as columns: a label is the row's column of that name.
            ("__field", Some(p)) => p
                .strip_prefix("labels.")
                .and_then(find)
                .map(|i| raw_text(&row[i])),
            (n, None) => n
                .strip_prefix("__cell_")
                .and_then(|i| i.parse::<usize>().ok())
                .filter(|i| *i < row.len())
                .map(|i| raw_text(&row[i])),
            _ => None,
        }
    };
    let url = safe_link_url(&interpolate_link(&link.url, scope, &lookup))?;
    let title = interpolate_link(&link.title, scope, &lookup);
    Some((url, title, link.target_blank))
}

/// A cell's text and inline style: Grafana's display processor for its column (`values`: the
/// table's range of numbers), the colour applied as the column's cell display asks.
fn render_cell(cell: &Cell, column: &ShownColumn, values: Option<(f64, f64)>) -> (String, String) {
    if let Cell::Time(t) = cell {
        return (format_utc(*t), String::new());
    }
    let p = column
        .config
        .processor(column.kind, values, column.series, &column.header);
    let shown = p.show(match cell {
        Cell::Number(v) => Input::Number(*v),
        Cell::Text(t) => Input::Text(t),
        _ => Input::Null,
    });
    let style = match column.config.cell_display() {
        CellDisplay::Auto => String::new(),
        CellDisplay::ColorText => format!("color:{}", shown.color),
        CellDisplay::ColorBackground => format!("background:{};color:#fff", shown.color),
    };
    (shown.to_string(), style)
}

/// The initial sort: `options.sortBy[0]` (`{displayName, desc}`).
fn initial_sort(panel: &Panel) -> Option<(String, bool)> {
    let first = panel.options.pointer("/sortBy/0")?;
    let name = first.get("displayName")?.as_str()?.to_string();
    let desc = first.get("desc").and_then(|d| d.as_bool()).unwrap_or(false);
    Some((name, desc))
}

#[component]
pub fn TablePanel(panel: Arc<Panel>, data: RwSignal<Option<Arc<PanelData>>>) -> impl IntoView {
    let show_header = panel
        .options
        .get("showHeader")
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    // The column sorted by (its header) and whether descending; `None` keeps the data order.
    let sort = RwSignal::new(initial_sort(&panel));
    let variables = use_context::<VariableScope>();
    let view_data = Memo::new(move |_| {
        data.with(|d| {
            d.as_ref()
                .map(|d| table_view(&panel, d))
                .unwrap_or_default()
        })
    });
    let rows = Memo::new(move |_| {
        view_data.with(|v| {
            let mut rows = v.table.rows.clone();
            if let Some((name, desc)) = sort.get() {
                if let Some(c) = v.columns.iter().find(|c| c.header == name) {
                    sort_rows(&mut rows, c.index, desc);
                }
            }
            rows
        })
    });
    // Grafana's cycle on a header click: ascending, descending, unsorted.
    let click = move |header: String| {
        sort.update(|s| {
            *s = match s.take() {
                Some((n, false)) if n == header => Some((n, true)),
                Some((n, true)) if n == header => None,
                _ => Some((header, false)),
            }
        })
    };
    view! {
        <div class="kg-table-wrap">
            <table class="kg-table">
                {show_header.then(|| view! {
                    <thead>
                        <tr>
                            {move || {
                                view_data
                                    .with(|v| v.columns.clone())
                                    .into_iter()
                                    .map(|c| {
                                        let header = c.header.clone();
                                        let for_click = header.clone();
                                        let for_arrow = header.clone();
                                        let style = c
                                            .config
                                            .width()
                                            .map(|w| format!("width:{w}px;min-width:{w}px"))
                                            .unwrap_or_default();
                                        let numeric = view_data
                                            .with(|v| v.table.columns[c.index].kind == ColumnKind::Value);
                                        view! {
                                            <th
                                                style=style
                                                class:kg-num=numeric
                                                on:click=move |_| click(for_click.clone())
                                            >
                                                {header}
                                                {move || match sort.get() {
                                                    Some((n, desc)) if n == for_arrow => if desc { " ↓" } else { " ↑" },
                                                    _ => "",
                                                }}
                                            </th>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </tr>
                    </thead>
                })}
                <tbody>
                    {move || {
                        let view = view_data.get();
                        let (from, to) = view.range_ms;
                        let values = view.values;
                        let scope = variables
                            .and_then(|VariableScope(s)| s.get())
                            .unwrap_or_default()
                            .with_builtins(from, to, "");
                        let kinds: Vec<ColumnKind> =
                            view.columns.iter().map(|c| view.table.columns[c.index].kind).collect();
                        rows.get()
                            .into_iter()
                            .map(|row| {
                                view.columns
                                    .iter()
                                    .zip(&kinds)
                                    .map(|(c, kind)| {
                                        let (text, style) = render_cell(&row[c.index], &c, values);
                                        let numeric = *kind == ColumnKind::Value;
                                        let content = match cell_link(&view, &scope, &row, c) {
                                            Some((href, title, blank)) => view! {
                                                <a
                                                    class="kg-table-link"
                                                    href=href
                                                    title=title
                                                    target=blank.then_some("_blank")
                                                    rel=blank.then_some("noopener noreferrer")
                                                >
                                                    {text}
                                                </a>
                                            }
                                            .into_any(),
                                            None => text.into_any(),
                                        };
                                        view! { <td style=style class:kg-num=numeric>{content}</td> }
                                    })
                                    .collect_view()
                            })
                            .map(|cells| view! { <tr>{cells}</tr> })
                            .collect_view()
                    }}
                </tbody>
            </table>
            {move || {
                let skipped = view_data.with(|v| v.skipped.clone());
                (!skipped.is_empty()).then(|| view! {
                    <p class="kg-table-skipped" data-skipped=skipped.join("; ")>
                        {format!("Not applied: {}", skipped.join(", "))}
                    </p>
                })
            }}
        </div>
    }
}
