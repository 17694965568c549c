//! The comparison's result types (the JSON of `spanlens compare --json`), how a row
//! is filled from its two spans, and where the runs first diverge.

use serde::Serialize;

use super::diff::{LlmDiff, llm_diff};
use super::matching::match_key;
use crate::model::{LlmKind, Span, SpanId, TraceId};
use crate::trace_analysis::SpanForest;

/// A whole run's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceTotals {
    pub trace_id: TraceId,
    pub root_name: String,
    pub service: String,
    pub span_count: usize,
    pub duration_ms: f64,
    pub llm_calls: usize,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: Option<f64>,
    pub errors: usize,
}

impl TraceTotals {
    pub(super) fn of(trace_id: TraceId, spans: &[Span], forest: &SpanForest) -> TraceTotals {
        let root = forest.roots.first().map(|&r| &spans[r]);
        let start = spans.iter().map(|s| s.start_unix_nano).min().unwrap_or(0);
        let end = spans.iter().map(|s| s.end_unix_nano).max().unwrap_or(0);
        let mut t = TraceTotals {
            trace_id,
            root_name: root.map(|s| s.name.clone()).unwrap_or_default(),
            service: root.map(|s| s.service.clone()).unwrap_or_default(),
            span_count: spans.len(),
            duration_ms: end.saturating_sub(start) as f64 / 1e6,
            llm_calls: 0,
            input_tokens: 0,
            output_tokens: 0,
            cost_usd: None,
            errors: spans.iter().filter(|s| s.is_error()).count(),
        };
        for l in spans
            .iter()
            .filter_map(|s| s.llm.as_ref())
            .filter(|l| l.kind.is_model_call())
        {
            t.llm_calls += 1;
            t.input_tokens += l.input_tokens.unwrap_or(0);
            t.output_tokens += l.output_tokens.unwrap_or(0);
            if let Some(c) = l.cost_usd {
                t.cost_usd = Some(t.cost_usd.unwrap_or(0.0) + c);
            }
        }
        t
    }

    pub fn total_tokens(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }
}

/// One span's figures in one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpanFigures {
    pub span_id: SpanId,
    pub name: String,
    pub service: String,
    /// The GenAI kind (`chat`, `tool`, …) or the OTel span kind.
    pub kind: String,
    pub model: Option<String>,
    pub tool: Option<String>,
    pub duration_ms: f64,
    /// Tokens and cost count only model calls (as everywhere in spanlens).
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: Option<f64>,
    pub error: bool,
    pub status_message: String,
}

impl SpanFigures {
    fn of(span: &Span) -> SpanFigures {
        let llm = span.llm.as_ref();
        let call = llm.filter(|l| l.kind.is_model_call());
        SpanFigures {
            span_id: span.span_id,
            name: span.name.clone(),
            service: span.service.clone(),
            kind: match_key(span).kind,
            model: llm.and_then(|l| l.model()).map(str::to_string),
            tool: llm
                .filter(|l| l.kind == LlmKind::Tool)
                .map(|l| match &l.tool {
                    Some(t) if !t.name.is_empty() => t.name.clone(),
                    _ => span.name.clone(),
                }),
            duration_ms: span.duration_nanos() as f64 / 1e6,
            input_tokens: call.and_then(|l| l.input_tokens).unwrap_or(0),
            output_tokens: call.and_then(|l| l.output_tokens).unwrap_or(0),
            cost_usd: call.and_then(|l| l.cost_usd),
            error: span.is_error(),
            status_message: span.status.message.clone(),
        }
    }

    pub fn tokens(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }
}

/// B minus A.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delta {
    pub duration_ms: f64,
    pub tokens: i64,
    /// `None` unless both costs are known.
    pub cost_usd: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowSide {
    Both,
    OnlyA,
    OnlyB,
}

/// One line of the matched tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRow {
    pub depth: usize,
    pub side: RowSide,
    /// Both spans matched by kind although their names differ (a different tool or
    /// step at the same point).
    pub renamed: bool,
    pub a: Option<SpanFigures>,
    pub b: Option<SpanFigures>,
    pub delta: Option<Delta>,
    /// For matched model calls: model, parameters and messages compared.
    pub llm: Option<LlmDiff>,
}

impl CompareRow {
    /// The name to show: B's, else A's.
    pub fn name(&self) -> &str {
        self.b
            .as_ref()
            .or(self.a.as_ref())
            .map_or("", |f| f.name.as_str())
    }

    pub fn kind(&self) -> &str {
        self.b
            .as_ref()
            .or(self.a.as_ref())
            .map_or("", |f| f.kind.as_str())
    }

