//! LangChain / LangGraph message shapes as OpenInference's LangChain instrumentation
//! writes them into `input.value` / `output.value`:
//!
//! - the `messages_to_dict` envelope `{"type": "ai|human|tool|system", "data":
//!   {"content", "tool_calls", "tool_call_id", ...}}`, bare, in a list, or inside
//!   LangGraph state `{"messages": [...]}`;
//! - the tuple shorthand `["user", "text"]` (`("user", "text")` in Python);
//! - a tool span's output: the `ToolMessage` envelope, whose result is its content and
//!   whose call id is its `tool_call_id`.
//!
//! `messages.rs` calls [`envelope`] and [`tuple_message`] while walking any value;
//! `openinference.rs` calls [`tool_result`] for tool spans.

use serde_json::{Map, Value};

use super::messages::{message_from_value, norm_role, text_of};
use super::values::parse_json_text;
use crate::model::Message;

/// Message types LangChain writes in an envelope's `type`.
const ENVELOPE_TYPES: &[&str] = &[
    "human",
    "ai",
    "system",
    "tool",
    "function",
    "chat",
    "AIMessageChunk",
    "developer",
];

/// The role and `data` of a `{"type": ..., "data": {...}}` envelope.
pub(crate) fn envelope(o: &Map<String, Value>) -> Option<(String, &Value)> {
    let data = o.get("data").filter(|d| d.is_object())?;
    let kind = o.get("type")?.as_str()?;
    if !ENVELOPE_TYPES.contains(&kind) {
        return None;
    }
    // `chat` messages carry their own role.
    let role = match kind {
        "chat" => data.get("role").and_then(Value::as_str).unwrap_or("user"),
        "AIMessageChunk" => "ai",
        k => k,
    };
    Some((norm_role(role), data))
}

/// The message of an envelope, with its text, tool calls and tool call id.
pub(crate) fn envelope_message(o: &Map<String, Value>) -> Option<Message> {
    let (role, data) = envelope(o)?;
    let mut m = message_from_value(data, &role)?;
    m.role = role;
    Some(m)
}

/// `["user", "text"]`: a two-item list of a known role and a string.
pub(crate) fn tuple_message(items: &[Value]) -> Option<Message> {
    let [Value::String(role), content] = items else {
        return None;
    };
    let role = norm_role(role);
    if !matches!(
        role.as_str(),
        "user" | "assistant" | "system" | "tool" | "developer"
    ) || !content.is_string()
    {
        return None;
    }
    Some(Message {
        role,
        content: text_of(content),
        ..Default::default()
    })
}

/// A tool span's result from its output text: the content of a `ToolMessage`
/// envelope (bare or as the one message of `{"messages": [...]}`) and its call id;
/// `None` when the output is not such an envelope.
pub(crate) fn tool_result(output: &str) -> Option<(String, Option<String>)> {
    let v = parse_json_text(output)?;
    let o = v.as_object()?;
    let o = match o.get("messages").and_then(Value::as_array) {
        Some(list) if list.len() == 1 => list[0].as_object()?,
        Some(_) => return None,
        None => o,
    };
    let m = envelope_message(o)?;
    (m.role == "tool").then_some((m.content, m.tool_call_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::messages::messages_from_text;

    #[test]
    fn langgraph_state_messages_read_like_the_conversation() {
        let state = r#"{"messages": [
            {"type": "human", "data": {"content": "Weather in Paris?", "type": "human", "id": "m1"}},
            {"type": "ai", "data": {"content": "", "type": "ai", "tool_calls": [
                {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}]}},
            {"type": "tool", "data": {"content": "{\"temp_c\": 21}", "type": "tool",
                "name": "get_weather", "id": null, "tool_call_id": "call_1"}},
            {"type": "ai", "data": {"content": "It is 21 °C.", "type": "ai", "tool_calls": []}}
        ], "remaining_steps": 9}"#;
        let msgs = messages_from_text(state, "user").unwrap();
        let roles: Vec<&str> = msgs.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(roles, ["user", "assistant", "tool", "assistant"]);
        assert_eq!(msgs[0].content, "Weather in Paris?");
        assert_eq!(msgs[1].tool_calls[0].name, "get_weather");
        assert_eq!(msgs[1].tool_calls[0].id.as_deref(), Some("call_1"));
        assert_eq!(msgs[1].tool_calls[0].arguments, r#"{"city":"Paris"}"#);
        assert_eq!(msgs[2].content, r#"{"temp_c": 21}"#);
        assert_eq!(msgs[2].tool_call_id.as_deref(), Some("call_1"));
        assert_eq!(msgs[3].content, "It is 21 °C.");
    }

    #[test]
    fn bare_and_listed_envelopes_and_tuples() {
        let bare = r#"{"type": "ai", "data": {"content": "hello", "type": "ai"}}"#;
        let m = messages_from_text(bare, "user").unwrap();
        assert_eq!(
            (m[0].role.as_str(), m[0].content.as_str()),
            ("assistant", "hello")
        );
        let list = r#"[{"type": "system", "data": {"content": "be brief"}},
                       {"type": "human", "data": {"content": "hi"}}]"#;
        let m = messages_from_text(list, "user").unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].role.as_str(), m[0].content.as_str()),
            ("system", "be brief")
        );
        let tuples = r#"{"messages": [["user", "What is the weather in Paris?"]]}"#;
        let m = messages_from_text(tuples, "user").unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].role, "user");
        assert_eq!(m[0].content, "What is the weather in Paris?");
    }

    #[test]
    fn a_tool_message_envelope_is_the_tools_result_and_call_id() {
        let out = r#"{"type": "tool", "data": {"content": "{\"temp_c\": 21}", "type": "tool",
            "name": "get_weather", "tool_call_id": "call_1", "status": "success"}}"#;
        assert_eq!(
            tool_result(out),
            Some((r#"{"temp_c": 21}"#.to_string(), Some("call_1".to_string())))
        );
        let wrapped = format!(r#"{{"messages": [{out}]}}"#);
        assert_eq!(tool_result(&wrapped).unwrap().1.as_deref(), Some("call_1"));
        assert_eq!(tool_result("21 degrees"), None);
        assert_eq!(
            tool_result(r#"{"type": "ai", "data": {"content": "x"}}"#),
            None
        );
    }
}
