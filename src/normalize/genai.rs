//! OpenTelemetry GenAI semantic conventions, current and deprecated forms:
//! `gen_ai.operation.name` kinds, provider/system, models, response id and finish
//! reasons, usage (`input_tokens`/`output_tokens`, the old `prompt_tokens`/
//! `completion_tokens`, cache and reasoning tokens), `gen_ai.input.messages` /
//! `gen_ai.output.messages` / `gen_ai.system_instructions` (JSON text or structured
//! values with `parts`), the per-message events (`gen_ai.user.message`,
//! `gen_ai.choice`, `gen_ai.content.prompt`, …, as span events or log records),
//! tool execution attributes and `gen_ai.evaluation.result` events.

use serde_json::Value;

use super::messages::{content_into, messages_from_text, messages_from_value, plain_message};
use super::values::{AttrsExt, fill, json_of};
use crate::model::{AttrValue, Attributes, Eval, LlmFacet, LlmKind, Message, SpanEvent, ToolInfo};

pub(super) const OPERATION: &str = "gen_ai.operation.name";
pub(super) const MODEL_KEYS: &[&str] = &["gen_ai.request.model", "gen_ai.response.model"];
pub(super) const TOOL_NAME: &str = "gen_ai.tool.name";
pub(super) const TOTAL_TOKENS: &str = "gen_ai.usage.total_tokens";
pub(super) const EVAL_EVENT: &str = "gen_ai.evaluation.result";

const PROVIDER: &[&str] = &["gen_ai.provider.name", "gen_ai.system"];
const INPUT_TOKENS: &[&str] = &["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"];
const OUTPUT_TOKENS: &[&str] = &[
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens",
];
const CACHE_READ: &[&str] = &[
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_read_input_tokens",
];
const CACHE_WRITE: &[&str] = &[
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.cache_creation_input_tokens",
];
const REASONING: &[&str] = &[
    "gen_ai.usage.reasoning.output_tokens",
    "gen_ai.usage.reasoning_tokens",
];

/// Kind from `gen_ai.operation.name`; unknown operations say nothing.
pub(super) fn kind(attrs: &Attributes) -> Option<LlmKind> {
    let op = attrs.str(OPERATION)?.trim().to_ascii_lowercase();
    Some(match op.as_str() {
        "chat" => LlmKind::Chat,
        "text_completion" | "generate_content" | "completion" => LlmKind::Llm,
        "embeddings" | "embedding" => LlmKind::Embedding,
        "execute_tool" => LlmKind::Tool,
        "invoke_agent" | "create_agent" => LlmKind::Agent,
        "retrieval" => LlmKind::Retriever,
        _ => return None,
    })
}

