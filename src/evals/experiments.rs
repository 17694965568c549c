//! Scorecards and experiment comparison, computed from eval records alone.
//!
//! A scorecard has one row per evaluator × group (model, service or experiment):
//! count, mean score, pass rate, a 10-bin histogram of scores in [0, 1], and the
//! mean latency and cost of what was judged. A comparison of experiments A and B
//! gives per-evaluator deltas and per-example rows matched by example id (else the
//! input's hash), regressions first.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::record::EvalRecord;

/// What the second dimension of a scorecard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Grouping {
    #[default]
    Experiment,
    Model,
    Service,
}

impl Grouping {
    pub const ALL: [Grouping; 3] = [Grouping::Experiment, Grouping::Model, Grouping::Service];

    pub fn as_str(&self) -> &'static str {
        match self {
            Grouping::Experiment => "experiment",
            Grouping::Model => "model",
            Grouping::Service => "service",
        }
    }

    pub fn next(self) -> Grouping {
        let i = Self::ALL.iter().position(|g| *g == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// The group a record falls in ("—" when it has none).
    pub fn key_of(&self, r: &EvalRecord) -> String {
        let v = match self {
            Grouping::Experiment => r.experiment.clone(),
            Grouping::Model => r.model.clone(),
            Grouping::Service => Some(r.service.clone()).filter(|s| !s.is_empty()),
        };
        v.unwrap_or_else(|| NO_GROUP.to_string())
    }
}

/// Group name of records without one.
pub const NO_GROUP: &str = "—";

/// Bins of the score histogram over [0, 1].
pub const BINS: usize = 10;

/// Running aggregate of results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub count: u64,
    pub scored: u64,
    pub score_sum: f64,
    pub judged: u64,
    pub passed: u64,
    pub histogram: [u64; BINS],
    pub latency_n: u64,
    pub latency_sum_ms: f64,
    pub cost_n: u64,
    pub cost_sum_usd: f64,
}

impl Aggregate {
    pub fn add(&mut self, r: &EvalRecord) {
        self.count += 1;
        if let Some(s) = r.score {
            self.scored += 1;
            self.score_sum += s;
            let bin = ((s.clamp(0.0, 1.0) * BINS as f64) as usize).min(BINS - 1);
            self.histogram[bin] += 1;
        }
        if let Some(p) = r.passed {
            self.judged += 1;
            self.passed += u64::from(p);
        }
        if let Some(l) = r.latency_ms {
            self.latency_n += 1;
            self.latency_sum_ms += l;
        }
        if let Some(c) = r.cost_usd {
            self.cost_n += 1;
            self.cost_sum_usd += c;
        }
    }
    pub fn mean_score(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.score_sum / self.scored as f64)
    }
    pub fn pass_rate(&self) -> Option<f64> {
        (self.judged > 0).then(|| self.passed as f64 / self.judged as f64)
    }
    pub fn mean_latency_ms(&self) -> Option<f64> {
        (self.latency_n > 0).then(|| self.latency_sum_ms / self.latency_n as f64)
    }
    pub fn mean_cost_usd(&self) -> Option<f64> {
        (self.cost_n > 0).then(|| self.cost_sum_usd / self.cost_n as f64)
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "count": self.count,
            "mean_score": self.mean_score(),
            "pass_rate": self.pass_rate(),
            "histogram": self.histogram,
            "mean_latency_ms": self.mean_latency_ms(),
            "mean_cost_usd": self.mean_cost_usd(),
        })
    }
}

/// The histogram as one bar character per bin, scaled to the fullest bin
/// (`·` for an empty bin).
pub fn histogram_bars(h: &[u64; BINS]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = h.iter().copied().max().unwrap_or(0);
    h.iter()
        .map(|n| match *n {
            0 => '·',
            n => BARS[((n * 8).div_ceil(max.max(1)) as usize).clamp(1, 8) - 1],
        })
        .collect()
}

/// One row: an evaluator within a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRow {
    pub evaluator: String,
    pub group: String,
    pub agg: Aggregate,
}

