//! The price table: rows, their name index, aliases and the lookup memo.
//!
//! [`PriceTable`] is an `Arc` over immutable data plus an `Arc<RwLock<…>>` memo of
//! resolved names, so clones are cheap, share the memo, and the table is
//! `Send + Sync`. Overrides build a new table; the built-in one is never mutated.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock, RwLock};

use super::{ModelPrice, PriceError, Usage, load, matching};
use crate::model::LlmFacet;

/// A row of the table, as [`PriceTable::lookup_entry`] reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceMatch<'a> {
    /// The table's name for the model (`gpt-4o-mini`, `azure/eu/gpt-4o`, …).
    pub name: &'a str,
    /// Normalized provider (`openai`, `azure`, `bedrock`, `vertex_ai`, …; may be empty).
    pub provider: &'a str,
    pub price: &'a ModelPrice,
}

pub(super) struct Entry {
    /// As the table spells it.
    pub name: String,
    /// Lower-cased `name`.
    pub key: String,
    pub provider: String,
    pub price: ModelPrice,
}

/// The immutable part of a table: rows, the index of their name forms, aliases.
#[derive(Default)]
pub(super) struct Data {
    source: Option<String>,
    pub entries: Vec<Entry>,
    /// Every identity form of every name → the rows carrying it.
    pub index: HashMap<String, Vec<usize>>,
    /// Lower-cased alias → (target as written, row).
    pub aliases: HashMap<String, (String, usize)>,
}

impl Data {
    fn build(source: Option<String>, rows: Vec<(String, String, ModelPrice)>) -> Data {
        let mut data = Data {
            source,
            ..Data::default()
        };
        for (i, (name, provider, price)) in rows.into_iter().enumerate() {
            for form in matching::Forms::of(&name).forms {
                data.index.entry(form).or_default().push(i);
            }
            let provider = matching::normalize_provider(&provider).into_owned();
            let key = name.to_lowercase();
            data.entries.push(Entry {
                name,
                key,
                provider,
                price,
            });
        }
        data
    }

    /// Resolves every alias against the rows (never through another alias, so the
    /// order they come in cannot matter), then installs them.
    fn set_aliases(
        &mut self,
        aliases: Vec<(String, String)>,
        text: &str,
    ) -> Result<(), PriceError> {
        let mut resolved = Vec::with_capacity(aliases.len());
        for (alias, target) in aliases {
            let Some(row) = self.resolve(&target, None) else {
                return Err(PriceError::Invalid {
                    line: load::line_of(text, &alias),
                    field: format!("aliases.{alias:?}"),
                    message: format!("model {target:?} is not in the price table"),
                });
            };
            resolved.push((alias.trim().to_lowercase(), (target, row)));
        }
        self.aliases.extend(resolved);
        Ok(())
    }
}

/// Lookups already done: provider hint ("" for none) → model name → row.
#[derive(Default)]
struct Memo {
    map: HashMap<String, HashMap<String, Option<usize>>>,
    len: usize,
}

/// Distinct (provider, model) pairs remembered before the memo starts over.
const MEMO_CAP: usize = 4096;

/// The price table: built-in prices plus user overrides. Cheap to clone (shared).
#[derive(Clone, Default)]
pub struct PriceTable {
    data: Arc<Data>,
    memo: Arc<RwLock<Memo>>,
}

static BUILTIN: LazyLock<PriceTable> = LazyLock::new(|| {
    PriceTable::from_json_str(include_str!("../../assets/model-prices.json"))
        .expect("assets/model-prices.json is valid (checked by the tests)")
});

impl std::fmt::Debug for PriceTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PriceTable")
            .field("models", &self.data.entries.len())
            .field("aliases", &self.data.aliases.len())
            .finish()
    }
}

impl PriceTable {
    /// The table shipped in `assets/` (from LiteLLM's published prices).
    pub fn builtin() -> Self {
        BUILTIN.clone()
    }

    /// A table that knows no model (every cost is unknown).
    pub fn empty() -> Self {
        PriceTable::default()
    }

    /// A table from a file in the format of `assets/model-prices.json` (which
    /// `with_overrides` also reads).
    pub fn from_json_str(text: &str) -> Result<Self, PriceError> {
        PriceTable::empty().with_overrides(text)
    }