/// Fills what the GenAI attributes and span events say into `f` (only empty fields).
pub(super) fn extract(f: &mut LlmFacet, attrs: &Attributes, events: &[SpanEvent]) {
    fill(
        &mut f.provider,
        attrs.first_str(PROVIDER).map(str::to_ascii_lowercase),
    );
    fill(
        &mut f.request_model,
        attrs.str("gen_ai.request.model").map(str::to_string),
    );
    fill(
        &mut f.response_model,
        attrs.str("gen_ai.response.model").map(str::to_string),
    );
    fill(
        &mut f.response_id,
        attrs.str("gen_ai.response.id").map(str::to_string),
    );
    if f.finish_reasons.is_empty()
        && let Some(v) = attrs.get("gen_ai.response.finish_reasons")
    {
        f.finish_reasons = finish_reasons(v);
    }
    fill(&mut f.input_tokens, attrs.first_count(INPUT_TOKENS));
    fill(&mut f.output_tokens, attrs.first_count(OUTPUT_TOKENS));
    fill(&mut f.cache_read_tokens, attrs.first_count(CACHE_READ));
    fill(&mut f.cache_write_tokens, attrs.first_count(CACHE_WRITE));
    fill(&mut f.reasoning_tokens, attrs.first_count(REASONING));

    let (input, output, reasons) = messages_from_attrs(attrs);
    if f.input_messages.is_empty() {
        f.input_messages = input;
    }
    if f.output_messages.is_empty() {
        f.output_messages = output;
    }
    if f.finish_reasons.is_empty() {
        f.finish_reasons = reasons;
    }
    if f.input_messages.is_empty() || f.output_messages.is_empty() {
        let (mut ins, mut outs) = (Vec::new(), Vec::new());
        for ev in events {
            match event_messages(&ev.name, &ev.attributes, &AttrValue::Empty) {
                Some((Side::Input, m)) => ins.extend(m),
                Some((Side::Output, m)) => outs.extend(m),
                None => {}
            }
        }
        if f.input_messages.is_empty() {
            f.input_messages = ins;
        }
        if f.output_messages.is_empty() {
            f.output_messages = outs;
        }
    }

    if f.kind == LlmKind::Tool {
        let t = f.tool.get_or_insert_with(ToolInfo::default);
        if t.name.is_empty() {
            t.name = attrs.str(TOOL_NAME).unwrap_or_default().to_string();
        }
        fill(
            &mut t.call_id,
            attrs.str("gen_ai.tool.call.id").map(str::to_string),
        );
        fill(&mut t.arguments, attrs.text("gen_ai.tool.call.arguments"));
        fill(&mut t.result, attrs.text("gen_ai.tool.call.result"));
    }
}

