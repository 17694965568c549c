//! Wrapper calls and affected failures, in every arrival order, through the trace
//! summary (the store's rollups are checked in `store/accounting_tests.rs`).

use super::*;
use crate::model::{StatusCode, TraceId, TraceSummary};

/// Span `id` under `parent` (the analyses' test builder, on this file's clock).
fn span(id: u8, parent: Option<u8>) -> Span {
    let mut s = crate::trace_analysis::test_spans::span(id, parent, &format!("span-{id}"), 0, 0);
    s.trace_id = TraceId([9; 16]);
    s.service = "svc".into();
    s.start_unix_nano = 1_000_000_000 + u64::from(id);
    s.end_unix_nano = 2_000_000_000;
    s
}

fn call(id: u8, parent: Option<u8>, kind: LlmKind, usage: bool) -> Span {
    let mut s = span(id, parent);
    let mut f = LlmFacet::new(kind);
    f.request_model = Some("gpt-4o-mini".into());
    if usage {
        f.input_tokens = Some(42);
        f.output_tokens = Some(17);
        f.cost_usd = Some(0.5);
    }
    s.llm = Some(f);
    s
}

fn failed(mut s: Span) -> Span {
    s.status.code = StatusCode::Error;
    s
}

fn summary_of(spans: &[Span]) -> TraceSummary {
    let mut t = TraceSummary::new(TraceId([9; 16]));
    for s in spans {
        t.apply_span(s);
    }
    t
}

