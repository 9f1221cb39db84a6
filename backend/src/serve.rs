//! The listener: accepts connections up to a limit and serves each with hyper (HTTP/1.1 and
//! WebSocket upgrades), closing any connection that does not send a request's headers within
//! [`HEADER_TIMEOUT`]. The same timeout bounds how long a kept-alive connection may sit idle
//! between requests, so neither a client that trickles its headers nor one that opens
//! connections and sends nothing can hold them: a file descriptor is always freed within
//! the timeout.
//!
//! Past the connection limit new connections wait in the kernel's backlog until one ends,
//! rather than being accepted and starved. (A connection upgraded to a WebSocket leaves the
//! count once it is handed to its handler.) The limit is at most the process's open-files
//! limit less [`FD_RESERVE`], which upstream connections, the store and logs need.

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Service;

/// How long a client has to send a request's headers, from the moment the connection is
/// opened or becomes idle after a response.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// File descriptors kept for everything but client connections.
pub const FD_RESERVE: usize = 64;
/// How long a graceful shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The open-files limit of this process (`RLIMIT_NOFILE`, soft).
pub fn open_files_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given and reads nothing else.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then(|| limit.rlim_cur as usize)
}

/// The connections served at once: `configured`, bounded by the open-files limit.
pub fn connection_limit(configured: usize) -> usize {
    match open_files_limit() {
        Some(fds) => configured.min(fds.saturating_sub(FD_RESERVE)).max(8),
        None => configured,
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then waits up to
/// [`SHUTDOWN_GRACE`] for the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    max_connections: usize,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(max_connections));
    // Tells every connection to finish its request in flight and close.
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a little rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = match make_service.call(peer).await {
            Ok(s) => s,
            Err(never) => match never {},
        };
        let service = hyper_util::service::TowerToHyperService::new(service);
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => Some(ended),
                _ = stop.wait_for(|s| *s) => None,
            };
            let ended = match ended {
                Some(ended) => ended,
                None => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    let all = u32::try_from(max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still in flight after {} s; stopping anyway",
            SHUTDOWN_GRACE.as_secs()
        );
    }
}