/// `gen_ai.response.finish_reasons`: an array, or one string (LangSmith joins
/// several with ", ").
pub(super) fn finish_reasons(v: &AttrValue) -> Vec<String> {
    match v {
        AttrValue::Array(items) => items
            .iter()
            .map(AttrValue::to_text)
            .filter(|s| !s.is_empty())
            .collect(),
        AttrValue::Str(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        AttrValue::Empty => Vec::new(),
        other => vec![other.to_text()],
    }
}

/// Input messages (system instructions first), output messages and the output
/// messages' finish reasons, from `gen_ai.*.messages` attributes (JSON text or the
/// structured values log records carry).
pub(super) fn messages_from_attrs(attrs: &Attributes) -> (Vec<Message>, Vec<Message>, Vec<String>) {
    let mut input = Vec::new();
    if let Some(v) = attrs.get("gen_ai.system_instructions").and_then(json_of) {
        let mut sys = plain_message("system", String::new());
        match &v {
            Value::Object(o) => content_into(&mut sys, o.get("content").unwrap_or(&v)),
            _ => content_into(&mut sys, &v),
        }
        sys.role = "system".into();
        if !sys.content.is_empty() {
            input.push(sys);
        }
    }
    let mut messages = side_messages(attrs.get("gen_ai.input.messages"), "user");
    // OpenLIT sends the system prompt both ways: show it once.
    if let (Some(sys), Some(first)) = (input.first(), messages.first())
        && first.role == "system"
        && first.content.trim() == sys.content.trim()
    {
        messages.remove(0);
    }
    input.extend(messages);
    let out_value = attrs.get("gen_ai.output.messages").and_then(json_of);
    let output = side_messages(attrs.get("gen_ai.output.messages"), "assistant");
    let reasons = out_value
        .as_ref()
        .and_then(Value::as_array)
        .map(|msgs| {
            msgs.iter()
                .filter_map(|m| m.get("finish_reason").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    (input, output, reasons)
}

fn side_messages(v: Option<&AttrValue>, role: &str) -> Vec<Message> {
    match v {
        Some(AttrValue::Str(s)) if !s.trim().is_empty() => {
            messages_from_text(s, role).unwrap_or_else(|| vec![plain_message(role, s.clone())])
        }
        Some(AttrValue::Str(_)) | Some(AttrValue::Empty) | None => Vec::new(),
        Some(other) => messages_from_value(&other.to_json(), role),
    }
}

/// Which side of the call an event's message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Input,
    Output,
}

/// Messages carried by one per-message event (span event: content in attributes;
/// log record: content in `body`). `None` for other events.
pub(super) fn event_messages(
    name: &str,
    attrs: &Attributes,
    body: &AttrValue,
) -> Option<(Side, Vec<Message>)> {
    let (side, role) = match name {
        "gen_ai.system.message" => (Side::Input, "system"),
        "gen_ai.user.message" => (Side::Input, "user"),
        "gen_ai.assistant.message" => (Side::Input, "assistant"),
        "gen_ai.tool.message" | "gen_ai.tools.message" => (Side::Input, "tool"),
        "gen_ai.choice" => (Side::Output, "assistant"),
        "gen_ai.content.prompt" => {
            return Some((Side::Input, whole("gen_ai.prompt", attrs, body, "user")));
        }
        "gen_ai.content.completion" => {
            return Some((
                Side::Output,
                whole("gen_ai.completion", attrs, body, "assistant"),
            ));
        }
        _ => return None,
    };
    let v = match body {
        AttrValue::Empty => attrs
            .json("gen_ai.event.content")
            .unwrap_or_else(|| crate::model::attributes_to_json(attrs)),
        b => b.to_json(),
    };
    let msg_value = match (side, v.get("message")) {
        (Side::Output, Some(m)) => m,
        _ => &v,
    };
    let msgs: Vec<Message> = super::messages::message_from_value(msg_value, role)
        .into_iter()
        .collect();
    Some((side, msgs))
}

/// Old-style whole-conversation events: `gen_ai.prompt` / `gen_ai.completion` hold
/// JSON messages or plain text.
fn whole(key: &str, attrs: &Attributes, body: &AttrValue, role: &str) -> Vec<Message> {
    let text = attrs.text(key).or_else(|| match body {
        AttrValue::Empty => None,
        b => Some(b.to_text()),
    });
    match text {
        Some(t) if !t.trim().is_empty() => {
            messages_from_text(&t, role).unwrap_or_else(|| vec![plain_message(role, t)])
        }
        _ => Vec::new(),
    }
}

/// One `gen_ai.evaluation.result` (attributes of a span event or a log record).
pub(super) fn eval_from_attrs(attrs: &Attributes) -> Option<Eval> {
    let name = attrs.str("gen_ai.evaluation.name");
    let score = attrs.num("gen_ai.evaluation.score.value");
    let label = attrs.str("gen_ai.evaluation.score.label");
    if name.is_none() && score.is_none() && label.is_none() {
        return None;
    }
    Some(Eval {
        name: name.unwrap_or("evaluation").to_string(),
        score,
        label: label.map(str::to_string),
        explanation: attrs
            .str("gen_ai.evaluation.explanation")
            .map(str::to_string),
        source: EVAL_EVENT.into(),
        response_id: attrs.str("gen_ai.response.id").map(str::to_string),
        scope: Default::default(),
    })
}

/// Evaluation results among a span's events.
pub(super) fn evals(events: &[SpanEvent]) -> Vec<Eval> {
    events
        .iter()
        .filter(|e| e.name == EVAL_EVENT)
        .filter_map(|e| eval_from_attrs(&e.attributes))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::normalize::test_util::{attrs, s};

    #[test]
    fn deprecated_usage_names_and_system_fill_the_facet() {
        let a = attrs(&[
            ("gen_ai.system", s("OpenAI")),
            ("gen_ai.usage.prompt_tokens", AttrValue::Int(12)),
            ("gen_ai.usage.completion_tokens", AttrValue::Int(5)),
            ("gen_ai.usage.cache_read_input_tokens", AttrValue::Int(3)),
            (
                "gen_ai.usage.cache_creation.input_tokens",
                AttrValue::Int(2),
            ),
            ("gen_ai.response.finish_reasons", s("stop, length")),
        ]);
        let mut f = LlmFacet::new(LlmKind::Chat);
        extract(&mut f, &a, &[]);
        assert_eq!(f.provider.as_deref(), Some("openai"));
        assert_eq!((f.input_tokens, f.output_tokens), (Some(12), Some(5)));
        assert_eq!(
            (f.cache_read_tokens, f.cache_write_tokens),
            (Some(3), Some(2))
        );
        assert_eq!(f.finish_reasons, vec!["stop", "length"]);
    }

    #[test]
    fn system_instructions_lead_and_events_fill_missing_content() {
        let a = attrs(&[
            (
                "gen_ai.system_instructions",
                s(r#"[{"type":"text","content":"be terse"}]"#),
            ),
            (
                "gen_ai.input.messages",
                s(r#"[{"role":"user","parts":[{"type":"text","content":"hi"}]}]"#),
            ),
        ]);
        let choice = SpanEvent {
            name: "gen_ai.choice".into(),
            time_unix_nano: 1,
            attributes: attrs(&[(
                "gen_ai.event.content",
                s(r#"{"index":0,"finish_reason":"stop","message":{"content":"hello"}}"#),
            )]),
        };
        let mut f = LlmFacet::new(LlmKind::Chat);
        extract(&mut f, &a, &[choice]);
        let roles: Vec<_> = f.input_messages.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(roles, vec!["system", "user"]);
        assert_eq!(f.input_messages[0].content, "be terse");
        assert_eq!(f.output_messages.len(), 1);
        assert_eq!(f.output_messages[0].role, "assistant");
        assert_eq!(f.output_messages[0].content, "hello");
    }

    #[test]
    fn system_prompt_sent_both_ways_is_shown_once() {
        let both = |instructions: &str| {
            let a = attrs(&[
                ("gen_ai.system_instructions", s(instructions)),
                (
                    "gen_ai.input.messages",
                    s(
                        r#"[{"role":"system","parts":[{"type":"text","content":"be terse"}]},
                          {"role":"user","parts":[{"type":"text","content":"hi"}]}]"#,
                    ),
                ),
            ]);
            messages_from_attrs(&a).0
        };
        let input = both("be terse");
        let roles: Vec<_> = input.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(roles, vec!["system", "user"]);
        let input = both(r#"[{"type":"text","content":"be terse"}]"#);
        assert_eq!(input.len(), 2);
        let different = both("be kind");
        assert_eq!(different.len(), 3, "a different system text is kept");
    }

    #[test]
    fn old_content_events_hold_whole_prompts() {
        let prompt = SpanEvent {
            name: "gen_ai.content.prompt".into(),
            time_unix_nano: 1,
            attributes: attrs(&[("gen_ai.prompt", s(r#"[{"role":"user","content":"q"}]"#))]),
        };
        let completion = SpanEvent {
            name: "gen_ai.content.completion".into(),
            time_unix_nano: 2,
            attributes: attrs(&[("gen_ai.completion", s("plain answer"))]),
        };
        let mut f = LlmFacet::new(LlmKind::Chat);
        extract(&mut f, &Attributes::new(), &[prompt, completion]);
        assert_eq!(f.input_messages[0].content, "q");
        assert_eq!(f.output_messages[0].content, "plain answer");
        assert_eq!(f.output_messages[0].role, "assistant");
    }

    #[test]
    fn tool_span_attributes() {
        let a = attrs(&[
            ("gen_ai.tool.name", s("get_weather")),
            ("gen_ai.tool.call.id", s("c1")),
            (
                "gen_ai.tool.call.arguments",
                AttrValue::Map(vec![("city".into(), s("Paris"))]),
            ),
            ("gen_ai.tool.call.result", s("sunny")),
        ]);
        let mut f = LlmFacet::new(LlmKind::Tool);
        extract(&mut f, &a, &[]);
        let t = f.tool.unwrap();
        assert_eq!(t.name, "get_weather");
        assert_eq!(t.arguments.as_deref(), Some(r#"{"city":"Paris"}"#));
        assert_eq!(t.result.as_deref(), Some("sunny"));
        assert_eq!(t.call_id.as_deref(), Some("c1"));
    }
}
