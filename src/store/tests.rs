//! Store behaviour on both backends: de-duplication, out-of-order arrival, no double
//! counting, indexes, rollups, logs and persistence.

use super::*;
use crate::model::{
    AttrValue, Attributes, LlmFacet, LlmKind, SpanId, SpanKind, Status, StatusCode,
};

fn span(trace: u8, id: u8, parent: Option<u8>, start_s: u64) -> Span {
    Span {
        trace_id: TraceId([trace; 16]),
        span_id: SpanId([id; 8]),
        parent_span_id: parent.map(|p| SpanId([p; 8])),
        name: format!("span-{id}"),
        service: "svc".into(),
        kind: SpanKind::Internal,
        start_unix_nano: start_s * 1_000_000_000,
        end_unix_nano: start_s * 1_000_000_000 + 500_000_000,
        status: Status::default(),
        attributes: Attributes::new(),
        resource: Attributes::new(),
        scope: String::new(),
        events: vec![],
        session: None,
        project: None,
        llm: None,
    }
}

fn llm(
    mut s: Span,
    kind: LlmKind,
    model: &str,
    input: u64,
    output: u64,
    cost: Option<f64>,
) -> Span {
    let mut f = LlmFacet::new(kind);
    f.request_model = Some(model.into());
    f.input_tokens = Some(input);
    f.output_tokens = Some(output);
    f.cost_usd = cost;
    s.llm = Some(f);
    s
}

fn batch(spans: Vec<Span>) -> IngestBatch {
    IngestBatch {
        spans,
        ..Default::default()
    }
}

fn stores() -> Vec<(&'static str, Box<dyn TraceStore>, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let sled = SledStore::open(dir.path(), &SledOptions::default()).unwrap();
    vec![
        ("memory", Box::new(MemoryStore::new()), None),
        ("sled", Box::new(sled), Some(dir)),
    ]
}

#[test]
fn root_arriving_last_names_the_trace_and_moves_its_start() {
    for (name, store, _dir) in stores() {
        store.write(&batch(vec![span(1, 2, Some(1), 20)])).unwrap();
        let s = store.trace_summary(TraceId([1; 16])).unwrap().unwrap();
        assert_eq!(s.root_name, "span-2", "{name}: provisional root");
        store.write(&batch(vec![span(1, 1, None, 10)])).unwrap();
        let s = store.trace_summary(TraceId([1; 16])).unwrap().unwrap();
        assert_eq!(s.root_name, "span-1", "{name}");
        assert_eq!(s.span_count, 2, "{name}");
        assert_eq!(s.start_unix_nano, 10_000_000_000, "{name}");
        // The time index holds the trace once, at its new start.
        let listed = store.list_traces(&TraceQuery::default()).unwrap();
        assert_eq!(listed.len(), 1, "{name}: {listed:?}");
        // A later child does not take the root's name.
        store.write(&batch(vec![span(1, 3, Some(1), 5)])).unwrap();
        let s = store.trace_summary(TraceId([1; 16])).unwrap().unwrap();
        assert_eq!(s.root_name, "span-1", "{name}");
        assert_eq!(store.list_traces(&TraceQuery::default()).unwrap().len(), 1);
    }
}

#[test]
fn resent_spans_are_stored_and_counted_once() {
    for (name, store, _dir) in stores() {
        let s = llm(
            span(1, 2, None, 1),
            LlmKind::Chat,
            "gpt-4o-mini",
            42,
            17,
            Some(0.01),
        );
        let out = store.write(&batch(vec![s.clone(), s.clone()])).unwrap();
        assert_eq!((out.new_spans, out.duplicate_spans), (1, 1), "{name}");
        let out = store.write(&batch(vec![s])).unwrap();
        assert_eq!((out.new_spans, out.duplicate_spans), (0, 1), "{name}");
        let sum = store.trace_summary(TraceId([1; 16])).unwrap().unwrap();
        assert_eq!(
            (sum.span_count, sum.input_tokens, sum.llm_calls),
            (1, 42, 1),
            "{name}"
        );
        let stats = store.stats(None).unwrap();
        assert_eq!(stats.totals.spans, 1, "{name}");
        assert_eq!(stats.totals.input_tokens, 42, "{name}");
        assert_eq!(stats.traces, 1, "{name}");
    }
}

