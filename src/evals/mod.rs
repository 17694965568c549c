//! Evaluation results: the records every convention's results become (`record`),
//! the ingest hook that writes them and runs the online rule evaluators (`ingest`,
//! `online`), their settings (`config`: `[[evaluators]]`, `[experiments]`), and
//! scorecards and experiment comparison over the records (`experiments`).

pub mod config;
pub mod experiments;
pub mod ingest;
pub mod online;
pub mod record;
pub mod source;
#[cfg(test)]
pub(crate) mod test_records;

pub use config::EvalConfig;
pub use experiments::{Comparison, Grouping, ScoreRow, compare, scorecard};
pub use ingest::EvalHook;
pub use record::EvalRecord;

use crate::config::{ConfigError, ConfigFile};

/// A trace's eval badge: the share of its judged results that passed (else the
/// mean score), `None` when it has no results.
pub fn trace_pass_rate(s: &crate::model::TraceSummary) -> Option<f64> {
    let (judged, passed) = s
        .evals
        .iter()
        .fold((0, 0), |(j, p), e| (j + e.judged, p + e.passed));
    if judged > 0 {
        return Some(passed as f64 / judged as f64);
    }
    let (n, sum) = s
        .evals
        .iter()
        .fold((0, 0.0), |(n, sum), e| (n + e.scored, sum + e.score_sum));
    (n > 0).then(|| sum / n as f64)
}

/// Errors loading the evaluation settings: every problem found, each with its line.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct EvalsConfigError(pub Vec<ConfigError>);

/// Loads and validates the evaluation settings of the config file (`None`: the
/// default file, absent = no evaluators).
pub fn load_config(path: Option<&std::path::Path>) -> Result<EvalConfig, EvalsConfigError> {
    let file = ConfigFile::load(path).map_err(|e| EvalsConfigError(vec![e]))?;
    EvalConfig::from_file(&file).map_err(EvalsConfigError)
}
