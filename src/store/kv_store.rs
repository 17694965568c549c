//! `TraceStore` over any ordered key-value `Backend`: de-duplication, incremental
//! trace summaries, time and error indexes, rollups and logs, each write one atomic
//! backend batch.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::backend::KvBatch;
use super::cost_records::{self, CostData};
use super::retention::{Evicted, RetentionPolicy};
use super::rollup::{Rollup, rollup_key_of};
use super::{
    Backend, ErrorRecords, IngestBatch, MemoryBackend, SCHEMA_VERSION, SledBackend, SledOptions,
    Stats, StoreError, TraceQuery, TraceStore, WriteOutcome, keys,
};
use crate::errors::ErrorRecord;
use crate::model::{LogRecord, Span, SpanId, TraceId, TraceSummary};

/// Whole-store counters kept in metadata so unfiltered stats need no scan.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub(super) struct Counts {
    pub(super) spans: u64,
    pub(super) traces: u64,
    pub(super) error_spans: u64,
    pub(super) logs: u64,
}

/// The store over a backend.
pub struct KvTraceStore<B: Backend> {
    pub(super) backend: B,
    /// Serializes writers and holds the counters between writes.
    pub(super) counts: Mutex<Counts>,
    /// The disk limit's span budget (retention.rs), kept between passes.
    pub(super) disk_budget: Mutex<super::retention::DiskBudget>,
}

pub type SledStore = KvTraceStore<SledBackend>;
pub type MemoryStore = KvTraceStore<MemoryBackend>;

impl SledStore {
    /// Opens the on-disk store in `dir` (the `store/` folder of the data dir).
    pub fn open(dir: &Path, opts: &SledOptions) -> Result<Self, StoreError> {
        KvTraceStore::with_backend(SledBackend::open(dir, opts)?)
    }
}

impl MemoryStore {
    pub fn new() -> Self {
        KvTraceStore::with_backend(MemoryBackend::default())
            .expect("a fresh memory store always opens")
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

pub(super) fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_allocvec(v).map_err(StoreError::Encode)
}

pub(super) fn decode<T: DeserializeOwned>(
    what: &'static str,
    bytes: &[u8],
) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|source| StoreError::Corrupt { what, source })
}

impl<B: Backend> KvTraceStore<B> {
    pub fn with_backend(backend: B) -> Result<Self, StoreError> {
        match backend.get(keys::META_SCHEMA)? {
            Some(v) => {
                let found: u32 = decode("schema version", &v)?;
                if found > SCHEMA_VERSION {
                    return Err(StoreError::SchemaTooNew { found });
                }
                if found < SCHEMA_VERSION {
                    return Err(StoreError::SchemaTooOld { found });
                }
            }
            None => {
                let mut b = KvBatch::default();
                b.put(keys::META_SCHEMA.to_vec(), encode(&SCHEMA_VERSION)?);
                backend.apply(b)?;
                backend.flush()?;
            }
        }
        let counts = match backend.get(keys::META_COUNTS)? {
            Some(v) => decode("counters", &v)?,
            None => Counts::default(),
        };
        Ok(KvTraceStore {
            backend,
            counts: Mutex::new(counts),
            disk_budget: Mutex::default(),
        })
    }

    /// The bucket of a trace with stored spans (keys.rs).
    pub(super) fn trace_bucket(&self, id: TraceId) -> Result<Option<u64>, StoreError> {
        self.backend
            .get(&keys::trace_bucket(id))?
            .map(|v| decode("trace bucket", &v))
            .transpose()
    }

