//! OpenLLMetry (Traceloop) conventions: `traceloop.span.kind` (workflow, task, agent,
//! tool, llm), `llm.request.type` (chat, completion, embedding, rerank),
//! `traceloop.entity.name` / `.input` / `.output`, the indexed
//! `gen_ai.prompt.N.*` / `gen_ai.completion.N.*` messages (with
//! `tool_calls.M.{id,name,arguments}` and `finish_reason`), and the older
//! `llm.request.model` / `llm.usage.*` names. `gen_ai.usage.*` and `gen_ai.system`
//! are read by `genai.rs`.

use serde_json::Value;

use super::messages::{content_into, norm_role};
use super::values::{
    AttrsExt, Group, fill, g_str, g_text, group_indexed, indexed, parse_json_text,
};
use crate::model::{Attributes, LlmFacet, LlmKind, Message, ToolCall, ToolInfo};

pub(super) const KIND: &str = "traceloop.span.kind";
pub(super) const REQUEST_TYPE: &str = "llm.request.type";
pub(super) const MODEL_KEYS: &[&str] = &["llm.request.model", "llm.response.model"];
pub(super) const TOTAL_TOKENS: &str = "llm.usage.total_tokens";

/// Kind from `traceloop.span.kind`; for `llm`, from `llm.request.type` (the bool is
/// true when that is absent, so `mod.rs` may show the call as `chat`).
pub(super) fn kind(attrs: &Attributes) -> Option<(LlmKind, bool)> {
    let k = attrs.str(KIND)?.trim().to_ascii_lowercase();
    let kind = match k.as_str() {
        "workflow" => LlmKind::Workflow,
        "task" => LlmKind::Task,
        "agent" => LlmKind::Agent,
        "tool" => LlmKind::Tool,
        "llm" => {
            return Some(match request_type_kind(attrs) {
                Some(kind) => (kind, false),
                None => (LlmKind::Llm, true),
            });
        }
        _ => return None,
    };
    Some((kind, false))
}

/// Kind of a model call from `llm.request.type`.
pub(super) fn request_type_kind(attrs: &Attributes) -> Option<LlmKind> {
    let t = attrs.str(REQUEST_TYPE)?.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "chat" => LlmKind::Chat,
        "completion" => LlmKind::Llm,
        "embedding" => LlmKind::Embedding,
        "rerank" => LlmKind::Reranker,
        _ => return None,
    })
}

pub(super) fn extract(f: &mut LlmFacet, attrs: &Attributes) {
    fill(
        &mut f.request_model,
        attrs.str("llm.request.model").map(str::to_string),
    );
    fill(
        &mut f.response_model,
        attrs.str("llm.response.model").map(str::to_string),
    );
    fill(&mut f.input_tokens, attrs.count("llm.usage.prompt_tokens"));
    fill(
        &mut f.output_tokens,
        attrs.count("llm.usage.completion_tokens"),
    );

    if f.input_messages.is_empty() {
        f.input_messages = indexed(attrs, "gen_ai.prompt.")
            .values()
            .map(|g| message(g, "user"))
            .collect();
    }
    let completions = indexed(attrs, "gen_ai.completion.");
    if f.output_messages.is_empty() {
        f.output_messages = completions
            .values()
            .map(|g| message(g, "assistant"))
            .collect();
    }
    if f.finish_reasons.is_empty() {
        f.finish_reasons = completions
            .values()
            .filter_map(|g| g_str(g, "finish_reason").map(str::to_string))
            .collect();
    }

    if f.kind == LlmKind::Tool {
        let t = f.tool.get_or_insert_with(ToolInfo::default);
        if t.name.is_empty() {
            t.name = attrs
                .str("traceloop.entity.name")
                .unwrap_or_default()
                .to_string();
        }
        fill(&mut t.arguments, attrs.text("traceloop.entity.input"));
        fill(&mut t.result, attrs.text("traceloop.entity.output"));
    }
}

fn message(g: &Group<'_>, default_role: &str) -> Message {
    let mut msg = Message {
        role: g_str(g, "role")
            .map(norm_role)
            .unwrap_or_else(|| default_role.to_string()),
        ..Default::default()
    };
    if let Some(content) = g_text(g, "content") {
        // Multimodal SDK calls store the content blocks as JSON text.
        match parse_json_text(&content) {
            Some(v @ Value::Array(_)) if is_blocks(&v) => content_into(&mut msg, &v),
            _ => msg.content = content,
        }
    }
    msg.tool_calls.extend(
        group_indexed(g.iter().map(|(k, v)| (*k, *v)), "tool_calls.")
            .values()
            .map(|c| ToolCall {
                id: g_str(c, "id").map(str::to_string),
                name: g_str(c, "name").unwrap_or_default().to_string(),
                arguments: g_text(c, "arguments").unwrap_or_default(),
            }),
    );
    if let Some(name) = g_str(g, "function_call.name") {
        msg.tool_calls.push(ToolCall {
            id: None,
            name: name.to_string(),
            arguments: g_text(g, "function_call.arguments").unwrap_or_default(),
        });
    }
    if msg.tool_call_id.is_none() {
        msg.tool_call_id = g_str(g, "tool_call_id").map(str::to_string);
    }
    msg
}

fn is_blocks(v: &Value) -> bool {
    v.as_array().is_some_and(|a| {
        !a.is_empty()
            && a.iter()
                .all(|x| x.get("type").and_then(Value::as_str).is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::test_util::{attrs, s};

    #[test]
    fn kinds_follow_span_kind_and_request_type() {
        let k = |pairs: &[(&str, &str)]| {
            kind(&attrs(
                &pairs.iter().map(|(a, b)| (*a, s(b))).collect::<Vec<_>>(),
            ))
        };
        assert_eq!(
            k(&[("traceloop.span.kind", "workflow")]),
            Some((LlmKind::Workflow, false))
        );
        assert_eq!(
            k(&[("traceloop.span.kind", "task")]),
            Some((LlmKind::Task, false))
        );
        assert_eq!(
            k(&[
                ("traceloop.span.kind", "llm"),
                ("llm.request.type", "embedding")
            ]),
            Some((LlmKind::Embedding, false))
        );
        assert_eq!(
            k(&[("traceloop.span.kind", "llm")]),
            Some((LlmKind::Llm, true))
        );
        assert_eq!(k(&[("traceloop.span.kind", "something")]), None);
    }

    #[test]
    fn multimodal_content_blocks_are_rendered() {
        let a = attrs(&[
            ("gen_ai.prompt.0.role", s("user")),
            (
                "gen_ai.prompt.0.content",
                s(
                    r#"[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"u"}}]"#,
                ),
            ),
            ("gen_ai.prompt.1.role", s("tool")),
            ("gen_ai.prompt.1.content", s(r#"{"temp": 21}"#)),
            ("gen_ai.prompt.1.tool_call_id", s("c9")),
        ]);
        let mut f = LlmFacet::new(LlmKind::Chat);
        extract(&mut f, &a);
        assert_eq!(
            f.input_messages[0].content,
            "look\n{\"image_url\":{\"url\":\"u\"},\"type\":\"image_url\"}"
        );
        // A JSON object that is not content blocks stays as the sender wrote it.
        assert_eq!(f.input_messages[1].content, r#"{"temp": 21}"#);
        assert_eq!(f.input_messages[1].tool_call_id.as_deref(), Some("c9"));
    }
}
