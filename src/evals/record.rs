//! Eval records: one evaluation result, normalized to `{name, score, label,
//! explanation, source, target span}` and made self-contained (service, model, span
//! name, experiment, example id, input hash, latency and cost of what was judged) so
//! scorecards read only these records, never spans.
//!
//! Records are built at ingest from the spans of one request, looking the rest of
//! the trace up in the store only when the request lacks what a result points at
//! (the span that produced a named response, an evaluator's parent, the root).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::model::{AttrValue, eval_passed};
use crate::model::{Attributes, Eval, EvalScope, LogRecord, Span, SpanId, TraceId};

/// Where an experiment's name is read from, in this order (after a configured one).
pub const EXPERIMENT_KEYS: &[&str] = &[
    "experiment.name",
    "langsmith.metadata.experiment",
    "dataset.name",
];
/// Where the id of a dataset example is read from.
pub const EXAMPLE_KEYS: &[&str] = &[
    "example.id",
    "langsmith.metadata.example_id",
    "dataset.example.id",
    "langsmith.reference_example_id",
];
/// Input text hashed to match examples without ids.
const INPUT_KEYS: &[&str] = &["input.value", "gen_ai.prompt", "traceloop.entity.input"];

/// One stored evaluation result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalRecord {
    pub trace_id: TraceId,
    /// The evaluated span.
    pub span_id: SpanId,
    /// The span (or log record's span) the result arrived on.
    pub carrier_span_id: SpanId,
    /// Position among the carrier's results (keeps keys distinct and stable).
    pub index: u32,
    pub time_unix_nano: u64,
    pub name: String,
    pub score: Option<f64>,
    pub label: Option<String>,
    pub explanation: Option<String>,
    /// `gen_ai.evaluation.result`, `openinference`, `openlit`, `evaluator`, `spanlens`.
    pub source: String,
    pub scope: EvalScope,
    pub passed: Option<bool>,
    pub service: String,
    pub model: Option<String>,
    /// Name of the evaluated span.
    pub span_name: String,
    pub session: Option<String>,
    pub experiment: Option<String>,
    pub example_id: Option<String>,
    pub input_hash: Option<u64>,
    /// The evaluated input, cut short, to tell examples apart.
    pub input_preview: Option<String>,
    pub latency_ms: Option<f64>,
    pub cost_usd: Option<f64>,
}

impl EvalRecord {
    /// The example this result belongs to: its id, else its input's hash.
    pub fn example_key(&self) -> Option<String> {
        self.example_id
            .clone()
            .or_else(|| self.input_hash.map(|h| format!("#{h:016x}")))
    }
}

/// The spans of one trace that a request and the store know of.
#[derive(Debug, Default)]
pub struct KnownSpans<'a> {
    pub spans: Vec<&'a Span>,
}

impl<'a> KnownSpans<'a> {
    fn by_id(&self, id: SpanId) -> Option<&'a Span> {
        self.spans.iter().copied().find(|s| s.span_id == id)
    }

    fn by_response(&self, response_id: &str) -> Option<&'a Span> {
        self.spans.iter().copied().find(|s| {
            s.llm
                .as_ref()
                .and_then(|l| l.response_id.as_deref())
                .is_some_and(|r| r == response_id)
        })
    }

    fn root(&self) -> Option<&'a Span> {
        self.spans
            .iter()
            .copied()
            .find(|s| s.parent_span_id.is_none())
    }

    /// The span, then its ancestors as far as they are known.
    fn lineage(&self, span: &'a Span) -> Vec<&'a Span> {
        let mut out = vec![span];
        let mut cur = span;
        while let Some(p) = cur.parent_span_id.and_then(|p| self.by_id(p)) {
            if out.len() > 256 || out.iter().any(|s| s.span_id == p.span_id) {
                break;
            }
            out.push(p);
            cur = p;
        }
        out
    }

    /// Cost of a span: its own when it is a model call, else the known model calls
    /// below it.
    fn cost_below(&self, span: &Span) -> Option<f64> {
        if let Some(l) = &span.llm
            && l.kind.is_model_call()
        {
            return l.cost_usd;
        }
        let mut children: HashMap<SpanId, Vec<&Span>> = HashMap::new();
        for s in &self.spans {
            if let Some(p) = s.parent_span_id {
                children.entry(p).or_default().push(s);
            }
        }
        let (mut total, mut any) = (0.0, false);
        let mut stack = vec![span.span_id];
        let mut seen = 0usize;
        while let Some(id) = stack.pop() {
            seen += 1;
            if seen > 100_000 {
                break;
            }
            for c in children.get(&id).into_iter().flatten() {
                if let Some(l) = &c.llm
                    && l.kind.is_model_call()
                {
                    if let Some(cost) = l.cost_usd {
                        total += cost;
                        any = true;
                    }
                } else {
                    stack.push(c.span_id);
                }
            }
        }
        any.then_some(total)
    }
}

/// What resolving a result needs from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    Nothing,
    /// Only the root's context (experiment, example): worth a read for small traces.
    Context,
    /// The span the result is about.
    Target,
}

