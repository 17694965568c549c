//! Trace list queries: the filters of `spanlens traces` and the query API.

use serde::{Deserialize, Serialize};

use crate::model::TraceSummary;

/// Which traces to list. Every field narrows; `None`/`false` means "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TraceQuery {
    pub limit: Option<usize>,
    /// Only traces that started at or after this time.
    pub since_unix_nano: Option<u64>,
    pub service: Option<String>,
    pub model: Option<String>,
    pub session: Option<String>,
    #[serde(alias = "errors")]
    pub errors_only: bool,
    /// Free text: a case-insensitive substring of the root name, service, project,
    /// session, models or trace id.
    pub text: Option<String>,
    /// Root span name contains this (case-insensitive).
    pub name_contains: Option<String>,
    /// Input + output tokens greater than this.
    pub min_tokens: Option<u64>,
    /// Duration greater than this many milliseconds.
    pub min_duration_ms: Option<f64>,
}

impl TraceQuery {
    pub const DEFAULT_LIMIT: usize = 50;

    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(Self::DEFAULT_LIMIT)
    }

    /// Whether a summary passes the non-time filters. Service and model match
    /// exactly or case-insensitively as a substring (`--model gpt-4o` finds
    /// `gpt-4o-2024-08-06`); a project name counts as a service.
    pub fn matches(&self, s: &TraceSummary) -> bool {
        if self.errors_only && s.error_count == 0 {
            return false;
        }
        if let Some(svc) = &self.service {
            let hit = contains_ci(&s.service, svc)
                || s.project.as_deref().is_some_and(|p| contains_ci(p, svc));
            if !hit {
                return false;
            }
        }
        if let Some(m) = &self.model
            && !s.models.iter().any(|x| contains_ci(x, m))
        {
            return false;
        }
        if let Some(sess) = &self.session
            && s.session.as_deref() != Some(sess.as_str())
        {
            return false;
        }
        if let Some(n) = &self.name_contains
            && !contains_ci(&s.root_name, n)
        {
            return false;
        }
        if let Some(min) = self.min_tokens
            && s.total_tokens() <= min
        {
            return false;
        }
        if let Some(min) = self.min_duration_ms
            && s.duration_ms() <= min
        {
            return false;
        }
        if let Some(t) = &self.text {
            let hit = contains_ci(&s.root_name, t)
                || contains_ci(&s.service, t)
                || s.project.as_deref().is_some_and(|p| contains_ci(p, t))
                || s.session.as_deref().is_some_and(|p| contains_ci(p, t))
                || s.models.iter().any(|m| contains_ci(m, t))
                || s.trace_id.to_hex().starts_with(&t.to_ascii_lowercase());
            if !hit {
                return false;
            }
        }
        true
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

impl TraceQuery {
    /// The query as URL parameters (the query API's form).
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![("limit", self.limit().to_string())];
        let mut opt = |k: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                p.push((k, v.clone()));
            }
        };
        opt("service", &self.service);
        opt("model", &self.model);
        opt("session", &self.session);
        opt("text", &self.text);
        opt("name_contains", &self.name_contains);
        if let Some(s) = self.since_unix_nano {
            p.push(("since_unix_nano", s.to_string()));
        }
        if let Some(n) = self.min_tokens {
            p.push(("min_tokens", n.to_string()));
        }
        if let Some(d) = self.min_duration_ms {
            p.push(("min_duration_ms", d.to_string()));
        }
        if self.errors_only {
            p.push(("errors", "true".into()));
        }
        p
    }
}
