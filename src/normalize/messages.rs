//! Liberal JSON → [`Message`] parsing shared by every convention: GenAI `parts`
//! messages, OpenAI chat messages and responses (`choices`), Anthropic content
//! blocks, LangChain messages (plain and `lc` serialized) and wrappers such as
//! `{"messages": [...]}` or `{"generations": [[...]]}`.
//!
//! Rules: roles are lower-case (`human` → `user`, `ai`/`model` → `assistant`);
//! `content` is the text parts joined with "\n", any other part as compact JSON;
//! tool calls keep their arguments as a JSON string (objects are serialized); a tool
//! response becomes role `tool` with `tool_call_id`.

use serde_json::{Map, Value};

use super::values::parse_json_text;
use crate::model::{Message, ToolCall};

/// Lower-cases a role and maps framework spellings to the usual ones.
pub(crate) fn norm_role(role: &str) -> String {
    let r = role.trim().to_ascii_lowercase();
    match r.as_str() {
        "human" => "user".into(),
        "ai" | "model" => "assistant".into(),
        _ => r,
    }
}

/// Text of a JSON value: strings as they are, `null` empty, anything else compact JSON.
pub(crate) fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn str_field<'a>(o: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
}

/// A tool call in any of the usual shapes: GenAI part `{id, name, arguments}`,
/// OpenAI `{id, function: {name, arguments}}`, Anthropic `{id, name, input}`,
/// LangChain `{id, name, args}`.
pub(crate) fn tool_call_from_value(v: &Value) -> Option<ToolCall> {
    let o = v.as_object()?;
    let func = o.get("function").and_then(Value::as_object);
    let name = func
        .and_then(|f| str_field(f, &["name"]))
        .or_else(|| str_field(o, &["name"]))?
        .to_string();
    let args = func
        .and_then(|f| f.get("arguments"))
        .or_else(|| o.get("arguments"))
        .or_else(|| o.get("args"))
        .or_else(|| o.get("input"));
    Some(ToolCall {
        id: str_field(o, &["id", "tool_call_id", "call_id"]).map(str::to_string),
        name,
        arguments: args.map(text_of).unwrap_or_default(),
    })
}

/// Role implied by a LangChain serialized message's class name (`ChatMessage` and
/// unknown classes carry their role in `kwargs`).
fn lc_role(o: &Map<String, Value>) -> Option<String> {
    let class = o.get("id")?.as_array()?.last()?.as_str()?;
    let role = match class.trim_end_matches("Chunk") {
        "HumanMessage" => "user",
        "AIMessage" => "assistant",
        "SystemMessage" => "system",
        "ToolMessage" => "tool",
        "FunctionMessage" => "function",
        _ => return None,
    };
    Some(role.into())
}

const ROLE_TYPES: &[&str] = &[
    "human",
    "ai",
    "system",
    "tool",
    "user",
    "assistant",
    "function",
    "developer",
];

/// One message from a JSON value, or `None` when the value is not message-shaped.
/// A bare string is a message of `default_role`.
pub(crate) fn message_from_value(v: &Value, default_role: &str) -> Option<Message> {
    let o = match v {
        Value::String(s) => {
            return Some(Message {
                role: default_role.into(),
                content: s.clone(),
                ..Default::default()
            });
        }
        Value::Object(o) => o,
        _ => return None,
    };
    // LangChain `messages_to_dict` envelope: {"type": "ai", "data": {...}}
    if let Some(m) = super::langchain_messages::envelope_message(o) {
        return Some(m);
    }
    // LangChain `dumpd` form: {"lc": 1, "type": "constructor", "id": [..., "HumanMessage"], "kwargs": {...}}
    if o.contains_key("lc")
        && let Some(kwargs) = o.get("kwargs")
    {
        let role = lc_role(o).unwrap_or_else(|| default_role.to_string());
        return message_from_value(kwargs, &role);
    }
    let role = str_field(o, &["role"]).map(norm_role).or_else(|| {
        str_field(o, &["type"])
            .filter(|t| ROLE_TYPES.contains(&t.to_ascii_lowercase().as_str()))
            .map(norm_role)
    });
    let has_body = ["parts", "content", "tool_calls", "function_call", "text"]
        .iter()
        .any(|k| o.contains_key(*k));
    if role.is_none() && !has_body {
        return None;
    }
    let mut msg = Message {
        role: role.unwrap_or_else(|| default_role.to_string()),
        ..Default::default()
    };
    if let Some(parts) = o.get("parts") {
        content_into(&mut msg, parts);
    } else if let Some(content) = o.get("content") {
        content_into(&mut msg, content);
    } else if let Some(text) = o.get("text") {
        msg.content = text_of(text);
    }
    let mut calls: Vec<ToolCall> = o
        .get("tool_calls")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(tool_call_from_value).collect())
        .unwrap_or_default();
    if calls.is_empty() {
        calls = o
            .get("additional_kwargs")
            .and_then(|k| k.get("tool_calls"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(tool_call_from_value).collect())
            .unwrap_or_default();
    }
    if let Some(fc) = o.get("function_call").and_then(tool_call_from_value) {
        calls.push(fc);
    }
    msg.tool_calls.extend(calls);
    if msg.tool_call_id.is_none() {
        msg.tool_call_id = str_field(o, &["tool_call_id", "tool_use_id"])
            .or_else(|| {
                (msg.role == "tool")
                    .then(|| str_field(o, &["id"]))
                    .flatten()
            })
            .map(str::to_string);
    }
    Some(msg)
}

