//! Pure, synchronous OTLP → model conversion: ids and structure here, one file per
//! convention for what makes a span "LLM-aware" (`genai`, `openinference`,
//! `traceloop`, `langsmith`, `openlit`, `vercel_ai`), log records in `logs`, shared parsing in
//! `values` and `messages`. No I/O; never panics on any input.
//!
//! Detection order per span (first match wins):
//! 1. an explicit kind: `openinference.span.kind`, `traceloop.span.kind`,
//!    `langsmith.span.kind`, the Vercel AI SDK's `ai.operationId`,
//!    `gen_ai.operation.name` (unknown values fall through);
//! 2. tool attributes (`gen_ai.tool.name`, `tool.name`) → `tool`;
//! 3. any model attribute (`gen_ai.request.model`, `gen_ai.response.model`,
//!    `llm.model_name`, `embedding.model_name`, `reranker.model_name`,
//!    `llm.request.model`, …) → a model call, its kind from `llm.request.type` or
//!    the model attribute's family;
//!    `langfuse.observation.type=evaluator` marks an evaluator span (`evaluator.rs`:
//!    its results are about its parent);
//! 4. otherwise a plain span (`llm: None`) — unless it carries evaluation results,
//!    which would be lost without a facet: it then gets one of kind `agent` when its
//!    name contains "agent" (any case), else `chain` (neither counts as a model call).
//!
//! A model call known only as generic "LLM" (OpenInference `LLM`, LangSmith `llm`,
//! traceloop `llm` without `llm.request.type`, or found through a model attribute)
//! is shown as `chat` when its input is role-bearing messages, else as `llm`.
//!
//! After detection every convention fills what it knows, only into fields still
//! empty, in the order Vercel AI SDK (its spans only) → GenAI → OpenInference →
//! traceloop → LangSmith. Then
//! `input.value` / `traceloop.entity.input` / `gen_ai.prompt` (and the output
//! counterparts) serve as fallback conversation, parsed as messages when they are,
//! else kept as one message of plain text (not for tool spans, whose tool info holds
//! them, nor for embedding or retrieval outputs). A total token count fills a
//! missing input or output count (never both, never for embeddings). A reported
//! cost (`gen_ai.usage.cost`, `llm.cost.total`) wins over the price table, except a
//! reported 0 on a call with tokens (OpenLIT writes 0 when it has no price).

mod evaluator;
mod genai;
mod langchain_messages;
mod langsmith;
mod logs;
mod messages;
mod openinference;
mod openlit;
mod traceloop;
mod values;
mod vercel_ai;

#[cfg(test)]
mod test_util;

#[cfg(test)]
mod convention_tests;
#[cfg(test)]
mod fixture_tests;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1 as otlp;

use crate::model::{
    Attributes, LlmFacet, LlmKind, LogRecord, Span, SpanEvent, SpanId, SpanKind, Status,
    StatusCode, ToolInfo, TraceId,
};
use crate::pricing::PriceTable;
use messages::{messages_from_text, plain_message};
use values::AttrsExt;

/// What one trace export request became.
#[derive(Debug, Default)]
pub struct TracesOutcome {
    pub spans: Vec<Span>,
    /// Spans refused (invalid ids, …), for `partial_success.rejected_spans`.
    pub rejected: i64,
    /// One human-readable line per distinct reason, for `partial_success.error_message`.
    pub errors: Vec<String>,
}

/// What one logs export request became.
#[derive(Debug, Default)]
pub struct LogsOutcome {
    pub logs: Vec<LogRecord>,
    pub rejected: i64,
    pub errors: Vec<String>,
}

const SESSION_KEYS: &[&str] = &[
    "session.id",
    "gen_ai.conversation.id",
    langsmith::SESSION,
    vercel_ai::SESSION_KEYS[0],
    vercel_ai::SESSION_KEYS[1],
];
const TOOL_KEYS: &[&str] = &[genai::TOOL_NAME, openinference::TOOL_NAME];
const TOTAL_KEYS: &[&str] = &[
    genai::TOTAL_TOKENS,
    traceloop::TOTAL_TOKENS,
    openinference::TOTAL_TOKENS,
];
const INPUT_TEXT_KEYS: &[&str] = &["input.value", "traceloop.entity.input", langsmith::PROMPT];
const OUTPUT_TEXT_KEYS: &[&str] = &[
    "output.value",
    "traceloop.entity.output",
    langsmith::COMPLETION,
];

