//! Critical path, self time and agent flow on hand-built traces: parallel tool
//! calls, overlapping children, a child service whose clock runs early or late,
//! orphans, loops, handoffs and LangGraph nodes.

use super::test_spans::*;
use super::*;
use crate::model::{AttrValue, Span};

fn path_names(spans: &[Span]) -> Vec<(String, u64)> {
    let forest = SpanForest::build(spans);
    critical_path(spans, &forest)
        .steps
        .iter()
        .map(|s| (s.name.clone(), s.on_path_ns / MS))
        .collect()
}

fn names(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    v.iter().map(|(n, ms)| (n.to_string(), *ms)).collect()
}

#[test]
fn parallel_tool_calls_put_only_the_slowest_on_the_path() {
    // agent 0..1000: chat 10..300, two tools in parallel 300..500 and 300..800,
    // chat 810..990.
    let spans = vec![
        agent(1, None, "weather", 0, 1000),
        chat(
            2,
            1,
            "gpt-4o-mini",
            10,
            290,
            (100, 20),
            "q",
            "",
            &["a", "b"],
        ),
        tool(3, 1, "get_weather", 300, 200),
        tool(4, 1, "get_forecast", 300, 500),
        chat(5, 1, "gpt-4o-mini", 810, 180, (200, 40), "q", "sunny", &[]),
    ];
    assert_eq!(
        path_names(&spans),
        names(&[
            ("invoke_agent weather", 10 + 10 + 10),
            ("chat gpt-4o-mini", 290),
            ("execute_tool get_forecast", 500),
            ("chat gpt-4o-mini", 180),
        ])
    );
    let forest = SpanForest::build(&spans);
    let cp = critical_path(&spans, &forest);
    assert!(!cp.on_path[2], "the faster parallel tool is off the path");
    let total: f64 = cp.steps.iter().map(|s| s.share).sum();
    assert!(
        (total - 1.0).abs() < 1e-9,
        "shares add up to the trace: {total}"
    );
    assert_eq!(cp.total_ns, 1000 * MS);
}

#[test]
fn overlapping_children_share_the_path_up_to_the_next_one_start() {
    // A 100..500 overlaps B 400..900: B is on the path, A until B starts.
    let spans = vec![
        span(1, None, "root", 0, 1000),
        span(2, Some(1), "A", 100, 400),
        span(3, Some(1), "B", 400, 500),
    ];
    assert_eq!(
        path_names(&spans),
        names(&[("root", 100 + 100), ("A", 300), ("B", 500)])
    );
}

#[test]
fn a_child_that_ends_after_its_parent_is_clipped_and_still_on_the_path() {
    // The child's clock runs 300 ms late: it appears to end after its parent.
    let spans = vec![
        span(1, None, "client", 0, 1000),
        span(2, Some(1), "server (late clock)", 800, 900),
    ];
    let forest = SpanForest::build(&spans);
    assert_eq!(forest.end[1] - T0, 1000 * MS, "clipped to the parent's end");
    assert_eq!(
        path_names(&spans),
        names(&[("client", 800), ("server (late clock)", 200)])
    );
}

#[test]
fn a_child_whose_clock_runs_early_is_shifted_into_its_parent_with_its_subtree() {
    // Parent 1000..2000 on the client's clock; the server's spans read 300..800 and
    // its child 400..700 (its clock is 800 ms behind).
    let mut spans = vec![
        span(1, None, "client", 1000, 1000),
        span(2, Some(1), "server", 300, 500),
        span(3, Some(2), "db", 400, 300),
    ];
    spans[1].service = "backend".into();
    let forest = SpanForest::build(&spans);
    assert_eq!(
        forest.start[1] - T0,
        1000 * MS,
        "shifted to the parent's start"
    );
    assert_eq!(forest.start[2] - T0, 1100 * MS, "its child moved with it");
    assert_eq!(forest.duration(2), 300 * MS);
    assert_eq!(
        path_names(&spans),
        names(&[("client", 500), ("server", 200), ("db", 300)])
    );
    assert_eq!(self_times(&forest), vec![500 * MS, 200 * MS, 300 * MS]);
}

