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
    pub token: Option<Token>,
    /// Where commits are announced (the TUI subscribes to it); a new channel if
    /// `None`.
    pub live: Option<broadcast::Sender<LiveEvent>>,
    /// Re-export everything accepted to a downstream OTLP receiver (`--forward`).
    pub forward: Option<ForwardOptions>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            queue_len: 256,
            token: None,
            live: None,
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
    let ingestor = Ingestor::new(handle, prices.clone()).with_forward(forwarder);
    let token = opts.token.map(Arc::new);
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|v| *v).await;
        }
    };

    let mut tasks = tokio::task::JoinSet::new();
    if !grpc_listeners.is_empty() {
        let receiver = ingest::grpc::GrpcReceiver::new(ingestor.clone(), token.clone());
        let incoming = stream::select_all(grpc_listeners.into_iter().map(TcpListenerStream::new));
        let stop = stopped();
        let max = opts.max_request_bytes;
        tasks.spawn(async move {
            ingest::grpc::serve(receiver, max, incoming, stop)
                .await
                .map_err(ServerError::from)
        });
    }
    let app = ingest::http::routes(ingest::http::OtlpHttpState {
        ingestor: ingestor.clone(),
        token: token.clone(),
        max_request_bytes: opts.max_request_bytes,
    })
    .merge(api::routes(ApiState {
        source: LocalSource {
            store: store.clone(),
            prices,
        },
        token,
        live: live_tx,
        forward: forward_stats,
    }));
    for listener in http_listeners {
        let app = app.clone();
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
