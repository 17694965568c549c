//! OpenInference (Arize Phoenix) conventions: `openinference.span.kind`,
//! `llm.model_name` / `llm.invocation_parameters`, `llm.provider` / `llm.system`,
//! `llm.token_count.*`, `llm.cost.total`, flattened `llm.input_messages.N.message.*`
//! / `llm.output_messages.N.message.*` (content, `contents.M.message_content.*`,
//! `tool_calls.K.tool_call.*`, `tool_call_id`), `embedding.*`, `retrieval.documents.N`
//! and `reranker.*`, `tool.*` / `tool_call.*`, and evaluation results as
//! `annotations.N.annotation.*` / `evaluations.N.evaluation.*`.
//!
//! `input.value` / `output.value` are read by `mod.rs` as the shared fallback for
//! spans whose conversation is not otherwise known; here they give a tool span its
//! arguments and result and a model call its response id.

use serde_json::Value;

use super::messages::norm_role;
use super::values::{
    AttrsExt, Group, fill, g_num, g_str, g_text, group_indexed, indexed, parse_json_text,
};
use crate::model::{
    Attributes, Document, Eval, EvalScope, LlmFacet, LlmKind, Message, ToolCall, ToolInfo,
};

pub(super) const KIND: &str = "openinference.span.kind";
pub(super) const MODEL_KEYS: &[&str] = &[
    "llm.model_name",
    "embedding.model_name",
    "reranker.model_name",
];
pub(super) const TOOL_NAME: &str = "tool.name";
pub(super) const TOTAL_TOKENS: &str = "llm.token_count.total";
pub(super) const SOURCE: &str = "openinference";

/// Kind from `openinference.span.kind`. The bool is true for `LLM`, which `mod.rs`
/// shows as `chat` when the call has role-bearing input messages.
pub(super) fn kind(attrs: &Attributes) -> Option<(LlmKind, bool)> {
    let k = attrs.str(KIND)?.trim().to_ascii_uppercase();
    let kind = match k.as_str() {
        "LLM" => return Some((LlmKind::Llm, true)),
        "EMBEDDING" => LlmKind::Embedding,
        "RETRIEVER" => LlmKind::Retriever,
        "RERANKER" => LlmKind::Reranker,
        "TOOL" => LlmKind::Tool,
        "AGENT" => LlmKind::Agent,
        "CHAIN" => LlmKind::Chain,
        // A prompt-template step has no kind of its own in our model.
        "PROMPT" => LlmKind::Chain,
        "GUARDRAIL" => LlmKind::Guardrail,
        "EVALUATOR" => LlmKind::Evaluator,
        _ => return None,
    };
    Some((kind, false))
}

/// The model asked for, from `llm.invocation_parameters` (a JSON object).
fn invocation_model(attrs: &Attributes) -> Option<String> {
    [
        "llm.invocation_parameters",
        "embedding.invocation_parameters",
    ]
    .iter()
    .filter_map(|k| attrs.str(k).and_then(parse_json_text))
    .find_map(|v| {
        ["model", "model_name"]
            .iter()
            .find_map(|m| v.get(*m).and_then(Value::as_str).map(str::to_string))
    })
    .filter(|s| !s.is_empty())
}