/// Rows by evaluator, then group (groups in name order, "—" last).
pub fn scorecard(records: &[EvalRecord], grouping: Grouping) -> Vec<ScoreRow> {
    let mut rows: BTreeMap<(String, (bool, String)), Aggregate> = BTreeMap::new();
    for r in records {
        let g = grouping.key_of(r);
        rows.entry((r.name.clone(), (g == NO_GROUP, g)))
            .or_default()
            .add(r);
    }
    rows.into_iter()
        .map(|((evaluator, (_, group)), agg)| ScoreRow {
            evaluator,
            group,
            agg,
        })
        .collect()
}

/// The results behind one scorecard row, worst first: failed before passed, then
/// by score (unscored last), newest first among equals.
pub fn worst<'a>(
    records: &'a [EvalRecord],
    evaluator: &str,
    group: &str,
    grouping: Grouping,
) -> Vec<&'a EvalRecord> {
    let mut out: Vec<&EvalRecord> = records
        .iter()
        .filter(|r| r.name == evaluator && grouping.key_of(r) == group)
        .collect();
    out.sort_by(|a, b| {
        let rank = |r: &EvalRecord| match r.passed {
            Some(false) => 0,
            None => 1,
            Some(true) => 2,
        };
        rank(a)
            .cmp(&rank(b))
            .then(
                a.score
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&b.score.unwrap_or(f64::INFINITY)),
            )
            .then(b.time_unix_nano.cmp(&a.time_unix_nano))
    });
    out
}

/// Experiments seen, oldest first (by their first result), with result counts.
pub fn experiments(records: &[EvalRecord]) -> Vec<(String, u64)> {
    let mut seen: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in records {
        if let Some(e) = &r.experiment {
            let s = seen.entry(e.clone()).or_insert((u64::MAX, 0));
            s.0 = s.0.min(r.time_unix_nano);
            s.1 += 1;
        }
    }
    let mut v: Vec<(String, (u64, u64))> = seen.into_iter().collect();
    v.sort_by(|a, b| a.1.0.cmp(&b.1.0).then(a.0.cmp(&b.0)));
    v.into_iter().map(|(n, (_, c))| (n, c)).collect()
}

/// The two experiments to compare by default: the two with the latest results,
/// in name order (so `prompt-v1` is A, the baseline, and `prompt-v2` is B).
pub fn default_pair(records: &[EvalRecord]) -> Option<(String, String)> {
    let mut last: BTreeMap<&str, u64> = BTreeMap::new();
    for r in records {
        if let Some(e) = &r.experiment {
            let t = last.entry(e.as_str()).or_insert(0);
            *t = (*t).max(r.time_unix_nano);
        }
    }
    let mut v: Vec<(&str, u64)> = last.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut two: Vec<&str> = v.iter().take(2).map(|(n, _)| *n).collect();
    if two.len() < 2 {
        return None;
    }
    two.sort();
    Some((two[0].to_string(), two[1].to_string()))
}

/// One evaluator in both experiments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluatorDelta {
    pub evaluator: String,
    pub a: Aggregate,
    pub b: Aggregate,
}

impl EvaluatorDelta {
    pub fn mean_delta(&self) -> Option<f64> {
        Some(self.b.mean_score()? - self.a.mean_score()?)
    }
    pub fn pass_delta(&self) -> Option<f64> {
        Some(self.b.pass_rate()? - self.a.pass_rate()?)
    }
}

/// What happened to one example between A and B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Regressed,
    Improved,
    Same,
    /// Present in one experiment only.
    Unmatched,
}

/// One example × evaluator in both experiments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExampleRow {
    pub example: String,
    pub evaluator: String,
    pub preview: Option<String>,
    pub a: Option<ExampleSide>,
    pub b: Option<ExampleSide>,
    pub change: Change,
}

/// An example's result in one experiment (the mean when it ran several times).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExampleSide {
    pub score: Option<f64>,
    pub passed: Option<bool>,
    pub runs: u64,
    /// The worst run's evaluated span, to open.
    pub trace_id: crate::model::TraceId,
    pub span_id: crate::model::SpanId,
}

impl ExampleRow {
    pub fn delta(&self) -> Option<f64> {
        Some(self.b.as_ref()?.score? - self.a.as_ref()?.score?)
    }
}

