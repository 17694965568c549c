//! Application state and the only place it changes: `App::update(Action)`, which
//! returns the effects (loads, copy, quit) for the event loop to carry out. Pure and
//! synchronous, so key handling is unit-tested without a terminal.

use crate::model::{SpanId, TraceId, TraceSummary};
use crate::store::TraceQuery;

use super::filter::parse_filter;
use super::keys::{Key, Nav};
use super::layout;
use super::sessions::group_sessions;
use super::span_tree::SpanTree;
use crate::query::TraceDetail;

pub use super::state::{Column, DetailTab, Input, Pane, Screen, SessionList, TraceList, TraceView};

/// Where the data comes from, for the status bar and the first-run screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceInfo {
    /// `Some(url)` when attached to another instance.
    pub attached_to: Option<String>,
    pub grpc_addrs: Vec<String>,
    pub http_addrs: Vec<String>,
}

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadTraces(TraceQuery),
    LoadTrace(TraceId),
    /// Load the cost report of a window (coalesced to about once a second).
    LoadCost(crate::cost::CostWindow),
    /// Build the error timeline's report (`errors_screen::load_report`).
    LoadErrors(super::errors_screen::ErrorsRequest),
    /// Eval records of the last N seconds (`None`: all).
    LoadEvals(Option<u64>),
    /// Load two traces and compare them (A, B).
    LoadCompare(TraceId, TraceId),
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
    Quit,
}

/// Everything that can happen to the app.
#[derive(Debug, Clone)]
pub enum Action {
    Key(Key),
    /// Mouse wheel (+1 down, -1 up) and clicks at (column, row).
    Scroll(i32),
    Click(u16, u16),
    Resize(u16, u16),
    TracesLoaded(Vec<TraceSummary>),
    TraceLoaded(TraceId, Option<TraceDetail>),
    CostLoaded(Box<crate::cost::CostReport>),
    ErrorsLoaded(crate::errors::TimeWindow, Box<crate::errors::ErrorReport>),
    EvalsLoaded(Vec<crate::evals::EvalRecord>),
    /// Two traces compared (A, B), or why not.
    CompareLoaded(
        TraceId,
        TraceId,
        Result<Box<crate::compare::TraceComparison>, String>,
    ),
    /// The store committed changes to these traces.
    Changed(Vec<TraceId>),
    /// Too many changes to name: reload what is shown.
    ChangedMany,
    LoadFailed(String),
}

#[derive(Debug, Clone)]
pub struct App {
    pub screen: Screen,
    pub list: TraceList,
    pub sessions: SessionList,
    pub trace: Option<TraceView>,
    pub errors: super::errors_screen::ErrorsScreen,
    pub evals: super::evals_screen::EvalsState,
    /// The comparison of two traces (`=`).
    pub compare: Option<super::compare_screen::CompareScreen>,
    pub input: Option<Input>,
    pub help: bool,
    /// One-line message in the status bar (errors, "copied", …).
    pub message: Option<String>,
    pub info: SourceInfo,
    /// The cost screen.
    pub cost: super::cost_screen::CostScreen,
    /// `[budgets]` from the config file.
    pub budgets: crate::cost::Budgets,
    pub width: u16,
    pub height: u16,
    pub quit: bool,
    /// `q` asked "stop collection?" and waits for the answer (`quit.rs`).
    pub confirm_quit: bool,
    /// When the store last reported a change (in the combined mode: data received).
    pub last_data: Option<std::time::Instant>,
}

/// How many traces the list loads (newest first) before sorting and grouping.
pub const LIST_WINDOW: usize = 500;

impl App {
    pub fn new(info: SourceInfo, width: u16, height: u16) -> Self {
        App {
            screen: Screen::Traces,
            list: TraceList::default(),
            sessions: SessionList::default(),
            trace: None,
            errors: Default::default(),
            evals: Default::default(),
            compare: None,
            input: None,
            help: false,
            message: None,
            info,
            cost: Default::default(),
            budgets: Default::default(),
            width,
            height,
            quit: false,
            confirm_quit: false,
            last_data: None,
        }
    }

    /// The effects to run at start-up.
    pub fn start(&self) -> Vec<Effect> {
        let mut effects = vec![Effect::LoadTraces(self.list_query())];
        if self.wants_cost() {
            effects.push(Effect::LoadCost(self.cost.window));
        }
        effects
    }

