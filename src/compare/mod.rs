//! Comparing two traces (two runs of the same agent or app): which spans match,
//! how their durations, tokens and costs differ, what only one run has, how the
//! matched model calls' messages, models and parameters differ, and where the runs
//! first diverge. Pure and UI-independent: the TUI's compare screen, `spanlens
//! compare` and other readers call [`compare_traces`] and get a [`TraceComparison`]
//! (serde `Serialize`, the JSON of `spanlens compare --json`).
//!
//! Matching (`matching`) follows Jaeger's trace comparison: a span is known by its
//! path of (name, kind) from the root. Names are normalized first (the model is
//! cut out of `chat gpt-4o`, so a fallback to another model still matches), and
//! siblings are aligned in start order, so a retried call or an extra step shows
//! as one span only in one run instead of shifting every later match. Two unmatched
//! siblings of the same kind between the same matched neighbours (a different tool
//! called at that step) are paired, and the pair is a divergence.

mod diff;
mod matching;
mod model;

pub use diff::{LlmDiff, MessageChange, MessageSection, ParamChange, llm_diff};
pub use matching::{MatchKey, match_key};
pub use model::{
    CompareRow, Delta, Divergence, DivergenceReason, RowSide, SpanFigures, TraceComparison,
    TraceTotals,
};

use crate::model::{Span, TraceId};
use crate::trace_analysis::SpanForest;

/// Compares trace `a` (the baseline) with trace `b`.
pub fn compare_traces(a_id: TraceId, a: &[Span], b_id: TraceId, b: &[Span]) -> TraceComparison {
    let fa = SpanForest::build(a);
    let fb = SpanForest::build(b);
    let rows = matching::matched_rows(a, &fa, b, &fb);
    let rows: Vec<CompareRow> = rows
        .into_iter()
        .map(|(depth, ia, ib, renamed)| {
            model::row(depth, ia.map(|i| &a[i]), ib.map(|i| &b[i]), renamed)
        })
        .collect();
    let divergence = model::first_divergence(&rows);
    TraceComparison {
        a: TraceTotals::of(a_id, a, &fa),
        b: TraceTotals::of(b_id, b, &fb),
        rows,
        divergence,
    }
}

#[cfg(test)]
mod tests;
