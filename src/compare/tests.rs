//! Matching, deltas, message diffs and the first divergence on hand-built runs of
//! one agent: same steps, a different tool, a fallback to another model, a retried
//! call, traces from different services, and an extra step.

use super::*;
use crate::model::{AttrValue, Span};
use crate::trace_analysis::test_spans::*;

/// A weather-agent run: agent → chat (asks for `tool`) → tool → chat (answers).
fn run(tool_name: &str, answer_model: &str, answer_ms: u64, answer: &str) -> Vec<Span> {
    vec![
        agent(1, None, "weather-agent", 0, 600 + answer_ms),
        chat(
            2,
            1,
            "gpt-4o-mini",
            10,
            290,
            (120, 16),
            "Weather in Lisbon?",
            "",
            &[tool_name],
        ),
        tool(3, 1, tool_name, 300, 200),
        chat(
            4,
            1,
            answer_model,
            510,
            answer_ms,
            (200, 40),
            "Weather in Lisbon?",
            answer,
            &[],
        ),
    ]
}

fn sides(c: &TraceComparison) -> Vec<(usize, RowSide, String)> {
    c.rows
        .iter()
        .map(|r| (r.depth, r.side, r.name().to_string()))
        .collect()
}

#[test]
fn identical_runs_match_every_span_and_do_not_diverge() {
    let a = run("get_weather", "gpt-4o-mini", 400, "Sunny, 21°C.");
    let b = run("get_weather", "gpt-4o-mini", 900, "Sunny, 21°C.");
    let c = compare_traces(tid(1), &a, tid(2), &b);
    assert_eq!(c.counts(), (4, 0, 0));
    assert_eq!(c.divergence, None);
    let answer = &c.rows[3];
    let d = answer.delta.as_ref().expect("matched");
    assert_eq!(d.duration_ms, 500.0);
    assert_eq!(d.tokens, 0);
    assert!(answer.llm.as_ref().is_some_and(LlmDiff::is_same));
    assert_eq!(c.b.duration_ms - c.a.duration_ms, 500.0);
}

#[test]
fn a_different_tool_is_paired_by_kind_and_is_the_divergence() {
    let a = run("get_weather", "gpt-4o-mini", 400, "Sunny.");
    let b = run("get_forecast", "gpt-4o-mini", 400, "Rain tomorrow.");
    let c = compare_traces(tid(1), &a, tid(2), &b);
    assert_eq!(c.counts(), (4, 0, 0), "the two tools are one row");
    let d = c.divergence.as_ref().expect("diverges");
    // The first chat already asked for another tool: its answer's tool call differs.
    assert_eq!(d.row, 2);
    assert_eq!(
        d.reason,
        DivergenceReason::DifferentTool {
            a: "get_weather".into(),
            b: "get_forecast".into()
        }
    );
    let first_chat = c.rows[1].llm.as_ref().expect("model call diff");
    assert_eq!(first_chat.messages.len(), 1);
    assert_eq!(first_chat.messages[0].section, MessageSection::ToolCall);
    let answer = c.rows[3].llm.as_ref().expect("model call diff");
    let changed = &answer.messages;
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0].section, MessageSection::Answer);
    assert_eq!(changed[0].a.as_deref(), Some("Sunny."));
    assert_eq!(changed[0].b.as_deref(), Some("Rain tomorrow."));
}