    /// This table plus a user file: its models are added, or replace the rows of the
    /// same name (case-insensitive) whole; its aliases map names such as Azure
    /// deployments to models of the resulting table.
    pub fn with_overrides(self, text: &str) -> Result<Self, PriceError> {
        let file = load::parse(text)?;
        let mut rows: Vec<(String, String, ModelPrice)> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for e in &self.data.entries {
            by_key.insert(e.key.clone(), rows.len());
            rows.push((e.name.clone(), e.provider.clone(), e.price.clone()));
        }
        for (name, doc) in file.models {
            let price = doc.price().map_err(|message| PriceError::Invalid {
                line: load::line_of(text, &name),
                field: format!("models.{name:?}"),
                message: message.to_owned(),
            })?;
            let key = name.trim().to_lowercase();
            match by_key.get(&key) {
                Some(&i) => {
                    // Keep the table's spelling and, unless given, its provider.
                    let row = &mut rows[i];
                    row.1 = doc.provider.unwrap_or_else(|| row.1.clone());
                    row.2 = price;
                }
                None => {
                    by_key.insert(key, rows.len());
                    rows.push((name, doc.provider.unwrap_or_default(), price));
                }
            }
        }
        let source = self.data.source.clone().or(file.source);
        let mut data = Data::build(source, rows);
        let mut aliases: Vec<(String, String)> = self
            .data
            .aliases
            .iter()
            .map(|(a, (t, _))| (a.clone(), t.clone()))
            .collect();
        aliases.extend(file.aliases);
        data.set_aliases(aliases, text)?;
        Ok(PriceTable {
            data: Arc::new(data),
            memo: Arc::default(),
        })
    }

    /// [`with_overrides`](Self::with_overrides) with a file's contents.
    pub fn with_overrides_file(self, path: &Path) -> Result<Self, PriceError> {
        let text = std::fs::read_to_string(path).map_err(|source| PriceError::Io {
            path: path.to_owned(),
            source,
        })?;
        self.with_overrides(&text)
    }

    /// Number of models in the table.
    pub fn len(&self) -> usize {
        self.data.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.entries.is_empty()
    }

    /// Where the prices came from (the asset's `_source`: LiteLLM's version).
    pub fn source(&self) -> Option<&str> {
        self.data.source.as_deref()
    }

    /// Finds a model's price, tolerating provider prefixes, date suffixes and case.
    pub fn lookup(&self, model: &str, provider: Option<&str>) -> Option<&ModelPrice> {
        self.lookup_entry(model, provider).map(|m| m.price)
    }

