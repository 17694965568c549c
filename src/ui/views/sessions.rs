//! The sessions screen: one row per conversation grouped from the loaded traces
//! (session id, service/project, turns, turns with errors, LLM calls, tokens, cost,
//! duration, last activity), most recent first. Narrow terminals lose LLM calls
//! and duration first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table, TableState};

use super::{cell_left, cell_right};
use crate::ui::app::App;
use crate::ui::sessions::SessionSummary;
use crate::ui::text::{self, safe};
use crate::ui::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Session,
    Service,
    Turns,
    Errors,
    Llm,
    Tokens,
    Cost,
    Duration,
    Last,
}

impl Col {
    const ALL: [Col; 9] = [
        Col::Session,
        Col::Service,
        Col::Turns,
        Col::Errors,
        Col::Llm,
        Col::Tokens,
        Col::Cost,
        Col::Duration,
        Col::Last,
    ];

    fn title(self) -> &'static str {
        match self {
            Col::Session => "SESSION",
            Col::Service => "SERVICE",
            Col::Turns => "TURNS",
            Col::Errors => "ERR",
            Col::Llm => "LLM",
            Col::Tokens => "TOKENS",
            Col::Cost => "COST",
            Col::Duration => "DUR",
            Col::Last => "LAST UTC",
        }
    }

    fn fixed(self) -> Option<u16> {
        Some(match self {
            Col::Turns => 5,
            Col::Errors => 3,
            Col::Llm => 4,
            Col::Tokens => 6,
            Col::Cost => 10,
            Col::Duration => 6,
            Col::Last => 8,
            Col::Session | Col::Service => return None,
        })
    }
}

fn columns(width: u16) -> Vec<(Col, u16)> {
    let mut shown = Col::ALL.to_vec();
    if width < 100 {
        shown.retain(|c| !matches!(c, Col::Llm | Col::Duration));
    }
    let fixed: u16 = shown.iter().filter_map(|c| c.fixed()).sum();
    let flex = width.saturating_sub(fixed + shown.len().saturating_sub(1) as u16);
    let service = (flex * 2 / 5).clamp(8.min(flex / 2), 22);
    shown
        .into_iter()
        .map(|c| {
            let w = match c {
                Col::Session => flex - service,
                Col::Service => service,
                c => c.fixed().unwrap_or(0),
            };
            (c, w)
        })
        .collect()
}

fn row<'a>(s: &SessionSummary, cols: &[(Col, u16)], theme: &Theme) -> Row<'a> {
    let none = Style::new();
    let cells = cols.iter().map(|(c, w)| {
        let w = *w;
        match c {
            Col::Session => cell_left(&safe(&s.session), w, none),
            Col::Service => cell_left(&safe(&s.service), w, none),
            Col::Turns => cell_right(&s.turns.to_string(), w, none),
            Col::Errors if s.errors > 0 => cell_right(&s.errors.to_string(), w, theme.error()),
            Col::Errors => cell_right("·", w, theme.dim()),
            Col::Llm => cell_right(&s.llm_calls.to_string(), w, none),
            Col::Tokens => cell_right(&text::tokens(s.tokens), w, none),
            Col::Cost if s.llm_calls == 0 => cell_right("", w, none),
            Col::Cost => match s.cost_usd {
                None => cell_right("?", w, theme.warning()),
                c => cell_right(&text::cost(c), w, theme.cost()),
            },
            Col::Duration => cell_right(&text::duration_ms(s.duration_ms()), w, none),
            Col::Last => cell_left(&text::clock(s.last_end_unix_nano), w, none),
        }
    });
    let style = if s.errors > 0 {
        theme.error_row()
    } else {
        Style::new()
    };
    Row::new(cells).style(style)
}

/// Draws the sessions table into `area` (a header line, then rows).
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let cols = columns(area.width);
    let rows = area.height.saturating_sub(1) as usize;
    let list = &app.sessions;
    let window: Vec<&SessionSummary> = list.sessions.iter().skip(list.offset).take(rows).collect();
    let selected = list
        .selected
        .checked_sub(list.offset)
        .filter(|i| *i < window.len());
    let header = Row::new(cols.iter().map(|(c, w)| match c {
        Col::Session | Col::Service | Col::Last => cell_left(c.title(), *w, theme.header()),
        _ => cell_right(c.title(), *w, theme.header()),
    }));
    let table = Table::new(
        window.iter().map(|s| row(s, &cols, theme)),
        cols.iter().map(|(_, w)| Constraint::Length(*w)),
    )
    .header(header)
    .column_spacing(1)
    .row_highlight_style(theme.selected());
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);

    if window.is_empty() && area.height > 2 {
        let msg = if app.list.traces.is_empty() {
            "no traces loaded yet".to_string()
        } else {
            "no sessions among the loaded traces: a trace joins a session through \
             session.id, gen_ai.conversation.id or langsmith.trace.session_id"
                .to_string()
        };
        let r = Rect::new(
            area.x + 1,
            area.y + 2,
            area.width.saturating_sub(2),
            area.height - 2,
        );
        let lines: Vec<Line> = text::wrap(&msg, r.width as usize)
            .into_iter()
            .map(Line::from)
            .collect();
        frame.render_widget(Paragraph::new(lines).style(theme.dim()), r);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::ui::app::{Action, App};
    use crate::ui::keys::Key;

    #[test]
    fn sessions_view() {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut app = app(w, h);
            app.update(Action::Key(Key::Char('S')));
            let t = screen(&app, &full());
            let head = text_row(&t, 1);
            for must in [
                "SESSION", "SERVICE", "TURNS", "ERR", "TOKENS", "COST", "LAST",
            ] {
                assert!(head.contains(must), "{head:?}");
            }
            assert_eq!(head.contains("DUR"), w >= 100);
            assert!(
                text_row(&t, 0).contains("3 sessions"),
                "{}",
                text_row(&t, 0)
            );
            // Newest activity first: the support session, then sess-7f3a (2 turns).
            assert!(text_row(&t, 2).contains("c0ffee00"));
            assert!(text_row(&t, 3).contains("sess-7f3a"));
            insta::assert_snapshot!(format!("sessions_{w}x{h}"), t.backend());
        }
    }

    #[test]
    fn no_sessions_explains_where_they_come_from() {
        let mut app = App::new(info(), 80, 24);
        let mut t = traces();
        for s in &mut t {
            s.session = None;
        }
        app.update(Action::TracesLoaded(t));
        app.update(Action::Key(Key::Char('S')));
        let term = screen(&app, &full());
        let text: String = (2..6).map(|y| text_row(&term, y)).collect();
        assert!(text.contains("session.id"), "{text}");
    }
}
