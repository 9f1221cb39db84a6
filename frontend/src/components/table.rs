//! The table panel: the panel's series as a table (built in `shared::table`), with the
//! panel's `organize` transformation, per-column field config (unit, decimals, display name,
//! width, hidden, threshold colours) and sorting by a click on a header.

use crate::components::panel::PanelData;
use kubeglass_shared::colors::css_color;
use kubeglass_shared::field::{field_config, CellDisplay, FieldConfig, FieldRef, FieldType};
use kubeglass_shared::mappings::{display_empty, display_number, display_text};
use kubeglass_shared::model::Panel;
use kubeglass_shared::table::{organize, series_table, sort_rows, Cell, ColumnKind, Table};
use kubeglass_shared::time::format_utc;
use leptos::prelude::*;
use std::sync::Arc;

/// A column as shown: its header, settings and place in the table's rows.
#[derive(Debug, Clone, PartialEq)]
struct ShownColumn {
    index: usize,
    header: String,
    config: FieldConfig,
}

/// The table and the columns to show, computed once per answer.
#[derive(Debug, Clone, PartialEq, Default)]
struct TableView {
    table: Table,
    columns: Vec<ShownColumn>,
}

/// Transformations the table applies itself. `merge`, `seriesToColumns`, `joinByField` and
/// `labelsToFields` are what [`series_table`] does already; others are not applied yet.
fn transform(panel: &Panel, mut table: Table) -> Table {
    for t in panel.transformations.iter().filter(|t| !t.disabled) {
        if t.id == "organize" {
            table = organize(table, &t.options);
        }
    }
    table
}

fn table_view(panel: &Panel, data: &PanelData) -> TableView {
    let input: Vec<(&str, &kubeglass_shared::frame::Series)> = data
        .series
        .iter()
        .map(|s| (s.ref_id.as_str(), &s.series))
        .collect();
    let queries = panel
        .targets
        .iter()
        .filter(|t| !t.hide && !t.expr.trim().is_empty())
        .count();
    let table = transform(panel, series_table(&input, queries));
    let columns = table
        .columns
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let config = field_config(
                panel,
                FieldRef {
                    name: &c.display,
                    ref_id: &c.ref_id,
                    kind: match c.kind {
                        ColumnKind::Time => FieldType::Time,
                        ColumnKind::Label => FieldType::String,
                        ColumnKind::Value => FieldType::Number,
                    },
                },
            );
            ShownColumn {
                index,
                header: config
                    .display_name
                    .clone()
                    .unwrap_or_else(|| c.display.clone()),
                config,
            }
        })
        .filter(|c| !c.config.hidden())
        .collect();
    TableView { table, columns }
}

/// A cell's text and inline style.
fn render_cell(cell: &Cell, config: &FieldConfig) -> (String, String) {
    match cell {
        Cell::Time(t) => (format_utc(*t), String::new()),
        Cell::Empty | Cell::Text(_) | Cell::Number(_) => {
            let d = &config.defaults;
            let shown = match cell {
                Cell::Number(v) => display_number(d, Some(*v), |v| {
                    Some(config.color_of(v).unwrap_or("green").to_string())
                }),
                Cell::Text(t) => display_text(d, t),
                _ => display_empty(d),
            };
            let style = match (config.cell_display(), shown.color) {
                (CellDisplay::Auto, _) | (_, None) => String::new(),
                (CellDisplay::ColorText, Some(c)) => format!("color:{}", css_color(&c)),
                (CellDisplay::ColorBackground, Some(c)) => {
                    format!("background:{};color:#fff", css_color(&c))
                }
            };
            (shown.text, style)
        }
    }
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
                        let columns = view_data.with(|v| v.columns.clone());
                        let kinds: Vec<ColumnKind> =
                            view_data.with(|v| columns.iter().map(|c| v.table.columns[c.index].kind).collect());
                        rows.get()
                            .into_iter()
                            .map(|row| {
                                columns
                                    .iter()
                                    .zip(&kinds)
                                    .map(|(c, kind)| {
                                        let (text, style) = render_cell(&row[c.index], &c.config);
                                        let numeric = *kind == ColumnKind::Value;
                                        view! { <td style=style class:kg-num=numeric>{text}</td> }
                                    })
                                    .collect_view()
                            })
                            .map(|cells| view! { <tr>{cells}</tr> })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}
