//! Reading price tables: the embedded asset and user override files share one JSON
//! format, LiteLLM's field names under a `models` map:
//!
//! ```json
//! {
//!   "_comment": "keys starting with _ are ignored",
//!   "models": {
//!     "my-finetune": {"provider": "openai", "input_cost_per_token": 3e-7,
//!                     "output_cost_per_token": 1.2e-6, "cache_read_input_token_cost": 1.5e-7},
//!     "gpt-4o": {"input_per_million": 2.5, "output_per_million": 10}
//!   },
//!   "aliases": {"prod-chat-deployment": "gpt-4o-mini", "azure/eu-big": "azure/eu/gpt-4o"}
//! }
//! ```
//!
//! Per model: `input_cost_per_token` (required, or `input_per_million`),
//! `output_cost_per_token` (default 0), `cache_read_input_token_cost`,
//! `cache_creation_input_token_cost`, `output_cost_per_reasoning_token`, each also as
//! `…_per_million` (`output_per_million`, `cache_read_per_million`,
//! `cache_write_per_million`, `reasoning_per_million`), and `provider` (or LiteLLM's
//! `litellm_provider`). Other fields (`mode`, `max_tokens`, …) are ignored, except
//! unknown ones that mention a cost or price, which are refused as likely typos.
//! `aliases` maps a name (an Azure deployment, a proxy route) to a model in the table.
//! Errors name the line and the field.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::ModelPrice;

/// Why a price table or override file was refused.
#[derive(Debug, thiserror::Error)]
pub enum PriceError {
    #[error("reading {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Malformed JSON, a wrong type or a bad value; the message names the field.
    #[error("line {line}, column {column}: {message}")]
    Parse {
        line: usize,
        column: usize,
        message: String,
    },
    /// A well-formed file that says something impossible (alias to an unknown model…).
    #[error("{}{field}: {message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Invalid {
        line: Option<usize>,
        field: String,
        message: String,
    },
}

impl From<serde_json::Error> for PriceError {
    /// Nested errors carry the innermost " at line L column C" in their text (the
    /// outer position can be past the closing brace): the first one is used.
    fn from(e: serde_json::Error) -> Self {
        let full = e.to_string();
        let (mut line, mut column) = (e.line(), e.column());
        let Some(at) = full.find(" at line ") else {
            return PriceError::Parse {
                line,
                column,
                message: full,
            };
        };
        let mut words = full[at + " at line ".len()..].split_whitespace();
        if let (Some(l), Some("column"), Some(c)) = (words.next(), words.next(), words.next())
            && let (Ok(l), Ok(c)) = (l.parse(), c.parse())
        {
            (line, column) = (l, c);
        }
        PriceError::Parse {
            line,
            column,
            message: full[..at].to_owned(),
        }
    }
}

/// One parsed file.
#[derive(Debug, Default)]
pub(super) struct PriceFile {
    pub source: Option<String>,
    pub models: Vec<(String, ModelDoc)>,
    pub aliases: Vec<(String, String)>,
}

/// One model as a file wrote it; every field optional until checked.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct ModelDoc {
    pub provider: Option<String>,
    pub input: Option<f64>,
    pub output: Option<f64>,
    pub cache_read: Option<f64>,
    pub cache_write: Option<f64>,
    pub reasoning: Option<f64>,
}

impl ModelDoc {
    /// The price, or why not (`input` missing).
    pub fn price(&self) -> Result<ModelPrice, &'static str> {
        Ok(ModelPrice {
            input: self
                .input
                .ok_or("input_cost_per_token (or input_per_million) is required")?,
            output: self.output.unwrap_or(0.0),
            cache_read: self.cache_read,
            cache_write: self.cache_write,
            reasoning: self.reasoning,
        })
    }
}

/// Parses the table/override format (see the module header).
pub(super) fn parse(text: &str) -> Result<PriceFile, PriceError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let file = PriceFile::deserialize(&mut de)?;
    de.end()?;
    Ok(file)
}

/// The 1-based line where `key` first appears as a JSON string, for error messages.
pub(super) fn line_of(text: &str, key: &str) -> Option<usize> {
    let quoted = serde_json::to_string(key).ok()?;
    let at = text.find(&quoted)?;
    Some(text[..at].matches('\n').count() + 1)
}