    /// Why this row is a divergence, if it is one.
    pub fn divergence(&self) -> Option<DivergenceReason> {
        match (&self.a, &self.b) {
            (Some(a), Some(b)) => {
                if a.tool.is_some() && b.tool.is_some() && a.tool != b.tool {
                    return Some(DivergenceReason::DifferentTool {
                        a: a.tool.clone().unwrap_or_default(),
                        b: b.tool.clone().unwrap_or_default(),
                    });
                }
                if self.llm.as_ref().is_some_and(|d| d.model_changed) {
                    return Some(DivergenceReason::DifferentModel {
                        a: a.model.clone(),
                        b: b.model.clone(),
                    });
                }
                if a.error != b.error {
                    return Some(DivergenceReason::Error {
                        in_a: a.error,
                        in_b: b.error,
                    });
                }
                self.renamed.then(|| DivergenceReason::DifferentStep {
                    a: a.name.clone(),
                    b: b.name.clone(),
                })
            }
            (Some(a), None) if a.error => Some(DivergenceReason::Error {
                in_a: true,
                in_b: false,
            }),
            (None, Some(b)) if b.error => Some(DivergenceReason::Error {
                in_a: false,
                in_b: true,
            }),
            (Some(_), None) => Some(DivergenceReason::OnlyInA),
            (None, Some(_)) => Some(DivergenceReason::OnlyInB),
            (None, None) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DivergenceReason {
    DifferentTool {
        a: String,
        b: String,
    },
    DifferentModel {
        a: Option<String>,
        b: Option<String>,
    },
    /// The span failed in one run only (or exists, failed, in one run only).
    Error {
        in_a: bool,
        in_b: bool,
    },
    /// Matched by kind, different names (not tools).
    DifferentStep {
        a: String,
        b: String,
    },
    OnlyInA,
    OnlyInB,
}

impl DivergenceReason {
    /// One line for people.
    pub fn describe(&self, name: &str) -> String {
        let opt = |m: &Option<String>| m.clone().unwrap_or_else(|| "?".into());
        match self {
            DivergenceReason::DifferentTool { a, b } => format!("different tool: {a} → {b}"),
            DivergenceReason::DifferentModel { a, b } => {
                format!("different model: {} → {}", opt(a), opt(b))
            }
            DivergenceReason::Error {
                in_a: true,
                in_b: false,
            } => format!("{name} failed in A only"),
            DivergenceReason::Error { .. } => format!("{name} failed in B only"),
            DivergenceReason::DifferentStep { a, b } => format!("different step: {a} → {b}"),
            DivergenceReason::OnlyInA => format!("{name} only in A"),
            DivergenceReason::OnlyInB => format!("{name} only in B"),
        }
    }
}

/// Where the runs first part ways, in the tree's display (start-time) order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Divergence {
    /// Index into `rows`.
    pub row: usize,
    #[serde(flatten)]
    pub reason: DivergenceReason,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceComparison {
    pub a: TraceTotals,
    pub b: TraceTotals,
    /// The matched tree, depth-first in start order.
    pub rows: Vec<CompareRow>,
    pub divergence: Option<Divergence>,
}

impl TraceComparison {
    /// Rows matched in both runs, only in A, only in B.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |side| self.rows.iter().filter(|r| r.side == side).count();
        (
            count(RowSide::Both),
            count(RowSide::OnlyA),
            count(RowSide::OnlyB),
        )
    }

    /// Rows that differ in more than figures, in order.
    pub fn divergent_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.divergence().is_some())
            .map(|(i, _)| i)
    }
}

pub(super) fn row(depth: usize, a: Option<&Span>, b: Option<&Span>, renamed: bool) -> CompareRow {
    let side = match (a, b) {
        (Some(_), Some(_)) => RowSide::Both,
        (Some(_), None) => RowSide::OnlyA,
        _ => RowSide::OnlyB,
    };
    let (fa, fb) = (a.map(SpanFigures::of), b.map(SpanFigures::of));
    let delta = match (&fa, &fb) {
        (Some(x), Some(y)) => Some(Delta {
            duration_ms: y.duration_ms - x.duration_ms,
            tokens: y.tokens() as i64 - x.tokens() as i64,
            cost_usd: x.cost_usd.zip(y.cost_usd).map(|(p, q)| q - p),
        }),
        _ => None,
    };
    let llm = a.zip(b).and_then(|(x, y)| llm_diff(x, y));
    CompareRow {
        depth,
        side,
        renamed,
        a: fa,
        b: fb,
        delta,
        llm,
    }
}

/// The first row that diverges, in display order; an error that comes from a
/// divergence inside the span (a parent failing because a child did) defers to it.
pub(super) fn first_divergence(rows: &[CompareRow]) -> Option<Divergence> {
    let inside_diverges = |i: usize| {
        rows[i + 1..]
            .iter()
            .take_while(|r| r.depth > rows[i].depth)
            .any(|r| r.divergence().is_some())
    };
    rows.iter().enumerate().find_map(|(i, r)| {
        let reason = r.divergence()?;
        if matches!(reason, DivergenceReason::Error { .. }) && inside_diverges(i) {
            return None;
        }
        Some(Divergence {
            row: i,
            summary: reason.describe(r.name()),
            reason,
        })
    })
}