#[test]
fn a_fallback_to_another_model_matches_by_operation_and_shows_the_model_change() {
    let a = run("get_weather", "gpt-4o-mini", 400, "Sunny.");
    let mut b = run("get_weather", "gpt-4o-mini", 400, "Sunny.");
    // B's answer: gpt-4o-mini hit a rate limit, claude answered.
    b[3] = failed(
        chat(
            4,
            1,
            "gpt-4o-mini",
            510,
            50,
            (0, 0),
            "Weather in Lisbon?",
            "",
            &[],
        ),
        "429 rate limited",
    );
    b.push(chat(
        5,
        1,
        "claude-3-5-haiku",
        570,
        500,
        (210, 44),
        "Weather in Lisbon?",
        "Sunny.",
        &[],
    ));
    b[0].end_unix_nano += 200 * MS;
    let c = compare_traces(tid(1), &a, tid(2), &b);
    assert_eq!(
        sides(&c)[3..],
        [
            (1, RowSide::OnlyB, "chat gpt-4o-mini".to_string()),
            (1, RowSide::Both, "chat claude-3-5-haiku".to_string()),
        ]
    );
    let d = c.divergence.as_ref().expect("diverges");
    assert_eq!(d.row, 3, "the failed attempt comes first");
    assert_eq!(
        d.reason,
        DivergenceReason::Error {
            in_a: false,
            in_b: true
        }
    );
    let model_row = &c.rows[4];
    assert!(matches!(
        model_row.divergence(),
        Some(DivergenceReason::DifferentModel { .. })
    ));
    let diff = model_row.llm.as_ref().expect("diff");
    assert_eq!(diff.model_a.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(diff.model_b.as_deref(), Some("claude-3-5-haiku-2024-07-18"));
}

#[test]
fn a_retried_call_matches_the_attempt_that_worked() {
    let a = run("get_weather", "gpt-4o-mini", 400, "Sunny.");
    let mut b = a.clone();
    b.insert(
        1,
        failed(
            chat(
                9,
                1,
                "gpt-4o-mini",
                5,
                3,
                (0, 0),
                "Weather in Lisbon?",
                "",
                &[],
            ),
            "429",
        ),
    );
    let c = compare_traces(tid(1), &a, tid(2), &b);
    assert_eq!(c.counts(), (4, 0, 1));
    assert_eq!(c.rows[1].side, RowSide::OnlyB);
    assert!(c.rows[1].b.as_ref().is_some_and(|f| f.error));
    assert_eq!(c.rows[2].side, RowSide::Both);
    assert!(c.rows[2].b.as_ref().is_some_and(|f| !f.error));
    assert_eq!(c.divergence.as_ref().map(|d| d.row), Some(1));
}

#[test]
fn runs_of_different_services_pair_their_roots() {
    let a = run("get_weather", "gpt-4o-mini", 400, "Sunny.");
    let mut b = run("get_weather", "gpt-4o-mini", 400, "Sunny.");
    b[0].name = "POST /v2/ask".into();
    for s in &mut b {
        s.service = "weather-agent-v2".into();
    }
    let c = compare_traces(tid(1), &a, tid(2), &b);
    assert_eq!(c.counts(), (4, 0, 0));
    assert_eq!(c.b.service, "weather-agent-v2");
    assert!(c.rows[0].renamed);
}

#[test]
fn an_extra_step_is_only_in_b_and_later_matches_are_not_shifted() {
    let a = run("get_weather", "gpt-4o-mini", 400, "Sunny.");
    let mut b = a.clone();
    let mut guard = span(8, Some(1), "guardrail check", 505, 3);
    guard.attributes.insert("x".into(), AttrValue::Bool(true));
    b.push(guard);
    let c = compare_traces(tid(1), &a, tid(2), &b);
    assert_eq!(
        sides(&c),
        vec![
            (0, RowSide::Both, "invoke_agent weather-agent".into()),
            (1, RowSide::Both, "chat gpt-4o-mini".into()),
            (1, RowSide::Both, "execute_tool get_weather".into()),
            (1, RowSide::OnlyB, "guardrail check".into()),
            (1, RowSide::Both, "chat gpt-4o-mini".into()),
        ]
    );
    assert_eq!(
        c.divergence.as_ref().map(|d| &d.reason),
        Some(&DivergenceReason::OnlyInB)
    );
}

#[test]
fn changed_parameters_and_system_prompt_are_listed() {
    let a = run("get_weather", "gpt-4o-mini", 400, "Sunny.");
    let mut b = a.clone();
    b[3].attributes
        .insert("gen_ai.request.temperature".into(), AttrValue::Double(0.9));
    b[3].attributes
        .insert("gen_ai.request.max_tokens".into(), AttrValue::Int(256));
    if let Some(l) = b[3].llm.as_mut() {
        l.input_messages[0].content = "You are a terse weather assistant.".into();
    }
    let c = compare_traces(tid(1), &a, tid(2), &b);
    let diff = c.rows[3].llm.as_ref().expect("diff");
    let params: Vec<(&str, Option<&str>, Option<&str>)> = diff
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.a.as_deref(), p.b.as_deref()))
        .collect();
    assert_eq!(
        params,
        vec![
            ("gen_ai.request.max_tokens", None, Some("256")),
            ("gen_ai.request.temperature", Some("0.2"), Some("0.9")),
        ]
    );
    assert_eq!(diff.messages.len(), 1);
    assert_eq!(diff.messages[0].section, MessageSection::System);
    assert_eq!(c.divergence, None, "parameters alone are not a divergence");
}

