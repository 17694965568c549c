//! Hand-built spans for the analysis and comparison tests: a builder per kind of
//! span (plain, agent, chat, tool), times in milliseconds.

use crate::model::{
    AttrValue, Attributes, LlmFacet, LlmKind, Message, Span, SpanId, SpanKind, Status, StatusCode,
    ToolCall, ToolInfo, TraceId,
};

pub const MS: u64 = 1_000_000;
/// 2025-11-27 18:30:01 UTC.
pub const T0: u64 = 1_764_268_201_000_000_000;

pub fn sid(n: u8) -> SpanId {
    SpanId([n; 8])
}

pub fn tid(n: u8) -> TraceId {
    TraceId([n; 16])
}

/// Span `n` under `parent`, from `start_ms` for `dur_ms`, in service `svc`.
pub fn span(n: u8, parent: Option<u8>, name: &str, start_ms: u64, dur_ms: u64) -> Span {
    Span {
        trace_id: tid(1),
        span_id: sid(n),
        parent_span_id: parent.map(sid),
        name: name.into(),
        service: "weather-agent".into(),
        kind: SpanKind::Internal,
        start_unix_nano: T0 + start_ms * MS,
        end_unix_nano: T0 + (start_ms + dur_ms) * MS,
        status: Status::default(),
        attributes: Attributes::new(),
        resource: Attributes::new(),
        scope: String::new(),
        events: Vec::new(),
        session: None,
        project: None,
        llm: None,
    }
}

pub fn agent(n: u8, parent: Option<u8>, name: &str, start_ms: u64, dur_ms: u64) -> Span {
    let mut s = span(n, parent, &format!("invoke_agent {name}"), start_ms, dur_ms);
    s.attributes.insert(
        "gen_ai.operation.name".into(),
        AttrValue::Str("invoke_agent".into()),
    );
    s.attributes
        .insert("gen_ai.agent.name".into(), AttrValue::Str(name.into()));
    s.llm = Some(LlmFacet::new(LlmKind::Agent));
    s
}

fn msg(role: &str, content: &str) -> Message {
    Message {
        role: role.into(),
        content: content.into(),
        ..Default::default()
    }
}

/// A chat call with a system prompt and a user turn, answering `answer` — or
/// asking for `tools` when there are any.
#[allow(clippy::too_many_arguments)]
pub fn chat(
    n: u8,
    parent: u8,
    model: &str,
    start_ms: u64,
    dur_ms: u64,
    tokens: (u64, u64),
    user: &str,
    answer: &str,
    tools: &[&str],
) -> Span {
    let mut s = span(n, Some(parent), &format!("chat {model}"), start_ms, dur_ms);
    s.kind = SpanKind::Client;
    let mut l = LlmFacet::new(LlmKind::Chat);
    l.request_model = Some(model.into());
    l.response_model = Some(format!("{model}-2024-07-18"));
    l.input_tokens = Some(tokens.0);
    l.output_tokens = Some(tokens.1);
    l.cost_usd = Some((tokens.0 + 4 * tokens.1) as f64 * 1e-6);
    l.input_messages = vec![
        msg("system", "You are a weather assistant."),
        msg("user", user),
    ];
    let mut out = msg("assistant", answer);
    out.tool_calls = tools
        .iter()
        .map(|t| ToolCall {
            id: Some(format!("call_{t}")),
            name: (*t).into(),
            arguments: "{\"city\":\"Lisbon\"}".into(),
        })
        .collect();
    if !tools.is_empty() {
        l.finish_reasons = vec!["tool_calls".into()];
    }
    l.output_messages = vec![out];
    s.attributes
        .insert("gen_ai.request.temperature".into(), AttrValue::Double(0.2));
    s.llm = Some(l);
    s
}

pub fn tool(n: u8, parent: u8, name: &str, start_ms: u64, dur_ms: u64) -> Span {
    let mut s = span(
        n,
        Some(parent),
        &format!("execute_tool {name}"),
        start_ms,
        dur_ms,
    );
    let mut l = LlmFacet::new(LlmKind::Tool);
    l.tool = Some(ToolInfo {
        name: name.into(),
        ..Default::default()
    });
    s.llm = Some(l);
    s
}

pub fn failed(mut s: Span, message: &str) -> Span {
    s.status = Status {
        code: StatusCode::Error,
        message: message.into(),
    };
    s
}
