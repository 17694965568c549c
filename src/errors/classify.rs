//! Error classes, table-driven: a rule names a class and what to match — the error
//! type, the message, an attribute, the HTTP status, the GenAI operation — and the
//! first rule whose every given field matches decides. Rules from the config file's
//! `[[error_classes]]` are tried before the built-in table, so they can add classes
//! and override built-in ones:
//!
//! ```toml
//! [[error_classes]]
//! name = "quota"                       # class name: lower-case letters, digits, _
//! match_type = "InsufficientQuota"     # substring of the error type (any of a list)
//! match_message = ["quota", "billing"] # substring of the message (any of a list)
//! match_attribute = "llm.vendor=azure" # attribute present, or KEY=VALUE substring
//! status_code = 402                    # HTTP status: 402, "4xx" or "500-504"
//! match_operation = "chat"             # GenAI operation (chat, tool, embedding, …)
//! ```
//!
//! Matching ignores case. A rule needs at least one `match_*`/`status_code` field.
//! Errors that no rule matches are `other`.

use serde::{Deserialize, Deserializer};

use super::records::ErrorRecord;
use crate::config::{ConfigError, ConfigFile};

/// The config table this module owns.
pub const CONFIG_TABLE: &str = "error_classes";

/// The class of errors nothing matched.
pub const OTHER: &str = "other";

/// Built-in classes, in display order (then config-added ones, then `other`).
pub const BUILTIN_CLASSES: [&str; 8] = [
    "rate_limit",
    "timeout",
    "authentication",
    "content_filter",
    "provider_5xx",
    "tool_failure",
    "output_parse",
    OTHER,
];

/// One string or a list of them, in the config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patterns(pub Vec<String>);

impl<'de> Deserialize<'de> for Patterns {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        let list = match OneOrMany::deserialize(d)? {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        };
        if list.iter().any(|s| s.trim().is_empty()) {
            return Err(serde::de::Error::custom("a pattern must not be empty"));
        }
        Ok(Patterns(
            list.into_iter().map(|s| s.to_lowercase()).collect(),
        ))
    }
}

/// An HTTP status or a range of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusMatch {
    pub low: i64,
    pub high: i64,
}

impl StatusMatch {
    fn parse(s: &str) -> Option<StatusMatch> {
        let s = s.trim().to_ascii_lowercase();
        if let Some(d) = s.strip_suffix("xx") {
            let d: i64 = d.parse().ok().filter(|d| (1..=5).contains(d))?;
            return Some(StatusMatch {
                low: d * 100,
                high: d * 100 + 99,
            });
        }
        let (a, b) = s.split_once('-').unwrap_or((&s, &s));
        let (low, high) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        ((100..=599).contains(&low) && (low..=599).contains(&high))
            .then_some(StatusMatch { low, high })
    }

    fn matches(&self, code: i64) -> bool {
        (self.low..=self.high).contains(&code)
    }
}

impl<'de> Deserialize<'de> for StatusMatch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum NumOrText {
            Num(i64),
            Text(String),
        }
        let text = match NumOrText::deserialize(d)? {
            NumOrText::Num(n) => n.to_string(),
            NumOrText::Text(t) => t,
        };
        StatusMatch::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "status_code {text:?} is not an HTTP status (e.g. 429, \"5xx\", \"500-504\")"
            ))
        })
    }
}

/// A class name: lower-case ASCII letters, digits and `_`.
fn class_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    let ok = !s.is_empty()
        && s.len() <= 32
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(s)
    } else {
        Err(serde::de::Error::custom(format!(
            "class name {s:?} must be 1-32 lower-case letters, digits or _"
        )))
    }
}

/// One rule of the table.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassRule {
    #[serde(deserialize_with = "class_name")]
    pub name: String,
    #[serde(default)]
    pub match_type: Patterns,
    #[serde(default)]
    pub match_message: Patterns,
    #[serde(default)]
    pub match_attribute: Patterns,
    #[serde(default)]
    pub status_code: Option<StatusMatch>,
    #[serde(default)]
    pub match_operation: Patterns,
}

