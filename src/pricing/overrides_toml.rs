//! The user's price overrides in TOML: `prices.toml` in the config dir (e.g.
//! `~/.config/spanlens/prices.toml`), or the file given with `--prices FILE` (TOML;
//! a `.json` file is read in the JSON format of `load.rs`). Models are added, or
//! replace the built-in row of the same name (case-insensitive) whole; aliases map a
//! name (an Azure deployment, a proxy route) to a model of the resulting table.
//!
//! ```toml
//! [models."my-finetune"]
//! provider = "openai"
//! input_per_million = 0.30
//! output_per_million = 1.20
//! cache_read_per_million = 0.15
//!
//! [models."gpt-4o-mini"]            # replaces the built-in row
//! input_cost_per_token = 1.5e-7
//! output_cost_per_token = 6e-7
//!
//! [aliases]
//! "prod-chat-eu" = "gpt-4o-mini"
//! ```
//!
//! Per model: `input_per_million` or `input_cost_per_token` (required),
//! `output_…`, `cache_read_…`, `cache_write_…`, `reasoning_…` (per million), or
//! LiteLLM's per-token names (`output_cost_per_token`, `cache_read_input_token_cost`,
//! `cache_creation_input_token_cost`, `output_cost_per_reasoning_token`), and
//! `provider`. Unknown fields are refused; errors name the file and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{PriceError, PriceTable};

/// A price file that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct PricesFileError {
    pub path: PathBuf,
    #[source]
    pub source: PriceError,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlPrices {
    #[serde(default)]
    models: BTreeMap<String, TomlModel>,
    #[serde(default)]
    aliases: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlModel {
    provider: Option<String>,
    input_per_million: Option<f64>,
    output_per_million: Option<f64>,
    cache_read_per_million: Option<f64>,
    cache_write_per_million: Option<f64>,
    reasoning_per_million: Option<f64>,
    input_cost_per_token: Option<f64>,
    output_cost_per_token: Option<f64>,
    cache_read_input_token_cost: Option<f64>,
    cache_creation_input_token_cost: Option<f64>,
    output_cost_per_reasoning_token: Option<f64>,
}

impl TomlModel {
    /// The model in the JSON override format (which checks the values).
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(p) = &self.provider {
            m.insert("provider".into(), json!(p));
        }
        let prices = [
            ("input_per_million", self.input_per_million),
            ("output_per_million", self.output_per_million),
            ("cache_read_per_million", self.cache_read_per_million),
            ("cache_write_per_million", self.cache_write_per_million),
            ("reasoning_per_million", self.reasoning_per_million),
            ("input_cost_per_token", self.input_cost_per_token),
            ("output_cost_per_token", self.output_cost_per_token),
            (
                "cache_read_input_token_cost",
                self.cache_read_input_token_cost,
            ),
            (
                "cache_creation_input_token_cost",
                self.cache_creation_input_token_cost,
            ),
            (
                "output_cost_per_reasoning_token",
                self.output_cost_per_reasoning_token,
            ),
        ];
        for (k, v) in prices {
            if let Some(v) = v {
                m.insert(k.into(), json!(v));
            }
        }
        Value::Object(m)
    }
}

/// The 1-based line of the first line in `text` naming `name` (as a key).
fn line_naming(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.contains(&format!("\"{name}\"")) || l.starts_with(name)
        })
        .map(|i| i + 1)
}

/// The name quoted in a message such as `models."x": …`.
fn quoted_name(message: &str) -> Option<&str> {
    let start = message.find('"')? + 1;
    let len = message[start..].find('"')?;
    Some(&message[start..start + len])
}

/// `table` with the overrides of a TOML text; errors carry the text's line numbers.
pub fn with_toml_overrides(table: PriceTable, text: &str) -> Result<PriceTable, PriceError> {
    let file: TomlPrices = toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                (line, column)
            })
            .unwrap_or((0, 0));
        PriceError::Parse {
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    let models: Map<String, Value> = file
        .models
        .iter()
        .map(|(name, m)| (name.clone(), m.to_json()))
        .collect();
    let doc = json!({"models": models, "aliases": file.aliases});
    table.with_overrides(&doc.to_string()).map_err(|e| match e {
        PriceError::Parse { message, .. } => PriceError::Invalid {
            line: quoted_name(&message).and_then(|n| line_naming(text, n)),
            field: "models".into(),
            message,
        },
        PriceError::Invalid { field, message, .. } => PriceError::Invalid {
            line: quoted_name(&field).and_then(|n| line_naming(text, n)),
            field,
            message,
        },
        other => other,
    })
}

/// `prices.toml` in the config dir (next to `config.toml`).
pub fn default_prices_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "spanlens").map(|d| d.config_dir().join("prices.toml"))
}

