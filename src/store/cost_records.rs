//! The cost panel's records, kept beside the rollups so the panel never reads spans
//! or every summary: per-minute group rollups (by session, user and project) and
//! each minute's most expensive traces.
//!
//! Both are keyed by the minute the *trace* started and hold each trace's whole
//! contribution (from its summary). A write takes a trace's summary before and after:
//! the "before" contribution is taken out of the record it was in and the "after"
//! one added where it now belongs, so a session or user that only the root names
//! (often the last span to arrive), or a start that moves, ends up counted once and
//! in the right place. Costs only grow as spans arrive, so keeping each minute's
//! [`TOP_PER_MINUTE`] most expensive traces gives the exact top ten of any window of
//! whole minutes (unless more than six traces of one minute later move their start
//! to another minute).
//!
//! | prefix | key                              | value            |
//! |--------|----------------------------------|------------------|
//! | `G`    | minute(8) kind(1) name           | `GroupRollup`    |
//! | `K`    | minute(8)                        | `Vec<TopTrace>`  |

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::backend::{Backend, KvBatch};
use super::rollup::Rollup;
use super::{StoreError, keys};
use crate::model::{TraceId, TraceSummary};

pub const GROUP: u8 = b'G';
pub const TOP: u8 = b'K';

/// Traces kept per minute in the top list (ten shown, six spare).
pub const TOP_PER_MINUTE: usize = 16;

const MINUTE_NS: u64 = 60_000_000_000;

/// What a group rollup groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GroupKind {
    Session,
    User,
    Project,
}

impl GroupKind {
    pub const ALL: [GroupKind; 3] = [GroupKind::Session, GroupKind::User, GroupKind::Project];

    fn byte(self) -> u8 {
        match self {
            GroupKind::Session => b's',
            GroupKind::User => b'u',
            GroupKind::Project => b'p',
        }
    }

    fn from_byte(b: u8) -> Option<GroupKind> {
        GroupKind::ALL.into_iter().find(|k| k.byte() == b)
    }

    fn of(self, s: &TraceSummary) -> Option<&str> {
        match self {
            GroupKind::Session => s.session.as_deref(),
            GroupKind::User => s.user.as_deref(),
            GroupKind::Project => s.project.as_deref(),
        }
    }
}

/// Totals of the traces of one group that started in one minute.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupRollup {
    pub traces: u64,
    pub error_spans: u64,
    pub llm_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cost_usd: f64,
    /// Traces with a known cost.
    pub priced_traces: u64,
    pub unpriced_calls: u64,
}

impl GroupRollup {
    /// One trace's contribution.
    pub fn of_trace(s: &TraceSummary) -> GroupRollup {
        GroupRollup {
            traces: 1,
            error_spans: s.error_count,
            llm_calls: s.llm_calls,
            input_tokens: s.input_tokens,
            output_tokens: s.output_tokens,
            cache_read_tokens: s.cache_read_tokens,
            cost_usd: s.cost_usd.unwrap_or(0.0),
            priced_traces: u64::from(s.cost_usd.is_some()),
            unpriced_calls: s.unpriced_calls,
        }
    }

    pub fn merge(&mut self, o: &GroupRollup) {
        self.traces += o.traces;
        self.error_spans += o.error_spans;
        self.llm_calls += o.llm_calls;
        self.input_tokens += o.input_tokens;
        self.output_tokens += o.output_tokens;
        self.cache_read_tokens += o.cache_read_tokens;
        self.cost_usd += o.cost_usd;
        self.priced_traces += o.priced_traces;
        self.unpriced_calls += o.unpriced_calls;
    }

    fn remove(&mut self, o: &GroupRollup) {
        self.traces = self.traces.saturating_sub(o.traces);
        self.error_spans = self.error_spans.saturating_sub(o.error_spans);
        self.llm_calls = self.llm_calls.saturating_sub(o.llm_calls);
        self.input_tokens = self.input_tokens.saturating_sub(o.input_tokens);
        self.output_tokens = self.output_tokens.saturating_sub(o.output_tokens);
        self.cache_read_tokens = self.cache_read_tokens.saturating_sub(o.cache_read_tokens);
        self.cost_usd = (self.cost_usd - o.cost_usd).max(0.0);
        self.priced_traces = self.priced_traces.saturating_sub(o.priced_traces);
        self.unpriced_calls = self.unpriced_calls.saturating_sub(o.unpriced_calls);
    }