/// Fills content, tool calls and tool responses from a `content` / `parts` value.
pub(crate) fn content_into(msg: &mut Message, content: &Value) {
    let Value::Array(parts) = content else {
        msg.content = text_of(content);
        return;
    };
    let mut texts: Vec<String> = Vec::new();
    for part in parts {
        let Some(o) = part.as_object() else {
            texts.push(text_of(part));
            continue;
        };
        let kind = o.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "text" | "input_text" | "output_text" => {
                let t = o.get("content").or_else(|| o.get("text"));
                texts.push(t.map(text_of).unwrap_or_default());
            }
            "tool_call" | "tool_use" | "function_call" => match tool_call_from_value(part) {
                Some(call) => msg.tool_calls.push(call),
                None => texts.push(part.to_string()),
            },
            "tool_call_response" | "tool_result" | "function_call_output" => {
                if msg.tool_call_id.is_none() {
                    msg.tool_call_id =
                        str_field(o, &["id", "tool_use_id", "call_id"]).map(str::to_string);
                }
                let body = o
                    .get("response")
                    .or_else(|| o.get("result"))
                    .or_else(|| o.get("output"))
                    .or_else(|| o.get("content"));
                match body {
                    // Anthropic nests content blocks inside a tool result.
                    Some(Value::Array(_)) => {
                        let mut inner = Message::default();
                        content_into(&mut inner, body.unwrap_or(&Value::Null));
                        texts.push(inner.content);
                    }
                    Some(b) => texts.push(text_of(b)),
                    None => {}
                }
                if msg.role.is_empty() || msg.role == "user" {
                    msg.role = "tool".into();
                }
            }
            _ => texts.push(part.to_string()),
        }
    }
    msg.content = texts.join("\n");
}

/// Messages from a JSON value of any supported shape; empty when none is recognised.
pub(crate) fn messages_from_value(v: &Value, default_role: &str) -> Vec<Message> {
    let mut out = Vec::new();
    collect(v, default_role, &mut out, 0);
    out
}

fn collect(v: &Value, role: &str, out: &mut Vec<Message>, depth: usize) {
    // Wrappers nest a few levels at most; the cap only stops pathological input.
    if depth > 8 {
        return;
    }
    match v {
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Array(pair)
                        if let Some(m) = super::langchain_messages::tuple_message(pair) =>
                    {
                        out.push(m)
                    }
                    Value::Array(_) => collect(item, role, out, depth + 1),
                    Value::Object(o) if is_wrapper(o) => collect(item, role, out, depth + 1),
                    _ => out.extend(message_from_value(item, role)),
                }
            }
        }
        Value::Object(o) => {
            if let Some(m) = o.get("messages") {
                collect(m, role, out, depth + 1);
            } else if let Some(Value::Array(choices)) = o.get("choices") {
                for c in choices {
                    let inner = c.get("message").or_else(|| c.get("delta"));
                    match inner {
                        Some(m) => out.extend(message_from_value(m, "assistant")),
                        None => out.extend(
                            c.get("text")
                                .and_then(|t| message_from_value(t, "assistant")),
                        ),
                    }
                }
            } else if let Some(gens) = o.get("generations") {
                collect_generations(gens, out, depth + 1);
            } else {
                out.extend(message_from_value(v, role));
            }
        }
        Value::String(_) => out.extend(message_from_value(v, role)),
        _ => {}
    }
}

fn is_wrapper(o: &Map<String, Value>) -> bool {
    !o.contains_key("role")
        && (o.contains_key("messages")
            || o.contains_key("choices")
            || o.contains_key("generations"))
}

