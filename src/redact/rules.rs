//! Redaction rules: the built-in secret patterns, the opt-in personal-data patterns,
//! sensitive attribute keys, and the `[redaction]` config table that extends them.

use regex::{Regex, RegexSet};
use serde::Deserialize;

/// The `[redaction]` table of the config file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RedactionConfig {
    /// Built-in secret rules (API keys, bearer tokens, AWS keys, private keys, JWTs).
    pub secrets: bool,
    /// Mask e-mail addresses (off by default).
    pub emails: bool,
    /// Mask phone numbers (off by default).
    pub phones: bool,
    /// Extra attribute keys whose whole value is masked; `*` matches any run of
    /// characters (e.g. `"app.customer.*"`, `"*ssn"`). Case-insensitive.
    pub keys: Vec<String>,
    /// Extra value patterns (regular expressions), masked wherever they match.
    pub patterns: Vec<String>,
}

impl Default for RedactionConfig {
    fn default() -> Self {
        RedactionConfig {
            secrets: true,
            emails: false,
            phones: false,
            keys: Vec::new(),
            patterns: Vec::new(),
        }
    }
}

/// Built-in secret patterns: (rule name, regex). Order matters: the first rule that
/// matches a stretch of text names it.
pub const SECRET_RULES: &[(&str, &str)] = &[
    (
        "private_key",
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----",
    ),
    ("anthropic_key", r"\bsk-ant-[A-Za-z0-9_\-]{20,}"),
    (
        "openai_key",
        r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}",
    ),
    ("github_token", r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    ("aws_access_key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    (
        "aws_secret_key",
        r#"(?i)aws_?secret_?(?:access_?)?key["'\s:=]+[A-Za-z0-9/+=]{40}"#,
    ),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
    ),
    ("bearer_token", r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]{12,}=*"),
];

/// Opt-in personal data.
pub const EMAIL_RULE: (&str, &str) = (
    "email",
    r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b",
);
pub const PHONE_RULE: (&str, &str) = (
    "phone",
    r"(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{2,4}\)|\b\d{2,4})[\s.\-]\d{3,4}[\s.\-]\d{3,4}\b",
);

/// Attribute keys whose values are always masked (suffix match, case-insensitive).
pub const SENSITIVE_KEY_SUFFIXES: &[&str] = &[
    "authorization",
    "api_key",
    "api-key",
    "apikey",
    "password",
    "passwd",
    "secret",
    "client_secret",
    "cookie",
    "set-cookie",
    "private_key",
    "access_token",
    "refresh_token",
];

/// Errors in the redaction config.
#[derive(Debug, thiserror::Error)]
pub enum RedactionError {
    #[error("redaction pattern {pattern:?} is not a valid regular expression: {reason}")]
    BadPattern { pattern: String, reason: String },
}

/// The compiled rules.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub(super) names: Vec<String>,
    pub(super) regexes: Vec<Regex>,
    /// All value rules at once, to skip strings nothing can match.
    pub(super) any: RegexSet,
    pub(super) keys: Vec<KeyPattern>,
}

/// A key pattern with `*` wildcards, lower-cased.
#[derive(Debug, Clone)]
pub(super) struct KeyPattern {
    parts: Vec<String>,
}

impl KeyPattern {
    pub(super) fn new(pattern: &str) -> Self {
        KeyPattern {
            parts: pattern
                .to_lowercase()
                .split('*')
                .map(str::to_string)
                .collect(),
        }
    }

    /// Glob match of `key` (already lower-cased) against the pattern.
    pub(super) fn matches(&self, key: &str) -> bool {
        let parts = &self.parts;
        if parts.len() == 1 {
            return key == parts[0];
        }
        let (first, last) = (&parts[0], &parts[parts.len() - 1]);
        if !key.starts_with(first.as_str()) || key.len() < first.len() + last.len() {
            return false;
        }
        if !key.ends_with(last.as_str()) {
            return false;
        }
        let mut rest = &key[first.len()..key.len() - last.len()];
        for mid in &parts[1..parts.len() - 1] {
            match rest.find(mid.as_str()) {
                Some(i) => rest = &rest[i + mid.len()..],
                None => return false,
            }
        }
        true
    }
}

impl RuleSet {
    pub fn compile(config: &RedactionConfig) -> Result<RuleSet, RedactionError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if config.secrets {
            pairs.extend(
                SECRET_RULES
                    .iter()
                    .map(|(n, p)| (n.to_string(), p.to_string())),
            );
        }
        if config.emails {
            pairs.push((EMAIL_RULE.0.into(), EMAIL_RULE.1.into()));
        }
        if config.phones {
            pairs.push((PHONE_RULE.0.into(), PHONE_RULE.1.into()));
        }
        for (i, p) in config.patterns.iter().enumerate() {
            pairs.push((format!("pattern_{}", i + 1), p.clone()));
        }
        let mut regexes = Vec::with_capacity(pairs.len());
        for (_, p) in &pairs {
            let re = Regex::new(p).map_err(|e| RedactionError::BadPattern {
                pattern: p.clone(),
                reason: e.to_string(),
            })?;
            regexes.push(re);
        }
        let any = RegexSet::new(pairs.iter().map(|(_, p)| p.as_str())).map_err(|e| {
            RedactionError::BadPattern {
                pattern: "(set)".into(),
                reason: e.to_string(),
            }
        })?;
        let mut keys: Vec<KeyPattern> = Vec::new();
        if config.secrets {
            keys.extend(
                SENSITIVE_KEY_SUFFIXES
                    .iter()
                    .map(|s| KeyPattern::new(&format!("*{s}"))),
            );
        }
        keys.extend(config.keys.iter().map(|k| KeyPattern::new(k)));
        Ok(RuleSet {
            names: pairs.into_iter().map(|(n, _)| n).collect(),
            regexes,
            any,
            keys,
        })
    }

    /// True when the attribute key's value is masked whole.
    pub fn is_sensitive_key(&self, key: &str) -> bool {
        if self.keys.is_empty() {
            return false;
        }
        let lower = key.to_lowercase();
        // Token counts are not secrets: `*token` patterns never hit usage attributes.
        if lower.contains("usage") || lower.contains("token_count") {
            return false;
        }
        self.keys.iter().any(|k| k.matches(&lower))
    }
}