#[test]
fn chain_usage_is_not_added_to_its_llm_children() {
    for (name, store, _dir) in stores() {
        let chain = llm(
            span(1, 1, None, 1),
            LlmKind::Chain,
            "gpt-4o",
            100,
            40,
            Some(0.5),
        );
        let a = llm(
            span(1, 2, Some(1), 2),
            LlmKind::Chat,
            "gpt-4o",
            60,
            20,
            Some(0.3),
        );
        let b = llm(
            span(1, 3, Some(1), 3),
            LlmKind::Chat,
            "gpt-4o",
            40,
            20,
            Some(0.2),
        );
        store.write(&batch(vec![a, chain, b])).unwrap();
        let s = store.trace_summary(TraceId([1; 16])).unwrap().unwrap();
        assert_eq!(
            (s.llm_calls, s.input_tokens, s.output_tokens),
            (2, 100, 40),
            "{name}"
        );
        assert!((s.cost_usd.unwrap() - 0.5).abs() < 1e-9, "{name}");
        let stats = store.stats(None).unwrap();
        assert_eq!(stats.by_model.len(), 1, "{name}");
        assert_eq!(stats.by_model[0].totals.llm_calls, 2, "{name}");
        assert_eq!(stats.by_model[0].totals.input_tokens, 100, "{name}");
    }
}

#[test]
fn unknown_cost_stays_unknown() {
    for (name, store, _dir) in stores() {
        let s = llm(
            span(1, 1, None, 1),
            LlmKind::Chat,
            "mystery-model",
            10,
            5,
            None,
        );
        store.write(&batch(vec![s])).unwrap();
        let sum = store.trace_summary(TraceId([1; 16])).unwrap().unwrap();
        assert_eq!(sum.cost_usd, None, "{name}");
        assert_eq!(sum.unpriced_calls, 1, "{name}");
        let json = store.stats(None).unwrap().to_json();
        assert_eq!(json["cost_usd"], serde_json::Value::Null, "{name}");
        assert_eq!(json["by_model"][0]["unpriced_calls"], 1, "{name}");
    }
}

#[test]
fn filters_pick_errors_service_model_and_time() {
    for (name, store, _dir) in stores() {
        let mut bad = span(2, 1, None, 200);
        bad.status = Status {
            code: StatusCode::Error,
            message: "boom".into(),
        };
        bad.service = "billing".into();
        let ok = llm(
            span(3, 1, None, 300),
            LlmKind::Chat,
            "gpt-4o-mini-2024-07-18",
            1,
            1,
            None,
        );
        let old = span(1, 1, None, 100);
        store.write(&batch(vec![bad, ok, old])).unwrap();
        let all = store.list_traces(&TraceQuery::default()).unwrap();
        let ids: Vec<u8> = all.iter().map(|s| s.trace_id.0[0]).collect();
        assert_eq!(ids, vec![3, 2, 1], "{name}: newest first");
        let q = |f: fn(&mut TraceQuery)| {
            let mut q = TraceQuery::default();
            f(&mut q);
            store
                .list_traces(&q)
                .unwrap()
                .iter()
                .map(|s| s.trace_id.0[0])
                .collect::<Vec<_>>()
        };
        assert_eq!(q(|q| q.errors_only = true), vec![2], "{name}");
        assert_eq!(q(|q| q.service = Some("BILL".into())), vec![2], "{name}");
        assert_eq!(
            q(|q| q.model = Some("gpt-4o-mini".into())),
            vec![3],
            "{name}"
        );
        assert_eq!(
            q(|q| q.since_unix_nano = Some(150_000_000_000)),
            vec![3, 2],
            "{name}"
        );
        assert_eq!(q(|q| q.limit = Some(1)), vec![3], "{name}");
        let stats = store.stats(Some(250_000_000_000)).unwrap();
        assert_eq!((stats.traces, stats.totals.spans), (1, 1), "{name}");
        assert_eq!(store.stats(None).unwrap().totals.errors, 1, "{name}");
    }
}

