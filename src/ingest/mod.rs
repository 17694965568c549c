//! Ingest: OTLP over gRPC and HTTP. Protocol only — decoding, limits, auth and
//! answers per the OTLP specification; OTLP types stop here. Each request is
//! normalized, handed to the writer, and acknowledged once its batch is durable.

pub mod auth;
pub mod grpc;
pub mod http;
pub mod in_flight;

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

use crate::evals::EvalHook;
use crate::forward::{ForwardItem, Forwarder};
use crate::normalize::{normalize_logs, normalize_traces};
use crate::pricing::PriceTable;
use crate::redact::Redactor;
use crate::store::{IngestBatch, WriteError, WriterHandle};

pub use auth::Token;

/// Default cap on a request body, checked after decompression.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// Seconds a client is told to wait when the write queue is full.
pub const RETRY_AFTER_SECS: u64 = 1;

/// Why an export was not accepted (beyond per-item rejections).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("spanlens is overloaded: the write queue is full; retry in {RETRY_AFTER_SECS}s")]
    Overloaded,
    #[error("spanlens is shutting down")]
    Stopped,
    #[error("storing the batch failed: {0}")]
    Store(String),
}

impl From<WriteError> for IngestError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Overloaded => IngestError::Overloaded,
            WriteError::Stopped => IngestError::Stopped,
            WriteError::Store(s) => IngestError::Store(s),
        }
    }
}

/// Items refused from an otherwise accepted request (OTLP `partial_success`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rejected {
    pub count: i64,
    pub message: String,
}

/// What both receivers share: normalization, the price table and the writer.
#[derive(Clone)]
pub struct Ingestor {
    writer: WriterHandle,
    prices: Arc<PriceTable>,
    redactor: Arc<Redactor>,
    /// Online evaluators and eval records (see `crate::evals::ingest`).
    evals: Option<EvalHook>,
    /// Re-exports accepted requests downstream (`--forward`), when on.
    forward: Option<Forwarder>,
}

impl std::fmt::Debug for Ingestor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ingestor")
    }
}

impl Ingestor {
    pub fn new(writer: WriterHandle, prices: Arc<PriceTable>) -> Self {
        Ingestor {
            writer,
            prices,
            redactor: Arc::new(Redactor::builtin()),
            evals: None,
            forward: None,
        }
    }

    /// Replaces the built-in redaction (config rules, `--no-content`).
    pub fn with_redactor(mut self, redactor: Arc<Redactor>) -> Self {
        self.redactor = redactor;
        self
    }

    /// Runs `hook` on every request before it is written.
    pub fn with_evals(mut self, hook: EvalHook) -> Self {
        self.evals = Some(hook);
        self
    }

    /// Forwards every accepted request through `forward` (never waiting on it).
    pub fn with_forward(mut self, forward: Option<Forwarder>) -> Self {
        self.forward = forward;
        self
    }

    /// Normalizes and durably stores a trace export; returns the spans refused.
    pub async fn export_traces(
        &self,
        req: ExportTraceServiceRequest,
    ) -> Result<Rejected, IngestError> {
        let mut out = normalize_traces(&req, &self.prices);
        drop(req);
        // Online evaluators judge the content as received; masks and
        // `--no-content` apply to everything before it is stored.
        let mut evals = match &self.evals {
            Some(hook) => hook.on_spans(&mut out.spans),
            None => Vec::new(),
        };
        for record in &mut evals {
            self.redactor.apply_eval_record(record);
        }
        for span in &mut out.spans {
            self.redactor.apply_span(span);
        }
        // What is forwarded is what is stored: normalized, redacted (never the raw
        // request, which may hold secrets).
        let forward = self
            .forward
            .clone()
            .filter(|_| !out.spans.is_empty())
            .map(|f| (f, crate::otlp_file::from_model::trace_request(&out.spans)));
        self.writer
            .write(IngestBatch {
                spans: out.spans,
                evals,
                ..Default::default()
            })
            .await?;
        if let Some((f, req)) = forward {
            f.offer(ForwardItem::Traces(req));
        }
        Ok(Rejected {
            count: out.rejected,
            message: out.errors.join("; "),
        })
    }

    pub async fn export_logs(
        &self,
        req: ExportLogsServiceRequest,
    ) -> Result<Rejected, IngestError> {
        let mut out = normalize_logs(&req);
        drop(req);
        let mut evals = match &self.evals {
            Some(hook) => hook.on_logs(&out.logs),
            None => Vec::new(),
        };
        for record in &mut evals {
            self.redactor.apply_eval_record(record);
        }
        for log in &mut out.logs {
            self.redactor.apply_log(log);
        }
        let forward = self
            .forward
            .clone()
            .filter(|_| !out.logs.is_empty())
            .map(|f| (f, crate::otlp_file::from_model::logs_request(&out.logs)));
        self.writer
            .write(IngestBatch {
                logs: out.logs,
                evals,
                ..Default::default()
            })
            .await?;
        if let Some((f, req)) = forward {
            f.offer(ForwardItem::Logs(req));
        }
        Ok(Rejected {
            count: out.rejected,
            message: out.errors.join("; "),
        })
    }

    /// Metrics are kept raw (protobuf) for now.
    pub async fn export_metrics(
        &self,
        req: ExportMetricsServiceRequest,
    ) -> Result<Rejected, IngestError> {
        if req.resource_metrics.is_empty() {
            return Ok(Rejected::default());
        }
        self.writer
            .write(IngestBatch {
                metrics: vec![req.encode_to_vec()],
                ..Default::default()
            })
            .await?;
        if let Some(f) = &self.forward {
            f.offer(ForwardItem::Metrics(req));
        }
        Ok(Rejected::default())
    }
}