impl<'de> Deserialize<'de> for PriceFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PriceFile;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object with `models` and/or `aliases`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PriceFile, A::Error> {
                let mut out = PriceFile::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "_source" => out.source = map.next_value()?,
                        "models" => {
                            let Models(models) = map.next_value()?;
                            out.models = models;
                        }
                        "aliases" => {
                            let aliases: BTreeMap<String, String> = map
                                .next_value()
                                .map_err(|e| de::Error::custom(format!("`aliases`: {e}")))?;
                            out.aliases = aliases.into_iter().collect();
                        }
                        k if k.starts_with('_') => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        other => {
                            return Err(de::Error::custom(format!(
                                "unknown top-level field `{other}` (expected `models` or `aliases`)"
                            )));
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// The `models` map, in file order, each error prefixed with the model's name.
struct Models(Vec<(String, ModelDoc)>);

impl<'de> Deserialize<'de> for Models {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Models;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map from model name to prices")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Models, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let doc: ModelDoc = map
                        .next_value()
                        .map_err(|e| de::Error::custom(format!("models.{name:?}: {e}")))?;
                    out.push((name, doc));
                }
                Ok(Models(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for ModelDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ModelDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of per-token prices")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ModelDoc, A::Error> {
                let mut doc = ModelDoc::default();
                while let Some(key) = map.next_key::<String>()? {
                    let (slot, scale) = match key.as_str() {
                        "provider" | "litellm_provider" => {
                            doc.provider = Some(map.next_value()?);
                            continue;
                        }
                        "input_cost_per_token" => (&mut doc.input, 1.0),
                        "output_cost_per_token" => (&mut doc.output, 1.0),
                        "cache_read_input_token_cost" => (&mut doc.cache_read, 1.0),
                        "cache_creation_input_token_cost" => (&mut doc.cache_write, 1.0),
                        "output_cost_per_reasoning_token" => (&mut doc.reasoning, 1.0),
                        "input_per_million" => (&mut doc.input, 1e-6),
                        "output_per_million" => (&mut doc.output, 1e-6),
                        "cache_read_per_million" => (&mut doc.cache_read, 1e-6),
                        "cache_write_per_million" => (&mut doc.cache_write, 1e-6),
                        "reasoning_per_million" => (&mut doc.reasoning, 1e-6),
                        k if k.contains("cost")
                            || k.contains("price")
                            || k.contains("per_million") =>
                        {
                            return Err(de::Error::custom(format!(
                                "unknown price field `{k}` (a typo? see src/pricing/load.rs)"
                            )));
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    let v: f64 = map
                        .next_value()
                        .map_err(|e| de::Error::custom(format!("`{key}`: {e}")))?;
                    if !v.is_finite() || v < 0.0 {
                        return Err(de::Error::custom(format!(
                            "`{key}` must be a non-negative number, got {v}"
                        )));
                    }
                    if slot.is_some() {
                        return Err(de::Error::custom(format!(
                            "`{key}`: this price is given twice (per token and per million?)"
                        )));
                    }
                    *slot = Some(v * scale);
                }
                Ok(doc)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_units_and_ignores_extras() {
        let f = parse(
            r#"{"_source": "me", "_comment": 1,
                "models": {"m": {"provider": "openai", "mode": "chat", "max_tokens": 9,
                                 "input_per_million": 2.5, "output_cost_per_token": 1e-5,
                                 "cache_read_per_million": 1.25}},
                "aliases": {"dep": "m"}}"#,
        )
        .unwrap();
        assert_eq!(f.source.as_deref(), Some("me"));
        let (name, doc) = &f.models[0];
        assert_eq!(name, "m");
        let p = doc.price().unwrap();
        assert!(
            (p.input - 2.5e-6).abs() < 1e-18 && (p.cache_read.unwrap() - 1.25e-6).abs() < 1e-18
        );
        assert_eq!((p.output, p.cache_write, p.reasoning), (1e-5, None, None));
        assert_eq!(f.aliases, vec![("dep".to_owned(), "m".to_owned())]);
    }

    fn parse_err(text: &str) -> (usize, String) {
        match parse(text).unwrap_err() {
            PriceError::Parse { line, message, .. } => (line, message),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn errors_name_line_and_field() {
        let (line, msg) = parse_err(
            "{\"models\": {\n \"a\": {\"input_cost_per_token\": 1e-6},\n \"b\": {\"input_cost_per_token\": \"cheap\"}\n}}",
        );
        assert_eq!(line, 3);
        assert!(
            msg.contains("models.\"b\"") && msg.contains("`input_cost_per_token`"),
            "{msg}"
        );

        let (line, msg) = parse_err("{\"models\": {\"a\":\n {\"input_cost_per_tokn\": 1e-6}}}");
        assert_eq!(line, 2);
        assert!(msg.contains("input_cost_per_tokn"), "{msg}");

        let (_, msg) = parse_err(r#"{"models": {"a": {"output_per_million": -1}}}"#);
        assert!(msg.contains("non-negative"), "{msg}");

        let (_, msg) = parse_err(
            r#"{"models": {"a": {"input_per_million": 1, "input_cost_per_token": 1e-6}}}"#,
        );
        assert!(msg.contains("given twice"), "{msg}");

        let (_, msg) = parse_err(r#"{"modles": {}}"#);
        assert!(msg.contains("`modles`"), "{msg}");

        let (_, msg) = parse_err(r#"{"aliases": {"x": 3}}"#);
        assert!(msg.contains("`aliases`"), "{msg}");

        let (line, _) = parse_err("{\"models\": {}\n,");
        assert_eq!(line, 2);
    }

    #[test]
    fn missing_input_is_reported_by_price() {
        let f = parse(r#"{"models": {"a": {"output_cost_per_token": 1e-6}}}"#).unwrap();
        assert!(
            f.models[0]
                .1
                .price()
                .unwrap_err()
                .contains("input_cost_per_token")
        );
        assert_eq!(line_of("{\n\"a\": 1,\n \"bb\": 2}", "bb"), Some(3));
        let e = PriceError::Invalid {
            line: Some(4),
            field: "aliases.\"x\"".into(),
            message: "nope".into(),
        };
        assert_eq!(e.to_string(), "line 4: aliases.\"x\": nope");
    }
}
