//! Which spans count in totals, decided incrementally as spans arrive in any order:
//!
//! - **Wrapper calls.** A model-call span without usage (no token counts, no cost)
//!   that has a child model call of the same family (chat/completion, embedding,
//!   rerank) is a wrapper — OpenInference LlamaIndex's `OpenAI.predict` around
//!   `OpenAI.chat`, `get_query_embedding` around `_get_query_embedding`, AI SDK's
//!   outer `embeddings` span. It is never counted as a call (nor as unpriced).
//! - **Affected failures.** A failed span with a failed child did not fail on its
//!   own: the child's exception propagated through it. It is counted once, at the
//!   originating span; the ancestors are *affected*, not new errors.
//!
//! Either fact may only become known when a later span arrives (the child after the
//! parent, in another export request). [`Accounting`], kept in the trace summary,
//! remembers what could still change — the parents of model calls and of failures
//! seen, and the counted spans that a child could still un-count — so that an
//! arriving span both learns how it counts itself and returns the [`Uncount`]s it
//! causes to spans counted earlier (summary and rollups apply them). Bounded by
//! [`MAX_NODES`] per list: past that, later spans count as they are.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{LlmFacet, LlmKind, Span, SpanId};

/// Most entries each list of [`Accounting`] keeps.
pub const MAX_NODES: usize = 64;

/// The rollup key of a span: (minute, service, canonical model; empty for spans that
/// are not model calls).
pub type RollupKey = (u64, String, String);

/// The rollup key of a span (see [`RollupKey`]).
pub fn rollup_key(span: &Span) -> RollupKey {
    let minute = span.start_unix_nano / 60_000_000_000;
    let model = span
        .llm
        .as_ref()
        .filter(|l| l.kind.is_model_call())
        .map(|l| l.canonical_model().unwrap_or("unknown").to_string())
        .unwrap_or_default();
    (minute, span.service.clone(), model)
}

/// Kinds of model call that wrap each other: a completion and a chat are one family.
fn family(kind: LlmKind) -> u8 {
    match kind {
        LlmKind::Llm | LlmKind::Chat => 0,
        LlmKind::Embedding => 1,
        LlmKind::Reranker => 2,
        _ => 3,
    }
}

/// A model call that reports neither tokens nor cost.
pub fn without_usage(llm: &LlmFacet) -> bool {
    llm.input_tokens.is_none()
        && llm.output_tokens.is_none()
        && llm.cache_read_tokens.is_none()
        && llm.cache_write_tokens.is_none()
        && llm.reasoning_tokens.is_none()
        && llm.cost_usd.is_none()
}

/// A counted span a later child may un-count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenNode {
    pub span_id: SpanId,
    /// Counted as a model call of this family without usage (a possible wrapper).
    pub call_family: Option<u8>,
    /// Counted as an error (a failure a failed child may explain).
    pub error: bool,
    pub key: RollupKey,
    pub cost_usd: Option<f64>,
    pub duration_ns: u64,
}

/// What an arriving span takes back from a span counted earlier.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncount {
    pub key: RollupKey,
    /// The span is a wrapper: no longer a call (its cost, if any, and duration).
    pub call: Option<(Option<f64>, u64)>,
    /// The span's failure is affected by its child's: no longer an error.
    pub error: bool,
}

/// How an arriving span counts itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanCounts {
    /// Counts as a model call (false for spans that are not model calls, and wrappers).
    pub call: bool,
    /// Counts as an error (false for spans that did not fail, and affected ones).
    pub error: bool,
}

impl SpanCounts {
    /// Everything counted as the span says (no wrapper or affected failure known).
    pub fn of_span(span: &Span) -> SpanCounts {
        SpanCounts {
            call: span.llm.as_ref().is_some_and(|l| l.kind.is_model_call()),
            error: span.is_error(),
        }
    }
}

/// The bookkeeping kept in a trace summary (see the module header).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Accounting {
    /// (parent, family) of the model calls seen.
    pub call_parents: Vec<(SpanId, u8)>,
    /// Parents of the failed spans seen.
    pub failed_parents: Vec<SpanId>,
    /// Counted spans that a child could still un-count.
    pub open: Vec<OpenNode>,
    /// Model-call spans found to be wrappers.
    pub wrappers: u64,
    /// Failed spans found to be affected by a failed child.
    pub affected: u64,
}

