//! Reading traces for people and programs: a `TraceSource` answers the three queries
//! (trace list, one trace, stats) as the stable JSON of DESIGN.md, either from the
//! store in this process (`LocalSource`) or from a running instance's query API
//! (`crate::api::ApiClient`).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::model::{LogRecord, Span, SpanId, TraceId, accounting};
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
    /// Error records of a window and their traces' summaries (`spanlens errors`).
    fn error_window(
        &self,
        since_unix_nano: Option<u64>,
    ) -> Result<crate::errors::ErrorWindow, SourceError>;
    /// Evaluation records of a window, newest first, at most `limit` (`spanlens evals`).
    fn eval_records(
        &self,
        since_unix_nano: Option<u64>,
        limit: usize,
    ) -> Result<Vec<crate::evals::EvalRecord>, SourceError>;
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
        let now = crate::util::now_unix_nano();
        let report = crate::cost::load(self.store.as_ref(), &self.prices, since_unix_nano, now)?;
        let mut v = report.to_stats_json();
        let raw = self.store.metrics_since(since_unix_nano)?;
        v["genai_metrics"] =
            crate::metrics_genai::GenAiMetrics::from_raw(&raw, since_unix_nano).to_json();
        Ok(v)
    }

    fn error_window(
        &self,
        since_unix_nano: Option<u64>,
    ) -> Result<crate::errors::ErrorWindow, SourceError> {
        let now = crate::util::now_unix_nano();
        Ok(crate::errors::report::load_window(
            self.store.as_ref(),
            since_unix_nano,
            now,
        )?)
    }

    fn eval_records(
        &self,
        since_unix_nano: Option<u64>,
        limit: usize,
    ) -> Result<Vec<crate::evals::EvalRecord>, SourceError> {
        crate::evals::source::local(self.store.as_ref(), since_unix_nano, limit)
    }
}

/// One trace as readers hold it: its spans (LLM facets completed from the log
/// records joined to them), the logs of each span, and logs joined to the trace but
/// to no span.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TraceDetail {
    pub spans: Vec<Span>,
    /// Log records of each span (same index as `spans`).
    pub logs: Vec<Vec<LogRecord>>,
    pub unjoined_logs: Vec<LogRecord>,
}

/// Loads one trace with its logs; `None` when the store knows nothing of it.
pub fn trace_detail(
    store: &dyn TraceStore,
    id: TraceId,
    prices: &PriceTable,
) -> Result<Option<TraceDetail>, StoreError> {
    let mut spans = store.trace_spans(id)?;
    let logs = store.trace_logs(id)?;
    if spans.is_empty() && logs.is_empty() {
        return Ok(None);
    }
    let mut by_span: HashMap<SpanId, Vec<LogRecord>> = HashMap::new();
    let mut unjoined_logs = Vec::new();
    for log in logs {
        match log.span_id {
            Some(s) => by_span.entry(s).or_default().push(log),
            None => unjoined_logs.push(log),
        }
    }
    let mut span_logs = Vec::with_capacity(spans.len());
    for span in &mut spans {
        let logs = by_span.remove(&span.span_id).unwrap_or_default();
        if !logs.is_empty() {
            enrich_from_logs(span, &logs, prices);
        }
        span_logs.push(logs);
    }
    // Records naming a span that has not arrived stay visible at trace level.
    unjoined_logs.extend(by_span.into_values().flatten());
    Ok(Some(TraceDetail {
        spans,
        logs: span_logs,
        unjoined_logs,
    }))
}

/// One trace as JSON: its spans, each with the log records joined to it and its LLM
/// facet completed from them.
pub fn trace_json(
    store: &dyn TraceStore,
    id: TraceId,
    prices: &PriceTable,
) -> Result<Option<Value>, StoreError> {
    let Some(detail) = trace_detail(store, id, prices)? else {
        return Ok(None);
    };
    // Retry-chain attempt / fallback labels, as the TUI's tree shows them.
    let marks = crate::errors::chains::span_marks(&detail.spans);
    let wrapped = accounting::wrapped_calls(&detail.spans);
    let affected = accounting::affected_spans(&detail.spans);
    let by_id: HashMap<SpanId, &Span> = detail.spans.iter().map(|s| (s.span_id, s)).collect();
    let spans_json: Vec<Value> = detail
        .spans
        .iter()
        .zip(&detail.logs)
        .map(|(span, logs)| {
            let mut v = span.to_json(logs);
            if let (Some(m), Some(o)) = (marks.get(&span.span_id), v.as_object_mut()) {
                o.insert("chain_mark".into(), Value::from(m.label()));
            }
            v["affected"] = json!(affected.contains(&span.span_id));
            // A wrapper is shown with the figures of the call it wraps (not counted).
            if wrapped.contains_key(&span.span_id)
                && let Some(inner) = by_id.get(&accounting::innermost(&wrapped, span.span_id))
                && let Some(l) = &inner.llm
            {
                v["llm"]["wraps"] = json!(inner.span_id);
                v["llm"]["wrapped"] = json!({
                    "response_model": l.response_model,
                    "input_tokens": l.input_tokens,
                    "output_tokens": l.output_tokens,
                    "cache_read_tokens": l.cache_read_tokens,
                    "cost_usd": l.cost_usd,
                });
            }
            v
        })
        .collect();
    let summary = store.trace_summary(id)?.map(|s| s.to_json());
    Ok(Some(json!({
        "trace_id": id,
        "summary": summary,
        "spans": spans_json,
        "logs": detail.unjoined_logs.iter().map(LogRecord::to_json).collect::<Vec<_>>(),
    })))
}
