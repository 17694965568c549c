//! Per-trace summary, updated incrementally as spans arrive in any order (the root
//! often last). The trace list, filters and stats read these, never the spans.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::accounting::{Accounting, SpanCounts, Uncount};
use super::{Eval, Span, TraceId};
use crate::errors::chains::{CallSignature, TraceFlags};

/// Running aggregate of one evaluator's results within a trace.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EvalSummary {
    pub name: String,
    pub count: u64,
    pub scored: u64,
    pub score_sum: f64,
    /// Results that could be judged pass/fail (a known label, or a score).
    pub judged: u64,
    pub passed: u64,
}

const PASS_LABELS: &[&str] = &[
    "pass", "passed", "correct", "relevant", "true", "yes", "good", "grounded", "factual",
    "faithful", "safe", "ok", "success",
];
const FAIL_LABELS: &[&str] = &[
    "fail",
    "failed",
    "incorrect",
    "irrelevant",
    "false",
    "no",
    "bad",
    "hallucinated",
    "unfaithful",
    "unsafe",
    "toxic",
    "error",
    "failure",
];

/// Pass/fail verdict of one result: a known label decides; otherwise a score of at
/// least 0.5 passes; `None` when neither says.
pub fn eval_passed(eval: &Eval) -> Option<bool> {
    if let Some(label) = &eval.label {
        let l = label.trim().to_ascii_lowercase();
        if PASS_LABELS.contains(&l.as_str()) {
            return Some(true);
        }
        if FAIL_LABELS.contains(&l.as_str()) {
            return Some(false);
        }
    }
    eval.score.map(|s| s >= 0.5)
}

impl EvalSummary {
    pub fn mean_score(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.score_sum / self.scored as f64)
    }
    pub fn pass_rate(&self) -> Option<f64> {
        (self.judged > 0).then(|| self.passed as f64 / self.judged as f64)
    }
}

/// Attributes naming the user a span ran for, first match wins: OTel's `user.id`
/// (also OpenInference's), the older `enduser.id`, LangSmith metadata, traceloop's
/// association properties, the Vercel AI SDK's telemetry metadata (≤6) and runtime
/// context (7). Span attributes first, then the resource's.
pub const USER_KEYS: &[&str] = &[
    "user.id",
    "enduser.id",
    "langsmith.metadata.user_id",
    "traceloop.association.properties.user_id",
    "ai.telemetry.metadata.userId",
    "ai.settings.context.userId",
];