impl Accounting {
    /// Folds one distinct span in: how it counts, and what it un-counts.
    pub fn fold(&mut self, span: &Span) -> (SpanCounts, Vec<Uncount>) {
        let mut counts = SpanCounts::of_span(span);
        let call = span.llm.as_ref().filter(|l| l.kind.is_model_call());
        let fam = call.map(|l| family(l.kind));
        let usage_less = call.is_some_and(without_usage);
        if let Some(f) = fam
            && usage_less
            && self.call_parents.contains(&(span.span_id, f))
        {
            counts.call = false;
            self.wrappers += 1;
        }
        if counts.error && self.failed_parents.contains(&span.span_id) {
            counts.error = false;
            self.affected += 1;
        }

        let mut undone = Vec::new();
        if let Some(parent) = span.parent_span_id {
            if let Some(node) = self.open.iter_mut().find(|n| n.span_id == parent) {
                let mut u = Uncount {
                    key: node.key.clone(),
                    call: None,
                    error: false,
                };
                if fam.is_some() && node.call_family == fam {
                    node.call_family = None;
                    u.call = Some((node.cost_usd, node.duration_ns));
                    self.wrappers += 1;
                }
                if span.is_error() && node.error {
                    node.error = false;
                    u.error = true;
                    self.affected += 1;
                }
                if u.call.is_some() || u.error {
                    undone.push(u);
                }
            }
            self.open.retain(|n| n.call_family.is_some() || n.error);
            if let Some(f) = fam {
                push_bounded(&mut self.call_parents, (parent, f));
            }
            if span.is_error() {
                push_bounded(&mut self.failed_parents, parent);
            }
        }

        let open_call = (counts.call && usage_less).then_some(fam).flatten();
        if (open_call.is_some() || counts.error) && self.open.len() < MAX_NODES {
            self.open.push(OpenNode {
                span_id: span.span_id,
                call_family: open_call,
                error: counts.error,
                key: rollup_key(span),
                cost_usd: call.and_then(|l| l.cost_usd),
                duration_ns: span.duration_nanos(),
            });
        }
        (counts, undone)
    }
}

fn push_bounded<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if list.len() < MAX_NODES && !list.contains(&item) {
        list.push(item);
    }
}

/// Wrapper spans of a loaded trace and the model call each wraps (its first child
/// model call of the same family), for showing a wrapper with its child's figures.
pub fn wrapped_calls(spans: &[Span]) -> HashMap<SpanId, SpanId> {
    let usage_less: HashMap<SpanId, u8> = spans
        .iter()
        .filter_map(|s| {
            let l = s.llm.as_ref().filter(|l| l.kind.is_model_call())?;
            without_usage(l).then_some((s.span_id, family(l.kind)))
        })
        .collect();
    let mut out = HashMap::new();
    for s in spans {
        let Some(l) = s.llm.as_ref().filter(|l| l.kind.is_model_call()) else {
            continue;
        };
        if let Some(parent) = s.parent_span_id
            && usage_less.get(&parent) == Some(&family(l.kind))
        {
            out.entry(parent).or_insert(s.span_id);
        }
    }
    out
}

/// Failed spans of a loaded trace that a failed child's exception propagated
/// through (shown as affected, not as errors of their own).
pub fn affected_spans(spans: &[Span]) -> HashSet<SpanId> {
    let failed: HashSet<SpanId> = spans
        .iter()
        .filter(|s| s.is_error())
        .map(|s| s.span_id)
        .collect();
    spans
        .iter()
        .filter(|s| s.is_error())
        .filter_map(|s| s.parent_span_id.filter(|p| failed.contains(p)))
        .collect()
}

/// The call whose figures a wrapper shows: follows wrappers down to the innermost.
pub fn innermost(wrapped: &HashMap<SpanId, SpanId>, id: SpanId) -> SpanId {
    let mut cur = id;
    for _ in 0..MAX_NODES {
        match wrapped.get(&cur) {
            Some(next) => cur = *next,
            None => break,
        }
    }
    cur
}

#[cfg(test)]
#[path = "accounting_tests.rs"]
mod tests;