    fn scan_prefix<T: DeserializeOwned>(
        &self,
        what: &'static str,
        prefix: &[u8],
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        let mut err = None;
        self.backend
            .scan(prefix, &keys::prefix_end(prefix), false, &mut |_, v| {
                match decode(what, v) {
                    Ok(x) => out.push(x),
                    Err(e) => {
                        err = Some(e);
                        return false;
                    }
                }
                true
            })?;
        match err {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }
}

impl<B: Backend> TraceStore for KvTraceStore<B> {
    fn write(&self, batch: &IngestBatch) -> Result<WriteOutcome, StoreError> {
        let mut counts_guard = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let mut counts = *counts_guard;
        let mut kv = KvBatch::default();
        let mut outcome = WriteOutcome::default();
        let mut seen: HashSet<(TraceId, SpanId)> = HashSet::with_capacity(batch.spans.len());
        // trace → (summary before this write, summary after)
        let mut summaries: HashMap<TraceId, (Option<TraceSummary>, TraceSummary)> = HashMap::new();
        let mut rollups: HashMap<(u64, String, String), Rollup> = HashMap::new();
        // What arriving spans took back from spans counted before (model::accounting).
        let mut uncounts: Vec<crate::model::accounting::Uncount> = Vec::new();
        let mut chunks: HashMap<TraceId, Vec<&Span>> = HashMap::new();
        // trace → (its bucket, whether it had spans stored before this write)
        let mut buckets: HashMap<TraceId, (u64, bool)> = HashMap::new();

        for span in &batch.spans {
            let (bucket, stored_before) = match buckets.get(&span.trace_id) {
                Some(b) => *b,
                None => {
                    let b = match self.backend.get(&keys::trace_bucket(span.trace_id))? {
                        Some(v) => (decode::<u64>("trace bucket", &v)?, true),
                        None => (self.backend.next_id()?, false),
                    };
                    buckets.insert(span.trace_id, b);
                    b
                }
            };
            let key = keys::span_seen(bucket, span.trace_id, span.span_id);
            // A trace without stored spans cannot hold this one: no lookup.
            if !seen.insert((span.trace_id, span.span_id))
                || (stored_before && self.backend.contains(&key)?)
            {
                outcome.duplicate_spans += 1;
                continue;
            }
            kv.put(key, Vec::new());
            chunks.entry(span.trace_id).or_default().push(span);
            outcome.new_spans += 1;
            if span.is_error() {
                counts.error_spans += 1;
            }
            let entry = match summaries.entry(span.trace_id) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    // A summary exists only once spans are stored.
                    let before = match stored_before {
                        true => self.trace_summary(span.trace_id)?,
                        false => None,
                    };
                    let after = before
                        .clone()
                        .unwrap_or_else(|| TraceSummary::new(span.trace_id));
                    v.insert((before, after))
                }
            };
            let (span_counts, undone) = entry.1.apply_span(span);
            if let Some(r) = ErrorRecord::from_span(span) {
                let key = keys::error_record(r.time_unix_nano, r.trace_id, r.span_id, None);
                kv.put(key, encode(&r)?);
            }
            rollups
                .entry(rollup_key_of(span))
                .or_default()
                .add_counted(span, span_counts);
            for u in undone {
                rollups.entry(u.key.clone()).or_default();
                uncounts.push(u);
            }
        }

        for (trace, spans) in &chunks {
            let (bucket, stored_before) = buckets[trace];
            if !stored_before {
                kv.put(keys::trace_bucket(*trace), encode(&bucket)?);
            }
            kv.put(
                keys::span_chunk(bucket, *trace, self.backend.next_id()?),
                encode(spans)?,
            );
        }

        for (trace, (before, after)) in &summaries {
            match before {
                Some(b) => {
                    if b.start_unix_nano != after.start_unix_nano {
                        kv.delete(keys::timed_trace(keys::BY_TIME, b.start_unix_nano, *trace));
                        if b.error_count > 0 {
                            kv.delete(keys::timed_trace(keys::BY_ERROR, b.start_unix_nano, *trace));
                        }
                    }
                }
                None => counts.traces += 1,
            }
            kv.put(
                keys::timed_trace(keys::BY_TIME, after.start_unix_nano, *trace),
                Vec::new(),
            );
            if after.error_count > 0 {
                kv.put(
                    keys::timed_trace(keys::BY_ERROR, after.start_unix_nano, *trace),
                    Vec::new(),
                );
            }
            kv.put(keys::summary(*trace), encode(after)?);
            outcome.changed_traces.push(*trace);
        }

        cost_records::update(
            &self.backend,
            summaries.values().map(|(b, a)| (b, a)),
            &mut kv,
        )?;

