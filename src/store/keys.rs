//! The key layout. One ordered keyspace; the first byte names the table, the rest is
//! big-endian so byte order is time order.
//!
//! | prefix | key                                   | value            |
//! |--------|---------------------------------------|------------------|
//! | `b`    | trace(16)                             | the trace's bucket (`u64`): an id taken at its first write |
//! | `s`    | bucket(8) trace(16) seq(8)            | `Vec<Span>`: the spans of one trace from one write |
//! | `d`    | bucket(8) trace(16) span(8)           | empty: this span is stored (de-duplication) |
//! | `t`    | trace(16)                             | `TraceSummary`   |
//! | `i`    | start_ns(8) trace(16)                 | empty (by time)  |
//! | `e`    | start_ns(8) trace(16)                 | empty (errors)   |
//! | `l`    | trace(16) time(8) seq(8)              | `LogRecord`      |
//! | `u`    | time(8) seq(8)                        | `LogRecord` without trace |
//! | `x`    | time(8) seq(8)                        | raw metrics body |
//! | `r`    | minute(8) service 0x00 model          | `Rollup`         |
//! | `f`    | time(8) trace(16) span(8) source(1) seq(8) | `ErrorRecord` (errors::records) |
//! | `v`    | time(8) trace(16) span(8) index(4)    | `EvalRecord`     |
//! | `M`    | name                                  | metadata         |

//!
//! Spans and their de-duplication marks are keyed by the trace's bucket first, so
//! they are written at the end of the keyspace in arrival order and retention deletes
//! them from the front, whole pages at a time: in a log-structured store (sled) the
//! space is reused instead of fragmenting into pages that each hold a few live spans
//! of random traces (docs/RELIABILITY.md, the soak).

use crate::model::{SpanId, TraceId};

pub const SPAN: u8 = b's';
pub const TRACE_BUCKET: u8 = b'b';
pub const SPAN_SEEN: u8 = b'd';
pub const TRACE: u8 = b't';
pub const BY_TIME: u8 = b'i';
pub const BY_ERROR: u8 = b'e';
pub const LOG: u8 = b'l';
pub const UNLINKED_LOG: u8 = b'u';
pub const METRICS: u8 = b'x';
pub const ROLLUP: u8 = b'r';
pub const ERROR_RECORD: u8 = b'f';

/// Tables keyed by trace first: a trace's records there go with it.
pub const PER_TRACE_TABLES: &[u8] = &[LOG];
/// Tables keyed by the trace's bucket, then the trace: its records there go with it.
pub const PER_BUCKET_TABLES: &[u8] = &[SPAN, SPAN_SEEN];
/// Tables keyed by time first (8 bytes BE after the prefix): retention drops the
/// records older than the oldest trace kept.
pub const TIME_KEYED_TABLES: &[u8] = &[UNLINKED_LOG, METRICS, ERROR_RECORD, EVAL];
/// Tables keyed by minute first (8 bytes BE): rollups and the cost panel's group
/// rollups and top traces (`cost_records.rs`); retention drops older minutes.
pub const MINUTE_KEYED_TABLES: &[u8] = &[ROLLUP, b'G', b'K'];
/// Evaluation results (`crate::evals::EvalRecord`), by time.
pub const EVAL: u8 = b'v';

pub const META_SCHEMA: &[u8] = b"Mschema";
pub const META_COUNTS: &[u8] = b"Mcounts";

