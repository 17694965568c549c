//! Unit tests of `vercel_ai.rs`: one per attribute shape the AI SDK emits.

use super::*;
use crate::normalize::test_util::{attrs, s};

fn facet_of(kind: LlmKind, a: &Attributes) -> LlmFacet {
    let mut f = LlmFacet::new(kind);
    extract(&mut f, a);
    f
}

#[test]
fn operation_ids_give_agent_call_embedding_chain_and_tool() {
    let k = |op: &str| kind(&attrs(&[(OPERATION, s(op))])).map(|k| k.0);
    assert_eq!(k("ai.generateText"), Some(LlmKind::Agent));
    assert_eq!(k("ai.streamText"), Some(LlmKind::Agent));
    assert_eq!(k("ai.generateObject"), Some(LlmKind::Agent));
    assert_eq!(k("ai.generateText.doGenerate"), Some(LlmKind::Chat));
    assert_eq!(k("ai.streamText.doStream"), Some(LlmKind::Chat));
    assert_eq!(k("ai.generateObject.doGenerate"), Some(LlmKind::Chat));
    assert_eq!(k("ai.embed.doEmbed"), Some(LlmKind::Embedding));
    assert_eq!(k("ai.embedMany.doEmbed"), Some(LlmKind::Embedding));
    assert_eq!(k("ai.embed"), Some(LlmKind::Chain));
    assert_eq!(k("ai.toolCall"), Some(LlmKind::Tool));
    assert_eq!(k("something.else"), None);
    assert_eq!(kind(&attrs(&[("ai.model.id", s("gpt-4o"))])), None);
}

#[test]
fn provider_ids_name_the_provider_not_the_api() {
    assert_eq!(provider_of("openai.chat"), "openai");
    assert_eq!(provider_of("openai.responses"), "openai");
    assert_eq!(provider_of("Azure.chat"), "azure");
    assert_eq!(provider_of("anthropic"), "anthropic");
    let f = facet_of(
        LlmKind::Chat,
        &attrs(&[
            (OPERATION, s("ai.generateText.doGenerate")),
            ("gen_ai.system", s("azure.responses")),
        ]),
    );
    assert_eq!(f.provider.as_deref(), Some("azure"));
}

