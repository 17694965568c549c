//! Resilience patterns in a trace, as pure functions over its calls:
//!
//! - **Retry chain**: the same operation on the same model (or tool) and provider
//!   called again under the same parent after it failed — tenacity-style or SDK
//!   retries. One chain: its attempts in order, the waits between them, and whether
//!   the last attempt succeeded.
//! - **Fallback**: a failed model call followed, under the same parent, by a call of
//!   the same kind to another model or provider that succeeded.
//! - **Degraded**: the trace succeeded (its root did not fail) with errors inside.
//!
//! The input is a list of [`CallSignature`]s — model and tool calls reduced to what
//! matters here — taken from a loaded trace's spans (span tree marks) or kept in the
//! trace summary (trace list flags, the timeline), where the list is bounded and
//! independent of the order spans arrive in.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::model::{LlmKind, Span, SpanId, StatusCode, TraceSummary};

/// Most calls a trace summary keeps (the earliest by start time).
pub const MAX_SUMMARY_CALLS: usize = 32;
/// Longest model or tool name kept.
const MAX_TARGET: usize = 64;

/// One model or tool call, as the patterns see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSignature {
    pub span_id: SpanId,
    pub parent: Option<SpanId>,
    pub kind: LlmKind,
    /// The requested model, or the tool's name.
    pub target: String,
    pub provider: Option<String>,
    pub start_unix_nano: u64,
    pub end_unix_nano: u64,
    pub failed: bool,
}

impl CallSignature {
    /// The signature of a model or tool call; `None` for other spans.
    pub fn of_span(span: &Span) -> Option<CallSignature> {
        let llm = span.llm.as_ref()?;
        let target = if llm.kind == LlmKind::Tool {
            llm.tool
                .as_ref()
                .map(|t| t.name.as_str())
                .unwrap_or(&span.name)
        } else if llm.kind.is_model_call() {
            // Empty when the span names no model: such a call can still be retried,
            // but is never taken for a fallback from or to another model.
            // Canonical, so an attempt that failed (request model) and one that
            // succeeded (dated response model) are the same call.
            llm.canonical_model().unwrap_or("")
        } else {
            return None;
        };
        let failed = span.status.code != StatusCode::Ok && super::records::span_failed(span);
        Some(CallSignature {
            span_id: span.span_id,
            parent: span.parent_span_id,
            kind: llm.kind,
            target: target.chars().take(MAX_TARGET).collect(),
            provider: llm.provider.clone(),
            start_unix_nano: span.start_unix_nano,
            end_unix_nano: span.end_unix_nano,
            failed,
        })
    }

    fn key(&self) -> (LlmKind, &str, Option<&str>) {
        (self.kind, self.target.as_str(), self.provider.as_deref())
    }
}

/// Adds a span's call to a summary's bounded list: kept sorted by (start, span id)
/// and cut to the earliest `MAX_SUMMARY_CALLS`, so the result does not depend on
/// the order spans arrive in.
pub fn fold_call(calls: &mut Vec<CallSignature>, span: &Span) {
    let Some(sig) = CallSignature::of_span(span) else {
        return;
    };
    let key = (sig.start_unix_nano, sig.span_id);
    match calls.binary_search_by_key(&key, |c| (c.start_unix_nano, c.span_id)) {
        Ok(_) => {}
        Err(pos) if pos < MAX_SUMMARY_CALLS => {
            calls.insert(pos, sig);
            calls.truncate(MAX_SUMMARY_CALLS);
        }
        Err(_) => {}
    }
}

/// How a retry chain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainOutcome {
    /// The last attempt succeeded.
    Succeeded,
    /// Every attempt failed.
    Failed,
}

/// Repeated attempts of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryChain {
    pub parent: Option<SpanId>,
    pub kind: LlmKind,
    pub target: String,
    pub provider: Option<String>,
    /// The attempts' spans, oldest first.
    pub attempts: Vec<SpanId>,
    /// Time between the end of one attempt and the start of the next.
    pub waits_ns: Vec<u64>,
    pub outcome: ChainOutcome,
}

/// A failed model call rescued by another model or provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    pub parent: Option<SpanId>,
    /// The failed call (the last attempt when it was retried).
    pub from: SpanId,
    pub from_target: String,
    /// The call that succeeded.
    pub to: SpanId,
    pub to_target: String,
    pub to_provider: Option<String>,
}

/// Chains and fallbacks of one trace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resilience {
    pub chains: Vec<RetryChain>,
    pub fallbacks: Vec<Fallback>,
}

