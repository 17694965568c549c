//! The event loop, generic over ratatui's `Backend` (so it runs under `TestBackend`).
//! Actions arrive on one channel (input, live changes, load results); bursts are
//! coalesced with `recv_many`, effects run off the loop (loads on the blocking pool),
//! and the screen is redrawn only when something changed, at most `MAX_FPS` times a
//! second. Idle, it sleeps.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;

use super::app::{Action, App, Effect};
use super::source::UiSource;
use super::theme::Theme;
use super::views;

pub const MAX_FPS: u64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum UiError {
    #[error("terminal: {0}")]
    Terminal(String),
}

/// Runs effects, keeping at most one list load and one trace load in flight; a
/// request made meanwhile replaces the pending one and runs when the first returns.
struct Loader {
    source: Arc<dyn UiSource>,
    tx: mpsc::UnboundedSender<Action>,
    list_busy: bool,
    list_next: Option<crate::store::TraceQuery>,
    /// When the last list load started (or will, after its delay).
    list_last: Option<Instant>,
    trace_busy: bool,
    trace_next: Option<crate::model::TraceId>,
    cost_busy: bool,
    cost_next: Option<crate::cost::CostWindow>,
    /// When the last cost load started (or will, after its delay).
    cost_last: Option<Instant>,
    errors_busy: bool,
    errors_next: Option<super::errors_screen::ErrorsRequest>,
    errors_last: Option<Instant>,
    evals: super::evals_loader::EvalsLoader,
}

/// Cost reports reload at most this often.
const COST_INTERVAL: Duration = Duration::from_secs(1);
/// The list reloads for live changes at most this often: each reload shifts every
/// row under the new traces, and over SSH those rewritten rows are the bytes
/// (docs/PERFORMANCE.md, "Terminal output").
const LIVE_LIST_INTERVAL: Duration = Duration::from_secs(1);

impl Loader {
    fn load_list(&mut self, q: crate::store::TraceQuery) {
        if self.list_busy {
            self.list_next = Some(q);
            return;
        }
        self.list_busy = true;
        self.list_last = Some(Instant::now());
        let (source, tx) = (self.source.clone(), self.tx.clone());
        tokio::task::spawn_blocking(move || {
            let action = match source.list(&q) {
                Ok(t) => Action::TracesLoaded(t),
                Err(e) => Action::LoadFailed(e.to_string()),
            };
            let _ = tx.send(action);
        });
    }

    /// A list load for live changes: at most one per `LIVE_LIST_INTERVAL`.
    fn load_list_live(&mut self, q: crate::store::TraceQuery) {
        if self.list_busy {
            self.list_next = Some(q);
            return;
        }
        let delay = self.list_last.map_or(Duration::ZERO, |t| {
            LIVE_LIST_INTERVAL.saturating_sub(t.elapsed())
        });
        if delay.is_zero() {
            return self.load_list(q);
        }
        self.list_busy = true;
        self.list_last = Some(Instant::now() + delay);
        let (source, tx) = (self.source.clone(), self.tx.clone());
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let action = match tokio::task::spawn_blocking(move || source.list(&q)).await {
                Ok(Ok(t)) => Action::TracesLoaded(t),
                Ok(Err(e)) => Action::LoadFailed(e.to_string()),
                Err(e) => Action::LoadFailed(e.to_string()),
            };
            let _ = tx.send(action);
        });
    }

    fn load_trace(&mut self, id: crate::model::TraceId) {
        if self.trace_busy {
            self.trace_next = Some(id);
            return;
        }
        self.trace_busy = true;
        let (source, tx) = (self.source.clone(), self.tx.clone());
        tokio::task::spawn_blocking(move || {
            let action = match source.detail(id) {
                Ok(d) => Action::TraceLoaded(id, d),
                Err(e) => Action::LoadFailed(e.to_string()),
            };
            let _ = tx.send(action);
        });
    }

    /// Loads a cost report, at most one in flight and one a second; a request made
    /// meanwhile replaces the pending one.
    fn load_cost(&mut self, window: crate::cost::CostWindow) {
        if self.cost_busy {
            self.cost_next = Some(window);
            return;
        }
        self.cost_busy = true;
        let delay = self.cost_last.map_or(Duration::ZERO, |t| {
            COST_INTERVAL.saturating_sub(t.elapsed())
        });
        self.cost_last = Some(Instant::now() + delay);
        let (source, tx) = (self.source.clone(), self.tx.clone());
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let action = match tokio::task::spawn_blocking(move || source.cost(window)).await {
                Ok(Ok(r)) => Action::CostLoaded(Box::new(r)),
                Ok(Err(e)) => Action::LoadFailed(e.to_string()),
                Err(e) => Action::LoadFailed(e.to_string()),
            };
            let _ = tx.send(action);
        });
    }

    /// Builds the error report; a request made meanwhile waits for this one, and
    /// loads start at least `errors_screen::MIN_RELOAD` apart.
    fn load_errors(&mut self, request: super::errors_screen::ErrorsRequest) {
        if self.errors_busy {
            self.errors_next = Some(request);
            return;
        }
        self.errors_busy = true;
        let last = self.errors_last.replace(Instant::now());
        let (source, tx) = (self.source.clone(), self.tx.clone());
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(super::errors_screen::load_report(
                source.as_ref(),
                &request,
                last,
            ));
        });
    }

    /// Notes a finished load and starts the one queued behind it.
    fn finished(&mut self, action: &Action) {
        match action {
            Action::TracesLoaded(_) => {
                self.list_busy = false;
                if let Some(q) = self.list_next.take() {
                    self.load_list(q);
                }
            }
            Action::TraceLoaded(..) => {
                self.trace_busy = false;
                if let Some(id) = self.trace_next.take() {
                    self.load_trace(id);
                }
            }
            Action::CostLoaded(_) => {
                self.cost_busy = false;
                if let Some(w) = self.cost_next.take() {
                    self.load_cost(w);
                }
            }
            Action::ErrorsLoaded(..) => {
                self.errors_busy = false;
                if let Some(r) = self.errors_next.take() {
                    self.load_errors(r);
                }
            }
            Action::EvalsLoaded(_) => self.evals.finished(&self.source, &self.tx),
            Action::LoadFailed(_) => {
                self.list_busy = false;
                self.trace_busy = false;
                self.cost_busy = false;
                self.errors_busy = false;
                self.evals.failed();
            }
            _ => {}
        }
    }
}

