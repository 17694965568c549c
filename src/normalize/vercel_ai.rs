//! Vercel AI SDK's own span attributes: AI SDK ≤6 `experimental_telemetry` and AI SDK
//! 7's `LegacyOpenTelemetry` (spans named after `ai.operationId`). AI SDK 7's default
//! `OpenTelemetry` integration writes GenAI attributes (`genai.rs`); only its
//! `ai.settings.context.*` ids are read here.
//!
//! Kinds from `ai.operationId`: `ai.generateText` / `ai.streamText` /
//! `ai.generateObject` / `ai.streamObject` are the agent (their `ai.usage.*` is the
//! sum of their steps, shown, never added); `<op>.doGenerate` / `<op>.doStream` are
//! the model calls (`chat`); `ai.embed.doEmbed` / `ai.embedMany.doEmbed` the
//! embedding calls, under `ai.embed` / `ai.embedMany` chains; `ai.toolCall` a tool.
//!
//! Fields: `ai.model.provider` (`openai.chat` → `openai`, `azure.responses` →
//! `azure`; `gen_ai.system` in the same form is normalized too), `ai.model.id`,
//! `ai.response.model` / `.id` / `.finishReason`; usage `ai.usage.inputTokens` /
//! `outputTokens` (`promptTokens` / `completionTokens` from `generateObject` and older
//! versions, `tokens` for embeddings), cache reads `ai.usage.inputTokenDetails.
//! cacheReadTokens` / `ai.usage.cachedInputTokens`, cache writes, reasoning;
//! messages from `ai.prompt.messages` (AI SDK parts: text, tool-call with
//! `toolCallId`/`toolName`/`input` or `args`, tool-result with `output` or
//! `result`, image, file, reasoning) or the call's `ai.prompt` (`system`, `prompt`,
//! `messages`); output from `ai.response.text`, `ai.response.toolCalls`,
//! `ai.response.object`; embedding inputs `ai.values` / `ai.value`; tools
//! `ai.toolCall.name` / `.id` / `.args` / `.result`.

use serde_json::{Map, Value};

use super::messages::{norm_role, text_of};
use super::values::{AttrsExt, fill, parse_json_text};
use crate::model::{AttrValue, Attributes, LlmFacet, LlmKind, Message, ToolCall, ToolInfo};

pub(super) const OPERATION: &str = "ai.operationId";

/// Session ids the AI SDK carries: ≤6 `metadata`, 7 `runtimeContext` marked for
/// telemetry.
pub(super) const SESSION_KEYS: &[&str] = &[
    "ai.telemetry.metadata.sessionId",
    "ai.settings.context.sessionId",
];

const INPUT_TOKENS: &[&str] = &[
    "ai.usage.inputTokens",
    "ai.usage.promptTokens",
    "ai.usage.tokens",
];
const OUTPUT_TOKENS: &[&str] = &["ai.usage.outputTokens", "ai.usage.completionTokens"];
const CACHE_READ: &[&str] = &[
    "ai.usage.inputTokenDetails.cacheReadTokens",
    "ai.usage.cachedInputTokens",
];
const CACHE_WRITE: &[&str] = &["ai.usage.inputTokenDetails.cacheWriteTokens"];
const REASONING: &[&str] = &[
    "ai.usage.outputTokenDetails.reasoningTokens",
    "ai.usage.reasoningTokens",
];

/// Kind from `ai.operationId`; other operations say nothing.
pub(super) fn kind(attrs: &Attributes) -> Option<(LlmKind, bool)> {
    let op = attrs.str(OPERATION)?.trim();
    let kind = match op {
        "ai.generateText" | "ai.streamText" | "ai.generateObject" | "ai.streamObject" => {
            LlmKind::Agent
        }
        "ai.embed" | "ai.embedMany" => LlmKind::Chain,
        "ai.embed.doEmbed" | "ai.embedMany.doEmbed" => LlmKind::Embedding,
        "ai.toolCall" => LlmKind::Tool,
        _ if op.starts_with("ai.")
            && (op.ends_with(".doGenerate") || op.ends_with(".doStream")) =>
        {
            LlmKind::Chat
        }
        _ => return None,
    };
    Some((kind, false))
}

