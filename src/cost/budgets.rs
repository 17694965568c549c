//! Budgets (`[budgets]` in the config file): thresholds that flag what crosses them.
//!
//! ```toml
//! [budgets]
//! hourly_usd = 5.0     # burn rate ($/hour over the last 5 minutes)
//! trace_usd = 0.25     # one trace's cost
//! trace_tokens = 50000 # one trace's input + output tokens
//! ```
//!
//! Trace list rows and the cost screen's top traces over `trace_usd` or
//! `trace_tokens` are flagged; the status bar says when the burn rate is over
//! `hourly_usd` or traces in the list are over their budget.

use serde::{Deserialize, Serialize};

use crate::config::{ConfigError, ConfigFile};

/// Why the `[budgets]` table was refused.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{path}: [budgets] {field} must be a positive number, got {value}")]
    NotPositive {
        path: String,
        field: &'static str,
        value: f64,
    },
}

/// The `[budgets]` table; every threshold optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budgets {
    pub hourly_usd: Option<f64>,
    pub trace_usd: Option<f64>,
    pub trace_tokens: Option<u64>,
}

impl Budgets {
    /// Reads and checks `[budgets]` (absent: no budgets).
    pub fn load(config: &ConfigFile) -> Result<Budgets, BudgetError> {
        let b: Budgets = config.section("budgets")?;
        let floats = [("hourly_usd", b.hourly_usd), ("trace_usd", b.trace_usd)];
        for (field, value) in floats {
            if let Some(v) = value
                && !(v.is_finite() && v > 0.0)
            {
                return Err(BudgetError::NotPositive {
                    path: config.display_path(),
                    field,
                    value: v,
                });
            }
        }
        if b.trace_tokens == Some(0) {
            return Err(BudgetError::NotPositive {
                path: config.display_path(),
                field: "trace_tokens",
                value: 0.0,
            });
        }
        Ok(b)
    }

    pub fn is_empty(&self) -> bool {
        *self == Budgets::default()
    }

    /// True when a trace of this cost and these tokens is over a trace budget.
    pub fn trace_over(&self, cost_usd: Option<f64>, tokens: u64) -> bool {
        let over_cost = matches!((self.trace_usd, cost_usd), (Some(max), Some(c)) if c > max);
        let over_tokens = self.trace_tokens.is_some_and(|max| tokens > max);
        over_cost || over_tokens
    }

    /// True when the burn rate is over the hourly budget.
    pub fn hourly_over(&self, burn_usd_per_hour: f64) -> bool {
        self.hourly_usd.is_some_and(|max| burn_usd_per_hour > max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Budgets, BudgetError> {
        Budgets::load(&ConfigFile::parse(Some("c.toml".into()), text.into()).unwrap())
    }

    #[test]
    fn budgets_are_read_checked_and_applied() {
        let b = parse("[budgets]\nhourly_usd = 2\ntrace_usd = 0.1\ntrace_tokens = 1000\n").unwrap();
        assert_eq!(
            b,
            Budgets {
                hourly_usd: Some(2.0),
                trace_usd: Some(0.1),
                trace_tokens: Some(1000)
            }
        );
        assert!(b.trace_over(Some(0.11), 10));
        assert!(b.trace_over(None, 1001));
        assert!(!b.trace_over(Some(0.1), 1000), "at the budget is not over");
        assert!(
            !b.trace_over(None, 0),
            "unknown cost never crosses a $ budget"
        );
        assert!(b.hourly_over(2.5) && !b.hourly_over(2.0));
        assert!(parse("").unwrap().is_empty());
        assert!(!Budgets::default().trace_over(Some(1e9), u64::MAX));

        let typo = parse("[budgets]\n\nhourly = 2\n").unwrap_err().to_string();
        assert!(
            typo.starts_with("c.toml:3:") && typo.contains("hourly"),
            "{typo}"
        );
        let negative = parse("[budgets]\ntrace_usd = -1\n")
            .unwrap_err()
            .to_string();
        assert!(
            negative.contains("trace_usd must be a positive number"),
            "{negative}"
        );
        let zero = parse("[budgets]\ntrace_tokens = 0\n")
            .unwrap_err()
            .to_string();
        assert!(zero.contains("trace_tokens"), "{zero}");
    }
}