/// Runs the UI until the app quits or every action sender is gone. `tx` must be a
/// sender of `rx` (loads report back through it); `copy` puts text on the clipboard.
pub async fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    theme: Theme,
    source: Arc<dyn UiSource>,
    tx: mpsc::UnboundedSender<Action>,
    mut rx: mpsc::UnboundedReceiver<Action>,
    copy: &mut dyn FnMut(&str),
) -> Result<(), UiError> {
    let frame_interval = Duration::from_millis(1000 / MAX_FPS);
    let mut loader = Loader {
        source,
        tx,
        list_busy: false,
        list_next: None,
        list_last: None,
        trace_busy: false,
        trace_next: None,
        cost_busy: false,
        cost_next: None,
        cost_last: None,
        errors_busy: false,
        errors_next: None,
        errors_last: None,
        evals: Default::default(),
    };
    let mut effects = app.start();
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    let mut buf = Vec::with_capacity(256);
    loop {
        for effect in effects.drain(..) {
            match effect {
                Effect::LoadTraces(q) => loader.load_list(q),
                Effect::LoadTrace(id) => loader.load_trace(id),
                Effect::LoadCost(w) => loader.load_cost(w),
                Effect::LoadErrors(r) => loader.load_errors(r),
                Effect::LoadEvals(window) => loader.evals.load(window, &loader.source, &loader.tx),
                Effect::LoadCompare(a, b) => {
                    let (source, tx) = (loader.source.clone(), loader.tx.clone());
                    tokio::task::spawn_blocking(move || {
                        let _ = tx.send(super::compare_screen::load(source.as_ref(), a, b));
                    });
                }
                Effect::Copy(text) => copy(&text),
                Effect::Quit => {}
            }
        }
        if app.quit {
            return Ok(());
        }
        let due = last_draw.map_or(Duration::ZERO, |t| {
            frame_interval.saturating_sub(t.elapsed())
        });
        if dirty && due.is_zero() {
            terminal
                .draw(|f| views::draw(f, app, &theme))
                .map_err(|e| UiError::Terminal(e.to_string()))?;
            dirty = false;
            last_draw = Some(Instant::now());
        }
        // Wait for actions; when a redraw is pending, only until it is due.
        let wait = if dirty {
            due
        } else {
            Duration::from_secs(3600)
        };
        tokio::select! {
            n = rx.recv_many(&mut buf, 256) => {
                if n == 0 {
                    return Ok(());
                }
                for action in buf.drain(..) {
                    loader.finished(&action);
                    let live = matches!(action, Action::Changed(_) | Action::ChangedMany);
                    for effect in app.update(action) {
                        match effect {
                            Effect::LoadTraces(q) if live => loader.load_list_live(q),
                            other => effects.push(other),
                        }
                    }
                }
                dirty = true;
            }
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
