//! The captured payloads in `tests/fixtures/` (see its README for the known numbers)
//! through the normalizer: every folder must show the same run of the weather agent
//! — models, tokens, the tool call, the rate-limit failure, the session and the eval —
//! and the protobuf and JSON encodings of each request must normalize identically.

use std::path::{Path, PathBuf};

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message as _;

use super::{enrich_from_logs, normalize_logs, normalize_traces};
use crate::model::{AttrValue, LlmFacet, LlmKind, LogRecord, Span, StatusCode, TraceSummary};
use crate::pricing::PriceTable;

fn files(folder: &str, suffix: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(folder);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no {suffix} in {folder}");
    out
}

fn traces_from(req: &ExportTraceServiceRequest) -> Vec<Span> {
    let out = normalize_traces(req, &PriceTable::builtin());
    assert_eq!(out.rejected, 0, "{:?}", out.errors);
    out.spans
}

fn traces_pb(folder: &str) -> Vec<Span> {
    files(folder, "-traces.pb")
        .iter()
        .flat_map(|p| {
            let bytes = std::fs::read(p).unwrap();
            traces_from(&ExportTraceServiceRequest::decode(bytes.as_slice()).unwrap())
        })
        .collect()
}

fn traces_json(folder: &str) -> Vec<Span> {
    files(folder, "-traces.json")
        .iter()
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let req: ExportTraceServiceRequest =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            traces_from(&req)
        })
        .collect()
}

fn logs_pb(folder: &str) -> Vec<LogRecord> {
    files(folder, "-logs.pb")
        .iter()
        .flat_map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let out = normalize_logs(&ExportLogsServiceRequest::decode(bytes.as_slice()).unwrap());
            assert!(out.errors.is_empty(), "{:?}", out.errors);
            out.logs
        })
        .collect()
}

fn logs_json(folder: &str) -> Vec<LogRecord> {
    files(folder, "-logs.json")
        .iter()
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let req: ExportLogsServiceRequest = serde_json::from_str(&text).unwrap();
            normalize_logs(&req).logs
        })
        .collect()
}

fn named<'a>(spans: &'a [Span], name: &str) -> &'a Span {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name}"))
}

fn facet(s: &Span) -> &LlmFacet {
    s.llm
        .as_ref()
        .unwrap_or_else(|| panic!("{} has no LLM facet", s.name))
}

/// Chat calls of one trace, oldest first.
fn chats_in_trace<'a>(spans: &'a [Span], root: &Span) -> Vec<&'a Span> {
    let mut chats: Vec<&Span> = spans
        .iter()
        .filter(|s| s.trace_id == root.trace_id)
        .filter(|s| s.llm.as_ref().is_some_and(|f| f.kind == LlmKind::Chat))
        .collect();
    chats.sort_by_key(|s| s.start_unix_nano);
    chats
}

struct Expect {
    cache_read: Option<u64>,
    embeddings: bool,
    stream: bool,
    /// The first chat's output carries the `get_weather` call.
    tool_call_in_output: bool,
    /// The rate-limited call recorded its prompt.
    failed_has_input: bool,
}

fn assert_tool_call_is_get_weather(f: &LlmFacet) {
    let call = f
        .output_messages
        .iter()
        .flat_map(|m| &m.tool_calls)
        .next()
        .expect("a tool call in the output");
    assert_eq!(call.name, "get_weather");
    assert_eq!(call.id.as_deref(), Some("call_abc123"));
    let args: serde_json::Value = serde_json::from_str(&call.arguments).unwrap();
    assert_eq!(args, serde_json::json!({"city": "Paris"}));
}

