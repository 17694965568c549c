//! Reading traces for people and programs: a `TraceSource` answers the three queries
//! (trace list, one trace, stats) as the stable JSON of DESIGN.md, either from the
//! store in this process (`LocalSource`) or from a running instance's query API
//! (`crate::api::ApiClient`).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::model::{LogRecord, SpanId, TraceId};
use crate::normalize::enrich_from_logs;
use crate::pricing::PriceTable;
use crate::store::{StoreError, TraceQuery, TraceStore};

/// Errors reading traces, from the store or over the API.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("query API at {url}: {message}")]
    Api { url: String, message: String },
}

/// Where query commands and the UI read from.
pub trait TraceSource {
    /// Trace summaries, newest first (`traces --json`).
    fn traces(&self, query: &TraceQuery) -> Result<Value, SourceError>;
    /// One trace with its spans (`trace ID --json`), or `None` when unknown.
    fn trace(&self, id: TraceId) -> Result<Option<Value>, SourceError>;
    /// Totals over a window (`stats --json`).
    fn stats(&self, since_unix_nano: Option<u64>) -> Result<Value, SourceError>;
}

/// Reads the store directly (the owning process, or when no owner is alive).
#[derive(Clone)]
pub struct LocalSource {
    pub store: Arc<dyn TraceStore>,
    pub prices: Arc<PriceTable>,
}

impl std::fmt::Debug for LocalSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LocalSource")
    }
}

impl TraceSource for LocalSource {
    fn traces(&self, query: &TraceQuery) -> Result<Value, SourceError> {
        let list = self.store.list_traces(query)?;
        Ok(Value::Array(list.iter().map(|s| s.to_json()).collect()))
    }

    fn trace(&self, id: TraceId) -> Result<Option<Value>, SourceError> {
        Ok(trace_json(self.store.as_ref(), id, &self.prices)?)
    }

    fn stats(&self, since_unix_nano: Option<u64>) -> Result<Value, SourceError> {
        Ok(self.store.stats(since_unix_nano)?.to_json())
    }
}

/// One trace as JSON: its spans, each with the log records joined to it and its LLM
/// facet completed from them.
pub fn trace_json(
    store: &dyn TraceStore,
    id: TraceId,
    prices: &PriceTable,
) -> Result<Option<Value>, StoreError> {
    let mut spans = store.trace_spans(id)?;
    let logs = store.trace_logs(id)?;
    if spans.is_empty() && logs.is_empty() {
        return Ok(None);
    }
    let mut by_span: HashMap<SpanId, Vec<LogRecord>> = HashMap::new();
    let mut unjoined = Vec::new();
    for log in logs {
        match log.span_id {
            Some(s) => by_span.entry(s).or_default().push(log),
            None => unjoined.push(log),
        }
    }
    let empty = Vec::new();
    let spans_json: Vec<Value> = spans
        .iter_mut()
        .map(|span| {
            let logs = by_span.get(&span.span_id).unwrap_or(&empty);
            if !logs.is_empty() {
                enrich_from_logs(span, logs, prices);
            }
            span.to_json(logs)
        })
        .collect();
    let summary = store.trace_summary(id)?.map(|s| s.to_json());
    Ok(Some(json!({
        "trace_id": id,
        "summary": summary,
        "spans": spans_json,
        "logs": unjoined.iter().map(LogRecord::to_json).collect::<Vec<_>>(),
    })))
}
