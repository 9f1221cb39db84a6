//! A WebSocket that reconnects with backoff when it closes, for as long as the component that
//! opened it is shown.

use gloo_timers::callback::Timeout;
use kubeglass_shared::k8s::view::reconnect_delay_ms;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// What happens on a socket.
#[derive(Debug, Clone, PartialEq)]
pub enum SocketEvent {
    Open,
    Text(String),
    /// A binary frame: the Kubernetes endpoints send text only.
    Binary,
    /// The socket closed; it reconnects after `retry_ms` unless stopped.
    Closed {
        code: u16,
        reason: String,
        retry_ms: Option<u32>,
    },
}

type Handlers = (
    Closure<dyn FnMut(web_sys::Event)>,
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(CloseEvent)>,
);

struct Inner {
    url: String,
    reconnect: bool,
    on_event: Rc<dyn Fn(SocketEvent)>,
    ws: Option<WebSocket>,
    timer: Option<Timeout>,
    /// Closes in a row without a message in between.
    failures: u32,
    stopped: bool,
    handlers: Option<Handlers>,
}

/// A handle to a reconnecting socket; [`Socket::stop`] closes it for good.
#[derive(Clone)]
pub struct Socket(Rc<RefCell<Inner>>);

impl Socket {
    /// Opens `url` (a `ws:`/`wss:` URL) and calls `on_event` for everything that happens. With
    /// `reconnect`, a closed socket is opened again after [`reconnect_delay_ms`]. The socket
    /// is closed when the current reactive owner is cleaned up (the component goes away).
    pub fn open(url: String, reconnect: bool, on_event: impl Fn(SocketEvent) + 'static) -> Socket {
        let socket = Socket(Rc::new(RefCell::new(Inner {
            url,
            reconnect,
            on_event: Rc::new(on_event),
            ws: None,
            timer: None,
            failures: 0,
            stopped: false,
            handlers: None,
        })));
        connect(&socket.0);
        let held = StoredValue::new_local(Some(socket.clone()));
        on_cleanup(move || {
            if let Some(Some(s)) = held.try_get_value() {
                s.stop();
            }
        });
        socket
    }

    /// Closes the socket and stops reconnecting.
    pub fn stop(&self) {
        let (ws, _timer, _handlers) = {
            let mut inner = self.0.borrow_mut();
            inner.stopped = true;
            (inner.ws.take(), inner.timer.take(), inner.handlers.take())
        };
        if let Some(ws) = ws {
            ws.set_onopen(None);
            ws.set_onmessage(None);
            ws.set_onclose(None);
            let _ = ws.close();
        }
    }
}

fn emit(inner: &Rc<RefCell<Inner>>, event: SocketEvent) {
    let callback = inner.borrow().on_event.clone();
    callback(event);
}

fn connect(inner: &Rc<RefCell<Inner>>) {
    if inner.borrow().stopped {
        return;
    }
    let url = inner.borrow().url.clone();
    let ws = match WebSocket::new(&url) {
        Ok(ws) => ws,
        Err(e) => {
            let reason = e
                .as_string()
                .or_else(|| {
                    e.dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                })
                .unwrap_or_else(|| "cannot open the WebSocket".into());
            closed(inner, 0, reason);
            return;
        }
    };
    let weak: Weak<RefCell<Inner>> = Rc::downgrade(inner);
    let on_open = {
        let weak = weak.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(inner) = weak.upgrade() {
                emit(&inner, SocketEvent::Open);
            }
        })
    };
    let on_message = {
        let weak = weak.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(inner) = weak.upgrade() {
                inner.borrow_mut().failures = 0;
                let event = match e.data().as_string() {
                    Some(text) => SocketEvent::Text(text),
                    None => SocketEvent::Binary,
                };
                emit(&inner, event);
            }
        })
    };
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
        if let Some(inner) = weak.upgrade() {
            closed(&inner, e.code(), e.reason());
        }
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let mut i = inner.borrow_mut();
    i.ws = Some(ws);
    i.handlers = Some((on_open, on_message, on_close));
}

fn closed(inner: &Rc<RefCell<Inner>>, code: u16, reason: String) {
    let retry_ms = {
        let mut i = inner.borrow_mut();
        i.ws = None;
        if i.stopped {
            return;
        }
        i.failures += 1;
        i.reconnect.then(|| reconnect_delay_ms(i.failures))
    };
    if let Some(ms) = retry_ms {
        let weak = Rc::downgrade(inner);
        let timer = Timeout::new(ms, move || {
            if let Some(inner) = weak.upgrade() {
                connect(&inner);
            }
        });
        inner.borrow_mut().timer = Some(timer);
    }
    emit(
        inner,
        SocketEvent::Closed {
            code,
            reason,
            retry_ms,
        },
    );
}
