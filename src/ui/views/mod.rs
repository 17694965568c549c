//! Views: pure functions from `&App` to the frame. `draw` lays out the screen with
//! `layout::compute` (the geometry `App::update` scrolls and pages by), then draws
//! the title bar, the current screen, the status bar or input line, and the help
//! overlay. Nothing here changes state; every untrusted string goes through
//! `text::safe` on its way to a widget.

pub mod agent_flow;
pub mod chrome;
pub mod compare;
pub mod cost;
mod cost_tables;
pub mod critical_path;
pub mod errors;
pub mod evals;
pub mod evals_compare;
pub mod first_run;
pub mod help;
mod row_text;
pub mod sessions;
pub mod span_detail;
pub mod trace_list;
pub mod trace_tree;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Cell;

use super::app::{App, Screen};
use super::layout;
use super::text;
use super::theme::Theme;
use super::trace_modes::TreeMode;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let l = layout::compute(area.width, area.height, app.screen);
    // On a terminal shorter than the layout's minimum, draw only what fits.
    let clip = |r: Rect| r.intersection(area);
    chrome::render_title(frame, clip(l.title), app, theme);
    match app.screen {
        Screen::Traces if shows_first_run(app) => {
            first_run::render(frame, clip(l.main), app, theme)
        }
        Screen::Traces => trace_list::render(frame, clip(l.main), app, theme),
        Screen::Sessions => sessions::render(frame, clip(l.main), app, theme),
        Screen::Cost => cost::render(frame, clip(l.main), app, theme),
        Screen::Errors => errors::render(frame, clip(l.main), app, theme),
        Screen::Evals => evals::render(frame, clip(l.main), app, theme),
        Screen::Compare => {
            compare::render(frame, clip(l.main), app, theme);
            compare::render_detail(frame, clip(l.detail), app, theme);
        }
        Screen::Trace => {
            match app.trace.as_ref().map(|t| t.mode) {
                Some(TreeMode::CriticalPath) => {
                    critical_path::render(frame, clip(l.main), app, theme)
                }
                Some(TreeMode::Flow) => agent_flow::render(frame, clip(l.main), app, theme),
                _ => trace_tree::render(frame, clip(l.main), app, theme),
            }
            span_detail::render(frame, clip(l.detail), app, theme);
        }
    }
    if l.status.y > l.title.y {
        match &app.input {
            Some(input) => chrome::render_input(frame, clip(l.status), input, app, theme),
            None => chrome::render_status(frame, clip(l.status), app, theme),
        }
    }
    if app.help {
        help::render(frame, area, app, theme);
    }
}

/// The store is empty (not just filtered down to nothing): show how to send data.
pub fn shows_first_run(app: &App) -> bool {
    app.list.loaded_once
        && app.list.traces.is_empty()
        && app.list.filter_text.trim().is_empty()
        && app.list.session.is_none()
}

/// A table cell holding `s` cut to `width` cells with an ellipsis (so ratatui never
/// cuts it mid-word silently), left-aligned.
pub(crate) fn cell_left<'a>(s: &str, width: u16, style: Style) -> Cell<'a> {
    Cell::from(Line::from(text::fit(s, width as usize))).style(style)
}

