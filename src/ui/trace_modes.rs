//! The span tree's other two views of the open trace: the critical path (`c`) and
//! the agent flow (`f`). Both list steps of `trace_analysis`, computed once when
//! the trace loads; moving through them selects each step's span (the detail pane
//! follows), Enter goes back to the tree at that span, Esc back to the tree.

use crate::model::{Span, SpanId};
use crate::trace_analysis::{self, AgentFlow, CriticalPath, SpanForest};

use super::app::{App, Effect, Screen};
use super::keys::{Key, Nav};
use super::layout;
use super::state::TraceView;

/// What the trace screen's left (or upper) pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TreeMode {
    #[default]
    Tree,
    /// Only the spans on the critical path, with each one's share of the total.
    CriticalPath,
    /// The agent's steps in order.
    Flow,
}

/// What `trace_analysis` found in the open trace (indexes into its spans).
#[derive(Debug, Clone, Default)]
pub struct TraceAnalysis {
    /// Self time of each span (skew-corrected).
    pub self_ns: Vec<u64>,
    pub critical: CriticalPath,
    pub flow: AgentFlow,
}

impl TraceAnalysis {
    pub fn of(spans: &[Span], forest: &SpanForest) -> TraceAnalysis {
        TraceAnalysis {
            self_ns: trace_analysis::self_times(forest),
            critical: trace_analysis::critical_path(spans, forest),
            flow: trace_analysis::agent_flow(spans, forest),
        }
    }

    pub fn on_path(&self, i: usize) -> bool {
        self.critical.on_path.get(i).copied().unwrap_or(false)
    }
}

impl TraceView {
    /// Rows of the current mode's list.
    pub fn mode_len(&self) -> usize {
        match self.mode {
            TreeMode::Tree => self.visible.len(),
            TreeMode::CriticalPath => self.analysis.critical.steps.len(),
            TreeMode::Flow => self.analysis.flow.steps.len(),
        }
    }

    /// The span of row `row` of the current mode's list.
    pub fn mode_span(&self, row: usize) -> Option<SpanId> {
        match self.mode {
            TreeMode::Tree => self.visible.get(row).map(|&i| self.detail.spans[i].span_id),
            TreeMode::CriticalPath => self.analysis.critical.steps.get(row).map(|s| s.span_id),
            TreeMode::Flow => self.analysis.flow.steps.get(row).map(|s| s.span_id),
        }
    }

    /// Selects row `row` of a step list and its span.
    pub(super) fn select_step(&mut self, row: usize, rows: usize) {
        self.step_selected = row;
        self.step_offset = scroll_to(self.step_offset, row, rows);
        if let Some(id) = self.mode_span(row) {
            self.selected = Some(id);
            self.detail_scroll = 0;
        }
    }

    /// Opens every collapsed ancestor of the selected span.
    pub(super) fn reveal_selected(&mut self) {
        let Some(i) = self.selected_index() else {
            return;
        };
        let mut p = self.tree.parent[i];
        while let Some(pi) = p {
            self.collapsed.remove(&self.detail.spans[pi].span_id);
            p = self.tree.parent[pi];
        }
        self.refresh_visible();
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

impl App {
    fn step_rows(&self) -> usize {
        layout::compute(self.width, self.height, Screen::Trace)
            .list_rows()
            .max(1)
    }

    /// `c` / `f`: shows that list, or the tree again when it is shown; the step of
    /// the selected span is selected (else the first).
    pub(super) fn toggle_mode(&mut self, mode: TreeMode) -> Vec<Effect> {
        let rows = self.step_rows();
        let Some(t) = self.trace.as_mut() else {
            return vec![];
        };
        if t.mode == mode {
            t.mode = TreeMode::Tree;
            t.reveal_selected();
            self.keep_in_view();
            return vec![];
        }
        t.mode = mode;
        let len = t.mode_len();
        if len == 0 {
            self.message = Some(match mode {
                TreeMode::Flow => "no agent steps in this trace (c: critical path)".into(),
                _ => "no spans".into(),
            });
            return vec![];
        }
        let current = (0..len).find(|&r| t.mode_span(r) == t.selected);
        t.step_offset = 0;
        t.select_step(current.unwrap_or(0), rows);
        vec![]
    }

    /// Moves in the step list.
    pub(super) fn step_navigate(&mut self, nav: Nav) {
        let rows = self.step_rows();
        let Some(t) = self.trace.as_mut() else { return };
        if let Some(row) = nav.apply(Some(t.step_selected), t.mode_len(), rows) {
            t.select_step(row, rows);
        }
    }

    /// Keys of the step lists; `None` when the key is the tree's.
    pub(super) fn step_key(&mut self, key: Key) -> Option<Vec<Effect>> {
        let t = self.trace.as_mut()?;
        if t.mode == TreeMode::Tree || t.pane != super::app::Pane::Tree {
            return None;
        }
        match key {
            Key::Enter | Key::Esc => {
                t.mode = TreeMode::Tree;
                t.reveal_selected();
                self.keep_in_view();
                Some(vec![])
            }
            Key::Tab => {
                t.pane = super::app::Pane::Detail;
                t.detail_scroll = 0;
                Some(vec![])
            }
            Key::Char('h' | 'l' | ' ' | 'n' | 'N') | Key::Left | Key::Right => Some(vec![]),
            _ => None,
        }
    }

    /// A click on row `r` of a step list.
    pub(super) fn step_click(&mut self, r: usize) {
        let rows = self.step_rows();
        let Some(t) = self.trace.as_mut() else { return };
        let row = t.step_offset + r;
        if row < t.mode_len() {
            t.select_step(row, rows);
        }
    }
}
