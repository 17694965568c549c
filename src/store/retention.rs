//! Retention: whole traces go, oldest first, when they are older than `--max-age` or
//! while the store is over `--max-disk`; with them their spans, de-dup marks, logs and
//! index entries, and every time-keyed record (rollups, unlinked logs, metrics, …)
//! older than the oldest trace kept. Runs on the writer thread, so it never races a
//! write.

use super::backend::KvBatch;
use super::kv_store::KvTraceStore;
use super::{Backend, StoreError, TraceSummary, keys};
use crate::model::TraceId;

/// When to delete.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RetentionPolicy {
    /// Traces that started longer ago than this go.
    pub max_age_nanos: Option<u64>,
    /// While the store occupies more than this on disk, the oldest traces go.
    pub max_disk_bytes: Option<u64>,
}

impl RetentionPolicy {
    pub fn is_active(&self) -> bool {
        self.max_age_nanos.is_some() || self.max_disk_bytes.is_some()
    }
}

/// What one retention pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evicted {
    pub traces: u64,
    pub spans: u64,
    /// Start of the oldest trace kept (records older than this were dropped).
    pub cutoff_unix_nano: u64,
    pub disk_bytes_before: u64,
}

/// Most traces deleted per backend batch (bounds the batch's memory).
const TRACES_PER_BATCH: usize = 2_000;
/// A disk pass aims this fraction under the limit, so it doesn't run every tick.
const DISK_TARGET: f64 = 0.8;

impl<B: Backend> KvTraceStore<B> {
    /// One retention pass at time `now`.
    pub(super) fn evict_by_policy(
        &self,
        policy: &RetentionPolicy,
        now: u64,
    ) -> Result<Evicted, StoreError> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Evicted {
            disk_bytes_before: self.backend.size_on_disk()?,
            ..Default::default()
        };
        let age_cutoff = policy.max_age_nanos.map(|a| now.saturating_sub(a));
        // Spans to free for the disk limit, estimated from the mean bytes per span.
        let mut spans_to_free = match policy.max_disk_bytes {
            Some(max) if out.disk_bytes_before > max && counts.spans > 0 => {
                let per_span = out.disk_bytes_before as f64 / counts.spans as f64;
                let excess = out.disk_bytes_before as f64 - max as f64 * DISK_TARGET;
                (excess / per_span).ceil() as u64
            }
            _ => 0,
        };
        loop {
            // The oldest traces, in start order (no reads inside the scan).
            let mut candidates: Vec<(u64, TraceId)> = Vec::new();
            self.backend.scan(
                &[keys::BY_TIME],
                &keys::prefix_end(&[keys::BY_TIME]),
                false,
                &mut |k, _| {
                    let start = k
                        .get(1..9)
                        .and_then(|b| b.try_into().ok())
                        .map(u64::from_be_bytes)
                        .unwrap_or(0);
                    if let Some(id) = keys::trace_of_timed(k) {
                        candidates.push((start, id));
                    }
                    candidates.len() < TRACES_PER_BATCH
                },
            )?;
            let full_batch = candidates.len() == TRACES_PER_BATCH;
            let mut kv = KvBatch::default();
            let mut deleted = 0usize;
            let mut next_kept = now;
            for (start, id) in candidates {
                let old = age_cutoff.is_some_and(|c| start < c);
                if !old && spans_to_free == 0 {
                    next_kept = start;
                    break;
                }
                let summary = self.trace_summary_raw(id)?;
                let (spans, errors) = summary
                    .as_ref()
                    .map_or((0, 0), |s| (s.span_count, s.error_count));
                self.delete_trace(&mut kv, start, id)?;
                deleted += 1;
                out.traces += 1;
                out.spans += spans;
                spans_to_free = spans_to_free.saturating_sub(spans.max(1));
                counts.traces = counts.traces.saturating_sub(1);
                counts.spans = counts.spans.saturating_sub(spans);
                counts.error_spans = counts.error_spans.saturating_sub(errors);
            }
            out.cutoff_unix_nano = next_kept;
            if deleted == 0 {
                break;
            }
            kv.put(
                keys::META_COUNTS.to_vec(),
                super::kv_store::encode(&*counts)?,
            );
            self.backend.apply(kv)?;
            if !full_batch || deleted < TRACES_PER_BATCH {
                break;
            }
        }
        if out.traces > 0 || age_cutoff.is_some() {
            let cutoff = match age_cutoff {
                Some(c) if out.traces == 0 => c,
                Some(c) => c.min(out.cutoff_unix_nano),
                None => out.cutoff_unix_nano,
            };
            self.delete_time_keyed_before(cutoff)?;
        }
        self.backend.flush()?;
        Ok(out)
    }

    fn trace_summary_raw(&self, id: TraceId) -> Result<Option<TraceSummary>, StoreError> {
        match self.backend.get(&keys::summary(id))? {
            Some(v) => Ok(Some(super::kv_store::decode("trace summary", &v)?)),
            None => Ok(None),
        }
    }

    /// Queues the deletion of every record of one trace.
    fn delete_trace(&self, kv: &mut KvBatch, start: u64, id: TraceId) -> Result<(), StoreError> {
        kv.delete(keys::summary(id));
        kv.delete(keys::timed_trace(keys::BY_TIME, start, id));
        kv.delete(keys::timed_trace(keys::BY_ERROR, start, id));
        for table in keys::PER_TRACE_TABLES {
            let prefix = keys::trace_prefix(*table, id);
            self.backend
                .scan(&prefix, &keys::prefix_end(&prefix), false, &mut |k, _| {
                    kv.delete(k.to_vec());
                    true
                })?;
        }
        Ok(())
    }

    /// Deletes records of the time-keyed tables older than `cutoff` (rollups by
    /// their minute).
    fn delete_time_keyed_before(&self, cutoff: u64) -> Result<(), StoreError> {
        let mut kv = KvBatch::default();
        for table in keys::TIME_KEYED_TABLES {
            let end = keys::timed_seq(*table, cutoff, 0);
            self.backend.scan(&[*table], &end, false, &mut |k, _| {
                kv.delete(k.to_vec());
                true
            })?;
        }
        for table in keys::MINUTE_KEYED_TABLES {
            let mut end = vec![*table];
            end.extend_from_slice(&(cutoff / 60_000_000_000).to_be_bytes());
            self.backend.scan(&[*table], &end, false, &mut |k, _| {
                kv.delete(k.to_vec());
                true
            })?;
        }
        if !kv.ops.is_empty() {
            self.backend.apply(kv)?;
        }
        Ok(())
    }
}
