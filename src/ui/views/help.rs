//! The help overlay (`?`): a centered popup listing `keys::help` for the current
//! screen and pane, long descriptions wrapped under themselves. On a window too
//! small for the whole table the last line says how much is cut.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::ui::app::{App, Pane, Screen};
use crate::ui::keys;
use crate::ui::text;
use crate::ui::theme::Theme;

/// Widest the popup gets.
const MAX_WIDTH: u16 = 76;

fn screen_name(app: &App) -> &'static str {
    match (app.screen, app.trace.as_ref().map(|t| t.pane)) {
        (Screen::Traces, _) => "trace list",
        (Screen::Sessions, _) => "sessions",
        (Screen::Evals, _) => "eval scorecards",
        (Screen::Compare, _) => "compare two traces",
        (Screen::Trace, Some(Pane::Detail)) => "span detail",
        (Screen::Trace, _) => "span tree",
        (Screen::Cost, _) => "cost",
        (Screen::Errors, _) => "error timeline",
    }
}

/// The centered popup rectangle inside `area` for `lines` lines of content.
fn popup(area: Rect, lines: usize) -> Rect {
    let w = area
        .width
        .saturating_sub(4)
        .min(MAX_WIDTH)
        .max(area.width.min(20));
    let h = (lines as u16 + 2).min(area.height.saturating_sub(2).max(area.height.min(3)));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Draws the overlay over the whole `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.width < 10 || area.height < 3 {
        return;
    }
    let table = keys::help(app.screen, app.trace.as_ref().map(|t| t.pane));
    let key_w = table.iter().map(|(k, _)| text::width(k)).max().unwrap_or(0);
    // Inner width: the popup minus borders and one space of padding each side.
    let inner_w = area
        .width
        .saturating_sub(4)
        .min(MAX_WIDTH)
        .saturating_sub(4) as usize;
    let desc_w = inner_w.saturating_sub(key_w + 2).max(10);
    let mut lines: Vec<Line> = Vec::new();
    for (key, what) in &table {
        for (i, part) in text::wrap(what, desc_w).into_iter().enumerate() {
            let k = if i == 0 { *key } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<w$}  ", k, w = key_w), theme.key()),
                Span::raw(part),
            ]));
        }
    }
    let r = popup(area, lines.len());
    let rows = r.height.saturating_sub(2) as usize;
    if lines.len() > rows && rows > 0 {
        let cut = lines.len() - rows + 1;
        lines.truncate(rows - 1);
        let note = format!("… {cut} more lines (a larger window shows them)");
        lines.push(Line::styled(
            text::fit(&note, r.width.saturating_sub(4) as usize),
            theme.dim(),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Line::styled(
            format!(" keys · {} ", screen_name(app)),
            theme.header(),
        ))
        .title_bottom(Line::styled(" ? or Esc closes ", theme.dim()).right_aligned());
    let inner = block.inner(r);
    let padded = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    frame.render_widget(Clear, r);
    frame.render_widget(block, r);
    frame.render_widget(Paragraph::new(lines), padded);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::ui::app::Action;
    use crate::ui::keys::Key;

    #[test]
    fn help_overlay() {
        let mut app = app(80, 24);
        app.update(Action::Key(Key::Char('?')));
        assert!(app.help);
        let t = screen(&app, &full());
        let all: String = (0..24).map(|y| text_row(&t, y) + "\n").collect();
        for must in ["keys · trace list", "open the trace", "quit", "tokens>N"] {
            assert!(all.contains(must), "{must}:\n{all}");
        }
        insta::assert_snapshot!("help_80x24", t.backend());
    }

    #[test]
    fn help_overlay_wide() {
        let mut app = app(120, 40);
        app.update(Action::Key(Key::Char('?')));
        let t = screen(&app, &full());
        insta::assert_snapshot!("help_120x40", t.backend());
    }

    #[test]
    fn help_is_cut_gracefully_on_a_tiny_window() {
        let mut app = app(40, 10);
        app.update(Action::Key(Key::Char('?')));
        let t = screen(&app, &full());
        let all: String = (0..10).map(|y| text_row(&t, y) + "\n").collect();
        assert!(all.contains("more lines"), "{all}");
        // And it never panics on absurd sizes.
        for (w, h) in [(1, 1), (12, 4), (200, 3)] {
            let mut app = app.clone();
            app.width = w;
            app.height = h;
            screen(&app, &full());
        }
    }
}