pub(super) fn extract(f: &mut LlmFacet, attrs: &Attributes) {
    fill(
        &mut f.provider,
        attrs
            .first_str(&["llm.provider", "llm.system"])
            .map(str::to_ascii_lowercase),
    );
    let model_name = attrs.first_str(MODEL_KEYS).map(str::to_string);
    match invocation_model(attrs) {
        // `llm.model_name` is what the response reported (often a dated snapshot).
        Some(requested) => {
            fill(&mut f.request_model, Some(requested));
            fill(&mut f.response_model, model_name);
        }
        None => fill(&mut f.request_model, model_name),
    }
    fill(&mut f.input_tokens, attrs.count("llm.token_count.prompt"));
    fill(
        &mut f.output_tokens,
        attrs.count("llm.token_count.completion"),
    );
    fill(
        &mut f.cache_read_tokens,
        attrs.count("llm.token_count.prompt_details.cache_read"),
    );
    fill(
        &mut f.cache_write_tokens,
        attrs.count("llm.token_count.prompt_details.cache_write"),
    );
    fill(
        &mut f.reasoning_tokens,
        attrs.count("llm.token_count.completion_details.reasoning"),
    );
    if f.finish_reasons.is_empty()
        && let Some(r) = attrs.str("llm.finish_reason")
    {
        f.finish_reasons = vec![r.to_string()];
    }

    if f.input_messages.is_empty() {
        f.input_messages = messages(attrs, "llm.input_messages.");
    }
    if f.output_messages.is_empty() {
        f.output_messages = messages(attrs, "llm.output_messages.");
    }
    if f.input_messages.is_empty() {
        f.input_messages = indexed(attrs, "embedding.embeddings.")
            .values()
            .filter_map(|g| g_text(g, "embedding.text"))
            .map(|t| super::messages::plain_message("user", t))
            .collect();
    }
    if f.input_messages.is_empty()
        && let Some(q) = attrs.text("reranker.query")
    {
        f.input_messages = vec![super::messages::plain_message("user", q)];
    }
    if f.documents.is_empty() {
        f.documents = documents(attrs, "retrieval.documents.");
    }
    if f.documents.is_empty() {
        f.documents = documents(attrs, "reranker.output_documents.");
    }
    if f.kind.is_model_call() && f.response_id.is_none() {
        f.response_id = attrs
            .str("output.value")
            .and_then(parse_json_text)
            .filter(|v| v.get("choices").is_some() || v.get("object").is_some())
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string));
    }
    if f.kind == LlmKind::Tool {
        let t = f.tool.get_or_insert_with(ToolInfo::default);
        if t.name.is_empty() {
            t.name = attrs
                .first_str(&[TOOL_NAME, "tool_call.function.name"])
                .unwrap_or_default()
                .to_string();
        }
        fill(
            &mut t.call_id,
            attrs.str("tool_call.id").map(str::to_string),
        );
        fill(
            &mut t.arguments,
            attrs
                .text("tool_call.function.arguments")
                .or_else(|| attrs.text("input.value"))
                .or_else(|| attrs.text("tool.parameters")),
        );
        // LangChain's ToolMessage envelope: the result is its content, with its call id.
        if let Some((content, call_id)) = attrs
            .str("output.value")
            .and_then(super::langchain_messages::tool_result)
        {
            fill(&mut t.result, Some(content));
            fill(&mut t.call_id, call_id);
        }
        fill(&mut t.result, attrs.text("output.value"));
    }
}

/// The span's own cost report (`llm.cost.total`, USD).
pub(super) fn reported_cost(attrs: &Attributes) -> Option<f64> {
    attrs.num("llm.cost.total")
}

fn messages(attrs: &Attributes, prefix: &str) -> Vec<Message> {
    indexed(attrs, prefix).values().map(message).collect()
}