/// The user of a span (see [`USER_KEYS`]); empty values do not count.
pub fn user_of(span: &Span) -> Option<&str> {
    [&span.attributes, &span.resource]
        .into_iter()
        .find_map(|attrs| {
            USER_KEYS
                .iter()
                .find_map(|k| attrs.get(*k).and_then(|v| v.as_str()))
                .filter(|u| !u.is_empty())
        })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceSummary {
    pub trace_id: TraceId,
    /// Name of the root span; until the root arrives, of the earliest span seen.
    pub root_name: String,
    pub root_seen: bool,
    pub service: String,
    pub project: Option<String>,
    pub session: Option<String>,
    /// The user the trace ran for (see [`USER_KEYS`]), for the cost panel's by-user table.
    pub user: Option<String>,
    pub start_unix_nano: u64,
    pub end_unix_nano: u64,
    pub span_count: u64,
    pub error_count: u64,
    pub llm_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub reasoning_tokens: u64,
    /// Sum of the known costs of model calls; `None` while no call has a known cost.
    pub cost_usd: Option<f64>,
    /// Model calls whose cost is unknown (unpriced model, or no token counts).
    pub unpriced_calls: u64,
    pub models: Vec<String>,
    pub evals: Vec<EvalSummary>,
    /// The root span arrived with status ERROR (a trace that failed, not degraded).
    pub root_error: bool,
    /// Model and tool calls (the earliest `MAX_SUMMARY_CALLS`), for retry/fallback
    /// flags without reading spans (`crate::errors::chains`).
    pub calls: Vec<CallSignature>,
    /// Wrapper calls and affected failures (`accounting.rs`): `llm_calls`,
    /// `error_count`, tokens and cost leave them out.
    pub accounting: Accounting,
}

impl TraceSummary {
    pub fn new(trace_id: TraceId) -> Self {
        TraceSummary {
            trace_id,
            root_name: String::new(),
            root_seen: false,
            service: String::new(),
            project: None,
            session: None,
            user: None,
            start_unix_nano: u64::MAX,
            end_unix_nano: 0,
            span_count: 0,
            error_count: 0,
            llm_calls: 0,
            input_tokens: 0,
            output_tokens: 0,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
            reasoning_tokens: 0,
            cost_usd: None,
            unpriced_calls: 0,
            models: Vec::new(),
            evals: Vec::new(),
            root_error: false,
            calls: Vec::new(),
            accounting: Accounting::default(),
        }
    }

    pub fn duration_ms(&self) -> f64 {
        self.end_unix_nano.saturating_sub(self.start_unix_nano) as f64 / 1e6
    }

    pub fn total_tokens(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }

    /// Folds one span in. Must be called once per distinct span (the store
    /// de-duplicates resends before calling it). Returns how the span counts and
    /// what it takes back from spans counted earlier (a wrapper's call, an affected
    /// ancestor's error), for the rollups.
    pub fn apply_span(&mut self, span: &Span) -> (SpanCounts, Vec<Uncount>) {
        let (counts, undone) = self.accounting.fold(span);
        for u in &undone {
            if let Some((cost, _)) = u.call {
                self.llm_calls = self.llm_calls.saturating_sub(1);
                match cost {
                    Some(c) => self.cost_usd = self.cost_usd.map(|t| t - c),
                    None => self.unpriced_calls = self.unpriced_calls.saturating_sub(1),
                }
            }
            if u.error {
                self.error_count = self.error_count.saturating_sub(1);
            }
        }
        self.fold_span(span, counts);
        (counts, undone)
    }

    fn fold_span(&mut self, span: &Span, counts: SpanCounts) {
        let is_root = span.parent_span_id.is_none();
        let earlier = span.start_unix_nano < self.start_unix_nano;
        if is_root || (!self.root_seen && (earlier || self.span_count == 0)) {
            self.root_name = span.name.clone();
            self.service = span.service.clone();
            self.root_seen |= is_root;
        }
        self.start_unix_nano = self.start_unix_nano.min(span.start_unix_nano);
        self.end_unix_nano = self.end_unix_nano.max(span.end_unix_nano);
        self.span_count += 1;
        if counts.error {
            self.error_count += 1;
        }
        if (self.session.is_none() || is_root)
            && let Some(s) = &span.session
        {
            self.session = Some(s.clone());
        }
        if (self.project.is_none() || is_root)
            && let Some(p) = &span.project
        {
            self.project = Some(p.clone());
        }
        if (self.user.is_none() || is_root)
            && let Some(u) = user_of(span)
        {
            self.user = Some(u.to_string());
        }
        self.root_error |= is_root && span.is_error();
        crate::errors::chains::fold_call(&mut self.calls, span);
        let Some(llm) = &span.llm else { return };
        for eval in &llm.evals {
            self.add_eval(eval);
        }
        if !counts.call {
            return;
        }
        self.llm_calls += 1;
        self.input_tokens += llm.input_tokens.unwrap_or(0);
        self.output_tokens += llm.output_tokens.unwrap_or(0);
        self.cache_read_tokens += llm.cache_read_tokens.unwrap_or(0);
        self.cache_write_tokens += llm.cache_write_tokens.unwrap_or(0);
        self.reasoning_tokens += llm.reasoning_tokens.unwrap_or(0);
        match llm.cost_usd {
            Some(c) => self.cost_usd = Some(self.cost_usd.unwrap_or(0.0) + c),
            None => self.unpriced_calls += 1,
        }
        if let Some(model) = llm.canonical_model()
            && let Err(pos) = self.models.binary_search_by(|m| m.as_str().cmp(model))
        {
            self.models.insert(pos, model.to_string());
        }
    }

    fn add_eval(&mut self, eval: &Eval) {
        let idx = match self.evals.iter().position(|e| e.name == eval.name) {
            Some(i) => i,
            None => {
                self.evals.push(EvalSummary {
                    name: eval.name.clone(),
                    ..Default::default()
                });
                self.evals.len() - 1
            }
        };
        let acc = &mut self.evals[idx];
        acc.count += 1;
        if let Some(s) = eval.score {
            acc.scored += 1;
            acc.score_sum += s;
        }
        if let Some(p) = eval_passed(eval) {
            acc.judged += 1;
            acc.passed += u64::from(p);
        }
    }

    /// The stable JSON of `spanlens traces --json` (field names in DESIGN.md).
    pub fn to_json(&self) -> Value {
        let flags = TraceFlags::of_summary(self);
        json!({
            "retried": flags.retry,
            "fell_back": flags.fallback,
            "degraded": flags.degraded,
            "root_failed": self.root_seen && self.root_error,
            "trace_id": self.trace_id,
            "root_name": self.root_name,
            "service": self.service,
            "project": self.project,
            "session": self.session,
            "user": self.user,
            "start_unix_nano": self.start_unix_nano,
            "end_unix_nano": self.end_unix_nano,
            "duration_ms": self.duration_ms(),
            "span_count": self.span_count,
            "error_count": self.error_count,
            "affected_errors": self.accounting.affected,
            "wrapper_calls": self.accounting.wrappers,
            "llm_calls": self.llm_calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "cost_usd": self.cost_usd,
            "unpriced_calls": self.unpriced_calls,
            "models": self.models,
            "evals": self.evals.iter().map(|e| json!({
                "name": e.name,
                "count": e.count,
                "mean_score": e.mean_score(),
                "pass_rate": e.pass_rate(),
            })).collect::<Vec<_>>(),
        })
    }
}