    /// The store query behind the list: the filter, the session drilled into, and
    /// the window size.
    pub fn list_query(&self) -> TraceQuery {
        let mut q = self.list.query.clone();
        if let Some(s) = &self.list.session {
            q.session = Some(s.clone());
        }
        q.limit = Some(LIST_WINDOW);
        q
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Key(key) => {
                self.message = None;
                self.on_key(key)
            }
            Action::Scroll(delta) => {
                let nav = if delta > 0 { Nav::Down(3) } else { Nav::Up(3) };
                self.navigate(nav);
                vec![]
            }
            Action::Click(_, row) => {
                self.click(row);
                vec![]
            }
            Action::Resize(w, h) => {
                self.width = w;
                self.height = h;
                self.keep_in_view();
                vec![]
            }
            Action::TracesLoaded(traces) => {
                self.set_traces(traces);
                vec![]
            }
            Action::TraceLoaded(id, detail) => {
                self.set_trace(id, detail);
                vec![]
            }
            Action::CostLoaded(report) => {
                self.set_cost(report);
                vec![]
            }
            Action::ErrorsLoaded(window, report) => {
                self.errors_loaded(window, *report);
                vec![]
            }
            Action::EvalsLoaded(records) => {
                self.evals.set_records(records);
                vec![]
            }
            Action::CompareLoaded(a, b, result) => {
                self.compare_loaded(a, b, result);
                vec![]
            }
            Action::Changed(ids) => {
                self.data_arrived();
                let mut effects = self.on_changed(&ids);
                if self.wants_cost() {
                    effects.push(Effect::LoadCost(self.cost.window));
                }
                effects.extend(self.errors_changed());
                effects
            }
            Action::ChangedMany => {
                self.data_arrived();
                let mut effects = self.on_changed_many();
                if self.wants_cost() {
                    effects.push(Effect::LoadCost(self.cost.window));
                }
                effects.extend(self.errors_changed());
                effects
            }
            Action::LoadFailed(msg) => {
                self.message = Some(msg);
                vec![]
            }
        }
    }

    fn on_changed(&mut self, ids: &[TraceId]) -> Vec<Effect> {
        let mut effects = Vec::new();
        if let Some(t) = &self.trace
            && ids.contains(&t.trace_id)
        {
            effects.push(Effect::LoadTrace(t.trace_id));
        }
        if self.screen == Screen::Evals {
            effects.push(self.evals.load());
        }
        if self.list.paused {
            self.list.pending += ids.len();
        } else {
            effects.push(Effect::LoadTraces(self.list_query()));
        }
        effects
    }

    fn on_changed_many(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if let Some(t) = &self.trace {
            effects.push(Effect::LoadTrace(t.trace_id));
        }
        if self.screen == Screen::Evals {
            effects.push(self.evals.load());
        }
        if self.list.paused {
            self.list.pending += 1;
        } else {
            effects.push(Effect::LoadTraces(self.list_query()));
        }
        effects
    }

    fn set_traces(&mut self, mut traces: Vec<TraceSummary>) {
        sort_traces(&mut traces, self.list.sort, self.list.ascending);
        self.list.traces = traces;
        self.list.loaded_once = true;
        if self.list.selected.is_none()
            || !self
                .list
                .traces
                .iter()
                .any(|t| Some(t.trace_id) == self.list.selected)
        {
            self.list.selected = self.list.traces.first().map(|t| t.trace_id);
        }
        self.sessions.sessions = group_sessions(&self.list.traces);
        self.sessions.selected = self
            .sessions
            .selected
            .min(self.sessions.sessions.len().saturating_sub(1));
        if let Some(t) = self.trace.as_mut()
            && let Some(s) = self.list.traces.iter().find(|s| s.trace_id == t.trace_id)
        {
            t.summary = Some(s.clone());
        }
        self.keep_in_view();
    }

    fn set_trace(&mut self, id: TraceId, detail: Option<TraceDetail>) {
        let Some(t) = self.trace.as_mut().filter(|t| t.trace_id == id) else {
            return;
        };
        t.loading = false;
        let Some(detail) = detail else {
            self.message = Some(format!("trace {id} is not in the store"));
            return;
        };
        // One forest per load: the tree's structure and the analyses share it.
        let forest = crate::trace_analysis::SpanForest::build(&detail.spans);
        t.analysis = super::trace_modes::TraceAnalysis::of(&detail.spans, &forest);
        t.tree = SpanTree::from_forest(&detail.spans, forest);
        t.marks = crate::errors::chains::span_marks(&detail.spans);
        let wrapped = crate::model::accounting::wrapped_calls(&detail.spans);
        t.wrapped = wrapped
            .keys()
            .map(|w| (*w, crate::model::accounting::innermost(&wrapped, *w)))
            .collect();
        t.detail = detail;
        t.refresh_visible();
        let still_there = t.selected.is_some_and(|s| t.tree.index_of.contains_key(&s));
        if !still_there {
            t.selected = t.visible.first().map(|i| t.detail.spans[*i].span_id);
        }
        self.keep_in_view();
    }

    /// Selected trace summary in the list.
    pub fn selected_trace(&self) -> Option<&TraceSummary> {
        let id = self.list.selected?;
        self.list.traces.iter().find(|t| t.trace_id == id)
    }

    fn selected_list_row(&self) -> Option<usize> {
        let id = self.list.selected?;
        self.list.traces.iter().position(|t| t.trace_id == id)
    }

    pub(super) fn open_trace(&mut self, id: TraceId) -> Vec<Effect> {
        self.open_trace_at(id, None)
    }

    /// Opens a trace with `span` selected once it loads (the first span when `None`);
    /// Esc returns to the current screen.
    pub fn open_trace_at(&mut self, id: TraceId, span: Option<SpanId>) -> Vec<Effect> {
        let summary = self.list.traces.iter().find(|t| t.trace_id == id).cloned();
        let mut view = TraceView::new(id, summary);
        view.selected = span;
        view.return_to = if self.screen == Screen::Trace {
            Screen::Traces
        } else {
            self.screen
        };
        self.trace = Some(view);
        self.screen = Screen::Trace;
        vec![Effect::LoadTrace(id)]
    }

    /// Moves the selection of whatever has focus.
    pub(super) fn navigate(&mut self, nav: Nav) {
        let page = self.page_height();
        match self.screen {
            Screen::Traces => {
                let len = self.list.traces.len();
                if let Some(row) = nav.apply(self.selected_list_row(), len, page) {
                    self.list.selected = Some(self.list.traces[row].trace_id);
                }
            }
            Screen::Sessions => {
                let len = self.sessions.sessions.len();
                if let Some(row) = nav.apply(Some(self.sessions.selected), len, page) {
                    self.sessions.selected = row;
                }
            }
            Screen::Cost => self.cost_navigate(nav, page),
            Screen::Evals => self.evals_navigate(nav),
            Screen::Compare => self.compare_navigate(nav),
            Screen::Trace => {
                let Some(t) = self.trace.as_mut() else { return };
                match t.pane {
                    Pane::Tree if t.mode != super::trace_modes::TreeMode::Tree => {
                        self.step_navigate(nav);
                        return;
                    }
                    Pane::Tree => {
                        if let Some(row) = nav.apply(t.selected_row(), t.visible.len(), page) {
                            t.selected = Some(t.detail.spans[t.visible[row]].span_id);
                            t.detail_scroll = 0;
                        }
                    }
                    Pane::Detail => {
                        t.detail_scroll = nav.scroll(t.detail_scroll, page);
                    }
                }
            }
            Screen::Errors => self.errors_navigate(nav),
        }
        self.keep_in_view();
    }

    fn page_height(&self) -> usize {
        let l = layout::compute(self.width, self.height, self.screen);
        match (self.screen, self.trace.as_ref().map(|t| t.pane)) {
            (Screen::Trace, Some(Pane::Detail)) => l.detail_rows(),
            _ => l.list_rows(),
        }
        .max(1)
    }

    /// Adjusts scroll offsets so the selection stays on screen.
    pub(super) fn keep_in_view(&mut self) {
        let rows = layout::compute(self.width, self.height, self.screen)
            .list_rows()
            .max(1);
        if let Some(row) = self.selected_list_row() {
            self.list.offset = scroll_to(self.list.offset, row, rows);
        }
        self.sessions.offset = scroll_to(self.sessions.offset, self.sessions.selected, rows);
        let tree_rows = layout::compute(self.width, self.height, Screen::Trace)
            .list_rows()
            .max(1);
        if let Some(t) = self.trace.as_mut()
            && let Some(row) = t.selected_row()
        {
            t.offset = scroll_to(t.offset, row, tree_rows);
        }
    }

    /// Applies a typed filter; an invalid one stays in the input with the reason.
    pub(super) fn apply_filter(&mut self, text: String) -> Vec<Effect> {
        match parse_filter(&text) {
            Ok(q) => {
                self.list.query = q;
                self.list.filter_text = text;
                self.list.selected = None;
                self.list.offset = 0;
                self.input = None;
                vec![Effect::LoadTraces(self.list_query())]
            }
            Err(e) => {
                self.message = Some(e.to_string());
                self.input = Some(Input::TraceFilter(text));
                vec![]
            }
        }
    }

    pub(super) fn resort(&mut self) {
        let mut traces = std::mem::take(&mut self.list.traces);
        sort_traces(&mut traces, self.list.sort, self.list.ascending);
        self.list.traces = traces;
        self.keep_in_view();
    }

    pub(super) fn collapse(&mut self, collapse: bool) {
        let Some(t) = self.trace.as_mut() else { return };
        let Some(i) = t.selected_index() else { return };
        let id = t.detail.spans[i].span_id;
        if collapse {
            if t.tree.children[i].is_empty() || t.collapsed.contains(&id) {
                // Already closed or a leaf: go to the parent, like a file tree.
                if let Some(p) = t.tree.parent[i] {
                    t.selected = Some(t.detail.spans[p].span_id);
                }
            } else {
                t.collapsed.insert(id);
            }
        } else {
            t.collapsed.remove(&id);
        }
        t.refresh_visible();
        self.keep_in_view();
    }

    /// `n`/`N`: the next/previous span (in display order) that failed or is a model call.
    pub(super) fn jump(&mut self, forward: bool) {
        let Some(t) = self.trace.as_mut() else { return };
        let spans = &t.detail.spans;
        let interesting = |i: usize| {
            spans[i].is_error()
                || spans[i]
                    .llm
                    .as_ref()
                    .is_some_and(|l| l.kind.is_model_call())
        };
        let order = &t.tree.order;
        let cur = t
            .selected_index()
            .and_then(|i| order.iter().position(|o| *o == i));
        let n = order.len();
        if n == 0 {
            return;
        }
        let start = cur.unwrap_or(if forward { n - 1 } else { 0 });
        for step in 1..=n {
            let pos = if forward {
                (start + step) % n
            } else {
                (start + n - step % n) % n
            };
            let i = order[pos];
            if interesting(i) {
                // Reveal it: open every collapsed ancestor.
                let mut p = t.tree.parent[i];
                while let Some(pi) = p {
                    t.collapsed.remove(&spans[pi].span_id);
                    p = t.tree.parent[pi];
                }
                t.selected = Some(spans[i].span_id);
                t.detail_scroll = 0;
                break;
            }
        }
        t.refresh_visible();
        self.keep_in_view();
    }

    fn click(&mut self, row: u16) {
        let l = layout::compute(self.width, self.height, self.screen);
        let Some(r) = l.list_row_at(row) else { return };
        match self.screen {
            Screen::Traces => {
                if let Some(t) = self.list.traces.get(self.list.offset + r) {
                    self.list.selected = Some(t.trace_id);
                }
            }
            Screen::Sessions => {
                let i = self.sessions.offset + r;
                if i < self.sessions.sessions.len() {
                    self.sessions.selected = i;
                }
            }
            Screen::Cost => {}
            Screen::Evals => {}
            Screen::Compare => self.compare_click(row),
            Screen::Trace
                if self
                    .trace
                    .as_ref()
                    .is_some_and(|t| t.mode != super::trace_modes::TreeMode::Tree) =>
            {
                self.step_click(r)
            }
            Screen::Trace => {
                if let Some(t) = self.trace.as_mut()
                    && let Some(i) = t.visible.get(t.offset + r)
                {
                    t.selected = Some(t.detail.spans[*i].span_id);
                    t.pane = Pane::Tree;
                }
            }
            Screen::Errors => {}
        }
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

/// Sorts the list window; `None` keeps newest first.
pub fn sort_traces(traces: &mut [TraceSummary], by: Option<Column>, ascending: bool) {
    let Some(col) = by else {
        traces.sort_by_key(|t| std::cmp::Reverse(t.start_unix_nano));
        return;
    };
    traces.sort_by(|a, b| {
        let ord = match col {
            Column::Time => a.start_unix_nano.cmp(&b.start_unix_nano),
            Column::Root => a.root_name.cmp(&b.root_name),
            Column::Service => a.service.cmp(&b.service),
            Column::Duration => a.duration_ms().total_cmp(&b.duration_ms()),
            Column::Spans => a.span_count.cmp(&b.span_count),
            Column::Errors => a.error_count.cmp(&b.error_count),
            Column::LlmCalls => a.llm_calls.cmp(&b.llm_calls),
            Column::Tokens => a.total_tokens().cmp(&b.total_tokens()),
            Column::Cost => a
                .cost_usd
                .unwrap_or(-1.0)
                .total_cmp(&b.cost_usd.unwrap_or(-1.0)),
            Column::Evals => crate::evals::trace_pass_rate(a)
                .unwrap_or(-1.0)
                .total_cmp(&crate::evals::trace_pass_rate(b).unwrap_or(-1.0)),
        };
        if ascending { ord } else { ord.reverse() }
    });
}