/// LangChain LLM results: `[[{"text": ..., "message": {...}}]]`.
fn collect_generations(v: &Value, out: &mut Vec<Message>, depth: usize) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Array(items) => {
            for item in items {
                collect_generations(item, out, depth + 1);
            }
        }
        Value::Object(o) => {
            let msg = o
                .get("message")
                .and_then(|m| message_from_value(m, "assistant"))
                .or_else(|| {
                    o.get("text")
                        .and_then(|t| message_from_value(t, "assistant"))
                });
            out.extend(msg);
        }
        _ => {}
    }
}

/// Messages from an attribute's text: JSON in a supported shape, or `None` when the
/// text is prose or JSON of another shape (the caller may then show it as it is).
pub(crate) fn messages_from_text(text: &str, default_role: &str) -> Option<Vec<Message>> {
    let v = parse_json_text(text)?;
    let msgs = messages_from_value(&v, default_role);
    (!msgs.is_empty()).then_some(msgs)
}

/// A single message holding `text` as it is (fallback for unstructured input/output).
pub(crate) fn plain_message(role: &str, text: String) -> Message {
    Message {
        role: role.into(),
        content: text,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn genai_parts_become_text_tool_calls_and_tool_responses() {
        let v = json!([
            {"role": "User", "parts": [{"type": "text", "content": "a"}, {"type": "text", "content": "b"},
                                        {"type": "uri", "uri": "http://x"}]},
            {"role": "assistant", "parts": [{"type": "tool_call", "id": "c1", "name": "f", "arguments": {"x": 1}}]},
            {"role": "tool", "parts": [{"type": "tool_call_response", "id": "c1", "response": "42"}]}
        ]);
        let m = messages_from_value(&v, "user");
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].role, "user");
        assert_eq!(
            m[0].content,
            "a\nb\n{\"type\":\"uri\",\"uri\":\"http://x\"}"
        );
        assert_eq!(m[1].tool_calls[0].name, "f");
        assert_eq!(m[1].tool_calls[0].id.as_deref(), Some("c1"));
        assert_eq!(m[1].tool_calls[0].arguments, r#"{"x":1}"#);
        assert_eq!(m[2].role, "tool");
        assert_eq!(m[2].tool_call_id.as_deref(), Some("c1"));
        assert_eq!(m[2].content, "42");
    }

    #[test]
    fn openai_request_and_response_shapes() {
        let req = json!({"model": "m", "messages": [
            {"role": "system", "content": "s"},
            {"role": "assistant", "content": null,
             "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c", "content": "r"}
        ]});
        let m = messages_from_value(&req, "user");
        assert_eq!(m.len(), 3);
        assert_eq!(m[1].content, "");
        assert_eq!(m[1].tool_calls[0].arguments, "{}");
        assert_eq!(m[2].tool_call_id.as_deref(), Some("c"));
        let resp =
            json!({"id": "x", "choices": [{"message": {"role": "assistant", "content": "hi"}}]});
        let m = messages_from_value(&resp, "user");
        assert_eq!(
            (m[0].role.as_str(), m[0].content.as_str()),
            ("assistant", "hi")
        );
    }

    #[test]
    fn langchain_serialized_and_generations() {
        let inputs = json!({"messages": [[
            {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "SystemMessage"],
             "kwargs": {"content": "be brief"}},
            {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "HumanMessage"],
             "kwargs": {"content": "hello", "type": "human"}}
        ]]});
        let m = messages_from_value(&inputs, "user");
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].role.as_str(), m[0].content.as_str()),
            ("system", "be brief")
        );
        assert_eq!(m[1].role, "user");
        let outputs = json!({"generations": [[{"text": "yo", "message": {"lc": 1, "type": "constructor",
            "id": ["langchain", "schema", "messages", "AIMessage"],
            "kwargs": {"content": "yo", "tool_calls": [{"name": "f", "args": {"a": 1}, "id": "t1"}]}}}]]});
        let m = messages_from_value(&outputs, "assistant");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].role, "assistant");
        assert_eq!(m[0].tool_calls[0].arguments, r#"{"a":1}"#);
    }

    #[test]
    fn anthropic_blocks_and_prose() {
        let v = json!([{"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "tu", "content": [{"type": "text", "text": "ok"}]}
        ]}, {"role": "assistant", "content": [{"type": "tool_use", "id": "tu", "name": "g", "input": {"q": "x"}}]}]);
        let m = messages_from_value(&v, "user");
        assert_eq!(m[0].role, "tool");
        assert_eq!(m[0].tool_call_id.as_deref(), Some("tu"));
        assert_eq!(m[0].content, "ok");
        assert_eq!(m[1].tool_calls[0].arguments, r#"{"q":"x"}"#);
        assert!(messages_from_text("just words", "user").is_none());
        assert!(messages_from_text(r#"{"question": 1}"#, "user").is_none());
    }
}