    /// Known cost, `None` while no trace in it has one.
    pub fn known_cost(&self) -> Option<f64> {
        (self.priced_traces > 0).then_some(self.cost_usd)
    }
}

/// One entry of a minute's most expensive traces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopTrace {
    pub trace_id: TraceId,
    pub start_unix_nano: u64,
    pub root_name: String,
    /// The project when there is one, else the service.
    pub service: String,
    pub llm_calls: u64,
    pub tokens: u64,
    pub cost_usd: Option<f64>,
    pub unpriced_calls: u64,
}

impl TopTrace {
    fn of(s: &TraceSummary) -> TopTrace {
        TopTrace {
            trace_id: s.trace_id,
            start_unix_nano: s.start_unix_nano,
            root_name: s.root_name.chars().take(120).collect(),
            service: s
                .project
                .as_deref()
                .unwrap_or(&s.service)
                .chars()
                .take(120)
                .collect(),
            llm_calls: s.llm_calls,
            tokens: s.total_tokens(),
            cost_usd: s.cost_usd,
            unpriced_calls: s.unpriced_calls,
        }
    }
}

/// Most expensive first: known cost, then tokens, then trace id (stable).
pub fn rank(a: &TopTrace, b: &TopTrace) -> std::cmp::Ordering {
    b.cost_usd
        .unwrap_or(-1.0)
        .total_cmp(&a.cost_usd.unwrap_or(-1.0))
        .then(b.tokens.cmp(&a.tokens))
        .then(a.trace_id.0.cmp(&b.trace_id.0))
}

fn minute(ns: u64) -> u64 {
    ns / MINUTE_NS
}

fn group_key(minute: u64, kind: GroupKind, name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(10 + name.len());
    k.push(GROUP);
    k.extend_from_slice(&minute.to_be_bytes());
    k.push(kind.byte());
    k.extend_from_slice(name.as_bytes());
    k
}

fn parse_group_key(k: &[u8]) -> Option<(u64, GroupKind, String)> {
    let minute = u64::from_be_bytes(k.get(1..9)?.try_into().ok()?);
    let kind = GroupKind::from_byte(*k.get(9)?)?;
    Some((
        minute,
        kind,
        String::from_utf8_lossy(k.get(10..)?).into_owned(),
    ))
}

fn top_key(minute: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(TOP);
    k.extend_from_slice(&minute.to_be_bytes());
    k
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_allocvec(v).map_err(StoreError::Encode)
}

fn decode<T: serde::de::DeserializeOwned>(
    what: &'static str,
    bytes: &[u8],
) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|source| StoreError::Corrupt { what, source })
}

/// A record's key in the store (group rollups by key, top lists by minute).
trait RecordKey: std::hash::Hash + Eq + Clone {
    fn store_key(&self) -> Vec<u8>;
}

impl RecordKey for Vec<u8> {
    fn store_key(&self) -> Vec<u8> {
        self.clone()
    }
}

impl RecordKey for u64 {
    fn store_key(&self) -> Vec<u8> {
        top_key(*self)
    }
}

/// The record under `key` as this write sees it: already touched, else stored, else new.
fn loaded<'m, B: Backend, K: RecordKey, T: serde::de::DeserializeOwned + Default>(
    backend: &B,
    map: &'m mut HashMap<K, T>,
    key: K,
    what: &'static str,
) -> Result<&'m mut T, StoreError> {
    Ok(match map.entry(key) {
        std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
        std::collections::hash_map::Entry::Vacant(v) => {
            let r = match backend.get(&v.key().store_key())? {
                Some(bytes) => decode(what, &bytes)?,
                None => T::default(),
            };
            v.insert(r)
        }
    })
}

