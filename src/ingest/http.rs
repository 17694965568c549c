//! OTLP/HTTP receiver: `POST /v1/traces`, `/v1/logs`, `/v1/metrics` with
//! `application/x-protobuf` or `application/json`, gzip or identity. Errors answer
//! with a `google.rpc.Status` body in the request's encoding.

use std::io::Read;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{IngestError, Ingestor, RETRY_AFTER_SECS, Token, auth};

/// State of the OTLP/HTTP routes.
#[derive(Clone, Debug)]
pub struct OtlpHttpState {
    pub ingestor: Ingestor,
    pub token: Option<Arc<Token>>,
    pub max_request_bytes: usize,
}

/// The three OTLP/HTTP routes. Other methods get 405 with an `Allow` header.
pub fn routes(state: OtlpHttpState) -> Router {
    Router::new()
        .route("/v1/traces", post(traces))
        .route("/v1/logs", post(logs))
        .route("/v1/metrics", post(metrics))
        .with_state(state)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Encoding {
    Protobuf,
    Json,
}

/// `google.rpc.Status`, the error body OTLP/HTTP specifies.
#[derive(Clone, PartialEq, prost::Message, Serialize)]
pub struct RpcStatus {
    #[prost(int32, tag = "1")]
    pub code: i32,
    #[prost(string, tag = "2")]
    pub message: String,
}

fn rpc_error(enc: Encoding, status: StatusCode, code: tonic::Code, message: String) -> Response {
    let reason = crate::audit::RejectReason(message.clone());
    let body = RpcStatus {
        code: code as i32,
        message,
    };
    let mut res = match enc {
        Encoding::Protobuf => (
            status,
            [(header::CONTENT_TYPE, "application/x-protobuf")],
            body.encode_to_vec(),
        )
            .into_response(),
        Encoding::Json => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_vec(&body).unwrap_or_default(),
        )
            .into_response(),
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    res.extensions_mut().insert(reason);
    res
}

fn respond<T: Message + Serialize>(enc: Encoding, msg: &T) -> Response {
    match enc {
        Encoding::Protobuf => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/x-protobuf")],
            msg.encode_to_vec(),
        )
            .into_response(),
        Encoding::Json => {
            // Omit absent fields (`partialSuccess: null`) as OTLP/JSON writers do.
            // OTLP/JSON writes int64 counts as decimal strings.
            let mut v = serde_json::to_value(msg).unwrap_or_default();
            if let Some(obj) = v.as_object_mut() {
                obj.retain(|_, x| !x.is_null());
                if let Some(partial) = obj
                    .get_mut("partialSuccess")
                    .and_then(|p| p.as_object_mut())
                {
                    for (k, x) in partial.iter_mut() {
                        if k.starts_with("rejected") && x.is_i64() {
                            *x = serde_json::Value::String(x.to_string());
                        }
                    }
                }
            }
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::to_vec(&v).unwrap_or_default(),
            )
                .into_response()
        }
    }
}

fn ingest_error(enc: Encoding, e: IngestError) -> Response {
    match e {
        IngestError::Overloaded | IngestError::Stopped => rpc_error(
            enc,
            StatusCode::SERVICE_UNAVAILABLE,
            tonic::Code::Unavailable,
            e.to_string(),
        ),
        IngestError::Store(_) => rpc_error(
            enc,
            StatusCode::INTERNAL_SERVER_ERROR,
            tonic::Code::Internal,
            e.to_string(),
        ),
    }
}

