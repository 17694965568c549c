//! Each online evaluator on a passing and a failing call, and the matching rules.

use super::*;
use crate::model::{LlmFacet, LlmKind, Message, SpanId, TraceId};

fn call(output: &str, ms: u64, tokens: (u64, u64), cost: Option<f64>) -> Span {
    let mut f = LlmFacet::new(LlmKind::Chat);
    f.request_model = Some("gpt-4o-mini".into());
    f.response_model = Some("gpt-4o-mini-2024-07-18".into());
    f.input_tokens = Some(tokens.0);
    f.output_tokens = Some(tokens.1);
    f.cost_usd = cost;
    f.output_messages = vec![Message {
        role: "assistant".into(),
        content: output.into(),
        ..Default::default()
    }];
    Span {
        trace_id: TraceId([1; 16]),
        span_id: SpanId([2; 8]),
        parent_span_id: None,
        name: "chat gpt-4o-mini".into(),
        service: "support-bot".into(),
        kind: Default::default(),
        start_unix_nano: 0,
        end_unix_nano: ms * 1_000_000,
        status: Default::default(),
        attributes: Default::default(),
        resource: Default::default(),
        scope: String::new(),
        events: Vec::new(),
        session: None,
        project: None,
        llm: Some(f),
    }
}

fn ev(check: Check) -> OnlineEvaluator {
    OnlineEvaluator {
        name: "rule".into(),
        matcher: Matcher::default(),
        check,
    }
}

fn verdict(e: &OnlineEvaluator, span: &Span) -> Option<(bool, String)> {
    e.evaluate(span).map(|r| {
        assert_eq!(r.source, "spanlens");
        let passed = r.label.as_deref() == Some("pass");
        assert_eq!(r.score, Some(if passed { 1.0 } else { 0.0 }));
        (passed, r.explanation.unwrap())
    })
}

fn ok(span: &Span) -> Span {
    span.clone()
}

#[test]
fn json_valid() {
    let e = ev(Check::JsonValid);
    assert!(
        verdict(&e, &call(r#"{"category": "billing"}"#, 10, (1, 1), None))
            .unwrap()
            .0
    );
    assert!(
        verdict(&e, &call("```json\n[1, 2]\n```", 10, (1, 1), None))
            .unwrap()
            .0
    );
    let (passed, why) = verdict(&e, &call("Sure! {category: billing}", 10, (1, 1), None)).unwrap();
    assert!(!passed && why.contains("not valid JSON"));
}

#[test]
fn regex_contains_and_not_contains() {
    let reply = call("Your order #48213 shipped with DHL.", 10, (1, 1), None);
    let re = ev(Check::Regex(regex::Regex::new(r"#\d{5}").unwrap()));
    assert!(verdict(&re, &reply).unwrap().0);
    let re = ev(Check::Regex(regex::Regex::new(r"tracking: \w+").unwrap()));
    assert!(!verdict(&re, &reply).unwrap().0);
    assert!(
        verdict(&ev(Check::Contains("dhl".into(), false)), &reply)
            .unwrap()
            .0
    );
    assert!(
        !verdict(&ev(Check::Contains("dhl".into(), true)), &reply)
            .unwrap()
            .0
    );
    assert!(
        verdict(&ev(Check::NotContains("refund".into(), false)), &reply)
            .unwrap()
            .0
    );
    let (passed, why) = verdict(&ev(Check::NotContains("DHL".into(), false)), &reply).unwrap();
    assert!(!passed && why.contains("contains \"DHL\""), "{why}");
}

#[test]
fn max_latency_cost_and_tokens() {
    let fast = call("hi", 900, (100, 20), Some(0.0004));
    let slow = call("hi", 2_500, (5_000, 900), Some(0.02));
    let lat = ev(Check::MaxLatencyMs(1_000.0));
    assert!(verdict(&lat, &fast).unwrap().0);
    let (passed, why) = verdict(&lat, &slow).unwrap();
    assert!(!passed && why.contains("2500 ms"), "{why}");
    let cost = ev(Check::MaxCostUsd(0.01));
    assert!(verdict(&cost, &fast).unwrap().0);
    assert!(!verdict(&cost, &slow).unwrap().0);
    assert!(
        verdict(&cost, &call("hi", 1, (1, 1), None)).is_none(),
        "unknown cost: no verdict"
    );
    let tokens = ev(Check::MaxTokens(1_000));
    assert!(verdict(&tokens, &fast).unwrap().0);
    assert!(!verdict(&tokens, &slow).unwrap().0);
}

#[test]
fn non_empty_and_refusal() {
    let e = ev(Check::NonEmpty);
    assert!(verdict(&e, &call("ok", 1, (1, 1), None)).unwrap().0);
    assert!(!verdict(&e, &call("  \n", 1, (1, 1), None)).unwrap().0);
    let refusal = ev(Check::Refusal(Vec::new()));
    assert!(
        verdict(&refusal, &call("Here is your invoice.", 1, (1, 1), None))
            .unwrap()
            .0
    );
    let (passed, why) = verdict(
        &refusal,
        &call("I’m sorry, but I can’t help with that.", 1, (1, 1), None),
    )
    .unwrap();
    assert!(!passed && why.contains("i'm sorry, but i can't"), "{why}");
    let custom = ev(Check::Refusal(vec!["Not my department".into()]));
    assert!(
        !verdict(&custom, &call("not my department, sorry", 1, (1, 1), None))
            .unwrap()
            .0
    );
    assert!(
        verdict(&custom, &call("I'm sorry, but I can't", 1, (1, 1), None))
            .unwrap()
            .0
    );
}

#[test]
fn matchers_select_service_model_and_span_name_and_only_model_calls() {
    let span = call("x", 1, (1, 1), None);
    let mut e = ev(Check::NonEmpty);
    e.matcher = Matcher {
        service: Some("SUPPORT".into()),
        model: Some("gpt-4o-mini-2024".into()),
        span_name: Some("chat".into()),
    };
    assert!(e.evaluate(&span).is_some());
    e.matcher.model = Some("claude".into());
    assert!(e.evaluate(&span).is_none());
    let mut agent = ok(&span);
    agent.llm.as_mut().unwrap().kind = LlmKind::Agent;
    assert!(
        ev(Check::NonEmpty).evaluate(&agent).is_none(),
        "agents are not model calls"
    );

    let mut spans = vec![span, agent];
    let added = apply(&[ev(Check::NonEmpty), ev(Check::MaxTokens(1))], &mut spans);
    assert_eq!(added, 2);
    assert_eq!(spans[0].llm.as_ref().unwrap().evals.len(), 2);
    assert!(spans[1].llm.as_ref().unwrap().evals.is_empty());
}