    /// Like [`lookup`](Self::lookup), also telling which row priced the model.
    pub fn lookup_entry(&self, model: &str, provider: Option<&str>) -> Option<PriceMatch<'_>> {
        let e = &self.data.entries[self.resolve_memo(model, provider)?];
        Some(PriceMatch {
            name: &e.name,
            provider: &e.provider,
            price: &e.price,
        })
    }

    fn resolve_memo(&self, model: &str, provider: Option<&str>) -> Option<usize> {
        let hint = provider.unwrap_or("");
        {
            let memo = self.memo.read().unwrap_or_else(|e| e.into_inner());
            if let Some(hit) = memo.map.get(hint).and_then(|m| m.get(model)) {
                return *hit;
            }
        }
        let row = self.data.resolve(model, provider);
        let mut memo = self.memo.write().unwrap_or_else(|e| e.into_inner());
        if memo.len >= MEMO_CAP {
            *memo = Memo::default();
        }
        if memo
            .map
            .entry(hint.to_owned())
            .or_default()
            .insert(model.to_owned(), row)
            .is_none()
        {
            memo.len += 1;
        }
        row
    }

    /// Cost of one call from its tokens; `None` when the model is unknown or the span
    /// has no token counts.
    pub fn cost_of(&self, llm: &LlmFacet) -> Option<f64> {
        let usage = Usage::of(llm)?;
        let provider = llm.provider.as_deref();
        let price = [llm.response_model.as_deref(), llm.request_model.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|m| self.lookup(m, provider))?;
        Some(price.cost(&usage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_is_parsed_once_and_shared() {
        let (a, b) = (PriceTable::builtin(), PriceTable::builtin());
        assert!(Arc::ptr_eq(&a.data, &b.data) && Arc::ptr_eq(&a.memo, &b.memo));
        assert_eq!(a.len(), 1401);
        assert!(a.source().unwrap().contains("LiteLLM") && a.source().unwrap().contains("MIT"));
        fn send_sync<T: Send + Sync>() {}
        send_sync::<PriceTable>();
        assert!(PriceTable::empty().is_empty());
        assert_eq!(PriceTable::empty().lookup("gpt-4o-mini", None), None);
    }

    #[test]
    fn overrides_add_replace_and_alias() {
        let text = r#"{
  "models": {
    "acme-llm": {"provider": "acme", "input_per_million": 1, "output_per_million": 2},
    "GPT-4o-mini": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6}
  },
  "aliases": {"prod-chat": "gpt-4o-2024-08-06", "Big-Deploy": "acme-llm"}
}"#;
        let t = PriceTable::builtin().with_overrides(text).unwrap();
        assert_eq!(t.len(), PriceTable::builtin().len() + 1);
        let acme = t.lookup_entry("ACME-LLM", None).unwrap();
        assert_eq!((acme.name, acme.provider), ("acme-llm", "acme"));
        assert!(
            (acme.price.input - 1e-6).abs() < 1e-18 && (acme.price.output - 2e-6).abs() < 1e-18
        );
        let mini = t.lookup_entry("gpt-4o-mini", None).unwrap();
        assert_eq!(
            (mini.name, mini.provider, mini.price.cache_read),
            ("gpt-4o-mini", "openai", None)
        );
        let mut via_alias = LlmFacet::new(crate::model::LlmKind::Chat);
        via_alias.request_model = Some("Big-Deploy".into());
        via_alias.input_tokens = Some(1_000_000);
        assert!((t.cost_of(&via_alias).unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(
            t.lookup_entry("prod-chat", None).unwrap().name,
            "gpt-4o-2024-08-06"
        );
        assert_eq!(
            t.lookup_entry("azure/big-deploy", None).unwrap().name,
            "acme-llm"
        );
        // The builtin table itself is untouched.
        assert_eq!(
            PriceTable::builtin()
                .lookup("gpt-4o-mini", None)
                .unwrap()
                .input,
            1.5e-7
        );
        // Overrides stack, keeping earlier aliases.
        let t2 = t
            .with_overrides(r#"{"aliases": {"other": "acme-llm"}}"#)
            .unwrap();
        assert_eq!(
            t2.lookup_entry("prod-chat", None).unwrap().name,
            "gpt-4o-2024-08-06"
        );
        assert_eq!(t2.lookup_entry("other", None).unwrap().name, "acme-llm");
    }

    #[test]
    fn override_errors_name_line_and_field() {
        let bad_alias = "{\"aliases\": {\n  \"dep\": \"no-such-model\"\n}}";
        let e = PriceTable::builtin().with_overrides(bad_alias).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2: aliases.\"dep\": model \"no-such-model\" is not in the price table"
        );
        let no_input = "{\"models\": {\n\n  \"x\": {\"output_cost_per_token\": 1e-6}}}";
        match PriceTable::empty().with_overrides(no_input).unwrap_err() {
            PriceError::Invalid { line, field, .. } => {
                assert_eq!((line, field.as_str()), (Some(3), "models.\"x\""))
            }
            other => panic!("{other:?}"),
        }
        let e = PriceTable::empty()
            .with_overrides("{\"models\": {\"x\":\n {\"input_cost_per_token\": true}}}")
            .unwrap_err();
        assert!(matches!(e, PriceError::Parse { line: 2, .. }), "{e}");
        let e = PriceTable::empty()
            .with_overrides_file(Path::new("/nonexistent/prices.json"))
            .unwrap_err();
        assert!(e.to_string().contains("/nonexistent/prices.json"), "{e}");
    }

    #[test]
    fn concurrent_lookups_and_memo_reset() {
        let t = PriceTable::builtin().with_overrides("{}").unwrap();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let t = t.clone();
                std::thread::spawn(move || {
                    (0..200).all(|i| {
                        let name = if i % 2 == 0 { "gpt-4o-mini" } else { "GPT-4O" };
                        t.lookup(name, None).is_some()
                            && t.lookup(&format!("nope-{i}"), None).is_none()
                    })
                })
            })
            .collect();
        assert!(threads.into_iter().all(|h| h.join().unwrap()));
        for i in 0..MEMO_CAP + 10 {
            assert_eq!(t.lookup(&format!("unknown-{i}"), Some("openai")), None);
        }
        assert!(t.memo.read().unwrap().len <= MEMO_CAP);
        assert_eq!(
            t.lookup("gpt-4o-mini", Some("openai")).unwrap().input,
            1.5e-7
        );
    }
}