/// `table` with a file's overrides: TOML, or JSON when the name ends in `.json`.
pub fn with_overrides_path(table: PriceTable, path: &Path) -> Result<PriceTable, PricesFileError> {
    let fail = |source| PricesFileError {
        path: path.to_owned(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(|source| {
        fail(PriceError::Io {
            path: path.to_owned(),
            source,
        })
    })?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        table.with_overrides(&text)
    } else {
        with_toml_overrides(table, &text)
    }
    .map_err(fail)
}

/// The prices every command uses: the built-in table, then `prices.toml` from the
/// config dir when present (`config_dir_file`), then `--prices FILE` when given.
pub fn user_prices(
    config_dir_file: Option<&Path>,
    explicit: Option<&Path>,
) -> Result<PriceTable, PricesFileError> {
    let mut table = PriceTable::builtin();
    if let Some(p) = config_dir_file.filter(|p| p.exists()) {
        table = with_overrides_path(table, p)?;
    }
    if let Some(p) = explicit {
        table = with_overrides_path(table, p)?;
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# my prices
[models."acme-llm"]
provider = "acme"
input_per_million = 1.0
output_per_million = 2.0
cache_read_per_million = 0.5

[models."GPT-4o-mini"]
input_cost_per_token = 1e-6
output_cost_per_token = 2e-6

[aliases]
"prod-chat-eu" = "gpt-4o-mini"
big = "acme-llm"
"#;

    #[test]
    fn toml_overrides_add_replace_and_alias() {
        let t = with_toml_overrides(PriceTable::builtin(), FILE).unwrap();
        assert_eq!(t.len(), PriceTable::builtin().len() + 1);
        let acme = t.lookup_entry("acme-llm-2025-01-01", None).unwrap();
        assert_eq!((acme.name, acme.provider), ("acme-llm", "acme"));
        assert!((acme.price.input - 1e-6).abs() < 1e-18);
        assert!((acme.price.cache_read.unwrap() - 5e-7).abs() < 1e-18);
        // Replaced whole: the built-in cache-read rate is gone.
        let mini = t.lookup("openai/gpt-4o-mini", None).unwrap();
        assert_eq!(
            (mini.input, mini.output, mini.cache_read),
            (1e-6, 2e-6, None)
        );
        assert_eq!(
            t.lookup_entry("prod-chat-eu", None).unwrap().name,
            "gpt-4o-mini"
        );
        assert_eq!(t.lookup_entry("BIG", None).unwrap().name, "acme-llm");
        // The built-in table is untouched.
        assert_eq!(
            PriceTable::builtin()
                .lookup("gpt-4o-mini", None)
                .unwrap()
                .input,
            1.5e-7
        );
    }

    #[test]
    fn toml_errors_name_the_line() {
        let typo = "[models.x]\ninput_per_million = 1\noutput_per_milion = 2\n";
        let e = with_toml_overrides(PriceTable::empty(), typo).unwrap_err();
        assert!(matches!(e, PriceError::Parse { line: 3, .. }), "{e}");
        assert!(e.to_string().contains("output_per_milion"), "{e}");

        let negative = "\n[models.\"x\"]\ninput_per_million = -1\n";
        let e = with_toml_overrides(PriceTable::empty(), negative).unwrap_err();
        assert!(e.to_string().starts_with("line 2:"), "{e}");
        assert!(e.to_string().contains("non-negative"), "{e}");

        let alias = "[aliases]\n\"dep\" = \"no-such-model\"\n";
        let e = with_toml_overrides(PriceTable::builtin(), alias).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2: aliases.\"dep\": model \"no-such-model\" is not in the price table"
        );
        let e = with_toml_overrides(PriceTable::empty(), "[models.x]\noutput_per_million = 1\n")
            .unwrap_err();
        assert!(e.to_string().contains("input_cost_per_token"), "{e}");
    }

    #[test]
    fn files_stack_config_dir_then_flag() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("prices.toml");
        std::fs::write(&conf, FILE).unwrap();
        let flag = dir.path().join("more.json");
        std::fs::write(&flag, r#"{"aliases": {"other": "acme-llm"}}"#).unwrap();
        let t = user_prices(Some(&conf), Some(&flag)).unwrap();
        assert_eq!(t.lookup_entry("other", None).unwrap().name, "acme-llm");
        let missing = dir.path().join("absent.toml");
        assert_eq!(
            user_prices(Some(&missing), None).unwrap().len(),
            PriceTable::builtin().len()
        );
        let e = user_prices(None, Some(&missing)).unwrap_err().to_string();
        assert!(e.contains("absent.toml"), "{e}");
        std::fs::write(&conf, "[models.x]\nnope = 1\n").unwrap();
        let e = user_prices(Some(&conf), None).unwrap_err().to_string();
        assert!(
            e.starts_with(&conf.display().to_string()) && e.contains("line 2"),
            "{e}"
        );
    }
}
