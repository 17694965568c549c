//! The cost panel's figures: the time windows it shows, the report assembled from
//! the store's rollups and cost records (never from spans), the budgets that flag
//! what crosses them, and the extra fields `spanlens stats --json` carries.
//!
//! One [`CostReport`] feeds the cost screen, `spanlens cost` and the added fields of
//! `spanlens stats --json`, so they always agree.

mod budgets;
mod json;
mod report;

#[cfg(test)]
mod tests;

pub use budgets::{BudgetError, Budgets};
pub use report::{
    CostReport, GroupRow, ModelRow, SeriesPoint, TopRow, Totals, build, load, window_label,
};

use serde::{Deserialize, Serialize};

const MINUTE_NS: u64 = 60_000_000_000;

/// The windows the cost screen cycles through with `w`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CostWindow {
    #[default]
    Last15m,
    LastHour,
    LastDay,
    All,
}

impl CostWindow {
    pub const ALL: [CostWindow; 4] = [
        CostWindow::Last15m,
        CostWindow::LastHour,
        CostWindow::LastDay,
        CostWindow::All,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CostWindow::Last15m => "15m",
            CostWindow::LastHour => "1h",
            CostWindow::LastDay => "24h",
            CostWindow::All => "all",
        }
    }

    /// The window after this one (`w`).
    pub fn next(self) -> CostWindow {
        let i = Self::ALL.iter().position(|w| *w == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// Its length in minutes; `None` for everything stored.
    pub fn minutes(self) -> Option<u64> {
        match self {
            CostWindow::Last15m => Some(15),
            CostWindow::LastHour => Some(60),
            CostWindow::LastDay => Some(24 * 60),
            CostWindow::All => None,
        }
    }

    /// Where the window starts, seen at `now`.
    pub fn since(self, now_unix_nano: u64) -> Option<u64> {
        self.minutes()
            .map(|m| now_unix_nano.saturating_sub(m * MINUTE_NS))
    }

    /// From its label (`15m`, `1h`, `24h`, `all`).
    pub fn parse(text: &str) -> Option<CostWindow> {
        Self::ALL.into_iter().find(|w| w.label() == text.trim())
    }
}
