//! The chrome around every screen: the title bar (what is shown: counts, filter,
//! session, paused), the status bar (a message, or key hints for the screen, and
//! the mode on the right: live / PAUSED / attached), and the input line that
//! replaces the status bar while a filter is typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::app::{App, Input, LIST_WINDOW, Pane, Screen};
use crate::ui::text::{self, safe};
use crate::ui::theme::Theme;

const SEP: &str = " · ";

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The title bar's pieces, each with its style.
fn title_parts(app: &App, theme: &Theme) -> Vec<(String, Style)> {
    let bar = theme.title_bar();
    let alert = theme.title_alert();
    let mut parts = vec![("spanlens".to_string(), bar)];
    match app.screen {
        Screen::Traces => {
            if let Some(s) = &app.list.session {
                parts.push((format!("session {}", safe(s)), alert));
            }
            let n = app.list.traces.len();
            let count = if !app.list.loaded_once {
                "loading…".to_string()
            } else if n >= LIST_WINDOW {
                format!("newest {n} traces")
            } else {
                plural(n, "trace", "traces")
            };
            parts.push((count, bar));
            let filter = app.list.filter_text.trim();
            if !filter.is_empty() {
                parts.push((format!("filter: {}", safe(filter)), alert));
            }
        }
        Screen::Sessions => {
            parts.push((
                plural(app.sessions.sessions.len(), "session", "sessions"),
                bar,
            ));
            parts.push((
                format!("in {}", plural(app.list.traces.len(), "trace", "traces")),
                bar,
            ));
        }
        Screen::Cost => {
            parts.push(("cost & tokens".to_string(), bar));
            parts.push((
                match app.cost.window.minutes() {
                    Some(_) => format!("last {}", app.cost.window.label()),
                    None => "everything stored".to_string(),
                },
                bar,
            ));
            if app.cost.report.is_none() {
                parts.push(("loading…".to_string(), bar));
            }
        }
        Screen::Evals => parts.extend(super::evals::title_parts(app, bar, alert)),
        Screen::Compare => parts.extend(super::compare::title_parts(app, bar, alert)),
        Screen::Trace => {
            if let Some(t) = app.trace.as_ref() {
                match &t.summary {
                    Some(s) => {
                        parts.push((safe(&s.root_name), bar));
                        parts.push((safe(s.project.as_deref().unwrap_or(&s.service)), bar));
                        parts.push((text::duration_ms(s.duration_ms()), bar));
                        parts.push((plural(s.span_count as usize, "span", "spans"), bar));
                        if s.error_count > 0 {
                            parts.push((plural(s.error_count as usize, "error", "errors"), alert));
                        }
                        if s.llm_calls > 0 {
                            parts.push((format!("{} tok", text::tokens(s.total_tokens())), bar));
                            parts.push((text::cost(s.cost_usd), bar));
                        }
                    }
                    None => parts.push((format!("trace {}", t.trace_id), bar)),
                }
            }
        }
        Screen::Errors => parts.extend(super::errors::title_parts(app, theme)),
    }
    if app.list.paused && app.screen != Screen::Trace {
        let p = match app.list.pending {
            0 => "PAUSED".to_string(),
            n => format!("PAUSED ({n} new)"),
        };
        parts.push((p, alert));
    }
    parts
}

