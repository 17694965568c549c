//! The error timeline's data. A reader fetches an [`ErrorWindow`] — the error
//! records of a time window (newest first, bounded) and the summaries of their
//! traces — from the store or over the API; [`ErrorReport::build`] then classifies
//! and fingerprints each record with the reader's [`Classifier`], counts errors per
//! minute by class, groups them, and ties each failure to its retry chain or
//! fallback using the call signatures kept in the trace summaries. No span is read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::affected::{affected_records, ancestor_stacktrace};
use super::chains::{ChainOutcome, Resilience, TraceFlags, analyze};
use super::classify::Classifier;
use super::fingerprint::{fingerprint, normalize_message, normalize_type};
use super::records::{ErrorRecord, ErrorSource};
use crate::model::{SpanId, TraceId, TraceSummary, canonical_model_name};
use crate::store::{StoreError, TraceStore};

/// Most records a window holds (the newest).
pub const MAX_WINDOW_RECORDS: usize = 20_000;
/// Most occurrences a group keeps (the newest).
pub const MAX_OCCURRENCES: usize = 200;
const MINUTE_NS: u64 = 60_000_000_000;

/// The time windows of the timeline (`w` cycles them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TimeWindow {
    Minutes15,
    #[default]
    Hour1,
    Hours24,
    All,
}

impl TimeWindow {
    pub const ALL: [TimeWindow; 4] = [
        TimeWindow::Minutes15,
        TimeWindow::Hour1,
        TimeWindow::Hours24,
        TimeWindow::All,
    ];

    pub fn label(&self) -> &'static str {
        match self {
            TimeWindow::Minutes15 => "15m",
            TimeWindow::Hour1 => "1h",
            TimeWindow::Hours24 => "24h",
            TimeWindow::All => "all",
        }
    }

    pub fn next(&self) -> TimeWindow {
        let i = Self::ALL.iter().position(|w| w == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// Where the window starts for a given now (`None`: everything).
    pub fn since(&self, now_unix_nano: u64) -> Option<u64> {
        let minutes = match self {
            TimeWindow::Minutes15 => 15,
            TimeWindow::Hour1 => 60,
            TimeWindow::Hours24 => 24 * 60,
            TimeWindow::All => return None,
        };
        Some(now_unix_nano.saturating_sub(minutes * MINUTE_NS))
    }
}

/// What a reader fetches for the timeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorWindow {
    pub since_unix_nano: Option<u64>,
    pub now_unix_nano: u64,
    /// Newest first.
    pub records: Vec<ErrorRecord>,
    /// More records were in the window than `MAX_WINDOW_RECORDS`.
    pub truncated: bool,
    /// Summaries of the traces the records belong to.
    pub traces: Vec<TraceSummary>,
}

/// Reads the records of a window and their traces' summaries from a store.
pub fn load_window(
    store: &dyn TraceStore,
    since_unix_nano: Option<u64>,
    now_unix_nano: u64,
) -> Result<ErrorWindow, StoreError> {
    let found = store.error_records(since_unix_nano, MAX_WINDOW_RECORDS)?;
    let ids: BTreeSet<TraceId> = found.records.iter().map(|r| r.trace_id).collect();
    let mut traces = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(s) = store.trace_summary(id)? {
            traces.push(s);
        }
    }
    Ok(ErrorWindow {
        since_unix_nano,
        now_unix_nano,
        records: found.records,
        truncated: found.truncated,
        traces,
    })
}

/// One failure of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    pub time_unix_nano: u64,
    pub trace_id: TraceId,
    pub span_id: Option<SpanId>,
    pub span_name: String,
    pub service: String,
    pub model: Option<String>,
    pub message: String,
    pub stacktrace: Option<String>,
    pub http_status: Option<i64>,
    /// Its place in a retry chain or fallback: `attempt 2/3 → retry ok`, …
    pub role: Option<String>,
    /// The whole chain, for the detail: `3 attempts, waits 612ms 1.13s → gave up`.
    pub chain: Option<String>,
    /// The trace's root name (when its summary is known).
    pub root_name: Option<String>,
}

