//! Pure tests of the demo traffic, read back through spanlens's own normalizer
//! (the runner's tests are in `runner_tests.rs`).

use std::collections::{HashMap, HashSet};

use prost::Message as _;

use super::*;
use crate::model::{LlmKind, Span, StatusCode, TraceSummary};
use crate::normalize::{enrich_from_logs, normalize_logs, normalize_traces};
use crate::pricing::PriceTable;

const NOW: u64 = 1_760_000_000_000_000_000;

fn turn(index: u32) -> Turn {
    Turn {
        session_id: "sess-test".into(),
        index,
    }
}

fn build(scenario: Scenario, seed: u64) -> DemoTrace {
    build_trace(scenario, &mut DemoRng::seeded(seed), NOW)
}

/// The trace as spanlens reads it: normalized spans, log content joined.
fn spans_of(t: &DemoTrace) -> Vec<Span> {
    let prices = PriceTable::builtin();
    let out = normalize_traces(&t.traces, &prices);
    assert_eq!(out.rejected, 0, "{:?}", out.errors);
    let mut spans = out.spans;
    if let Some(logs) = &t.logs {
        let logs = normalize_logs(logs);
        assert!(logs.errors.is_empty(), "{:?}", logs.errors);
        for s in &mut spans {
            enrich_from_logs(s, &logs.logs, &prices);
        }
    }
    spans
}

fn summary_of(spans: &[Span]) -> TraceSummary {
    let mut sum = TraceSummary::new(spans[0].trace_id);
    for s in spans {
        sum.apply_span(s);
    }
    sum
}

fn kinds(spans: &[Span]) -> Vec<LlmKind> {
    spans
        .iter()
        .filter_map(|s| s.llm.as_ref().map(|f| f.kind))
        .collect()
}

fn root(spans: &[Span]) -> &Span {
    spans.iter().find(|s| s.parent_span_id.is_none()).unwrap()
}

fn all_scenarios(seed: u64) -> Vec<Scenario> {
    vec![
        Scenario::AgentRun(turn(seed as u32 % 3)),
        Scenario::Rag,
        Scenario::StreamedChat(turn(seed as u32 % 3)),
        Scenario::RateLimited,
        Scenario::Embeddings,
        Scenario::LangSmithChain,
        Scenario::UnknownModel,
    ]
}