/// Converts a trace export request. Spans with invalid ids are rejected (counted,
/// one message per distinct reason); the rest are kept.
pub fn normalize_traces(req: &ExportTraceServiceRequest, prices: &PriceTable) -> TracesOutcome {
    let mut out = TracesOutcome::default();
    let mut reasons: Vec<(String, i64)> = Vec::new();
    for rs in &req.resource_spans {
        let resource = rs
            .resource
            .as_ref()
            .map(|r| values::attributes(&r.attributes))
            .unwrap_or_default();
        let service = resource
            .str("service.name")
            .unwrap_or("unknown_service")
            .to_string();
        for ss in &rs.scope_spans {
            let scope = ss
                .scope
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default();
            for s in &ss.spans {
                match convert_span(s, &resource, &service, &scope, prices) {
                    Ok(span) => out.spans.push(span),
                    Err(reason) => match reasons.iter_mut().find(|(r, _)| *r == reason) {
                        Some((_, n)) => *n += 1,
                        None => reasons.push((reason, 1)),
                    },
                }
            }
        }
    }
    for (reason, n) in reasons {
        out.rejected += n;
        let noun = if n == 1 { "span" } else { "spans" };
        out.errors.push(format!("{n} {noun} rejected: {reason}"));
    }
    out
}

/// Converts a logs export request (see `logs.rs` for what counts as invalid).
pub fn normalize_logs(req: &ExportLogsServiceRequest) -> LogsOutcome {
    logs::normalize(req)
}

/// Fills a span's LLM facet from log records joined to it (GenAI content captured
/// as events/logs). Called when a trace is read.
///
/// Only what the facet lacks is filled (messages, then tokens, models, response id,
/// provider, finish reasons); evaluation results are added unless already present.
/// A span without a facet gets one when its logs carry GenAI messages or
/// evaluation results. The cost is re-applied. Calling it twice changes nothing.
pub fn enrich_from_logs(span: &mut Span, logs: &[LogRecord], prices: &PriceTable) {
    logs::enrich(span, logs, prices);
    let status = span.status.code;
    if let Some(f) = span.llm.as_mut() {
        free_if_rejected(f, status);
    }
}

/// The evaluation result a log record carries (a `gen_ai.evaluation.result`
/// event), if any.
pub fn eval_of_log(log: &LogRecord) -> Option<crate::model::Eval> {
    (log.event_name.as_deref() == Some(genai::EVAL_EVENT))
        .then(|| genai::eval_from_attrs(&log.attributes))
        .flatten()
}

fn convert_span(
    s: &otlp::Span,
    resource: &Attributes,
    service: &str,
    scope: &str,
    prices: &PriceTable,
) -> Result<Span, String> {
    let trace_id = TraceId::from_bytes(&s.trace_id).map_err(|e| e.to_string())?;
    let span_id = SpanId::from_bytes(&s.span_id).map_err(|e| e.to_string())?;
    // Empty, all-zero or wrong-length parent ids all mean "no (usable) parent".
    let parent_span_id = SpanId::from_bytes(&s.parent_span_id).ok();
    let attributes = values::attributes(&s.attributes);
    let events: Vec<SpanEvent> = s
        .events
        .iter()
        .map(|e| SpanEvent {
            name: e.name.clone(),
            time_unix_nano: e.time_unix_nano,
            attributes: values::attributes(&e.attributes),
        })
        .collect();
    let status = s
        .status
        .as_ref()
        .map(|st| Status {
            code: StatusCode::from_otlp(st.code),
            message: st.message.clone(),
        })
        .unwrap_or_default();
    let session = attributes
        .first_str(SESSION_KEYS)
        .or_else(|| resource.first_str(SESSION_KEYS))
        .map(str::to_string);
    let project = attributes
        .str(langsmith::PROJECT)
        .or_else(|| resource.str(langsmith::PROJECT))
        .map(str::to_string);
    let mut llm = facet(&s.name, &attributes, &events, prices);
    if let Some(f) = llm.as_mut() {
        free_if_rejected(f, status.code);
    }
    Ok(Span {
        trace_id,
        span_id,
        parent_span_id,
        name: s.name.clone(),
        service: service.to_string(),
        kind: SpanKind::from_otlp(s.kind),
        start_unix_nano: s.start_time_unix_nano,
        end_unix_nano: s.end_time_unix_nano,
        status,
        attributes,
        resource: resource.clone(),
        scope: scope.to_string(),
        events,
        session,
        project,
        llm,
    })
}

/// A model call that failed before reporting any usage (a 429, a timeout) cost
/// nothing: providers don't bill rejected requests. Its cost is a known $0, not
/// "unknown".
fn free_if_rejected(f: &mut LlmFacet, status: StatusCode) {
    let no_usage = f.input_tokens.is_none() && f.output_tokens.is_none();
    if status == StatusCode::Error && no_usage && f.cost_usd.is_none() && f.kind.is_model_call() {
        f.cost_usd = Some(0.0);
    }
}

/// Steps 1–3 of the detection order. The bool marks a generic "LLM" call that may
/// be shown as `chat`.
fn detect(attrs: &Attributes) -> Option<(LlmKind, bool)> {
    openinference::kind(attrs)
        .or_else(|| traceloop::kind(attrs))
        .or_else(|| langsmith::kind(attrs))
        .or_else(|| vercel_ai::kind(attrs))
        .or_else(|| evaluator::langfuse_kind(attrs))
        .or_else(|| genai::kind(attrs).map(|k| (k, false)))
        .or_else(|| attrs.first_str(TOOL_KEYS).map(|_| (LlmKind::Tool, false)))
        .or_else(|| model_kind(attrs))
}