/// Finds retry chains and fallbacks among a trace's calls (any order).
pub fn analyze(calls: &[CallSignature]) -> Resilience {
    let mut by_parent: BTreeMap<Option<SpanId>, Vec<&CallSignature>> = BTreeMap::new();
    for c in calls {
        by_parent.entry(c.parent).or_default().push(c);
    }
    let mut out = Resilience::default();
    for (parent, mut siblings) in by_parent {
        siblings.sort_by_key(|c| (c.start_unix_nano, c.span_id));
        // Runs of one key: failures, then a success or the end.
        let mut open: HashMap<(LlmKind, &str, Option<&str>), Vec<&CallSignature>> = HashMap::new();
        let mut runs: Vec<Vec<&CallSignature>> = Vec::new();
        for c in &siblings {
            let run = open.entry(c.key()).or_default();
            run.push(c);
            if !c.failed {
                runs.push(std::mem::take(run));
            }
        }
        runs.extend(open.into_values().filter(|r| !r.is_empty()));
        runs.sort_by_key(|r| (r[0].start_unix_nano, r[0].span_id));
        for run in &runs {
            let last = run[run.len() - 1];
            if run.len() >= 2 {
                out.chains.push(RetryChain {
                    parent,
                    kind: last.kind,
                    target: last.target.clone(),
                    provider: last.provider.clone(),
                    attempts: run.iter().map(|c| c.span_id).collect(),
                    waits_ns: run
                        .windows(2)
                        .map(|w| w[1].start_unix_nano.saturating_sub(w[0].end_unix_nano))
                        .collect(),
                    outcome: if last.failed {
                        ChainOutcome::Failed
                    } else {
                        ChainOutcome::Succeeded
                    },
                });
            }
            if !last.failed || !last.kind.is_model_call() || last.target.is_empty() {
                continue;
            }
            // The next call of the same kind to another model or provider.
            let next = siblings.iter().find(|c| {
                (c.start_unix_nano, c.span_id) > (last.start_unix_nano, last.span_id)
                    && c.kind == last.kind
                    && !c.target.is_empty()
                    && c.key() != last.key()
            });
            if let Some(to) = next.filter(|c| !c.failed) {
                out.fallbacks.push(Fallback {
                    parent,
                    from: last.span_id,
                    from_target: last.target.clone(),
                    to: to.span_id,
                    to_target: to.target.clone(),
                    to_provider: to.provider.clone(),
                });
            }
        }
    }
    out
}

/// What the span tree shows next to one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallMark {
    /// Attempt `n` of `of` in a retry chain (1-based).
    pub attempt: Option<(usize, usize)>,
    /// The wait before this attempt (after the previous one ended).
    pub wait_ns: Option<u64>,
    /// This call is the fallback that succeeded.
    pub fallback: bool,
    /// This failed call was rescued by a fallback.
    pub fell_back: bool,
}

impl CallMark {
    /// A short label: `↻2/3 +612ms` (attempt, wait before it), `⤳fallback`, `⤳` on
    /// the failed call a fallback rescued.
    pub fn label(&self) -> String {
        let mut s = String::new();
        if let Some((n, of)) = self.attempt {
            s.push_str(&format!("↻{n}/{of}"));
            if let Some(w) = self.wait_ns {
                s.push_str(&format!(" +{}", super::report::fmt_wait(w)));
            }
        }
        if self.fallback {
            s.push_str("⤳fallback");
        } else if self.fell_back {
            s.push('⤳');
        }
        s
    }
}

/// Marks for the calls of a loaded trace, by span id.
pub fn span_marks(spans: &[Span]) -> HashMap<SpanId, CallMark> {
    let calls: Vec<CallSignature> = spans.iter().filter_map(CallSignature::of_span).collect();
    marks_of(&analyze(&calls))
}

/// Marks for the calls in an analysis, by span id.
pub fn marks_of(r: &Resilience) -> HashMap<SpanId, CallMark> {
    let mut marks: HashMap<SpanId, CallMark> = HashMap::new();
    for chain in &r.chains {
        let of = chain.attempts.len();
        for (i, id) in chain.attempts.iter().enumerate() {
            let m = marks.entry(*id).or_default();
            m.attempt = Some((i + 1, of));
            m.wait_ns = i
                .checked_sub(1)
                .and_then(|w| chain.waits_ns.get(w))
                .copied();
        }
    }
    for f in &r.fallbacks {
        marks.entry(f.to).or_default().fallback = true;
        marks.entry(f.from).or_default().fell_back = true;
    }
    marks
}

/// Trace-level flags, for the trace list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TraceFlags {
    pub retry: bool,
    pub fallback: bool,
    pub degraded: bool,
}

impl TraceFlags {
    /// From a summary alone (no spans read).
    pub fn of_summary(s: &TraceSummary) -> TraceFlags {
        let r = analyze(&s.calls);
        TraceFlags {
            retry: !r.chains.is_empty(),
            fallback: !r.fallbacks.is_empty(),
            degraded: is_degraded(s),
        }
    }

    pub fn any(&self) -> bool {
        self.retry || self.fallback || self.degraded
    }

    /// Compact marker for a list cell: `↻` retried, `⤳` fell back, `◐` degraded.
    pub fn marker(&self) -> String {
        let mut s = String::new();
        if self.retry {
            s.push('↻');
        }
        if self.fallback {
            s.push('⤳');
        }
        if self.degraded {
            s.push('◐');
        }
        s
    }
}

/// The trace succeeded (its root arrived and did not fail) with errors inside.
pub fn is_degraded(s: &TraceSummary) -> bool {
    s.root_seen && !s.root_error && s.error_count > 0
}

#[cfg(test)]
#[path = "chains_tests.rs"]
mod tests;
