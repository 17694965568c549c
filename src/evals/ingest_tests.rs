//! Every evaluation convention through the normalizer and the ingest hook's record
//! building: what each result is about (its target span), and the experiment,
//! example, latency and cost a record carries.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{
    ResourceSpans, ScopeSpans, Span as OSpan, span::Event,
};

use super::*;
use crate::evals::record::Need;
use crate::model::{EvalScope, LogRecord, SpanId};
use crate::normalize::normalize_traces;
use crate::pricing::PriceTable;

fn kv(k: &str, v: Value) -> KeyValue {
    KeyValue {
        key: k.into(),
        value: Some(AnyValue { value: Some(v) }),
        ..Default::default()
    }
}
fn s(k: &str, v: &str) -> KeyValue {
    kv(k, Value::StringValue(v.into()))
}
fn d(k: &str, v: f64) -> KeyValue {
    kv(k, Value::DoubleValue(v))
}

fn span(id: u8, parent: Option<u8>, name: &str, attributes: Vec<KeyValue>) -> OSpan {
    OSpan {
        trace_id: vec![7; 16],
        span_id: vec![id; 8],
        parent_span_id: parent.map(|p| vec![p; 8]).unwrap_or_default(),
        name: name.into(),
        kind: 1,
        start_time_unix_nano: 1_000_000_000,
        end_time_unix_nano: 1_000_000_000 + u64::from(id) * 100_000_000,
        attributes,
        ..Default::default()
    }
}

fn eval_event(name: &str, score: f64, label: &str, response: Option<&str>) -> Event {
    let mut attributes = vec![
        s("gen_ai.evaluation.name", name),
        d("gen_ai.evaluation.score.value", score),
        s("gen_ai.evaluation.score.label", label),
    ];
    if let Some(r) = response {
        attributes.push(s("gen_ai.response.id", r));
    }
    Event {
        name: "gen_ai.evaluation.result".into(),
        time_unix_nano: 1_500_000_000,
        attributes,
        ..Default::default()
    }
}

fn chat(id: u8, parent: Option<u8>, response: &str) -> OSpan {
    span(
        id,
        parent,
        "chat gpt-4o-mini",
        vec![
            s("gen_ai.operation.name", "chat"),
            s("gen_ai.request.model", "gpt-4o-mini"),
            s("gen_ai.response.id", response),
            kv("gen_ai.usage.input_tokens", Value::IntValue(1000)),
            kv("gen_ai.usage.output_tokens", Value::IntValue(100)),
        ],
    )
}

fn normalize(spans: Vec<OSpan>) -> Vec<Span> {
    let req = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![s("service.name", "svc")],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    normalize_traces(&req, &PriceTable::builtin()).spans
}

/// Records of `batch`, with `stored` as what the store already holds of the trace.
fn records(batch: Vec<OSpan>, stored: Vec<OSpan>) -> Vec<EvalRecord> {
    let batch = normalize(batch);
    let stored = normalize(stored);
    let mut loads = 0;
    let out = build_records(&batch, Some("app.exp"), &mut |_, _| {
        loads += 1;
        stored.clone()
    });
    assert!(loads <= 1, "the store is read at most once per trace");
    out
}

fn sid(n: u8) -> SpanId {
    SpanId([n; 8])
}

#[test]
fn an_event_on_the_evaluated_span_is_about_that_span() {
    let mut c = chat(2, Some(1), "r-2");
    c.events
        .push(eval_event("relevance", 0.4, "irrelevant", None));
    let r = records(vec![c], vec![]);
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].span_id, r[0].carrier_span_id), (sid(2), sid(2)));
    assert_eq!(r[0].passed, Some(false));
    assert_eq!(r[0].model.as_deref(), Some("gpt-4o-mini"));
    assert!(
        r[0].cost_usd.unwrap() > 0.0,
        "the call's cost beside its score"
    );
    assert!((r[0].latency_ms.unwrap() - 200.0).abs() < 1e-6);
}

