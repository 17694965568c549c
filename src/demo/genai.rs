//! GenAI semantic-convention helpers shared by the scenarios: a model-call span
//! (`{operation} {model}`, CLIENT, provider/model/server attributes), usage and
//! response attributes, message JSON with `parts`, and plausible timings.

use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde_json::{Value, json};

use super::otlp::{ScopeRef, SpanExt, SpanRef, TraceBuilder, array, ms, s};
use super::rng::DemoRng;

/// What a model call is, before it runs.
#[derive(Debug, Clone, Copy)]
pub(super) struct Call<'a> {
    pub operation: &'a str,
    pub provider: &'a str,
    pub request_model: &'a str,
    pub server: &'a str,
}

pub(super) const OPENAI: &str = "api.openai.com";
pub(super) const ANTHROPIC: &str = "api.anthropic.com";

/// A model-call span named like the instrumentations do (`chat gpt-4o-mini`).
pub(super) fn call_span(
    tb: &mut TraceBuilder,
    rng: &mut DemoRng,
    scope: ScopeRef,
    parent: SpanRef,
    call: &Call<'_>,
    start: u64,
    duration: u64,
) -> SpanRef {
    let name = format!("{} {}", call.operation, call.request_model);
    let r = tb.span(
        rng,
        scope,
        Some(parent),
        &name,
        SpanKind::Client,
        start,
        duration,
    );
    tb.at(r)
        .str("gen_ai.operation.name", call.operation)
        .str("gen_ai.provider.name", call.provider)
        .str("gen_ai.request.model", call.request_model)
        .str("server.address", call.server)
        .int("server.port", 443);
    r
}

/// Response attributes of a successful call.
pub(super) fn response(
    tb: &mut TraceBuilder,
    r: SpanRef,
    model: &str,
    id: &str,
    finish_reasons: &[&str],
) {
    let reasons = finish_reasons.iter().map(|f| s(*f)).collect();
    tb.at(r)
        .str("gen_ai.response.model", model)
        .str("gen_ai.response.id", id)
        .attr("gen_ai.response.finish_reasons", array(reasons));
}

/// Token usage; the cache-read count only when there is one.
pub(super) fn usage(tb: &mut TraceBuilder, r: SpanRef, input: u64, output: u64, cached: u64) {
    let sp = tb.at(r);
    sp.int("gen_ai.usage.input_tokens", input)
        .int("gen_ai.usage.output_tokens", output);
    if cached > 0 {
        sp.int("gen_ai.usage.cache_read.input_tokens", cached);
    }
}

/// A message with one text part.
pub(super) fn text(role: &str, content: &str) -> Value {
    json!({"role": role, "parts": [{"type": "text", "content": content}]})
}

/// An output message with one text part and its finish reason.
pub(super) fn answer(content: &str, finish_reason: &str) -> Value {
    json!({
        "role": "assistant",
        "parts": [{"type": "text", "content": content}],
        "finish_reason": finish_reason,
    })
}

/// `gen_ai.system_instructions`: a list of parts.
pub(super) fn instructions(content: &str) -> Value {
    json!([{"type": "text", "content": content}])
}

/// A rough token count for a text (about four characters a token).
pub(super) fn tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(4).max(1)
}

/// How long a call producing `output_tokens` takes: latency plus decoding time,
/// between 50 ms and 8 s.
pub(super) fn llm_duration(rng: &mut DemoRng, output_tokens: u64) -> u64 {
    let first = rng.range(180, 700);
    let per_token = rng.range(8, 25);
    ms((first + output_tokens * per_token).clamp(50, 8_000))
}

/// An OpenAI-style response id (`chatcmpl-…`).
pub(super) fn chatcmpl_id(rng: &mut DemoRng) -> String {
    format!("chatcmpl-{}", rng.alnum(29))
}

/// An OpenAI-style tool call id (`call_…`).
pub(super) fn call_id(rng: &mut DemoRng) -> String {
    format!("call_{}", rng.alnum(24))
}

/// The demo user behind a session (stable per session, no randomness used), so the
/// cost panel's by-user table has something to show.
pub fn user_of_session(session: &str) -> &'static str {
    const USERS: [&str; 4] = [
        "ana@example.com",
        "bo@example.com",
        "chen@example.com",
        "dee@example.com",
    ];
    let sum: u32 = session.bytes().map(u32::from).sum();
    USERS[sum as usize % USERS.len()]
}
