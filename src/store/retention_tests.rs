//! Retention on both backends: whole traces go oldest first, with their spans, logs,
//! indexes and rollups; what is kept is untouched.

use super::*;
use crate::model::{Attributes, LogRecord, Span, SpanId, SpanKind, Status, TraceId};

const S: u64 = 1_000_000_000;

fn span(trace: u8, id: u8, start_s: u64) -> Span {
    Span {
        trace_id: TraceId([trace; 16]),
        span_id: SpanId([id; 8]),
        parent_span_id: (id > 1).then_some(SpanId([1; 8])),
        name: format!("span-{id}"),
        service: "svc".into(),
        kind: SpanKind::Internal,
        start_unix_nano: start_s * S,
        end_unix_nano: start_s * S + S / 2,
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

fn log(trace: u8, t_s: u64) -> LogRecord {
    LogRecord {
        trace_id: Some(TraceId([trace; 16])),
        span_id: Some(SpanId([1; 8])),
        time_unix_nano: t_s * S,
        observed_time_unix_nano: t_s * S,
        severity_number: 9,
        severity_text: "INFO".into(),
        event_name: None,
        body: crate::model::AttrValue::Str("hello".into()),
        attributes: Attributes::new(),
        service: "svc".into(),
    }
}

fn three_traces(store: &dyn TraceStore) {
    // Traces 1 and 2 in minute 0, trace 3 in minute 1; two spans each.
    for (t, start) in [(1u8, 10u64), (2, 20), (3, 100)] {
        store
            .write(&IngestBatch {
                spans: vec![span(t, 1, start), span(t, 2, start + 1)],
                logs: vec![log(t, start)],
                ..Default::default()
            })
            .unwrap();
    }
}

fn stores() -> Vec<(&'static str, Box<dyn TraceStore>, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let sled = SledStore::open(dir.path(), &SledOptions::default()).unwrap();
    vec![
        (
            "memory",
            Box::new(MemoryStore::new()),
            tempfile::tempdir().unwrap(),
        ),
        ("sled", Box::new(sled), dir),
    ]
}

#[test]
fn max_age_deletes_whole_old_traces_and_their_records() {
    for (name, store, _dir) in stores() {
        three_traces(store.as_ref());
        let policy = RetentionPolicy {
            max_age_nanos: Some(60 * S),
            max_disk_bytes: None,
        };
        let out = store.evict(&policy, 130 * S).unwrap();
        assert_eq!((out.traces, out.spans), (2, 4), "{name}");
        let left: Vec<TraceId> = store
            .list_traces(&TraceQuery::default())
            .unwrap()
            .iter()
            .map(|t| t.trace_id)
            .collect();
        assert_eq!(left, vec![TraceId([3; 16])], "{name}");
        for gone in [1u8, 2] {
            let id = TraceId([gone; 16]);
            assert!(store.trace_summary(id).unwrap().is_none(), "{name}");
            assert!(store.trace_spans(id).unwrap().is_empty(), "{name}");
            assert!(store.trace_logs(id).unwrap().is_empty(), "{name}");
        }
        assert_eq!(store.trace_spans(TraceId([3; 16])).unwrap().len(), 2);
        assert_eq!(store.trace_logs(TraceId([3; 16])).unwrap().len(), 1);
        // Totals and rollups forget what went.
        let stats = store.stats(None).unwrap();
        assert_eq!((stats.traces, stats.totals.spans), (1, 2), "{name}");
        // A second pass has nothing to do.
        assert_eq!(store.evict(&policy, 130 * S).unwrap().traces, 0, "{name}");
        // A late resend of a deleted span is a new trace, not a silent duplicate.
        let again = store.write(&IngestBatch {
            spans: vec![span(1, 1, 10)],
            ..Default::default()
        });
        assert_eq!(again.unwrap().new_spans, 1, "{name}");
    }
}

#[test]
fn max_disk_deletes_the_oldest_traces_until_under_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path(), &SledOptions::default()).unwrap();
    for t in 1..=200u8 {
        let spans: Vec<Span> = (1..=20u8)
            .map(|i| {
                let mut s = span(t, i, 1_000 + t as u64);
                s.attributes.insert(
                    "payload".into(),
                    crate::model::AttrValue::Str("x".repeat(2_000)),
                );
                s
            })
            .collect();
        store
            .write(&IngestBatch {
                spans,
                ..Default::default()
            })
            .unwrap();
    }
    store.flush().unwrap();
    let size = store.size_on_disk().unwrap();
    let policy = RetentionPolicy {
        max_age_nanos: None,
        max_disk_bytes: Some(size / 2),
    };
    let out = store.evict(&policy, 10_000 * S).unwrap();
    assert!(out.traces > 0 && out.traces < 200, "{out:?}");
    let all = TraceQuery {
        limit: Some(10_000),
        ..Default::default()
    };
    let left = store.list_traces(&all).unwrap();
    assert_eq!(left.len() as u64, 200 - out.traces);
    // The newest stayed, the oldest went.
    assert!(left.iter().any(|t| t.trace_id == TraceId([200; 16])));
    assert!(store.trace_summary(TraceId([1; 16])).unwrap().is_none());
    assert_eq!(store.stats(None).unwrap().traces, 200 - out.traces);
    // Under the limit, nothing goes.
    let relaxed = RetentionPolicy {
        max_age_nanos: None,
        max_disk_bytes: Some(size * 10),
    };
    assert_eq!(store.evict(&relaxed, 10_000 * S).unwrap().traces, 0);
}