/// `openai.chat` → `openai`: the AI SDK's provider id names the provider and the API.
fn provider_of(id: &str) -> String {
    let id = id.trim().to_ascii_lowercase();
    match id.split_once('.') {
        Some((provider, _)) if !provider.is_empty() => provider.to_string(),
        _ => id,
    }
}

/// Fills what the AI SDK attributes say (only empty fields). Runs first for spans
/// with `ai.operationId`, so its provider id wins over the same id in `gen_ai.system`.
pub(super) fn extract(f: &mut LlmFacet, attrs: &Attributes) {
    if attrs.str(OPERATION).is_none() {
        return;
    }
    fill(
        &mut f.provider,
        attrs
            .first_str(&["ai.model.provider", "gen_ai.system"])
            .map(provider_of),
    );
    fill(
        &mut f.request_model,
        attrs.str("ai.model.id").map(str::to_string),
    );
    fill(
        &mut f.response_model,
        attrs.str("ai.response.model").map(str::to_string),
    );
    fill(
        &mut f.response_id,
        attrs.str("ai.response.id").map(str::to_string),
    );
    if f.finish_reasons.is_empty()
        && let Some(r) = attrs.str("ai.response.finishReason")
    {
        f.finish_reasons = vec![r.to_string()];
    }
    fill(&mut f.input_tokens, attrs.first_count(INPUT_TOKENS));
    if f.kind != LlmKind::Embedding && f.kind != LlmKind::Chain {
        fill(&mut f.output_tokens, attrs.first_count(OUTPUT_TOKENS));
    }
    fill(&mut f.cache_read_tokens, attrs.first_count(CACHE_READ));
    fill(&mut f.cache_write_tokens, attrs.first_count(CACHE_WRITE));
    fill(&mut f.reasoning_tokens, attrs.first_count(REASONING));

    if f.kind == LlmKind::Tool {
        let t = f.tool.get_or_insert_with(ToolInfo::default);
        if t.name.is_empty() {
            t.name = attrs
                .str("ai.toolCall.name")
                .unwrap_or_default()
                .to_string();
        }
        fill(
            &mut t.call_id,
            attrs.str("ai.toolCall.id").map(str::to_string),
        );
        fill(&mut t.arguments, attrs.text("ai.toolCall.args"));
        fill(&mut t.result, attrs.text("ai.toolCall.result"));
        return;
    }
    if f.input_messages.is_empty() {
        f.input_messages = input_messages(attrs);
    }
    if f.output_messages.is_empty() {
        f.output_messages = output_messages(attrs);
    }
}

fn input_messages(attrs: &Attributes) -> Vec<Message> {
    if let Some(Value::Array(msgs)) = attrs.str("ai.prompt.messages").and_then(parse_json_text) {
        return msgs.iter().filter_map(message).collect();
    }
    if let Some(Value::Object(p)) = attrs.str("ai.prompt").and_then(parse_json_text) {
        return prompt_messages(&p);
    }
    // Embedding inputs: each value JSON-encoded (`"\"sunny day\""`).
    let values: Vec<String> = match attrs.get("ai.values") {
        Some(AttrValue::Array(items)) => items.iter().map(AttrValue::to_text).collect(),
        _ => attrs
            .str("ai.value")
            .map(str::to_string)
            .into_iter()
            .collect(),
    };
    values
        .iter()
        .map(|v| match serde_json::from_str::<Value>(v) {
            Ok(j) => user_text(text_of(&j)),
            Err(_) => user_text(v.clone()),
        })
        .collect()
}

fn user_text(content: String) -> Message {
    Message {
        role: "user".into(),
        content,
        ..Default::default()
    }
}

