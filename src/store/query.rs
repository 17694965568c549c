//! Trace list queries: the filters of `spanlens traces` and the query API.

use serde::{Deserialize, Serialize};

use crate::model::TraceSummary;

/// Which traces to list. Every field narrows; `None`/`false` means "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceQuery {
    pub limit: Option<usize>,
    /// Only traces that started at or after this time.
    pub since_unix_nano: Option<u64>,
    pub service: Option<String>,
    pub model: Option<String>,
    pub session: Option<String>,
    pub errors_only: bool,
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
        true
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}
