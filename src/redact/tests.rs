//! Redaction as a user relies on it: secrets never reach the store, ordinary text is
//! untouched, counts are right, `--no-content` keeps tokens and cost.

use super::*;
use crate::model::{
    LlmFacet, LlmKind, Message, SpanEvent, SpanId, SpanKind, Status, StatusCode, ToolCall, TraceId,
};

fn s(v: &str) -> AttrValue {
    AttrValue::Str(v.into())
}

fn span_with(attrs: &[(&str, AttrValue)]) -> Span {
    Span {
        trace_id: TraceId([1; 16]),
        span_id: SpanId([2; 8]),
        parent_span_id: None,
        name: "chat gpt-4o-mini".into(),
        service: "svc".into(),
        kind: SpanKind::Client,
        start_unix_nano: 1,
        end_unix_nano: 2,
        status: Status {
            code: StatusCode::Unset,
            message: String::new(),
        },
        attributes: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        resource: Attributes::new(),
        scope: String::new(),
        events: vec![],
        session: None,
        project: None,
        llm: None,
    }
}

#[test]
fn each_builtin_secret_is_masked_with_its_rule_name() {
    let r = Redactor::builtin();
    let cases = [
        (
            "key sk-proj-abcdefghijklmnopqrstuvwxyz012345 here",
            "openai_key",
        ),
        (
            "sk-ant-api03-abcdefghijklmnopqrstuvwxyz-0123",
            "anthropic_key",
        ),
        (
            "Authorization: Bearer abcdef0123456789abcdef",
            "bearer_token",
        ),
        ("id AKIAIOSFODNN7EXAMPLE used", "aws_access_key"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_key",
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----",
            "private_key",
        ),
        (
            "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "jwt",
        ),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github_token"),
    ];
    for (input, rule) in cases {
        let mut text = input.to_string();
        let n = r.redact_text(&mut text);
        assert!(n >= 1, "{input:?} not masked");
        assert!(
            text.contains(&format!("[REDACTED:{rule}]")),
            "{input:?} → {text:?}"
        );
        assert!(!text.contains("abcdefghijklmnop"), "{text:?}");
    }
}

#[test]
fn ordinary_text_and_opt_in_rules_are_left_alone_by_default() {
    let r = Redactor::builtin();
    for input in [
        "The weather in Paris is sunny, 21°C.",
        "Call me at +1 415 555 0100 or mail a@example.com",
        "task-ask-skill",
        "bearer of bad news",
    ] {
        let mut text = input.to_string();
        assert_eq!(r.redact_text(&mut text), 0, "{input}");
        assert_eq!(text, input);
    }
    let cfg = RedactionConfig {
        emails: true,
        phones: true,
        ..Default::default()
    };
    let r = Redactor::new(&cfg, false).unwrap();
    let mut text = "Call me at +1 415 555 0100 or mail a.b@example.com".to_string();
    assert_eq!(r.redact_text(&mut text), 2, "{text}");
    assert_eq!(text, "Call me at [REDACTED:phone] or mail [REDACTED:email]");
}

#[test]
fn a_span_is_masked_everywhere_and_counts_its_masks() {
    let r = Redactor::builtin();
    let mut sp = span_with(&[
        ("http.request.header.authorization", s("Basic dXNlcjpwYXNz")),
        ("gen_ai.usage.input_tokens", AttrValue::Int(12)),
        ("app.note", s("uses sk-abcdefghijklmnopqrstuvwxyz")),
    ]);
    sp.events.push(SpanEvent {
        name: "log".into(),
        time_unix_nano: 1,
        attributes: [("k".to_string(), s("AKIAIOSFODNN7EXAMPLE"))].into(),
    });
    let mut llm = LlmFacet::new(LlmKind::Chat);
    llm.input_tokens = Some(12);
    llm.cost_usd = Some(0.5);
    llm.input_messages.push(Message {
        role: "user".into(),
        content: "my key is sk-ant-abcdefghijklmnopqrstuvwxyz".into(),
        tool_calls: vec![ToolCall {
            id: None,
            name: "login".into(),
            arguments: r#"{"token":"Bearer abcdefghijklmnop1234"}"#.into(),
        }],
        tool_call_id: None,
    });
    sp.llm = Some(llm);
    assert_eq!(r.apply_span(&mut sp), 5);
    assert_eq!(
        sp.attributes["http.request.header.authorization"],
        s("[REDACTED:key]")
    );
    assert_eq!(
        sp.attributes["gen_ai.usage.input_tokens"],
        AttrValue::Int(12)
    );
    assert_eq!(sp.attributes[REDACTIONS_ATTR], AttrValue::Int(5));
    let llm = sp.llm.as_ref().unwrap();
    assert_eq!(
        llm.input_messages[0].content,
        "my key is [REDACTED:anthropic_key]"
    );
    assert!(
        llm.input_messages[0].tool_calls[0]
            .arguments
            .contains("[REDACTED:bearer_token]")
    );
    // Applying twice (an exporter retry) masks nothing more.
    assert_eq!(r.apply_span(&mut sp), 0);
    assert_eq!(sp.attributes[REDACTIONS_ATTR], AttrValue::Int(5));
}

