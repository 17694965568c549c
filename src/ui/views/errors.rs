//! The error timeline (`E`). Groups level: errors per minute stacked by class
//! (`chart`), then the groups — class, count, retry chains, what saved the failed
//! calls (↻ a retry, ⤳ a fallback, ✗ nothing), first/last seen, services, models,
//! the normalized message. Occurrences level: the group's failures, newest first,
//! with their place in a retry chain or fallback, and the selected one's message and
//! highlighted stack trace (`stack`). Geometry comes from `errors_screen::areas`.

mod chart;
mod stack;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState};

use super::{cell_left, cell_right};
use crate::errors::{ErrorGroup, ErrorReport};
use crate::ui::app::App;
use crate::ui::errors_screen::{ErrorsLevel, areas};
use crate::ui::text::{self, safe};
use crate::ui::theme::Theme;

pub use chart::class_style;

/// The title bar's pieces for this screen.
pub fn title_parts(app: &App, theme: &Theme) -> Vec<(String, Style)> {
    let bar = theme.title_bar();
    let alert = theme.title_alert();
    let e = &app.errors;
    let window = match e.window {
        crate::errors::TimeWindow::All => "all stored".to_string(),
        w => format!("last {}", w.label()),
    };
    let mut parts = vec![("error timeline".to_string(), bar), (window, bar)];
    match &e.report {
        None => parts.push(("loading…".into(), bar)),
        Some(r) => {
            let n = r.total;
            parts.push((format!("{n} error{}", if n == 1 { "" } else { "s" }), alert));
            parts.push((format!("{} groups", r.groups.len()), bar));
            let t = &r.traces;
            if t.degraded > 0 {
                parts.push((format!("{} degraded", t.degraded), bar));
            }
            if t.retried > 0 {
                parts.push((format!("{} retried", t.retried), bar));
            }
            if t.fell_back > 0 {
                parts.push((format!("{} fell back", t.fell_back), bar));
            }
            if r.truncated {
                parts.push(("newest only".into(), alert));
            }
        }
    }
    parts
}

/// Status bar hints.
pub fn hints(app: &App) -> &'static [(&'static str, &'static str)] {
    match app.errors.level {
        ErrorsLevel::Groups => &[
            ("?", "help"),
            ("Enter", "occurrences"),
            ("w", "window"),
            ("Esc", "back"),
            ("q", "quit"),
        ],
        ErrorsLevel::Occurrences => &[
            ("?", "help"),
            ("Enter", "open at span"),
            ("Esc", "groups"),
            ("w", "window"),
            ("y", "copy id"),
        ],
    }
}

/// Draws the screen in `area` (the body between title and status bars).
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let e = &app.errors;
    let Some(report) = &e.report else {
        message(frame, area, "loading…", theme);
        return;
    };
    let a = areas(area, e.level);
    match e.level {
        ErrorsLevel::Groups => {
            chart::render(frame, a.chart, report, theme);
            groups_table(frame, a.list, app, report, theme);
            if let Some(g) = e.selected_group() {
                group_footer(frame, a.detail, g, theme);
            }
            if report.groups.is_empty() {
                let msg = format!(
                    "no errors in the {} · w changes the window",
                    match e.window {
                        crate::errors::TimeWindow::All => "store".to_string(),
                        w => format!("last {}", w.label()),
                    }
                );
                message(
                    frame,
                    Rect {
                        y: a.list.y + 1,
                        ..a.list
                    },
                    &msg,
                    theme,
                );
            }
        }
        ErrorsLevel::Occurrences => {
            let Some(g) = e.selected_group() else { return };
            heading(frame, a.heading, g, report, theme);
            occurrences_table(frame, a.list, app, g, theme);
            detail(frame, a.detail, app, theme);
        }
    }
}

fn message(frame: &mut Frame, area: Rect, msg: &str, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let r = Rect::new(area.x + 1, area.y, area.width.saturating_sub(2), 1);
    frame.render_widget(
        Paragraph::new(Line::from(text::fit(msg, r.width as usize))).style(theme.dim()),
        r,
    );
}

/// `↻1 ⤳1 ✗1`: failed calls saved by a retry, by a fallback, and not saved.
fn saved(g: &ErrorGroup) -> String {
    let mut parts = Vec::new();
    if g.rescued_by_retry > 0 {
        parts.push(format!("↻{}", g.rescued_by_retry));
    }
    if g.rescued_by_fallback > 0 {
        parts.push(format!("⤳{}", g.rescued_by_fallback));
    }
    if g.unrescued > 0 {
        parts.push(format!("✗{}", g.unrescued));
    }
    parts.join(" ")
}

