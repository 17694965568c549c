//! The eval scorecards screen (`V`): its state and keys. Three views — the
//! scorecard (evaluator × experiment / model / service; `Tab` cycles the grouping),
//! the worst-scoring results behind one row (`Enter` on a row), and the comparison
//! of two experiments (`c`; `a` / `b` pick A and B, `x` swaps them). `Enter` on a
//! result or an example opens its trace at the evaluated span; `w` cycles the
//! window; `Esc` goes back a view, then to the screen `V` was pressed on.

use crate::evals::EvalRecord;
use crate::evals::experiments::{self, Comparison, Grouping, ScoreRow};

use super::app::{App, Effect, Screen};
use super::keys::{Key, Nav};
use super::layout;

/// How far back the screen reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EvalWindow {
    M15,
    #[default]
    H1,
    H24,
    All,
}

impl EvalWindow {
    pub fn label(&self) -> &'static str {
        match self {
            EvalWindow::M15 => "15m",
            EvalWindow::H1 => "1h",
            EvalWindow::H24 => "24h",
            EvalWindow::All => "all",
        }
    }
    /// The window in seconds (`None`: everything stored).
    pub fn seconds(&self) -> Option<u64> {
        match self {
            EvalWindow::M15 => Some(15 * 60),
            EvalWindow::H1 => Some(3600),
            EvalWindow::H24 => Some(24 * 3600),
            EvalWindow::All => None,
        }
    }
    fn next(self) -> EvalWindow {
        match self {
            EvalWindow::M15 => EvalWindow::H1,
            EvalWindow::H1 => EvalWindow::H24,
            EvalWindow::H24 => EvalWindow::All,
            EvalWindow::All => EvalWindow::M15,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EvalsView {
    #[default]
    Scorecard,
    /// The results behind one scorecard row, worst first.
    Worst,
    Compare,
}

/// The help overlay's keys for this screen.
pub const HELP: [(&str, &str); 8] = [
    (
        "Enter",
        "a row's worst results → the trace at the evaluated span",
    ),
    ("Tab", "break down by experiment / model / service"),
    ("c", "compare two experiments"),
    ("a / b", "(compare) next experiment as A / as B"),
    ("x", "(compare) swap A and B"),
    ("w", "window: 15m, 1h, 24h, all"),
    ("Esc", "back: results → scorecard → where V was pressed"),
    ("V", "open from the trace list or sessions"),
];

/// Most results the worst-first list holds.
pub const WORST_MAX: usize = 200;

#[derive(Debug, Clone, Default)]
pub struct EvalsState {
    pub records: Vec<EvalRecord>,
    pub loaded_once: bool,
    pub window: EvalWindow,
    pub grouping: Grouping,
    pub view: EvalsView,
    pub rows: Vec<ScoreRow>,
    pub selected: usize,
    pub offset: usize,
    /// (evaluator, group) of the row whose results `worst` holds.
    pub worst_of: Option<(String, String)>,
    pub worst: Vec<EvalRecord>,
    pub worst_selected: usize,
    pub worst_offset: usize,
    /// The experiments compared (A the baseline, B), chosen or the default pair.
    pub pair: Option<(String, String)>,
    pub comparison: Option<Comparison>,
    pub compare_selected: usize,
    pub compare_offset: usize,
    /// Where Esc from the scorecard goes.
    pub return_to: Option<Screen>,
}

impl EvalsState {
    /// Takes freshly loaded records and recomputes what the views show, keeping
    /// the selections where they were.
    pub fn set_records(&mut self, records: Vec<EvalRecord>) {
        self.records = records;
        self.loaded_once = true;
        self.recompute();
    }

    fn recompute(&mut self) {
        let keep = self
            .rows
            .get(self.selected)
            .map(|r| (r.evaluator.clone(), r.group.clone()));
        self.rows = experiments::scorecard(&self.records, self.grouping);
        self.selected = keep
            .and_then(|(e, g)| {
                self.rows
                    .iter()
                    .position(|r| r.evaluator == e && r.group == g)
            })
            .unwrap_or(self.selected)
            .min(self.rows.len().saturating_sub(1));
        if let Some((e, g)) = &self.worst_of {
            self.worst = experiments::worst(&self.records, e, g, self.grouping)
                .into_iter()
                .take(WORST_MAX)
                .cloned()
                .collect();
            self.worst_selected = self.worst_selected.min(self.worst.len().saturating_sub(1));
        }
        let known = experiments::experiments(&self.records);
        let pair_known = self.pair.as_ref().is_some_and(|(a, b)| {
            known.iter().any(|(n, _)| n == a) && known.iter().any(|(n, _)| n == b)
        });
        if !pair_known {
            self.pair = experiments::default_pair(&self.records);
        }
        self.comparison = self
            .pair
            .as_ref()
            .map(|(a, b)| experiments::compare(&self.records, a, b));
        let n = self.comparison.as_ref().map_or(0, |c| c.examples.len());
        self.compare_selected = self.compare_selected.min(n.saturating_sub(1));
    }

    /// The load for the current window.
    pub fn load(&self) -> Effect {
        Effect::LoadEvals(self.window.seconds())
    }

    /// Rows of the comparison's example table (below the evaluator deltas).
    pub fn compare_example_rows(&self, list_rows: usize) -> usize {
        let evaluators = self.comparison.as_ref().map_or(0, |c| c.evaluators.len());
        list_rows.saturating_sub(evaluators + 3).max(1)
    }

    /// The experiment after `current` (wrapping), skipping `other`.
    fn next_experiment(&self, current: &str, other: &str) -> Option<String> {
        let names: Vec<String> = experiments::experiments(&self.records)
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| n != other)
            .collect();
        if names.is_empty() {
            return None;
        }
        let i = names.iter().position(|n| n == current);
        Some(names[i.map_or(0, |i| (i + 1) % names.len())].clone())
    }
}

impl App {
    /// `V`: opens the scorecards, remembering where Esc returns.
    pub(super) fn open_evals(&mut self) -> Vec<Effect> {
        self.evals.return_to = Some(self.screen);
        self.evals.view = EvalsView::Scorecard;
        self.screen = Screen::Evals;
        vec![self.evals.load()]
    }

    fn evals_rows(&self) -> usize {
        layout::compute(self.width, self.height, Screen::Evals)
            .list_rows()
            .max(1)
    }

    pub(super) fn evals_navigate(&mut self, nav: Nav) {
        let rows = self.evals_rows();
        let s = &mut self.evals;
        let (sel, off, len, page) = match s.view {
            EvalsView::Scorecard => (&mut s.selected, &mut s.offset, s.rows.len(), rows),
            EvalsView::Worst => (
                &mut s.worst_selected,
                &mut s.worst_offset,
                s.worst.len(),
                rows.saturating_sub(1).max(1),
            ),
            EvalsView::Compare => {
                let page = s.compare_example_rows(rows);
                let len = s.comparison.as_ref().map_or(0, |c| c.examples.len());
                (&mut s.compare_selected, &mut s.compare_offset, len, page)
            }
        };
        if let Some(row) = nav.apply(Some(*sel), len, page) {
            *sel = row;
        }
        *off = scroll_to(*off, *sel, page);
    }

    pub(super) fn evals_key(&mut self, key: Key) -> Vec<Effect> {
        match key {
            Key::Char('w') => {
                self.evals.window = self.evals.window.next();
                return vec![self.evals.load()];
            }
            Key::Char('c') if self.evals.view != EvalsView::Compare => {
                self.evals.view = EvalsView::Compare;
                return vec![];
            }
            _ => {}
        }
        match self.evals.view {
            EvalsView::Scorecard => self.scorecard_key(key),
            EvalsView::Worst => self.worst_key(key),
            EvalsView::Compare => self.compare_key(key),
        }
    }

    fn scorecard_key(&mut self, key: Key) -> Vec<Effect> {
        let s = &mut self.evals;
        match key {
            Key::Tab => {
                s.grouping = s.grouping.next();
                s.selected = 0;
                s.offset = 0;
                s.recompute();
            }
            Key::Enter => {
                if let Some(r) = s.rows.get(s.selected) {
                    s.worst_of = Some((r.evaluator.clone(), r.group.clone()));
                    s.worst_selected = 0;
                    s.worst_offset = 0;
                    s.view = EvalsView::Worst;
                    s.recompute();
                }
            }
            Key::Esc => {
                self.screen = s.return_to.take().unwrap_or(Screen::Traces);
            }
            _ => {}
        }
        vec![]
    }

    fn worst_key(&mut self, key: Key) -> Vec<Effect> {
        match key {
            Key::Enter => {
                if let Some(r) = self.evals.worst.get(self.evals.worst_selected) {
                    let (t, sp) = (r.trace_id, r.span_id);
                    return self.open_trace_at(t, Some(sp));
                }
            }
            Key::Esc => self.evals.view = EvalsView::Scorecard,
            _ => {}
        }
        vec![]
    }

    fn compare_key(&mut self, key: Key) -> Vec<Effect> {
        let s = &mut self.evals;
        match key {
            Key::Enter => {
                let target = s
                    .comparison
                    .as_ref()
                    .and_then(|c| c.examples.get(s.compare_selected))
                    .and_then(|e| e.b.as_ref().or(e.a.as_ref()))
                    .map(|side| (side.trace_id, side.span_id));
                if let Some((t, sp)) = target {
                    return self.open_trace_at(t, Some(sp));
                }
            }
            Key::Char(c @ ('a' | 'b' | 'x')) => {
                if let Some((a, b)) = s.pair.clone() {
                    let pair = match c {
                        'a' => s.next_experiment(&a, &b).map(|n| (n, b)),
                        'b' => s.next_experiment(&b, &a).map(|n| (a, n)),
                        _ => Some((b, a)),
                    };
                    if pair.is_some() {
                        s.pair = pair;
                        s.compare_selected = 0;
                        s.compare_offset = 0;
                        s.recompute();
                    }
                }
            }
            Key::Esc => s.view = EvalsView::Scorecard,
            _ => {}
        }
        vec![]
    }
}

fn scroll_to(offset: usize, row: usize, rows: usize) -> usize {
    if row < offset {
        row
    } else if row >= offset + rows {
        row + 1 - rows
    } else {
        offset
    }
}

#[cfg(test)]
#[path = "evals_screen_tests.rs"]
mod tests;
