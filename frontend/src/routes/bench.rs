//! `/bench/render?points=N&series=S&runs=R`: the renderer benchmark of `cargo xtask bench`. It
//! draws S series of N points onto a 1200×300 canvas with the time series panel's own
//! renderer, R times, and writes each draw's time (milliseconds, the drawing flushed to pixels)
//! into `#kg-bench-render[data-times]`. The generated data is left on `window.__kgBench` (x in
//! seconds, one `Float64Array` per series) so that another chart library on the same page draws
//! exactly the same points.

use crate::components::panel::{NamedSeries, PanelData};
use crate::components::timeseries::draw;
use kubeglass_shared::data::frame::Series;
use kubeglass_shared::model::Panel;
use kubeglass_shared::time::ResolvedRange;
use leptos::html::Canvas;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use wasm_bindgen::{JsCast, JsValue};

/// Bounds of the page's parameters: enough for the benchmark, not enough to hang a tab.
const MAX_POINTS: usize = 2_000_000;
const MAX_SERIES: usize = 100;
const MAX_TOTAL: usize = 4_000_000;
const MAX_RUNS: usize = 50;
pub const WIDTH: f64 = 1200.0;
pub const HEIGHT: f64 = 300.0;
/// The first sample's time and the step between samples.
const START_MS: i64 = 1_700_000_000_000;
const STEP_MS: i64 = 1_000;

/// The benchmark's parameters, validated.
fn params(
    points: Option<String>,
    series: Option<String>,
    runs: Option<String>,
) -> Result<(usize, usize, usize), String> {
    let read =
        |name: &str, v: Option<String>, default: usize, max: usize| -> Result<usize, String> {
            match v {
                None => Ok(default),
                Some(v) => match v.trim().parse::<usize>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(n),
                    _ => Err(format!(
                        "`{name}` must be a whole number from 1 to {max}, not `{v}`"
                    )),
                },
            }
        };
    let points = read("points", points, 10_000, MAX_POINTS)?;
    let series = read("series", series, 1, MAX_SERIES)?;
    let runs = read("runs", runs, 5, MAX_RUNS)?;
    if points * series > MAX_TOTAL {
        return Err(format!("points × series must be at most {MAX_TOTAL}"));
    }
    Ok((points, series, runs))
}

/// A noisy wave per series, the same on every run: a small linear congruential generator.
fn generate(points: usize, series: usize) -> PanelData {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let series = (0..series)
        .map(|k| {
            let points = (0..points)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let noise = (seed >> 11) as f64 / (1u64 << 53) as f64;
                    let x = i as f64 / points as f64;
                    let v = 50.0 + 30.0 * (x * 12.0 + k as f64).sin() + 10.0 * noise + k as f64;
                    (START_MS + i as i64 * STEP_MS, v)
                })
                .collect();
            NamedSeries {
                name: format!("series {k}"),
                ref_id: "A".into(),
                series: Series {
                    labels: Default::default(),
                    points,
                },
            }
        })
        .collect();
    PanelData {
        series,
        range: ResolvedRange {
            from_ms: START_MS,
            to_ms: START_MS + (points.max(2) as i64 - 1) * STEP_MS,
        },
        step_ms: STEP_MS,
    }
}

/// Puts the data on `window.__kgBench` as `{x: Float64Array, y: [Float64Array, ...]}`.
fn expose(data: &PanelData) -> Result<(), JsValue> {
    let first = data
        .series
        .first()
        .map(|s| s.series.points.as_slice())
        .unwrap_or_default();
    let x: Vec<f64> = first.iter().map(|(t, _)| *t as f64 / 1000.0).collect();
    let ys = js_sys::Array::new();
    for s in &data.series {
        let y: Vec<f64> = s.series.points.iter().map(|(_, v)| *v).collect();
        ys.push(&js_sys::Float64Array::from(y.as_slice()));
    }
    let obj = js_sys::Object::new();
    js_sys::Reflect::set(&obj, &"x".into(), &js_sys::Float64Array::from(x.as_slice()))?;
    js_sys::Reflect::set(&obj, &"y".into(), &ys)?;
    js_sys::Reflect::set(&window(), &"__kgBench".into(), &obj)?;
    Ok(())
}

/// `performance.now()`, without a web-sys feature for it.
fn now_ms() -> f64 {
    js_sys::Reflect::get(&window(), &"performance".into())
        .and_then(|p| {
            let now: js_sys::Function = js_sys::Reflect::get(&p, &"now".into())?.dyn_into()?;
            now.call0(&p)
        })
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

/// Reads one pixel back, which makes the browser finish drawing the canvas: what is timed is
/// the drawing, not only the recording of drawing commands.
fn flush(canvas: &web_sys::HtmlCanvasElement) {
    let Ok(Some(ctx)) = canvas.get_context("2d") else {
        return;
    };
    if let Ok(f) = js_sys::Reflect::get(&ctx, &"getImageData".into()) {
        if let Ok(f) = f.dyn_into::<js_sys::Function>() {
            let one = JsValue::from(1);
            let zero = JsValue::from(0);
            let args = js_sys::Array::of4(&zero, &zero, &one, &one);
            let _ = f.apply(&ctx, &args);
        }
    }
}

#[component]
pub fn BenchRender() -> impl IntoView {
    let query = use_query_map();
    let parsed = query.with_untracked(|q| params(q.get("points"), q.get("series"), q.get("runs")));
    let canvas_ref = NodeRef::<Canvas>::new();
    let times = RwSignal::new(None::<Result<String, String>>);
    let (points, series, runs) = match parsed {
        Ok(p) => p,
        Err(e) => {
            return view! { <p class="kg-error" id="kg-bench-error">{e}</p> }.into_any();
        }
    };
    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        if times.get_untracked().is_some() {
            return;
        }
        let data = generate(points, series);
        if let Err(e) = expose(&data) {
            times.set(Some(Err(format!("{e:?}"))));
            return;
        }
        let panel = Panel {
            kind: "timeseries".into(),
            ..Default::default()
        };
        let mut out = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t0 = now_ms();
            if draw(&canvas, (WIDTH, HEIGHT), &data, &panel, false).is_none() {
                times.set(Some(Err("the renderer drew nothing".into())));
                return;
            }
            flush(&canvas);
            out.push(format!("{:.3}", now_ms() - t0));
        }
        times.set(Some(Ok(out.join(","))));
    });
    view! {
        <div class="kg-bench">
            <div style=format!("width:{WIDTH}px;height:{HEIGHT}px")>
                <canvas node_ref=canvas_ref style=format!("width:{WIDTH}px;height:{HEIGHT}px")></canvas>
            </div>
            <div id="kg-bench-uplot"></div>
            {move || match times.get() {
                None => view! { <p id="kg-bench-render" data-state="loading">"drawing…"</p> }.into_any(),
                Some(Ok(t)) => view! { <p id="kg-bench-render" data-state="ok" data-times=t.clone()>{format!("{points} points × {series} series: {t} ms")}</p> }.into_any(),
                Some(Err(e)) => view! { <p id="kg-bench-render" class="kg-error" data-state="error">{e}</p> }.into_any(),
            }}
        </div>
    }
    .into_any()
}
