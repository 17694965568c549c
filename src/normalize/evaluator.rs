//! Evaluator spans: a span whose job is to judge another (OpenInference
//! `openinference.span.kind=EVALUATOR`, Langfuse `langfuse.observation.type=evaluator`).
//! Its result is about its parent, so its evaluations get `EvalScope::Parent`; when
//! it carries no evaluation attributes or events, its output is the result:
//! a JSON object (`score`/`value`, `label`/`verdict`, `explanation`/`reasoning`/
//! `comment`, `name`), a bare number (a score) or a short text (a label). The
//! evaluator's name is `eval.name` / `evaluator.name`, else the output's `name`, else
//! the span name.
//!
//! A `gen_ai.evaluation.result` event on a span that is otherwise not GenAI-aware
//! and is named like an evaluation (`…eval…`) is likewise about its parent, unless
//! the event names the evaluated response (`gen_ai.response.id`).

use serde_json::Value;

use super::values::AttrsExt;
use crate::model::{Attributes, Eval, EvalScope, LlmKind};

pub(super) const LANGFUSE_TYPE: &str = "langfuse.observation.type";
const OUTPUT_KEYS: &[&str] = &["output.value", "langfuse.observation.output"];
const NAME_KEYS: &[&str] = &["eval.name", "evaluator.name"];
pub(super) const SOURCE: &str = "evaluator";

/// `evaluator` from Langfuse's observation type.
pub(super) fn langfuse_kind(attrs: &Attributes) -> Option<(LlmKind, bool)> {
    attrs
        .str(LANGFUSE_TYPE)
        .filter(|t| t.trim().eq_ignore_ascii_case("evaluator"))
        .map(|_| (LlmKind::Evaluator, false))
}

/// Sets the scope of the results found on a span: an evaluator's (or an
/// evaluation-named plain span's) span-scoped results are about its parent.
pub(super) fn retarget(evals: &mut [Eval], span_name: &str, kind: Option<LlmKind>) {
    let judge = match kind {
        Some(LlmKind::Evaluator) => true,
        None => span_name.to_ascii_lowercase().contains("eval"),
        Some(_) => false,
    };
    if !judge {
        return;
    }
    for e in evals
        .iter_mut()
        .filter(|e| e.scope == EvalScope::Span && e.response_id.is_none())
    {
        e.scope = EvalScope::Parent;
    }
}

/// The result an evaluator span reports as its output, if it reports one.
pub(super) fn from_output(span_name: &str, attrs: &Attributes) -> Option<Eval> {
    let output = attrs.first_str(OUTPUT_KEYS)?;
    let attr_name = attrs.first_str(NAME_KEYS).map(str::to_string);
    let mut e = Eval {
        source: SOURCE.into(),
        scope: EvalScope::Parent,
        ..Default::default()
    };
    let trimmed = output.trim();
    let mut json_name = None;
    match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Object(o)) => {
            let text = |keys: &[&str]| {
                keys.iter().find_map(|k| match o.get(*k) {
                    Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
                    Some(Value::Bool(b)) => Some(b.to_string()),
                    _ => None,
                })
            };
            e.score = ["score", "value"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_f64))
                .filter(|f| f.is_finite());
            e.label = text(&["label", "verdict", "value"]);
            e.explanation = text(&["explanation", "reasoning", "reason", "comment"]);
            json_name = text(&["name"]);
        }
        Ok(Value::Number(n)) => e.score = n.as_f64().filter(|f| f.is_finite()),
        Ok(Value::Bool(b)) => e.label = Some(b.to_string()),
        _ if trimmed.chars().count() <= 40 && !trimmed.is_empty() => {
            e.label = Some(trimmed.to_string())
        }
        _ => return None,
    }
    if e.score.is_none() && e.label.is_none() {
        return None;
    }
    e.name = attr_name
        .or(json_name)
        .unwrap_or_else(|| span_name.to_string());
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AttrValue;
    use crate::normalize::test_util::{attrs, s};

    #[test]
    fn a_json_output_is_the_result_about_the_parent() {
        let a = attrs(&[
            ("openinference.span.kind", s("EVALUATOR")),
            (
                "output.value",
                s(r#"{"score": 0.25, "label": "incorrect", "explanation": "wrong city"}"#),
            ),
        ]);
        let e = from_output("qa_correctness", &a).unwrap();
        assert_eq!(e.name, "qa_correctness");
        assert_eq!(e.score, Some(0.25));
        assert_eq!(e.label.as_deref(), Some("incorrect"));
        assert_eq!(e.explanation.as_deref(), Some("wrong city"));
        assert_eq!(e.scope, EvalScope::Parent);
    }

    #[test]
    fn langfuse_evaluators_are_detected_and_named_by_attribute() {
        let a = attrs(&[
            (LANGFUSE_TYPE, s("evaluator")),
            ("langfuse.observation.output", s("0.9")),
            ("eval.name", s("toxicity")),
        ]);
        assert_eq!(langfuse_kind(&a), Some((LlmKind::Evaluator, false)));
        let e = from_output("run-eval", &a).unwrap();
        assert_eq!((e.name.as_str(), e.score), ("toxicity", Some(0.9)));
    }

    #[test]
    fn prose_output_is_not_a_result_and_other_spans_keep_their_scope() {
        let a = attrs(&[("output.value", s(&"a long answer ".repeat(10)))]);
        assert!(from_output("judge", &a).is_none());
        let a = attrs(&[("output.value", AttrValue::Str(String::new()))]);
        assert!(from_output("judge", &a).is_none());
        let mut evals = vec![Eval::default()];
        retarget(&mut evals, "agent.run", Some(LlmKind::Agent));
        assert_eq!(evals[0].scope, EvalScope::Span);
        retarget(&mut evals, "evaluate answer", None);
        assert_eq!(evals[0].scope, EvalScope::Parent);
    }
}
