//! Sessions (conversations) grouped from the loaded trace summaries: turns, tokens,
//! cost and time span per session, most recent first.

use std::collections::HashMap;

use crate::model::TraceSummary;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionSummary {
    pub session: String,
    pub service: String,
    pub turns: u64,
    pub errors: u64,
    pub llm_calls: u64,
    pub tokens: u64,
    pub cost_usd: Option<f64>,
    pub first_start_unix_nano: u64,
    pub last_end_unix_nano: u64,
}

impl SessionSummary {
    pub fn duration_ms(&self) -> f64 {
        self.last_end_unix_nano
            .saturating_sub(self.first_start_unix_nano) as f64
            / 1e6
    }
}

/// Groups traces that carry a session id.
pub fn group_sessions(traces: &[TraceSummary]) -> Vec<SessionSummary> {
    let mut by: HashMap<&str, SessionSummary> = HashMap::new();
    for t in traces {
        let Some(s) = t.session.as_deref() else {
            continue;
        };
        let e = by.entry(s).or_insert_with(|| SessionSummary {
            session: s.to_string(),
            service: t.project.clone().unwrap_or_else(|| t.service.clone()),
            first_start_unix_nano: u64::MAX,
            ..Default::default()
        });
        e.turns += 1;
        e.errors += u64::from(t.error_count > 0);
        e.llm_calls += t.llm_calls;
        e.tokens += t.total_tokens();
        if let Some(c) = t.cost_usd {
            e.cost_usd = Some(e.cost_usd.unwrap_or(0.0) + c);
        }
        e.first_start_unix_nano = e.first_start_unix_nano.min(t.start_unix_nano);
        e.last_end_unix_nano = e.last_end_unix_nano.max(t.end_unix_nano);
    }
    let mut out: Vec<SessionSummary> = by.into_values().collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.last_end_unix_nano));
    out
}
