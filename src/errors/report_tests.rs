//! The timeline's data: the fixtures' rate-limited path through the store, error
//! records under out-of-order and duplicate spans, and groups with their retry
//! chains and fallbacks from synthetic traces.

use std::path::Path;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message as _;

use super::*;
use crate::errors::classify::ClassRule;
use crate::model::{
    AttrValue, Attributes, LlmFacet, LlmKind, LogRecord, Span, SpanEvent, SpanKind, Status,
    StatusCode,
};
use crate::normalize::{normalize_logs, normalize_traces};
use crate::pricing::PriceTable;
use crate::store::{IngestBatch, MemoryStore, TraceStore};

const MS: u64 = 1_000_000;
/// 2026-11-27 21:00:00 UTC.
const T0: u64 = 1_795_813_200_000_000_000;

fn store_with_folder(folder: &str) -> MemoryStore {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(folder);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pb"))
        .collect();
    files.sort();
    let store = MemoryStore::new();
    let prices = PriceTable::builtin();
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let mut batch = IngestBatch::default();
        if f.to_string_lossy().contains("logs") {
            let req = ExportLogsServiceRequest::decode(bytes.as_slice()).unwrap();
            batch.logs = normalize_logs(&req).logs;
        } else {
            let req = ExportTraceServiceRequest::decode(bytes.as_slice()).unwrap();
            batch.spans = normalize_traces(&req, &prices).spans;
        }
        store.write(&batch).unwrap();
    }
    store
}

#[test]
fn the_fixtures_rate_limited_path_is_one_rate_limit_group() {
    for folder in ["openai-v2", "openai-v2-events", "openinference", "plain"] {
        let store = store_with_folder(folder);
        let window = load_window(&store, None, u64::MAX).unwrap();
        let report = ErrorReport::build(&window, &Classifier::default(), TimeWindow::All);
        let rate: Vec<&ErrorGroup> = report
            .groups
            .iter()
            .filter(|g| g.class == "rate_limit")
            .collect();
        assert_eq!(rate.len(), 1, "{folder}: {:#?}", report.groups);
        let g = rate[0];
        // The failed chat call; `agent.run.flaky`, which re-raised it, is affected.
        assert_eq!(g.count, 1, "{folder}: {g:#?}");
        assert_eq!(report.affected, 1, "{folder}");
        assert_eq!(report.total, 1, "{folder}");
        // Nothing retried or replaced it: saved by nothing.
        assert_eq!(
            (g.rescued_by_retry, g.rescued_by_fallback, g.unrescued),
            (0, 0, 1),
            "{folder}"
        );
        assert_eq!(g.traces, 1, "{folder}");
        assert!(
            g.message.contains("Rate limit reached"),
            "{folder}: {}",
            g.message
        );
        assert!(
            g.models.iter().any(|m| m.starts_with("gpt-4o-mini")),
            "{folder}: {g:#?}"
        );
        let names: Vec<&str> = g.occurrences.iter().map(|o| o.span_name.as_str()).collect();
        assert!(!names.contains(&"agent.run.flaky"), "{folder}: {names:?}");
        // The call's occurrence shows the stack trace its parent recorded.
        let call = &g.occurrences[0];
        assert!(
            call.stacktrace
                .as_deref()
                .is_some_and(|s| s.contains("Traceback")),
            "{folder}"
        );
        // The SDK retried inside one span: no chain of spans, and the run failed.
        assert_eq!(g.retry_chains, 0, "{folder}");
        assert_eq!(report.traces.failed, 1, "{folder}");
        assert_eq!(report.traces.degraded, 0, "{folder}");
    }
}

