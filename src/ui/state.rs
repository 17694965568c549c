//! The state types `App` holds: which screen and pane has focus, the trace list and
//! its columns, the sessions list, an open trace (`TraceView`), the line being typed.
//! They change only through `App::update` (app.rs).

use std::collections::HashSet;

use crate::model::{SpanId, TraceId, TraceSummary};
use crate::query::TraceDetail;
use crate::store::TraceQuery;

use super::sessions::SessionSummary;
use super::span_tree::SpanTree;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Traces,
    Sessions,
    Trace,
    Cost,
    /// The error timeline (`E`).
    Errors,
    /// Eval scorecards and experiment comparison (`V`).
    Evals,
    /// Two traces compared (`m` then `=`).
    Compare,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tree,
    Detail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailTab {
    Chat,
    Attributes,
    Events,
    Logs,
    Raw,
}

impl DetailTab {
    pub const ALL: [DetailTab; 5] = [
        DetailTab::Chat,
        DetailTab::Attributes,
        DetailTab::Events,
        DetailTab::Logs,
        DetailTab::Raw,
    ];
    pub fn title(&self) -> &'static str {
        match self {
            DetailTab::Chat => "Chat",
            DetailTab::Attributes => "Attributes",
            DetailTab::Events => "Events",
            DetailTab::Logs => "Logs",
            DetailTab::Raw => "Raw",
        }
    }
}

/// Trace list columns, in display order; also the sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Time,
    Root,
    Service,
    Duration,
    Spans,
    Errors,
    LlmCalls,
    Tokens,
    Cost,
    /// Eval pass rate.
    Evals,
}

impl Column {
    /// The sortable columns, in order (`Evals` is shown only when a loaded trace
    /// has eval results, and is not in the `s` cycle).
    pub const ALL: [Column; 9] = [
        Column::Time,
        Column::Root,
        Column::Service,
        Column::Duration,
        Column::Spans,
        Column::Errors,
        Column::LlmCalls,
        Column::Tokens,
        Column::Cost,
    ];
    pub fn title(&self) -> &'static str {
        match self {
            Column::Time => "TIME",
            Column::Root => "ROOT",
            Column::Service => "SERVICE",
            Column::Duration => "DUR",
            Column::Spans => "SPANS",
            Column::Errors => "ERR",
            Column::LlmCalls => "LLM",
            Column::Tokens => "TOKENS",
            Column::Cost => "COST",
            Column::Evals => "EVAL",
        }
    }
}

/// A line being typed at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `/` in the trace list.
    TraceFilter(String),
    /// `/` in the Attributes tab.
    AttributeFilter(String),
}

#[derive(Debug, Clone, Default)]
pub struct TraceList {
    /// The loaded window, already sorted for display.
    pub traces: Vec<TraceSummary>,
    pub selected: Option<TraceId>,
    pub offset: usize,
    pub sort: Option<Column>,
    pub ascending: bool,
    pub paused: bool,
    /// Traces changed while paused (shown as "N new").
    pub pending: usize,
    /// The filter in force (text as typed) and its parsed query.
    pub filter_text: String,
    pub query: TraceQuery,
    /// Set when the list shows one session's traces (entered from Sessions).
    pub session: Option<String>,
    /// The trace marked with `m`: A of the next comparison (`=`).
    pub marked: Option<TraceId>,
    pub loaded_once: bool,
}

#[derive(Debug, Clone, Default)]
pub struct SessionList {
    pub sessions: Vec<SessionSummary>,
    pub selected: usize,
    pub offset: usize,
}

/// An open trace.
#[derive(Debug, Clone)]
pub struct TraceView {
    pub trace_id: TraceId,
    pub summary: Option<TraceSummary>,
    pub detail: TraceDetail,
    pub tree: SpanTree,
    /// Spans in display order with collapsed subtrees hidden (indexes into spans).
    pub visible: Vec<usize>,
    pub selected: Option<SpanId>,
    pub collapsed: HashSet<SpanId>,
    pub offset: usize,
    pub pane: Pane,
    pub tab: DetailTab,
    pub detail_scroll: usize,
    pub attribute_filter: String,
    pub system_expanded: bool,
    pub loading: bool,
    /// The screen Esc goes back to (where the trace was opened from).
    pub return_to: Screen,
    /// Retry-chain attempts and fallbacks among the spans (`errors::chains`).
    pub marks: std::collections::HashMap<SpanId, crate::errors::CallMark>,
    /// Wrapper calls and the (innermost) call each wraps (`model::accounting`):
    /// their rows show that call's figures.
    pub wrapped: std::collections::HashMap<SpanId, SpanId>,
    /// Tree, critical path (`c`) or agent flow (`f`).
    pub mode: super::trace_modes::TreeMode,
    /// Self times, critical path and agent flow, computed when the trace loads.
    pub analysis: super::trace_modes::TraceAnalysis,
    /// Selected row and scroll offset of the critical-path or flow list.
    pub step_selected: usize,
    pub step_offset: usize,
}

impl TraceView {
    pub(super) fn new(trace_id: TraceId, summary: Option<TraceSummary>) -> Self {
        TraceView {
            trace_id,
            summary,
            detail: TraceDetail::default(),
            tree: SpanTree::default(),
            visible: Vec::new(),
            selected: None,
            collapsed: HashSet::new(),
            offset: 0,
            pane: Pane::Tree,
            tab: DetailTab::Chat,
            detail_scroll: 0,
            attribute_filter: String::new(),
            system_expanded: false,
            loading: true,
            return_to: Screen::Traces,
            marks: Default::default(),
            wrapped: Default::default(),
            mode: Default::default(),
            analysis: Default::default(),
            step_selected: 0,
            step_offset: 0,
        }
    }

    /// Index into spans of the selected span.
    pub fn selected_index(&self) -> Option<usize> {
        self.selected
            .and_then(|id| self.tree.index_of.get(&id).copied())
    }

    pub(super) fn selected_row(&self) -> Option<usize> {
        let i = self.selected_index()?;
        self.visible.iter().position(|v| *v == i)
    }

    pub(super) fn refresh_visible(&mut self) {
        self.visible = self.tree.visible(&self.detail.spans, &self.collapsed);
    }
}
