//! OpenLIT conventions: the reported cost `gen_ai.usage.cost` (USD) and evaluation
//! results as `evals.*` attributes, either flat as OpenLIT's evaluators emit them
//! (`evals.score`, `evals.verdict`, `evals.evaluation` / `evals.validator`,
//! `evals.classification`, `evals.explanation`) or per evaluator
//! (`evals.hallucination.score`, `evals.hallucination.verdict`, …).
//!
//! OpenLIT's evaluators are *detectors*: verdict `yes` means the problem
//! (hallucination, bias, toxicity) was found and the score is its likelihood. So the
//! verdict becomes label `fail` (yes) or `pass` (no); without a verdict, a score above
//! OpenLIT's default threshold of 0.5 is a `fail`. The score itself is kept as sent.

use std::collections::BTreeMap;
use std::ops::Bound;

use super::values::{AttrsExt, num_of};
use crate::model::{AttrValue, Attributes, Eval};

pub(super) const COST: &str = "gen_ai.usage.cost";
pub(super) const SOURCE: &str = "openlit";

const FIELDS: &[&str] = &[
    "score",
    "verdict",
    "label",
    "explanation",
    "classification",
    "validator",
    "evaluation",
];

/// The span's own cost report.
pub(super) fn reported_cost(attrs: &Attributes) -> Option<f64> {
    attrs.num(COST)
}

#[derive(Default)]
struct Raw<'a> {
    fields: BTreeMap<&'a str, &'a AttrValue>,
}

impl Raw<'_> {
    fn text(&self, k: &str) -> Option<String> {
        self.fields
            .get(k)
            .map(|v| v.to_text())
            .filter(|s| !s.trim().is_empty())
    }
}

/// Evaluation results among a span's attributes.
pub(super) fn evals(attrs: &Attributes) -> Vec<Eval> {
    let mut flat = Raw::default();
    let mut named: BTreeMap<&str, Raw<'_>> = BTreeMap::new();
    for (key, value) in attrs.range::<str, _>((Bound::Included("evals."), Bound::Unbounded)) {
        let Some(rest) = key.strip_prefix("evals.") else {
            break;
        };
        match rest.rsplit_once('.') {
            None if FIELDS.contains(&rest) => {
                flat.fields.insert(rest, value);
            }
            Some((name, field)) if FIELDS.contains(&field) && !name.is_empty() => {
                named.entry(name).or_default().fields.insert(field, value);
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if flat.fields.contains_key("score") || flat.fields.contains_key("verdict") {
        let name = flat
            .text("evaluation")
            .or_else(|| flat.text("validator"))
            .unwrap_or_else(|| "openlit".into());
        out.push(build(name, &flat));
    }
    for (name, raw) in named {
        out.push(build(name.to_string(), &raw));
    }
    out
}

fn build(name: String, raw: &Raw<'_>) -> Eval {
    let score = raw.fields.get("score").and_then(|v| num_of(v));
    let verdict = raw.text("verdict").map(|v| v.trim().to_ascii_lowercase());
    let label = match verdict.as_deref() {
        Some("yes" | "true") => Some("fail".to_string()),
        Some("no" | "false") => Some("pass".to_string()),
        Some(other) => Some(other.to_string()),
        None => raw
            .text("label")
            .or_else(|| score.map(|s| if s > 0.5 { "fail" } else { "pass" }.to_string())),
    };
    let classification = raw.text("classification").filter(|c| c != "none");
    let explanation = match (classification, raw.text("explanation")) {
        (Some(c), Some(e)) => Some(format!("{c}: {e}")),
        (c, e) => e.or(c),
    };
    Eval {
        name,
        score,
        label,
        explanation,
        source: SOURCE.into(),
        response_id: None,
        scope: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::normalize::test_util::{attrs, s};

    #[test]
    fn flat_evaluator_output_is_one_eval_named_after_the_evaluation() {
        let a = attrs(&[
            ("evals.evaluation", s("hallucination")),
            ("evals.score", AttrValue::Double(0.8)),
            ("evals.verdict", s("yes")),
            ("evals.classification", s("factual_inaccuracy")),
            ("evals.explanation", s("wrong year")),
            ("evals.requests", AttrValue::Int(1)),
        ]);
        let e = evals(&a);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].name, "hallucination");
        assert_eq!(e[0].score, Some(0.8));
        assert_eq!(e[0].label.as_deref(), Some("fail"), "yes = detected = fail");
        assert_eq!(
            e[0].explanation.as_deref(),
            Some("factual_inaccuracy: wrong year")
        );
        assert_eq!(e[0].source, "openlit");
    }

    #[test]
    fn per_evaluator_attributes_group_by_name() {
        let a = attrs(&[
            ("evals.hallucination.score", AttrValue::Double(0.1)),
            ("evals.hallucination.verdict", s("no")),
            ("evals.hallucination.explanation", s("consistent")),
            ("evals.toxicity.score", AttrValue::Double(0.9)),
            ("evalsx.other", s("ignored")),
        ]);
        let e = evals(&a);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name, "hallucination");
        assert_eq!(e[0].label.as_deref(), Some("pass"));
        assert_eq!(e[0].explanation.as_deref(), Some("consistent"));
        assert_eq!(e[1].name, "toxicity");
        assert_eq!(
            e[1].label.as_deref(),
            Some("fail"),
            "score above 0.5 without a verdict"
        );
    }
}
