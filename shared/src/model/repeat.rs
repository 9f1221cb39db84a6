//! Repeated panels and rows (`repeat`, `repeatDirection`, `maxPerRow`), laid out as Grafana's
//! dashboard model does: one copy per selected value of the variable (every option when All
//! is selected), each copy seeing the variable set to its one value.
//!
//! - A panel repeated across (`h`, the default) fills rows of at most `maxPerRow` (default 4)
//!   copies from the left edge, each `24 / copies per row` wide; one repeated down (`v`)
//!   stacks its copies under each other with the panel's own `x` and width.
//! - A repeated row is copied with the panels under it (or, when collapsed, the panels it
//!   holds), each copy below the last.
//! - Whatever is below a repeat moves down by the height the copies add.
//! - The first copy keeps the panel's id; the others get ids above every id in the dashboard.

use crate::model::template::Scope;
use crate::model::{Panel, ScopedVar};

/// The columns of the dashboard grid.
const GRID_COLUMNS: u32 = 24;
/// Copies a panel or row is repeated into at most; values past it are left out.
pub const MAX_COPIES: usize = 200;

/// The values a panel repeated over `name` is copied for: `(value, text)` pairs, none when the
/// variable is unknown or has no value.
fn repeat_values(name: &str, scope: &Scope) -> Vec<(String, String)> {
    let Some(v) = scope.get(name) else {
        return Vec::new();
    };
    v.values
        .iter()
        .enumerate()
        .take(MAX_COPIES)
        .map(|(i, value)| {
            let text = if v.texts.len() == v.values.len() {
                v.texts[i].clone()
            } else {
                value.clone()
            };
            (value.clone(), text)
        })
        .collect()
}

fn max_id(panels: &[Panel]) -> i64 {
    panels
        .iter()
        .map(|p| p.id.max(max_id(&p.panels)))
        .max()
        .unwrap_or(0)
}

fn renumber(p: &mut Panel, next_id: &mut i64) {
    p.id = *next_id;
    *next_id += 1;
    for c in &mut p.panels {
        renumber(c, next_id);
    }
}

fn with_scoped(p: &Panel, scoped: &[ScopedVar]) -> Panel {
    let mut p = p.clone();
    for s in scoped {
        p.scoped_vars.retain(|v| v.name != s.name);
        p.scoped_vars.push(s.clone());
    }
    for c in &mut p.panels {
        *c = with_scoped(c, scoped);
    }
    p
}

/// The panels of one section (no rows among them), sorted by position, with their own
/// repeats expanded and `scoped` set on each; positions stay in the section's frame.
fn expand_group(
    members: &[&Panel],
    scope: &Scope,
    scoped: &[ScopedVar],
    next_id: &mut i64,
) -> Vec<Panel> {
    // (original y from which panels move down, by how many grid rows)
    let mut shifts: Vec<(u32, u32)> = Vec::new();
    let mut out = Vec::new();
    for p in members {
        let dy: u32 = shifts
            .iter()
            .filter(|(from, _)| p.grid.y >= *from)
            .map(|(_, by)| *by)
            .sum();
        let mut base = with_scoped(p, scoped);
        base.grid.y += dy;
        let values = p
            .repeat
            .as_deref()
            .map(|name| repeat_values(name, scope))
            .unwrap_or_default();
        if values.is_empty() {
            out.push(base);
            continue;
        }
        let name = p.repeat.clone().unwrap_or_default();
        let n = values.len() as u32;
        let per_row = p.max_per_row.unwrap_or(4).clamp(1, GRID_COLUMNS).min(n);
        for (i, (value, text)) in values.into_iter().enumerate() {
            let i = i as u32;
            let mut copy = with_scoped(
                &base,
                &[ScopedVar {
                    name: name.clone(),
                    value,
                    text,
                }],
            );
            if i > 0 {
                renumber(&mut copy, next_id);
            }
            if p.repeat_vertical {
                copy.grid.y = base.grid.y + i * base.grid.h;
            } else {
                // The remainder of 24 / copies spread over the row, so that it is filled.
                let col = i % per_row;
                let x = col * GRID_COLUMNS / per_row;
                copy.grid.x = x;
                copy.grid.w = ((col + 1) * GRID_COLUMNS / per_row - x).max(1);
                copy.grid.y = base.grid.y + (i / per_row) * base.grid.h;
            }
            out.push(copy);
        }
        let extra_rows = if p.repeat_vertical {
            n - 1
        } else {
            n.div_ceil(per_row) - 1
        };
        if extra_rows > 0 {
            shifts.push((p.grid.y + p.grid.h, extra_rows * p.grid.h));
        }
    }
    out
}

