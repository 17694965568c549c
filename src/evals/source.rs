//! Reading eval records: from the store in this process, or from a running
//! instance's query API (`GET /api/v1/evals?since_unix_nano=N&limit=N`, the records
//! in the program's own serde form), for the CLI and the TUI alike.
//!
//! A result that arrived before the span naming its experiment (children are often
//! exported before their root) is completed from the other results of its trace:
//! [`complete_from_trace`].

use std::collections::HashMap;

use crate::api::ApiClient;
use crate::model::TraceId;
use crate::query::SourceError;
use crate::store::TraceStore;

use super::EvalRecord;

/// Most records a scorecard reads (the newest in the window).
pub const DEFAULT_LIMIT: usize = 20_000;

/// Records in the window from the store.
pub fn local(
    store: &dyn TraceStore,
    since_unix_nano: Option<u64>,
    limit: usize,
) -> Result<Vec<EvalRecord>, SourceError> {
    let mut records = store.eval_records(since_unix_nano, limit)?;
    complete_from_trace(&mut records);
    Ok(records)
}

/// Records in the window from a running instance.
pub fn remote(
    client: &ApiClient,
    since_unix_nano: Option<u64>,
    limit: usize,
) -> Result<Vec<EvalRecord>, SourceError> {
    let mut path = format!("/api/v1/evals?limit={limit}");
    if let Some(s) = since_unix_nano {
        path.push_str(&format!("&since_unix_nano={s}"));
    }
    let v = client.get_json(&path)?.unwrap_or_default();
    let mut records: Vec<EvalRecord> = serde_json::from_value(v).map_err(|e| client.error(e))?;
    complete_from_trace(&mut records);
    Ok(records)
}

/// Fills a missing experiment and example id from another result of the same
/// trace that has them.
pub fn complete_from_trace(records: &mut [EvalRecord]) {
    let mut known: HashMap<TraceId, (Option<String>, Option<String>)> = HashMap::new();
    for r in records.iter() {
        let k = known.entry(r.trace_id).or_default();
        if k.0.is_none() {
            k.0.clone_from(&r.experiment);
        }
        if k.1.is_none() {
            k.1.clone_from(&r.example_id);
        }
    }
    for r in records.iter_mut() {
        if let Some((e, x)) = known.get(&r.trace_id) {
            if r.experiment.is_none() {
                r.experiment.clone_from(e);
            }
            if r.example_id.is_none() {
                r.example_id.clone_from(x);
            }
        }
    }
}
