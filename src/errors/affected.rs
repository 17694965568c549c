//! Which error records count in the timeline: a failure recorded again by each span
//! it propagated through counts once, where it originated (`model::accounting`'s
//! rule, over the records of a window); the affected ancestors lend the originating
//! record the stack trace they recorded.

use std::collections::{HashMap, HashSet};

use super::records::{ErrorRecord, ErrorSource};
use crate::model::{SpanId, TraceId};

/// A record of a model or tool call (where a failure passing through one counts).
fn is_call_record(r: &ErrorRecord) -> bool {
    matches!(
        r.operation.as_deref(),
        Some("llm" | "chat" | "embedding" | "reranker" | "tool")
    )
}

/// Span records another record's failure accounts for (`model::accounting`'s rule
/// over records): failed ancestors of a failure, and failed transport spans beneath
/// a failed model or tool call.
pub(super) fn affected_records(records: &[ErrorRecord]) -> HashSet<(TraceId, SpanId)> {
    let spans: Vec<&ErrorRecord> = records
        .iter()
        .filter(|r| r.source == ErrorSource::Span && r.span_id.is_some())
        .collect();
    let failed: HashMap<(TraceId, SpanId), bool> = spans
        .iter()
        .filter_map(|r| Some(((r.trace_id, r.span_id?), is_call_record(r))))
        .collect();
    let mut out = HashSet::new();
    let mut call_child: HashMap<(TraceId, SpanId), bool> = HashMap::new();
    for r in &spans {
        let (Some(id), Some(p)) = (r.span_id, r.parent_span_id) else {
            continue;
        };
        let Some(&parent_call) = failed.get(&(r.trace_id, p)) else {
            continue;
        };
        *call_child.entry((r.trace_id, p)).or_default() |= is_call_record(r);
        if parent_call && !is_call_record(r) {
            out.insert((r.trace_id, id));
        } else {
            out.insert((r.trace_id, p));
        }
    }
    out.retain(|k| !(failed.get(k) == Some(&true) && call_child.get(k) == Some(&false)));
    out
}

/// The stack trace the nearest failed ancestor recorded for the failure `r` started.
pub(super) fn ancestor_stacktrace(
    by_span: &HashMap<(TraceId, SpanId), &ErrorRecord>,
    r: &ErrorRecord,
) -> Option<String> {
    let mut parent = r.parent_span_id;
    for _ in 0..64 {
        let p = by_span.get(&(r.trace_id, parent?))?;
        if let Some(s) = &p.stacktrace {
            return Some(s.clone());
        }
        parent = p.parent_span_id;
    }
    None
}
