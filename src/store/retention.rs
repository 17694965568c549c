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
    /// The pass stopped at its size cap with more to delete: run another soon. Passes
    /// are capped so that writes queued meanwhile wait one short pass, not all of them.
    pub more: bool,
    /// The file is over `--max-disk` (sled reuses freed space but never shrinks its
    /// file; see `DiskBudget`).
    pub disk_over_limit: bool,
}

/// Most traces deleted by one pass (bounds the pass's memory and the writer's pause).
const TRACES_PER_PASS: usize = 1_000;
/// The disk limit holds the span count once the file passes this fraction of it:
/// under churn sled's file keeps growing for a while after deletions start before it
/// reuses the space they free (docs/RELIABILITY.md, "Soak").
const HOLD: f64 = 0.25;
/// Past this fraction of the limit a growing file makes the span budget shrink...
const CUT: f64 = 0.75;
/// ...by this factor, once per this fraction of the limit that the file grows.
const BUDGET_STEP: f64 = 0.9;
const REGROWTH: f64 = 0.05;
/// The cuts stop at this fraction of the span count first held: past that, a file
/// still growing is sled's lag in reusing space, which deleting more does not
/// shorten (in one soak run the cuts took the store from 74,000 traces to 44,000 in
/// two minutes while the file kept growing at the full write rate).
const FLOOR: f64 = 0.25;
/// Below this fraction, while the file does not grow (by `FLAT` of the limit over
/// `GROW_EVERY`), the budget grows by 5% every `GROW_EVERY`.
const GROW_BELOW: f64 = 0.5;
const FLAT: f64 = 0.005;
const GROW_EVERY: u64 = 10_000_000_000;

/// How many spans the disk limit allows. A log-structured store (sled) does not
/// shrink its file when records are deleted: it reuses the freed space for later
/// writes, and the file also holds garbage the store has not cleaned yet. So the
/// file's size is a high-water mark and cannot tell whether enough went: deleting
/// "until the file is under the limit" empties the store (retention_tests.rs). The
/// budget is a span count instead, steered by the file's growth:
/// - the first time the file passes `HOLD` of the limit, the span count is held there
///   (scaled down in proportion if the file is already over the limit);
/// - past `CUT` of the limit, each further `REGROWTH` of growth takes `BUDGET_STEP`,
///   down to `FLOOR` of the count first held;
/// - under `GROW_BELOW`, while the file is flat (space is being reused), the budget
///   grows 5% every 10 s (not every pass: a round of many short passes must not
///   compound it, as a soak run found).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DiskBudget {
    spans: Option<u64>,
    /// The span count first held.
    held: u64,
    disk_when_cut: u64,
    /// When the growth rule last looked, and the file size then.
    grow_checked_at: u64,
    disk_at_grow_check: u64,
}

impl DiskBudget {
    /// Updates the budget from the file size and the stored span count; returns the
    /// spans to delete now.
    pub(super) fn spans_to_free(&mut self, max: u64, disk: u64, stored: u64, now: u64) -> u64 {
        let (m, d) = (max as f64, disk as f64);
        let grow_check = now >= self.grow_checked_at.saturating_add(GROW_EVERY);
        let flat = disk <= self.disk_at_grow_check + (m * FLAT) as u64;
        if grow_check {
            self.grow_checked_at = now;
            self.disk_at_grow_check = disk;
        }
        match self.spans {
            None if d > m => {
                self.held = (stored as f64 * HOLD * m / d) as u64;
                self.spans = Some(self.held);
                self.disk_when_cut = disk;
            }
            None if d > m * HOLD => {
                self.held = stored;
                self.spans = Some(stored);
            }
            None => {}
            Some(b) if d > m * CUT && disk > self.disk_when_cut + (m * REGROWTH) as u64 => {
                let floor = (self.held as f64 * FLOOR) as u64;
                self.spans = Some(((b.min(stored) as f64 * BUDGET_STEP) as u64).max(floor));
                self.disk_when_cut = disk;
            }
            Some(b) if grow_check && flat && d < m * GROW_BELOW && stored >= b => {
                self.spans = Some(b + b / 20 + 1);
            }
            Some(_) => {}
        }
        self.spans.map_or(0, |b| stored.saturating_sub(b))
    }
}

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
        // Spans to free for the disk limit: over its span budget.
        let mut spans_to_free = match policy.max_disk_bytes {
            Some(max) => self
                .disk_budget
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .spans_to_free(max, out.disk_bytes_before, counts.spans, now),
            None => 0,
        };
        out.disk_over_limit = policy
            .max_disk_bytes
            .is_some_and(|max| out.disk_bytes_before > max);
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
                candidates.len() < TRACES_PER_PASS
            },
        )?;
        let full_batch = candidates.len() == TRACES_PER_PASS;
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
        if deleted > 0 {
            kv.put(
                keys::META_COUNTS.to_vec(),
                super::kv_store::encode(&*counts)?,
            );
            self.backend.apply(kv)?;
        }
        out.more = full_batch && deleted == TRACES_PER_PASS;
        // Time-keyed records go on the last pass of a round, once the cutoff is known.
        if !out.more && (out.traces > 0 || age_cutoff.is_some()) {
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
        if let Some(bucket) = self.trace_bucket(id)? {
            kv.delete(keys::trace_bucket(id));
            for table in keys::PER_BUCKET_TABLES {
                let prefix = keys::bucket_prefix(*table, bucket, id);
                self.backend
                    .scan(&prefix, &keys::prefix_end(&prefix), false, &mut |k, _| {
                        kv.delete(k.to_vec());
                        true
                    })?;
            }
        }
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
