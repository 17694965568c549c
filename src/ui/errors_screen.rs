//! The error timeline screen's state and keys. `E` opens it from the trace list or
//! sessions; `w` cycles the window (15m, 1h, 24h, all); Enter goes from a group to
//! its occurrences and from an occurrence to its trace with the failing span
//! selected (`App::open_trace_at`, so Esc comes back here); Esc goes back one level.
//!
//! The report is built off the draw path by the loader (`load_report`); live changes
//! ask for a reload, which the loader coalesces to about one a second. Geometry
//! shared by key handling (paging, scrolling) and the view is `areas`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::layout::Rect;

use super::app::{Action, App, Effect, Screen};
use super::keys::{Key, Nav};
use super::source::UiSource;
use crate::errors::{Classifier, ErrorGroup, ErrorReport, Occurrence, TimeWindow};

/// Least time between two loads of the report.
pub const MIN_RELOAD: Duration = Duration::from_secs(1);

/// Which list has the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorsLevel {
    #[default]
    Groups,
    Occurrences,
}

/// A request for the loader: which window, classified how.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorsRequest {
    pub window: TimeWindow,
    pub classifier: Arc<Classifier>,
}

#[derive(Debug, Clone, Default)]
pub struct ErrorsScreen {
    pub window: TimeWindow,
    /// From `[[error_classes]]` (set at start-up); built-in rules by default.
    pub classifier: Arc<Classifier>,
    pub report: Option<ErrorReport>,
    pub loading: bool,
    pub level: ErrorsLevel,
    /// The selected group, by fingerprint (so reloads keep it).
    pub group: Option<String>,
    pub group_offset: usize,
    pub occurrence: usize,
    pub occurrence_offset: usize,
    /// The screen Esc goes back to.
    pub return_to: Option<Screen>,
}

/// Where the screen draws, inside the body (between title and status lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorsAreas {
    /// Groups level: the per-minute chart (with its legend and axis lines).
    pub chart: Rect,
    /// The groups table, or the occurrences list (header line included).
    pub list: Rect,
    /// Occurrences level: the group line above the list.
    pub heading: Rect,
    /// Occurrences level: the selected occurrence's message and stack trace. Groups
    /// level, below 120 columns: one line with what the table has no room for (first
    /// seen, services, models, what saved the failures) for the selected group.
    pub detail: Rect,
}

/// Geometry of the screen in `body` for a level.
pub fn areas(body: Rect, level: ErrorsLevel) -> ErrorsAreas {
    let empty = Rect::new(body.x, body.y, body.width, 0);
    match level {
        ErrorsLevel::Groups => {
            let chart_h = (body.height * 2 / 5).clamp(4.min(body.height), 14);
            let mut list_h = body.height - chart_h;
            let footer_h = u16::from(body.width < 120 && list_h >= 4);
            list_h -= footer_h;
            ErrorsAreas {
                chart: Rect::new(body.x, body.y, body.width, chart_h),
                list: Rect::new(body.x, body.y + chart_h, body.width, list_h),
                heading: empty,
                detail: Rect::new(body.x, body.y + chart_h + list_h, body.width, footer_h),
            }
        }
        ErrorsLevel::Occurrences => {
            let heading_h = 1.min(body.height);
            let rest = body.height - heading_h;
            let list_h = (rest * 2 / 5).max(3.min(rest));
            ErrorsAreas {
                chart: empty,
                heading: Rect::new(body.x, body.y, body.width, heading_h),
                list: Rect::new(body.x, body.y + heading_h, body.width, list_h),
                detail: Rect::new(
                    body.x,
                    body.y + heading_h + list_h,
                    body.width,
                    rest - list_h,
                ),
            }
        }
    }
}

impl ErrorsScreen {
    pub fn request(&self) -> ErrorsRequest {
        ErrorsRequest {
            window: self.window,
            classifier: self.classifier.clone(),
        }
    }

    pub fn groups(&self) -> &[ErrorGroup] {
        self.report
            .as_ref()
            .map(|r| r.groups.as_slice())
            .unwrap_or(&[])
    }

    /// Index of the selected group.
    pub fn group_index(&self) -> Option<usize> {
        let groups = self.groups();
        let fp = self.group.as_deref()?;
        groups.iter().position(|g| g.fingerprint == fp)
    }

    pub fn selected_group(&self) -> Option<&ErrorGroup> {
        self.group_index().map(|i| &self.groups()[i])
    }

    pub fn selected_occurrence(&self) -> Option<&Occurrence> {
        self.selected_group()?.occurrences.get(self.occurrence)
    }

    fn set_report(&mut self, window: TimeWindow, report: ErrorReport) {
        self.loading = false;
        if window != self.window {
            return;
        }
        // New failures arrive on top: keep the selected occurrence, not its row.
        let selected = self
            .selected_occurrence()
            .map(|o| (o.trace_id, o.span_id, o.time_unix_nano));
        self.report = Some(report);
        if let Some(key) = selected
            && let Some(i) = self.selected_group().and_then(|g| {
                g.occurrences
                    .iter()
                    .position(|o| (o.trace_id, o.span_id, o.time_unix_nano) == key)
            })
        {
            self.occurrence = i;
        }
        if self.group_index().is_none() {
            self.group = self.groups().first().map(|g| g.fingerprint.clone());
            if self.level == ErrorsLevel::Occurrences {
                self.level = ErrorsLevel::Groups;
            }
        }
        let n = self.selected_group().map_or(0, |g| g.occurrences.len());
        self.occurrence = self.occurrence.min(n.saturating_sub(1));
    }

