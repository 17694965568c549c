//! Storage: the `TraceStore` trait, its one implementation over an ordered key-value
//! backend (sled on disk, a `BTreeMap` in memory for tests), the key layout, the
//! per-minute rollups and the group-commit writer.
//!
//! Everything written by one `write` call lands atomically (one backend batch), so a
//! crash never leaves a span stored without its summary and rollup updates.

mod backend;
mod cost_records;
mod keys;
mod kv_store;
mod query;
mod retention;
mod rollup;
mod writer;

use crate::model::{LogRecord, Span, TraceId, TraceSummary};

pub use backend::{Backend, MemoryBackend, SledBackend, SledOptions};
pub use cost_records::{CostData, GroupKind, GroupRollup, TopTrace, rank as rank_top};
pub use kv_store::{KvTraceStore, MemoryStore, SledStore};
pub use query::TraceQuery;
pub use retention::{Evicted, RetentionPolicy};
pub use rollup::{ModelStats, Rollup, ServiceStats, Stats};
pub use writer::{LiveEvent, WriteError, Writer, WriterHandle, live_channel};

/// Version of the on-disk layout, kept in the store's metadata.
pub const SCHEMA_VERSION: u32 = 5;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage backend: {0}")]
    Backend(#[from] sled::Error),
    #[error("stored record is corrupt ({what}): {source}")]
    Corrupt {
        what: &'static str,
        source: postcard::Error,
    },
    #[error("could not encode a record: {0}")]
    Encode(postcard::Error),
    #[error(
        "data dir was written by a newer spanlens (schema {found}, this build reads {SCHEMA_VERSION})"
    )]
    SchemaTooNew { found: u32 },
    #[error(
        "data dir was written by an earlier development build (schema {found}, this build reads {SCHEMA_VERSION}); move it aside"
    )]
    SchemaTooOld { found: u32 },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Everything one group commit writes.
#[derive(Debug, Default, Clone)]
pub struct IngestBatch {
    pub spans: Vec<Span>,
    pub logs: Vec<LogRecord>,
    /// Raw `ExportMetricsServiceRequest` bodies (protobuf), kept as received.
    pub metrics: Vec<Vec<u8>>,
    /// Evaluation results of these spans and logs (see `crate::evals`).
    pub evals: Vec<crate::evals::EvalRecord>,
}

impl IngestBatch {
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
            && self.logs.is_empty()
            && self.metrics.is_empty()
            && self.evals.is_empty()
    }

    pub fn append(&mut self, other: IngestBatch) {
        self.spans.extend(other.spans);
        self.logs.extend(other.logs);
        self.metrics.extend(other.metrics);
        self.evals.extend(other.evals);
    }
}

/// What a write changed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct WriteOutcome {
    pub new_spans: u64,
    /// Spans already stored (exporter retries), not stored again.
    pub duplicate_spans: u64,
    pub logs: u64,
    /// Traces whose spans, summary or logs changed, for live notifications.
    pub changed_traces: Vec<TraceId>,
}

/// The store as the rest of the program sees it. Reads may run concurrently with a
/// write; writes come from one writer at a time.
pub trait TraceStore: Send + Sync {
    /// Writes a batch atomically (not yet durable: see `flush`).
    fn write(&self, batch: &IngestBatch) -> Result<WriteOutcome, StoreError>;
    /// Makes every completed write durable.
    fn flush(&self) -> Result<(), StoreError>;
    /// Trace summaries, newest first, filtered.
    fn list_traces(&self, query: &TraceQuery) -> Result<Vec<TraceSummary>, StoreError>;
    fn trace_summary(&self, id: TraceId) -> Result<Option<TraceSummary>, StoreError>;
    /// Spans of one trace, in start order.
    fn trace_spans(&self, id: TraceId) -> Result<Vec<Span>, StoreError>;
    /// Log records joined to one trace (by trace id), in time order.
    fn trace_logs(&self, id: TraceId) -> Result<Vec<LogRecord>, StoreError>;
    /// Totals over a window (`since_unix_nano`, or everything).
    fn stats(&self, since_unix_nano: Option<u64>) -> Result<Stats, StoreError>;
    /// Bytes the store occupies on disk (0 in memory).
    fn size_on_disk(&self) -> Result<u64, StoreError>;
    /// One retention pass: deletes whole traces, oldest first, per `policy`.
    fn evict(&self, policy: &RetentionPolicy, now_unix_nano: u64) -> Result<Evicted, StoreError>;
    /// The cost panel's records (rollups, group rollups, top traces; see
    /// `cost_records.rs`) from `read_from`'s minute on, and the number of traces
    /// started since `window_since`; never reads spans.
    fn cost_data(
        &self,
        read_from: Option<u64>,
        window_since: Option<u64>,
    ) -> Result<CostData, StoreError>;
    /// Error records from `since_unix_nano` (or all), newest first, at most `limit`
    /// (`truncated` when more were there). Reads the error records, never spans.
    fn error_records(
        &self,
        _since_unix_nano: Option<u64>,
        _limit: usize,
    ) -> Result<ErrorRecords, StoreError> {
        Ok(ErrorRecords::default())
    }
    /// Evaluation results since a time (or all), at most `limit`, newest kept,
    /// returned oldest first.
    fn eval_records(
        &self,
        since_unix_nano: Option<u64>,
        limit: usize,
    ) -> Result<Vec<crate::evals::EvalRecord>, StoreError>;
    /// Raw metrics export requests (protobuf) received at or after `since`, in
    /// arrival order (for the GenAI metrics in `stats`).
    fn metrics_since(&self, _since_unix_nano: Option<u64>) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(Vec::new())
    }
}

/// Error records of a window (see `TraceStore::error_records`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorRecords {
    pub records: Vec<crate::errors::ErrorRecord>,
    pub truncated: bool,
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod retention_tests;

#[cfg(test)]
mod accounting_tests;
