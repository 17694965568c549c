//! The cost screen's state and keys: the window (`w` cycles 15m → 1h → 24h → all),
//! the table shown (Tab / 1-6: models, services, projects, sessions, users, top
//! traces), the selected row, the last report loaded, and the budget alerts the
//! status bar shows on every screen.
//!
//! `C` opens it from the trace list or sessions; Esc returns there. Enter on a top
//! trace opens it (Esc then comes back here); Enter on a session shows its traces.

use crate::cost::{Budgets, CostReport, CostWindow};

use super::app::{App, Column, Effect, Screen};
use super::keys::{Key, Nav};

/// The tables of the cost screen, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CostTab {
    #[default]
    Models,
    Services,
    Projects,
    Sessions,
    Users,
    Top,
}

impl CostTab {
    pub const ALL: [CostTab; 6] = [
        CostTab::Models,
        CostTab::Services,
        CostTab::Projects,
        CostTab::Sessions,
        CostTab::Users,
        CostTab::Top,
    ];

    pub fn title(self) -> &'static str {
        match self {
            CostTab::Models => "Models",
            CostTab::Services => "Services",
            CostTab::Projects => "Projects",
            CostTab::Sessions => "Sessions",
            CostTab::Users => "Users",
            CostTab::Top => "Top traces",
        }
    }

    fn step(self, forward: bool) -> CostTab {
        let n = Self::ALL.len();
        let i = Self::ALL.iter().position(|t| *t == self).unwrap_or(0);
        Self::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// State of the cost screen.
#[derive(Debug, Clone, Default)]
pub struct CostScreen {
    pub window: CostWindow,
    pub tab: CostTab,
    /// Selected row of the current table.
    pub selected: usize,
    /// The last report loaded (kept while the next one loads).
    pub report: Option<Box<CostReport>>,
    pub loading: bool,
    /// Where Esc goes.
    pub return_to: Option<Screen>,
}

impl CostScreen {
    /// Rows of the current table.
    pub fn rows(&self) -> usize {
        let Some(r) = &self.report else { return 0 };
        match self.tab {
            CostTab::Models => r.by_model.len(),
            CostTab::Services => r.by_service.len(),
            CostTab::Projects => r.by_project.len(),
            CostTab::Sessions => r.by_session.len(),
            CostTab::Users => r.by_user.len(),
            CostTab::Top => r.top_traces.len(),
        }
    }
}

/// The status bar's budget alerts: the burn rate over `hourly_usd` (from the last
/// report loaded), and how many listed traces are over a trace budget.
pub fn budget_alerts(app: &App) -> Vec<String> {
    let b: &Budgets = &app.budgets;
    let mut out = Vec::new();
    if let (Some(max), Some(r)) = (b.hourly_usd, app.cost.report.as_ref())
        && b.hourly_over(r.burn_rate_usd_per_hour)
    {
        out.push(format!(
            "burn {}/h > budget {}/h",
            super::text::cost(Some(r.burn_rate_usd_per_hour)),
            super::text::cost(Some(max))
        ));
    }
    let over = app
        .list
        .traces
        .iter()
        .filter(|t| b.trace_over(t.cost_usd, t.total_tokens()))
        .count();
    if over > 0 {
        out.push(format!(
            "{over} trace{} over budget",
            if over == 1 { "" } else { "s" }
        ));
    }
    out
}

impl App {
    /// Whether live changes should reload the cost report (its screen is open, or
    /// the status bar watches the hourly budget).
    pub(super) fn wants_cost(&self) -> bool {
        self.screen == Screen::Cost || self.budgets.hourly_usd.is_some()
    }

    /// `C`: opens the cost screen from the current screen.
    pub(super) fn open_cost(&mut self) -> Vec<Effect> {
        if self.screen != Screen::Cost {
            self.cost.return_to = Some(self.screen);
        }
        self.screen = Screen::Cost;
        self.cost.loading = true;
        vec![Effect::LoadCost(self.cost.window)]
    }

    /// A report arrived; reports of another window (`w` pressed meanwhile) are dropped.
    pub(super) fn set_cost(&mut self, report: Box<CostReport>) {
        if report.window != self.cost.window.label() {
            return;
        }
        self.cost.loading = false;
        self.cost.report = Some(report);
        self.cost.selected = self.cost.selected.min(self.cost.rows().saturating_sub(1));
    }

    pub(super) fn cost_navigate(&mut self, nav: Nav, page: usize) {
        if let Some(row) = nav.apply(Some(self.cost.selected), self.cost.rows(), page) {
            self.cost.selected = row;
        }
    }

    pub(super) fn cost_key(&mut self, key: Key) -> Vec<Effect> {
        match key {
            Key::Esc => {
                self.screen = self.cost.return_to.take().unwrap_or(Screen::Traces);
            }
            Key::Char('w') => {
                self.cost.window = self.cost.window.next();
                self.cost.loading = true;
                return vec![Effect::LoadCost(self.cost.window)];
            }
            Key::Tab | Key::Char(']') | Key::Right | Key::Char('l') => {
                self.cost.tab = self.cost.tab.step(true);
                self.cost.selected = 0;
            }
            Key::BackTab | Key::Char('[') | Key::Left | Key::Char('h') => {
                self.cost.tab = self.cost.tab.step(false);
                self.cost.selected = 0;
            }
            Key::Char(c @ '1'..='6') => {
                self.cost.tab = CostTab::ALL[c as usize - '1' as usize];
                self.cost.selected = 0;
            }
            Key::Enter => return self.cost_enter(),
            Key::Char('y') => {
                if let Some(r) = &self.cost.report
                    && self.cost.tab == CostTab::Top
                    && let Some(t) = r.top_traces.get(self.cost.selected)
                {
                    let id = t.trace_id.to_string();
                    self.message = Some(format!("copied trace id {id}"));
                    return vec![Effect::Copy(id)];
                }
            }
            _ => {}
        }
        vec![]
    }

    fn cost_enter(&mut self) -> Vec<Effect> {
        let Some(r) = &self.cost.report else {
            return vec![];
        };
        match self.cost.tab {
            CostTab::Top => match r.top_traces.get(self.cost.selected) {
                Some(t) => {
                    let id = t.trace_id;
                    self.open_trace_at(id, None)
                }
                None => vec![],
            },
            CostTab::Sessions => match r.by_session.get(self.cost.selected) {
                Some(s) => {
                    self.list.session = Some(s.name.clone());
                    self.list.sort = Some(Column::Time);
                    self.list.ascending = true;
                    self.list.selected = None;
                    self.screen = Screen::Traces;
                    vec![Effect::LoadTraces(self.list_query())]
                }
                None => vec![],
            },
            _ => vec![],
        }
    }
}