/// What resolving `eval` on `carrier` needs that the request lacks.
pub fn needs_more(eval: &Eval, carrier: &Span, known: &KnownSpans<'_>) -> Need {
    let target_known = match (&eval.response_id, eval.scope) {
        (Some(r), _) => known.by_response(r).is_some(),
        (None, EvalScope::Span) => true,
        (None, EvalScope::Parent) => carrier
            .parent_span_id
            .is_none_or(|p| known.by_id(p).is_some()),
        (None, EvalScope::Trace | EvalScope::Session) => known.root().is_some(),
    };
    if !target_known {
        Need::Target
    } else if known.root().is_none() {
        Need::Context
    } else {
        Need::Nothing
    }
}

/// The record of one result found on `carrier`.
pub fn record_for(
    eval: &Eval,
    index: u32,
    carrier: &Span,
    known: &KnownSpans<'_>,
    experiment_key: Option<&str>,
) -> EvalRecord {
    let target = match (&eval.response_id, eval.scope) {
        (Some(r), _) => known.by_response(r),
        (None, EvalScope::Span) => None,
        (None, EvalScope::Parent) => carrier.parent_span_id.and_then(|p| known.by_id(p)),
        (None, EvalScope::Trace | EvalScope::Session) => known.root(),
    };
    let target_id = match (target, eval.scope) {
        (Some(t), _) => t.span_id,
        (None, EvalScope::Parent) => carrier.parent_span_id.unwrap_or(carrier.span_id),
        (None, _) => carrier.span_id,
    };
    let target = target.unwrap_or(carrier);
    // Attributes to read grouping keys from: the evaluated span and its ancestors,
    // the carrier and its ancestors, then the root.
    let mut sources: Vec<&Span> = known.lineage(target);
    sources.extend(known.lineage(carrier));
    sources.extend(known.root());
    let attr = |keys: &[&str]| -> Option<String> {
        sources
            .iter()
            .find_map(|s| first_text(&s.attributes, keys).or_else(|| first_text(&s.resource, keys)))
    };
    let experiment = experiment_key
        .and_then(|k| attr(&[k]))
        .or_else(|| attr(EXPERIMENT_KEYS));
    let (input_hash, input_preview) = input_of(&sources).unzip();
    let model = target
        .llm
        .as_ref()
        .and_then(|l| l.model())
        .map(str::to_string);
    EvalRecord {
        trace_id: carrier.trace_id,
        span_id: target_id,
        carrier_span_id: carrier.span_id,
        index,
        time_unix_nano: carrier.start_unix_nano,
        name: eval.name.clone(),
        score: eval.score,
        label: eval.label.clone(),
        explanation: eval.explanation.clone(),
        source: eval.source.clone(),
        scope: eval.scope,
        passed: eval_passed(eval),
        service: target.service.clone(),
        model,
        span_name: target.name.clone(),
        session: target.session.clone().or_else(|| carrier.session.clone()),
        experiment,
        example_id: attr(EXAMPLE_KEYS),
        input_hash,
        input_preview,
        latency_ms: Some(target.duration_nanos() as f64 / 1e6),
        cost_usd: known.cost_below(target),
    }
}

/// Records of evaluation results that arrived as log records (GenAI events).
pub fn record_for_log(
    eval: &Eval,
    log: &LogRecord,
    known: &KnownSpans<'_>,
    experiment_key: Option<&str>,
) -> Option<EvalRecord> {
    let trace_id = log.trace_id?;
    let span_id = log.span_id?;
    let carrier = known.by_id(span_id).cloned().unwrap_or_else(|| Span {
        trace_id,
        span_id,
        parent_span_id: None,
        name: String::new(),
        service: log.service.clone(),
        kind: Default::default(),
        start_unix_nano: log.timestamp(),
        end_unix_nano: log.timestamp(),
        status: Default::default(),
        attributes: Attributes::new(),
        resource: Attributes::new(),
        scope: String::new(),
        events: Vec::new(),
        session: None,
        project: None,
        llm: None,
    });
    let index = 0x8000_0000 | (fnv1a(format!("{eval:?}").as_bytes()) as u32 & 0x7fff_ffff);
    let mut r = record_for(eval, index, &carrier, known, experiment_key);
    r.time_unix_nano = log.timestamp();
    Some(r)
}

fn first_text(attrs: &Attributes, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match attrs.get(*k)? {
        AttrValue::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        AttrValue::Int(i) => Some(i.to_string()),
        _ => None,
    })
}

/// The evaluated input: the first user message of the nearest span that has one,
/// else a raw input attribute.
fn input_of(sources: &[&Span]) -> Option<(u64, String)> {
    let text = sources.iter().find_map(|s| {
        s.llm
            .as_ref()
            .and_then(|l| {
                l.input_messages
                    .iter()
                    .rev()
                    .find(|m| m.role == "user")
                    .map(|m| m.content.clone())
            })
            .filter(|t| !t.trim().is_empty())
            .or_else(|| first_text(&s.attributes, INPUT_KEYS))
    })?;
    // `{"ticket": "…"}` and the like: the one string inside is the input.
    let text = match serde_json::from_str::<serde_json::Value>(text.trim()) {
        Ok(serde_json::Value::Object(o)) if o.len() == 1 => match o.values().next() {
            Some(serde_json::Value::String(inner)) => inner.clone(),
            _ => text,
        },
        _ => text,
    };
    let preview: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let preview: String = preview.chars().take(120).collect();
    Some((fnv1a(text.trim().as_bytes()), preview))
}

/// FNV-1a, 64 bits: a hash that stays the same across runs and builds.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
