//! The size of an element in CSS pixels, kept current by a `ResizeObserver`.

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Watches the element behind `target` and returns its content size (width, height), updated on
/// every resize; (0, 0) until it is mounted. The observer is disconnected with the component.
pub fn element_size(target: NodeRef<Div>) -> ReadSignal<(f64, f64)> {
    let (size, set_size) = signal((0.0, 0.0));
    let observer = StoredValue::new_local(
        None::<(web_sys::ResizeObserver, Closure<dyn FnMut(js_sys::Array)>)>,
    );
    Effect::new(move |_| {
        let Some(el) = target.get() else { return };
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Ok(entry) = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>() {
                let rect = entry.content_rect();
                set_size.set((rect.width(), rect.height()));
            }
        });
        if let Ok(obs) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
            obs.observe(&el);
            observer.set_value(Some((obs, callback)));
        }
    });
    on_cleanup(move || {
        if let Some(obs) = observer
            .try_with_value(|o| o.as_ref().map(|(obs, _)| obs.clone()))
            .flatten()
        {
            obs.disconnect();
        }
    });
    size
}
