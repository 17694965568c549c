//! Whole-request tests built in code for the conventions the captured fixtures do
//! not cover (OpenLLMetry/traceloop, LangSmith, OpenLIT, deprecated GenAI names),
//! and for the structural rules: invalid ids, sessions, deep nesting, log records.

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList, any_value::Value,
};
use opentelemetry_proto::tonic::logs::v1::{LogRecord as OLog, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{
    ResourceSpans, ScopeSpans, Span as OSpan, span::Event,
};

use super::{normalize_logs, normalize_traces};
use crate::model::{AttrValue, LlmKind, Span, TraceSummary};
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
fn i(k: &str, v: i64) -> KeyValue {
    kv(k, Value::IntValue(v))
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
        start_time_unix_nano: 1_000 + u64::from(id),
        end_time_unix_nano: 2_000,
        attributes,
        ..Default::default()
    }
}

fn request(resource: Vec<KeyValue>, spans: Vec<OSpan>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: resource,
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "test.scope".into(),
                    ..Default::default()
                }),
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

fn run(spans: Vec<OSpan>) -> Vec<Span> {
    let out = normalize_traces(
        &request(vec![s("service.name", "svc")], spans),
        &PriceTable::builtin(),
    );
    assert_eq!(out.rejected, 0, "{:?}", out.errors);
    out.spans
}

fn named<'a>(spans: &'a [Span], name: &str) -> &'a Span {
    spans.iter().find(|s| s.name == name).expect(name)
}

fn summary(spans: &[Span]) -> TraceSummary {
    let mut t = TraceSummary::new(spans[0].trace_id);
    for s in spans {
        t.apply_span(s);
    }
    t
}

