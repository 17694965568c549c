//! `list_errors`, `cost_report`, `eval_scorecards` and `compare_experiments`: the
//! JSON of `errors --json`, `cost --json`, `evals --json` and
//! `evals --compare A B --json`, built by the same report functions.

use serde_json::Value;

use super::ToolError;
use super::budget::fit;
use super::params::{
    CompareExperimentsParams, EvalScorecardsParams, ListErrorsParams, WindowParams,
};
use super::traces::since_nanos;
use crate::cli::evals_cmd::{comparison_json, scorecard_json};
use crate::errors::{Classifier, ErrorReport, TimeWindow};
use crate::evals::experiments::Grouping;
use crate::evals::{compare, source::DEFAULT_LIMIT};
use crate::query::TraceSource;

/// Most sample occurrences per group (as many as `errors --json` shows).
const MAX_SAMPLES: usize = 20;

pub fn list_errors(
    source: &dyn TraceSource,
    classifier: &Classifier,
    p: &ListErrorsParams,
    max_bytes: usize,
) -> Result<Value, ToolError> {
    let samples = p.samples.unwrap_or(3);
    if !(1..=MAX_SAMPLES).contains(&samples) {
        return Err(ToolError::BadInput(format!(
            "samples {samples}: use 1 to {MAX_SAMPLES}"
        )));
    }
    let window = source.error_window(since_nanos(p.since.as_deref())?)?;
    let mut report = ErrorReport::build(&window, classifier, TimeWindow::All).to_json(samples);
    // The per-minute histogram is for charts; a model reads the groups.
    if let Some(o) = report.as_object_mut() {
        o.remove("per_minute");
    }
    Ok(fit(
        report,
        max_bytes,
        "use since to narrow the window, or fewer samples",
    ))
}

pub fn cost_report(
    source: &dyn TraceSource,
    p: &WindowParams,
    max_bytes: usize,
) -> Result<Value, ToolError> {
    let mut stats = source.stats(since_nanos(p.since.as_deref())?)?;
    if let Some(o) = stats.as_object_mut() {
        // Receiver health and OTel metric series, not cost: `spanlens stats` has them.
        o.remove("genai_metrics");
        o.remove("forward");
    }
    Ok(fit(stats, max_bytes, "use since to narrow the window"))
}

fn grouping(by: Option<&str>) -> Result<Grouping, ToolError> {
    match by.unwrap_or("experiment") {
        "experiment" => Ok(Grouping::Experiment),
        "model" => Ok(Grouping::Model),
        "service" => Ok(Grouping::Service),
        other => Err(ToolError::BadInput(format!(
            "by {other:?}: use experiment, model or service"
        ))),
    }
}

pub fn eval_scorecards(
    source: &dyn TraceSource,
    p: &EvalScorecardsParams,
    max_bytes: usize,
) -> Result<Value, ToolError> {
    let grouping = grouping(p.by.as_deref())?;
    let since = since_nanos(p.since.as_deref())?;
    let mut records = source.eval_records(since, DEFAULT_LIMIT)?;
    if let Some(e) = &p.experiment {
        records.retain(|r| r.experiment.as_deref() == Some(e.as_str()));
        if records.is_empty() {
            return Err(ToolError::NotFound(format!(
                "no evaluation results for experiment {e:?} (eval_scorecards without experiment lists them)"
            )));
        }
    }
    Ok(fit(
        scorecard_json(&records, grouping, since),
        max_bytes,
        "pass experiment or since to narrow",
    ))
}

pub fn compare_experiments(
    source: &dyn TraceSource,
    p: &CompareExperimentsParams,
    max_bytes: usize,
) -> Result<Value, ToolError> {
    let since = since_nanos(p.since.as_deref())?;
    let records = source.eval_records(since, DEFAULT_LIMIT)?;
    let c = compare(&records, &p.a, &p.b);
    if c.evaluators.is_empty() {
        return Err(ToolError::NotFound(format!(
            "no evaluation results for experiments {:?} or {:?} (eval_scorecards lists the experiments)",
            p.a, p.b
        )));
    }
    Ok(fit(
        comparison_json(&c),
        max_bytes,
        "examples are sorted regressions first; use since to narrow",
    ))
}