#[test]
fn an_event_naming_a_response_is_about_the_call_that_produced_it_even_when_stored_earlier() {
    let mut root = span(1, None, "agent.run", vec![]);
    root.events.push(eval_event(
        "answer_relevance",
        0.83,
        "relevant",
        Some("r-3"),
    ));
    // The evaluated call arrived in an earlier request.
    let r = records(
        vec![root],
        vec![chat(2, Some(1), "r-2"), chat(3, Some(1), "r-3")],
    );
    assert_eq!(r[0].span_id, sid(3));
    assert_eq!(r[0].carrier_span_id, sid(1));
    assert_eq!(r[0].span_name, "chat gpt-4o-mini");
    assert_eq!((r[0].score, r[0].passed), (Some(0.83), Some(true)));
}

#[test]
fn an_event_on_a_separate_evaluation_span_is_about_its_parent() {
    let mut judge = span(4, Some(2), "evaluate answer", vec![]);
    judge
        .events
        .push(eval_event("helpfulness", 0.9, "helpful", None));
    let r = records(vec![judge, chat(2, Some(1), "r-2")], vec![]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].scope, EvalScope::Parent);
    assert_eq!(r[0].span_id, sid(2));
}

#[test]
fn evaluator_spans_of_both_conventions_judge_their_parent() {
    let oi = span(
        5,
        Some(2),
        "qa_correctness",
        vec![
            s("openinference.span.kind", "EVALUATOR"),
            s(
                "output.value",
                r#"{"score": 0, "label": "incorrect", "explanation": "wrong"}"#,
            ),
        ],
    );
    let lf = span(
        6,
        Some(2),
        "langfuse-eval",
        vec![
            s("langfuse.observation.type", "evaluator"),
            s("eval.name", "toxicity"),
            s("langfuse.observation.output", "0.05"),
        ],
    );
    let r = records(vec![oi, lf], vec![chat(2, Some(1), "r-2")]);
    let by = |n: &str| r.iter().find(|x| x.name == n).unwrap();
    assert_eq!(by("qa_correctness").span_id, sid(2));
    assert_eq!(by("qa_correctness").passed, Some(false));
    assert_eq!(by("qa_correctness").source, "evaluator");
    assert_eq!(by("toxicity").span_id, sid(2));
    assert_eq!(by("toxicity").score, Some(0.05));
}

#[test]
fn openinference_annotations_at_span_trace_and_session_scope() {
    let child = span(
        2,
        Some(1),
        "retrieve",
        vec![
            s("openinference.span.kind", "RETRIEVER"),
            s("annotations.0.annotation.name", "hallucination"),
            s("annotations.0.annotation.label", "factual"),
            s("trace.evaluations.0.evaluation.name", "correctness"),
            d("trace.evaluations.0.evaluation.score", 0.95),
            s("session.annotations.0.annotation.name", "user_frustration"),
            s("session.annotations.0.annotation.label", "frustrated"),
        ],
    );
    let root = span(1, None, "rag.query", vec![s("session.id", "s-1")]);
    let r = records(vec![child], vec![root]);
    let by = |n: &str| r.iter().find(|x| x.name == n).unwrap();
    assert_eq!(by("hallucination").span_id, sid(2));
    assert_eq!(by("hallucination").scope, EvalScope::Span);
    assert_eq!(by("correctness").span_id, sid(1), "trace scope: the root");
    assert_eq!(by("correctness").scope, EvalScope::Trace);
    assert_eq!(by("user_frustration").scope, EvalScope::Session);
    assert_eq!(by("user_frustration").span_id, sid(1));
    assert_eq!(by("user_frustration").source, "openinference");
}

#[test]
fn openlit_evals_are_recorded() {
    let c = span(
        2,
        None,
        "openai.chat",
        vec![
            s("gen_ai.request.model", "gpt-4o-mini"),
            s("evals.evaluation", "hallucination"),
            d("evals.score", 0.8),
            s("evals.verdict", "yes"),
        ],
    );
    let r = records(vec![c], vec![]);
    assert_eq!(r[0].name, "hallucination");
    assert_eq!(r[0].source, "openlit");
    assert_eq!(
        r[0].passed,
        Some(false),
        "OpenLIT's yes means the problem was found"
    );
}

