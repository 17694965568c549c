//! The evaluation settings of the config file: `[[evaluators]]` (online rule
//! evaluators, run on ingest) and `[experiments]` (which attribute names an
//! experiment). Parsing refuses unknown keys; validation then checks each evaluator
//! (its kind, the settings that kind needs, that a regex compiles) and names the
//! file, the line and the reason of every problem.
//!
//! ```toml
//! [experiments]
//! key = "app.experiment"          # read before experiment.name & co.
//!
//! [[evaluators]]
//! kind = "json_valid"             # json_valid regex contains not_contains max_latency
//! name = "reply_is_json"          # max_cost max_tokens non_empty refusal
//! service = "support-bot"         # optional matches (case-insensitive substrings)
//! model = "gpt-4o"
//! span_name = "ChatOpenAI"
//! # pattern = "…" (regex) · text = "…" (contains / not_contains)
//! # ms = 2000 · usd = 0.01 · tokens = 4000 · phrases = ["I can't", …] (refusal)
//! ```

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::online::{Check, Matcher, OnlineEvaluator};
use crate::config::{ConfigError, ConfigFile};

/// Table names this feature owns.
pub const EVALUATORS_TABLE: &str = "evaluators";
pub const EXPERIMENTS_TABLE: &str = "experiments";

/// One `[[evaluators]]` entry as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluatorSpec {
    pub kind: Option<Spanned<String>>,
    pub name: Option<String>,
    pub service: Option<String>,
    pub model: Option<String>,
    pub span_name: Option<String>,
    pub pattern: Option<Spanned<String>>,
    pub text: Option<String>,
    pub case_sensitive: Option<bool>,
    pub ms: Option<f64>,
    pub usd: Option<f64>,
    pub tokens: Option<u64>,
    pub phrases: Option<Vec<String>>,
}

/// `[experiments]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExperimentsSpec {
    /// An attribute naming the experiment, read before the standard ones.
    pub key: Option<String>,
}

/// The validated settings.
#[derive(Debug, Clone, Default)]
pub struct EvalConfig {
    pub evaluators: Vec<OnlineEvaluator>,
    pub experiment_key: Option<String>,
}

const KINDS: &[&str] = &[
    "json_valid",
    "regex",
    "contains",
    "not_contains",
    "max_latency",
    "max_cost",
    "max_tokens",
    "non_empty",
    "refusal",
];