/// A comparison of two experiments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub evaluators: Vec<EvaluatorDelta>,
    pub examples: Vec<ExampleRow>,
}

/// A score drop larger than this is a regression even without a verdict change.
const REGRESSION_DROP: f64 = 0.1;

fn side(rs: &[&EvalRecord]) -> Option<ExampleSide> {
    let worst = rs.iter().min_by(|x, y| {
        let k = |r: &EvalRecord| (r.passed.unwrap_or(true), r.score.unwrap_or(f64::INFINITY));
        let (px, sx) = k(x);
        let (py, sy) = k(y);
        px.cmp(&py).then(sx.total_cmp(&sy))
    })?;
    let scores: Vec<f64> = rs.iter().filter_map(|r| r.score).collect();
    let verdicts: Vec<bool> = rs.iter().filter_map(|r| r.passed).collect();
    Some(ExampleSide {
        score: (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
        // Passed only when most runs passed.
        passed: (!verdicts.is_empty())
            .then(|| verdicts.iter().filter(|p| **p).count() * 2 > verdicts.len()),
        runs: rs.len() as u64,
        trace_id: worst.trace_id,
        span_id: worst.span_id,
    })
}

fn change_of(a: Option<&ExampleSide>, b: Option<&ExampleSide>) -> Change {
    let (Some(a), Some(b)) = (a, b) else {
        return Change::Unmatched;
    };
    match (a.passed, b.passed) {
        (Some(true), Some(false)) => return Change::Regressed,
        (Some(false), Some(true)) => return Change::Improved,
        _ => {}
    }
    match (a.score, b.score) {
        (Some(x), Some(y)) if y < x - REGRESSION_DROP => Change::Regressed,
        (Some(x), Some(y)) if y > x + REGRESSION_DROP => Change::Improved,
        _ => Change::Same,
    }
}

/// Compares experiment `a` (the baseline) with `b`.
pub fn compare(records: &[EvalRecord], a: &str, b: &str) -> Comparison {
    let mut aggs: BTreeMap<String, (Aggregate, Aggregate)> = BTreeMap::new();
    // (evaluator, example) → (A's results, B's results)
    type Sides<'r> = (Vec<&'r EvalRecord>, Vec<&'r EvalRecord>);
    let mut examples: BTreeMap<(String, String), Sides<'_>> = BTreeMap::new();
    let mut previews: BTreeMap<String, String> = BTreeMap::new();
    for r in records {
        let is_a = r.experiment.as_deref() == Some(a);
        let is_b = r.experiment.as_deref() == Some(b);
        if !is_a && !is_b {
            continue;
        }
        let agg = aggs.entry(r.name.clone()).or_default();
        if is_a {
            agg.0.add(r);
        } else {
            agg.1.add(r);
        }
        let Some(ex) = r.example_key() else { continue };
        if let Some(p) = &r.input_preview {
            previews.entry(ex.clone()).or_insert_with(|| p.clone());
        }
        let e = examples.entry((r.name.clone(), ex)).or_default();
        if is_a {
            e.0.push(r);
        } else {
            e.1.push(r);
        }
    }
    let mut rows: Vec<ExampleRow> = examples
        .into_iter()
        .map(|((evaluator, example), (ra, rb))| {
            let (sa, sb) = (side(&ra), side(&rb));
            let change = change_of(sa.as_ref(), sb.as_ref());
            ExampleRow {
                preview: previews.get(&example).cloned(),
                example,
                evaluator,
                a: sa,
                b: sb,
                change,
            }
        })
        .collect();
    rows.sort_by(|x, y| {
        x.change
            .cmp(&y.change)
            .then(
                x.delta()
                    .unwrap_or(0.0)
                    .total_cmp(&y.delta().unwrap_or(0.0)),
            )
            .then(x.example.cmp(&y.example))
            .then(x.evaluator.cmp(&y.evaluator))
    });
    Comparison {
        a: a.to_string(),
        b: b.to_string(),
        evaluators: aggs
            .into_iter()
            .map(|(evaluator, (a, b))| EvaluatorDelta { evaluator, a, b })
            .collect(),
        examples: rows,
    }
}

#[cfg(test)]
#[path = "experiments_tests.rs"]
mod tests;