/// Errors with one fingerprint.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorGroup {
    pub fingerprint: String,
    pub class: String,
    pub error_type: Option<String>,
    /// The normalized message (numbers, ids and quoted values replaced).
    pub message: String,
    pub count: u64,
    pub first_seen: u64,
    pub last_seen: u64,
    pub services: Vec<String>,
    pub models: Vec<String>,
    pub traces: u64,
    /// Distinct retry chains with a failure of this group.
    pub retry_chains: u64,
    /// Failures of this group that were attempts of a retry chain.
    pub retry_attempts: u64,
    /// Failed calls (a chain, or a single call) a later retry saved.
    pub rescued_by_retry: u64,
    /// … that a fallback to another model or provider saved.
    pub rescued_by_fallback: u64,
    /// … that nothing saved.
    pub unrescued: u64,
    /// Newest first, at most `MAX_OCCURRENCES`.
    pub occurrences: Vec<Occurrence>,
}

/// Errors of one minute, by class (same order as `ErrorReport::classes`).
#[derive(Debug, Clone, PartialEq)]
pub struct MinuteCounts {
    pub minute: u64,
    pub counts: Vec<u64>,
}

/// Trace-level counts in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TraceCounts {
    pub with_errors: u64,
    pub failed: u64,
    pub degraded: u64,
    pub retried: u64,
    pub fell_back: u64,
}

/// The timeline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErrorReport {
    pub window: TimeWindow,
    pub since_unix_nano: Option<u64>,
    pub now_unix_nano: u64,
    /// Failures in the window, each counted once at the span where it originated.
    pub total: u64,
    /// Records of spans a failed child's exception propagated through (not counted
    /// in `total`, classes or groups).
    pub affected: u64,
    pub truncated: bool,
    /// Class names in display order.
    pub classes: Vec<String>,
    /// Minutes with errors, oldest first.
    pub minutes: Vec<MinuteCounts>,
    /// Most frequent first.
    pub groups: Vec<ErrorGroup>,
    pub traces: TraceCounts,
}

/// One failure episode: a retry chain, or a single failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rescue {
    Retry,
    Fallback,
    None,
}

/// Where a failed call stands in its trace's resilience patterns.
struct CallFate {
    /// (trace, first attempt): one id per failure episode.
    episode: (TraceId, SpanId),
    in_chain: bool,
    rescue: Rescue,
    role: String,
    chain: Option<String>,
}

/// A wait between attempts, short: `612ms`, `1.13s`, `2.5m`.
pub fn fmt_wait(ns: u64) -> String {
    let ms = ns as f64 / 1e6;
    if ms < 1000.0 {
        format!("{ms:.0}ms")
    } else if ms < 60_000.0 {
        format!("{:.2}s", ms / 1000.0)
    } else {
        format!("{:.1}m", ms / 60_000.0)
    }
}