/// As `cell_left`, right-aligned (numbers).
pub(crate) fn cell_right<'a>(s: &str, width: u16, style: Style) -> Cell<'a> {
    Cell::from(Line::from(text::fit(s, width as usize)).alignment(Alignment::Right)).style(style)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Shared fixtures for the view snapshot tests.

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::model::{TraceId, TraceSummary};
    use crate::ui::app::{Action, App, SourceInfo};
    use crate::ui::theme::{ColorMode, Theme};

    /// 2025-11-27 18:30:01 UTC.
    pub const T0: u64 = 1_764_268_201_000_000_000;
    const SEC: u64 = 1_000_000_000;

    pub fn info() -> SourceInfo {
        SourceInfo {
            attached_to: None,
            grpc_addrs: vec!["127.0.0.1:4317".into(), "[::1]:4317".into()],
            http_addrs: vec!["127.0.0.1:4318".into(), "[::1]:4318".into()],
        }
    }

    pub fn id(n: u8) -> TraceId {
        let mut b = [0u8; 16];
        b[0] = 0x4b;
        b[15] = n;
        TraceId(b)
    }

    /// A summary with the usual fields; tweak the rest in place.
    #[allow(clippy::too_many_arguments)]
    pub fn summary(
        n: u8,
        root: &str,
        service: &str,
        start_s: u64,
        dur_ms: u64,
        spans: u64,
        errors: u64,
        llm: u64,
        tokens: (u64, u64),
        cost: Option<f64>,
    ) -> TraceSummary {
        let mut t = TraceSummary::new(id(n));
        t.root_name = root.into();
        t.root_seen = true;
        t.service = service.into();
        t.start_unix_nano = T0 + start_s * SEC;
        t.end_unix_nano = t.start_unix_nano + dur_ms * 1_000_000;
        t.span_count = spans;
        t.error_count = errors;
        t.llm_calls = llm;
        t.input_tokens = tokens.0;
        t.output_tokens = tokens.1;
        t.cost_usd = cost;
        t
    }

    /// Realistic traffic, like `spanlens demo` and the fixtures produce.
    pub fn traces() -> Vec<TraceSummary> {
        let mut docs = summary(
            3,
            "rag.query",
            "docs-rag",
            40,
            2_870,
            9,
            0,
            3,
            (4_812, 377),
            Some(0.0123),
        );
        docs.project = Some("docs-assistant".into());
        docs.session = Some("sess-7f3a".into());
        let mut weather = summary(
            1,
            "agent.run",
            "weather-agent",
            0,
            1_240,
            4,
            0,
            2,
            (96, 22),
            Some(0.0000316),
        );
        weather.session = Some("sess-7f3a".into());
        let mut flaky = summary(
            2,
            "agent.run.flaky",
            "weather-agent",
            12,
            30_412,
            6,
            2,
            1,
            (64, 0),
            Some(0.0),
        );
        flaky.session = Some("sess-91bc".into());
        // Like the fixture's run: the root re-raised the rate limit (failed, not degraded).
        flaky.root_error = true;
        let http = summary(
            4,
            "GET /healthz",
            "api-gateway",
            55,
            3,
            1,
            0,
            0,
            (0, 0),
            None,
        );
        let mut unpriced = summary(
            5,
            "chat llama3.1:8b",
            "local-ollama",
            61,
            8_503,
            2,
            0,
            1,
            (1_024, 12_311),
            None,
        );
        unpriced.unpriced_calls = 1;
        let mut big = summary(
            6,
            "support.triage",
            "support-bot",
            75,
            64_020,
            38,
            0,
            12,
            (181_200, 9_410),
            Some(1.9342),
        );
        big.project = Some("support-prod".into());
        big.session = Some("c0ffee00-1234-4abc-9def-000000000042".into());
        vec![weather, flaky, docs, http, unpriced, big]
    }

    pub fn app(w: u16, h: u16) -> App {
        let mut app = App::new(info(), w, h);
        app.update(Action::TracesLoaded(traces()));
        app
    }

    pub fn screen(app: &App, theme: &Theme) -> Terminal<TestBackend> {
        let mut terminal =
            Terminal::new(TestBackend::new(app.width, app.height)).expect("test backend");
        terminal.draw(|f| super::draw(f, app, theme)).expect("draw");
        terminal
    }

    pub fn full() -> Theme {
        Theme::new(ColorMode::Full)
    }

    /// Row `y` of the buffer as text (a wide character once, without the cell it
    /// covers).
    pub fn text_row(terminal: &Terminal<TestBackend>, y: u16) -> String {
        let buf = terminal.backend().buffer();
        let mut out = String::new();
        let mut x = 0;
        while x < buf.area.width {
            let sym = buf[(x, y)].symbol();
            out.push_str(sym);
            x += (crate::ui::text::width(sym) as u16).max(1);
        }
        out
    }
}