impl EvalConfig {
    /// Reads and validates both tables; every problem found, each with its line.
    pub fn from_file(file: &ConfigFile) -> Result<EvalConfig, Vec<ConfigError>> {
        let specs: Vec<EvaluatorSpec> = file.section(EVALUATORS_TABLE).map_err(|e| vec![e])?;
        let experiments: ExperimentsSpec = file.section(EXPERIMENTS_TABLE).map_err(|e| vec![e])?;
        let headers = entry_lines(&file.text);
        let path = file.path.clone().unwrap_or_else(|| PathBuf::from("config"));
        let mut errors = Vec::new();
        let mut evaluators = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let header = headers.get(i).copied().unwrap_or(0);
            match build(spec, &file.text, header) {
                Ok(e) => evaluators.push(e),
                Err((line, message)) => errors.push(ConfigError::Invalid {
                    path: path.clone(),
                    line,
                    message,
                }),
            }
        }
        if let Some(key) = &experiments.key
            && key.trim().is_empty()
        {
            errors.push(ConfigError::Invalid {
                path: path.clone(),
                line: line_of_key(&file.text, "key", 0),
                message: "experiments.key must name an attribute".into(),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(EvalConfig {
            evaluators,
            experiment_key: experiments.key.map(|k| k.trim().to_string()),
        })
    }
}

/// 1-based lines of each `[[evaluators]]` header, in order.
fn entry_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t: String = l.chars().filter(|c| !c.is_whitespace()).collect();
            t.starts_with("[[evaluators]]")
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// The line of `key = …` at or after line `from` (1-based), else `from`.
fn line_of_key(text: &str, key: &str, from: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| {
            let t = l.trim_start();
            t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|(i, _)| i + 1)
        .unwrap_or(from)
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

type BuildError = (usize, String);

fn build(spec: &EvaluatorSpec, text: &str, header: usize) -> Result<OnlineEvaluator, BuildError> {
    let Some(kind) = &spec.kind else {
        return Err((
            header,
            format!("evaluator without a kind (one of {})", KINDS.join(", ")),
        ));
    };
    let kind_line = line_at(text, kind.span().start);
    let at = |key: &str| line_of_key(text, key, header);
    let need = |what: Option<()>, key: &str, hint: &str| -> Result<(), BuildError> {
        what.ok_or_else(|| {
            (
                kind_line,
                format!("`{}` needs {key} = {hint}", kind.get_ref()),
            )
        })
    };
    let check = match kind.get_ref().as_str() {
        "json_valid" => Check::JsonValid,
        "non_empty" => Check::NonEmpty,
        "regex" => {
            let Some(p) = &spec.pattern else {
                return Err((kind_line, "`regex` needs pattern = \"…\"".into()));
            };
            let re = regex::RegexBuilder::new(p.get_ref())
                .size_limit(1 << 20)
                .build()
                .map_err(|e| {
                    let first = e
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    (
                        line_at(text, p.span().start),
                        format!("pattern is not a valid regex: {first}"),
                    )
                })?;
            Check::Regex(re)
        }
        k @ ("contains" | "not_contains") => {
            need(spec.text.as_ref().map(|_| ()), "text", "\"…\"")?;
            let t = spec.text.clone().unwrap_or_default();
            if t.is_empty() {
                return Err((at("text"), "text must not be empty".into()));
            }
            let case_sensitive = spec.case_sensitive.unwrap_or(false);
            if k == "contains" {
                Check::Contains(t, case_sensitive)
            } else {
                Check::NotContains(t, case_sensitive)
            }
        }
        "max_latency" => {
            need(spec.ms.map(|_| ()), "ms", "a number of milliseconds")?;
            let ms = spec.ms.unwrap_or_default();
            if !(ms.is_finite() && ms > 0.0) {
                return Err((at("ms"), "ms must be a positive number".into()));
            }
            Check::MaxLatencyMs(ms)
        }
        "max_cost" => {
            need(spec.usd.map(|_| ()), "usd", "a cost in US dollars")?;
            let usd = spec.usd.unwrap_or_default();
            if !(usd.is_finite() && usd >= 0.0) {
                return Err((at("usd"), "usd must be zero or more".into()));
            }
            Check::MaxCostUsd(usd)
        }
        "max_tokens" => {
            need(spec.tokens.map(|_| ()), "tokens", "a token count")?;
            Check::MaxTokens(spec.tokens.unwrap_or_default())
        }
        "refusal" => {
            let phrases = spec.phrases.clone().unwrap_or_default();
            if spec.phrases.is_some() && phrases.iter().all(|p| p.trim().is_empty()) {
                return Err((
                    at("phrases"),
                    "phrases must hold at least one phrase".into(),
                ));
            }
            Check::Refusal(phrases)
        }
        other => {
            return Err((
                kind_line,
                format!(
                    "unknown evaluator kind `{other}` (one of {})",
                    KINDS.join(", ")
                ),
            ));
        }
    };
    let unused = unused_settings(spec, &check);
    if let Some(key) = unused.first() {
        return Err((
            at(key),
            format!("`{key}` does not apply to a `{}` evaluator", kind.get_ref()),
        ));
    }
    let name = spec
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| kind.get_ref().clone());
    Ok(OnlineEvaluator {
        name,
        matcher: Matcher {
            service: spec.service.clone(),
            model: spec.model.clone(),
            span_name: spec.span_name.clone(),
        },
        check,
    })
}

/// Settings given that the evaluator's kind does not read (likely a mistake).
fn unused_settings(spec: &EvaluatorSpec, check: &Check) -> Vec<&'static str> {
    let mut out = Vec::new();
    let uses = |key: &str| match check {
        Check::Regex(_) => key == "pattern",
        Check::Contains(..) | Check::NotContains(..) => key == "text" || key == "case_sensitive",
        Check::MaxLatencyMs(_) => key == "ms",
        Check::MaxCostUsd(_) => key == "usd",
        Check::MaxTokens(_) => key == "tokens",
        Check::Refusal(_) => key == "phrases",
        Check::JsonValid | Check::NonEmpty => false,
    };
    let given = [
        ("pattern", spec.pattern.is_some()),
        ("text", spec.text.is_some()),
        ("case_sensitive", spec.case_sensitive.is_some()),
        ("ms", spec.ms.is_some()),
        ("usd", spec.usd.is_some()),
        ("tokens", spec.tokens.is_some()),
        ("phrases", spec.phrases.is_some()),
    ];
    for (key, present) in given {
        if present && !uses(key) {
            out.push(key);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<EvalConfig, Vec<String>> {
        let file = ConfigFile::parse(Some("evals.toml".into()), text.to_string())
            .map_err(|e| vec![e.to_string()])?;
        EvalConfig::from_file(&file).map_err(|es| es.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn a_full_config_is_read() {
        let c = parse(
            "[experiments]\nkey = \"app.exp\"\n\n[[evaluators]]\nkind = \"regex\"\n\
             pattern = \"order #\\\\d+\"\nservice = \"support\"\n\n[[evaluators]]\n\
             kind = \"refusal\"\nname = \"no_refusals\"\n",
        )
        .unwrap();
        assert_eq!(c.experiment_key.as_deref(), Some("app.exp"));
        assert_eq!(c.evaluators.len(), 2);
        assert_eq!(c.evaluators[0].name, "regex");
        assert_eq!(c.evaluators[1].name, "no_refusals");
    }

    #[test]
    fn errors_name_the_line_and_the_reason() {
        let errs = parse(
            "# evaluators\n[[evaluators]]\nkind = \"regex\"\npattern = \"(unclosed\"\n\n\
             [[evaluators]]\nkind = \"max_latncy\"\n\n[[evaluators]]\nkind = \"max_cost\"\n\n\
             [[evaluators]]\nkind = \"non_empty\"\nms = 5\n",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(
            errs[0].starts_with("evals.toml:4: pattern is not a valid regex"),
            "{}",
            errs[0]
        );
        assert!(
            errs[1].starts_with("evals.toml:7: unknown evaluator kind `max_latncy`"),
            "{}",
            errs[1]
        );
        assert!(
            errs[2].starts_with("evals.toml:10: `max_cost` needs usd"),
            "{}",
            errs[2]
        );
        assert!(
            errs[3].starts_with("evals.toml:14: `ms` does not apply"),
            "{}",
            errs[3]
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_refused_with_their_line() {
        let errs = parse("[[evaluators]]\nkind = \"contains\"\ntxt = \"x\"\n").unwrap_err();
        assert!(
            errs[0].starts_with("evals.toml:3:") && errs[0].contains("txt"),
            "{errs:?}"
        );
        let errs =
            parse("\n[[evaluators]]\nkind = \"max_tokens\"\ntokens = \"many\"\n").unwrap_err();
        assert!(errs[0].starts_with("evals.toml:4:"), "{errs:?}");
        let errs = parse("[experiments]\nkey = \" \"\n").unwrap_err();
        assert!(errs[0].starts_with("evals.toml:2:"), "{errs:?}");
    }
}