fn model_kind(attrs: &Attributes) -> Option<(LlmKind, bool)> {
    let has_model = [
        genai::MODEL_KEYS,
        openinference::MODEL_KEYS,
        traceloop::MODEL_KEYS,
    ]
    .iter()
    .any(|keys| attrs.first_str(keys).is_some());
    if !has_model {
        return None;
    }
    if let Some(kind) = traceloop::request_type_kind(attrs) {
        return Some((kind, false));
    }
    if attrs.str("embedding.model_name").is_some() {
        return Some((LlmKind::Embedding, false));
    }
    if attrs.str("reranker.model_name").is_some() {
        return Some((LlmKind::Reranker, false));
    }
    Some((LlmKind::Llm, true))
}

/// Kind for a span that has no kind but carries evaluation results.
pub(crate) fn agent_or_chain(span_name: &str) -> LlmKind {
    if span_name.to_ascii_lowercase().contains("agent") {
        LlmKind::Agent
    } else {
        LlmKind::Chain
    }
}

/// The LLM facet of one span, or `None` for a plain span.
fn facet(
    name: &str,
    attrs: &Attributes,
    events: &[SpanEvent],
    prices: &PriceTable,
) -> Option<LlmFacet> {
    let mut evals = genai::evals(events);
    evals.extend(openinference::evals(attrs));
    evals.extend(openlit::evals(attrs));
    let detected = detect(attrs);
    evaluator::retarget(&mut evals, name, detected.map(|d| d.0));
    if evals.is_empty() && detected.is_some_and(|d| d.0 == LlmKind::Evaluator) {
        evals.extend(evaluator::from_output(name, attrs));
    }
    let (kind, generic_llm) = match detected {
        Some(d) => d,
        None if !evals.is_empty() => (agent_or_chain(name), false),
        None => return None,
    };
    let mut f = LlmFacet::new(kind);
    f.evals = evals;
    vercel_ai::extract(&mut f, attrs);
    genai::extract(&mut f, attrs, events);
    openinference::extract(&mut f, attrs);
    traceloop::extract(&mut f, attrs);
    langsmith::extract(&mut f, attrs);

    let had_input = !f.input_messages.is_empty();
    let parsed_input = text_fallback(&mut f, attrs);
    let structured_input = had_input || parsed_input;
    if generic_llm && f.kind == LlmKind::Llm && structured_input {
        f.kind = LlmKind::Chat;
    }
    if f.kind == LlmKind::Tool {
        let t = f.tool.get_or_insert_with(ToolInfo::default);
        if t.name.is_empty() {
            t.name = name.to_string();
        }
    }
    derive_tokens(&mut f, attrs);
    let reported = openlit::reported_cost(attrs)
        .or_else(|| openinference::reported_cost(attrs))
        .filter(|c| *c >= 0.0);
    let has_tokens = f.input_tokens.is_some() || f.output_tokens.is_some();
    if let Some(cost) = reported.filter(|c| *c > 0.0 || !has_tokens) {
        f.cost_usd = Some(cost);
        f.cost_reported = true;
    }
    crate::pricing::apply_cost(&mut f, prices);
    Some(f)
}

/// Fills a missing conversation from the raw input/output attributes. Returns true
/// when the input parsed as role-bearing messages.
fn text_fallback(f: &mut LlmFacet, attrs: &Attributes) -> bool {
    if f.kind == LlmKind::Tool {
        return false;
    }
    let mut structured = false;
    if f.input_messages.is_empty()
        && let Some(text) = attrs.first_str(INPUT_TEXT_KEYS)
    {
        f.input_messages = match messages_from_text(text, "user") {
            Some(m) => {
                structured = true;
                m
            }
            None => vec![plain_message("user", text.to_string())],
        };
    }
    let output_is_data =
        matches!(f.kind, LlmKind::Embedding | LlmKind::Retriever) || !f.documents.is_empty();
    if f.output_messages.is_empty()
        && !output_is_data
        && let Some(text) = attrs.first_str(OUTPUT_TEXT_KEYS)
    {
        f.output_messages = messages_from_text(text, "assistant")
            .unwrap_or_else(|| vec![plain_message("assistant", text.to_string())]);
    }
    structured
}

/// A total fills the one missing side (never both; embeddings have no output side).
fn derive_tokens(f: &mut LlmFacet, attrs: &Attributes) {
    let Some(total) = attrs.first_count(TOTAL_KEYS) else {
        return;
    };
    match (f.input_tokens, f.output_tokens) {
        (Some(i), None) if total >= i && f.kind != LlmKind::Embedding => {
            f.output_tokens = Some(total - i);
        }
        (None, Some(o)) if total >= o => f.input_tokens = Some(total - o),
        _ => {}
    }
}