/// A trace's spans are stored in chunks (one per write that carried some of them), so
/// opening a 10,000-span trace reads a few dozen records, not 10,000.
pub fn span_chunk(bucket: u64, trace: TraceId, seq: u64) -> Vec<u8> {
    let mut k = bucket_prefix(SPAN, bucket, trace);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Marks one span as stored.
pub fn span_seen(bucket: u64, trace: TraceId, span: SpanId) -> Vec<u8> {
    let mut k = bucket_prefix(SPAN_SEEN, bucket, trace);
    k.extend_from_slice(&span.0);
    k
}

/// The prefix of one trace's records in a bucket-keyed table.
pub fn bucket_prefix(table: u8, bucket: u64, trace: TraceId) -> Vec<u8> {
    let mut k = Vec::with_capacity(33);
    k.push(table);
    k.extend_from_slice(&bucket.to_be_bytes());
    k.extend_from_slice(&trace.0);
    k
}

pub fn trace_bucket(trace: TraceId) -> Vec<u8> {
    trace_prefix(TRACE_BUCKET, trace)
}

pub fn trace_prefix(table: u8, trace: TraceId) -> Vec<u8> {
    let mut k = Vec::with_capacity(17);
    k.push(table);
    k.extend_from_slice(&trace.0);
    k
}

pub fn summary(trace: TraceId) -> Vec<u8> {
    trace_prefix(TRACE, trace)
}

/// `by_time` or `by_error` entry.
pub fn timed_trace(table: u8, start_ns: u64, trace: TraceId) -> Vec<u8> {
    let mut k = Vec::with_capacity(25);
    k.push(table);
    k.extend_from_slice(&start_ns.to_be_bytes());
    k.extend_from_slice(&trace.0);
    k
}

/// Trace id from a `by_time`/`by_error` key.
pub fn trace_of_timed(key: &[u8]) -> Option<TraceId> {
    key.get(9..25).and_then(|b| TraceId::from_bytes(b).ok())
}

pub fn log(trace: TraceId, time_ns: u64, seq: u64) -> Vec<u8> {
    let mut k = trace_prefix(LOG, trace);
    k.extend_from_slice(&time_ns.to_be_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

pub fn timed_seq(table: u8, time_ns: u64, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(17);
    k.push(table);
    k.extend_from_slice(&time_ns.to_be_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// An error record: by time, then trace and span. A span's record has seq 0 (a
/// resent span writes the same key); a log's has the log's own sequence number.
pub fn error_record(
    time_ns: u64,
    trace: TraceId,
    span: Option<SpanId>,
    log_seq: Option<u64>,
) -> Vec<u8> {
    let mut k = Vec::with_capacity(42);
    k.push(ERROR_RECORD);
    k.extend_from_slice(&time_ns.to_be_bytes());
    k.extend_from_slice(&trace.0);
    k.extend_from_slice(&span.map(|s| s.0).unwrap_or([0; 8]));
    k.push(u8::from(log_seq.is_some()));
    k.extend_from_slice(&log_seq.unwrap_or(0).to_be_bytes());
    k
}

pub fn rollup(minute: u64, service: &str, model: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(10 + service.len() + model.len());
    k.push(ROLLUP);
    k.extend_from_slice(&minute.to_be_bytes());
    k.extend_from_slice(service.as_bytes());
    k.push(0);
    k.extend_from_slice(model.as_bytes());
    k
}

/// (minute, service, model) from a rollup key.
pub fn parse_rollup(key: &[u8]) -> Option<(u64, String, String)> {
    let minute = u64::from_be_bytes(key.get(1..9)?.try_into().ok()?);
    let rest = key.get(9..)?;
    let nul = rest.iter().position(|b| *b == 0)?;
    Some((
        minute,
        String::from_utf8_lossy(&rest[..nul]).into_owned(),
        String::from_utf8_lossy(&rest[nul + 1..]).into_owned(),
    ))
}

/// An eval record: the time of the span it arrived on, the trace, that span and
/// the result's position on it (so a re-sent span rewrites the same keys).
pub fn eval(time_ns: u64, trace: TraceId, span: SpanId, index: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(37);
    k.push(EVAL);
    k.extend_from_slice(&time_ns.to_be_bytes());
    k.extend_from_slice(&trace.0);
    k.extend_from_slice(&span.0);
    k.extend_from_slice(&index.to_be_bytes());
    k
}

/// The exclusive end of a prefix range.
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return end;
        }
    }
    vec![u8::MAX; prefix.len() + 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_keys_sort_by_time_then_trace() {
        let a = TraceId([9; 16]);
        let b = TraceId([1; 16]);
        assert!(timed_trace(BY_TIME, 1, a) < timed_trace(BY_TIME, 2, b));
        assert!(timed_trace(BY_TIME, 256, b) > timed_trace(BY_TIME, 255, a));
        assert_eq!(trace_of_timed(&timed_trace(BY_TIME, 7, a)), Some(a));
    }

    #[test]
    fn span_keys_sort_by_bucket_before_trace() {
        let (early, late) = (TraceId([9; 16]), TraceId([1; 16]));
        assert!(span_chunk(1, early, 5) < span_chunk(2, late, 3));
        assert!(span_seen(1, early, SpanId([7; 8])) < span_seen(2, late, SpanId([0; 8])));
        assert!(span_chunk(1, early, 5).starts_with(&bucket_prefix(SPAN, 1, early)));
    }

    #[test]
    fn rollup_keys_round_trip() {
        let k = rollup(28_000_000, "svc", "gpt-4o-mini");
        assert_eq!(
            parse_rollup(&k),
            Some((28_000_000, "svc".into(), "gpt-4o-mini".into()))
        );
    }

    #[test]
    fn prefix_end_bounds_the_prefix() {
        assert_eq!(prefix_end(b"ab"), b"ac".to_vec());
        assert_eq!(prefix_end(&[1, 255]), vec![2]);
    }
}