#[test]
fn model_call_usage_with_cache_reads_and_tool_call_history() {
    let messages = r#"[{"role":"system","content":"Be brief."},
        {"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},
        {"role":"assistant","content":[{"type":"tool-call","toolCallId":"c1","toolName":"get_weather","input":{"city":"Paris"}}]},
        {"role":"tool","content":[{"type":"tool-result","toolCallId":"c1","toolName":"get_weather","output":{"type":"json","value":{"temp_c":21}}}]}]"#;
    let a = attrs(&[
        (OPERATION, s("ai.generateText.doGenerate")),
        ("ai.model.provider", s("openai.chat")),
        ("ai.model.id", s("gpt-4o-mini")),
        ("ai.response.model", s("gpt-4o-mini-2024-07-18")),
        ("ai.response.id", s("chatcmpl-1")),
        ("ai.response.finishReason", s("stop")),
        ("ai.prompt.messages", s(messages)),
        ("ai.response.text", s("21 degrees.")),
        ("ai.usage.inputTokens", AttrValue::Int(42)),
        ("ai.usage.outputTokens", AttrValue::Int(17)),
        (
            "ai.usage.inputTokenDetails.cacheReadTokens",
            AttrValue::Int(10),
        ),
        ("ai.usage.cachedInputTokens", AttrValue::Int(10)),
        ("ai.usage.reasoningTokens", AttrValue::Int(0)),
    ]);
    let f = facet_of(LlmKind::Chat, &a);
    assert_eq!(f.provider.as_deref(), Some("openai"));
    assert_eq!(f.request_model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(f.response_model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(f.response_id.as_deref(), Some("chatcmpl-1"));
    assert_eq!(f.finish_reasons, vec!["stop"]);
    assert_eq!((f.input_tokens, f.output_tokens), (Some(42), Some(17)));
    assert_eq!(f.cache_read_tokens, Some(10));
    let roles: Vec<&str> = f.input_messages.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(roles, ["system", "user", "assistant", "tool"]);
    assert_eq!(f.input_messages[1].content, "Weather in Paris?");
    let call = &f.input_messages[2].tool_calls[0];
    assert_eq!(
        (
            call.id.as_deref(),
            call.name.as_str(),
            call.arguments.as_str()
        ),
        (Some("c1"), "get_weather", r#"{"city":"Paris"}"#)
    );
    assert_eq!(f.input_messages[3].tool_call_id.as_deref(), Some("c1"));
    assert_eq!(f.input_messages[3].content, r#"{"temp_c":21}"#);
    assert_eq!(f.output_messages[0].content, "21 degrees.");
}

#[test]
fn older_part_and_usage_names() {
    let messages = r#"[{"role":"assistant","content":[{"type":"tool-call","toolCallId":"c2","toolName":"lookup","args":{"q":"x"}}]},
        {"role":"tool","content":[{"type":"tool-result","toolCallId":"c2","toolName":"lookup","result":"found"}]},
        {"role":"user","content":[{"type":"image","image":"AAAA","mediaType":"image/png"},
                                  {"type":"file","data":"BBBB","mediaType":"application/pdf","filename":"a.pdf"}]}]"#;
    let a = attrs(&[
        (OPERATION, s("ai.generateObject.doGenerate")),
        ("ai.prompt.messages", s(messages)),
        ("ai.response.object", s(r#"{"city":"Paris"}"#)),
        ("ai.usage.promptTokens", AttrValue::Int(42)),
        ("ai.usage.completionTokens", AttrValue::Int(17)),
    ]);
    let f = facet_of(LlmKind::Chat, &a);
    assert_eq!((f.input_tokens, f.output_tokens), (Some(42), Some(17)));
    assert_eq!(f.cache_read_tokens, None);
    assert_eq!(f.input_messages[0].tool_calls[0].arguments, r#"{"q":"x"}"#);
    assert_eq!(f.input_messages[1].content, "found");
    assert_eq!(
        f.input_messages[2].content, "[image: image/png]\n[file a.pdf: application/pdf]",
        "media is named, its bytes are not shown"
    );
    assert_eq!(f.output_messages[0].content, r#"{"city":"Paris"}"#);
}

#[test]
fn outer_call_reads_its_prompt_and_response_tool_calls() {
    let a = attrs(&[
        (OPERATION, s("ai.generateText")),
        (
            "ai.prompt",
            s(r#"{"system":"Be brief.","prompt":"Weather in Paris?"}"#),
        ),
        (
            "ai.response.toolCalls",
            s(r#"[{"toolCallId":"c1","toolName":"get_weather","input":"{\"city\": \"Paris\"}"}]"#),
        ),
        ("ai.usage.inputTokens", AttrValue::Int(84)),
        ("ai.usage.outputTokens", AttrValue::Int(34)),
    ]);
    let f = facet_of(LlmKind::Agent, &a);
    assert_eq!(f.input_messages.len(), 2);
    assert_eq!(f.input_messages[0].role, "system");
    assert_eq!(f.input_messages[1].content, "Weather in Paris?");
    let out = &f.output_messages[0];
    assert_eq!(out.content, "");
    assert_eq!(out.tool_calls[0].arguments, r#"{"city": "Paris"}"#);
    assert_eq!(
        f.input_tokens,
        Some(84),
        "the aggregate is shown on the agent"
    );

    let with_messages = attrs(&[
        (OPERATION, s("ai.generateText")),
        (
            "ai.prompt",
            s(r#"{"system":"S","messages":[{"role":"user","content":"hi"}]}"#),
        ),
    ]);
    let f = facet_of(LlmKind::Agent, &with_messages);
    assert_eq!(f.input_messages.len(), 2);
    assert_eq!(f.input_messages[1].content, "hi");
}

#[test]
fn embedding_call_inputs_and_tokens_without_an_output_side() {
    let a = attrs(&[
        (OPERATION, s("ai.embedMany.doEmbed")),
        ("ai.model.provider", s("openai.embedding")),
        ("ai.model.id", s("text-embedding-3-small")),
        (
            "ai.values",
            AttrValue::Array(vec![s(r#""rain""#), s(r#""snow""#)]),
        ),
        ("ai.usage.tokens", AttrValue::Int(16)),
    ]);
    let f = facet_of(LlmKind::Embedding, &a);
    assert_eq!((f.input_tokens, f.output_tokens), (Some(16), None));
    assert_eq!(f.provider.as_deref(), Some("openai"));
    let texts: Vec<&str> = f
        .input_messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(texts, ["rain", "snow"]);
    let one = attrs(&[(OPERATION, s("ai.embed")), ("ai.value", s(r#""sunny""#))]);
    assert_eq!(
        facet_of(LlmKind::Chain, &one).input_messages[0].content,
        "sunny"
    );
}

#[test]
fn tool_call_span_fills_the_tool() {
    let a = attrs(&[
        (OPERATION, s("ai.toolCall")),
        ("ai.toolCall.name", s("get_weather")),
        ("ai.toolCall.id", s("call_1")),
        ("ai.toolCall.args", s(r#"{"city":"Paris"}"#)),
        ("ai.toolCall.result", s(r#"{"temp_c":21}"#)),
    ]);
    let f = facet_of(LlmKind::Tool, &a);
    let t = f.tool.unwrap();
    assert_eq!(t.name, "get_weather");
    assert_eq!(t.call_id.as_deref(), Some("call_1"));
    assert_eq!(t.arguments.as_deref(), Some(r#"{"city":"Paris"}"#));
    assert_eq!(t.result.as_deref(), Some(r#"{"temp_c":21}"#));
    assert!(f.input_messages.is_empty());
}

#[test]
fn junk_values_are_ignored() {
    let a = attrs(&[
        (OPERATION, s("ai.generateText.doGenerate")),
        ("ai.prompt.messages", s("not json [")),
        ("ai.response.toolCalls", s(r#"[{"toolName": 3}, 7]"#)),
        ("ai.usage.inputTokens", s("many")),
    ]);
    let f = facet_of(LlmKind::Chat, &a);
    assert!(f.input_messages.is_empty());
    assert!(f.output_messages.is_empty());
    assert_eq!(f.input_tokens, None);
    let none = facet_of(LlmKind::Chat, &attrs(&[("ai.model.id", s("m"))]));
    assert_eq!(none.request_model, None, "only spans with ai.operationId");
}
