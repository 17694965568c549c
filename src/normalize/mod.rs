//! Pure, synchronous OTLP → model conversion. STUB: being written.

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

use crate::model::{LogRecord, Span};
use crate::pricing::PriceTable;

/// What one trace export request became.
#[derive(Debug, Default)]
pub struct TracesOutcome {
    pub spans: Vec<Span>,
    /// Spans refused (invalid ids, …), for `partial_success.rejected_spans`.
    pub rejected: i64,
    /// One human-readable line per distinct reason, for `partial_success.error_message`.
    pub errors: Vec<String>,
}

/// What one logs export request became.
#[derive(Debug, Default)]
pub struct LogsOutcome {
    pub logs: Vec<LogRecord>,
    pub rejected: i64,
    pub errors: Vec<String>,
}

pub fn normalize_traces(_req: &ExportTraceServiceRequest, _prices: &PriceTable) -> TracesOutcome {
    TracesOutcome::default()
}

pub fn normalize_logs(_req: &ExportLogsServiceRequest) -> LogsOutcome {
    LogsOutcome::default()
}

/// Fills a span's LLM facet from log records joined to it (GenAI content captured
/// as events/logs). Called when a trace is read.
pub fn enrich_from_logs(_span: &mut Span, _logs: &[LogRecord], _prices: &PriceTable) {}