/// The top line.
pub fn render_title(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let bar = theme.title_bar();
    let mut spans = vec![Span::styled(" ", bar)];
    let mut used = 1usize;
    let max = area.width as usize;
    for (i, (t, style)) in title_parts(app, theme).into_iter().enumerate() {
        let sep = if i == 0 { "" } else { SEP };
        let room = max.saturating_sub(used + text::width(sep));
        if room < 2 {
            break;
        }
        let t = text::fit(&t, room);
        used += text::width(sep) + text::width(&t);
        if !sep.is_empty() {
            spans.push(Span::styled(sep, bar));
        }
        spans.push(Span::styled(t, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(bar), area);
}

/// Key hints for the current screen, most important first.
fn hints(app: &App) -> &'static [(&'static str, &'static str)] {
    match app.screen {
        Screen::Traces if app.list.session.is_some() => &[
            ("?", "help"),
            ("Enter", "open"),
            ("Esc", "sessions"),
            ("/", "filter"),
            ("y", "copy id"),
            ("q", "quit"),
        ],
        Screen::Traces => &[
            ("?", "help"),
            ("/", "filter"),
            ("Enter", "open"),
            ("s", "sort"),
            ("p", "pause"),
            ("S", "sessions"),
            ("q", "quit"),
            ("e", "errors"),
            ("C", "cost"),
        ],
        Screen::Sessions => &[
            ("?", "help"),
            ("Enter", "traces"),
            ("Esc", "back"),
            ("y", "copy id"),
            ("q", "quit"),
            ("C", "cost"),
        ],
        Screen::Cost => &[
            ("?", "help"),
            ("w", "window"),
            ("Tab", "table"),
            ("Enter", "open"),
            ("Esc", "back"),
            ("q", "quit"),
        ],
        Screen::Errors => super::errors::hints(app),
        Screen::Evals => super::evals::hints(app),
        Screen::Compare => super::compare::HINTS,
        Screen::Trace => match app.trace.as_ref().map(|t| t.pane) {
            Some(Pane::Detail) => &[
                ("?", "help"),
                ("Tab", "tree"),
                ("[ ]", "tabs"),
                ("/", "filter"),
                ("y", "copy"),
                ("q", "quit"),
            ],
            _ => &[
                ("?", "help"),
                ("Enter", "detail"),
                ("h/l", "fold"),
                ("n/N", "next error/LLM"),
                ("Esc", "back"),
                ("q", "quit"),
                ("c", "critical path"),
                ("f", "agent flow"),
                ("m/=", "mark/compare"),
            ],
        },
    }
}

/// The right side of the status bar: live or paused, and where the data comes from.
fn mode(app: &App, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for alert in crate::ui::cost_screen::budget_alerts(app) {
        spans.push(Span::styled(alert, theme.error()));
        spans.push(Span::styled(SEP, theme.dim()));
    }
    spans.extend(if app.list.paused {
        let t = match app.list.pending {
            0 => "PAUSED".to_string(),
            n => format!("PAUSED ({n} new)"),
        };
        vec![Span::styled(t, theme.warning())]
    } else {
        vec![Span::styled("● live", theme.ok())]
    });
    if let Some(url) = &app.info.attached_to {
        spans.push(Span::styled(SEP, theme.dim()));
        spans.push(Span::raw(format!("attached to {}", safe(url))));
    } else if let Some(forwarding) = crate::forward::status_text() {
        spans.push(Span::styled(SEP, theme.dim()));
        spans.push(Span::raw(safe(&forwarding)));
    }
    spans
}

/// A message is an error unless it reports something done ("copied …").
fn is_error_message(msg: &str) -> bool {
    !msg.starts_with("copied")
}

/// Draws `left` and `right` on one line; `right` wins the space, `left` is cut.
fn split_line(frame: &mut Frame, area: Rect, left: Vec<Span>, right: Vec<Span>, style: Style) {
    let width = area.width as usize;
    let right_w: usize = right.iter().map(|s| text::width(&s.content)).sum::<usize>() + 1;
    let right_w = right_w.min(width * 3 / 5);
    let left_w = width.saturating_sub(right_w);
    frame.render_widget(Paragraph::new("").style(style), area);
    let l = Rect::new(area.x, area.y, left_w as u16, 1);
    let r = Rect::new(area.x + left_w as u16, area.y, right_w as u16, 1);
    let right_text: String = right.iter().map(|s| s.content.as_ref()).collect();
    let right = if text::width(&right_text) + 1 > right_w {
        vec![Span::styled(
            text::fit(&right_text, right_w.saturating_sub(1)),
            style,
        )]
    } else {
        right
    };
    frame.render_widget(Paragraph::new(Line::from(left)).style(style), l);
    frame.render_widget(
        Paragraph::new(Line::from(right).right_aligned()).style(style),
        r,
    );
}

/// The bottom line: the message if any, else key hints; the mode on the right.
pub fn render_status(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let bar = theme.status_bar();
    let right = mode(app, theme);
    let right_w: usize = right.iter().map(|s| text::width(&s.content)).sum::<usize>() + 1;
    let room = (area.width as usize).saturating_sub(right_w.min(area.width as usize * 3 / 5) + 1);
    let mut left = vec![Span::raw(" ")];
    if let Some(msg) = &app.message {
        let style = if is_error_message(msg) {
            theme.error()
        } else {
            theme.ok()
        };
        left.push(Span::styled(text::fit(&safe(msg), room), style));
    } else {
        let mut used = 0;
        for (i, (key, what)) in hints(app).iter().enumerate() {
            let sep = if i == 0 { "" } else { SEP };
            let w = text::width(sep) + text::width(key) + 1 + text::width(what);
            if used + w > room {
                break;
            }
            used += w;
            left.push(Span::styled(sep, theme.dim()));
            left.push(Span::styled(*key, theme.key()));
            left.push(Span::raw(format!(" {what}")));
        }
    }
    split_line(frame, area, left, right, bar);
}

/// The input line: `/` + the text + a cursor; the message (why a filter was
/// refused) or what Enter/Esc do on the right.
pub fn render_input(frame: &mut Frame, area: Rect, input: &Input, app: &App, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let (typed, hint) = match input {
        Input::TraceFilter(t) => (t, "Enter apply · Esc cancel"),
        Input::AttributeFilter(t) => (t, "filter attributes · Esc clear"),
    };
    let right = match &app.message {
        Some(m) => vec![Span::styled(safe(m), theme.error())],
        None => vec![Span::styled(hint, theme.dim())],
    };
    let right_w: usize = right.iter().map(|s| text::width(&s.content)).sum::<usize>() + 1;
    let room = (area.width as usize)
        .saturating_sub(right_w.min(area.width as usize * 3 / 5))
        .saturating_sub(3);
    // Keep the end of a long line (where the cursor is) in view.
    let typed = safe(typed);
    let shown = if text::width(&typed) > room {
        let chars: Vec<char> = typed.chars().collect();
        let mut start = chars.len();
        let mut w = 1;
        while start > 0 {
            let cw = text::width(&chars[start - 1].to_string());
            if w + cw > room {
                break;
            }
            w += cw;
            start -= 1;
        }
        format!("…{}", chars[start..].iter().collect::<String>())
    } else {
        typed
    };
    let left = vec![
        Span::styled("/", theme.key()),
        Span::raw(shown),
        Span::styled(" ", theme.cursor()),
    ];
    split_line(frame, area, left, right, theme.base());
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::ui::app::Action;
    use crate::ui::keys::Key;

    #[test]
    fn filter_input_line() {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut app = app(w, h);
            for c in "/service:weather".chars() {
                app.update(Action::Key(Key::Char(c)));
            }
            let t = screen(&app, &full());
            let last = text_row(&t, h - 1);
            assert!(last.starts_with("/service:weather "), "{last:?}");
            insta::assert_snapshot!(format!("filter_input_{w}x{h}"), t.backend());
        }
    }

    #[test]
    fn a_refused_filter_explains_itself() {
        let mut app = app(80, 24);
        for c in "/colour:red".chars() {
            app.update(Action::Key(Key::Char(c)));
        }
        app.update(Action::Key(Key::Enter));
        let t = screen(&app, &full());
        let last = text_row(&t, 23);
        assert!(last.starts_with("/colour:red"), "{last:?}");
        assert!(last.contains("unknown filter"), "{last:?}");
    }

    #[test]
    fn paused_state() {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut app = app(w, h);
            app.update(Action::Key(Key::Char('p')));
            app.update(Action::Changed(vec![id(9), id(10), id(11)]));
            let t = screen(&app, &full());
            assert!(text_row(&t, 0).contains("PAUSED (3 new)"));
            assert!(text_row(&t, h - 1).contains("PAUSED (3 new)"));
            insta::assert_snapshot!(format!("paused_{w}x{h}"), t.backend());
        }
    }

    #[test]
    fn message_in_the_status_bar() {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut app = app(w, h);
            app.update(Action::LoadFailed(
                "cannot reach http://127.0.0.1:4318: connection refused".into(),
            ));
            let t = screen(&app, &full());
            let last = text_row(&t, h - 1);
            assert!(last.contains("connection refused"), "{last:?}");
            let buf = t.backend().buffer();
            assert_eq!(buf[(1, h - 1)].fg, full().error().fg.unwrap_or_default());
            insta::assert_snapshot!(format!("message_{w}x{h}"), t.backend());
        }
    }

    #[test]
    fn the_trace_screen_title_sums_up_the_trace() {
        let mut app = app(80, 24);
        app.update(Action::Key(Key::Char('G')));
        app.update(Action::Key(Key::Enter));
        let t = screen(&app, &full());
        assert_eq!(
            text_row(&t, 0).trim_end(),
            " spanlens · agent.run · weather-agent · 1.24s · 4 spans · 118 tok · $0.000032"
        );
    }

    #[test]
    fn attached_mode_is_shown() {
        let mut app = app(120, 40);
        app.info.attached_to = Some("http://127.0.0.1:4318".into());
        let t = screen(&app, &full());
        assert!(text_row(&t, 39).contains("attached to http://127.0.0.1:4318"));
    }
}