#[test]
fn traceloop_workflow_tool_and_chat_with_indexed_messages() {
    let spans = run(vec![
        span(
            1,
            None,
            "weather_flow.workflow",
            vec![
                s("traceloop.span.kind", "workflow"),
                s("traceloop.entity.name", "weather_flow"),
                s("traceloop.entity.input", "Paris?"),
                s("traceloop.entity.output", "Sunny"),
            ],
        ),
        span(
            2,
            Some(1),
            "openai.chat",
            vec![
                s("llm.request.type", "chat"),
                s("gen_ai.system", "OpenAI"),
                s("gen_ai.request.model", "gpt-4o"),
                s("gen_ai.response.model", "gpt-4o-2024-08-06"),
                s("gen_ai.prompt.0.role", "system"),
                s("gen_ai.prompt.0.content", "You are a weather bot."),
                s("gen_ai.prompt.1.role", "user"),
                s("gen_ai.prompt.1.content", "Weather in Paris?"),
                s("gen_ai.completion.0.role", "assistant"),
                s("gen_ai.completion.0.finish_reason", "tool_calls"),
                s("gen_ai.completion.0.tool_calls.0.id", "call_1"),
                s("gen_ai.completion.0.tool_calls.0.name", "get_weather"),
                s(
                    "gen_ai.completion.0.tool_calls.0.arguments",
                    r#"{"city": "Paris"}"#,
                ),
                i("gen_ai.usage.prompt_tokens", 30),
                i("llm.usage.total_tokens", 45),
                i("gen_ai.usage.cache_read_input_tokens", 8),
            ],
        ),
        span(
            3,
            Some(1),
            "get_weather.tool",
            vec![
                s("traceloop.span.kind", "tool"),
                s("traceloop.entity.name", "get_weather"),
                s(
                    "traceloop.entity.input",
                    r#"{"args": [], "kwargs": {"city": "Paris"}}"#,
                ),
                s("traceloop.entity.output", "sunny"),
            ],
        ),
    ]);
    let chat = named(&spans, "openai.chat").llm.as_ref().unwrap();
    assert_eq!(chat.kind, LlmKind::Chat);
    assert_eq!(chat.provider.as_deref(), Some("openai"));
    assert_eq!(chat.model(), Some("gpt-4o-2024-08-06"));
    assert_eq!(chat.input_tokens, Some(30));
    assert_eq!(chat.output_tokens, Some(15), "derived from the total");
    assert_eq!(chat.cache_read_tokens, Some(8));
    assert_eq!(chat.input_messages.len(), 2);
    assert_eq!(chat.input_messages[1].content, "Weather in Paris?");
    let call = &chat.output_messages[0].tool_calls[0];
    assert_eq!(
        (
            call.id.as_deref(),
            call.name.as_str(),
            call.arguments.as_str()
        ),
        (Some("call_1"), "get_weather", r#"{"city": "Paris"}"#)
    );
    assert_eq!(chat.finish_reasons, vec!["tool_calls"]);

    let flow = named(&spans, "weather_flow.workflow").llm.as_ref().unwrap();
    assert_eq!(flow.kind, LlmKind::Workflow);
    assert_eq!(flow.input_messages[0].content, "Paris?");
    assert_eq!(flow.output_messages[0].content, "Sunny");

    let tool = named(&spans, "get_weather.tool").llm.as_ref().unwrap();
    assert_eq!(tool.kind, LlmKind::Tool);
    let info = tool.tool.as_ref().unwrap();
    assert_eq!(info.name, "get_weather");
    assert_eq!(info.result.as_deref(), Some("sunny"));
    assert!(tool.input_messages.is_empty());

    let t = summary(&spans);
    assert_eq!((t.llm_calls, t.input_tokens, t.output_tokens), (1, 30, 15));
}

#[test]
fn langsmith_chain_reporting_usage_is_not_counted_twice() {
    let llm_prompt = r#"{"messages": [[
        {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "SystemMessage"], "kwargs": {"content": "Be brief."}},
        {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "HumanMessage"], "kwargs": {"content": "Weather in Paris?"}}
    ]]}"#;
    let llm_completion = r#"{"generations": [[{"text": "Sunny.", "message": {"lc": 1, "type": "constructor",
        "id": ["langchain", "schema", "messages", "AIMessage"], "kwargs": {"content": "Sunny."}}}]], "llm_output": null}"#;
    let spans = run(vec![
        span(
            1,
            None,
            "RunnableSequence",
            vec![
                s("langsmith.span.kind", "chain"),
                s("gen_ai.operation.name", "chain"),
                s("langsmith.trace.session_name", "weather-project"),
                s("langsmith.trace.session_id", "0b5c-session"),
                i("gen_ai.usage.input_tokens", 42),
                i("gen_ai.usage.output_tokens", 17),
                s("gen_ai.prompt", r#"{"question": "Weather in Paris?"}"#),
                s("gen_ai.completion", r#"{"output": "Sunny."}"#),
            ],
        ),
        span(
            2,
            Some(1),
            "ChatOpenAI",
            vec![
                s("langsmith.span.kind", "llm"),
                s("gen_ai.operation.name", "chat"),
                s("gen_ai.system", "openai"),
                s("gen_ai.request.model", "gpt-4o-mini"),
                s("langsmith.trace.session_name", "weather-project"),
                i("gen_ai.usage.input_tokens", 42),
                i("gen_ai.usage.output_tokens", 17),
                s(
                    "gen_ai.usage.input_token_details",
                    "{'audio': 0, 'cache_read': 10}",
                ),
                s("gen_ai.response.finish_reasons", "stop"),
                s("gen_ai.prompt", llm_prompt),
                s("gen_ai.completion", llm_completion),
            ],
        ),
    ]);
    let chain = named(&spans, "RunnableSequence");
    assert_eq!(chain.llm.as_ref().unwrap().kind, LlmKind::Chain);
    assert_eq!(chain.project.as_deref(), Some("weather-project"));
    assert_eq!(chain.session.as_deref(), Some("0b5c-session"));
    // A chain's non-message input is still shown, as text.
    assert_eq!(
        chain.llm.as_ref().unwrap().input_messages[0].content,
        r#"{"question": "Weather in Paris?"}"#
    );

    let llm = named(&spans, "ChatOpenAI").llm.as_ref().unwrap();
    assert_eq!(
        llm.kind,
        LlmKind::Chat,
        "an `llm` run with messages is a chat"
    );
    let roles: Vec<_> = llm.input_messages.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(roles, vec!["system", "user"]);
    assert_eq!(llm.output_messages[0].content, "Sunny.");
    assert_eq!(llm.cache_read_tokens, Some(10));
    assert_eq!(llm.finish_reasons, vec!["stop"]);

    let t = summary(&spans);
    assert_eq!(t.llm_calls, 1);
    assert_eq!((t.input_tokens, t.output_tokens), (42, 17));
    assert_eq!(t.project.as_deref(), Some("weather-project"));
}

#[test]
fn openlit_reported_cost_and_evals() {
    let spans = run(vec![
        span(
            1,
            None,
            "openai.chat.completions",
            vec![
                s("gen_ai.operation.name", "chat"),
                s("gen_ai.system", "openai"),
                s("gen_ai.request.model", "gpt-4o-mini"),
                i("gen_ai.usage.input_tokens", 42),
                i("gen_ai.usage.output_tokens", 17),
                d("gen_ai.usage.cost", 0.00123),
                s("evals.evaluation", "hallucination"),
                d("evals.score", 0.1),
                s("evals.verdict", "no"),
                s("evals.explanation", "consistent with context"),
            ],
        ),
        span(
            2,
            None,
            "unpriced",
            vec![
                s("gen_ai.operation.name", "chat"),
                s("gen_ai.request.model", "my-local-model"),
                i("gen_ai.usage.input_tokens", 5),
                d("gen_ai.usage.cost", 0.0),
            ],
        ),
    ]);
    let f = named(&spans, "openai.chat.completions")
        .llm
        .as_ref()
        .unwrap();
    assert_eq!(f.cost_usd, Some(0.00123));
    assert!(f.cost_reported);
    assert_eq!(f.evals.len(), 1);
    let e = &f.evals[0];
    assert_eq!(e.name, "hallucination");
    assert_eq!(e.score, Some(0.1));
    assert_eq!(e.label.as_deref(), Some("pass"));
    assert_eq!(e.source, "openlit");

    let unpriced = named(&spans, "unpriced").llm.as_ref().unwrap();
    assert!(
        !unpriced.cost_reported,
        "a reported 0 on a call with tokens means no price"
    );
}

#[test]
fn deprecated_genai_usage_names_and_openinference_cost() {
    let spans = run(vec![span(
        1,
        None,
        "completion",
        vec![
            s("gen_ai.system", "anthropic"),
            s("gen_ai.request.model", "claude-3-5-haiku"),
            i("gen_ai.usage.prompt_tokens", 120),
            i("gen_ai.usage.completion_tokens", 30),
            d("llm.cost.total", 0.0042),
        ],
    )]);
    let f = spans[0]
        .llm
        .as_ref()
        .expect("a model attribute makes an LLM span");
    assert_eq!(
        f.kind,
        LlmKind::Llm,
        "no messages: stays a generic model call"
    );
    assert_eq!((f.input_tokens, f.output_tokens), (Some(120), Some(30)));
    assert_eq!(f.provider.as_deref(), Some("anthropic"));
    assert_eq!((f.cost_usd, f.cost_reported), (Some(0.0042), true));
}

#[test]
fn invalid_ids_are_rejected_with_one_message_per_reason_and_the_rest_kept() {
    let mut short1 = span(2, None, "short1", vec![]);
    short1.span_id = vec![1, 2, 3];
    let mut short2 = span(3, None, "short2", vec![]);
    short2.span_id = vec![4, 5, 6];
    let mut zero_trace = span(4, None, "zero", vec![]);
    zero_trace.trace_id = vec![0; 16];
    let mut zero_parent = span(5, None, "zero_parent", vec![]);
    zero_parent.parent_span_id = vec![0; 8];
    let mut odd_parent = span(6, None, "odd_parent", vec![]);
    odd_parent.parent_span_id = vec![9; 5];
    let req = request(
        vec![],
        vec![
            span(1, None, "ok", vec![]),
            short1,
            short2,
            zero_trace,
            zero_parent,
            odd_parent,
        ],
    );
    let out = normalize_traces(&req, &PriceTable::builtin());
    assert_eq!(out.rejected, 3);
    assert_eq!(
        out.errors,
        vec![
            "2 spans rejected: span id must be 8 bytes, got 3".to_string(),
            "1 span rejected: trace id is all zeroes, which OTLP forbids".to_string(),
        ]
    );
    let names: Vec<_> = out.spans.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["ok", "zero_parent", "odd_parent"]);
    assert!(out.spans.iter().all(|s| s.parent_span_id.is_none()));
    assert!(out.spans.iter().all(|s| s.service == "unknown_service"));
    assert_eq!(out.spans[0].scope, "test.scope");
}

