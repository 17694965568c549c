//! Text output of `traces` and `trace`: the markers the TUI shows.

use serde_json::json;

use super::*;

#[test]
fn traces_table_marks_retried_fallen_back_degraded_and_failed_roots() {
    let row = |flags: serde_json::Value| {
        let mut t = json!({
            "trace_id": "ab", "root_name": "summarize", "service": "svc",
            "start_unix_nano": 0, "duration_ms": 1.0, "span_count": 3,
            "error_count": 1, "llm_calls": 2, "input_tokens": 1, "output_tokens": 1,
            "cost_usd": 1.6e-7,
        });
        for (k, v) in flags.as_object().unwrap() {
            t[k] = v.clone();
        }
        traces_table(&json!([t]))
            .lines()
            .nth(1)
            .unwrap()
            .to_string()
    };
    let r = row(json!({"retried": true, "degraded": true}));
    assert!(r.contains("↻◐ summarize"), "{r}");
    let r = row(json!({"fell_back": true, "root_failed": true}));
    assert!(r.contains("⤳✗ summarize"), "{r}");
    let r = row(json!({"retried": false}));
    assert!(r.contains("  summarize"), "{r}");
    assert!(
        r.ends_with("$1.6e-7"),
        "a sub-micro-dollar cost keeps its digits: {r}"
    );
}

#[test]
fn trace_tree_marks_failed_spans_and_retry_attempts() {
    let trace = json!({
        "trace_id": "ab",
        "summary": {"service": "svc", "llm_calls": 2, "retried": true, "root_failed": true},
        "spans": [
            {"span_id": "1", "name": "summarize", "status": {"code": "error", "message": "gave up"}},
            {"span_id": "2", "parent_span_id": "1", "name": "chat gpt-4o",
             "status": {"code": "error", "message": "429"}, "chain_mark": "↻1/2"},
            {"span_id": "3", "parent_span_id": "1", "name": "chat gpt-4o",
             "status": {"code": "ok"}, "chain_mark": "↻2/2 +500ms"},
        ],
    });
    let t = trace_tree(&trace);
    let lines: Vec<&str> = t.lines().collect();
    assert!(lines[0].starts_with("trace ↻✗ ab"), "{t}");
    assert!(lines[1].starts_with("✗ summarize"), "{t}");
    assert!(lines[2].contains("✗ ↻1/2 chat gpt-4o"), "{t}");
    assert!(lines[3].contains("└─ ↻2/2 +500ms chat gpt-4o"), "{t}");
}

#[test]
fn trace_details_name_the_agent_and_the_prompt_template() {
    let trace = json!({
        "trace_id": "ab",
        "summary": {"service": "svc"},
        "spans": [{
            "span_id": "1", "name": "chat", "status": {"code": "ok"},
            "attributes": {
                "gen_ai.agent.name": "weather-agent",
                "llm.prompt_template.template": "Weather in {city}?",
                "llm.prompt_template.variables": "{\"city\": \"Paris\"}",
            },
            "llm": {"kind": "chat", "input_messages": [], "output_messages": []},
        }],
    });
    let t = trace_tree(&trace);
    assert!(t.contains("agent: weather-agent"), "{t}");
    assert!(t.contains("template: Weather in {city}?"), "{t}");
    assert!(t.contains(r#"variables: {"city": "Paris"}"#), "{t}");
}
