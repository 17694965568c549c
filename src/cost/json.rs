//! The fields the cost report adds to `spanlens stats --json` (additive: the
//! existing fields are `Stats::to_json`'s, from the same rollups).

use serde_json::{Value, json};

use super::{CostReport, GroupRow};

fn group_json(rows: &[GroupRow], key: &str) -> Value {
    rows.iter()
        .map(|r| {
            json!({
                key: r.name,
                "traces": r.traces,
                "errors": r.errors,
                "llm_calls": r.llm_calls,
                "input_tokens": r.input_tokens,
                "output_tokens": r.output_tokens,
                "cost_usd": r.cost_usd,
                "unpriced_calls": r.unpriced_calls,
            })
        })
        .collect()
}

impl CostReport {
    /// `stats --json`: `Stats::to_json` plus the window, error rates and cache
    /// savings per model, the project/session/user tables, cache savings, burn rate,
    /// today's cost and the day's projection, and the top traces. The per-bucket
    /// series stays out: it moves with the clock even when nothing new arrives.
    pub fn to_stats_json(&self) -> Value {
        let mut v = self.stats.to_json();
        let Some(obj) = v.as_object_mut() else {
            return v;
        };
        if let Some(models) = obj.get_mut("by_model").and_then(Value::as_array_mut) {
            for m in models.iter_mut() {
                let name = m.get("model").and_then(Value::as_str).unwrap_or_default();
                if let Some(row) = self.by_model.iter().find(|r| r.model == name)
                    && let Some(m) = m.as_object_mut()
                {
                    m.insert("error_rate".into(), json!(row.error_rate));
                    m.insert("cache_savings_usd".into(), json!(row.cache_savings_usd));
                }
            }
        }
        let extra = json!({
            "window": self.window,
            "priced_calls": self.totals.priced_calls,
            "by_project": group_json(&self.by_project, "project"),
            "by_session": group_json(&self.by_session, "session"),
            "by_user": group_json(&self.by_user, "user"),
            "omitted_rows": self.omitted_rows,
            "cache_savings_usd": self.cache_savings_usd,
            "burn_rate_usd_per_hour": self.burn_rate_usd_per_hour,
            "today_usd": self.today_usd,
            "projected_day_usd": self.projected_day_usd,
            "top_traces": self.top_traces.iter().map(|t| json!({
                "trace_id": t.trace_id,
                "start_unix_nano": t.start_unix_nano,
                "root_name": t.root_name,
                "service": t.service,
                "llm_calls": t.llm_calls,
                "tokens": t.tokens,
                "cost_usd": t.cost_usd,
                "unpriced_calls": t.unpriced_calls,
            })).collect::<Vec<_>>(),
        });
        if let Value::Object(extra) = extra {
            for (k, val) in extra {
                obj.entry(k).or_insert(val);
            }
        }
        v
    }
}