#[test]
fn the_json_names_sides_rows_and_the_divergence() {
    let a = run("get_weather", "gpt-4o-mini", 400, "Sunny.");
    let b = run("get_forecast", "gpt-4o-mini", 400, "Rain.");
    let v = serde_json::to_value(compare_traces(tid(1), &a, tid(2), &b)).expect("json");
    assert_eq!(v["a"]["trace_id"], tid(1).to_hex());
    assert_eq!(v["rows"][2]["side"], "both");
    assert_eq!(v["rows"][2]["a"]["tool"], "get_weather");
    assert_eq!(v["divergence"]["reason"], "different_tool");
    assert_eq!(v["divergence"]["row"], 2);
    assert_eq!(v["rows"][3]["llm"]["messages"][0]["section"], "answer");
}

#[test]
fn wide_fan_outs_are_matched_without_a_quadratic_table() {
    let mut a = vec![span(1, None, "batch", 0, 10_000)];
    let mut b = a.clone();
    for k in 0..3000u32 {
        let mut s = span(2, Some(1), &format!("item {}", k % 7), u64::from(k), 1);
        s.span_id = crate::model::SpanId((u64::from(k) + 10).to_be_bytes());
        a.push(s.clone());
        if k != 1234 {
            b.push(s);
        }
    }
    let c = compare_traces(tid(1), &a, tid(2), &b);
    assert_eq!(c.counts(), (3000, 1, 0));
}

#[test]
fn a_run_that_gave_up_diverges_at_the_failed_call_not_at_its_root() {
    // A: 429, then a retry that answered. B: three 429s, and the run failed.
    let ok = |n, start| {
        chat(
            n,
            1,
            "gpt-4o",
            start,
            300,
            (60, 15),
            "Summarize",
            "Done.",
            &[],
        )
    };
    let limited = |n, start| {
        failed(
            chat(n, 1, "gpt-4o", start, 150, (0, 0), "Summarize", "", &[]),
            "429 rate limited",
        )
    };
    let no_answer = |s: Span| {
        let mut s = s;
        if let Some(l) = s.llm.as_mut() {
            l.response_model = None;
            l.output_messages.clear();
        }
        s
    };
    let a = vec![
        span(1, None, "summarize", 0, 1000),
        no_answer(limited(2, 0)),
        ok(3, 500),
    ];
    let mut root_b = span(1, None, "summarize", 0, 1200);
    root_b = failed(root_b, "gave up after 3 attempts");
    let b = vec![
        root_b,
        no_answer(limited(2, 0)),
        no_answer(limited(3, 400)),
        no_answer(limited(4, 800)),
    ];
    let c = compare_traces(tid(1), &a, tid(2), &b);
    let d = c.divergence.as_ref().expect("diverges");
    assert!(d.row > 0, "not the root: {d:?}");
    assert!(
        matches!(
            d.reason,
            DivergenceReason::Error { .. } | DivergenceReason::OnlyInB
        ),
        "{d:?}"
    );
    // A failed call has no response model: that is not a change of model.
    for r in &c.rows {
        if let Some(diff) = &r.llm {
            assert!(!diff.model_changed, "{r:?}");
        }
    }
}
