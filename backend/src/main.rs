//! `kubeglass`: serves the UI, stores dashboards and proxies read-only queries.

mod auth;
mod check;
mod config;
mod datasources;
mod embed;
mod etcd;
mod fanout;
mod http;
mod k8s;
mod metrics;
mod provisioning;
mod serve;
mod store;

use clap::Parser;
use config::{Cli, Command, Config};
use std::process::ExitCode;

fn main() -> ExitCode {
    return_freed_memory();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KUBEGLASS_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Some(Command::HashPassword) => auth::hash_password_command(),
        Some(Command::CreateToken { name, role }) => {
            http::auth::create_token_command(cli.serve, &name, &role)
        }
        Some(Command::CheckDashboard { json, files }) => check::check_dashboards(json, &files),
        Some(Command::EmbedLink {
            dashboard,
            panel,
            expires,
            vars,
            base_url,
        }) => embed::embed_link_command(
            cli.serve,
            &dashboard,
            panel,
            &expires,
            &vars,
            base_url.as_deref(),
        ),
        None => serve(cli.serve),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("kubeglass: {message}");
            ExitCode::from(2)
        }
    }
}

fn serve(args: config::ServeArgs) -> Result<ExitCode, String> {
    let config = Config::load(args).map_err(|e| e.to_string())?;
    tracing::info!(auth = ?config.auth, datasources = config.datasources.len(), data_dir = %config.data_dir.display(), "starting");
    let store = store::Store::open(&config.data_dir)?;
    match store.tokens_of_unknown_makers() {
        Ok(names) if !names.is_empty() => tracing::warn!(
            tokens = %names.join(", "),
            "API tokens made before kubeglass recorded who made them keep their role; revoke any you do not know"
        ),
        _ => {}
    }
    if let Some(dir) = &config.dashboards_dir {
        let n = provisioning::load_dashboards(&store, dir)?;
        tracing::info!(dir = %dir.display(), dashboards = n, "provisioned dashboards");
    }
    if !config.ui_dir.join("index.html").is_file() {
        tracing::warn!(ui = %config.ui_dir.display(), "no index.html in the UI dir: only the API is served (build the UI with `cargo xtask run`)");
    }
    // One worker thread unless TOKIO_WORKER_THREADS says otherwise: kubeglass mostly waits on
    // sockets, and a second worker costs more in cross-thread wake-ups (measured on the proxy:
    // about a quarter more CPU per request) than it gains, above all beside Prometheus on a
    // small machine. CPU-heavy work (password hashing, the store) runs on the blocking pool.
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if std::env::var_os("TOKIO_WORKER_THREADS").is_none() {
        builder.worker_threads(1);
    }
    let runtime = builder
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    runtime.block_on(async move {
        let listen = config.listen;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("--listen {listen}: {e}"))?;
        let embed_key = embed::EmbedKey::load_or_create(&config.embed_key_file)?;
        let max_connections = serve::connection_limit(config.limits.max_connections);
        if max_connections < config.limits.max_connections {
            tracing::warn!(
                max_connections,
                "fewer connections than --max-connections: the open-files limit allows no more"
            );
        }
        let app = http::router(http::AppState::new(config, store, embed_key));
        // Tests and scripts read this line to learn the address (the port may be 0).
        println!(
            "kubeglass listening on http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        serve::serve(listener, app, max_connections, shutdown_signal()).await;
        Ok::<(), String>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Makes freed memory go back to the system. glibc's malloc raises its mmap threshold each
/// time a large block is freed, after which large blocks (a password hash takes 19 MiB) come
/// from heaps that are kept when freed: a burst of logins would leave the process at its peak
/// size for good. A fixed threshold keeps every block of 1 MiB or more mmapped, and so
/// returned to the system when freed; fewer arenas keep less free memory in between.
fn return_freed_memory() {
    // SAFETY: mallopt only changes malloc's tuning; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