/// Adds to `kv` the record updates for the traces one write changed: (summary
/// before the write, after it).
pub fn update<'a, B: Backend>(
    backend: &B,
    changed: impl IntoIterator<Item = (&'a Option<TraceSummary>, &'a TraceSummary)>,
    kv: &mut KvBatch,
) -> Result<(), StoreError> {
    let mut groups: HashMap<Vec<u8>, GroupRollup> = HashMap::new();
    let mut tops: HashMap<u64, Vec<TopTrace>> = HashMap::new();
    for (before, after) in changed {
        for kind in GroupKind::ALL {
            if let Some(b) = before
                && let Some(name) = kind.of(b)
            {
                let key = group_key(minute(b.start_unix_nano), kind, name);
                loaded(backend, &mut groups, key, "group rollup")?
                    .remove(&GroupRollup::of_trace(b));
            }
            if let Some(name) = kind.of(after) {
                let key = group_key(minute(after.start_unix_nano), kind, name);
                loaded(backend, &mut groups, key, "group rollup")?
                    .merge(&GroupRollup::of_trace(after));
            }
        }
        if let Some(b) = before {
            let m = minute(b.start_unix_nano);
            loaded(backend, &mut tops, m, "top traces")?.retain(|t| t.trace_id != b.trace_id);
        }
        if after.llm_calls > 0 {
            let m = minute(after.start_unix_nano);
            let list = loaded(backend, &mut tops, m, "top traces")?;
            list.retain(|t| t.trace_id != after.trace_id);
            list.push(TopTrace::of(after));
            list.sort_by(rank);
            list.truncate(TOP_PER_MINUTE);
        }
    }
    for (key, r) in groups {
        if r.traces == 0 {
            kv.delete(key);
        } else {
            kv.put(key, encode(&r)?);
        }
    }
    for (m, list) in tops {
        if list.is_empty() {
            kv.delete(top_key(m));
        } else {
            kv.put(top_key(m), encode(&list)?);
        }
    }
    Ok(())
}

/// Everything the cost panel reads for a window: rollups with their minute, group
/// rollups and each minute's top traces, from `since_unix_nano`'s minute on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CostData {
    /// Traces started in the window (as `stats` counts them).
    pub traces: u64,
    /// (minute, service, model, counters).
    pub rollups: Vec<(u64, String, String, Rollup)>,
    /// (minute, kind, name, counters).
    pub groups: Vec<(u64, GroupKind, String, GroupRollup)>,
    /// Each minute's most expensive traces, all minutes together (unsorted).
    pub top: Vec<TopTrace>,
}

/// Called with each record's key and value.
type RecordVisitor<'a> = dyn FnMut(&[u8], &[u8]) -> Result<(), StoreError> + 'a;

fn scan_from<B: Backend>(
    backend: &B,
    table: u8,
    since_minute: u64,
    f: &mut RecordVisitor,
) -> Result<(), StoreError> {
    let mut start = vec![table];
    start.extend_from_slice(&since_minute.to_be_bytes());
    let mut err = None;
    backend.scan(
        &start,
        &keys::prefix_end(&[table]),
        false,
        &mut |k, v| match f(k, v) {
            Ok(()) => true,
            Err(e) => {
                err = Some(e);
                false
            }
        },
    )?;
    err.map_or(Ok(()), Err)
}

/// Reads the records of the minutes from `since_unix_nano`'s on (all when `None`).
pub fn read<B: Backend>(
    backend: &B,
    since_unix_nano: Option<u64>,
    traces: u64,
) -> Result<CostData, StoreError> {
    let since = minute(since_unix_nano.unwrap_or(0));
    let mut data = CostData {
        traces,
        ..CostData::default()
    };
    scan_from(backend, keys::ROLLUP, since, &mut |k, v| {
        if let Some((m, service, model)) = keys::parse_rollup(k) {
            data.rollups.push((m, service, model, decode("rollup", v)?));
        }
        Ok(())
    })?;
    scan_from(backend, GROUP, since, &mut |k, v| {
        if let Some((m, kind, name)) = parse_group_key(k) {
            data.groups
                .push((m, kind, name, decode("group rollup", v)?));
        }
        Ok(())
    })?;
    scan_from(backend, TOP, since, &mut |_, v| {
        let list: Vec<TopTrace> = decode("top traces", v)?;
        data.top.extend(list);
        Ok(())
    })?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_keys_round_trip_and_sort_by_minute() {
        let k = group_key(28_000_000, GroupKind::User, "alice");
        assert_eq!(
            parse_group_key(&k),
            Some((28_000_000, GroupKind::User, "alice".into()))
        );
        assert!(group_key(1, GroupKind::User, "z") < group_key(2, GroupKind::Session, "a"));
        assert!(top_key(1) < top_key(256));
    }
}