/// Everything the fixtures README promises, for one folder's spans.
fn assert_weather_run(spans: &[Span], ex: &Expect) {
    // The session root: session id, eval, and the two chat calls with the tool between.
    let root = named(spans, "agent.run");
    assert_eq!(root.session.as_deref(), Some("sess-42"));
    assert_eq!(root.parent_span_id, None);
    let rf = facet(root);
    assert_eq!(rf.kind, LlmKind::Agent, "an agent span carrying an eval");
    let eval = &rf.evals[0];
    assert_eq!(eval.name, "answer_relevance");
    assert_eq!(eval.score, Some(0.83));
    assert_eq!(eval.label.as_deref(), Some("relevant"));
    assert_eq!(eval.source, "gen_ai.evaluation.result");
    assert_eq!(eval.response_id.as_deref(), Some("chatcmpl-1"));
    assert!(eval.explanation.as_deref().unwrap().contains("temperature"));

    let chats = chats_in_trace(spans, root);
    assert_eq!(chats.len(), 2, "two chat calls in agent.run");
    for c in &chats {
        let f = facet(c);
        assert_eq!(f.request_model.as_deref(), Some("gpt-4o-mini"));
        assert_eq!(f.response_model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
        assert_eq!((f.input_tokens, f.output_tokens), (Some(42), Some(17)));
        assert_eq!(f.cache_read_tokens, ex.cache_read);
        assert_eq!(f.provider.as_deref(), Some("openai"));
        assert_eq!(f.input_messages[0].role, "system");
        assert_eq!(f.input_messages[0].content, "You are a weather bot.");
        assert_eq!(
            f.input_messages[1].content,
            "TOOL: what is the weather in Paris?"
        );
    }
    let second = facet(chats[1]);
    let tool_msg = second
        .input_messages
        .iter()
        .find(|m| m.role == "tool")
        .expect("the tool result is in the second call's input");
    assert!(tool_msg.content.contains("temp_c"));
    if ex.tool_call_in_output {
        assert_tool_call_is_get_weather(facet(chats[0]));
        assert_eq!(facet(chats[0]).finish_reasons, vec!["tool_calls"]);
        assert_eq!(tool_msg.tool_call_id.as_deref(), Some("call_abc123"));
        let asked = second
            .input_messages
            .iter()
            .flat_map(|m| &m.tool_calls)
            .next();
        assert_eq!(asked.map(|c| c.name.as_str()), Some("get_weather"));
        assert!(
            second.output_messages[0]
                .content
                .starts_with("Paris is sunny")
        );
        assert_eq!(second.response_id.as_deref(), Some("chatcmpl-1"));
    }

    let tool = named(spans, "execute_tool get_weather");
    let tf = facet(tool);
    assert_eq!(tf.kind, LlmKind::Tool);
    let info = tf.tool.as_ref().unwrap();
    assert_eq!(info.name, "get_weather");
    assert_eq!(info.call_id.as_deref(), Some("call_abc123"));
    assert_eq!(tool.parent_span_id, Some(root.span_id));

    // The whole trace counts each model call once.
    let mut t = TraceSummary::new(root.trace_id);
    for s in spans.iter().filter(|s| s.trace_id == root.trace_id) {
        t.apply_span(s);
    }
    assert_eq!(t.llm_calls, 2);
    assert_eq!((t.input_tokens, t.output_tokens), (84, 34));
    assert_eq!(t.session.as_deref(), Some("sess-42"));
    assert_eq!(t.evals[0].name, "answer_relevance");

    // The rate-limited call and its parent.
    let flaky = named(spans, "agent.run.flaky");
    assert_eq!(flaky.status.code, StatusCode::Error);
    let exc = flaky
        .events
        .iter()
        .find(|e| e.name == "exception")
        .expect("exception event");
    assert_eq!(
        exc.attributes.get("exception.type"),
        Some(&AttrValue::Str("openai.RateLimitError".into()))
    );
    let failed = chats_in_trace(spans, flaky);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].status.code, StatusCode::Error);
    assert!(failed[0].status.message.contains("429"));
    let ff = facet(failed[0]);
    assert_eq!(ff.request_model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(ff.response_model, None);
    assert_eq!((ff.input_tokens, ff.output_tokens), (None, None));
    if ex.failed_has_input {
        assert_eq!(ff.input_messages[0].content, "RATELIMIT please");
    } else {
        assert!(ff.input_messages.is_empty());
    }

    assert!(named(spans, "rag.retrieve").llm.is_none());
    if ex.embeddings {
        let emb = spans
            .iter()
            .find(|s| s.llm.as_ref().is_some_and(|f| f.kind == LlmKind::Embedding))
            .expect("an embeddings span");
        let f = facet(emb);
        assert_eq!(f.request_model.as_deref(), Some("text-embedding-3-small"));
        assert_eq!(f.response_model.as_deref(), Some("text-embedding-3-small"));
        assert_eq!((f.input_tokens, f.output_tokens), (Some(16), None));
        assert_eq!(
            emb.parent_span_id,
            Some(named(spans, "rag.retrieve").span_id)
        );
    }
    if ex.stream {
        let stream_root = named(spans, "chat.stream");
        assert!(stream_root.llm.is_none());
        let streamed = chats_in_trace(spans, stream_root);
        assert_eq!(streamed.len(), 1);
        let f = facet(streamed[0]);
        assert_eq!(f.response_model.as_deref(), Some("gpt-4o-mini"));
        assert_eq!((f.input_tokens, f.output_tokens), (Some(42), Some(17)));
        assert_eq!(f.cache_read_tokens, ex.cache_read);
        assert_eq!(f.input_messages[0].content, "STREAM hello");
        assert_eq!(f.output_messages[0].content, "Paris is sunny.");
    }
}

