//! Scorecards and comparisons over synthetic experiments.

use super::*;
use crate::evals::test_records::{rec, synthetic};
use crate::model::TraceId;

#[test]
fn the_scorecard_has_each_evaluators_mean_pass_rate_and_histogram_per_group() {
    let rows = scorecard(&synthetic(), Grouping::Experiment);
    let groups: Vec<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    assert_eq!(groups, ["v1", "v2", NO_GROUP], "ungrouped results last");
    let v1 = &rows[0].agg;
    assert_eq!(v1.count, 3);
    assert!((v1.mean_score().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert!((v1.pass_rate().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(v1.histogram[4] + v1.histogram[7] + v1.histogram[9], 3);
    assert!((v1.mean_latency_ms().unwrap() - 200.0).abs() < 1e-9);
    assert_eq!(histogram_bars(&v1.histogram), "····█··█·█");
    let by_model = scorecard(&synthetic(), Grouping::Model);
    assert_eq!(by_model.len(), 2);
    assert_eq!(by_model[0].group, "gpt-4.1-mini");
    assert_eq!(by_model[0].agg.count, 4);
}

#[test]
fn worst_results_come_first() {
    let recs = synthetic();
    let w = worst(&recs, "helpfulness", "v2", Grouping::Experiment);
    let scores: Vec<f64> = w.iter().map(|r| r.score.unwrap()).collect();
    assert_eq!(scores, [0.30, 0.72, 0.80, 0.95]);
}

#[test]
fn comparison_puts_regressions_first_and_matches_examples_by_id() {
    let c = compare(&synthetic(), "v1", "v2");
    assert_eq!(c.evaluators.len(), 1);
    let d = &c.evaluators[0];
    assert_eq!((d.a.count, d.b.count), (3, 4));
    assert!(
        (d.mean_delta().unwrap() - ((0.95 + 0.30 + 0.72 + 0.80) / 4.0 - 2.0 / 3.0)).abs() < 1e-9
    );
    let order: Vec<(&str, Change)> = c
        .examples
        .iter()
        .map(|e| (e.example.as_str(), e.change))
        .collect();
    assert_eq!(
        order,
        [
            ("ex-2", Change::Regressed),
            ("ex-1", Change::Improved),
            ("ex-3", Change::Same),
            ("ex-4", Change::Unmatched),
        ]
    );
    let ex2 = &c.examples[0];
    assert!((ex2.delta().unwrap() + 0.60).abs() < 1e-9);
    assert_eq!(
        ex2.b.as_ref().unwrap().trace_id,
        TraceId([5; 16]),
        "B's run to open"
    );
}

#[test]
fn examples_without_ids_match_by_input_hash_and_the_default_pair_is_the_latest_two() {
    let mut a = rec(Some("base"), None, "correctness", 1.0, 1);
    a.input_hash = Some(42);
    let mut b = rec(Some("cand"), None, "correctness", 0.0, 2);
    b.input_hash = Some(42);
    let old = rec(Some("ancient"), Some("x"), "correctness", 1.0, 0);
    let recs = vec![old, a, b];
    assert_eq!(
        default_pair(&recs),
        Some(("base".to_string(), "cand".to_string()))
    );
    let c = compare(&recs, "base", "cand");
    assert_eq!(c.examples.len(), 1);
    assert_eq!(c.examples[0].change, Change::Regressed);
    assert_eq!(default_pair(&recs[..1]), None);
}
