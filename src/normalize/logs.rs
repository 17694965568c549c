//! OTLP log records → [`LogRecord`], and the GenAI content they carry joined back to
//! their span ([`enrich`]):
//! - `gen_ai.client.inference.operation.details` (current semconv): the call's
//!   attributes plus structured (kvlist/array) `gen_ai.input.messages`,
//!   `gen_ai.output.messages`, `gen_ai.system_instructions`. Any record carrying
//!   those message attributes is read the same way, whatever its event name.
//! - older per-message events (`gen_ai.system.message`, `gen_ai.user.message`,
//!   `gen_ai.assistant.message`, `gen_ai.tool.message`, `gen_ai.choice`,
//!   `gen_ai.content.prompt` / `.completion`) with the content in the body;
//! - `gen_ai.evaluation.result` events.
//!
//! The event name is the proto `event_name` field, else the `event.name` attribute.
//! No record is rejected: a record whose trace or span id is invalid keeps its body
//! (it is still a log line) and loses only the id; a warning says how many.

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;

use super::genai::{self, Side};
use super::values::{AttrsExt, attr_value, attributes, fill};
use super::{LogsOutcome, agent_or_chain};
use crate::model::{AttrValue, Attributes, LlmFacet, LlmKind, LogRecord, Span, SpanId, TraceId};
use crate::pricing::PriceTable;

pub(super) const DETAILS_EVENT: &str = "gen_ai.client.inference.operation.details";

pub(super) fn normalize(req: &ExportLogsServiceRequest) -> LogsOutcome {
    let mut out = LogsOutcome::default();
    let mut bad_ids = 0u64;
    for rl in &req.resource_logs {
        let resource = rl
            .resource
            .as_ref()
            .map(|r| attributes(&r.attributes))
            .unwrap_or_default();
        let service = resource
            .str("service.name")
            .unwrap_or("unknown_service")
            .to_string();
        for sl in &rl.scope_logs {
            for r in &sl.log_records {
                let attrs = attributes(&r.attributes);
                let trace_id = optional_id(&r.trace_id, TraceId::from_bytes, &mut bad_ids);
                let span_id = optional_id(&r.span_id, SpanId::from_bytes, &mut bad_ids);
                let event_name = Some(r.event_name.trim())
                    .filter(|n| !n.is_empty())
                    .or_else(|| attrs.str("event.name"))
                    .map(str::to_string);
                out.logs.push(LogRecord {
                    trace_id,
                    span_id,
                    time_unix_nano: r.time_unix_nano,
                    observed_time_unix_nano: r.observed_time_unix_nano,
                    severity_number: r.severity_number,
                    severity_text: r.severity_text.clone(),
                    event_name,
                    body: r.body.as_ref().map_or(AttrValue::Empty, attr_value),
                    attributes: attrs,
                    service: service.clone(),
                });
            }
        }
    }
    if bad_ids > 0 {
        out.errors.push(format!(
            "{bad_ids} invalid trace/span id(s) in log records were dropped; the records were kept"
        ));
    }
    out
}

/// Empty bytes → no id; invalid bytes → no id, counted.
fn optional_id<T, E>(bytes: &[u8], parse: fn(&[u8]) -> Result<T, E>, bad: &mut u64) -> Option<T> {
    if bytes.is_empty() {
        return None;
    }
    let id = parse(bytes).ok();
    if id.is_none() {
        *bad += 1;
    }
    id
}

fn carries_messages(attrs: &Attributes) -> bool {
    [
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
    ]
    .iter()
    .any(|k| attrs.contains_key(*k))
}

/// See [`super::enrich_from_logs`]. Only records whose span id is this span's (and
/// whose trace id, when present, is this trace's) are used, oldest first.
pub(super) fn enrich(span: &mut Span, logs: &[LogRecord], prices: &PriceTable) {
    let mut joined: Vec<&LogRecord> = logs
        .iter()
        .filter(|l| l.span_id == Some(span.span_id))
        .filter(|l| l.trace_id.is_none_or(|t| t == span.trace_id))
        .collect();
    if joined.is_empty() {
        return;
    }
    joined.sort_by_key(|l| l.timestamp());

    let mut details: Vec<&Attributes> = Vec::new();
    let (mut ins, mut outs, mut evals) = (Vec::new(), Vec::new(), Vec::new());
    for rec in &joined {
        let name = rec.event_name.as_deref().unwrap_or("");
        if name == genai::EVAL_EVENT {
            evals.extend(genai::eval_from_attrs(&rec.attributes));
        } else if name == DETAILS_EVENT || carries_messages(&rec.attributes) {
            details.push(&rec.attributes);
        } else if let Some((side, msgs)) = genai::event_messages(name, &rec.attributes, &rec.body) {
            match side {
                Side::Input => ins.extend(msgs),
                Side::Output => outs.extend(msgs),
            }
        }
    }

    let empty = Attributes::new();
    // The record with the conversation, else the first details record.
    let call_attrs = details
        .iter()
        .find(|a| carries_messages(a))
        .or(details.first())
        .copied()
        .unwrap_or(&empty);
    let mut found = LlmFacet::new(LlmKind::Chat);
    genai::extract(&mut found, call_attrs, &[]);
    if found.input_messages.is_empty() {
        found.input_messages = ins;
    }
    if found.output_messages.is_empty() {
        found.output_messages = outs;
    }
    let has_content = !found.input_messages.is_empty() || !found.output_messages.is_empty();

    let facet = match &mut span.llm {
        Some(f) => f,
        None if has_content => {
            let kind = genai::kind(call_attrs).unwrap_or(LlmKind::Chat);
            span.llm.insert(LlmFacet::new(kind))
        }
        None if !evals.is_empty() => span.llm.insert(LlmFacet::new(agent_or_chain(&span.name))),
        None => return,
    };
    merge(facet, found);
    for e in evals {
        if !facet.evals.contains(&e) {
            facet.evals.push(e);
        }
    }
    crate::pricing::apply_cost(facet, prices);
}

