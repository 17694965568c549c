//! The configuration file: one TOML file (`--config FILE`, else `config.toml` in the
//! XDG config dir, e.g. `~/.config/spanlens/config.toml`). Each feature reads its own
//! table from it (`[budgets]`, `[[error_classes]]`, `[[evaluators]]`, …) through
//! `ConfigFile::section`, so features stay independent; an error names the file, the
//! line and the reason.

pub mod flags;
pub mod show;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// Errors reading or parsing the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        /// 1-based line of the offending value (0 when unknown).
        line: usize,
        message: String,
    },
}

/// A loaded configuration file: its path, text and parsed table.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    /// `None` when no file exists (every section is then its default).
    pub path: Option<PathBuf>,
    pub text: String,
    pub table: toml::Table,
}

/// The default config file path: `config.toml` in the XDG config dir.
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "spanlens").map(|d| d.config_dir().join("config.toml"))
}

impl ConfigFile {
    /// Reads `explicit` (an error when missing), else the default path (absent = empty).
    pub fn load(explicit: Option<&Path>) -> Result<ConfigFile, ConfigError> {
        match explicit {
            Some(p) => Self::read(p),
            None => match default_config_path() {
                Some(p) if p.exists() => Self::read(&p),
                _ => Ok(ConfigFile::default()),
            },
        }
    }

    /// Reads and parses one file.
    pub fn read(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(Some(path.to_path_buf()), text)
    }

    /// Parses config text (`path` only names it in errors).
    pub fn parse(path: Option<PathBuf>, text: String) -> Result<ConfigFile, ConfigError> {
        let table = match toml::from_str::<toml::Table>(&text) {
            Ok(t) => t,
            Err(e) => return Err(invalid(path.as_deref(), &text, &e)),
        };
        Ok(ConfigFile { path, text, table })
    }

    /// Deserializes the table or array of tables named `name` (its default when
    /// absent). Errors carry the line of the offending value in the file.
    pub fn section<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T, ConfigError> {
        if !self.table.contains_key(name) {
            return Ok(T::default());
        }
        // Deserialize the whole text, keeping only `name`, so toml's errors carry
        // spans into the file (and so line numbers).
        let de = toml::Deserializer::parse(&self.text)
            .map_err(|e| invalid(self.path.as_deref(), &self.text, &e))?;
        let seed = SectionSeed::<T> {
            name,
            marker: std::marker::PhantomData,
        };
        match serde::de::DeserializeSeed::deserialize(seed, de) {
            Ok(v) => Ok(v.unwrap_or_default()),
            Err(e) => Err(invalid(self.path.as_deref(), &self.text, &e)),
        }
    }

    /// The file's name for messages (`(no config file)` when none).
    pub fn display_path(&self) -> String {
        self.path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(no config file)".into())
    }
}

/// Picks one key out of the document's top-level table.
struct SectionSeed<'n, T> {
    name: &'n str,
    marker: std::marker::PhantomData<T>,
}

impl<'de, T: DeserializeOwned> serde::de::DeserializeSeed<'de> for SectionSeed<'_, T> {
    type Value = Option<T>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> serde::de::Visitor<'de> for SectionSeed<'_, T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a TOML table")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.name {
                found = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

fn invalid(path: Option<&Path>, text: &str, e: &toml::de::Error) -> ConfigError {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
        .unwrap_or(0);
    ConfigError::Invalid {
        path: path
            .map(Path::to_path_buf)
            .unwrap_or_else(|| "config".into()),
        line,
        message: e.message().trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Budgets {
        hourly_usd: Option<f64>,
    }

    #[test]
    fn a_missing_section_is_its_default() {
        let c = ConfigFile::parse(None, "[other]\nx = 1\n".into()).unwrap();
        assert_eq!(c.section::<Budgets>("budgets").unwrap(), Budgets::default());
    }

    #[test]
    fn a_section_is_read_and_a_bad_value_names_its_line() {
        let text = "# top\n[budgets]\nhourly_usd = 2.5\n".to_string();
        let c = ConfigFile::parse(None, text).unwrap();
        assert_eq!(
            c.section::<Budgets>("budgets").unwrap().hourly_usd,
            Some(2.5)
        );
        let bad = "# top\n\n[budgets]\nhourly_usd = \"lots\"\n".to_string();
        let c = ConfigFile::parse(Some("c.toml".into()), bad).unwrap();
        let err = c.section::<Budgets>("budgets").unwrap_err().to_string();
        assert!(err.starts_with("c.toml:4:"), "{err}");
        let unknown = "[budgets]\n\nhourly = 1\n".to_string();
        let err = ConfigFile::parse(None, unknown)
            .unwrap()
            .section::<Budgets>("budgets")
            .unwrap_err()
            .to_string();
        assert!(err.contains(":3:") && err.contains("hourly"), "{err}");
    }

    #[test]
    fn bad_toml_names_its_line() {
        let err = ConfigFile::parse(None, "a = 1\nb = \n".into()).unwrap_err();
        assert!(err.to_string().contains(":2:"), "{err}");
    }
}
