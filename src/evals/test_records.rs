//! Eval records for tests: synthetic experiments (`synthetic`) and the support-bot
//! demo's two prompt versions with regressions (`demo_like`).

use super::EvalRecord;
use crate::model::{EvalScope, SpanId, TraceId};

/// A result of `evaluator` for `example` in `experiment`.
pub(crate) fn rec(
    experiment: Option<&str>,
    example: Option<&str>,
    evaluator: &str,
    score: f64,
    n: u8,
) -> EvalRecord {
    EvalRecord {
        trace_id: TraceId([n; 16]),
        span_id: SpanId([n; 8]),
        carrier_span_id: SpanId([n; 8]),
        index: 0,
        time_unix_nano: u64::from(n),
        name: evaluator.into(),
        score: Some(score),
        label: None,
        explanation: None,
        source: "gen_ai.evaluation.result".into(),
        scope: EvalScope::Span,
        passed: Some(score >= 0.5),
        service: "support-bot".into(),
        model: Some(
            if experiment.is_some_and(|e| e.ends_with("v2")) {
                "gpt-4.1-mini"
            } else {
                "gpt-4o-mini"
            }
            .into(),
        ),
        span_name: "support_chain".into(),
        session: None,
        experiment: experiment.map(str::to_string),
        example_id: example.map(str::to_string),
        input_hash: None,
        input_preview: None,
        latency_ms: Some(f64::from(n) * 100.0),
        cost_usd: Some(0.001),
    }
}

/// v1 and v2 over three examples: v2 improves ex-1, regresses ex-2 (pass → fail),
/// keeps ex-3; ex-4 only ran in v2.
pub(crate) fn synthetic() -> Vec<EvalRecord> {
    vec![
        rec(Some("v1"), Some("ex-1"), "helpfulness", 0.40, 1),
        rec(Some("v1"), Some("ex-2"), "helpfulness", 0.90, 2),
        rec(Some("v1"), Some("ex-3"), "helpfulness", 0.70, 3),
        rec(Some("v2"), Some("ex-1"), "helpfulness", 0.95, 4),
        rec(Some("v2"), Some("ex-2"), "helpfulness", 0.30, 5),
        rec(Some("v2"), Some("ex-3"), "helpfulness", 0.72, 6),
        rec(Some("v2"), Some("ex-4"), "helpfulness", 0.80, 7),
        rec(None, None, "helpfulness", 0.10, 8),
    ]
}

/// Like `spanlens demo`'s support-bot: helpfulness and correctness over five
/// examples in prompt-v1 and prompt-v2 (v2 regresses on ex-002 and ex-005 and
/// misclassifies ex-004), plus untagged production results from other services.
pub(crate) fn demo_like() -> Vec<EvalRecord> {
    let help = [
        (0.62, 0.86),
        (0.74, 0.45),
        (0.58, 0.84),
        (0.81, 0.90),
        (0.66, 0.38),
    ];
    let mut out = Vec::new();
    let mut n = 1u8;
    for (i, (v1, v2)) in help.iter().enumerate() {
        let ex = format!("ex-{:03}", i + 1);
        for (exp, score) in [("prompt-v1", *v1), ("prompt-v2", *v2)] {
            let mut r = rec(Some(exp), Some(&ex), "helpfulness", score, n);
            r.input_preview = Some(format!("ticket {} text", i + 1));
            out.push(r);
            n += 1;
            let right = !(exp == "prompt-v2" && i == 3);
            let mut c = rec(
                Some(exp),
                Some(&ex),
                "correctness",
                if right { 1.0 } else { 0.0 },
                n,
            );
            c.span_name = "ChatOpenAI".into();
            c.label = Some(if right { "correct" } else { "incorrect" }.into());
            out.push(c);
            n += 1;
        }
    }
    for (k, s) in [0.91, 0.35, 0.77, 0.88].iter().enumerate() {
        let mut r = rec(None, None, "answer_relevance", *s, n + k as u8);
        r.service = "weather-agent".into();
        r.model = Some("gpt-4o-mini-2024-07-18".into());
        r.span_name = "chat gpt-4o-mini".into();
        r.explanation = Some(
            if *s < 0.5 {
                "answers a different city"
            } else {
                "on topic"
            }
            .into(),
        );
        out.push(r);
    }
    out
}
