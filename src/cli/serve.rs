//! `spanlens serve`: bind the listeners, take the data dir, run the receiver until
//! Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::net::TcpListener;

use super::{CliError, CommonArgs, ServeArgs, security};
use crate::config::ConfigFile;
use crate::data_dir::{self, OwnerLock, pid_alive};
use crate::ingest::Token;
use crate::server::{self, ServeOptions};
use crate::store::{SledOptions, SledStore, TraceStore};
use crate::util::now_unix_nano;

pub const DEFAULT_GRPC: [&str; 2] = ["127.0.0.1:4317", "[::1]:4317"];
pub const DEFAULT_HTTP: [&str; 2] = ["127.0.0.1:4318", "[::1]:4318"];

/// The data dir from flags/env, else the XDG default.
pub fn resolve_data_dir(common: &CommonArgs) -> Result<std::path::PathBuf, CliError> {
    Ok(match &common.data_dir {
        Some(d) => d.clone(),
        None => data_dir::default_data_dir()?,
    })
}

/// Opens the store, explaining a lock held by a live owner. Whatever sled creates
/// is private (umask 077; a missing data dir is created `0700`).
pub fn open_store(dir: &Path, cache_mb: u64) -> Result<SledStore, CliError> {
    crate::private_files::restrict_umask();
    crate::private_files::create_private_dir(dir).map_err(|source| data_dir::DataDirError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let opts = SledOptions {
        cache_bytes: cache_mb * 1024 * 1024,
    };
    SledStore::open(&data_dir::store_dir(dir), &opts).map_err(|source| {
        match OwnerLock::read(dir).filter(|l| pid_alive(l.pid)) {
            Some(lock) => CliError::AlreadyOwned {
                dir: dir.to_path_buf(),
                pid: lock.pid,
                api_url: lock.api_url,
            },
            None => CliError::OpenStore {
                dir: dir.to_path_buf(),
                source,
            },
        }
    })
}

/// Binds each address; the defaults tolerate a missing IPv6 loopback, explicit
/// addresses must all bind.
async fn bind_all(given: &[SocketAddr], defaults: &[&str]) -> Result<Vec<TcpListener>, CliError> {
    let explicit = !given.is_empty();
    let addrs: Vec<SocketAddr> = if explicit {
        given.to_vec()
    } else {
        defaults.iter().filter_map(|a| a.parse().ok()).collect()
    };
    let mut out = Vec::new();
    let mut first_err = None;
    for addr in addrs {
        match TcpListener::bind(addr).await {
            Ok(l) => out.push(l),
            Err(source) if explicit || addr.is_ipv4() => {
                return Err(CliError::Bind { addr, source });
            }
            Err(source) => {
                tracing::warn!(%addr, error = %source, "not listening on IPv6 loopback");
                first_err.get_or_insert(CliError::Bind { addr, source });
            }
        }
    }
    match (out.is_empty(), first_err) {
        (true, Some(e)) => Err(e),
        _ => Ok(out),
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Bound listeners with the lock file written: this process now owns the data dir.
pub struct Listening {
    pub grpc: Vec<TcpListener>,
    pub http: Vec<TcpListener>,
    pub grpc_addrs: Vec<String>,
    pub http_addrs: Vec<String>,
}

/// Binds the receivers (flags or defaults) and records them in the lock file.
pub async fn bind_and_lock(
    common: &CommonArgs,
    dir: &Path,
    opts: &ServeOptions,
) -> Result<Listening, CliError> {
    let tls = opts.tls.is_some();
    let grpc = bind_all(&common.grpc_addr, &DEFAULT_GRPC).await?;
    let http = bind_all(&common.http_addr, &DEFAULT_HTTP).await?;
    let addrs = |ls: &[TcpListener]| -> Vec<String> {
        ls.iter()
            .filter_map(|l| l.local_addr().ok())
            .map(|a| a.to_string())
            .collect()
    };
    let grpc_addrs = addrs(&grpc);
    let http_addrs = addrs(&http);
    OwnerLock {
        pid: std::process::id(),
        api_url: format!(
            "{}://{}",
            if tls { "https" } else { "http" },
            http_addrs.first().cloned().unwrap_or_default()
        ),
        grpc_addrs: grpc_addrs.clone(),
        http_addrs: http_addrs.clone(),
        started_unix_nano: now_unix_nano(),
        read_secret: opts.read_secret.as_ref().map(|t| t.reveal().to_string()),
    }
    .write(dir)?;
    Ok(Listening {
        grpc,
        http,
        grpc_addrs,
        http_addrs,
    })
}

/// Opens the store of a data dir this process is about to own: private files from
/// here on (umask 077, the dir created `0700` or tightened, said once in the log and
/// the audit log), and a stale lock left by a dead owner reported.
pub fn take_data_dir(dir: &Path, cache_mb: u64) -> Result<SledStore, CliError> {
    crate::private_files::restrict_umask();
    let tightened = data_dir::ensure(dir)?;
    security::report_tightened(dir, &tightened);
    let previous = OwnerLock::read(dir);
    let store = open_store(dir, cache_mb)?;
    if let Some(stale) = previous {
        tracing::warn!(pid = stale.pid, "recovered a stale lock");
        eprintln!(
            "spanlens: recovered a stale lock in {} left by pid {} (no longer running)",
            dir.display(),
            stale.pid
        );
    }
    Ok(store)
}

/// The receiver's options from flags and the config file.
pub fn serve_options(
    common: &CommonArgs,
    args: &ServeArgs,
    config: &ConfigFile,
) -> Result<ServeOptions, CliError> {
    Ok(ServeOptions {
        max_request_bytes: args.max_request_mb.saturating_mul(1024 * 1024),
        token: common.token.clone().map(Token::new),
        read_secret: match common.token {
            Some(_) => None,
            None => Some(Token::new(
                crate::read_secret::generate().map_err(|e| CliError::Usage(e.to_string()))?,
            )),
        },
        redactor: security::redactor(config, args)?,
        retention: security::retention(args)?,
        retention_every: match &args.retention_interval {
            Some(d) => crate::util::parse_duration(d)
                .map_err(|e| CliError::Usage(format!("--retention-interval: {e}")))?,
            None => std::time::Duration::from_secs(10),
        },
        tls: match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(
                crate::tls::server_config(&crate::tls::TlsFiles {
                    cert: cert.clone(),
                    key: key.clone(),
                    client_ca: args.client_ca.clone(),
                })
                .map_err(|e| CliError::Usage(format!("TLS: {e}")))?,
            ),
            _ => None,
        },
        ..ServeOptions::default()
    })
}

/// Everything checked before the data dir is taken: config, flags, binding rule.
pub fn prepare(
    common: &CommonArgs,
    args: &ServeArgs,
) -> Result<(ConfigFile, ServeOptions), CliError> {
    let config = ConfigFile::load(common.config.as_deref())?;
    let opts = serve_options(common, args, &config)?;
    security::audit_max_bytes(args)?;
    let addrs: Vec<SocketAddr> = common
        .grpc_addr
        .iter()
        .chain(&common.http_addr)
        .copied()
        .collect();
    security::check_bind_policy(common, args, &addrs)?;
    Ok((config, opts))
}

/// `spanlens serve`.
pub fn serve(common: &CommonArgs, args: &ServeArgs) -> Result<(), CliError> {
    let (config, opts) = prepare(common, args)?;
    let dir = resolve_data_dir(common)?;
    let prices = Arc::new(super::cost_cmd::load_prices(common)?);
    let evals = super::evals_cmd::serve_config(common)?;
    let forward = args.forward.options()?;
    let store: Arc<dyn TraceStore> = Arc::new(take_data_dir(&dir, args.cache_mb)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let l = bind_and_lock(common, &dir, &opts).await?;
        security::audit_start(&dir, common, args, &config, &l.grpc_addrs, &l.http_addrs);
        if let Err(e) =
            super::forward_args::check_not_self(forward.as_ref(), &l.grpc_addrs, &l.http_addrs)
        {
            OwnerLock::remove_if_ours(&dir);
            return Err(e);
        }
        eprintln!(
            "spanlens: receiving OTLP on gRPC {} and HTTP {}; data in {}",
            l.grpc_addrs.join(", "),
            l.http_addrs.join(", "),
            dir.display()
        );
        eprintln!(
            "spanlens: point an app at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://{} \
             (or http://{} with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)",
            l.grpc_addrs.first().cloned().unwrap_or_default(),
            l.http_addrs.first().cloned().unwrap_or_default(),
        );
        if let Some(f) = &forward {
            eprintln!(
                "spanlens: forwarding everything received to {} ({})",
                f.target,
                f.target.protocol()
            );
        }
        let result = server::run(
            store,
            prices,
            l.grpc,
            l.http,
            ServeOptions {
                evals,
                forward,
                ..opts
            },
            shutdown_signal(),
        )
        .await;
        OwnerLock::remove_if_ours(&dir);
        eprintln!("spanlens: stopped; everything acknowledged is on disk");
        result.map_err(CliError::from)
    })
}