#[test]
fn agent_run_has_chats_tools_tokens_messages_and_a_session() {
    for seed in 0..30 {
        let spans = spans_of(&build(Scenario::AgentRun(turn(1)), seed));
        let r = root(&spans);
        assert_eq!(r.llm.as_ref().unwrap().kind, LlmKind::Agent);
        assert_eq!(r.service, "weather-agent");
        assert_eq!(r.session.as_deref(), Some("sess-test"));
        assert_eq!(summary_of(&spans).session.as_deref(), Some("sess-test"));
        let ks = kinds(&spans);
        assert_eq!(ks.iter().filter(|k| **k == LlmKind::Chat).count(), 2);
        assert!(ks.contains(&LlmKind::Tool));
        let chats: Vec<_> = spans
            .iter()
            .filter_map(|s| s.llm.as_ref())
            .filter(|f| f.kind == LlmKind::Chat)
            .collect();
        for f in &chats {
            assert_eq!(f.provider.as_deref(), Some("openai"));
            assert_eq!(f.request_model.as_deref(), Some("gpt-4o-mini"));
            assert_eq!(f.response_model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
            assert!(f.input_tokens.unwrap() > 0 && f.output_tokens.unwrap() > 0);
            assert!(f.cost_usd.unwrap() > 0.0);
            assert_eq!(f.input_messages[0].role, "system");
            assert!(!f.output_messages.is_empty());
        }
        // The first call asks for get_weather with arguments; the second sees the result.
        let call = &chats[0].output_messages[0].tool_calls[0];
        assert_eq!(call.name, "get_weather");
        assert!(call.arguments.contains("\"city\""), "{}", call.arguments);
        assert!(chats[1].input_messages.iter().any(|m| m.role == "tool"));
        assert!(chats[1].cache_read_tokens.unwrap() > 0);
        let tool = spans
            .iter()
            .filter_map(|s| s.llm.as_ref()?.tool.as_ref())
            .find(|t| t.name == "get_weather")
            .unwrap();
        assert_eq!(tool.call_id.as_deref(), call.id.as_deref());
        assert!(tool.arguments.as_deref().unwrap().contains("city"));
    }
}

#[test]
fn rag_has_a_retriever_with_scored_documents_an_embedding_an_llm_and_evals() {
    for seed in 0..30 {
        let spans = spans_of(&build(Scenario::Rag, seed));
        let r = root(&spans);
        let rf = r.llm.as_ref().unwrap();
        assert_eq!(rf.kind, LlmKind::Chain);
        let faith = rf.evals.iter().find(|e| e.name == "faithfulness").unwrap();
        assert!(faith.score.is_some() && faith.label.is_some());
        let facets: Vec<_> = spans.iter().filter_map(|s| s.llm.as_ref()).collect();
        let retr = facets
            .iter()
            .find(|f| f.kind == LlmKind::Retriever)
            .unwrap();
        assert!((3..=5).contains(&retr.documents.len()));
        for d in &retr.documents {
            let s = d.score.unwrap();
            assert!((0.3..=0.95).contains(&s), "{s}");
            assert!(d.id.is_some() && !d.content.is_empty());
        }
        let emb = facets
            .iter()
            .find(|f| f.kind == LlmKind::Embedding)
            .unwrap();
        assert_eq!(emb.model(), Some("text-embedding-3-small"));
        assert!(emb.input_tokens.unwrap() > 0 && emb.cost_usd.is_some());
        assert!(!emb.input_messages.is_empty());
        let llm = facets.iter().find(|f| f.kind == LlmKind::Chat).unwrap();
        assert_eq!(llm.provider.as_deref(), Some("anthropic"));
        assert!(llm.model().unwrap().starts_with("claude-"));
        assert!(llm.input_tokens.is_some() && llm.output_tokens.is_some());
        assert!(llm.cost_usd.is_some(), "{:?} unpriced", llm.model());
        assert_eq!(llm.input_messages.len(), 2);
        assert_eq!(llm.output_messages[0].role, "assistant");
    }
}

#[test]
fn streamed_chat_content_arrives_as_log_records_joined_to_the_span() {
    let mut models = HashSet::new();
    for seed in 0..20 {
        let t = build(Scenario::StreamedChat(turn(1)), seed);
        assert_eq!(t.log_count, 1);
        let logs = normalize_logs(t.logs.as_ref().unwrap());
        assert_eq!(
            logs.logs[0].event_name.as_deref(),
            Some("gen_ai.client.inference.operation.details")
        );
        let spans = spans_of(&t);
        assert_eq!(root(&spans).llm, None, "the HTTP root is a plain span");
        let chat = spans.iter().find(|s| s.llm.is_some()).unwrap();
        assert_eq!(logs.logs[0].span_id, Some(chat.span_id));
        assert!(
            chat.events
                .iter()
                .any(|e| e.name == "First Token Stream Event")
        );
        assert_eq!(chat.session.as_deref(), Some("sess-test"));
        let f = chat.llm.as_ref().unwrap();
        assert_eq!(f.kind, LlmKind::Chat);
        let roles: Vec<_> = f.input_messages.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(roles, ["system", "user", "assistant", "user"]);
        assert!(!f.output_messages[0].content.is_empty());
        assert!(f.cost_usd.is_some(), "{:?} unpriced", f.model());
        models.insert(f.model().unwrap().to_string());
    }
    assert_eq!(models.len(), 2, "{models:?}");
}

#[test]
fn rate_limited_runs_fail_with_429s_then_retry_fall_back_or_give_up() {
    let (mut gave_up, mut fell_back, mut retried) = (0, 0, 0);
    for seed in 0..200 {
        let t = build(Scenario::RateLimited, seed);
        let spans = spans_of(&t);
        let failed: Vec<_> = spans
            .iter()
            .filter(|s| s.status.code == StatusCode::Error && s.parent_span_id.is_some())
            .collect();
        assert!((1..=3).contains(&failed.len()));
        for s in &failed {
            assert!(
                s.status
                    .message
                    .starts_with("Error code: 429 - Rate limit reached for gpt-4o")
            );
            assert_eq!(
                s.attributes.get("error.type").and_then(|v| v.as_str()),
                Some("openai.RateLimitError")
            );
            assert_eq!(
                s.attributes
                    .get("http.response.status_code")
                    .and_then(|v| v.as_i64()),
                Some(429)
            );
            let ev = s.events.iter().find(|e| e.name == "exception").unwrap();
            let trace = ev.attributes["exception.stacktrace"].as_str().unwrap();
            assert!(trace.starts_with("Traceback") && trace.contains("openai"));
            let f = s.llm.as_ref().unwrap();
            assert_eq!(f.cost_usd, Some(0.0), "rejected calls cost nothing");
        }
        let ok_calls: Vec<_> = spans
            .iter()
            .filter(|s| s.status.code != StatusCode::Error && s.llm.is_some())
            .collect();
        let r = root(&spans);
        if r.status.code == StatusCode::Error {
            gave_up += 1;
            assert!(ok_calls.is_empty());
            assert!(r.events.iter().any(|e| e.name == "exception"));
            assert_eq!(t.error_count, 4);
        } else {
            assert_eq!(ok_calls.len(), 1);
            let f = ok_calls[0].llm.as_ref().unwrap();
            assert!(f.cost_usd.unwrap() > 0.0);
            match f.provider.as_deref() {
                Some("anthropic") => fell_back += 1,
                _ => retried += 1,
            }
        }
    }
    assert!(
        (30..=70).contains(&gave_up),
        "about 1 in 4 gives up: {gave_up}"
    );
    assert!(fell_back > 30 && retried > 50, "{fell_back} {retried}");
}

#[test]
fn embeddings_batches_have_input_tokens_only() {
    let spans = spans_of(&build(Scenario::Embeddings, 3));
    let embs: Vec<_> = spans
        .iter()
        .filter_map(|s| s.llm.as_ref())
        .filter(|f| f.kind == LlmKind::Embedding)
        .collect();
    assert!(!embs.is_empty());
    for f in embs {
        assert_eq!(f.model(), Some("text-embedding-3-large"));
        assert!(f.input_tokens.unwrap() >= 800);
        assert_eq!(f.output_tokens, None);
        assert!(f.cost_usd.unwrap() > 0.0);
    }
}

#[test]
fn langsmith_chain_reports_usage_without_double_counting_and_has_experiments() {
    let mut examples: HashMap<String, HashSet<String>> = HashMap::new();
    for seed in 0..60 {
        let spans = spans_of(&build(Scenario::LangSmithChain, seed));
        let r = root(&spans);
        let rf = r.llm.as_ref().unwrap();
        assert_eq!(rf.kind, LlmKind::Chain);
        assert!(r.project.as_deref().unwrap().starts_with("support-"));
        let help = rf.evals.iter().find(|e| e.name == "helpfulness").unwrap();
        assert!(help.score.is_some() && help.label.is_some());
        let calls: Vec<_> = spans
            .iter()
            .filter_map(|s| s.llm.as_ref())
            .filter(|f| f.kind.is_model_call())
            .collect();
        assert_eq!(calls.len(), 2);
        for f in &calls {
            assert_eq!(f.kind, LlmKind::Chat);
            assert!(!f.input_messages.is_empty() && !f.output_messages.is_empty());
        }
        let children: u64 = calls.iter().map(|f| f.input_tokens.unwrap()).sum();
        assert_eq!(rf.input_tokens, Some(children), "the chain carries the sum");
        let sum = summary_of(&spans);
        assert_eq!(sum.input_tokens, children, "counted once");
        assert_eq!(sum.llm_calls, 2);
        if let Some(exp) = r.attributes.get("experiment.name").and_then(|v| v.as_str()) {
            assert!(r.attributes.contains_key("dataset.name"));
            let ex = r.attributes["example.id"].as_str().unwrap().to_string();
            examples.entry(exp.to_string()).or_default().insert(ex);
        }
    }
    let (v1, v2) = (&examples["prompt-v1"], &examples["prompt-v2"]);
    assert!(v1.intersection(v2).count() >= 2, "{v1:?} {v2:?}");
}

#[test]
fn support_bot_experiments_compare_with_regressions_on_known_examples() {
    let mut records = Vec::new();
    for seed in 0..200 {
        let spans = spans_of(&build(Scenario::LangSmithChain, seed));
        records.extend(crate::evals::ingest::build_records(
            &spans,
            None,
            &mut |_, _| Vec::new(),
        ));
    }
    crate::evals::source::complete_from_trace(&mut records);
    let c = crate::evals::compare(&records, "prompt-v1", "prompt-v2");
    let regressed: HashSet<(String, String)> = c
        .examples
        .iter()
        .filter(|e| e.change == crate::evals::experiments::Change::Regressed)
        .map(|e| (e.example.clone(), e.evaluator.clone()))
        .collect();
    let expected: HashSet<(String, String)> = [
        ("ex-002", "helpfulness"),
        ("ex-005", "helpfulness"),
        ("ex-004", "correctness"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(regressed, expected);
    assert_eq!(
        c.examples[0].change,
        crate::evals::experiments::Change::Regressed
    );
    // The classify call is what correctness judges.
    let wrong = records
        .iter()
        .find(|r| r.name == "correctness" && r.passed == Some(false))
        .unwrap();
    assert_eq!(wrong.span_name, "ChatOpenAI");
    assert_eq!(wrong.example_id.as_deref(), Some("ex-004"));
}

#[test]
fn unknown_model_has_unknown_cost() {
    let spans = spans_of(&build(Scenario::UnknownModel, 1));
    let f = spans.iter().find_map(|s| s.llm.as_ref()).unwrap();
    assert_eq!(f.kind, LlmKind::Llm);
    assert_eq!(f.provider.as_deref(), Some("acme"));
    assert!(f.input_tokens.is_some());
    assert_eq!(f.cost_usd, None);
    assert_eq!(summary_of(&spans).unpriced_calls, 1);
}

#[test]
fn sessions_continue_for_two_to_five_turns() {
    let mut traffic = Traffic::new(DemoRng::seeded(11));
    let mut runs: Vec<(String, u32)> = Vec::new();
    for _ in 0..400 {
        if let Scenario::AgentRun(t) = traffic.next_scenario() {
            runs.push((t.session_id, t.index));
        }
    }
    let mut by_session: Vec<(String, Vec<u32>)> = Vec::new();
    for (id, index) in runs {
        match by_session.last_mut() {
            Some((last, turns)) if *last == id => turns.push(index),
            _ => by_session.push((id, vec![index])),
        }
    }
    assert!(by_session.len() > 10);
    let ids: HashSet<_> = by_session.iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids.len(),
        by_session.len(),
        "a session is never resumed later"
    );
    let (_, complete) = by_session.split_last().unwrap();
    for (_, turns) in complete {
        assert!((2..=5).contains(&turns.len()), "{turns:?}");
        assert_eq!(*turns, (0..turns.len() as u32).collect::<Vec<_>>());
    }
}

#[test]
fn ids_are_valid_and_unique_and_timing_is_plausible_across_1000_traces() {
    let mut traffic = Traffic::new(DemoRng::seeded(42));
    let prices = PriceTable::builtin();
    let (mut trace_ids, mut span_ids) = (HashSet::new(), HashSet::new());
    let mut services = HashSet::new();
    for i in 0..1000u64 {
        let now = NOW + i * 500_000_000;
        let t = traffic.next_trace(now);
        let out = normalize_traces(&t.traces, &prices);
        assert_eq!(out.rejected, 0);
        assert_eq!(out.spans.len() as u64, t.span_count);
        assert!(trace_ids.insert(t.trace_id), "duplicate trace id");
        services.insert(t.service.clone());
        let ids: HashSet<_> = out.spans.iter().map(|s| s.span_id).collect();
        let r = root(&out.spans);
        assert_eq!(r.name, t.root_name);
        assert_eq!(r.end_unix_nano, now, "the trace just ended");
        for s in &out.spans {
            assert!(span_ids.insert(s.span_id), "duplicate span id");
            assert_eq!(s.trace_id.0, t.trace_id);
            if let Some(p) = s.parent_span_id {
                assert!(ids.contains(&p), "dangling parent");
            }
            assert!(s.start_unix_nano >= r.start_unix_nano && s.end_unix_nano <= now);
            assert!(s.end_unix_nano >= s.start_unix_nano);
            if let Some(f) = s.llm.as_ref().filter(|f| f.kind.is_model_call()) {
                let d = s.end_unix_nano - s.start_unix_nano;
                assert!((50_000_000..=8_000_000_000).contains(&d), "{} {d}", s.name);
                assert!(f.input_tokens.is_some() || s.status.code == StatusCode::Error);
            }
        }
        // However it is cut, the requests carry every span once, the root last.
        let reqs = t.requests();
        let sent: Vec<_> = reqs
            .iter()
            .flat_map(|r| &r.resource_spans)
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| &s.spans)
            .collect();
        assert_eq!(sent.len() as u64, t.span_count);
        assert!(sent.last().unwrap().parent_span_id.is_empty());
    }
    assert_eq!(services.len(), 7, "{services:?}");
}

#[test]
fn traffic_is_deterministic_for_a_seed() {
    let encode = |seed: u64| -> Vec<Vec<u8>> {
        let mut traffic = Traffic::new(DemoRng::seeded(seed));
        (0..50)
            .flat_map(|i| {
                let t = traffic.next_trace(NOW + i);
                let mut out = vec![t.traces.encode_to_vec()];
                out.extend(t.logs.map(|l| l.encode_to_vec()));
                out
            })
            .collect()
    };
    assert_eq!(encode(7), encode(7));
    assert_ne!(encode(7), encode(8));
}

#[test]
fn every_scenario_has_its_own_service_and_sdk_resource() {
    for scenario in all_scenarios(1) {
        let service = scenario.service();
        let t = build(scenario, 5);
        assert_eq!(t.service, service);
        let res = t.traces.resource_spans[0].resource.as_ref().unwrap();
        let keys: Vec<_> = res.attributes.iter().map(|a| a.key.as_str()).collect();
        assert!(keys.contains(&"telemetry.sdk.language"), "{keys:?}");
    }
}