fn list_text(items: &[String]) -> String {
    safe(&items.join(","))
}

/// Columns of the groups table for a width: (title, width, right-aligned).
fn group_columns(width: u16) -> Vec<(&'static str, u16, bool)> {
    let mut cols = vec![
        ("CLASS", 14, false),
        ("COUNT", 5, true),
        ("CHAINS", 6, true),
    ];
    if width >= 100 {
        cols.push(("SAVED", 11, false));
        cols.push(("FIRST", 8, false));
    }
    cols.push(("LAST", 8, false));
    if width >= 120 {
        cols.push(("SERVICES", 16, false));
    }
    if width >= 100 {
        cols.push(("MODELS", 14, false));
    }
    let fixed: u16 = cols.iter().map(|c| c.1).sum::<u16>() + cols.len() as u16;
    cols.push(("ERROR", width.saturating_sub(fixed).max(10), false));
    cols
}

fn header<'a>(cols: &[(&'static str, u16, bool)], theme: &Theme) -> Row<'a> {
    Row::new(cols.iter().map(|(t, w, right)| {
        if *right {
            cell_right(t, *w, theme.header())
        } else {
            cell_left(t, *w, theme.header())
        }
    }))
}

fn groups_table(frame: &mut Frame, area: Rect, app: &App, report: &ErrorReport, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let e = &app.errors;
    let cols = group_columns(area.width);
    let rows = area.height.saturating_sub(1) as usize;
    let window: Vec<(usize, &ErrorGroup)> = report
        .groups
        .iter()
        .enumerate()
        .skip(e.group_offset)
        .take(rows)
        .collect();
    let selected = e
        .group_index()
        .and_then(|i| window.iter().position(|(j, _)| *j == i));
    let none = Style::new();
    let table_rows = window.iter().map(|(_, g)| {
        let ci = report
            .classes
            .iter()
            .position(|c| *c == g.class)
            .unwrap_or(0);
        Row::new(cols.iter().map(|(title, w, _)| {
            let w = *w;
            match *title {
                "CLASS" => cell_left(&safe(&g.class), w, class_style(&g.class, ci, theme)),
                "COUNT" => cell_right(&g.count.to_string(), w, theme.error()),
                "CHAINS" if g.retry_chains > 0 => {
                    cell_right(&format!("↻{}", g.retry_chains), w, theme.warning())
                }
                "CHAINS" => cell_right("·", w, theme.dim()),
                "SAVED" => cell_left(&saved(g), w, none),
                "FIRST" => cell_left(&text::clock(g.first_seen), w, theme.dim()),
                "LAST" => cell_left(&text::clock(g.last_seen), w, none),
                "SERVICES" => cell_left(&list_text(&g.services), w, none),
                "MODELS" => cell_left(&list_text(&g.models), w, theme.dim()),
                _ => {
                    let ty = g.error_type.as_deref().map(safe).unwrap_or_default();
                    let msg = safe(&g.message);
                    let line = if ty.is_empty() {
                        Line::from(text::fit(&msg, w as usize))
                    } else {
                        let ty = text::fit(&ty, w as usize);
                        let room = (w as usize).saturating_sub(text::width(&ty) + 2);
                        Line::from(vec![
                            Span::styled(ty, theme.error_row()),
                            Span::styled(": ", theme.dim()),
                            Span::raw(text::fit(&msg, room)),
                        ])
                    };
                    ratatui::widgets::Cell::from(line)
                }
            }
        }))
    });
    let table = Table::new(table_rows, cols.iter().map(|c| Constraint::Length(c.1)))
        .header(header(&cols, theme))
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}

/// The selected group's facts the narrow table leaves out, on one line.
fn group_footer(frame: &mut Frame, area: Rect, g: &ErrorGroup, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let mut parts = vec![
        Span::styled(" first ", theme.dim()),
        Span::raw(text::clock(g.first_seen)),
        Span::styled(" · ", theme.dim()),
        Span::raw(list_text(&g.services)),
    ];
    if !g.models.is_empty() {
        parts.push(Span::styled(" · ", theme.dim()));
        parts.push(Span::raw(list_text(&g.models)));
    }
    let s = saved(g);
    if !s.is_empty() {
        parts.push(Span::styled(" · saved ", theme.dim()));
        parts.push(Span::styled(s, theme.warning()));
    }
    frame
        .buffer_mut()
        .set_line(area.x, area.y, &Line::from(parts), area.width);
}

