//! OTLP in files: what `spanlens import` reads and `spanlens export` writes.
//!
//! Formats, detected from the content (gzip is inflated first):
//! - **protobuf**: one `Export{Trace,Logs,Metrics}ServiceRequest` per file (the signal
//!   from the file name — `logs`, `metrics` — else from what decodes sensibly);
//! - **OTLP/JSON**: one or more request documents, pretty or not, one after another
//!   (what `export --format otlp-json` writes);
//! - **JSON Lines**: one request per line, as the Collector's file exporter writes
//!   (what `export --format jsonl` writes). A bad line is reported with its number
//!   and the other lines still count.
//!
//! The signal of a JSON request comes from its top-level key (`resourceSpans`,
//! `resourceLogs`, `resourceMetrics`).

pub mod from_model;
mod read;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

pub use read::{BadRecord, FileFormat, ParsedFile, parse_file};

/// One export request of any signal.
#[derive(Debug, Clone, PartialEq)]
pub enum OtlpRequest {
    Traces(ExportTraceServiceRequest),
    Logs(ExportLogsServiceRequest),
    Metrics(ExportMetricsServiceRequest),
}

/// How `export` writes requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    /// Pretty OTLP/JSON documents, one after another
    OtlpJson,
    /// One compact OTLP/JSON request per line (the Collector file exporter's form)
    Jsonl,
}

impl OtlpRequest {
    fn to_json(&self) -> serde_json::Result<serde_json::Value> {
        match self {
            OtlpRequest::Traces(r) => serde_json::to_value(r),
            OtlpRequest::Logs(r) => serde_json::to_value(r),
            OtlpRequest::Metrics(r) => serde_json::to_value(r),
        }
    }

    /// The request in `format`, newline-terminated.
    pub fn encode(&self, format: ExportFormat) -> serde_json::Result<Vec<u8>> {
        let mut v = self.to_json()?;
        strip_nulls(&mut v);
        let mut out = match format {
            ExportFormat::OtlpJson => serde_json::to_vec_pretty(&v)?,
            ExportFormat::Jsonl => serde_json::to_vec(&v)?,
        };
        out.push(b'\n');
        Ok(out)
    }

    /// Spans, log records or metric data requests it carries (for messages).
    pub fn item_count(&self) -> u64 {
        match self {
            OtlpRequest::Traces(r) => r
                .resource_spans
                .iter()
                .flat_map(|r| &r.scope_spans)
                .map(|s| s.spans.len() as u64)
                .sum(),
            OtlpRequest::Logs(r) => r
                .resource_logs
                .iter()
                .flat_map(|r| &r.scope_logs)
                .map(|s| s.log_records.len() as u64)
                .sum(),
            OtlpRequest::Metrics(r) => r
                .resource_metrics
                .iter()
                .flat_map(|r| &r.scope_metrics)
                .map(|s| s.metrics.len() as u64)
                .sum(),
        }
    }
}

/// OTLP/JSON writers omit absent fields rather than writing `null`.
fn strip_nulls(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