/// Every order of `spans` (up to 4 spans).
fn orders(spans: &[Span]) -> Vec<Vec<Span>> {
    if spans.len() <= 1 {
        return vec![spans.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..spans.len() {
        let mut rest = spans.to_vec();
        let first = rest.remove(i);
        for mut tail in orders(&rest) {
            tail.insert(0, first.clone());
            out.push(tail);
        }
    }
    out
}

#[test]
fn a_wrapper_call_is_not_counted_whichever_arrives_first() {
    // OpenInference LlamaIndex: OpenAI.predict (no usage) around OpenAI.chat.
    let spans = [
        span(1, None),
        call(2, Some(1), LlmKind::Llm, false),
        call(3, Some(2), LlmKind::Chat, true),
    ];
    for order in orders(&spans) {
        let t = summary_of(&order);
        let names: Vec<&str> = order.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(t.llm_calls, 1, "{names:?}");
        assert_eq!(t.unpriced_calls, 0, "{names:?}");
        assert_eq!(t.cost_usd, Some(0.5), "{names:?}");
        assert_eq!(t.input_tokens, 42, "{names:?}");
        assert_eq!(t.accounting.wrappers, 1, "{names:?}");
    }
}

#[test]
fn nested_wrappers_and_embedding_wrappers_count_one_call_each() {
    let spans = [
        call(1, None, LlmKind::Embedding, false),
        call(2, Some(1), LlmKind::Embedding, false),
        call(3, Some(2), LlmKind::Embedding, true),
    ];
    for order in orders(&spans) {
        let t = summary_of(&order);
        assert_eq!((t.llm_calls, t.unpriced_calls), (1, 0));
        assert_eq!(t.accounting.wrappers, 2);
    }
}

#[test]
fn calls_that_are_not_wrappers_still_count() {
    // A usage-less call under a call of another family, a usage-less call without a
    // child (a failed call), and a call *with* usage that has a child call.
    let spans = [
        call(1, None, LlmKind::Chat, true),
        call(2, Some(1), LlmKind::Chat, false),
        call(3, None, LlmKind::Embedding, false),
        call(4, Some(3), LlmKind::Chat, true),
    ];
    for order in orders(&spans) {
        let t = summary_of(&order);
        assert_eq!(t.llm_calls, 4);
        assert_eq!(t.unpriced_calls, 2);
        assert_eq!(t.accounting.wrappers, 0);
    }
}

#[test]
fn a_failure_recorded_by_each_ancestor_counts_once() {
    // A chat call fails with HTTP 500; the chain and the root record it again.
    let spans = [
        failed(span(1, None)),
        failed(span(2, Some(1))),
        failed(call(3, Some(2), LlmKind::Chat, false)),
        span(4, Some(1)),
    ];
    for order in orders(&spans) {
        let t = summary_of(&order);
        let names: Vec<&str> = order.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(t.error_count, 1, "{names:?}");
        assert_eq!(t.accounting.affected, 2, "{names:?}");
        assert!(t.root_error, "the root still failed");
    }
}

#[test]
fn two_failed_attempts_under_a_failed_parent_are_two_errors() {
    let spans = [
        failed(span(1, None)),
        failed(call(2, Some(1), LlmKind::Chat, false)),
        failed(call(3, Some(1), LlmKind::Chat, false)),
    ];
    for order in orders(&spans) {
        let t = summary_of(&order);
        assert_eq!(t.error_count, 2);
        assert_eq!(t.llm_calls, 2);
    }
}

#[test]
fn a_failed_wrapper_around_a_failed_call_is_one_call_and_one_error() {
    let spans = [
        span(1, None),
        failed(call(2, Some(1), LlmKind::Llm, false)),
        failed(call(3, Some(2), LlmKind::Chat, false)),
    ];
    for order in orders(&spans) {
        let t = summary_of(&order);
        assert_eq!((t.llm_calls, t.unpriced_calls, t.error_count), (1, 1, 1));
    }
}

#[test]
fn wrapped_calls_of_a_loaded_trace_lead_to_the_innermost_call() {
    let spans = vec![
        call(1, None, LlmKind::Embedding, false),
        call(2, Some(1), LlmKind::Embedding, false),
        call(3, Some(2), LlmKind::Embedding, true),
        call(4, None, LlmKind::Chat, true),
    ];
    let w = wrapped_calls(&spans);
    assert_eq!(w.len(), 2);
    assert_eq!(innermost(&w, SpanId([1; 8])), SpanId([3; 8]));
    assert_eq!(innermost(&w, SpanId([4; 8])), SpanId([4; 8]));
}

#[test]
fn canonical_model_drops_an_openai_snapshot_date_only() {
    use crate::model::canonical_model_name as c;
    assert_eq!(c("gpt-4o-mini-2024-07-18"), "gpt-4o-mini");
    assert_eq!(c("gpt-4o-mini"), "gpt-4o-mini");
    assert_eq!(
        c("claude-3-5-sonnet-20241022"),
        "claude-3-5-sonnet-20241022"
    );
    assert_eq!(c("-2024-07-18"), "-2024-07-18");
    assert_eq!(c("é-2024-07-1"), "é-2024-07-1");
    let mut f = LlmFacet::new(LlmKind::Chat);
    f.response_model = Some("gpt-4o-mini-2024-07-18".into());
    assert_eq!(f.canonical_model(), Some("gpt-4o-mini"));
    f.request_model = Some("gpt-4o".into());
    assert_eq!(f.canonical_model(), Some("gpt-4o"));
}

#[test]
fn affected_spans_of_a_loaded_trace_are_the_failed_parents_of_failures() {
    let spans = vec![
        failed(span(1, None)),
        failed(span(2, Some(1))),
        failed(call(3, Some(2), LlmKind::Chat, false)),
        failed(span(4, None)),
    ];
    let a = affected_spans(&spans);
    assert_eq!(a.len(), 2);
    assert!(a.contains(&SpanId([1; 8])) && a.contains(&SpanId([2; 8])));
}

#[test]
fn a_failed_http_span_under_a_failed_call_is_part_of_the_call() {
    // OpenLIT: `chat gpt-4o-mini` (failed) over the HTTP client's `POST` (HTTP 500),
    // under a failed app span.
    let spans = [
        failed(span(1, None)),
        failed(call(2, Some(1), LlmKind::Chat, false)),
        failed(span(3, Some(2))),
    ];
    for order in orders(&spans) {
        let t = summary_of(&order);
        let names: Vec<&str> = order.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(t.error_count, 1, "{names:?}");
        assert_eq!(t.accounting.affected, 2, "{names:?}");
        let open: Vec<SpanId> = t
            .accounting
            .open
            .iter()
            .filter(|n| n.error)
            .map(|n| n.span_id)
            .collect();
        assert_eq!(
            open,
            [SpanId([2; 8])],
            "the call holds the error: {names:?}"
        );
    }
    let loaded = affected_spans(&spans);
    assert!(loaded.contains(&SpanId([1; 8])) && loaded.contains(&SpanId([3; 8])));
    assert!(!loaded.contains(&SpanId([2; 8])));
}