#[test]
fn sessions_from_span_or_resource_and_evals_keep_a_facet() {
    let mut judged = span(
        2,
        None,
        "judge answer",
        vec![s("gen_ai.conversation.id", "conv-9")],
    );
    judged.events.push(Event {
        name: "gen_ai.evaluation.result".into(),
        attributes: vec![
            s("gen_ai.evaluation.name", "tone"),
            s("gen_ai.evaluation.score.label", "good"),
        ],
        ..Default::default()
    });
    let out = normalize_traces(
        &request(
            vec![s("service.name", "api"), s("session.id", "from-resource")],
            vec![span(1, None, "plain", vec![]), judged],
        ),
        &PriceTable::builtin(),
    );
    let plain = named(&out.spans, "plain");
    assert_eq!(plain.session.as_deref(), Some("from-resource"));
    assert!(plain.llm.is_none());
    assert_eq!(
        plain.resource.get("service.name"),
        Some(&AttrValue::Str("api".into()))
    );
    let judged = named(&out.spans, "judge answer");
    assert_eq!(judged.session.as_deref(), Some("conv-9"));
    let f = judged.llm.as_ref().expect("evals are not dropped");
    assert_eq!(f.kind, LlmKind::Chain);
    assert_eq!(f.evals[0].label.as_deref(), Some("good"));
}

