//! OTLP/gRPC receiver: `TraceService`, `LogsService` and `MetricsService`, gzip
//! accepted, the size limit answered with RESOURCE_EXHAUSTED (never tonic's
//! OUT_OF_RANGE, which exporters retry forever).

use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server::{
    LogsService, LogsServiceServer,
};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use tokio::io::{AsyncRead, AsyncWrite};
use tonic::codec::CompressionEncoding;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};
use tonic_types::{ErrorDetails, StatusExt};

use super::{IngestError, Ingestor, RETRY_AFTER_SECS, Rejected, Token, auth};

/// The three OTLP services over one ingestor.
#[derive(Clone, Debug)]
pub struct GrpcReceiver {
    ingestor: Ingestor,
    token: Option<Arc<Token>>,
}

fn to_status(e: IngestError) -> Status {
    match e {
        IngestError::Overloaded => Status::with_error_details(
            tonic::Code::Unavailable,
            e.to_string(),
            ErrorDetails::with_retry_info(Some(Duration::from_secs(RETRY_AFTER_SECS))),
        ),
        IngestError::Stopped => Status::unavailable(e.to_string()),
        IngestError::Store(_) => Status::internal(e.to_string()),
    }
}

impl GrpcReceiver {
    pub fn new(ingestor: Ingestor, token: Option<Arc<Token>>) -> Self {
        GrpcReceiver { ingestor, token }
    }

    fn check_auth<T>(&self, req: &Request<T>) -> Result<(), Status> {
        let header = req.metadata().get("authorization").map(|v| v.as_bytes());
        if auth::authorized(self.token.as_deref(), header) {
            Ok(())
        } else {
            let peer = req
                .remote_addr()
                .map(|a| a.to_string())
                .unwrap_or_else(|| "unknown".into());
            tracing::warn!(%peer, "gRPC export refused: missing or wrong bearer token");
            crate::audit::auth_failed("grpc", req.remote_addr());
            Err(Status::unauthenticated("missing or invalid bearer token"))
        }
    }
}

fn partial_traces(r: Rejected) -> Option<ExportTracePartialSuccess> {
    (r.count > 0).then_some(ExportTracePartialSuccess {
        rejected_spans: r.count,
        error_message: r.message,
    })
}

#[tonic::async_trait]
impl TraceService for GrpcReceiver {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        self.check_auth(&request)?;
        let rejected = self
            .ingestor
            .export_traces(request.into_inner())
            .await
            .map_err(to_status)?;
        Ok(Response::new(ExportTraceServiceResponse {
            partial_success: partial_traces(rejected),
        }))
    }
}

#[tonic::async_trait]
impl LogsService for GrpcReceiver {
    async fn export(
        &self,
        request: Request<ExportLogsServiceRequest>,
    ) -> Result<Response<ExportLogsServiceResponse>, Status> {
        self.check_auth(&request)?;
        let r = self
            .ingestor
            .export_logs(request.into_inner())
            .await
            .map_err(to_status)?;
        Ok(Response::new(ExportLogsServiceResponse {
            partial_success: (r.count > 0).then_some(ExportLogsPartialSuccess {
                rejected_log_records: r.count,
                error_message: r.message,
            }),
        }))
    }
}

#[tonic::async_trait]
impl MetricsService for GrpcReceiver {
    async fn export(
        &self,
        request: Request<ExportMetricsServiceRequest>,
    ) -> Result<Response<ExportMetricsServiceResponse>, Status> {
        self.check_auth(&request)?;
        self.ingestor
            .export_metrics(request.into_inner())
            .await
            .map_err(to_status)?;
        Ok(Response::new(ExportMetricsServiceResponse {
            partial_success: None,
        }))
    }
}

/// Puts tonic's own error codes right for OTLP. tonic answers an over-limit
/// uncompressed message with OUT_OF_RANGE (exporters retry that forever); OTLP wants
/// RESOURCE_EXHAUSTED. A body that is not valid protobuf comes back as INTERNAL;
/// OTLP wants INVALID_ARGUMENT (not retryable). Our handlers never answer
/// OUT_OF_RANGE, nor INTERNAL with prost's message, so only tonic's are rewritten.
fn remap_status<B>(mut res: http::Response<B>) -> http::Response<B> {
    let code = res
        .headers()
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i32>().ok())
        .map(tonic::Code::from_i32);
    let decode_failure = || {
        res.headers()
            .get("grpc-message")
            .is_some_and(|m| m.as_bytes().starts_with(b"failed%20to%20decode%20Protobuf"))
    };
    let new_code = match code {
        Some(tonic::Code::OutOfRange) => Some(tonic::Code::ResourceExhausted),
        Some(tonic::Code::Internal) if decode_failure() => Some(tonic::Code::InvalidArgument),
        _ => None,
    };
    if let Some(c) = new_code {
        res.headers_mut()
            .insert("grpc-status", http::HeaderValue::from(c as i32));
    }
    let final_code = new_code.or(code);
    if let Some(c) =
        final_code.filter(|c| !matches!(c, tonic::Code::Ok | tonic::Code::Unauthenticated))
    {
        let message = res
            .headers()
            .get("grpc-message")
            .map(|m| crate::audit::percent_decode(m.as_bytes()))
            .unwrap_or_default();
        crate::audit::rejected("grpc", None, &format!("{c:?}"), &message);
    }
    res
}

/// Serves the gRPC receiver on already-accepted connections until `shutdown`.
pub async fn serve<S, IO, F>(
    receiver: GrpcReceiver,
    max_request_bytes: usize,
    in_flight: super::in_flight::InFlight,
    incoming: S,
    shutdown: F,
) -> Result<(), tonic::transport::Error>
where
    S: Stream<Item = Result<IO, std::io::Error>> + Send + 'static,
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
    F: std::future::Future<Output = ()> + Send,
{
    let traces = TraceServiceServer::new(receiver.clone())
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip)
        .max_decoding_message_size(max_request_bytes);
    let logs = LogsServiceServer::new(receiver.clone())
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip)
        .max_decoding_message_size(max_request_bytes);
    let metrics = MetricsServiceServer::new(receiver)
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip)
        .max_decoding_message_size(max_request_bytes);
    tonic::transport::Server::builder()
        .layer(tower::util::MapResponseLayer::new(remap_status))
        .layer(super::in_flight::GrpcInFlightLayer(in_flight))
        .add_service(traces)
        .add_service(logs)
        .add_service(metrics)
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
}
