//! Which spans count in totals, decided incrementally as spans arrive in any order:
//!
//! - **Wrapper calls.** A model-call span without usage (no token counts, no cost)
//!   that has a child model call of the same family (chat/completion, embedding,
//!   rerank) is a wrapper — OpenInference LlamaIndex's `OpenAI.predict` around
//!   `OpenAI.chat`, `get_query_embedding` around `_get_query_embedding`, AI SDK's
//!   outer `embeddings` span. It is never counted as a call (nor as unpriced).
//! - **Affected failures.** A failed span with a failed child did not fail on its
//!   own: the child's exception propagated through it. It is counted once, at the
//!   originating span; the ancestors are *affected*, not new errors. A failure that
//!   passes through a model or tool call counts at the call: the failed HTTP span
//!   beneath it (OpenLIT's `POST`) is part of the call, so per-model errors see it.
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
    pub parent: Option<SpanId>,
    /// A model or tool call (a failure passing through one is counted there).
    pub is_call: bool,
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
    /// (parent, the failed child is a model or tool call) of the failed spans seen.
    pub failed_parents: Vec<(SpanId, bool)>,
    /// Failed model and tool calls seen.
    pub failed_calls: Vec<SpanId>,
    /// Counted spans that a child could still un-count.
    pub open: Vec<OpenNode>,
    /// Model-call spans found to be wrappers.
    pub wrappers: u64,
    /// Failed spans found to be affected by another span's failure.
    pub affected: u64,
}

/// A model or tool call: where a failure is counted when one passes through it.
fn is_call(span: &Span) -> bool {
    span.llm
        .as_ref()
        .is_some_and(|l| l.kind.is_model_call() || l.kind == LlmKind::Tool)
}

impl Accounting {
    /// Folds one distinct span in: how it counts, and what it un-counts.
    pub fn fold(&mut self, span: &Span) -> (SpanCounts, Vec<Uncount>) {
        let mut counts = SpanCounts::of_span(span);
        let mut undone = Vec::new();
        self.fold_call(span, &mut counts, &mut undone);
        if span.is_error() {
            self.fold_failure(span, &mut counts, &mut undone);
        }
        let call = span.llm.as_ref().filter(|l| l.kind.is_model_call());
        let usage_less = call.is_some_and(without_usage);
        let open_call = call
            .filter(|_| counts.call && usage_less)
            .map(|l| family(l.kind));
        if (open_call.is_some() || counts.error) && self.open.len() < MAX_NODES {
            self.open.push(OpenNode {
                span_id: span.span_id,
                parent: span.parent_span_id,
                is_call: is_call(span),
                call_family: open_call,
                error: counts.error,
                key: rollup_key(span),
                cost_usd: call.and_then(|l| l.cost_usd),
                duration_ns: span.duration_nanos(),
            });
        }
        self.open.retain(|n| n.call_family.is_some() || n.error);
        (counts, undone)
    }

    /// Wrappers: a usage-less call whose child call arrived is no call, and a child
    /// call arriving un-counts its usage-less parent.
    fn fold_call(&mut self, span: &Span, counts: &mut SpanCounts, undone: &mut Vec<Uncount>) {
        let Some(l) = span.llm.as_ref().filter(|l| l.kind.is_model_call()) else {
            return;
        };
        let fam = family(l.kind);
        if without_usage(l) && self.call_parents.contains(&(span.span_id, fam)) {
            counts.call = false;
            self.wrappers += 1;
        }
        let Some(parent) = span.parent_span_id else {
            return;
        };
        if let Some(node) = self
            .open
            .iter_mut()
            .find(|n| n.span_id == parent && n.call_family == Some(fam))
        {
            node.call_family = None;
            undone.push(Uncount {
                key: node.key.clone(),
                call: Some((node.cost_usd, node.duration_ns)),
                error: false,
            });
            self.wrappers += 1;
        }
        push_bounded(&mut self.call_parents, (parent, fam));
    }

    /// Affected failures: a failure counts once, at the model or tool call it passed
    /// through (its transport spans beneath are part of it), else at the deepest
    /// failed span; failed ancestors are affected.
    fn fold_failure(&mut self, span: &Span, counts: &mut SpanCounts, undone: &mut Vec<Uncount>) {
        let me_call = is_call(span);
        let mut take_back = |node: &mut OpenNode, affected: &mut u64| {
            node.error = false;
            *affected += 1;
            undone.push(Uncount {
                key: node.key.clone(),
                call: None,
                error: true,
            });
        };
        if let Some(parent) = span.parent_span_id {
            if !me_call && self.failed_calls.contains(&parent) {
                // The HTTP span under a failed model call: part of that call.
                counts.error = false;
                self.affected += 1;
            } else if let Some(node) = self
                .open
                .iter_mut()
                .find(|n| n.span_id == parent && n.error)
            {
                take_back(node, &mut self.affected);
            }
            push_bounded(&mut self.failed_parents, (parent, me_call));
        }
        if me_call {
            push_bounded(&mut self.failed_calls, span.span_id);
        }
        let children: Vec<bool> = self
            .failed_parents
            .iter()
            .filter(|(p, _)| *p == span.span_id)
            .map(|(_, c)| *c)
            .collect();
        if children.is_empty() {
            return;
        }
        if me_call && children.iter().all(|c| !c) {
            // Transport spans that arrived first were counted: the call counts instead.
            for node in self
                .open
                .iter_mut()
                .filter(|n| n.parent == Some(span.span_id) && n.error && !n.is_call)
            {
                take_back(node, &mut self.affected);
            }
        } else if counts.error {
            counts.error = false;
            self.affected += 1;
        }
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

/// Failed spans of a loaded trace that another span's failure accounts for (shown as
/// affected, not as errors of their own): failed ancestors of a failure, and the
/// failed transport spans beneath a failed model or tool call.
pub fn affected_spans(spans: &[Span]) -> HashSet<SpanId> {
    let failed: HashMap<SpanId, bool> = spans
        .iter()
        .filter(|s| s.is_error())
        .map(|s| (s.span_id, is_call(s)))
        .collect();
    let mut out = HashSet::new();
    for s in spans.iter().filter(|s| s.is_error()) {
        let Some(&parent_call) = s.parent_span_id.and_then(|p| failed.get(&p)) else {
            continue;
        };
        if parent_call && !is_call(s) {
            out.insert(s.span_id);
        } else if let Some(p) = s.parent_span_id {
            out.insert(p);
        }
    }
    // A call whose failed children are all transport counts itself.
    let mut call_child: HashMap<SpanId, bool> = HashMap::new();
    for c in spans.iter().filter(|c| c.is_error()) {
        if let Some(p) = c.parent_span_id {
            *call_child.entry(p).or_default() |= is_call(c);
        }
    }
    out.retain(|id| !(failed.get(id) == Some(&true) && call_child.get(id) == Some(&false)));
    out
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