        for ((minute, service, model), add) in rollups {
            let key = keys::rollup(minute, &service, &model);
            let mut r: Rollup = match self.backend.get(&key)? {
                Some(v) => decode("rollup", &v)?,
                None => Rollup::default(),
            };
            r.merge(&add);
            for u in uncounts
                .iter()
                .filter(|u| u.key == (minute, service.clone(), model.clone()))
            {
                r.uncount(u);
            }
            kv.put(key, encode(&r)?);
        }

        let mut log_traces: HashSet<TraceId> = HashSet::new();
        for log in &batch.logs {
            let seq = self.backend.next_id()?;
            let key = match log.trace_id {
                Some(t) => {
                    if !summaries.contains_key(&t) && log_traces.insert(t) {
                        outcome.changed_traces.push(t);
                    }
                    keys::log(t, log.timestamp(), seq)
                }
                None => keys::timed_seq(keys::UNLINKED_LOG, log.timestamp(), seq),
            };
            kv.put(key, encode(log)?);
            if let Some(r) = ErrorRecord::from_log(log) {
                let key = keys::error_record(r.time_unix_nano, r.trace_id, r.span_id, Some(seq));
                kv.put(key, encode(&r)?);
            }
            outcome.logs += 1;
        }
        counts.logs += outcome.logs;

        for body in &batch.metrics {
            let seq = self.backend.next_id()?;
            let now = crate::util::now_unix_nano();
            kv.put(keys::timed_seq(keys::METRICS, now, seq), body.clone());
        }

        for r in &batch.evals {
            let key = keys::eval(r.time_unix_nano, r.trace_id, r.carrier_span_id, r.index);
            kv.put(key, encode(r)?);
        }

