//! Synthetic traces for the resilience patterns: a tenacity retry that succeeds, one
//! that gives up, a fallback to another provider, a degraded trace, an agent loop
//! that is none of these, and the summary flags under any arrival order.

use super::*;
use crate::model::{Attributes, LlmFacet, SpanKind, Status, TraceId, TraceSummary};

const MS: u64 = 1_000_000;

fn id(n: u8) -> SpanId {
    SpanId([n; 8])
}

/// A span `n` under `parent`, from `start_ms` for `dur_ms`.
fn span(n: u8, parent: Option<u8>, start_ms: u64, dur_ms: u64) -> Span {
    Span {
        trace_id: TraceId([9; 16]),
        span_id: id(n),
        parent_span_id: parent.map(id),
        name: format!("span {n}"),
        service: "batch-summarizer".into(),
        kind: SpanKind::Internal,
        start_unix_nano: start_ms * MS,
        end_unix_nano: (start_ms + dur_ms) * MS,
        status: Status::default(),
        attributes: Attributes::new(),
        resource: Attributes::new(),
        scope: String::new(),
        events: Vec::new(),
        session: None,
        project: None,
        llm: None,
    }
}

fn chat(n: u8, parent: u8, start_ms: u64, model: &str, provider: &str, failed: bool) -> Span {
    let mut s = span(n, Some(parent), start_ms, 200);
    s.kind = SpanKind::Client;
    s.name = format!("chat {model}");
    let mut llm = LlmFacet::new(LlmKind::Chat);
    llm.request_model = Some(model.into());
    llm.provider = Some(provider.into());
    if !failed {
        llm.response_model = Some(format!("{model}-2024-08-06"));
    }
    s.llm = Some(llm);
    if failed {
        s.status = Status {
            code: StatusCode::Error,
            message: "Error code: 429 - Rate limit reached".into(),
        };
    }
    s
}

fn tool(n: u8, parent: u8, start_ms: u64, name: &str, failed: bool) -> Span {
    let mut s = span(n, Some(parent), start_ms, 50);
    let mut llm = LlmFacet::new(LlmKind::Tool);
    llm.tool = Some(crate::model::ToolInfo {
        name: name.into(),
        ..Default::default()
    });
    s.llm = Some(llm);
    if failed {
        s.status.code = StatusCode::Error;
    }
    s
}

fn calls(spans: &[Span]) -> Vec<CallSignature> {
    spans.iter().filter_map(CallSignature::of_span).collect()
}

fn summary_of(spans: &[Span]) -> TraceSummary {
    let mut s = TraceSummary::new(TraceId([9; 16]));
    for sp in spans {
        s.apply_span(sp);
    }
    s
}

/// summarize → chat gpt-4o ✗ (wait 500ms) → ✗ (wait 1s) → ✓.
fn retried() -> Vec<Span> {
    vec![
        span(1, None, 0, 3_000),
        chat(2, 1, 10, "gpt-4o", "openai", true),
        chat(3, 1, 710, "gpt-4o", "openai", true),
        chat(4, 1, 1_910, "gpt-4o", "openai", false),
    ]
}

#[test]
fn a_tenacity_retry_is_one_chain_with_its_waits_and_outcome() {
    let r = analyze(&calls(&retried()));
    assert_eq!(r.chains.len(), 1);
    let c = &r.chains[0];
    assert_eq!(c.attempts, vec![id(2), id(3), id(4)]);
    assert_eq!(c.waits_ns, vec![500 * MS, 1_000 * MS]);
    assert_eq!(c.outcome, ChainOutcome::Succeeded);
    assert_eq!(c.target, "gpt-4o");
    assert_eq!(c.parent, Some(id(1)));
    assert!(r.fallbacks.is_empty());
    let marks = span_marks(&retried());
    assert_eq!(marks[&id(3)].attempt, Some((2, 3)));
    assert_eq!(marks[&id(3)].label(), "↻2/3 +500ms");
    assert_eq!(
        marks[&id(2)].label(),
        "↻1/3",
        "no wait before the first attempt"
    );
    assert_eq!(marks[&id(4)].label(), "↻3/3 +1.00s");
    assert!(!marks.contains_key(&id(1)));
}

#[test]
fn a_chain_that_gives_up_fails_and_the_trace_is_not_degraded() {
    let mut spans = vec![
        span(1, None, 0, 3_000),
        chat(2, 1, 10, "gpt-4o", "openai", true),
        chat(3, 1, 710, "gpt-4o", "openai", true),
        chat(4, 1, 1_910, "gpt-4o", "openai", true),
    ];
    spans[0].status.code = StatusCode::Error;
    let r = analyze(&calls(&spans));
    assert_eq!(r.chains.len(), 1);
    assert_eq!(r.chains[0].outcome, ChainOutcome::Failed);
    let flags = TraceFlags::of_summary(&summary_of(&spans));
    assert!(
        flags.retry && !flags.fallback && !flags.degraded,
        "{flags:?}"
    );
}

