//! Reading eval records: from the store in this process, or from a running
//! instance's query API (`GET /api/v1/evals?since_unix_nano=N&limit=N`, the records
//! in the program's own serde form), for the CLI and the TUI alike.

use crate::api::ApiClient;
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
    Ok(store.eval_records(since_unix_nano, limit)?)
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
    serde_json::from_value(v).map_err(|e| client.error(e))
}