#[test]
fn experiment_and_example_come_from_the_root_or_the_configured_attribute() {
    let mut root = span(
        1,
        None,
        "chain",
        vec![
            s("langsmith.metadata.experiment", "exp-b"),
            s("langsmith.metadata.example_id", "ex-9"),
            s("input.value", "What is the capital of France?"),
        ],
    );
    root.events
        .push(eval_event("correctness", 1.0, "correct", None));
    let r = records(vec![root], vec![]);
    assert_eq!(r[0].experiment.as_deref(), Some("exp-b"));
    assert_eq!(r[0].example_id.as_deref(), Some("ex-9"));
    assert!(r[0].input_hash.is_some());
    assert_eq!(
        r[0].input_preview.as_deref(),
        Some("What is the capital of France?")
    );

    // A one-field JSON input is its field's text, so the same question matches.
    let mut wrapped = span(
        1,
        None,
        "chain",
        vec![s(
            "input.value",
            r#"{"question": "What is the capital of France?"}"#,
        )],
    );
    wrapped
        .events
        .push(eval_event("correctness", 1.0, "correct", None));
    let w = records(vec![wrapped], vec![]);
    assert_eq!(w[0].input_hash, r[0].input_hash);

    // A configured attribute wins over the standard ones.
    let mut root = span(
        1,
        None,
        "chain",
        vec![s("experiment.name", "std"), s("app.exp", "configured")],
    );
    root.events
        .push(eval_event("correctness", 1.0, "correct", None));
    let r = records(vec![root], vec![]);
    assert_eq!(r[0].experiment.as_deref(), Some("configured"));
}

#[test]
fn online_results_never_read_the_store_and_plain_spans_make_no_records() {
    let mut batch = normalize(vec![
        chat(2, Some(1), "r-2"),
        span(3, Some(1), "http", vec![]),
    ]);
    batch[0]
        .llm
        .as_mut()
        .unwrap()
        .evals
        .push(crate::model::Eval {
            name: "non_empty".into(),
            score: Some(0.0),
            label: Some("fail".into()),
            source: online::SOURCE.into(),
            ..Default::default()
        });
    let r = build_records(&batch, None, &mut |_, _| {
        panic!("no store read for online results")
    });
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].source, "spanlens");
}

#[test]
fn evaluation_log_records_are_about_their_span() {
    let stored = normalize(vec![chat(2, Some(1), "r-2")]);
    let mut attributes = crate::model::Attributes::new();
    attributes.insert(
        "gen_ai.evaluation.name".into(),
        crate::model::AttrValue::Str("groundedness".into()),
    );
    attributes.insert(
        "gen_ai.evaluation.score.value".into(),
        crate::model::AttrValue::Double(0.2),
    );
    let log = LogRecord {
        trace_id: Some(crate::model::TraceId([7; 16])),
        span_id: Some(sid(2)),
        time_unix_nano: 5,
        observed_time_unix_nano: 5,
        severity_number: 9,
        severity_text: String::new(),
        event_name: Some("gen_ai.evaluation.result".into()),
        body: crate::model::AttrValue::Empty,
        attributes,
        service: "svc".into(),
    };
    let r = records_for_logs(std::slice::from_ref(&log), None, &mut |_| stored.clone());
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].span_id, r[0].passed), (sid(2), Some(false)));
    assert_eq!(r[0].model.as_deref(), Some("gpt-4o-mini"));
    let again = records_for_logs(&[log], None, &mut |_| stored.clone());
    assert_eq!(again[0].index, r[0].index, "a re-sent record keeps its key");
}

#[test]
fn the_store_is_asked_for_a_target_or_only_for_the_roots_context() {
    let mut c = chat(2, Some(1), "r-2");
    c.events
        .push(eval_event("relevance", 0.9, "relevant", None));
    let mut needs = Vec::new();
    build_records(&normalize(vec![c]), None, &mut |_, need| {
        needs.push(need);
        Vec::new()
    });
    assert_eq!(
        needs,
        [Need::Context],
        "about itself; only the root is missing"
    );

    let mut root = span(1, None, "agent.run", vec![]);
    root.events
        .push(eval_event("relevance", 0.9, "relevant", Some("r-9")));
    needs.clear();
    let r = build_records(&normalize(vec![root]), None, &mut |_, need| {
        needs.push(need);
        Vec::new()
    });
    assert_eq!(needs, [Need::Target]);
    assert_eq!(
        r[0].span_id,
        sid(1),
        "an unknown response: the carrier itself"
    );
}