#[test]
fn a_failed_call_rescued_by_another_provider_is_a_fallback() {
    let spans = vec![
        span(1, None, 0, 3_000),
        chat(2, 1, 10, "gpt-4o", "openai", true),
        chat(3, 1, 900, "claude-haiku-4-5", "anthropic", false),
    ];
    let r = analyze(&calls(&spans));
    assert!(r.chains.is_empty(), "one failure is not a chain");
    assert_eq!(r.fallbacks.len(), 1);
    let f = &r.fallbacks[0];
    assert_eq!((f.from, f.to), (id(2), id(3)));
    assert_eq!(f.to_target, "claude-haiku-4-5");
    assert_eq!(f.to_provider.as_deref(), Some("anthropic"));
    let marks = span_marks(&spans);
    assert!(marks[&id(3)].fallback && marks[&id(2)].fell_back);
    assert_eq!(marks[&id(3)].label(), "⤳fallback");
    let flags = TraceFlags::of_summary(&summary_of(&spans));
    assert_eq!(
        flags,
        TraceFlags {
            retry: false,
            fallback: true,
            degraded: true
        }
    );
    assert_eq!(flags.marker(), "⤳◐");
}

#[test]
fn retries_then_a_fallback_give_both() {
    let spans = vec![
        span(1, None, 0, 3_000),
        chat(2, 1, 10, "gpt-4o", "openai", true),
        chat(3, 1, 700, "gpt-4o", "openai", true),
        chat(4, 1, 1_500, "claude-haiku-4-5", "anthropic", false),
    ];
    let r = analyze(&calls(&spans));
    assert_eq!(r.chains.len(), 1);
    assert_eq!(r.chains[0].outcome, ChainOutcome::Failed);
    assert_eq!(r.fallbacks.len(), 1);
    assert_eq!(r.fallbacks[0].from, id(3), "from the last attempt");
}

#[test]
fn a_failure_under_another_parent_is_not_a_fallback() {
    let spans = vec![
        span(1, None, 0, 3_000),
        span(5, Some(1), 0, 1_000),
        chat(2, 5, 10, "gpt-4o", "openai", true),
        chat(3, 1, 1_500, "claude-haiku-4-5", "anthropic", false),
    ];
    assert_eq!(analyze(&calls(&spans)), Resilience::default());
}

#[test]
fn an_agent_loop_of_successful_calls_is_neither() {
    let spans = vec![
        span(1, None, 0, 3_000),
        chat(2, 1, 10, "gpt-4o", "openai", false),
        tool(3, 1, 300, "get_weather", false),
        chat(4, 1, 400, "gpt-4o", "openai", false),
    ];
    assert_eq!(analyze(&calls(&spans)), Resilience::default());
    let s = summary_of(&spans);
    assert!(!TraceFlags::of_summary(&s).any());
}

#[test]
fn a_retried_tool_is_a_chain_but_never_a_fallback() {
    let spans = vec![
        span(1, None, 0, 3_000),
        tool(2, 1, 10, "search", true),
        tool(3, 1, 100, "search", false),
        tool(4, 1, 200, "lookup", true),
        tool(5, 1, 300, "browse", false),
    ];
    let r = analyze(&calls(&spans));
    assert_eq!(r.chains.len(), 1);
    assert_eq!(r.chains[0].kind, LlmKind::Tool);
    assert!(r.fallbacks.is_empty());
}

#[test]
fn a_degraded_trace_succeeded_with_errors_inside() {
    let s = summary_of(&retried());
    let flags = TraceFlags::of_summary(&s);
    assert!(flags.retry && flags.degraded, "{flags:?}");
    // Without its root, a trace is not known to have succeeded.
    let no_root = summary_of(&retried()[1..]);
    assert!(!TraceFlags::of_summary(&no_root).degraded);
}

#[test]
fn summary_flags_do_not_depend_on_arrival_order_and_stay_bounded() {
    let spans = retried();
    let forward = summary_of(&spans);
    let mut rev = spans.clone();
    rev.reverse();
    let backward = summary_of(&rev);
    assert_eq!(forward.calls, backward.calls);
    assert_eq!(forward.root_error, backward.root_error);
    assert_eq!(
        TraceFlags::of_summary(&forward),
        TraceFlags::of_summary(&backward)
    );

    // A long agent run: the list keeps the earliest calls whatever the order.
    let mut many = vec![span(1, None, 0, 100_000)];
    for n in 0..100u8 {
        many.push(chat(
            n + 2,
            1,
            u64::from(n) * 300,
            "gpt-4o",
            "openai",
            false,
        ));
    }
    let a = summary_of(&many);
    many.reverse();
    let b = summary_of(&many);
    assert_eq!(a.calls.len(), MAX_SUMMARY_CALLS);
    assert_eq!(a.calls, b.calls);
    assert_eq!(a.calls[0].span_id, id(2));
}
