//! `spanlens traces`, `trace` and `stats`: ask the owner's API when one is alive,
//! otherwise read the store directly.

use std::sync::Arc;
use std::time::Duration;

use super::serve::{open_store, resolve_data_dir};
use super::{CliError, CommonArgs, StatsArgs, TraceArgs, TracesArgs, format};
use crate::data_dir::{OwnerLock, pid_alive};
use crate::model::TraceId;
use crate::query::{LocalSource, TraceSource};
use crate::store::TraceQuery;
use crate::util::{now_unix_nano, parse_duration};

/// The API of a live owner, else the store itself.
pub(super) fn open_source(common: &CommonArgs) -> Result<Box<dyn TraceSource>, CliError> {
    let dir = resolve_data_dir(common)?;
    if let Some(lock) = OwnerLock::read(&dir).filter(|l| pid_alive(l.pid)) {
        let client = super::api_client(common, &lock.api_url)?;
        if client.is_alive(Duration::from_secs(2)) {
            return Ok(Box::new(client));
        }
    }
    let store = open_store(&dir, 64)?;
    Ok(Box::new(LocalSource {
        store: Arc::new(store),
        prices: Arc::new(super::cost_cmd::load_prices(common)?),
    }))
}

/// The same choice, typed (`ui::source::UiSource`): for the commands that read whole
/// traces as model types (`compare`, `export`).
pub(super) fn open_typed_source(
    common: &CommonArgs,
) -> Result<Box<dyn crate::ui::source::UiSource>, CliError> {
    let dir = resolve_data_dir(common)?;
    if let Some(lock) = OwnerLock::read(&dir).filter(|l| pid_alive(l.pid)) {
        let client = super::api_client(common, &lock.api_url)?;
        if client.is_alive(Duration::from_secs(2)) {
            return Ok(Box::new(client));
        }
    }
    Ok(Box::new(LocalSource {
        store: Arc::new(open_store(&dir, 64)?),
        prices: Arc::new(super::cost_cmd::load_prices(common)?),
    }))
}

pub(super) fn since(text: &Option<String>) -> Result<Option<u64>, CliError> {
    text.as_deref()
        .map(|t| {
            parse_duration(t)
                .map(|d| now_unix_nano().saturating_sub(d.as_nanos() as u64))
                .map_err(|e| CliError::Usage(e.to_string()))
        })
        .transpose()
}

pub(super) fn print_json(v: &serde_json::Value) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(v).map_err(|e| CliError::Usage(e.to_string()))?;
    super::format::emit(&(text + "\n"))
}

pub fn traces(common: &CommonArgs, args: &TracesArgs) -> Result<(), CliError> {
    let query = TraceQuery {
        limit: Some(args.limit),
        since_unix_nano: since(&args.since)?,
        service: args.service.clone(),
        model: args.model.clone(),
        session: args.session.clone(),
        errors_only: args.errors,
        ..Default::default()
    };
    let list = open_source(common)?.traces(&query)?;
    if args.json {
        return print_json(&list);
    }
    super::format::emit(&format::traces_table(&list))?;
    Ok(())
}

pub fn trace(common: &CommonArgs, args: &TraceArgs) -> Result<(), CliError> {
    let id: TraceId = args
        .trace_id
        .parse()
        .map_err(|e| CliError::Usage(format!("{e}")))?;
    let Some(trace) = open_source(common)?.trace(id)? else {
        return Err(CliError::NotFound(id.to_string()));
    };
    if args.json {
        return print_json(&trace);
    }
    super::format::emit(&format::trace_tree(&trace))?;
    Ok(())
}

pub fn stats(common: &CommonArgs, args: &StatsArgs) -> Result<(), CliError> {
    let stats = open_source(common)?.stats(since(&args.since)?)?;
    if args.json {
        return print_json(&stats);
    }
    super::format::emit(&format::stats_tables(&stats))?;
    super::format::emit(&crate::metrics_genai::genai_metrics_table(&stats))?;
    if let Some(f) = stats.get("forward").filter(|f| f.is_object()) {
        super::format::emit(&format!(
            "\nforwarding to {}: {} spans in {} requests sent, {} requests dropped ({} spans), {} queued\n",
            crate::util::sanitize_for_terminal(f["target"].as_str().unwrap_or("")),
            f["sent_spans"],
            f["sent_requests"],
            f["dropped_requests"],
            f["dropped_spans"],
            f["queued"]
        ))?;
        if let Some(e) = f["last_error"].as_str() {
            let state = if f["failing"] == true {
                "failing"
            } else {
                "last error"
            };
            super::format::emit(&format!(
                "{state}: {}\n",
                crate::util::sanitize_for_terminal(e)
            ))?;
        }
    }
    Ok(())
}