#[test]
fn configured_keys_and_patterns_apply_and_a_bad_pattern_is_refused() {
    let cfg = RedactionConfig {
        keys: vec!["app.customer.*".into()],
        patterns: vec![r"ACCT-\d{6}".into()],
        ..Default::default()
    };
    let r = Redactor::new(&cfg, false).unwrap();
    let mut sp = span_with(&[
        ("app.customer.name", s("Ada Lovelace")),
        ("app.note", s("account ACCT-123456 closed")),
    ]);
    assert_eq!(r.apply_span(&mut sp), 2);
    assert_eq!(sp.attributes["app.customer.name"], s("[REDACTED:key]"));
    assert_eq!(
        sp.attributes["app.note"],
        s("account [REDACTED:pattern_1] closed")
    );
    let bad = RedactionConfig {
        patterns: vec!["(unclosed".into()],
        ..Default::default()
    };
    let err = Redactor::new(&bad, false).unwrap_err().to_string();
    assert!(err.contains("(unclosed"), "{err}");
}

#[test]
fn no_content_drops_prompts_and_completions_but_keeps_tokens_and_cost() {
    let r = Redactor::new(&RedactionConfig::default(), true).unwrap();
    let mut sp = span_with(&[
        ("gen_ai.prompt.0.content", s("secret plans")),
        ("gen_ai.completion.0.content", s("the answer")),
        ("input.value", s("question")),
        ("gen_ai.usage.input_tokens", AttrValue::Int(7)),
        ("gen_ai.request.model", s("gpt-4o-mini")),
        ("exception.message", s("boom")),
    ]);
    let mut llm = LlmFacet::new(LlmKind::Chat);
    llm.input_tokens = Some(7);
    llm.output_tokens = Some(3);
    llm.cost_usd = Some(0.25);
    llm.output_messages.push(Message {
        role: "assistant".into(),
        content: "the answer".into(),
        tool_calls: vec![],
        tool_call_id: None,
    });
    sp.llm = Some(llm);
    r.apply_span(&mut sp);
    let keys: Vec<&str> = sp.attributes.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "exception.message",
            "gen_ai.request.model",
            "gen_ai.usage.input_tokens",
            CONTENT_DROPPED_ATTR
        ]
    );
    let llm = sp.llm.as_ref().unwrap();
    assert_eq!(llm.output_messages[0].content, "");
    assert_eq!(llm.output_messages[0].role, "assistant");
    assert_eq!((llm.input_tokens, llm.output_tokens), (Some(7), Some(3)));
    assert_eq!(llm.cost_usd, Some(0.25));

    let mut log = LogRecord {
        trace_id: None,
        span_id: None,
        time_unix_nano: 1,
        observed_time_unix_nano: 1,
        severity_number: 9,
        severity_text: String::new(),
        event_name: Some("gen_ai.user.message".into()),
        body: s("hello with my secrets"),
        attributes: [("gen_ai.system".to_string(), s("openai"))].into(),
        service: "svc".into(),
    };
    r.apply_log(&mut log);
    assert_eq!(log.body, AttrValue::Empty);
    assert_eq!(log.attributes["gen_ai.system"], s("openai"));
}