        counts.spans += outcome.new_spans;
        kv.put(keys::META_COUNTS.to_vec(), encode(&counts)?);
        self.backend.apply(kv)?;
        *counts_guard = counts;
        Ok(outcome)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.backend.flush()
    }

    fn list_traces(&self, query: &TraceQuery) -> Result<Vec<TraceSummary>, StoreError> {
        let table = if query.errors_only {
            keys::BY_ERROR
        } else {
            keys::BY_TIME
        };
        let start = keys::timed_trace(table, query.since_unix_nano.unwrap_or(0), TraceId([0; 16]));
        let end = keys::prefix_end(&[table]);
        let limit = query.limit();
        let mut ids = Vec::new();
        let mut out = Vec::new();
        let mut err = None;
        // Walk newest first in chunks, loading summaries as we go, until `limit` match.
        self.backend.scan(&start, &end, true, &mut |k, _| {
            if let Some(id) = keys::trace_of_timed(k) {
                ids.push(id);
            }
            if ids.len() >= 256 {
                for id in ids.drain(..) {
                    match self.trace_summary(id) {
                        Ok(Some(s)) if query.matches(&s) => out.push(s),
                        Ok(_) => {}
                        Err(e) => {
                            err = Some(e);
                            return false;
                        }
                    }
                }
            }
            out.len() < limit
        })?;
        if let Some(e) = err {
            return Err(e);
        }
        for id in ids {
            if out.len() >= limit {
                break;
            }
            if let Some(s) = self.trace_summary(id)?
                && query.matches(&s)
            {
                out.push(s);
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    fn trace_summary(&self, id: TraceId) -> Result<Option<TraceSummary>, StoreError> {
        self.backend
            .get(&keys::summary(id))?
            .map(|v| decode("trace summary", &v))
            .transpose()
    }

    fn trace_spans(&self, id: TraceId) -> Result<Vec<Span>, StoreError> {
        let Some(bucket) = self.trace_bucket(id)? else {
            return Ok(Vec::new());
        };
        let chunks: Vec<Vec<Span>> =
            self.scan_prefix("span chunk", &keys::bucket_prefix(keys::SPAN, bucket, id))?;
        let mut spans: Vec<Span> = chunks.into_iter().flatten().collect();
        spans.sort_by_key(|s| (s.start_unix_nano, s.span_id));
        Ok(spans)
    }

    fn trace_logs(&self, id: TraceId) -> Result<Vec<LogRecord>, StoreError> {
        self.scan_prefix("log record", &keys::trace_prefix(keys::LOG, id))
    }

    fn stats(&self, since_unix_nano: Option<u64>) -> Result<Stats, StoreError> {
        let traces = match since_unix_nano {
            None => self.counts.lock().unwrap_or_else(|e| e.into_inner()).traces,
            Some(since) => {
                let mut n = 0u64;
                let start = keys::timed_trace(keys::BY_TIME, since, TraceId([0; 16]));
                self.backend.scan(
                    &start,
                    &keys::prefix_end(&[keys::BY_TIME]),
                    false,
                    &mut |_, _| {
                        n += 1;
                        true
                    },
                )?;
                n
            }
        };
        let minute = since_unix_nano.unwrap_or(0) / 60_000_000_000;
        let start = keys::rollup(minute, "", "");
        let mut rollups = Vec::new();
        let mut err = None;
        self.backend.scan(
            &start[..9],
            &keys::prefix_end(&[keys::ROLLUP]),
            false,
            &mut |k, v| {
                let Some((_, service, model)) = keys::parse_rollup(k) else {
                    return true;
                };
                match decode::<Rollup>("rollup", v) {
                    Ok(r) => rollups.push((service, model, r)),
                    Err(e) => {
                        err = Some(e);
                        return false;
                    }
                }
                true
            },
        )?;
        if let Some(e) = err {
            return Err(e);
        }
        Ok(Stats::from_rollups(since_unix_nano, traces, rollups))
    }

    fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.backend.size_on_disk()
    }

    fn evict(&self, policy: &RetentionPolicy, now_unix_nano: u64) -> Result<Evicted, StoreError> {
        self.evict_by_policy(policy, now_unix_nano)
    }

    fn cost_data(
        &self,
        read_from: Option<u64>,
        window_since: Option<u64>,
    ) -> Result<CostData, StoreError> {
        let traces = match window_since {
            None => self.counts.lock().unwrap_or_else(|e| e.into_inner()).traces,
            Some(since) => {
                let mut n = 0u64;
                let start = keys::timed_trace(keys::BY_TIME, since, TraceId([0; 16]));
                let end = keys::prefix_end(&[keys::BY_TIME]);
                self.backend.scan(&start, &end, false, &mut |_, _| {
                    n += 1;
                    true
                })?;
                n
            }
        };
        cost_records::read(&self.backend, read_from, traces)
    }

    fn error_records(
        &self,
        since_unix_nano: Option<u64>,
        limit: usize,
    ) -> Result<ErrorRecords, StoreError> {
        let mut start = vec![keys::ERROR_RECORD];
        start.extend_from_slice(&since_unix_nano.unwrap_or(0).to_be_bytes());
        let mut out = ErrorRecords::default();
        let mut err = None;
        self.backend.scan(
            &start,
            &keys::prefix_end(&[keys::ERROR_RECORD]),
            true,
            &mut |_, v| {
                if out.records.len() >= limit {
                    out.truncated = true;
                    return false;
                }
                match decode("error record", v) {
                    Ok(r) => out.records.push(r),
                    Err(e) => {
                        err = Some(e);
                        return false;
                    }
                }
                true
            },
        )?;
        match err {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    fn eval_records(
        &self,
        since_unix_nano: Option<u64>,
        limit: usize,
    ) -> Result<Vec<crate::evals::EvalRecord>, StoreError> {
        let mut start = vec![keys::EVAL];
        start.extend_from_slice(&since_unix_nano.unwrap_or(0).to_be_bytes());
        let mut out = Vec::new();
        let mut err = None;
        self.backend.scan(
            &start,
            &keys::prefix_end(&[keys::EVAL]),
            true,
            &mut |_, v| {
                match decode("eval record", v) {
                    Ok(r) => out.push(r),
                    Err(e) => {
                        err = Some(e);
                        return false;
                    }
                }
                out.len() < limit
            },
        )?;
        if let Some(e) = err {
            return Err(e);
        }
        out.reverse();
        Ok(out)
    }

    fn metrics_since(&self, since_unix_nano: Option<u64>) -> Result<Vec<Vec<u8>>, StoreError> {
        let start = keys::timed_seq(keys::METRICS, since_unix_nano.unwrap_or(0), 0);
        let mut out = Vec::new();
        self.backend.scan(
            &start,
            &keys::prefix_end(&[keys::METRICS]),
            false,
            &mut |_, v| {
                out.push(v.to_vec());
                true
            },
        )?;
        Ok(out)
    }
}
