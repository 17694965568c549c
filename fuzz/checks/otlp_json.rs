//! OTLP/JSON bytes → the three export requests → normalize. Nothing may panic.
//! Shared by the cargo-fuzz target and the replay test (`tests/integration/fuzz_replay.rs`).
use std::sync::LazyLock;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use spanlens::normalize::{normalize_logs, normalize_traces};
use spanlens::pricing::PriceTable;

static PRICES: LazyLock<PriceTable> = LazyLock::new(PriceTable::builtin);

/// Runs one input; panics on a finding.
pub fn check(data: &[u8]) {
    if let Ok(req) = serde_json::from_slice::<ExportTraceServiceRequest>(data) {
        let _ = normalize_traces(&req, &PRICES);
    }
    if let Ok(req) = serde_json::from_slice::<ExportLogsServiceRequest>(data) {
        let _ = normalize_logs(&req);
    }
    let _ = serde_json::from_slice::<ExportMetricsServiceRequest>(data);
}
