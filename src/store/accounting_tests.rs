//! Wrapper calls and affected failures arriving in separate export requests: the
//! summary, `stats` and its per-model rows correct themselves when the child
//! arrives, on both backends.

use super::*;
use crate::model::{LlmFacet, LlmKind, StatusCode, TraceId};

/// Span `id` under `parent`, one minute apart (the analyses' test builder).
fn span(id: u8, parent: Option<u8>) -> Span {
    let mut s = crate::trace_analysis::test_spans::span(id, parent, &format!("span-{id}"), 0, 0);
    s.trace_id = TraceId([3; 16]);
    s.service = "svc".into();
    s.start_unix_nano = 60_000_000_000 * u64::from(id);
    s.end_unix_nano = s.start_unix_nano + 5_000_000;
    s
}

fn call(id: u8, parent: Option<u8>, model: &str, usage: bool) -> Span {
    let mut s = span(id, parent);
    let mut f = LlmFacet::new(LlmKind::Chat);
    f.response_model = Some(model.into());
    if usage {
        f.input_tokens = Some(42);
        f.output_tokens = Some(17);
        f.cost_usd = Some(0.25);
    }
    s.llm = Some(f);
    s
}

fn stores() -> Vec<(&'static str, Box<dyn TraceStore>, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let sled = SledStore::open(dir.path(), &SledOptions::default()).unwrap();
    vec![
        ("memory", Box::new(MemoryStore::new()), None),
        ("sled", Box::new(sled), Some(dir)),
    ]
}

fn write_each(store: &dyn TraceStore, spans: &[Span]) {
    for s in spans {
        store
            .write(&IngestBatch {
                spans: vec![s.clone()],
                ..Default::default()
            })
            .unwrap();
    }
}

#[test]
fn a_wrapper_stops_counting_when_its_child_arrives_in_a_later_request() {
    // The wrapper started a minute before its child: different rollups.
    let wrapper = call(1, None, "gpt-4o-mini", false);
    let child = call(2, Some(1), "gpt-4o-mini-2024-07-18", true);
    for order in [[&wrapper, &child], [&child, &wrapper]] {
        for (name, store, _dir) in stores() {
            let spans: Vec<Span> = order.iter().map(|s| (*s).clone()).collect();
            write_each(store.as_ref(), &spans);
            let stats = store.stats(None).unwrap();
            let first = &spans[0].name;
            assert_eq!(stats.totals.llm_calls, 1, "{name}, {first} first");
            assert_eq!(stats.totals.unpriced_calls, 0, "{name}, {first} first");
            assert_eq!(stats.totals.known_cost(), Some(0.25), "{name}");
            // One model row, by its canonical name, with one call.
            assert_eq!(stats.by_model.len(), 1, "{name}: {:?}", stats.by_model);
            assert_eq!(stats.by_model[0].model, "gpt-4o-mini");
            assert_eq!(stats.by_model[0].totals.llm_calls, 1);
            assert_eq!(stats.by_model[0].totals.latency_hist.iter().sum::<u64>(), 1);
            let s = store.trace_summary(TraceId([3; 16])).unwrap().unwrap();
            assert_eq!((s.llm_calls, s.unpriced_calls), (1, 0), "{name}");
            assert_eq!(s.cost_usd, Some(0.25), "{name}");
            // The cost panel's records follow the summary.
            let cost = store.cost_data(None, None).unwrap();
            let calls: u64 = cost.rollups.iter().map(|r| r.3.llm_calls).sum();
            assert_eq!(calls, 1, "{name}");
        }
    }
}

#[test]
fn an_ancestor_recording_the_same_failure_is_not_a_second_error() {
    let mut parent = span(1, None);
    parent.status.code = StatusCode::Error;
    let mut child = call(2, Some(1), "gpt-4o-mini", false);
    child.status.code = StatusCode::Error;
    for order in [[&parent, &child], [&child, &parent]] {
        for (name, store, _dir) in stores() {
            let spans: Vec<Span> = order.iter().map(|s| (*s).clone()).collect();
            write_each(store.as_ref(), &spans);
            let stats = store.stats(None).unwrap();
            assert_eq!(stats.totals.errors, 1, "{name}");
            assert_eq!(stats.by_model[0].totals.errors, 1, "{name}");
            let s = store.trace_summary(TraceId([3; 16])).unwrap().unwrap();
            assert_eq!(s.error_count, 1, "{name}");
            assert_eq!(s.accounting.affected, 1, "{name}");
            let listed = store
                .list_traces(&TraceQuery {
                    errors_only: true,
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(listed.len(), 1, "{name}");
        }
    }
}