#[test]
fn logs_are_joined_by_trace() {
    for (name, store, _dir) in stores() {
        let log = LogRecord {
            trace_id: Some(TraceId([1; 16])),
            span_id: Some(SpanId([2; 8])),
            time_unix_nano: 5,
            observed_time_unix_nano: 0,
            severity_number: 9,
            severity_text: "INFO".into(),
            event_name: Some("gen_ai.client.inference.operation.details".into()),
            body: AttrValue::Str("hi".into()),
            attributes: Attributes::new(),
            service: "svc".into(),
        };
        let mut b = batch(vec![span(1, 2, None, 1)]);
        b.logs.push(log.clone());
        b.logs.push(LogRecord {
            trace_id: None,
            ..log.clone()
        });
        let out = store.write(&b).unwrap();
        assert_eq!(out.logs, 2, "{name}");
        assert_eq!(
            store.trace_logs(TraceId([1; 16])).unwrap(),
            vec![log],
            "{name}"
        );
    }
}

#[test]
fn sled_store_keeps_everything_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path(), &SledOptions::default()).unwrap();
        let s = llm(
            span(7, 1, None, 1),
            LlmKind::Chat,
            "gpt-4o",
            3,
            4,
            Some(1.0),
        );
        store
            .write(&batch(vec![s, span(7, 2, Some(1), 2)]))
            .unwrap();
        store.flush().unwrap();
    }
    let store = SledStore::open(dir.path(), &SledOptions::default()).unwrap();
    let spans = store.trace_spans(TraceId([7; 16])).unwrap();
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0].llm.as_ref().unwrap().input_tokens, Some(3));
    assert_eq!(store.stats(None).unwrap().traces, 1);
    assert_eq!(store.stats(None).unwrap().totals.spans, 2);
}

#[tokio::test]
async fn writer_acknowledges_after_commit_and_announces_ids() {
    let store: std::sync::Arc<dyn TraceStore> = std::sync::Arc::new(MemoryStore::new());
    let (writer, handle) = Writer::spawn(store.clone(), 8);
    let mut live = handle.subscribe();
    handle
        .write(batch(vec![span(9, 1, None, 1)]))
        .await
        .unwrap();
    assert!(store.trace_summary(TraceId([9; 16])).unwrap().is_some());
    match live.recv().await.unwrap() {
        LiveEvent::TracesChanged(ids) => assert_eq!(&ids[..], &[TraceId([9; 16])]),
    }
    drop(handle);
    writer.join();
}

#[test]
fn a_trace_written_in_many_batches_reads_back_whole_and_in_order() {
    for (name, store, _dir) in stores() {
        store.write(&batch(vec![span(4, 3, Some(1), 30)])).unwrap();
        store
            .write(&batch(vec![span(4, 1, None, 10), span(5, 1, None, 5)]))
            .unwrap();
        store
            .write(&batch(vec![
                span(4, 2, Some(1), 20),
                span(4, 3, Some(1), 30),
            ]))
            .unwrap();
        let ids: Vec<u8> = store
            .trace_spans(TraceId([4; 16]))
            .unwrap()
            .iter()
            .map(|s| s.span_id.0[0])
            .collect();
        assert_eq!(ids, vec![1, 2, 3], "{name}");
        assert_eq!(
            store.trace_spans(TraceId([5; 16])).unwrap().len(),
            1,
            "{name}"
        );
    }
}