/// Moves into `f` what it lacks.
fn merge(f: &mut LlmFacet, found: LlmFacet) {
    fill(&mut f.provider, found.provider);
    fill(&mut f.request_model, found.request_model);
    fill(&mut f.response_model, found.response_model);
    fill(&mut f.response_id, found.response_id);
    fill(&mut f.input_tokens, found.input_tokens);
    fill(&mut f.output_tokens, found.output_tokens);
    fill(&mut f.cache_read_tokens, found.cache_read_tokens);
    fill(&mut f.cache_write_tokens, found.cache_write_tokens);
    fill(&mut f.reasoning_tokens, found.reasoning_tokens);
    if f.finish_reasons.is_empty() {
        f.finish_reasons = found.finish_reasons;
    }
    if f.input_messages.is_empty() {
        f.input_messages = found.input_messages;
    }
    if f.output_messages.is_empty() {
        f.output_messages = found.output_messages;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SpanKind, Status};

    fn span(name: &str) -> Span {
        Span {
            trace_id: TraceId([1; 16]),
            span_id: SpanId([2; 8]),
            parent_span_id: None,
            name: name.into(),
            service: "svc".into(),
            kind: SpanKind::Client,
            start_unix_nano: 1,
            end_unix_nano: 2,
            status: Status::default(),
            attributes: Attributes::new(),
            resource: Attributes::new(),
            scope: String::new(),
            events: vec![],
            session: None,
            project: None,
            llm: None,
        }
    }

    fn event(name: &str, time: u64, body: AttrValue, attrs: &[(&str, AttrValue)]) -> LogRecord {
        LogRecord {
            trace_id: Some(TraceId([1; 16])),
            span_id: Some(SpanId([2; 8])),
            time_unix_nano: time,
            observed_time_unix_nano: 0,
            severity_number: 9,
            severity_text: String::new(),
            event_name: Some(name.into()),
            body,
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            service: "svc".into(),
        }
    }

    fn map(kvs: &[(&str, AttrValue)]) -> AttrValue {
        AttrValue::Map(
            kvs.iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }
    fn s(v: &str) -> AttrValue {
        AttrValue::Str(v.into())
    }

    #[test]
    fn older_per_message_events_fill_a_span_in_time_order() {
        let logs = vec![
            event(
                "gen_ai.choice",
                30,
                map(&[
                    ("index", AttrValue::Int(0)),
                    ("finish_reason", s("stop")),
                    ("message", map(&[("content", s("It is sunny."))])),
                ]),
                &[],
            ),
            event(
                "gen_ai.user.message",
                20,
                map(&[("content", s("Weather?"))]),
                &[],
            ),
            event(
                "gen_ai.system.message",
                10,
                map(&[("content", s("Be brief."))]),
                &[],
            ),
            // A record of another span must not leak in.
            LogRecord {
                span_id: Some(SpanId([3; 8])),
                ..event(
                    "gen_ai.user.message",
                    15,
                    map(&[("content", s("other"))]),
                    &[],
                )
            },
        ];
        let mut sp = span("chat");
        enrich(&mut sp, &logs, &PriceTable::builtin());
        let f = sp.llm.as_ref().expect("content creates a facet");
        assert_eq!(f.kind, LlmKind::Chat);
        let ins: Vec<_> = f
            .input_messages
            .iter()
            .map(|m| (m.role.as_str(), m.content.as_str()))
            .collect();
        assert_eq!(ins, vec![("system", "Be brief."), ("user", "Weather?")]);
        assert_eq!(f.output_messages[0].content, "It is sunny.");
        assert_eq!(f.output_messages[0].role, "assistant");
    }

    #[test]
    fn evaluation_events_are_added_once() {
        let logs = vec![event(
            "gen_ai.evaluation.result",
            5,
            AttrValue::Empty,
            &[
                ("gen_ai.evaluation.name", s("relevance")),
                ("gen_ai.evaluation.score.value", AttrValue::Double(0.4)),
            ],
        )];
        let mut sp = span("my agent step");
        enrich(&mut sp, &logs, &PriceTable::builtin());
        enrich(&mut sp, &logs, &PriceTable::builtin());
        let f = sp.llm.unwrap();
        assert_eq!(f.kind, LlmKind::Agent);
        assert_eq!(f.evals.len(), 1);
        assert_eq!(f.evals[0].score, Some(0.4));
    }

    #[test]
    fn unrelated_records_leave_a_plain_span_alone() {
        let logs = vec![event("app.log", 1, s("hello"), &[])];
        let mut sp = span("work");
        enrich(&mut sp, &logs, &PriceTable::builtin());
        assert!(sp.llm.is_none());
    }
}