fn heading(frame: &mut Frame, area: Rect, g: &ErrorGroup, report: &ErrorReport, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let ci = report
        .classes
        .iter()
        .position(|c| *c == g.class)
        .unwrap_or(0);
    let mut parts = vec![
        Span::styled(
            format!(" {} ", safe(&g.class)),
            class_style(&g.class, ci, theme),
        ),
        Span::styled(format!("{}× ", g.count), theme.error()),
    ];
    if g.retry_chains > 0 {
        parts.push(Span::styled(
            format!("↻{} chains ", g.retry_chains),
            theme.warning(),
        ));
    }
    let s = saved(g);
    if !s.is_empty() {
        parts.push(Span::raw(format!("{s} ")));
    }
    if let Some(t) = &g.error_type {
        parts.push(Span::styled(format!("{}: ", safe(t)), theme.error_row()));
    }
    parts.push(Span::raw(safe(&g.message)));
    frame
        .buffer_mut()
        .set_line(area.x, area.y, &Line::from(parts), area.width);
}

fn occurrences_table(frame: &mut Frame, area: Rect, app: &App, g: &ErrorGroup, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let e = &app.errors;
    let wide = area.width >= 100;
    let role_w = if wide { 34u16 } else { 26 };
    let mut cols: Vec<(&'static str, u16)> = vec![("UTC", 8), ("TRACE", 8)];
    if wide {
        cols.push(("SERVICE", 16));
    }
    cols.push(("MODEL", 12));
    cols.push(("RETRY / FALLBACK", role_w));
    let fixed: u16 = cols.iter().map(|c| c.1).sum::<u16>() + cols.len() as u16;
    cols.insert(2, ("SPAN", area.width.saturating_sub(fixed).max(8)));
    let rows = area.height.saturating_sub(1) as usize;
    let window: Vec<_> = g
        .occurrences
        .iter()
        .enumerate()
        .skip(e.occurrence_offset)
        .take(rows)
        .collect();
    let selected = window.iter().position(|(i, _)| *i == e.occurrence);
    let none = Style::new();
    let table_rows = window.iter().map(|(_, o)| {
        Row::new(cols.iter().map(|(title, w)| {
            let w = *w;
            match *title {
                "UTC" => cell_left(&text::clock(o.time_unix_nano), w, none),
                "TRACE" => cell_left(&o.trace_id.to_hex()[..8], w, theme.dim()),
                "SPAN" => {
                    let name = if o.span_name.is_empty() {
                        "(log record)".to_string()
                    } else {
                        safe(&o.span_name)
                    };
                    cell_left(&name, w, theme.error_row())
                }
                "SERVICE" => cell_left(&safe(&o.service), w, none),
                "MODEL" => cell_left(
                    &o.model.as_deref().map(safe).unwrap_or_default(),
                    w,
                    theme.dim(),
                ),
                _ => {
                    let role = o.role.as_deref().unwrap_or("");
                    let style = if role.ends_with("gave up") {
                        theme.error()
                    } else if role.is_empty() {
                        theme.dim()
                    } else {
                        theme.warning()
                    };
                    cell_left(&safe(role), w, style)
                }
            }
        }))
    });
    let header = Row::new(cols.iter().map(|(t, w)| cell_left(t, *w, theme.header())));
    let table = Table::new(table_rows, cols.iter().map(|c| Constraint::Length(c.1)))
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}

/// The selected occurrence: where, the message (wrapped), the stack trace.
fn detail(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let Some(o) = app.errors.selected_occurrence() else {
        return;
    };
    let w = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let mut head = vec![
        Span::styled("─ ", theme.dim()),
        Span::styled(format!("trace {}", o.trace_id), theme.header()),
    ];
    if let Some(s) = o.span_id {
        head.push(Span::styled(format!(" span {s}"), theme.dim()));
    }
    if let Some(c) = o.http_status {
        head.push(Span::styled(format!(" · HTTP {c}"), theme.error()));
    }
    if let Some(root) = &o.root_name {
        head.push(Span::raw(format!(" · in {}", safe(root))));
    }
    lines.push(Line::from(head));
    if let Some(c) = &o.chain {
        lines.push(Line::styled(format!(" ↻ {}", safe(c)), theme.warning()));
    }
    for l in text::wrap(&safe(&o.message), w.max(10)) {
        lines.push(Line::styled(format!(" {l}"), theme.error_row()));
    }
    match &o.stacktrace {
        Some(s) => {
            for l in stack::lines(s, theme) {
                let mut spans = vec![Span::raw(" ")];
                spans.extend(l.spans.into_iter().map(|sp| {
                    let style = l.style.patch(sp.style);
                    Span::styled(sp.content, style)
                }));
                lines.push(Line::from(spans));
            }
        }
        None => lines.push(Line::styled(" (no stack trace)", theme.dim())),
    }
    lines.push(Line::styled(
        " Enter opens the trace with this span selected",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests;
