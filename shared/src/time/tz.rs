//! Time zones, as a dashboard names them (`timezone`: `utc`, `browser`, or an IANA name such
//! as `Europe/Berlin`): the offset from UTC at an instant, and the instant of a wall-clock
//! time, with daylight saving.
//!
//! In the browser the answers come from its own `Intl` (nothing of the time zone database is
//! shipped in the WebAssembly); natively from the system's time zone database
//! (`/usr/share/zoneinfo`, Debian's `tzdata`), read with `tz-rs`. A zone that cannot be found
//! counts as UTC, as Grafana's moment-timezone does.

/// The offset of `zone` from UTC at the instant `utc_ms`, in milliseconds (positive east of
/// Greenwich: Berlin in winter is `3_600_000`).
pub fn offset_ms(zone: &str, utc_ms: i64) -> i64 {
    match zone.trim() {
        "" | "utc" | "UTC" | "Etc/UTC" | "GMT" => 0,
        zone => platform::offset_ms(zone, utc_ms),
    }
}

/// The wall-clock time in `zone` at `utc_ms`, as milliseconds since 1970-01-01 00:00 of that
/// wall clock.
pub fn to_local(zone: &str, utc_ms: i64) -> i64 {
    utc_ms.saturating_add(offset_ms(zone, utc_ms))
}

/// The instant of the wall-clock time `local_ms` in `zone`. A time that a daylight-saving
/// change skips is taken with the offset before the change (02:30 of a spring-forward night is
/// 03:30), and one it repeats at its first occurrence, as moment-timezone does.
pub fn from_local(zone: &str, local_ms: i64) -> i64 {
    let first = offset_ms(zone, local_ms);
    let second = offset_ms(zone, local_ms.saturating_sub(first));
    let candidates = [
        local_ms.saturating_sub(first),
        local_ms.saturating_sub(second),
    ];
    let valid = candidates
        .into_iter()
        .filter(|u| to_local(zone, *u) == local_ms)
        .min();
    // None is valid only in a skipped hour: take the offset before the change (the smaller
    // one, since clocks skip forward).
    valid.unwrap_or_else(|| local_ms.saturating_sub(first.min(second)))
}

#[cfg(not(target_arch = "wasm32"))]
mod platform {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};

    /// Zones read so far, by name; `None` for a name the database does not have.
    fn zone(name: &str) -> Option<Arc<tz::TimeZone>> {
        static ZONES: OnceLock<Mutex<HashMap<String, Option<Arc<tz::TimeZone>>>>> = OnceLock::new();
        let zones = ZONES.get_or_init(Default::default);
        let mut zones = zones.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(z) = zones.get(name) {
            return z.clone();
        }
        let read = if name == "browser" {
            // The machine's own zone: `TZ`, else /etc/localtime.
            tz::TimeZone::local().ok()
        } else if name.len() <= 64
            && !name.starts_with('/')
            && !name.contains("..")
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b))
        {
            tz::TimeZone::from_posix_tz(name).ok()
        } else {
            None
        };
        let read = read.map(Arc::new);
        if zones.len() < 1024 {
            zones.insert(name.to_owned(), read.clone());
        }
        read
    }

    pub fn offset_ms(name: &str, utc_ms: i64) -> i64 {
        zone(name)
            .and_then(|z| {
                z.find_local_time_type(utc_ms.div_euclid(1000))
                    .ok()
                    .map(|t| i64::from(t.ut_offset()) * 1000)
            })
            .unwrap_or(0)
    }
}

#[cfg(target_arch = "wasm32")]
mod platform {
    use js_sys::{Array, Date, Function, Intl, Object, Reflect};
    use std::cell::RefCell;
    use std::collections::HashMap;
    use wasm_bindgen::{JsCast, JsValue};

    thread_local! {
        /// A formatter per zone; `None` for a zone the browser does not know.
        static FORMATS: RefCell<HashMap<String, Option<Intl::DateTimeFormat>>> = RefCell::new(HashMap::new());
    }