#[test]
fn openinference_fixture() {
    let spans = traces_pb("openinference");
    assert_weather_run(
        &spans,
        &Expect {
            cache_read: Some(10),
            embeddings: true,
            stream: true,
            tool_call_in_output: true,
            failed_has_input: true,
        },
    );
    let chat = facet(named(&spans, "ChatCompletion"));
    assert_eq!(chat.reasoning_tokens, Some(0));
    let emb = spans
        .iter()
        .find(|s| s.name == "CreateEmbeddings")
        .map(facet)
        .unwrap();
    let texts: Vec<_> = emb
        .input_messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(texts, vec!["weather in Paris", "Paris climate"]);
    assert!(
        emb.output_messages.is_empty(),
        "vectors are not a conversation"
    );
}

#[test]
fn openai_v2_fixture() {
    let spans = traces_pb("openai-v2");
    assert_weather_run(
        &spans,
        &Expect {
            cache_read: None,
            embeddings: true,
            stream: true,
            tool_call_in_output: true,
            failed_has_input: true,
        },
    );
}

#[test]
fn plain_fixture() {
    let spans = traces_pb("plain");
    assert_weather_run(
        &spans,
        &Expect {
            cache_read: None,
            embeddings: false,
            stream: false,
            tool_call_in_output: false,
            failed_has_input: false,
        },
    );
    // The failing chat records its own exception too.
    let failed = spans
        .iter()
        .find(|s| s.is_error() && s.llm.is_some())
        .unwrap();
    assert!(failed.events.iter().any(|e| e.name == "exception"));
}

#[test]
fn openai_v2_events_fixture_gets_its_messages_from_logs() {
    let mut spans = traces_pb("openai-v2-events");
    let logs = logs_pb("openai-v2-events");
    assert_eq!(logs.len(), 4);
    assert!(logs.iter().all(|l| {
        l.event_name.as_deref() == Some("gen_ai.client.inference.operation.details")
            && l.service == "weather-agent-openai-v2-events"
            && l.span_id.is_some()
    }));
    // Before: the spans carry usage but no content.
    let chats: Vec<&Span> = spans
        .iter()
        .filter(|s| s.llm.as_ref().is_some_and(|f| f.kind == LlmKind::Chat))
        .collect();
    assert_eq!(chats.len(), 4);
    assert!(chats.iter().all(|s| facet(s).input_messages.is_empty()));

    let prices = PriceTable::builtin();
    for s in &mut spans {
        enrich_from_logs(s, &logs, &prices);
    }
    assert_weather_run(
        &spans,
        &Expect {
            cache_read: None,
            embeddings: true,
            stream: true,
            tool_call_in_output: true,
            failed_has_input: true,
        },
    );
    // Idempotent: enriching again changes nothing.
    let once = spans.clone();
    for s in &mut spans {
        enrich_from_logs(s, &logs, &prices);
    }
    assert_eq!(spans, once);
    // Spans without joined logs stay as they were.
    assert!(named(&spans, "rag.retrieve").llm.is_none());
}

#[test]
fn json_and_protobuf_encodings_normalize_identically() {
    for folder in [
        "openinference",
        "openai-v2",
        "openai-v2-events",
        "plain",
        "llamaindex",
        "langgraph",
        "tenacity",
        "openlit",
    ] {
        let pb = traces_pb(folder);
        let json = traces_json(folder);
        assert!(!pb.is_empty());
        assert_eq!(pb, json, "{folder}: traces differ between .pb and .json");
    }
    let (pb, json) = (logs_pb("openai-v2-events"), logs_json("openai-v2-events"));
    assert_eq!(pb, json, "logs differ between .pb and .json");
}
