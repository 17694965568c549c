//! `--no-content`: which attributes, events and log records carry prompts,
//! completions, tool arguments/results and documents, and dropping them while keeping
//! everything numeric (tokens, cost, latency) and the structure (roles, tool names).

use crate::model::{AttrValue, LogRecord, Span};

/// Attribute keys (exact or as a prefix followed by `.`) that hold content.
const CONTENT_KEYS: &[&str] = &[
    "gen_ai.prompt",
    "gen_ai.completion",
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.call.arguments",
    "gen_ai.tool.call.result",
    "gen_ai.tool.definitions",
    "gen_ai.event.content",
    "gen_ai.content.prompt",
    "gen_ai.content.completion",
    "llm.input_messages",
    "llm.output_messages",
    "llm.prompts",
    "llm.prompt_template.variables",
    "input.value",
    "output.value",
    "retrieval.documents",
    "reranker.input_documents",
    "reranker.output_documents",
    "reranker.query",
    "embedding.embeddings",
    "tool.parameters",
    "traceloop.entity.input",
    "traceloop.entity.output",
    "langsmith.metadata.inputs",
    "langsmith.metadata.outputs",
    "content",
    "message",
];

/// True when `key` names content.
pub fn is_content_key(key: &str) -> bool {
    CONTENT_KEYS.iter().any(|c| {
        key == *c || (key.len() > c.len() && key.starts_with(c) && key.as_bytes()[c.len()] == b'.')
    })
}

/// Drops a span's content; true when anything was dropped.
pub fn drop_span_content(span: &mut Span) -> bool {
    let before = span.attributes.len();
    span.attributes.retain(|k, _| !is_content_key(k));
    let mut dropped = span.attributes.len() != before;
    for ev in &mut span.events {
        if ev.name.starts_with("gen_ai.") {
            let n = ev.attributes.len();
            ev.attributes.retain(|k, _| !is_content_key(k));
            dropped |= ev.attributes.len() != n;
        }
    }
    if let Some(llm) = span.llm.as_mut() {
        for m in llm
            .input_messages
            .iter_mut()
            .chain(llm.output_messages.iter_mut())
        {
            dropped |= !m.content.is_empty();
            m.content.clear();
            for call in &mut m.tool_calls {
                dropped |= !call.arguments.is_empty();
                call.arguments.clear();
            }
        }
        if let Some(tool) = llm.tool.as_mut() {
            dropped |= tool.arguments.is_some() || tool.result.is_some();
            tool.arguments = None;
            tool.result = None;
        }
        for d in &mut llm.documents {
            dropped |= !d.content.is_empty();
            d.content.clear();
            d.metadata = None;
        }
    }
    dropped
}

/// Drops the content of a GenAI event log record (body and content attributes).
pub fn drop_log_content(log: &mut LogRecord) {
    let is_genai = log
        .event_name
        .as_deref()
        .is_some_and(|n| n.starts_with("gen_ai."))
        || log.attributes.keys().any(|k| k.starts_with("gen_ai."));
    if !is_genai {
        return;
    }
    log.body = AttrValue::Empty;
    log.attributes.retain(|k, _| !is_content_key(k));
}