    /// `new Intl.DateTimeFormat("en-US", {timeZone, ...})`, or `None` when the browser does
    /// not know the zone (the constructor throws).
    fn format_for(name: &str) -> Option<Intl::DateTimeFormat> {
        let options = Object::new();
        let set = |k: &str, v: &str| {
            let _ = Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v));
        };
        set("timeZone", name);
        set("hourCycle", "h23");
        for part in ["year", "month", "day", "hour", "minute", "second"] {
            set(part, "numeric");
        }
        let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
        let ctor: Function = Reflect::get(&intl, &JsValue::from_str("DateTimeFormat"))
            .ok()?
            .dyn_into()
            .ok()?;
        let args = Array::of2(&JsValue::from_str("en-US"), &options);
        Reflect::construct(&ctor, &args)
            .ok()
            .map(JsCast::unchecked_into)
    }

    /// The offset the browser's `Intl` gives: the wall clock it writes for the instant, read
    /// back as if it were UTC, less the instant.
    pub fn offset_ms(name: &str, utc_ms: i64) -> i64 {
        let date = Date::new(&JsValue::from_f64(utc_ms as f64));
        if name == "browser" {
            return -(date.get_timezone_offset() as i64) * 60_000;
        }
        let format = FORMATS.with(|f| {
            let mut f = f.borrow_mut();
            if f.len() > 256 {
                f.clear();
            }
            f.entry(name.to_owned())
                .or_insert_with(|| format_for(name))
                .clone()
        });
        let Some(format) = format else {
            return 0;
        };
        let mut fields = [0f64; 6];
        for part in format.format_to_parts(&date).iter() {
            let kind = Reflect::get(&part, &JsValue::from_str("type"))
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            let value: f64 = Reflect::get(&part, &JsValue::from_str("value"))
                .ok()
                .and_then(|v| v.as_string())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0);
            let i = match kind.as_str() {
                "year" => 0,
                "month" => 1,
                "day" => 2,
                "hour" => 3,
                "minute" => 4,
                "second" => 5,
                _ => continue,
            };
            fields[i] = value;
        }
        let wall = Date::utc(fields[0], fields[1] - 1.0)
            + ((fields[2] - 1.0) * 86_400.0 + fields[3] * 3_600.0 + fields[4] * 60.0 + fields[5])
                * 1000.0;
        wall as i64 - utc_ms.div_euclid(1000) * 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_daylight_saving() {
        // 2024-01-15 12:00 UTC and 2024-07-15 12:00 UTC.
        let (winter, summer) = (1_705_320_000_000, 1_721_044_800_000);
        assert_eq!(offset_ms("utc", winter), 0);
        assert_eq!(offset_ms("Europe/Berlin", winter), 3_600_000);
        assert_eq!(offset_ms("Europe/Berlin", summer), 7_200_000);
        assert_eq!(offset_ms("America/New_York", winter), -5 * 3_600_000);
        assert_eq!(offset_ms("Asia/Kolkata", summer), 19_800_000);
        assert_eq!(
            offset_ms("No/Such_Zone", summer),
            0,
            "unknown zones are UTC"
        );
        assert_eq!(offset_ms("../../etc/passwd", summer), 0);
        // Berlin's clocks went from 02:00 to 03:00 on 2024-03-31 (01:00 UTC).
        let day = 1_711_843_200_000; // 2024-03-31 00:00 as a wall clock
        assert_eq!(from_local("Europe/Berlin", day), day - 3_600_000);
        let skipped = day + 2 * 3_600_000 + 30 * 60_000; // 02:30, which did not happen
        assert_eq!(
            to_local("Europe/Berlin", from_local("Europe/Berlin", skipped)),
            skipped + 3_600_000
        );
        let after = day + 4 * 3_600_000;
        assert_eq!(from_local("Europe/Berlin", after), after - 7_200_000);
    }
}
