//! Online rule evaluators: configured checks run on ingest against the model calls
//! they match (by service, model and span name — case-insensitive substrings).
//! Each yields a result like any other evaluation — score 1 and label `pass`, or
//! score 0 and `fail`, with an explanation — with source `spanlens`, added to the
//! span's own results so the trace summary, the span detail and the eval records
//! all see it. A check that cannot judge (cost or tokens unknown) yields nothing.

use crate::model::{Eval, EvalScope, Span};

/// Source of the results these evaluators produce.
pub const SOURCE: &str = "spanlens";

/// Phrases that mark a refusal when none are configured (compared
/// case-insensitively, with typographic apostrophes folded).
pub const DEFAULT_REFUSALS: &[&str] = &[
    "i'm sorry, but i can't",
    "i'm sorry, but i cannot",
    "i cannot help with",
    "i can't help with",
    "i can't assist with",
    "i cannot assist with",
    "i'm unable to help",
    "i am unable to help",
    "i'm not able to help",
    "i won't be able to help",
    "as an ai language model",
    "i must decline",
];

/// What one evaluator checks.
#[derive(Debug, Clone)]
pub enum Check {
    /// The output parses as JSON (a fenced ```json block counts).
    JsonValid,
    /// The output matches the pattern.
    Regex(regex::Regex),
    /// The output contains the text (bool: case-sensitive).
    Contains(String, bool),
    NotContains(String, bool),
    MaxLatencyMs(f64),
    MaxCostUsd(f64),
    /// Input + output tokens at most this.
    MaxTokens(u64),
    /// The output has visible text or a tool call.
    NonEmpty,
    /// The output contains none of the phrases (the default list when empty).
    Refusal(Vec<String>),
}

/// Which spans an evaluator runs on; `None` matches anything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matcher {
    pub service: Option<String>,
    pub model: Option<String>,
    pub span_name: Option<String>,
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

impl Matcher {
    pub fn matches(&self, span: &Span) -> bool {
        let Some(llm) = span.llm.as_ref().filter(|l| l.kind.is_model_call()) else {
            return false;
        };
        let model_ok = self.model.as_deref().is_none_or(|m| {
            [llm.response_model.as_deref(), llm.request_model.as_deref()]
                .into_iter()
                .flatten()
                .any(|x| contains_ci(x, m))
        });
        model_ok
            && self
                .service
                .as_deref()
                .is_none_or(|s| contains_ci(&span.service, s))
            && self
                .span_name
                .as_deref()
                .is_none_or(|n| contains_ci(&span.name, n))
    }
}

/// One configured evaluator.
#[derive(Debug, Clone)]
pub struct OnlineEvaluator {
    pub name: String,
    pub matcher: Matcher,
    pub check: Check,
}

/// The model's output as text: the output messages' content and tool calls.
fn output_text(span: &Span) -> String {
    let Some(llm) = &span.llm else {
        return String::new();
    };
    let mut parts: Vec<&str> = Vec::new();
    for m in &llm.output_messages {
        if !m.content.is_empty() {
            parts.push(&m.content);
        }
        for c in &m.tool_calls {
            parts.push(&c.arguments);
        }
    }
    parts.join("\n")
}

fn fold(s: &str) -> String {
    s.replace(['\u{2019}', '\u{2018}'], "'").to_lowercase()
}

fn json_valid(text: &str) -> bool {
    let t = text.trim();
    let inner = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .and_then(|r| r.trim_end().strip_suffix("```"))
        .unwrap_or(t);
    !inner.trim().is_empty() && serde_json::from_str::<serde_json::Value>(inner.trim()).is_ok()
}

impl OnlineEvaluator {
    /// The result for one span, or `None` when it does not match or cannot be judged.
    pub fn evaluate(&self, span: &Span) -> Option<Eval> {
        if !self.matcher.matches(span) {
            return None;
        }
        let llm = span.llm.as_ref()?;
        let out = output_text(span);
        let (passed, why) = match &self.check {
            Check::JsonValid => {
                let ok = json_valid(&out);
                (
                    ok,
                    if ok {
                        "output is valid JSON"
                    } else {
                        "output is not valid JSON"
                    }
                    .to_string(),
                )
            }
            Check::Regex(re) => {
                let ok = re.is_match(&out);
                let verb = if ok { "matches" } else { "does not match" };
                (ok, format!("output {verb} /{}/", re.as_str()))
            }
            Check::Contains(t, cs) | Check::NotContains(t, cs) => {
                let found = if *cs {
                    out.contains(t.as_str())
                } else {
                    contains_ci(&out, t)
                };
                let want = matches!(self.check, Check::Contains(..));
                let verb = if found {
                    "contains"
                } else {
                    "does not contain"
                };
                (found == want, format!("output {verb} \"{t}\""))
            }
            Check::MaxLatencyMs(max) => {
                let ms = span.duration_nanos() as f64 / 1e6;
                (
                    ms <= *max,
                    format!("latency {ms:.0} ms (limit {max:.0} ms)"),
                )
            }
            Check::MaxCostUsd(max) => {
                let cost = llm.cost_usd?;
                (cost <= *max, format!("cost ${cost:.6} (limit ${max})"))
            }
            Check::MaxTokens(max) => {
                if llm.input_tokens.is_none() && llm.output_tokens.is_none() {
                    return None;
                }
                let n = llm.input_tokens.unwrap_or(0) + llm.output_tokens.unwrap_or(0);
                (n <= *max, format!("{n} tokens (limit {max})"))
            }
            Check::NonEmpty => {
                let ok = !out.trim().is_empty();
                (
                    ok,
                    if ok {
                        "output is not empty"
                    } else {
                        "output is empty"
                    }
                    .to_string(),
                )
            }
            Check::Refusal(phrases) => {
                let text = fold(&out);
                let hit = if phrases.is_empty() {
                    DEFAULT_REFUSALS
                        .iter()
                        .find(|p| text.contains(**p))
                        .map(|p| p.to_string())
                } else {
                    phrases
                        .iter()
                        .filter(|p| !p.trim().is_empty())
                        .find(|p| text.contains(&fold(p)))
                        .cloned()
                };
                match hit {
                    Some(p) => (false, format!("refusal: \"{p}\"")),
                    None => (true, "no refusal phrase".to_string()),
                }
            }
        };
        Some(Eval {
            name: self.name.clone(),
            score: Some(if passed { 1.0 } else { 0.0 }),
            label: Some(if passed { "pass" } else { "fail" }.into()),
            explanation: Some(why),
            source: SOURCE.into(),
            response_id: None,
            scope: EvalScope::Span,
        })
    }
}

/// Runs every evaluator on every span, adding the results to the spans' facets.
/// Returns how many results were added.
pub fn apply(evaluators: &[OnlineEvaluator], spans: &mut [Span]) -> usize {
    if evaluators.is_empty() {
        return 0;
    }
    let mut added = 0;
    for span in spans.iter_mut() {
        let results: Vec<Eval> = evaluators.iter().filter_map(|e| e.evaluate(span)).collect();
        if let Some(llm) = span.llm.as_mut() {
            added += results.len();
            llm.evals.extend(results);
        }
    }
    added
}

#[cfg(test)]
#[path = "online_tests.rs"]
mod tests;