/// Auth, content type, encoding and size checks; returns the decompressed body.
async fn accept(
    st: &OtlpHttpState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Encoding, Bytes), Box<Response>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let enc = match content_type.as_deref() {
        Some("application/x-protobuf") | Some("application/protobuf") => Encoding::Protobuf,
        Some("application/json") => Encoding::Json,
        other => {
            return Err(Box::new(rpc_error(
                Encoding::Json,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                tonic::Code::InvalidArgument,
                format!(
                    "unsupported content type {:?}: use application/x-protobuf or application/json",
                    other.unwrap_or("(none)")
                ),
            )));
        }
    };
    let header_value = headers.get(header::AUTHORIZATION).map(|v| v.as_bytes());
    if !auth::authorized(st.token.as_deref(), header_value) {
        tracing::warn!("OTLP/HTTP export refused: missing or wrong bearer token");
        return Err(Box::new(rpc_error(
            enc,
            StatusCode::UNAUTHORIZED,
            tonic::Code::Unauthenticated,
            "missing or invalid bearer token".into(),
        )));
    }
    let gzip = match headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("") | Some("identity") => false,
        Some("gzip") => true,
        Some(other) => {
            return Err(Box::new(rpc_error(
                enc,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                tonic::Code::InvalidArgument,
                format!("unsupported content encoding {other:?}: use gzip or identity"),
            )));
        }
    };
    let limit = st.max_request_bytes;
    let too_large = || {
        Box::new(rpc_error(
            enc,
            StatusCode::PAYLOAD_TOO_LARGE,
            tonic::Code::ResourceExhausted,
            format!("request body exceeds the limit of {limit} bytes"),
        ))
    };
    let raw = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())?;
    if !gzip {
        return Ok((enc, raw));
    }
    let mut out = Vec::with_capacity(raw.len().saturating_mul(4).min(limit));
    let read = flate2::read::GzDecoder::new(&raw[..])
        .take(limit as u64 + 1)
        .read_to_end(&mut out);
    match read {
        Ok(n) if n > limit => Err(too_large()),
        Ok(_) => Ok((enc, Bytes::from(out))),
        Err(e) => Err(Box::new(rpc_error(
            enc,
            StatusCode::BAD_REQUEST,
            tonic::Code::InvalidArgument,
            format!("body is not valid gzip: {e}"),
        ))),
    }
}

fn decode<T: Message + Default + DeserializeOwned>(
    enc: Encoding,
    body: &[u8],
) -> Result<T, Box<Response>> {
    let result = match enc {
        Encoding::Protobuf => T::decode(body).map_err(|e| e.to_string()),
        Encoding::Json => serde_json::from_slice(body).map_err(|e| e.to_string()),
    };
    result.map_err(|e| {
        Box::new(rpc_error(
            enc,
            StatusCode::BAD_REQUEST,
            tonic::Code::InvalidArgument,
            format!("malformed OTLP request body: {e}"),
        ))
    })
}

async fn traces(State(st): State<OtlpHttpState>, headers: HeaderMap, body: Body) -> Response {
    let (enc, bytes) = match accept(&st, &headers, body).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let req: ExportTraceServiceRequest = match decode(enc, &bytes) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    drop(bytes);
    match st.ingestor.export_traces(req).await {
        Ok(r) => respond(
            enc,
            &ExportTraceServiceResponse {
                partial_success: (r.count > 0).then_some(ExportTracePartialSuccess {
                    rejected_spans: r.count,
                    error_message: r.message,
                }),
            },
        ),
        Err(e) => ingest_error(enc, e),
    }
}

async fn logs(State(st): State<OtlpHttpState>, headers: HeaderMap, body: Body) -> Response {
    let (enc, bytes) = match accept(&st, &headers, body).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let req: ExportLogsServiceRequest = match decode(enc, &bytes) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    drop(bytes);
    match st.ingestor.export_logs(req).await {
        Ok(r) => respond(
            enc,
            &ExportLogsServiceResponse {
                partial_success: (r.count > 0).then_some(ExportLogsPartialSuccess {
                    rejected_log_records: r.count,
                    error_message: r.message,
                }),
            },
        ),
        Err(e) => ingest_error(enc, e),
    }
}

async fn metrics(State(st): State<OtlpHttpState>, headers: HeaderMap, body: Body) -> Response {
    let (enc, bytes) = match accept(&st, &headers, body).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let req: ExportMetricsServiceRequest = match decode(enc, &bytes) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    drop(bytes);
    match st.ingestor.export_metrics(req).await {
        Ok(_) => respond(
            enc,
            &ExportMetricsServiceResponse {
                partial_success: None,
            },
        ),
        Err(e) => ingest_error(enc, e),
    }
}

/// Refuses an export past the in-flight cap (`in_flight.rs`) before its body is read:
/// 503 with Retry-After and a `google.rpc.Status` body.
pub async fn limit_in_flight(
    State(limit): State<super::in_flight::InFlight>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(permit) = limit.try_enter() else {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let enc = if json {
            Encoding::Json
        } else {
            Encoding::Protobuf
        };
        return rpc_error(
            enc,
            StatusCode::SERVICE_UNAVAILABLE,
            tonic::Code::Unavailable,
            super::in_flight::BUSY.to_string(),
        );
    };
    let res = next.run(req).await;
    drop(permit);
    res
}
