//! Where the UI reads from: the store in this process (combined mode) or a running
//! instance's query API (`attach`), behind one typed trait; and the change feed each
//! offers (the writer's broadcast, or the API's `/api/v1/live` stream).

use std::io::BufRead;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc};

use crate::api::ApiClient;
use crate::cost::{CostReport, CostWindow};
use crate::evals::EvalRecord;
use crate::evals::source as evals_source;
use crate::model::{TraceId, TraceSummary};
use crate::query::{LocalSource, SourceError, TraceDetail, trace_detail};
use crate::store::{LiveEvent, TraceQuery};

use super::app::Action;

/// Typed reads for the UI.
pub trait UiSource: Send + Sync {
    fn list(&self, query: &TraceQuery) -> Result<Vec<TraceSummary>, SourceError>;
    fn detail(&self, id: TraceId) -> Result<Option<TraceDetail>, SourceError>;
    /// The cost panel's report for a window, as of now.
    fn cost(&self, window: CostWindow) -> Result<CostReport, SourceError>;
    /// The error timeline's records (see `errors::report`).
    fn error_window(&self, since: Option<u64>) -> Result<crate::errors::ErrorWindow, SourceError>;
    /// Eval records since a time (or all), oldest first.
    fn evals(&self, since_unix_nano: Option<u64>) -> Result<Vec<EvalRecord>, SourceError>;
}

impl UiSource for LocalSource {
    fn list(&self, query: &TraceQuery) -> Result<Vec<TraceSummary>, SourceError> {
        Ok(self.store.list_traces(query)?)
    }

    fn detail(&self, id: TraceId) -> Result<Option<TraceDetail>, SourceError> {
        Ok(trace_detail(self.store.as_ref(), id, &self.prices)?)
    }

    fn cost(&self, window: CostWindow) -> Result<CostReport, SourceError> {
        let now = crate::util::now_unix_nano();
        let report = crate::cost::load(self.store.as_ref(), &self.prices, window.since(now), now)?;
        Ok(report)
    }

    fn error_window(&self, since: Option<u64>) -> Result<crate::errors::ErrorWindow, SourceError> {
        crate::query::TraceSource::error_window(self, since)
    }

    fn evals(&self, since_unix_nano: Option<u64>) -> Result<Vec<EvalRecord>, SourceError> {
        evals_source::local(
            self.store.as_ref(),
            since_unix_nano,
            evals_source::DEFAULT_LIMIT,
        )
    }
}

impl UiSource for ApiClient {
    fn list(&self, query: &TraceQuery) -> Result<Vec<TraceSummary>, SourceError> {
        let params: Vec<String> = query
            .to_params()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", crate::api::encode_component(&v)))
            .collect();
        let v = self
            .get_json(&format!("/api/v1/ui/traces?{}", params.join("&")))?
            .unwrap_or_default();
        serde_json::from_value(v).map_err(|e| self.error(e))
    }

    fn detail(&self, id: TraceId) -> Result<Option<TraceDetail>, SourceError> {
        match self.get_json(&format!("/api/v1/ui/traces/{id}"))? {
            Some(v) => serde_json::from_value(v)
                .map(Some)
                .map_err(|e| self.error(e)),
            None => Ok(None),
        }
    }

    fn cost(&self, window: CostWindow) -> Result<CostReport, SourceError> {
        let v = self
            .get_json(&format!("/api/v1/ui/cost?window={}", window.label()))?
            .ok_or_else(|| self.error("no cost route (is this spanlens up to date?)"))?;
        serde_json::from_value(v).map_err(|e| self.error(e))
    }

    fn error_window(&self, since: Option<u64>) -> Result<crate::errors::ErrorWindow, SourceError> {
        crate::query::TraceSource::error_window(self, since)
    }

    fn evals(&self, since_unix_nano: Option<u64>) -> Result<Vec<EvalRecord>, SourceError> {
        evals_source::remote(self, since_unix_nano, evals_source::DEFAULT_LIMIT)
    }
}

/// Forwards the writer's commits to the UI as actions (combined mode).
pub fn forward_local(mut live: broadcast::Receiver<LiveEvent>, tx: mpsc::UnboundedSender<Action>) {
    tokio::spawn(async move {
        loop {
            let action = match live.recv().await {
                // An empty list (retention deleted traces) means "reload what is shown".
                Ok(LiveEvent::TracesChanged(ids)) if ids.is_empty() => Action::ChangedMany,
                Ok(LiveEvent::TracesChanged(ids)) => Action::Changed(ids.to_vec()),
                Err(broadcast::error::RecvError::Lagged(_)) => Action::ChangedMany,
                Err(broadcast::error::RecvError::Closed) => break,
            };
            if tx.send(action).is_err() {
                break;
            }
        }
    });
}

/// Follows a remote instance's `/api/v1/live` stream on a thread (attach mode),
/// reconnecting every second while it is unreachable.
pub fn forward_remote(client: ApiClient, tx: mpsc::UnboundedSender<Action>) {
    std::thread::Builder::new()
        .name("spanlens-live".into())
        .spawn(move || {
            let mut first = true;
            while !tx.is_closed() {
                match client.open_stream("/api/v1/live") {
                    Ok(reader) => {
                        if !first {
                            // We may have missed changes while disconnected.
                            let _ = tx.send(Action::ChangedMany);
                        }
                        first = false;
                        for line in reader.lines() {
                            let Ok(line) = line else { break };
                            let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                                continue;
                            };
                            let action = match v.get("changed").and_then(|c| c.as_array()) {
                                Some(ids) if !ids.is_empty() => Action::Changed(
                                    ids.iter()
                                        .filter_map(|i| i.as_str()?.parse().ok())
                                        .collect(),
                                ),
                                _ => Action::ChangedMany,
                            };
                            if tx.send(action).is_err() {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Action::LoadFailed(format!("live updates: {e}")));
                    }
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        })
        .ok();
}
