//! The time range and auto-refresh of a page, kept in the URL exactly as Grafana does
//! (`?from=now-6h&to=now&refresh=10s`), and the way components change them.

use kubeglass_shared::time::interval::parse_interval;
use kubeglass_shared::time::TimeRange;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;

/// What panels query against, shared through context by the dashboard and explore pages.
#[derive(Clone, Copy)]
pub struct TimeContext {
    /// The range from the URL, else the page's default.
    pub range: Memo<TimeRange>,
    /// The auto-refresh period from the URL (`refresh=`), else the page's default; `None` is off.
    pub refresh: Memo<Option<String>>,
    /// Bumped on every auto-refresh and on "refresh now": panels re-query when it changes.
    pub tick: RwSignal<u64>,
}

impl TimeContext {
    /// Reads the time range and refresh from the current URL, falling back to the defaults.
    pub fn from_url(default_range: TimeRange, default_refresh: Option<String>) -> TimeContext {
        let query = use_query_map();
        let range = Memo::new(move |_| {
            let q = query.read();
            let from = q
                .get("from")
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| default_range.from.clone());
            let to = q
                .get("to")
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| default_range.to.clone());
            TimeRange::new(from, to)
        });
        let refresh = Memo::new(move |_| match query.read().get("refresh") {
            Some(r) if r.is_empty() || r == "off" => None,
            Some(r) => Some(r),
            None => default_refresh.clone(),
        });
        TimeContext {
            range,
            refresh,
            tick: RwSignal::new(0),
        }
    }

    /// Re-queries every panel every `refresh` period while the page is shown.
    pub fn run_auto_refresh(self) {
        let timer = StoredValue::new_local(None::<gloo_timers::callback::Interval>);
        Effect::new(move |_| {
            let period = self
                .refresh
                .get()
                .and_then(|r| parse_interval(&r).ok())
                .filter(|ms| *ms >= 1000);
            // Dropping the previous interval cancels it.
            timer.set_value(period.map(|ms| {
                let tick = self.tick;
                gloo_timers::callback::Interval::new(ms.min(u32::MAX as i64) as u32, move || {
                    tick.update(|t| *t += 1)
                })
            }));
        });
    }
}

/// The router's navigate function, boxed so that it can be stored.
type Navigate = Box<dyn Fn(&str, NavigateOptions)>;

/// Changes query parameters of the current URL, keeping all others (`var-*`, `theme`, ...).
#[derive(Clone, Copy)]
pub struct QueryWriter {
    navigate: StoredValue<Navigate, LocalStorage>,
    query: Memo<ParamsMap>,
    path: Memo<String>,
}

impl QueryWriter {
    /// Must be created inside the router.
    pub fn new() -> QueryWriter {
        let navigate = use_navigate();
        let location = use_location();
        QueryWriter {
            navigate: StoredValue::new_local(Box::new(move |url: &str, opts: NavigateOptions| {
                navigate(url, opts)
            })),
            query: use_query_map(),
            path: Memo::new(move |_| location.pathname.get()),
        }
    }

    /// Sets (`Some`) or removes (`None`) each named parameter and navigates there.
    pub fn set(&self, changes: &[(&'static str, Option<String>)]) {
        let mut params = self.query.get_untracked();
        for (key, value) in changes {
            match value {
                Some(v) => params.replace(*key, v.clone()),
                None => {
                    params.remove(key);
                }
            }
        }
        self.go(params);
    }

    /// Sets a repeated parameter (`var-job=a&var-job=b`) to `values`; none removes it.
    pub fn set_all(&self, key: String, values: Vec<String>) {
        let mut params = self.query.get_untracked();
        params.remove(&key);
        for v in values {
            params.insert(key.clone(), v);
        }
        self.go(params);
    }

    fn go(&self, params: ParamsMap) {
        let url = format!("{}{}", self.path.get_untracked(), params.to_query_string());
        self.navigate.with_value(|nav| {
            nav(
                &url,
                NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            )
        });
    }
}