#[test]
fn self_time_counts_overlapping_children_once() {
    let spans = vec![
        span(1, None, "root", 0, 1000),
        span(2, Some(1), "A", 100, 400),
        span(3, Some(1), "B", 300, 400),
        span(4, Some(1), "C", 900, 50),
    ];
    let forest = SpanForest::build(&spans);
    // Covered: 100..700 and 900..950 = 650 ms.
    assert_eq!(self_times(&forest)[0], 350 * MS);
}

#[test]
fn orphans_are_walked_as_siblings_when_the_root_has_not_arrived() {
    let spans = vec![
        span(2, Some(1), "first", 0, 300),
        span(3, Some(1), "second", 200, 600),
    ];
    assert_eq!(
        path_names(&spans),
        names(&[("first", 200), ("second", 600)])
    );
}

#[test]
fn a_cycle_in_bad_data_does_not_hang() {
    let mut a = span(1, Some(2), "a", 0, 100);
    let b = span(2, Some(1), "b", 0, 100);
    a.parent_span_id = Some(sid(2));
    let spans = vec![a, b];
    let forest = SpanForest::build(&spans);
    assert_eq!(forest.order.len(), 2);
    assert!(!critical_path(&spans, &forest).steps.is_empty());
}

fn flow(spans: &[Span]) -> Vec<String> {
    let forest = SpanForest::build(spans);
    agent_flow(spans, &forest)
        .steps
        .iter()
        .map(|s| {
            let n = if s.count > 1 {
                format!(" ×{}", s.count)
            } else {
                String::new()
            };
            format!("{}{} {}{n}", "  ".repeat(s.depth), s.kind.as_str(), s.label)
        })
        .collect()
}

#[test]
fn an_agent_turn_reads_agent_model_tool_model_answer() {
    let spans = vec![
        agent(1, None, "weather-agent", 0, 1000),
        chat(
            2,
            1,
            "gpt-4o-mini",
            10,
            290,
            (100, 20),
            "q",
            "",
            &["get_weather"],
        ),
        tool(3, 1, "get_weather", 300, 200),
        chat(
            4,
            1,
            "gpt-4o-mini",
            510,
            400,
            (200, 40),
            "q",
            "Sunny, 21°C",
            &[],
        ),
    ];
    assert_eq!(
        flow(&spans),
        vec![
            "agent weather-agent",
            "model gpt-4o-mini-2024-07-18",
            "tool get_weather",
            "answer gpt-4o-mini-2024-07-18",
        ]
    );
    let forest = SpanForest::build(&spans);
    let f = agent_flow(&spans, &forest);
    assert_eq!(f.steps[1].input_tokens, 100);
    assert_eq!(f.steps[3].duration_ns, 400 * MS);
    assert_eq!(
        f.steps[2].span_id,
        sid(3),
        "a step knows its span, for Enter"
    );
}

#[test]
fn a_tool_called_seven_times_in_a_row_is_one_step_times_seven() {
    let mut spans = vec![
        agent(1, None, "crawler", 0, 2000),
        chat(2, 1, "gpt-4o", 0, 100, (10, 5), "q", "", &["fetch"]),
    ];
    for k in 0..7u8 {
        spans.push(tool(10 + k, 1, "fetch", 100 + u64::from(k) * 100, 90));
    }
    spans.push(chat(3, 1, "gpt-4o", 900, 100, (10, 5), "q", "done", &[]));
    let steps = flow(&spans);
    assert_eq!(steps[2], "tool fetch ×7");
    assert_eq!(steps.len(), 4);
    let forest = SpanForest::build(&spans);
    let f = agent_flow(&spans, &forest);
    assert_eq!(
        f.steps[2].duration_ns,
        7 * 90 * MS,
        "the step sums its spans"
    );
}

