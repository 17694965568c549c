//! LangSmith's OpenTelemetry mode: `langsmith.span.kind` (the run type: llm, chat,
//! tool, chain, retriever, embedding, prompt, parser), `langsmith.trace.session_name`
//! (the project) and `langsmith.trace.session_id`, `langsmith.metadata.ls_provider` /
//! `ls_model_name`, the usage details LangSmith writes as a Python dict
//! (`gen_ai.usage.input_token_details`, `output_token_details`), and the run's
//! inputs/outputs as JSON text in `gen_ai.prompt` / `gen_ai.completion`, read
//! liberally (`{"messages": [...]}`, bare lists, LangChain serialized messages,
//! `{"generations": ...}`, OpenAI `{"choices": [...]}`).

use serde_json::Value;

use super::messages::{messages_from_text, text_of};
use super::values::{AttrsExt, fill, parse_json_text};
use crate::model::{Attributes, LlmFacet, LlmKind, ToolInfo};

pub(super) const KIND: &str = "langsmith.span.kind";
pub(super) const PROJECT: &str = "langsmith.trace.session_name";
pub(super) const SESSION: &str = "langsmith.trace.session_id";
pub(super) const PROMPT: &str = "gen_ai.prompt";
pub(super) const COMPLETION: &str = "gen_ai.completion";

/// Kind from the run type. The bool is true for `llm`, which `mod.rs` shows as
/// `chat` when the run's inputs are messages.
pub(super) fn kind(attrs: &Attributes) -> Option<(LlmKind, bool)> {
    let k = attrs.str(KIND)?.trim().to_ascii_lowercase();
    let kind = match k.as_str() {
        "llm" => return Some((LlmKind::Llm, true)),
        "chat" => LlmKind::Chat,
        "tool" => LlmKind::Tool,
        "chain" => LlmKind::Chain,
        "retriever" => LlmKind::Retriever,
        "embedding" => LlmKind::Embedding,
        // Template formatting and output parsing are steps of a chain.
        "prompt" | "parser" => LlmKind::Chain,
        _ => return None,
    };
    Some((kind, false))
}

pub(super) fn extract(f: &mut LlmFacet, attrs: &Attributes) {
    fill(
        &mut f.provider,
        attrs
            .str("langsmith.metadata.ls_provider")
            .map(str::to_ascii_lowercase),
    );
    fill(
        &mut f.request_model,
        attrs
            .str("langsmith.metadata.ls_model_name")
            .map(str::to_string),
    );
    if let Some(details) = attrs.text("gen_ai.usage.input_token_details") {
        fill(&mut f.cache_read_tokens, dict_count(&details, "cache_read"));
        fill(
            &mut f.cache_write_tokens,
            dict_count(&details, "cache_creation"),
        );
    }
    if let Some(details) = attrs.text("gen_ai.usage.output_token_details") {
        fill(&mut f.reasoning_tokens, dict_count(&details, "reasoning"));
    }

    if f.kind == LlmKind::Tool {
        let t = f.tool.get_or_insert_with(ToolInfo::default);
        if t.name.is_empty() {
            t.name = attrs
                .str("langsmith.trace.name")
                .unwrap_or_default()
                .to_string();
        }
        fill(
            &mut t.arguments,
            attrs.str(PROMPT).map(|s| unwrap_single(s, "input")),
        );
        fill(
            &mut t.result,
            attrs.str(COMPLETION).map(|s| unwrap_single(s, "output")),
        );
        return;
    }
    if f.input_messages.is_empty()
        && let Some(m) = attrs
            .str(PROMPT)
            .and_then(|s| messages_from_text(s, "user"))
    {
        f.input_messages = m;
    }
    if f.output_messages.is_empty()
        && let Some(m) = attrs
            .str(COMPLETION)
            .and_then(|s| messages_from_text(s, "assistant"))
    {
        f.output_messages = m;
    }
}

/// `{"input": x}` (a tool run's whole input) → `x` as text; anything else as it is.
fn unwrap_single(text: &str, key: &str) -> String {
    match parse_json_text(text) {
        Some(Value::Object(o)) if o.len() == 1 && o.contains_key(key) => text_of(&o[key]),
        _ => text.to_string(),
    }
}

/// A count from a dict printed as JSON or as a Python repr
/// (`{'audio': 0, 'cache_read': 10}`).
fn dict_count(text: &str, key: &str) -> Option<u64> {
    for quote in ['"', '\''] {
        let needle = format!("{quote}{key}{quote}");
        if let Some(pos) = text.find(&needle) {
            let rest = text[pos + needle.len()..].trim_start();
            let rest = rest.strip_prefix(':')?.trim_start();
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            return digits.parse().ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AttrValue;

    #[test]
    fn usage_details_in_python_repr_or_json() {
        assert_eq!(
            dict_count("{'audio': 0, 'cache_read': 10}", "cache_read"),
            Some(10)
        );
        assert_eq!(
            dict_count(r#"{"cache_creation": 7}"#, "cache_creation"),
            Some(7)
        );
        assert_eq!(dict_count("{'audio': 0}", "cache_read"), None);
        assert_eq!(dict_count("{'cache_read': None}", "cache_read"), None);
    }

    #[test]
    fn tool_run_unwraps_its_input_and_output() {
        let a: Attributes = [
            (PROMPT, r#"{"input": "Paris"}"#),
            (COMPLETION, r#"{"output": {"temp_c": 21}}"#),
            ("langsmith.trace.name", "get_weather"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), AttrValue::Str(v.to_string())))
        .collect();
        let mut f = LlmFacet::new(LlmKind::Tool);
        extract(&mut f, &a);
        let t = f.tool.unwrap();
        assert_eq!(t.name, "get_weather");
        assert_eq!(t.arguments.as_deref(), Some("Paris"));
        assert_eq!(t.result.as_deref(), Some(r#"{"temp_c":21}"#));
        assert!(
            f.input_messages.is_empty(),
            "a tool run's input is not a chat"
        );
    }
}
