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
        Ok(Patterns(list.into_iter().map(|s| s.to_lowercase()).collect()))
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
        && s
            .chars()
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
            && self.status_code.is_none_or(|s| r.http_status.is_some_and(|c| s.matches(c)))
            && (self.match_attribute.0.is_empty()
                || self.match_attribute.0.iter().any(|p| attribute_matches(p, r)))
    }
}

/// `key` (present) or `key=value` (value contains, ignoring case).
fn attribute_matches(pattern: &str, r: &ErrorRecord) -> bool {
    match pattern.split_once('=') {
        None => r.attributes.iter().any(|(k, _)| k.to_lowercase() == pattern),
        Some((k, v)) => r
            .attributes
            .iter()
            .any(|(key, val)| key.to_lowercase() == k.trim() && val.to_lowercase().contains(v.trim())),
    }
}

fn rule(name: &str, ty: &[&str], msg: &[&str], status: Option<(i64, i64)>, op: &[&str]) -> ClassRule {
    let p = |v: &[&str]| Patterns(v.iter().map(|s| s.to_lowercase()).collect());
    ClassRule {
        name: name.into(),
        match_type: p(ty),
        match_message: p(msg),
        match_attribute: Patterns::default(),
        status_code: status.map(|(low, high)| StatusMatch { low, high }),
        match_operation: p(op),
    }
}