fn span(trace: u8, n: u8, parent: Option<u8>, start_ms: u64, dur_ms: u64) -> Span {
    Span {
        trace_id: TraceId([trace; 16]),
        span_id: SpanId([n; 8]),
        parent_span_id: parent.map(|p| SpanId([p; 8])),
        name: "summarize".into(),
        service: "batch-summarizer".into(),
        kind: SpanKind::Internal,
        start_unix_nano: T0 + start_ms * MS,
        end_unix_nano: T0 + (start_ms + dur_ms) * MS,
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

/// A chat call; failed ones look like the demo's 429s (with a varying message).
fn chat(trace: u8, n: u8, start_ms: u64, model: &str, provider: &str, failed: bool) -> Span {
    let mut s = span(trace, n, Some(1), start_ms, 300);
    s.name = format!("chat {model}");
    s.kind = SpanKind::Client;
    let mut llm = LlmFacet::new(LlmKind::Chat);
    llm.request_model = Some(model.into());
    llm.provider = Some(provider.into());
    s.llm = Some(llm);
    if failed {
        let msg = format!(
            "Error code: 429 - Rate limit reached for {model}: Used {}, Requested {}. Please try again in 1.{n}s.",
            29_000 + u32::from(n) * 7,
            600 + u32::from(trace)
        );
        s.status = Status {
            code: StatusCode::Error,
            message: msg.clone(),
        };
        s.attributes
            .insert("http.response.status_code".into(), AttrValue::Int(429));
        let mut ev = Attributes::new();
        ev.insert(
            "exception.type".into(),
            AttrValue::Str("openai.RateLimitError".into()),
        );
        ev.insert("exception.message".into(), AttrValue::Str(msg));
        ev.insert(
            "exception.stacktrace".into(),
            AttrValue::Str("Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nopenai.RateLimitError: 429\n".into()),
        );
        s.events.push(SpanEvent {
            name: "exception".into(),
            time_unix_nano: s.end_unix_nano,
            attributes: ev,
        });
    }
    s
}

/// Three traces: retried ok (trace 1), fell back (2), gave up (3).
fn demo_like() -> Vec<Span> {
    let last = chat(3, 4, 2_100, "gpt-4o", "openai", true);
    let mut gave_up_root = span(3, 1, None, 0, 3_000);
    gave_up_root.status = Status {
        code: StatusCode::Error,
        message: "gave up after 3 attempts".into(),
    };
    // Like the demo: the root re-raises the last attempt's exception.
    gave_up_root.events = last.events.clone();
    vec![
        span(1, 1, None, 0, 3_000),
        chat(1, 2, 10, "gpt-4o", "openai", true),
        chat(1, 3, 820, "gpt-4o", "openai", false),
        span(2, 1, None, 60_000, 3_000),
        chat(2, 2, 60_010, "gpt-4o", "openai", true),
        chat(2, 3, 60_800, "claude-haiku-4-5", "anthropic", false),
        gave_up_root,
        chat(3, 2, 10, "gpt-4o", "openai", true),
        chat(3, 3, 820, "gpt-4o", "openai", true),
        last,
    ]
}

fn report_of(store: &MemoryStore) -> ErrorReport {
    let window = load_window(store, None, T0 + 3_600_000 * MS).unwrap();
    ErrorReport::build(&window, &Classifier::default(), TimeWindow::All)
}

#[test]
fn rate_limits_group_with_their_chains_fallbacks_and_outcomes() {
    let store = MemoryStore::new();
    store
        .write(&IngestBatch {
            spans: demo_like(),
            ..Default::default()
        })
        .unwrap();
    let report = report_of(&store);
    // The root that re-raised the last 429 is affected, not a sixth error.
    assert_eq!(report.total, 5);
    assert_eq!(report.affected, 1);
    assert_eq!(report.groups.len(), 1, "{:#?}", report.groups);
    let g = &report.groups[0];
    assert_eq!(g.class, "rate_limit");
    assert_eq!(g.error_type.as_deref(), Some("openai.RateLimitError"));
    assert_eq!(g.count, 5);
    assert_eq!(g.traces, 3);
    assert_eq!(
        g.retry_chains, 2,
        "trace 1's ok retry and trace 3's failed one"
    );
    assert_eq!(g.retry_attempts, 4);
    assert_eq!(
        (g.rescued_by_retry, g.rescued_by_fallback, g.unrescued),
        (1, 1, 1)
    );
    assert_eq!(g.models, vec!["gpt-4o".to_string()]);
    assert_eq!(g.first_seen, T0 + 310 * MS);
    let newest = &g.occurrences[0];
    assert_eq!(newest.trace_id, TraceId([2; 16]));
    assert_eq!(
        newest.role.as_deref(),
        Some("→ fallback to claude-haiku-4-5")
    );
    let roles: Vec<&str> = g
        .occurrences
        .iter()
        .filter_map(|o| o.role.as_deref())
        .collect();
    assert!(roles.contains(&"attempt 1/2 → retry ok"), "{roles:?}");
    assert!(roles.contains(&"attempt 3/3 → gave up"), "{roles:?}");
    let gave_up = g
        .occurrences
        .iter()
        .find(|o| o.role.as_deref() == Some("attempt 3/3 → gave up"))
        .unwrap();
    // Attempts at 10, 820 and 2,100 ms, each 300 ms long.
    assert_eq!(
        gave_up.chain.as_deref(),
        Some("3 attempts of gpt-4o, waits 510ms 980ms → gave up")
    );
    assert_eq!(
        report.traces,
        TraceCounts {
            with_errors: 3,
            failed: 1,
            degraded: 2,
            retried: 2,
            fell_back: 1
        }
    );
    // Two minutes with errors, all rate limits.
    assert_eq!(report.minutes.len(), 2);
    let rl = report
        .classes
        .iter()
        .position(|c| c == "rate_limit")
        .unwrap();
    assert_eq!(report.class_totals()[rl], 5);
    let json = report.to_json(1);
    assert_eq!(json["groups"][0]["retry_chains"], 2);
    assert_eq!(
        json["groups"][0]["occurrences"].as_array().unwrap().len(),
        1
    );
    assert_eq!(json["by_class"][0]["class"], "rate_limit");
}

#[test]
fn records_do_not_depend_on_span_order_or_resends() {
    let spans = demo_like();
    let in_order = MemoryStore::new();
    in_order
        .write(&IngestBatch {
            spans: spans.clone(),
            ..Default::default()
        })
        .unwrap();
    // Root last, one span per write, and every span sent twice.
    let shuffled = MemoryStore::new();
    let mut rev = spans.clone();
    rev.reverse();
    for s in rev.iter().chain(spans.iter()) {
        shuffled
            .write(&IngestBatch {
                spans: vec![s.clone(), s.clone()],
                ..Default::default()
            })
            .unwrap();
    }
    let a = in_order.error_records(None, 100).unwrap();
    let b = shuffled.error_records(None, 100).unwrap();
    assert_eq!(a.records.len(), 6);
    assert_eq!(a, b);
    assert_eq!(report_of(&in_order), report_of(&shuffled));
}

#[test]
fn the_window_reads_only_its_records_newest_first() {
    let store = MemoryStore::new();
    store
        .write(&IngestBatch {
            spans: demo_like(),
            ..Default::default()
        })
        .unwrap();
    let recent = store.error_records(Some(T0 + 30_000 * MS), 100).unwrap();
    assert_eq!(
        recent.records.len(),
        1,
        "only trace 2's failure is after 30s"
    );
    let capped = store.error_records(None, 2).unwrap();
    assert!(capped.truncated);
    assert!(capped.records[0].time_unix_nano >= capped.records[1].time_unix_nano);
}

#[test]
fn error_logs_become_records_and_a_config_class_regroups_them() {
    let store = MemoryStore::new();
    let log = LogRecord {
        trace_id: Some(TraceId([5; 16])),
        span_id: Some(SpanId([2; 8])),
        time_unix_nano: T0,
        observed_time_unix_nano: T0,
        severity_number: 17,
        severity_text: "ERROR".into(),
        event_name: None,
        body: AttrValue::Str("You exceeded your current quota (org 4812)".into()),
        attributes: Attributes::new(),
        service: "billing".into(),
    };
    store
        .write(&IngestBatch {
            logs: vec![log],
            ..Default::default()
        })
        .unwrap();
    let window = load_window(&store, None, T0).unwrap();
    let builtin = ErrorReport::build(&window, &Classifier::default(), TimeWindow::All);
    assert_eq!(builtin.groups[0].class, "other");
    assert_eq!(builtin.groups[0].count, 1);
    assert_eq!(
        builtin.groups[0].occurrences[0].span_id,
        Some(SpanId([2; 8]))
    );
    let quota = ClassRule {
        name: "quota".into(),
        match_message: crate::errors::classify::Patterns(vec!["quota".into()]),
        ..Default::default()
    };
    let custom = ErrorReport::build(&window, &Classifier::new(vec![quota]), TimeWindow::All);
    assert_eq!(custom.groups[0].class, "quota");
    assert_eq!(
        custom.groups[0].message,
        "You exceeded your current quota (org <n>)"
    );
}

#[test]
fn windows_cycle_and_start_where_they_say() {
    let mut w = TimeWindow::Minutes15;
    let labels: Vec<&str> = (0..4)
        .map(|_| {
            let l = w.label();
            w = w.next();
            l
        })
        .collect();
    assert_eq!(labels, ["15m", "1h", "24h", "all"]);
    assert_eq!(w, TimeWindow::Minutes15);
    assert_eq!(TimeWindow::Hour1.since(T0), Some(T0 - 3_600_000 * MS));
    assert_eq!(TimeWindow::All.since(T0), None);
}

#[test]
fn the_demo_rate_limits_are_one_group_with_retry_chains_fallbacks_and_degraded_traces() {
    use crate::demo::{DemoRng, Scenario, build_trace};
    let store = MemoryStore::new();
    let prices = PriceTable::builtin();
    for seed in 0..60 {
        let t = build_trace(Scenario::RateLimited, &mut DemoRng::seeded(seed), T0);
        // As the demo sends them: in its split, root last or per span.
        for req in t.requests() {
            let batch = IngestBatch {
                spans: normalize_traces(&req, &prices).spans,
                ..Default::default()
            };
            store.write(&batch).unwrap();
        }
    }
    let report = report_of(&store);
    assert_eq!(report.groups.len(), 1, "{:#?}", report.groups);
    let g = &report.groups[0];
    assert_eq!(g.class, "rate_limit");
    assert_eq!(g.traces, 60);
    assert!(g.retry_chains > 10, "{g:#?}");
    assert!(g.rescued_by_retry > 5 && g.rescued_by_fallback > 5 && g.unrescued > 5);
    assert!(report.traces.degraded > 20 && report.traces.failed > 5);
    assert_eq!(
        report.traces.degraded + report.traces.failed,
        60,
        "a run either failed or succeeded with errors inside"
    );
}
