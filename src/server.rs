//! The receiver process: given already-bound listeners, a store and a shutdown
//! future, serves OTLP gRPC, OTLP/HTTP and the query API until shutdown, then
//! drains the write queue.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::stream;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};
use tokio_stream::wrappers::TcpListenerStream;

use crate::api::{self, ApiState};
use crate::forward::{self, ForwardOptions};
use crate::ingest::{self, DEFAULT_MAX_REQUEST_BYTES, Ingestor, Token};
use crate::pricing::PriceTable;
use crate::query::LocalSource;
use crate::store::{LiveEvent, TraceStore, Writer, live_channel};

/// Tunables of a running receiver.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Largest request accepted, after decompression.
    pub max_request_bytes: usize,
    /// Pending export requests before the receivers answer UNAVAILABLE / 503.
    pub queue_len: usize,
    /// Export requests being received, decoded or queued at once, over every
    /// connection of both receivers, before they answer UNAVAILABLE / 503
    /// (`ingest::in_flight`).
    pub max_in_flight: usize,
    /// `--token`: required by OTLP ingest and the query API.
    pub token: Option<Token>,
    /// Required by the query API only (the per-instance secret of
    /// `crate::read_secret`); `token` wins when both are set.
    pub read_secret: Option<Token>,
    /// Where commits are announced (the TUI subscribes to it); a new channel if
    /// `None`.
    pub live: Option<broadcast::Sender<LiveEvent>>,
    /// Applied to every span and log record before it is stored.
    pub redactor: Arc<crate::redact::Redactor>,
    /// Retention limits, enforced by a pass every `retention_every`.
    pub retention: crate::store::RetentionPolicy,
    pub retention_every: Duration,
    /// TLS on every listener (gRPC, OTLP/HTTP, query API) when set.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Online evaluators and the experiment attribute (`[[evaluators]]`,
    /// `[experiments]`).
    pub evals: Arc<crate::evals::EvalConfig>,
    /// Re-export everything accepted to a downstream OTLP receiver (`--forward`).
    pub forward: Option<ForwardOptions>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            queue_len: 256,
            max_in_flight: 64,
            token: None,
            read_secret: None,
            live: None,
            redactor: Arc::new(crate::redact::Redactor::builtin()),
            retention: crate::store::RetentionPolicy::default(),
            retention_every: Duration::from_secs(10),
            tls: None,
            evals: Arc::default(),
            forward: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("gRPC server: {0}")]
    Grpc(#[from] tonic::transport::Error),
    #[error("HTTP server: {0}")]
    Http(#[from] std::io::Error),
}

/// Runs a retention round now and every `every`, on the writer thread. A round is
/// one or more capped passes (writes queued meanwhile go between them); it is logged
/// and audited once, with its totals.
async fn retention_loop(
    handle: crate::store::WriterHandle,
    policy: crate::store::RetentionPolicy,
    every: Duration,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut over_limit = false;
    loop {
        tick.tick().await;
        let (mut traces, mut spans, mut kept_from, mut disk_before) = (0, 0, 0, None);
        loop {
            match handle.evict(policy).await {
                Ok(out) => {
                    if out.disk_over_limit && !over_limit {
                        tracing::warn!(
                            disk_bytes = out.disk_bytes_before,
                            "the store's file is over --max-disk; sled reuses the space it frees but never shrinks its file"
                        );
                        crate::audit::record(
                            "disk_over_limit",
                            serde_json::json!({ "disk_bytes": out.disk_bytes_before }),
                        );
                    }
                    over_limit = out.disk_over_limit;
                    traces += out.traces;
                    spans += out.spans;
                    kept_from = out.cutoff_unix_nano;
                    disk_before.get_or_insert(out.disk_bytes_before);
                    if !out.more {
                        break;
                    }
                }
                Err(crate::store::WriteError::Stopped) => return,
                Err(e) => {
                    tracing::error!(error = %e, "retention pass failed");
                    break;
                }
            }
        }
        if traces > 0 {
            tracing::info!(traces, spans, "retention deleted old traces");
            crate::audit::record(
                "retention_deleted",
                serde_json::json!({
                    "traces": traces,
                    "spans": spans,
                    "kept_from_unix_nano": kept_from,
                    "disk_bytes_before": disk_before.unwrap_or(0),
                }),
            );
        }
    }
}

/// Serves until `shutdown` resolves, then drains the write queue.
pub async fn run(
    store: Arc<dyn TraceStore>,
    prices: Arc<PriceTable>,
    grpc_listeners: Vec<TcpListener>,
    http_listeners: Vec<TcpListener>,
    opts: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    let live_tx = opts.live.clone().unwrap_or_else(live_channel);
    let (writer, handle) = Writer::spawn_with_live(store.clone(), opts.queue_len, live_tx.clone());
    let mut live = handle.subscribe();
    let forward_stats = opts.forward.as_ref().map(|f| f.stats.clone());
    let (forwarder, forward_task) = match opts.forward.clone() {
        Some(f) => {
            let (fw, task) = forward::spawn(f);
            (Some(fw), Some(task))
        }
        None => (None, None),
    };
    let retention = opts.retention.is_active().then(|| {
        tokio::spawn(retention_loop(
            handle.clone(),
            opts.retention,
            opts.retention_every,
        ))
    });
    // Counts of coalesced rejections are written once their minute is up.
    let audit_flush = tokio::spawn(async {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            crate::audit::flush_coalesced(false);
        }
    });
    let ingestor = Ingestor::new(handle, prices.clone())
        .with_redactor(opts.redactor.clone())
        .with_evals(crate::evals::EvalHook::new(
            opts.evals.clone(),
            store.clone(),
        ))
        .with_forward(forwarder);
    let api_token = opts
        .token
        .clone()
        .or(opts.read_secret.clone())
        .map(Arc::new);
    let token = opts.token.map(Arc::new);
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|v| *v).await;
        }
    };

    let in_flight = ingest::in_flight::InFlight::new(opts.max_in_flight);
    let mut tasks = tokio::task::JoinSet::new();
    if !grpc_listeners.is_empty() {
        let receiver = ingest::grpc::GrpcReceiver::new(ingestor.clone(), token.clone());
        let stop = stopped();
        let max = opts.max_request_bytes;
        let limit = in_flight.clone();
        match &opts.tls {
            Some(config) => {
                let incoming = stream::select_all(grpc_listeners.into_iter().map(|l| {
                    tokio_stream::wrappers::ReceiverStream::new(crate::tls::accept_tls(
                        l,
                        config.clone(),
                        "grpc",
                    ))
                }));
                tasks.spawn(async move {
                    ingest::grpc::serve(receiver, max, limit, incoming, stop)
                        .await
                        .map_err(ServerError::from)
                });
            }
            None => {
                let incoming =
                    stream::select_all(grpc_listeners.into_iter().map(TcpListenerStream::new));
                tasks.spawn(async move {
                    ingest::grpc::serve(receiver, max, limit, incoming, stop)
                        .await
                        .map_err(ServerError::from)
                });
            }
        }
    }
    let app = ingest::http::routes(ingest::http::OtlpHttpState {
        ingestor: ingestor.clone(),
        token: token.clone(),
        max_request_bytes: opts.max_request_bytes,
    })
    .layer(axum::middleware::from_fn_with_state(
        in_flight,
        ingest::http::limit_in_flight,
    ))
    .merge(api::routes(ApiState {
        source: LocalSource {
            store: store.clone(),
            prices,
        },
        token: api_token,
        live: live_tx,
        forward: forward_stats,
    }));
    let app = app.layer(axum::middleware::from_fn(crate::audit::http_middleware));
    for listener in http_listeners {
        if let Some(config) = &opts.tls {
            let incoming = crate::tls::accept_tls(listener, config.clone(), "http");
            let app = app.clone();
            let stop = stopped();
            tasks.spawn(async move {
                crate::tls::serve_http_tls(incoming, app, stop).await;
                Ok(())
            });
            continue;
        }
        let app = app
            .clone()
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        let stop = stopped();
        tasks.spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
                .map_err(ServerError::from)
        });
    }
    drop(app);
    drop(ingestor);

    // Log a line per commit burst at debug level; keeps the subscription drained.
    let live_log = tokio::spawn(async move {
        loop {
            match live.recv().await {
                Ok(LiveEvent::TracesChanged(ids)) => {
                    tracing::debug!(traces = ids.len(), "committed");
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => break,
            }
        }
    });

    let mut result = Ok(());
    tokio::select! {
        _ = shutdown => {}
        Some(r) = tasks.join_next() => {
            if let Ok(Err(e)) = r { result = Err(e); }
        }
    }
    let _ = stop_tx.send(true);
    // Give in-flight requests time to finish, then stop waiting.
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    tasks.abort_all();
    live_log.abort();
    audit_flush.abort();
    crate::audit::flush_coalesced(true);
    if let Some(r) = retention {
        r.abort();
        let _ = r.await;
    }
    // The writer stops once every handle is gone and the queue is drained.
    let _ = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || writer.join()),
    )
    .await;
    store.flush().ok();
    // Every ingest handle is gone: the forwarder drains its queue, for a while.
    if let Some(task) = forward_task
        && tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .is_err()
    {
        tracing::warn!("forwarding stopped with requests still queued");
    }
    result
}
