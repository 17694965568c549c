//! The ingest hook: before a request's spans go to the writer, run the online
//! evaluators on them and turn every evaluation result (the spans' own, the online
//! ones, and those in GenAI evaluation log records) into eval records for the
//! writer to store beside the spans, in the same atomic batch.
//!
//! A result about a span the request lacks (a named response, an evaluator's
//! parent, the root) is resolved against the spans already stored for its trace;
//! online results are about their own span and never cause a store read.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::config::EvalConfig;
use super::online;
use super::record::{EvalRecord, KnownSpans, Need, needs_more, record_for, record_for_log};
use crate::model::{LogRecord, Span, TraceId};
use crate::normalize::eval_of_log;
use crate::store::TraceStore;

/// What the ingestor runs on each request.
#[derive(Clone)]
pub struct EvalHook {
    pub config: Arc<EvalConfig>,
    pub store: Arc<dyn TraceStore>,
}

impl std::fmt::Debug for EvalHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EvalHook({} evaluators)", self.config.evaluators.len())
    }
}

impl EvalHook {
    pub fn new(config: Arc<EvalConfig>, store: Arc<dyn TraceStore>) -> Self {
        EvalHook { config, store }
    }

    /// Runs the online evaluators on `spans` and returns the records of every result.
    pub fn on_spans(&self, spans: &mut [Span]) -> Vec<EvalRecord> {
        online::apply(&self.config.evaluators, spans);
        let store = self.store.clone();
        build_records(
            spans,
            self.config.experiment_key.as_deref(),
            &mut |t, need| {
                // The root's context alone is not worth reading a large trace for (its
                // root usually arrives last anyway); results get it when read.
                let small = || {
                    store
                        .trace_summary(t)
                        .ok()
                        .flatten()
                        .is_some_and(|s| s.span_count <= CONTEXT_READ_MAX_SPANS)
                };
                if need == Need::Target || small() {
                    store.trace_spans(t).unwrap_or_default()
                } else {
                    Vec::new()
                }
            },
        )
    }

    /// Records of the evaluation results among log records.
    pub fn on_logs(&self, logs: &[LogRecord]) -> Vec<EvalRecord> {
        let store = self.store.clone();
        records_for_logs(logs, self.config.experiment_key.as_deref(), &mut |t| {
            store.trace_spans(t).unwrap_or_default()
        })
    }
}

/// Largest stored trace read only to find the root's experiment and example.
pub const CONTEXT_READ_MAX_SPANS: u64 = 2_000;

/// The records of the results on `spans`; `load` reads a trace's stored spans and
/// is called at most once per trace, only when a result needs something (`Need`).
pub fn build_records(
    spans: &[Span],
    experiment_key: Option<&str>,
    load: &mut dyn FnMut(TraceId, Need) -> Vec<Span>,
) -> Vec<EvalRecord> {
    let mut by_trace: BTreeMap<TraceId, Vec<&Span>> = BTreeMap::new();
    for s in spans {
        by_trace.entry(s.trace_id).or_default().push(s);
    }
    let mut out = Vec::new();
    for (trace, batch) in by_trace {
        let carriers: Vec<&Span> = batch
            .iter()
            .copied()
            .filter(|s| s.llm.as_ref().is_some_and(|l| !l.evals.is_empty()))
            .collect();
        if carriers.is_empty() {
            continue;
        }
        let in_batch = KnownSpans {
            spans: batch.clone(),
        };
        let need = carriers
            .iter()
            .flat_map(|c| {
                c.llm
                    .iter()
                    .flat_map(|l| &l.evals)
                    .filter(|e| e.source != online::SOURCE)
                    .map(|e| needs_more(e, c, &in_batch))
            })
            .max()
            .unwrap_or(Need::Nothing);
        let stored = match need {
            Need::Nothing => Vec::new(),
            need => load(trace, need),
        };
        let ids: HashSet<_> = batch.iter().map(|s| s.span_id).collect();
        let mut known = in_batch;
        known
            .spans
            .extend(stored.iter().filter(|s| !ids.contains(&s.span_id)));
        for c in carriers {
            let Some(llm) = &c.llm else { continue };
            for (i, e) in llm.evals.iter().enumerate() {
                out.push(record_for(e, i as u32, c, &known, experiment_key));
            }
        }
    }
    out
}

/// The records of GenAI evaluation events sent as log records.
pub fn records_for_logs(
    logs: &[LogRecord],
    experiment_key: Option<&str>,
    load: &mut dyn FnMut(TraceId) -> Vec<Span>,
) -> Vec<EvalRecord> {
    let mut by_trace: BTreeMap<TraceId, Vec<(&LogRecord, crate::model::Eval)>> = BTreeMap::new();
    for log in logs {
        if let (Some(t), Some(_), Some(e)) = (log.trace_id, log.span_id, eval_of_log(log)) {
            by_trace.entry(t).or_default().push((log, e));
        }
    }
    let mut out = Vec::new();
    for (trace, items) in by_trace {
        let stored = load(trace);
        let known = KnownSpans {
            spans: stored.iter().collect(),
        };
        out.extend(
            items
                .iter()
                .filter_map(|(log, e)| record_for_log(e, log, &known, experiment_key)),
        );
    }
    out
}

#[cfg(test)]
#[path = "ingest_tests.rs"]
mod tests;
