//! Axum handlers of the query API. Store reads run on the blocking pool.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::forward::ForwardStats;
use crate::ingest::{Token, auth};
use crate::model::TraceId;
use crate::query::trace_detail;
use crate::query::{LocalSource, SourceError, TraceSource};
use crate::store::{LiveEvent, TraceQuery};

#[derive(Clone, Debug)]
pub struct ApiState {
    pub source: LocalSource,
    pub token: Option<Arc<Token>>,
    pub live: broadcast::Sender<LiveEvent>,
    /// Forwarding counters when `--forward` is on (`stats` → `forward`).
    pub forward: Option<Arc<ForwardStats>>,
}

pub fn routes(state: ApiState) -> Router {
    let token = state.token.clone();
    Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/traces", get(traces))
        .route("/api/v1/traces/{id}", get(trace))
        .route("/api/v1/stats", get(stats))
        .route("/api/v1/ui/traces", get(ui_traces))
        .route("/api/v1/ui/traces/{id}", get(ui_trace))
        .route("/api/v1/ui/cost", get(ui_cost))
        .route("/api/v1/ui/errors", get(ui_errors))
        .route("/api/v1/live", get(live))
        .route("/api/v1/evals", get(evals))
        .with_state(state)
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let token = token.clone();
            async move {
                let h = req
                    .headers()
                    .get(header::AUTHORIZATION)
                    .map(|v| v.as_bytes());
                if auth::authorized(token.as_deref(), h) {
                    next.run(req).await
                } else {
                    api_error(StatusCode::UNAUTHORIZED, "missing or invalid bearer token")
                }
            }
        }))
}

fn api_error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    let mut res = (status, Json(json!({"error": message.to_string()}))).into_response();
    res.extensions_mut()
        .insert(crate::audit::RejectReason(message.to_string()));
    res
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SourceError> + Send + 'static,
) -> Result<T, Response> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(api_error(StatusCode::INTERNAL_SERVER_ERROR, e)),
        Err(e) => Err(api_error(StatusCode::INTERNAL_SERVER_ERROR, e)),
    }
}

async fn health() -> Response {
    Json(json!({"status": "ok", "pid": std::process::id(), "version": env!("CARGO_PKG_VERSION")}))
        .into_response()
}

async fn traces(State(st): State<ApiState>, Query(q): Query<TraceQuery>) -> Response {
    match blocking(move || st.source.traces(&q)).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

async fn trace(State(st): State<ApiState>, Path(id): Path<String>) -> Response {
    let id: TraceId = match id.parse() {
        Ok(id) => id,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, e),
    };
    match blocking(move || st.source.trace(id)).await {
        Ok(Some(v)) => Json(v).into_response(),
        Ok(None) => api_error(StatusCode::NOT_FOUND, format!("no trace {id}")),
        Err(r) => r,
    }
}

#[derive(Debug, Deserialize)]
struct StatsParams {
    since_unix_nano: Option<u64>,
}

async fn stats(State(st): State<ApiState>, Query(p): Query<StatsParams>) -> Response {
    let forward = st.forward.clone();
    match blocking(move || st.source.stats(p.since_unix_nano)).await {
        Ok(mut v) => {
            if let (Some(f), Some(obj)) = (forward, v.as_object_mut()) {
                obj.insert("forward".into(), f.to_json());
            }
            Json(v).into_response()
        }
        Err(r) => r,
    }
}

/// Trace summaries in the program's own serde form (for `attach`).
async fn ui_traces(State(st): State<ApiState>, Query(q): Query<TraceQuery>) -> Response {
    let store = st.source.store.clone();
    match blocking(move || Ok(store.list_traces(&q)?)).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

/// One trace with its logs in the program's own serde form (for `attach`).
async fn ui_trace(State(st): State<ApiState>, Path(id): Path<String>) -> Response {
    let id: TraceId = match id.parse() {
        Ok(id) => id,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, e),
    };
    let source = st.source.clone();
    match blocking(move || Ok(trace_detail(source.store.as_ref(), id, &source.prices)?)).await {
        Ok(Some(v)) => Json(v).into_response(),
        Ok(None) => api_error(StatusCode::NOT_FOUND, format!("no trace {id}")),
        Err(r) => r,
    }
}

#[derive(Debug, Deserialize)]
struct CostParams {
    window: Option<String>,
}

/// The cost panel's report for `window` (`15m`, `1h`, `24h`, `all`; default 15m) in
/// the program's own serde form (for `attach`).
async fn ui_cost(State(st): State<ApiState>, Query(p): Query<CostParams>) -> Response {
    let window = match p.window.as_deref() {
        None => crate::cost::CostWindow::default(),
        Some(w) => match crate::cost::CostWindow::parse(w) {
            Some(w) => w,
            None => {
                return api_error(
                    StatusCode::BAD_REQUEST,
                    "window must be one of 15m, 1h, 24h, all",
                );
            }
        },
    };
    let source = st.source.clone();
    match blocking(move || crate::ui::source::UiSource::cost(&source, window)).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

/// Error records of a window and their traces' summaries (`ErrorWindow`, serde form).
async fn ui_errors(State(st): State<ApiState>, Query(p): Query<StatsParams>) -> Response {
    match blocking(move || st.source.error_window(p.since_unix_nano)).await {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

#[derive(Debug, Deserialize)]
struct EvalsParams {
    since_unix_nano: Option<u64>,
    limit: Option<usize>,
}

/// Eval records in the window, oldest first, in the program's own serde form.
async fn evals(State(st): State<ApiState>, Query(p): Query<EvalsParams>) -> Response {
    let store = st.source.store.clone();
    let limit = p
        .limit
        .unwrap_or(crate::evals::source::DEFAULT_LIMIT)
        .min(crate::evals::source::DEFAULT_LIMIT * 5);
    match blocking(move || crate::evals::source::local(store.as_ref(), p.since_unix_nano, limit))
        .await
    {
        Ok(v) => Json(v).into_response(),
        Err(r) => r,
    }
}

/// Change notifications as JSON lines: `{"changed":["<trace id>",…]}`, or
/// `{"lagged":true}` when this reader fell behind and should reload.
async fn live(State(st): State<ApiState>) -> Response {
    let stream = BroadcastStream::new(st.live.subscribe()).map(|ev| {
        let line = match ev {
            Ok(LiveEvent::TracesChanged(ids)) => json!({"changed": ids.to_vec()}),
            Err(_) => json!({"lagged": true}),
        };
        Ok::<_, std::convert::Infallible>(format!("{line}\n"))
    });
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}