#[test]
fn deeply_nested_attribute_in_a_request_is_cut_not_fatal() {
    let mut v = Value::StringValue("leaf".into());
    for n in 0..2_000 {
        v = if n % 2 == 0 {
            Value::ArrayValue(ArrayValue {
                values: vec![AnyValue { value: Some(v) }],
            })
        } else {
            Value::KvlistValue(KeyValueList {
                values: vec![kv("k", v)],
            })
        };
    }
    let spans = run(vec![span(
        1,
        None,
        "deep",
        vec![kv("nested", v), s("gen_ai.request.model", "m")],
    )]);
    assert_eq!(spans.len(), 1);
    let mut depth = 0;
    let mut node = &spans[0].attributes["nested"];
    loop {
        node = match node {
            AttrValue::Array(items) => &items[0],
            AttrValue::Map(kvs) => &kvs[0].1,
            _ => break,
        };
        depth += 1;
    }
    assert_eq!(depth, super::values::MAX_DEPTH - 1);
    assert_eq!(*node, AttrValue::Empty);
}

#[test]
fn log_records_keep_their_body_when_an_id_is_invalid() {
    let req = ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(Resource {
                attributes: vec![s("service.name", "svc")],
                ..Default::default()
            }),
            scope_logs: vec![ScopeLogs {
                log_records: vec![
                    OLog {
                        trace_id: vec![1, 2],
                        span_id: vec![3; 8],
                        body: Some(AnyValue {
                            value: Some(Value::StringValue("hello".into())),
                        }),
                        attributes: vec![s("event.name", "gen_ai.user.message")],
                        ..Default::default()
                    },
                    OLog {
                        event_name: "gen_ai.choice".into(),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    let out = normalize_logs(&req);
    assert_eq!(out.rejected, 0);
    assert_eq!(out.logs.len(), 2);
    let first = &out.logs[0];
    assert_eq!(first.trace_id, None, "invalid id dropped");
    assert!(first.span_id.is_some(), "the valid id is kept");
    assert_eq!(first.body, AttrValue::Str("hello".into()));
    assert_eq!(first.event_name.as_deref(), Some("gen_ai.user.message"));
    assert_eq!(first.service, "svc");
    assert_eq!(out.logs[1].event_name.as_deref(), Some("gen_ai.choice"));
    assert_eq!(out.errors.len(), 1, "a warning names the dropped id");
}

#[test]
fn a_rejected_call_without_usage_costs_a_known_zero() {
    for folder in ["openai-v2", "plain", "openinference"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(folder);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let prices = crate::pricing::PriceTable::builtin();
        let failed: Vec<_> = files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pb"))
            .flat_map(|p| {
                let req = <ExportTraceServiceRequest as prost::Message>::decode(
                    &std::fs::read(p).unwrap()[..],
                )
                .unwrap();
                super::normalize_traces(&req, &prices).spans
            })
            .filter(|s| s.is_error() && s.llm.as_ref().is_some_and(|l| l.kind.is_model_call()))
            .collect();
        assert_eq!(failed.len(), 1, "{folder}");
        assert_eq!(
            failed[0].llm.as_ref().unwrap().cost_usd,
            Some(0.0),
            "{folder}"
        );
    }
}