#[test]
fn a_model_tool_loop_collapses_into_one_pair_with_a_count() {
    let mut spans = vec![agent(1, None, "researcher", 0, 5000)];
    for k in 0..4u8 {
        let t = u64::from(k) * 1000;
        spans.push(chat(
            10 + k,
            1,
            "gpt-4o",
            t,
            400,
            (10, 5),
            "q",
            "",
            &["search"],
        ));
        spans.push(tool(20 + k, 1, "search", t + 500, 400));
    }
    spans.push(chat(
        30,
        1,
        "gpt-4o",
        4500,
        400,
        (10, 5),
        "q",
        "found it",
        &[],
    ));
    let forest = SpanForest::build(&spans);
    let f = agent_flow(&spans, &forest);
    let kinds: Vec<(&str, usize, usize)> = f
        .steps
        .iter()
        .map(|s| (s.kind.as_str(), s.count, s.loop_len))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("agent", 1, 1),
            ("model", 4, 2),
            ("tool", 4, 2),
            ("answer", 1, 1)
        ]
    );
}

#[test]
fn a_handoff_between_agents_is_a_step() {
    let spans = vec![
        span(1, None, "workflow", 0, 3000),
        agent(2, Some(1), "triage", 0, 1000),
        chat(
            3,
            2,
            "gpt-4o-mini",
            10,
            500,
            (10, 5),
            "q",
            "",
            &["transfer_to_billing"],
        ),
        agent(4, Some(1), "billing", 1000, 2000),
        chat(5, 4, "gpt-4o", 1010, 900, (10, 5), "q", "refunded", &[]),
    ];
    assert_eq!(
        flow(&spans),
        vec![
            "agent triage",
            "model gpt-4o-mini-2024-07-18",
            "handoff triage → billing",
            "answer gpt-4o-2024-07-18",
        ]
    );
}

#[test]
fn a_sub_agent_is_indented_under_the_agent_that_called_it() {
    let spans = vec![
        agent(1, None, "planner", 0, 3000),
        agent(2, Some(1), "coder", 100, 1000),
        tool(3, 2, "run_tests", 200, 500),
    ];
    assert_eq!(
        flow(&spans),
        vec![
            "agent planner",
            "  handoff planner → coder",
            "  tool run_tests"
        ]
    );
}

#[test]
fn langgraph_nodes_are_steps_and_their_inner_spans_are_not_repeated() {
    let meta = |node: &str| {
        AttrValue::Str(format!(
            "{{\"langgraph_node\":\"{node}\",\"langgraph_step\":1}}"
        ))
    };
    let mut graph = span(1, None, "LangGraph", 0, 2000);
    graph
        .attributes
        .insert("metadata".into(), AttrValue::Str("{}".into()));
    let mut retrieve = span(2, Some(1), "retrieve", 0, 500);
    retrieve
        .attributes
        .insert("metadata".into(), meta("retrieve"));
    let mut inner = span(3, Some(2), "RunnableLambda", 0, 400);
    inner.attributes.insert("metadata".into(), meta("retrieve"));
    let mut generate = span(4, Some(1), "generate", 500, 1500);
    generate
        .attributes
        .insert("metadata".into(), meta("generate"));
    let mut call = chat(5, 4, "gpt-4o", 510, 1400, (10, 5), "q", "answer", &[]);
    call.attributes.insert("metadata".into(), meta("generate"));
    let spans = vec![graph, retrieve, inner, generate, call];
    assert_eq!(
        flow(&spans),
        vec!["node retrieve", "node generate", "answer gpt-4o-2024-07-18"]
    );
}

#[test]
fn a_trace_without_agent_steps_has_an_empty_flow() {
    let spans = vec![span(1, None, "GET /healthz", 0, 3)];
    assert!(flow(&spans).is_empty());
}