fn any_in(patterns: &Patterns, haystack: &str) -> bool {
    let h = haystack.to_lowercase();
    patterns.0.iter().any(|p| h.contains(p.as_str()))
}

impl ClassRule {
    fn is_empty(&self) -> bool {
        self.match_type.0.is_empty()
            && self.match_message.0.is_empty()
            && self.match_attribute.0.is_empty()
            && self.status_code.is_none()
            && self.match_operation.0.is_empty()
    }

    /// True when every field the rule gives matches the record.
    pub fn matches(&self, r: &ErrorRecord) -> bool {
        if self.is_empty() {
            return false;
        }
        let field = |p: &Patterns, value: Option<&str>| {
            p.0.is_empty() || value.is_some_and(|v| any_in(p, v))
        };
        field(&self.match_type, r.error_type.as_deref())
            && field(&self.match_message, Some(&r.message))
            && field(&self.match_operation, r.operation.as_deref())
            && self
                .status_code
                .is_none_or(|s| r.http_status.is_some_and(|c| s.matches(c)))
            && (self.match_attribute.0.is_empty()
                || self
                    .match_attribute
                    .0
                    .iter()
                    .any(|p| attribute_matches(p, r)))
    }
}

/// `key` (present) or `key=value` (value contains, ignoring case).
fn attribute_matches(pattern: &str, r: &ErrorRecord) -> bool {
    match pattern.split_once('=') {
        None => r
            .attributes
            .iter()
            .any(|(k, _)| k.to_lowercase() == pattern),
        Some((k, v)) => r.attributes.iter().any(|(key, val)| {
            key.to_lowercase() == k.trim() && val.to_lowercase().contains(v.trim())
        }),
    }
}

/// One built-in rule: what it matches (ignoring case).
enum Builtin {
    Status(i64, i64),
    Type(&'static [&'static str]),
    Message(&'static [&'static str]),
    Operation(&'static [&'static str]),
}

/// The built-in table, most specific first.
const BUILTIN: &[(&str, Builtin)] = &[
    ("rate_limit", Builtin::Status(429, 429)),
    (
        "rate_limit",
        Builtin::Type(&[
            "ratelimit",
            "rate_limit",
            "resourceexhausted",
            "toomanyrequests",
        ]),
    ),
    (
        "rate_limit",
        Builtin::Message(&[
            "rate_limit_exceeded",
            "rate limit",
            "too many requests",
            "resource_exhausted",
        ]),
    ),
    ("timeout", Builtin::Status(408, 408)),
    ("timeout", Builtin::Status(504, 504)),
    (
        "timeout",
        Builtin::Type(&["timeout", "deadlineexceeded", "deadline_exceeded"]),
    ),
    (
        "timeout",
        Builtin::Message(&["timed out", "timeout", "deadline exceeded"]),
    ),
    ("authentication", Builtin::Status(401, 401)),
    ("authentication", Builtin::Status(403, 403)),
    (
        "authentication",
        Builtin::Type(&[
            "authentication",
            "permissiondenied",
            "unauthorized",
            "unauthenticated",
        ]),
    ),
    (
        "authentication",
        Builtin::Message(&[
            "invalid api key",
            "incorrect api key",
            "invalid_api_key",
            "unauthorized",
        ]),
    ),
    (
        "content_filter",
        Builtin::Type(&["contentfilter", "content_filter", "guardrail", "moderation"]),
    ),
    (
        "content_filter",
        Builtin::Message(&[
            "content_filter",
            "content filter",
            "content policy",
            "content management policy",
            "guardrail",
            "flagged",
        ]),
    ),
    ("content_filter", Builtin::Operation(&["guardrail"])),
    ("provider_5xx", Builtin::Status(500, 599)),
    (
        "provider_5xx",
        Builtin::Type(&[
            "internalservererror",
            "serviceunavailable",
            "overloaded",
            "badgateway",
            "apiconnectionerror",
        ]),
    ),
    (
        "provider_5xx",
        Builtin::Message(&[
            "overloaded",
            "internal server error",
            "service unavailable",
            "bad gateway",
        ]),
    ),
    (
        "output_parse",
        Builtin::Type(&[
            "validationerror",
            "jsondecodeerror",
            "outputparser",
            "parseerror",
            "parsingerror",
        ]),
    ),
    (
        "output_parse",
        Builtin::Message(&[
            "validation error",
            "failed to parse",
            "invalid json",
            "could not parse",
            "expecting value",
        ]),
    ),
    ("tool_failure", Builtin::Operation(&["tool"])),
    (
        "tool_failure",
        Builtin::Type(&["toolexception", "toolerror"]),
    ),
];