fn fate_of(trace: TraceId, span: SpanId, r: &Resilience) -> Option<CallFate> {
    let fallback_from = |id: SpanId| r.fallbacks.iter().find(|f| f.from == id);
    if let Some(chain) = r.chains.iter().find(|c| c.attempts.contains(&span)) {
        let n = chain.attempts.iter().position(|a| *a == span).unwrap_or(0) + 1;
        let of = chain.attempts.len();
        let last = chain.attempts[of - 1];
        let (rescue, outcome) = match (chain.outcome, fallback_from(last)) {
            (ChainOutcome::Succeeded, _) => (Rescue::Retry, "retry ok".to_string()),
            (ChainOutcome::Failed, Some(f)) => {
                (Rescue::Fallback, format!("fallback to {}", f.to_target))
            }
            (ChainOutcome::Failed, None) => (Rescue::None, "gave up".to_string()),
        };
        return Some(CallFate {
            episode: (trace, chain.attempts[0]),
            in_chain: true,
            rescue,
            role: format!("attempt {n}/{of} → {outcome}"),
            chain: Some(format!(
                "{of} attempts of {}, waits {} → {outcome}",
                chain.target,
                chain
                    .waits_ns
                    .iter()
                    .map(|w| fmt_wait(*w))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
        });
    }
    let f = fallback_from(span)?;
    Some(CallFate {
        episode: (trace, span),
        in_chain: false,
        rescue: Rescue::Fallback,
        role: format!("→ fallback to {}", f.to_target),
        chain: None,
    })
}

#[derive(Default)]
struct GroupAcc {
    group: Option<ErrorGroup>,
    services: BTreeSet<String>,
    models: BTreeSet<String>,
    traces: BTreeSet<TraceId>,
    episodes: BTreeMap<(TraceId, SpanId), (bool, Rescue)>,
}

impl ErrorReport {
    /// Classifies, fingerprints and groups a window's records.
    pub fn build(window: &ErrorWindow, classifier: &Classifier, which: TimeWindow) -> ErrorReport {
        let summaries: HashMap<TraceId, &TraceSummary> =
            window.traces.iter().map(|s| (s.trace_id, s)).collect();
        let mut analyses: HashMap<TraceId, Resilience> = HashMap::new();
        let classes = classifier.classes.clone();
        let mut minutes: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        let mut groups: HashMap<String, GroupAcc> = HashMap::new();
        // A failure recorded again by the span it propagated through is that span's
        // parent's record: count the originating failure, not its ancestors.
        let affected_records = affected_records(&window.records);
        // Span records by span, to lend an originating failure the stack trace an
        // ancestor recorded when the exception passed through it.
        let by_span: HashMap<(TraceId, SpanId), &ErrorRecord> = window
            .records
            .iter()
            .filter(|r| r.source == ErrorSource::Span)
            .filter_map(|r| r.span_id.map(|id| ((r.trace_id, id), r)))
            .collect();
        let mut affected = 0u64;
        for r in &window.records {
            if r.source == ErrorSource::Span
                && r.span_id
                    .is_some_and(|id| affected_records.contains(&(r.trace_id, id)))
            {
                affected += 1;
                continue;
            }
            let class = classifier.classify(r);
            let class_ix = classifier.order_of(class).min(classes.len() - 1);
            minutes
                .entry(r.time_unix_nano / MINUTE_NS)
                .or_insert_with(|| vec![0; classes.len()])[class_ix] += 1;
            let message = normalize_message(&r.message);
            let fp = fingerprint(class, r.error_type.as_deref(), &message);
            let summary = summaries.get(&r.trace_id);
            let fate = match (r.span_id, summary) {
                (Some(span), Some(s)) => {
                    let analysis = analyses
                        .entry(r.trace_id)
                        .or_insert_with(|| analyze(&s.calls));
                    fate_of(r.trace_id, span, analysis)
                }
                _ => None,
            };
            let acc = groups.entry(fp.clone()).or_default();
            let g = acc.group.get_or_insert_with(|| ErrorGroup {
                fingerprint: fp,
                class: class.to_string(),
                error_type: r.error_type.as_deref().map(normalize_type),
                message,
                count: 0,
                first_seen: u64::MAX,
                last_seen: 0,
                services: Vec::new(),
                models: Vec::new(),
                traces: 0,
                retry_chains: 0,
                retry_attempts: 0,
                rescued_by_retry: 0,
                rescued_by_fallback: 0,
                unrescued: 0,
                occurrences: Vec::new(),
            });
            g.count += 1;
            g.first_seen = g.first_seen.min(r.time_unix_nano);
            g.last_seen = g.last_seen.max(r.time_unix_nano);
            if g.occurrences.len() < MAX_OCCURRENCES {
                g.occurrences.push(Occurrence {
                    time_unix_nano: r.time_unix_nano,
                    trace_id: r.trace_id,
                    span_id: r.span_id,
                    span_name: r.span_name.clone(),
                    service: r.service.clone(),
                    model: r.model.clone(),
                    message: r.message.clone(),
                    stacktrace: r
                        .stacktrace
                        .clone()
                        .or_else(|| ancestor_stacktrace(&by_span, r)),
                    http_status: r.http_status,
                    role: fate.as_ref().map(|f| f.role.clone()),
                    chain: fate.as_ref().and_then(|f| f.chain.clone()),
                    root_name: summary.map(|s| s.root_name.clone()),
                });
            }
            acc.services.insert(r.service.clone());
            if let Some(m) = &r.model {
                acc.models.insert(canonical_model_name(m).to_string());
            }
            acc.traces.insert(r.trace_id);
            // A failed call no retry or fallback followed: saved by nothing.
            let fate = fate.or_else(|| {
                r.span_id.map(|span| CallFate {
                    episode: (r.trace_id, span),
                    in_chain: false,
                    rescue: Rescue::None,
                    role: String::new(),
                    chain: None,
                })
            });
            if let Some(f) = fate {
                let e = acc
                    .episodes
                    .entry(f.episode)
                    .or_insert((f.in_chain, f.rescue));
                e.0 |= f.in_chain;
                if f.in_chain {
                    g.retry_attempts += 1;
                }
            }
        }
        let mut groups: Vec<ErrorGroup> = groups
            .into_values()
            .filter_map(|acc| {
                let mut g = acc.group?;
                g.services = acc.services.into_iter().collect();
                g.models = acc.models.into_iter().collect();
                g.traces = acc.traces.len() as u64;
                for (in_chain, rescue) in acc.episodes.values() {
                    g.retry_chains += u64::from(*in_chain);
                    match rescue {
                        Rescue::Retry => g.rescued_by_retry += 1,
                        Rescue::Fallback => g.rescued_by_fallback += 1,
                        Rescue::None => g.unrescued += 1,
                    }
                }
                g.occurrences
                    .sort_by_key(|o| std::cmp::Reverse(o.time_unix_nano));
                Some(g)
            })
            .collect();
        groups.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(b.last_seen.cmp(&a.last_seen))
                .then(a.fingerprint.cmp(&b.fingerprint))
        });
        let mut traces = TraceCounts::default();
        for s in &window.traces {
            let flags = TraceFlags::of_summary(s);
            traces.with_errors += 1;
            traces.failed += u64::from(s.root_error);
            traces.degraded += u64::from(flags.degraded);
            traces.retried += u64::from(flags.retry);
            traces.fell_back += u64::from(flags.fallback);
        }
        ErrorReport {
            window: which,
            since_unix_nano: window.since_unix_nano,
            now_unix_nano: window.now_unix_nano,
            total: window.records.len() as u64 - affected,
            affected,
            truncated: window.truncated,
            classes,
            minutes: minutes
                .into_iter()
                .map(|(minute, counts)| MinuteCounts { minute, counts })
                .collect(),
            groups,
            traces,
        }
    }

    /// Errors per class over the whole window (same order as `classes`).
    pub fn class_totals(&self) -> Vec<u64> {
        let mut totals = vec![0; self.classes.len()];
        for m in &self.minutes {
            for (t, c) in totals.iter_mut().zip(&m.counts) {
                *t += c;
            }
        }
        totals
    }

    /// The JSON of `spanlens errors --json` (documented in docs/ERRORS.md), with up
    /// to `occurrences` newest occurrences per group.
    pub fn to_json(&self, occurrences: usize) -> Value {
        let totals = self.class_totals();
        json!({
            "since_unix_nano": self.since_unix_nano,
            "now_unix_nano": self.now_unix_nano,
            "total": self.total,
            "affected": self.affected,
            "truncated": self.truncated,
            "by_class": self.classes.iter().zip(&totals).filter(|(_, n)| **n > 0)
                .map(|(c, n)| json!({"class": c, "count": n})).collect::<Vec<_>>(),
            "traces": {
                "with_errors": self.traces.with_errors,
                "failed": self.traces.failed,
                "degraded": self.traces.degraded,
                "retried": self.traces.retried,
                "fell_back": self.traces.fell_back,
            },
            "per_minute": self.minutes.iter().map(|m| json!({
                "minute_unix_nano": m.minute * MINUTE_NS,
                "counts": self.classes.iter().zip(&m.counts).filter(|(_, n)| **n > 0)
                    .map(|(c, n)| (c.clone(), json!(n))).collect::<serde_json::Map<_, _>>(),
            })).collect::<Vec<_>>(),
            "groups": self.groups.iter().map(|g| json!({
                "fingerprint": g.fingerprint,
                "class": g.class,
                "error_type": g.error_type,
                "message": g.message,
                "count": g.count,
                "first_seen_unix_nano": g.first_seen,
                "last_seen_unix_nano": g.last_seen,
                "services": g.services,
                "models": g.models,
                "traces": g.traces,
                "retry_chains": g.retry_chains,
                "retry_attempts": g.retry_attempts,
                "rescued_by_retry": g.rescued_by_retry,
                "rescued_by_fallback": g.rescued_by_fallback,
                "unrescued": g.unrescued,
                "occurrences": g.occurrences.iter().take(occurrences).map(|o| json!({
                    "time_unix_nano": o.time_unix_nano,
                    "trace_id": o.trace_id,
                    "span_id": o.span_id,
                    "span_name": o.span_name,
                    "service": o.service,
                    "model": o.model,
                    "http_status": o.http_status,
                    "message": o.message,
                    "role": o.role,
                    "chain": o.chain,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