/// The call's `ai.prompt`: `{system?, prompt?: string | parts, messages?: [...]}`.
fn prompt_messages(p: &Map<String, Value>) -> Vec<Message> {
    let mut out = Vec::new();
    if let Some(system) = p.get("system").filter(|s| !s.is_null()) {
        out.push(Message {
            role: "system".into(),
            content: text_of(system),
            ..Default::default()
        });
    }
    match p.get("prompt") {
        Some(Value::Array(parts)) => {
            let mut m = user_text(String::new());
            parts_into(&mut m, parts);
            out.push(m);
        }
        Some(v) if !v.is_null() => out.push(user_text(text_of(v))),
        _ => {}
    }
    if let Some(Value::Array(msgs)) = p.get("messages") {
        out.extend(msgs.iter().filter_map(message));
    }
    out
}

/// One AI SDK model message: `{role, content: string | parts}`.
fn message(v: &Value) -> Option<Message> {
    let o = v.as_object()?;
    let mut m = Message {
        role: norm_role(o.get("role").and_then(Value::as_str).unwrap_or("user")),
        ..Default::default()
    };
    match o.get("content") {
        Some(Value::Array(parts)) => parts_into(&mut m, parts),
        Some(c) => m.content = text_of(c),
        None => {}
    }
    Some(m)
}

/// AI SDK content parts into `m`: texts joined with "\n", tool calls, tool results
/// (the message answers the first result's call), media as a short placeholder.
fn parts_into(m: &mut Message, parts: &[Value]) {
    let mut texts = Vec::new();
    for part in parts {
        let Some(o) = part.as_object() else {
            texts.push(text_of(part));
            continue;
        };
        match o.get("type").and_then(Value::as_str).unwrap_or("") {
            "text" | "reasoning" => texts.push(o.get("text").map(text_of).unwrap_or_default()),
            "tool-call" => {
                if let Some(call) = tool_call(o) {
                    m.tool_calls.push(call);
                }
            }
            "tool-result" => {
                if m.tool_call_id.is_none() {
                    m.tool_call_id = str_of(o, "toolCallId");
                }
                let out = o.get("output").or_else(|| o.get("result"));
                texts.push(out.map(tool_output).unwrap_or_default());
            }
            "image" | "file" => {
                let media = str_of(o, "mediaType")
                    .or_else(|| str_of(o, "mimeType"))
                    .unwrap_or_else(|| "media".into());
                let name = str_of(o, "filename")
                    .map(|n| format!(" {n}"))
                    .unwrap_or_default();
                texts.push(format!(
                    "[{}{name}: {media}]",
                    o["type"].as_str().unwrap_or("")
                ));
            }
            _ => texts.push(part.to_string()),
        }
    }
    m.content = texts.join("\n");
}

/// A tool result's output: AI SDK ≥5 wraps it as `{type: "json"|"text", value}`.
fn tool_output(v: &Value) -> String {
    match v {
        Value::Object(o)
            if o.contains_key("value") && o.get("type").and_then(Value::as_str).is_some() =>
        {
            text_of(&o["value"])
        }
        other => text_of(other),
    }
}

fn str_of(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `{toolCallId, toolName, input | args}`; the input is an object or JSON text.
fn tool_call(o: &Map<String, Value>) -> Option<ToolCall> {
    Some(ToolCall {
        id: str_of(o, "toolCallId"),
        name: str_of(o, "toolName")?,
        arguments: o
            .get("input")
            .or_else(|| o.get("args"))
            .map(text_of)
            .unwrap_or_default(),
    })
}

fn output_messages(attrs: &Attributes) -> Vec<Message> {
    let text = attrs
        .str("ai.response.text")
        .or_else(|| attrs.str("ai.response.object"))
        .unwrap_or_default();
    let calls: Vec<ToolCall> = match attrs.str("ai.response.toolCalls").and_then(parse_json_text) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|c| c.as_object().and_then(tool_call))
            .collect(),
        _ => Vec::new(),
    };
    if text.is_empty() && calls.is_empty() {
        return Vec::new();
    }
    vec![Message {
        role: "assistant".into(),
        content: text.to_string(),
        tool_calls: calls,
        tool_call_id: None,
    }]
}

#[cfg(test)]
#[path = "vercel_ai_tests.rs"]
mod tests;