/// The built-in table as rules.
pub fn builtin_rules() -> Vec<ClassRule> {
    let p = |v: &[&str]| Patterns(v.iter().map(|s| s.to_string()).collect());
    BUILTIN
        .iter()
        .map(|(name, b)| {
            let mut r = ClassRule {
                name: name.to_string(),
                ..Default::default()
            };
            match b {
                Builtin::Status(low, high) => {
                    r.status_code = Some(StatusMatch {
                        low: *low,
                        high: *high,
                    })
                }
                Builtin::Type(v) => r.match_type = p(v),
                Builtin::Message(v) => r.match_message = p(v),
                Builtin::Operation(v) => r.match_operation = p(v),
            }
            r
        })
        .collect()
}

/// Classes errors: config rules first, then the built-in table.
#[derive(Debug, Clone, PartialEq)]
pub struct Classifier {
    pub rules: Vec<ClassRule>,
    /// Class names in display order: built-ins, then config-added, `other` last.
    pub classes: Vec<String>,
}

impl Default for Classifier {
    fn default() -> Self {
        Classifier::new(Vec::new())
    }
}

impl Classifier {
    /// The built-in table with `config` rules tried first.
    pub fn new(config: Vec<ClassRule>) -> Classifier {
        let mut classes: Vec<String> = BUILTIN_CLASSES[..BUILTIN_CLASSES.len() - 1]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for r in &config {
            if !classes.contains(&r.name) && r.name != OTHER {
                classes.push(r.name.clone());
            }
        }
        classes.push(OTHER.into());
        let mut rules = config;
        rules.extend(builtin_rules());
        Classifier { rules, classes }
    }

    /// Reads `[[error_classes]]` from a config file; an unknown field, a bad value
    /// or a rule that matches nothing is refused with its line.
    pub fn from_config(config: &ConfigFile) -> Result<Classifier, ConfigError> {
        let rules: Vec<ClassRule> = config.section(CONFIG_TABLE)?;
        if let Some(i) = rules.iter().position(ClassRule::is_empty) {
            return Err(ConfigError::Invalid {
                path: config.path.clone().unwrap_or_else(|| "config".into()),
                line: nth_table_line(&config.text, CONFIG_TABLE, i),
                message: format!(
                    "error class {:?} matches nothing: give match_type, match_message, \
                     match_attribute, status_code or match_operation",
                    rules[i].name
                ),
            });
        }
        Ok(Classifier::new(rules))
    }

    /// The class of one error.
    pub fn classify(&self, r: &ErrorRecord) -> &str {
        let r = super::look_through::look_through(r);
        let r = r.as_ref();
        self.rules
            .iter()
            .find(|rule| rule.matches(r))
            .map(|rule| rule.name.as_str())
            .unwrap_or(OTHER)
    }

    /// Position of a class in display order (unknown classes last).
    pub fn order_of(&self, class: &str) -> usize {
        self.classes
            .iter()
            .position(|c| c == class)
            .unwrap_or(self.classes.len())
    }
}

/// The 1-based line of the `n`-th `[[table]]` header in `text` (0 when not found).
fn nth_table_line(text: &str, table: &str, n: usize) -> usize {
    let header = format!("[[{table}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim().replace(' ', "") == header)
        .nth(n)
        .map(|(i, _)| i + 1)
        .unwrap_or(0)
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