/// The lowest edge of `panels` (`from` when there are none).
fn bottom(panels: &[Panel], from: u32) -> u32 {
    panels
        .iter()
        .map(|p| p.grid.y + p.grid.h)
        .max()
        .unwrap_or(from)
        .max(from)
}

/// The dashboard's panels with every repeat expanded for the variables' values in `scope`.
/// Copies carry their value in [`Panel::scoped_vars`], which
/// [`crate::model::template::state::interpolate_panel`] applies.
pub fn expand(panels: &[Panel], scope: &Scope) -> Vec<Panel> {
    if !panels
        .iter()
        .any(|p| p.repeat.is_some() || p.panels.iter().any(|c| c.repeat.is_some()))
    {
        return panels.to_vec();
    }
    let mut next_id = max_id(panels) + 1;
    let mut sorted: Vec<&Panel> = panels.iter().collect();
    crate::sort::sort_by_key(&mut sorted, |p| (p.grid.y, p.grid.x));
    // Sections: an optional row, then the top-level panels up to the next row.
    let mut sections: Vec<(Option<&Panel>, Vec<&Panel>)> = vec![(None, Vec::new())];
    for p in sorted {
        if p.is_row() {
            sections.push((Some(p), Vec::new()));
        } else if let Some(last) = sections.last_mut() {
            last.1.push(p);
        }
    }
    let mut out = Vec::new();
    // How far everything from the current section down has moved.
    let mut shift = 0u32;
    for (row, members) in sections {
        let Some(row) = row else {
            let top = members.iter().map(|p| p.grid.y).min().unwrap_or(0);
            let before = bottom(
                &members.iter().map(|p| (*p).clone()).collect::<Vec<_>>(),
                top,
            );
            let group = expand_group(&members, scope, &[], &mut next_id);
            let after = bottom(&group, top);
            out.extend(group.into_iter().map(|mut p| {
                p.grid.y += shift;
                p
            }));
            shift += after - before;
            continue;
        };
        let values = row
            .repeat
            .as_deref()
            .map(|name| repeat_values(name, scope))
            .unwrap_or_default();
        // A collapsed row owns only the panels it holds; any panels after it follow its copies.
        let (owned, after): (Vec<&Panel>, Vec<&Panel>) = if row.collapsed {
            (Vec::new(), members)
        } else {
            (members, Vec::new())
        };
        let original_bottom = bottom(
            &owned.iter().map(|p| (*p).clone()).collect::<Vec<_>>(),
            row.grid.y + 1,
        );
        let copies: Vec<Vec<ScopedVar>> = if values.is_empty() {
            vec![Vec::new()]
        } else {
            let name = row.repeat.clone().unwrap_or_default();
            values
                .into_iter()
                .map(|(value, text)| {
                    vec![ScopedVar {
                        name: name.clone(),
                        value,
                        text,
                    }]
                })
                .collect()
        };
        let mut height = 0;
        for (i, scoped) in copies.iter().enumerate() {
            let mut r = with_scoped(row, scoped);
            let mut nested: Vec<&Panel> = row.panels.iter().collect();
            crate::sort::sort_by_key(&mut nested, |p| (p.grid.y, p.grid.x));
            r.panels = expand_group(&nested, scope, scoped, &mut next_id);
            let mut group = expand_group(&owned, scope, scoped, &mut next_id);
            if i > 0 {
                renumber(&mut r, &mut next_id);
                for p in &mut group {
                    renumber(p, &mut next_id);
                }
            }
            if i == 0 {
                height = bottom(&group, row.grid.y + 1) - row.grid.y;
            }
            let dy = shift + i as u32 * height;
            r.grid.y += dy;
            out.push(r);
            out.extend(group.into_iter().map(|mut p| {
                p.grid.y += dy;
                p
            }));
        }
        shift += copies.len() as u32 * height - (original_bottom - row.grid.y);
        if !after.is_empty() {
            let top = after.iter().map(|p| p.grid.y).min().unwrap_or(0);
            let before = bottom(&after.iter().map(|p| (*p).clone()).collect::<Vec<_>>(), top);
            let group = expand_group(&after, scope, &[], &mut next_id);
            let grown = bottom(&group, top);
            out.extend(group.into_iter().map(|mut p| {
                p.grid.y += shift;
                p
            }));
            shift += grown - before;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::template::state::interpolate_panel;
    use crate::model::template::ScopeValue;
    use crate::model::{Dashboard, GridPos};
    use serde_json::{json, Value};

    fn panels(v: Value) -> Vec<Panel> {
        Dashboard::from_json(&json!({"title": "A", "panels": v})).panels
    }

    fn scope(name: &str, values: &[&str]) -> Scope {
        let mut s = Scope::new();
        s.set(
            name,
            ScopeValue {
                values: values.iter().map(|v| v.to_string()).collect(),
                texts: values.iter().map(|v| v.to_string()).collect(),
                multi: true,
                ..ScopeValue::default()
            },
        );
        s
    }

    fn grid(p: &Panel) -> (u32, u32, u32, u32) {
        (p.grid.x, p.grid.y, p.grid.w, p.grid.h)
    }

    fn by_y(mut ps: Vec<Panel>) -> Vec<Panel> {
        ps.sort_by_key(|p| (p.grid.y, p.grid.x));
        ps
    }

    #[test]
    fn horizontal_repeats_fill_rows_of_max_per_row() {
        // Grafana docs, "Repeat panels": copies are 24 / count wide up to maxPerRow a row.
        let ps = panels(json!([
            {"id": 1, "type": "stat", "title": "CPU $node", "repeat": "node",
             "gridPos": {"x": 6, "y": 0, "w": 8, "h": 4},
             "targets": [{"expr": "up{instance=\"$node\"}"}]},
            {"id": 2, "type": "timeseries", "gridPos": {"x": 0, "y": 4, "w": 24, "h": 8}}]));
        let out = by_y(expand(&ps, &scope("node", &["a", "b", "c"])));
        assert_eq!(out.len(), 4);
        assert_eq!(
            out[..3].iter().map(grid).collect::<Vec<_>>(),
            vec![(0, 0, 8, 4), (8, 0, 8, 4), (16, 0, 8, 4)]
        );
        assert_eq!(grid(&out[3]), (0, 4, 24, 8), "one row used: nothing moves");
        // Six values, four a row: two rows of copies 6 wide; the panel below moves one row down.
        let out = by_y(expand(&ps, &scope("node", &["a", "b", "c", "d", "e", "f"])));
        assert_eq!(
            out[..6].iter().map(grid).collect::<Vec<_>>(),
            vec![
                (0, 0, 6, 4),
                (6, 0, 6, 4),
                (12, 0, 6, 4),
                (18, 0, 6, 4),
                (0, 4, 6, 4),
                (6, 4, 6, 4)
            ]
        );
        assert_eq!(grid(&out[6]), (0, 8, 24, 8));
        // Ids unique; the first copy keeps the panel's.
        let mut ids: Vec<i64> = out.iter().map(|p| p.id).collect();
        assert_eq!(out[0].id, 1);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 7);
        // Each copy sees its own value.
        let s = scope("node", &["a", "b", "c", "d", "e", "f"]);
        let shown = interpolate_panel(&out[1], &s);
        assert_eq!(shown.title, "CPU b");
        assert_eq!(shown.targets[0].expr, "up{instance=\"b\"}");
        assert_eq!(
            interpolate_panel(&out[6], &s).title,
            "",
            "the panel below is not a copy"
        );
    }

    #[test]
    fn max_per_row_and_uneven_widths() {
        let ps = panels(
            json!([{"id": 1, "type": "stat", "repeat": "v", "maxPerRow": 5,
            "gridPos": {"x": 0, "y": 0, "w": 4, "h": 3}}]),
        );
        let out = by_y(expand(&ps, &scope("v", &["1", "2", "3", "4", "5"])));
        let widths: Vec<u32> = out.iter().map(|p| p.grid.w).collect();
        assert_eq!(widths.iter().sum::<u32>(), 24, "the row is filled");
        assert!(widths.iter().all(|w| *w == 4 || *w == 5), "{widths:?}");
        assert!(out.iter().all(|p| p.grid.y == 0));
    }

    #[test]
    fn vertical_repeats_stack_and_push_down() {
        let ps = panels(json!([
            {"id": 1, "type": "gauge", "repeat": "v", "repeatDirection": "v",
             "gridPos": {"x": 12, "y": 2, "w": 12, "h": 5}},
            {"id": 2, "type": "gauge", "gridPos": {"x": 0, "y": 2, "w": 12, "h": 5}},
            {"id": 3, "type": "gauge", "gridPos": {"x": 0, "y": 7, "w": 24, "h": 5}}]));
        let out = expand(&ps, &scope("v", &["x", "y", "z"]));
        let find = |id: i64| out.iter().find(|p| p.id == id).unwrap();
        assert_eq!(grid(find(1)), (12, 2, 12, 5));
        let copies: Vec<_> = out
            .iter()
            .filter(|p| p.kind == "gauge" && p.grid.x == 12)
            .map(grid)
            .collect();
        assert_eq!(
            copies,
            vec![(12, 2, 12, 5), (12, 7, 12, 5), (12, 12, 12, 5)]
        );
        assert_eq!(grid(find(2)), (0, 2, 12, 5), "beside the repeat: stays");
        assert_eq!(
            grid(find(3)),
            (0, 17, 24, 5),
            "below: moves down two copies"
        );
    }

    #[test]
    fn rows_repeat_with_their_panels() {
        let ps = panels(json!([
            {"id": 1, "type": "row", "title": "Node $node", "repeat": "node",
             "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}},
            {"id": 2, "type": "stat", "title": "up $node", "gridPos": {"x": 0, "y": 1, "w": 12, "h": 4}},
            {"id": 3, "type": "row", "title": "Other", "gridPos": {"x": 0, "y": 5, "w": 24, "h": 1}},
            {"id": 4, "type": "stat", "gridPos": {"x": 0, "y": 6, "w": 12, "h": 4}}]));
        let s = scope("node", &["n1", "n2"]);
        let out = by_y(expand(&ps, &s));
        let shown: Vec<(String, u32)> = out
            .iter()
            .map(|p| (interpolate_panel(p, &s).title, p.grid.y))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("Node n1".to_string(), 0),
                ("up n1".to_string(), 1),
                ("Node n2".to_string(), 5),
                ("up n2".to_string(), 6),
                ("Other".to_string(), 10),
                (String::new(), 11),
            ]
        );
        let mut ids: Vec<i64> = out.iter().map(|p| p.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 6);
        // The laid-out dashboard keeps each copy under its own row.
        let placed = crate::model::layout(&out, &[]);
        assert_eq!(placed.len(), 6);
    }

    #[test]
    fn collapsed_rows_repeat_their_panels() {
        let ps = panels(json!([
            {"id": 1, "type": "row", "title": "$ns", "repeat": "ns", "collapsed": true,
             "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1},
             "panels": [{"id": 5, "type": "stat", "title": "pods in $ns",
                          "gridPos": {"x": 0, "y": 1, "w": 24, "h": 4}}]},
            {"id": 2, "type": "row", "title": "next", "collapsed": true,
             "gridPos": {"x": 0, "y": 1, "w": 24, "h": 1}, "panels": []}]));
        let s = scope("ns", &["a", "b", "c"]);
        let out = by_y(expand(&ps, &s));
        assert_eq!(
            out.iter()
                .map(|p| (p.grid.y, interpolate_panel(p, &s).title))
                .collect::<Vec<_>>(),
            vec![
                (0, "a".to_string()),
                (1, "b".to_string()),
                (2, "c".to_string()),
                (3, "next".to_string())
            ]
        );
        let nested: Vec<String> = out[..3]
            .iter()
            .map(|r| interpolate_panel(r, &s).panels[0].title.clone())
            .collect();
        assert_eq!(nested, vec!["pods in a", "pods in b", "pods in c"]);
        let mut ids: Vec<i64> = out
            .iter()
            .flat_map(|p| std::iter::once(p.id).chain(p.panels.iter().map(|c| c.id)))
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 7);
    }

    #[test]
    fn no_value_or_no_variable_leaves_the_panel_as_it_is() {
        let ps = panels(json!([{"id": 1, "type": "stat", "repeat": "missing",
            "gridPos": {"x": 3, "y": 0, "w": 5, "h": 3}}]));
        let out = expand(&ps, &Scope::new());
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].grid,
            GridPos {
                x: 3,
                y: 0,
                w: 5,
                h: 3
            }
        );
        assert!(out[0].scoped_vars.is_empty());
    }

    #[test]
    fn all_with_a_custom_all_value_repeats_over_every_option() {
        let (vars, _) = crate::model::template::read_variables(&json!({"templating": {"list": [
            {"name": "job", "type": "custom", "query": "x,y", "includeAll": true, "allValue": ".*",
             "current": {"text": "All", "value": "$__all"}}]}}));
        let s = crate::model::template::state::scope_of(&vars, &Default::default(), 3_600_000);
        let ps = panels(json!([{"id": 1, "type": "stat", "repeat": "job",
            "targets": [{"expr": "up{job=~\"$job\"}"}]}]));
        let out = expand(&ps, &s);
        assert_eq!(out.len(), 2);
        assert_eq!(
            interpolate_panel(&out[1], &s).targets[0].expr,
            "up{job=~\"y\"}"
        );
        // A panel that is not repeated still reads All as the custom all value.
        let plain =
            panels(json!([{"id": 1, "type": "stat", "targets": [{"expr": "up{job=~\"$job\"}"}]}]));
        assert_eq!(
            interpolate_panel(&plain[0], &s).targets[0].expr,
            "up{job=~\".*\"}"
        );
    }
}