fn message(g: &Group<'_>) -> Message {
    let content = g_text(g, "message.content").unwrap_or_else(|| {
        group_indexed(g.iter().map(|(k, v)| (*k, *v)), "message.contents.")
            .values()
            .map(|c| match g_str(c, "message_content.type") {
                Some("image") => serde_json::json!({
                    "type": "image",
                    "url": g_str(c, "message_content.image.image.url"),
                })
                .to_string(),
                _ => g_text(c, "message_content.text").unwrap_or_default(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    let tool_calls = group_indexed(g.iter().map(|(k, v)| (*k, *v)), "message.tool_calls.")
        .values()
        .map(|c| ToolCall {
            id: g_str(c, "tool_call.id").map(str::to_string),
            name: g_str(c, "tool_call.function.name")
                .unwrap_or_default()
                .to_string(),
            arguments: g_text(c, "tool_call.function.arguments").unwrap_or_default(),
        })
        .collect();
    Message {
        role: g_str(g, "message.role").map(norm_role).unwrap_or_default(),
        content,
        tool_calls,
        tool_call_id: g_str(g, "message.tool_call_id").map(str::to_string),
    }
}

fn documents(attrs: &Attributes, prefix: &str) -> Vec<Document> {
    indexed(attrs, prefix)
        .values()
        .map(|g| Document {
            id: g_text(g, "document.id"),
            content: g_text(g, "document.content").unwrap_or_default(),
            score: g_num(g, "document.score"),
            metadata: g_text(g, "document.metadata"),
        })
        .collect()
}

/// `annotations.N.annotation.*` and `evaluations.N.evaluation.*`, at span scope
/// (no prefix), trace scope (`trace.`) and session scope (`session.`).
pub(super) fn evals(attrs: &Attributes) -> Vec<Eval> {
    let mut out = Vec::new();
    for (scope_prefix, scope) in [
        ("", EvalScope::Span),
        ("trace.", EvalScope::Trace),
        ("session.", EvalScope::Session),
    ] {
        for (collection, item) in [
            ("annotations.", "annotation."),
            ("evaluations.", "evaluation."),
        ] {
            let prefix = format!("{scope_prefix}{collection}");
            for g in indexed(attrs, &prefix).values() {
                let field = |name: &str| format!("{item}{name}");
                let name = g_str(g, &field("name"));
                let score = g_num(g, &field("score"));
                let label = g_text(g, &field("label"));
                if name.is_none() && score.is_none() && label.is_none() {
                    continue;
                }
                out.push(Eval {
                    name: name.unwrap_or("evaluation").to_string(),
                    score,
                    label,
                    explanation: g_text(g, &field("explanation")),
                    source: SOURCE.into(),
                    response_id: None,
                    scope,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AttrValue;

    use crate::normalize::test_util::{attrs, s};

    #[test]
    fn multimodal_contents_and_documents() {
        let a = attrs(&[
            ("llm.input_messages.0.message.role", s("USER")),
            (
                "llm.input_messages.0.message.contents.0.message_content.type",
                s("text"),
            ),
            (
                "llm.input_messages.0.message.contents.0.message_content.text",
                s("what is this?"),
            ),
            (
                "llm.input_messages.0.message.contents.1.message_content.type",
                s("image"),
            ),
            (
                "llm.input_messages.0.message.contents.1.message_content.image.image.url",
                s("http://img"),
            ),
            ("retrieval.documents.0.document.id", s("d1")),
            (
                "retrieval.documents.0.document.content",
                s("Paris is in France"),
            ),
            (
                "retrieval.documents.0.document.score",
                AttrValue::Double(0.9),
            ),
            ("retrieval.documents.1.document.content", s("second")),
        ]);
        let mut f = LlmFacet::new(LlmKind::Llm);
        extract(&mut f, &a);
        assert_eq!(f.input_messages[0].role, "user");
        assert_eq!(
            f.input_messages[0].content,
            "what is this?\n{\"type\":\"image\",\"url\":\"http://img\"}"
        );
        assert_eq!(f.documents.len(), 2);
        assert_eq!(f.documents[0].id.as_deref(), Some("d1"));
        assert_eq!(f.documents[0].score, Some(0.9));
        assert_eq!(f.documents[1].content, "second");
    }

    #[test]
    fn annotations_and_evaluations_become_evals() {
        let a = attrs(&[
            ("annotations.0.annotation.name", s("hallucination")),
            ("annotations.0.annotation.label", s("factual")),
            ("annotations.0.annotation.score", AttrValue::Double(1.0)),
            ("evaluations.0.evaluation.name", s("qa_correctness")),
            ("evaluations.0.evaluation.score", s("0.25")),
            ("evaluations.0.evaluation.explanation", s("wrong city")),
        ]);
        let e = evals(&a);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name, "hallucination");
        assert_eq!(e[0].label.as_deref(), Some("factual"));
        assert_eq!(e[1].score, Some(0.25));
        assert_eq!(e[1].explanation.as_deref(), Some("wrong city"));
        assert!(e.iter().all(|x| x.source == "openinference"));
    }

    #[test]
    fn tool_span_takes_arguments_and_result_from_io() {
        let a = attrs(&[
            ("tool.name", s("search")),
            ("input.value", s(r#"{"q": "rust"}"#)),
            ("output.value", s("3 results")),
            ("tool.parameters", s(r#"{"type":"object"}"#)),
        ]);
        let mut f = LlmFacet::new(LlmKind::Tool);
        extract(&mut f, &a);
        let t = f.tool.unwrap();
        assert_eq!(t.name, "search");
        assert_eq!(t.arguments.as_deref(), Some(r#"{"q": "rust"}"#));
        assert_eq!(t.result.as_deref(), Some("3 results"));
    }
}