    fn navigate(&mut self, nav: Nav, rows: usize) {
        match self.level {
            ErrorsLevel::Groups => {
                let groups = self.groups();
                if let Some(i) = nav.apply(self.group_index(), groups.len(), rows) {
                    self.group = Some(groups[i].fingerprint.clone());
                    self.occurrence = 0;
                    self.occurrence_offset = 0;
                }
            }
            ErrorsLevel::Occurrences => {
                let n = self.selected_group().map_or(0, |g| g.occurrences.len());
                if let Some(i) = nav.apply(Some(self.occurrence), n, rows) {
                    self.occurrence = i;
                }
            }
        }
        self.keep_in_view(rows);
    }

    fn keep_in_view(&mut self, rows: usize) {
        let rows = rows.max(1);
        if let Some(i) = self.group_index() {
            self.group_offset = scroll_to(self.group_offset, i, rows);
        }
        self.occurrence_offset = scroll_to(self.occurrence_offset, self.occurrence, rows);
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
    /// `E`: the timeline, loading its report.
    pub(super) fn open_errors(&mut self) -> Vec<Effect> {
        if self.screen != Screen::Errors {
            self.errors.return_to = Some(self.screen);
        }
        self.screen = Screen::Errors;
        self.errors.loading = true;
        vec![Effect::LoadErrors(self.errors.request())]
    }

    /// Rows of the list the selection moves in.
    pub(super) fn errors_list_rows(&self) -> usize {
        let body = super::layout::compute(self.width, self.height, Screen::Errors).main;
        (areas(body, self.errors.level).list.height as usize).saturating_sub(1)
    }

    pub(super) fn errors_navigate(&mut self, nav: Nav) {
        let rows = self.errors_list_rows();
        self.errors.navigate(nav, rows);
    }

    pub(super) fn errors_loaded(&mut self, window: TimeWindow, report: ErrorReport) {
        self.errors.set_report(window, report);
        let rows = self.errors_list_rows();
        self.errors.keep_in_view(rows);
    }

    /// Live changes: reload while the timeline is shown (the loader coalesces).
    pub(super) fn errors_changed(&mut self) -> Vec<Effect> {
        if self.screen == Screen::Errors {
            vec![Effect::LoadErrors(self.errors.request())]
        } else {
            vec![]
        }
    }

    pub(super) fn errors_key(&mut self, key: Key) -> Vec<Effect> {
        let e = &mut self.errors;
        match (key, e.level) {
            (Key::Char('w'), _) => {
                e.window = e.window.next();
                e.loading = true;
                return vec![Effect::LoadErrors(e.request())];
            }
            (Key::Char('r'), _) => {
                e.loading = true;
                return vec![Effect::LoadErrors(e.request())];
            }
            (Key::Enter | Key::Char('l') | Key::Right, ErrorsLevel::Groups)
                if e.selected_group().is_some() =>
            {
                e.level = ErrorsLevel::Occurrences;
                e.occurrence = 0;
                e.occurrence_offset = 0;
            }
            (Key::Enter, ErrorsLevel::Occurrences) => {
                if let Some(o) = e.selected_occurrence() {
                    let (trace, span) = (o.trace_id, o.span_id);
                    return self.open_trace_at(trace, span);
                }
            }
            (Key::Esc | Key::Char('h') | Key::Left, ErrorsLevel::Occurrences) => {
                e.level = ErrorsLevel::Groups;
            }
            (Key::Esc | Key::Char('E'), ErrorsLevel::Groups) => {
                self.screen = e.return_to.take().unwrap_or(Screen::Traces);
            }
            (Key::Char('y'), _) => {
                if let Some(o) = e
                    .selected_occurrence()
                    .filter(|_| e.level == ErrorsLevel::Occurrences)
                {
                    let id = o.trace_id.to_string();
                    self.message = Some(format!("copied trace id {id}"));
                    return vec![Effect::Copy(id)];
                }
                if let Some(g) = e.selected_group() {
                    let fp = g.fingerprint.clone();
                    self.message = Some(format!("copied fingerprint {fp}"));
                    return vec![Effect::Copy(fp)];
                }
            }
            _ => {}
        }
        let rows = self.errors_list_rows();
        self.errors.keep_in_view(rows);
        vec![]
    }
}

/// The loader's work for `Effect::LoadErrors`: waits until `MIN_RELOAD` has passed
/// since `last_start` (coalescing live reloads), reads the window and builds the
/// report. Runs on the blocking pool.
pub fn load_report(
    source: &dyn UiSource,
    request: &ErrorsRequest,
    last_start: Option<Instant>,
) -> Action {
    if let Some(wait) = last_start.map(|t| MIN_RELOAD.saturating_sub(t.elapsed())) {
        std::thread::sleep(wait);
    }
    let now = crate::util::now_unix_nano();
    match source.error_window(request.window.since(now)) {
        Ok(window) => {
            let report = ErrorReport::build(&window, &request.classifier, request.window);
            Action::ErrorsLoaded(request.window, Box::new(report))
        }
        Err(e) => Action::LoadFailed(format!("errors: {e}")),
    }
}

#[cfg(test)]
#[path = "errors_screen_tests.rs"]
mod tests;