/// The built-in table, most specific first.
pub fn builtin_rules() -> Vec<ClassRule> {
    vec![
        rule("rate_limit", &[], &[], Some((429, 429)), &[]),
        rule("rate_limit", &["ratelimit", "rate_limit", "resourceexhausted", "toomanyrequests"], &[], None, &[]),
        rule("rate_limit", &[], &["rate_limit_exceeded", "rate limit", "too many requests", "resource_exhausted"], None, &[]),
        rule("timeout", &[], &[], Some((408, 408)), &[]),
        rule("timeout", &[], &[], Some((504, 504)), &[]),
        rule("timeout", &["timeout", "deadlineexceeded", "deadline_exceeded"], &[], None, &[]),
        rule("timeout", &[], &["timed out", "timeout", "deadline exceeded"], None, &[]),
        rule("authentication", &[], &[], Some((401, 401)), &[]),
        rule("authentication", &[], &[], Some((403, 403)), &[]),
        rule("authentication", &["authentication", "permissiondenied", "unauthorized", "unauthenticated"], &[], None, &[]),
        rule("authentication", &[], &["invalid api key", "incorrect api key", "invalid_api_key", "unauthorized"], None, &[]),
        rule("content_filter", &["contentfilter", "content_filter", "guardrail", "moderation"], &[], None, &[]),
        rule("content_filter", &[], &["content_filter", "content filter", "content policy", "content management policy", "guardrail", "flagged"], None, &[]),
        rule("content_filter", &[], &[], None, &["guardrail"]),
        rule("provider_5xx", &[], &[], Some((500, 599)), &[]),
        rule("provider_5xx", &["internalservererror", "serviceunavailable", "overloaded", "badgateway", "apiconnectionerror"], &[], None, &[]),
        rule("provider_5xx", &[], &["overloaded", "internal server error", "service unavailable", "bad gateway"], None, &[]),
        rule("output_parse", &["validationerror", "jsondecodeerror", "outputparser", "parseerror", "parsingerror"], &[], None, &[]),
        rule("output_parse", &[], &["validation error", "failed to parse", "invalid json", "could not parse", "expecting value"], None, &[]),
        rule("tool_failure", &[], &[], None, &["tool"]),
        rule("tool_failure", &["toolexception", "toolerror"], &[], None, &[]),
    ]
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
mod tests {
    use super::*;
    use crate::errors::records::ErrorSource;
    use crate::model::TraceId;

    fn record(ty: Option<&str>, msg: &str, status: Option<i64>, op: Option<&str>) -> ErrorRecord {
        ErrorRecord {
            trace_id: TraceId([1; 16]),
            span_id: None,
            parent_span_id: None,
            time_unix_nano: 0,
            source: ErrorSource::Span,
            service: "svc".into(),
            span_name: "x".into(),
            operation: op.map(str::to_string),
            model: None,
            provider: None,
            status_error: true,
            http_status: status,
            error_type: ty.map(str::to_string),
            message: msg.into(),
            stacktrace: None,
            attributes: vec![("llm.vendor".into(), "Azure-East".into())],
        }
    }

    #[test]
    fn the_builtin_table_classes_common_failures() {
        let c = Classifier::default();
        let table: [(Option<&str>, &str, Option<i64>, Option<&str>, &str); 14] = [
            (None, "Too Many Requests", Some(429), Some("chat"), "rate_limit"),
            (Some("<class 'openai.RateLimitError'>"), "Error code: 429", None, None, "rate_limit"),
            (None, "{'code': 'rate_limit_exceeded'}", None, None, "rate_limit"),
            (Some("httpx.ReadTimeout"), "read", None, None, "timeout"),
            (None, "request timed out after 30s", None, None, "timeout"),
            (Some("openai.AuthenticationError"), "Incorrect API key provided", Some(401), None, "authentication"),
            (None, "forbidden", Some(403), None, "authentication"),
            (None, "The response was filtered due to content_filter", Some(400), None, "content_filter"),
            (None, "blocked", None, Some("guardrail"), "content_filter"),
            (Some("anthropic.InternalServerError"), "Overloaded", Some(529), None, "provider_5xx"),
            (None, "upstream", Some(502), None, "provider_5xx"),
            (Some("pydantic.ValidationError"), "1 validation error for Answer", None, None, "output_parse"),
            (Some("KeyError"), "'city'", None, Some("tool"), "tool_failure"),
            (Some("ValueError"), "something odd", None, Some("chat"), "other"),
        ];
        for (ty, msg, status, op, want) in table {
            assert_eq!(c.classify(&record(ty, msg, status, op)), want, "{ty:?} {msg}");
        }
    }

    #[test]
    fn config_rules_add_classes_and_come_first() {
        let text = "[[error_classes]]\nname = \"quota\"\nmatch_message = [\"quota\", \"billing\"]\n\n\
                    [[error_classes]]\nname = \"azure_throttle\"\nmatch_attribute = \"llm.vendor=azure\"\nstatus_code = \"4xx\"\n";
        let cfg = ConfigFile::parse(None, text.into()).unwrap();
        let c = Classifier::from_config(&cfg).unwrap();
        let quota = record(Some("openai.RateLimitError"), "You exceeded your current quota", Some(429), None);
        assert_eq!(c.classify(&quota), "quota", "config rules win over rate_limit");
        assert_eq!(c.classify(&record(None, "slow down", Some(429), None)), "azure_throttle");
        assert_eq!(c.classify(&record(None, "boom", Some(500), None)), "provider_5xx");
        assert_eq!(c.classes.last().map(String::as_str), Some("other"));
        assert!(c.order_of("quota") < c.order_of("other"));
        assert!(c.order_of("rate_limit") < c.order_of("quota"));
    }

    #[test]
    fn a_bad_config_is_refused_with_its_line() {
        let cases = [
            ("[[error_classes]]\nname = \"x\"\nmatch_typ = \"Foo\"\n", 3, "match_typ"),
            ("[[error_classes]]\nname = \"x\"\nstatus_code = \"teapot\"\n", 3, "status_code"),
            ("# c\n[[error_classes]]\nname = \"Bad Name\"\nmatch_type = \"x\"\n", 3, "class name"),
            ("[[error_classes]]\nname = \"a\"\nmatch_type = \"x\"\n\n[[error_classes]]\nname = \"empty\"\n", 5, "matches nothing"),
        ];
        for (text, line, what) in cases {
            let cfg = ConfigFile::parse(Some("spanlens.toml".into()), text.into()).unwrap();
            let err = Classifier::from_config(&cfg).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("spanlens.toml:{line}:")) && err.contains(what),
                "{text:?} → {err}"
            );
        }
    }
}
