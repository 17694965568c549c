//! The trace list: a table of the loaded trace summaries, drawing only the visible
//! window (`app.list.offset` .. + the layout's list rows). Columns: start time (UTC),
//! root span, service (project when there is one), duration, spans, errors, LLM
//! calls, tokens, cost, and the eval pass rate (EVAL, when a loaded trace has eval
//! results). Narrow terminals lose spans and LLM calls first; time,
//! root, service, duration, errors, tokens and cost stay at 80 columns.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::{cell_left, cell_right};
use crate::model::TraceSummary;
use crate::ui::app::{App, Column};
use crate::ui::text::{self, safe};
use crate::ui::theme::Theme;

/// Width of a fixed column: its widest value or its title with a sort arrow.
fn fixed_width(c: Column) -> Option<u16> {
    Some(match c {
        Column::Time => 8,
        Column::Duration => 7,
        Column::Spans => 6,
        Column::Errors => 4,
        Column::LlmCalls => 4,
        Column::Tokens => 7,
        Column::Cost => 10,
        Column::Evals => 4,
        Column::Root | Column::Service => return None,
    })
}

/// Columns dropped, in this order, while root and service would get too little room.
const DROP_ORDER: [Column; 5] = [
    Column::Spans,
    Column::LlmCalls,
    Column::Time,
    Column::Duration,
    Column::Tokens,
];

/// The columns shown on a `width`-cell-wide table, with their widths.
pub fn columns(width: u16) -> Vec<(Column, u16)> {
    columns_with(width, false)
}

/// As `columns`, with the EVAL column (pass rate) at the end when `evals`.
pub fn columns_with(width: u16, evals: bool) -> Vec<(Column, u16)> {
    let mut shown: Vec<Column> = Column::ALL.to_vec();
    if evals {
        shown.push(Column::Evals);
    }
    if width < 100 {
        shown.retain(|c| !matches!(c, Column::Spans | Column::LlmCalls));
    }
    let flex = |shown: &[Column]| {
        let fixed: u16 = shown.iter().filter_map(|c| fixed_width(*c)).sum();
        let gaps = shown.len().saturating_sub(1) as u16;
        width.saturating_sub(fixed + gaps)
    };
    for drop in DROP_ORDER {
        if flex(&shown) >= 24 {
            break;
        }
        shown.retain(|c| *c != drop);
    }
    let flex = flex(&shown);
    // The EVAL column's room comes out of the root column only.
    let evals_room = if evals { 5 } else { 0 };
    let service = ((flex + evals_room) * 2 / 5)
        .clamp(8.min(flex / 2), 22)
        .min(flex);
    let root = flex - service;
    shown
        .into_iter()
        .map(|c| {
            let w = match c {
                Column::Root => root,
                Column::Service => service,
                c => fixed_width(c).unwrap_or(0),
            };
            (c, w)
        })
        .collect()
}

fn right_aligned(c: Column) -> bool {
    !matches!(c, Column::Time | Column::Root | Column::Service)
}

/// The header row: titles, the sort column with ▲/▼ (newest first when unsorted).
fn header<'a>(app: &App, cols: &[(Column, u16)], theme: &Theme) -> Row<'a> {
    let (sort, ascending) = match app.list.sort {
        Some(c) => (c, app.list.ascending),
        None => (Column::Time, false),
    };
    let style = theme.header();
    Row::new(cols.iter().map(|(c, w)| {
        // Times are UTC (no time-zone data); say so.
        let mut title = match c {
            Column::Time => "UTC".to_string(),
            c => c.title().to_string(),
        };
        if *c == sort {
            title.push(if ascending { '▲' } else { '▼' });
        }
        if right_aligned(*c) {
            cell_right(&title, *w, style)
        } else {
            cell_left(&title, *w, style)
        }
    }))
}

/// One trace's row; `over_budget` (a `[budgets]` trace threshold crossed) marks
/// the cost with `!`.
/// the cost with `!`; `marked` (`m`, A of a comparison) puts `A▸` before the root.
fn row<'a>(
    t: &TraceSummary,
    cols: &[(Column, u16)],
    theme: &Theme,
    over_budget: bool,
    marked: bool,
) -> Row<'a> {
    let has_llm = t.llm_calls > 0;
    let cells = cols.iter().map(|(c, w)| {
        let w = *w;
        let none = Style::new();
        match c {
            Column::Time => cell_left(&text::clock(t.start_unix_nano), w, none),
            Column::Root => {
                let style = if t.root_seen { none } else { theme.dim() };
                let flags = crate::errors::TraceFlags::of_summary(t);
                if flags.any() || marked {
                    // ↻ retried, ⤳ fell back, ◐ degraded (errors::chains).
                    let mut marker = if marked {
                        "A▸ ".to_string()
                    } else {
                        String::new()
                    };
                    if flags.any() {
                        marker.push_str(&format!("{} ", flags.marker()));
                    }
                    let room = (w as usize).saturating_sub(text::width(&marker));
                    let name = text::fit(&safe(&t.root_name), room);
                    marked_cell(marker, name, theme.warning(), style)
                } else {
                    cell_left(&safe(&t.root_name), w, style)
                }
            }
            Column::Service => {
                let s = t.project.as_deref().unwrap_or(&t.service);
                cell_left(&safe(s), w, none)
            }
            Column::Duration => cell_right(&text::duration_ms(t.duration_ms()), w, none),
            Column::Spans => cell_right(&t.span_count.to_string(), w, none),
            Column::Errors if t.error_count > 0 => {
                cell_right(&t.error_count.to_string(), w, theme.error())
            }
            Column::Errors => cell_right("·", w, theme.dim()),
            Column::LlmCalls if has_llm => cell_right(&t.llm_calls.to_string(), w, none),
            Column::LlmCalls => cell_right("·", w, theme.dim()),
            Column::Tokens if has_llm || t.total_tokens() > 0 => {
                cell_right(&text::tokens(t.total_tokens()), w, none)
            }
            Column::Tokens => cell_right("", w, none),
            Column::Cost if over_budget => {
                cell_right(&format!("!{}", text::cost(t.cost_usd)), w, theme.error())
            }
            Column::Cost if !has_llm => cell_right("", w, none),
            Column::Cost => match t.cost_usd {
                None => cell_right("?", w, theme.warning()),
                Some(c) if t.unpriced_calls > 0 => {
                    cell_right(&format!("{}+", text::cost(Some(c))), w, theme.warning())
                }
                Some(c) => cell_right(&text::cost(Some(c)), w, theme.cost()),
            },
            Column::Evals => match crate::evals::trace_pass_rate(t) {
                Some(r) => cell_right(
                    &format!("{:.0}%", r * 100.0),
                    w,
                    super::evals::grade(Some(r), theme),
                ),
                None => cell_right("", w, none),
            },
        }
    });
    let style = if t.error_count > 0 {
        theme.error_row()
    } else {
        Style::new()
    };
    Row::new(cells).style(style)
}

/// A cell of a styled marker then text.
fn marked_cell<'a>(marker: String, text: String, marker_style: Style, style: Style) -> Cell<'a> {
    Cell::from(Line::from(vec![
        ratatui::text::Span::styled(marker, marker_style),
        ratatui::text::Span::styled(text, style),
    ]))
}

/// Draws the list into `area` (the layout's `main`: a header line, then rows).
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let with_evals = app.list.traces.iter().any(|t| !t.evals.is_empty());
    let cols = columns_with(area.width, with_evals);
    let rows = area.height.saturating_sub(1) as usize;
    let list = &app.list;
    let window: Vec<&TraceSummary> = list.traces.iter().skip(list.offset).take(rows).collect();
    let selected = list
        .selected
        .and_then(|id| window.iter().position(|t| t.trace_id == id));
    let table = Table::new(
        window.iter().map(|t| {
            let over = app.budgets.trace_over(t.cost_usd, t.total_tokens());
            row(t, &cols, theme, over, list.marked == Some(t.trace_id))
        }),
        cols.iter().map(|(_, w)| Constraint::Length(*w)),
    )
    .header(header(app, &cols, theme))
    .column_spacing(1)
    .row_highlight_style(theme.selected());
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);

    if window.is_empty() && area.height > 2 {
        let msg = if !list.loaded_once {
            "loading…".to_string()
        } else if let Some(s) = &list.session {
            format!("no traces in session {}", safe(s))
        } else {
            format!(
                "no traces match \"{}\" · Esc clears the filter",
                safe(list.filter_text.trim())
            )
        };
        let r = Rect::new(area.x + 1, area.y + 2, area.width.saturating_sub(2), 1);
        frame.render_widget(
            Paragraph::new(Line::from(text::fit(&msg, r.width as usize))).style(theme.dim()),
            r,
        );
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::{Color, Modifier};

    use super::super::test_support::*;
    use super::*;
    use crate::ui::app::{Action, App, Screen};
    use crate::ui::keys::Key;
    use crate::ui::theme::ColorMode;

    /// x where each shown column starts.
    fn column_x(width: u16) -> Vec<(Column, u16, u16)> {
        let mut x = 0;
        columns(width)
            .into_iter()
            .map(|(c, w)| {
                let at = x;
                x += w + 1;
                (c, at, w)
            })
            .collect()
    }

    fn cell_text(t: &Terminal<TestBackend>, y: u16, col: Column) -> String {
        let buf = t.backend().buffer();
        let (_, x, w) = column_x(buf.area.width)
            .into_iter()
            .find(|(c, _, _)| *c == col)
            .expect("column shown");
        (x..x + w)
            .map(|x| buf[(x, y)].symbol())
            .collect::<String>()
            .trim()
            .to_string()
    }

    #[test]
    fn trace_list() {
        for (w, h) in [(80, 24), (120, 40)] {
            let app = app(w, h);
            let t = screen(&app, &full());
            let head = text_row(&t, 1);
            for must in ["UTC▼", "ROOT", "SERVICE", "DUR", "ERR", "TOKENS", "COST"] {
                assert!(head.contains(must), "{w}: {head:?}");
            }
            assert_eq!(head.contains("SPANS"), w >= 100, "{head:?}");
            // Newest first; the docs-rag trace shows its project.
            assert_eq!(cell_text(&t, 2, Column::Root), "support.triage");
            assert_eq!(cell_text(&t, 5, Column::Service), "docs-assistant");
            assert_eq!(cell_text(&t, 7, Column::Root), "agent.run");
            assert_eq!(cell_text(&t, 7, Column::Cost), "$0.000032");
            assert_eq!(cell_text(&t, 7, Column::Tokens), "118");
            assert_eq!(cell_text(&t, 4, Column::Cost), "", "no LLM call, no cost");
            assert_eq!(cell_text(&t, 3, Column::Cost), "?", "unknown cost");
            insta::assert_snapshot!(format!("trace_list_{w}x{h}"), t.backend());
        }
    }

    #[test]
    fn sorted_by_cost() {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut app = app(w, h);
            // s cycles TIME → … → COST (the 9th column); r reverses.
            for _ in 0..Column::ALL.len() {
                app.update(Action::Key(Key::Char('s')));
            }
            assert_eq!(app.list.sort, Some(Column::Cost));
            let t = screen(&app, &full());
            assert!(text_row(&t, 1).contains("COST▼"));
            assert_eq!(cell_text(&t, 2, Column::Root), "support.triage");
            insta::assert_snapshot!(format!("sorted_by_cost_{w}x{h}"), t.backend());
            app.update(Action::Key(Key::Char('r')));
            let t = screen(&app, &full());
            assert!(text_row(&t, 1).contains("COST▲"));
        }
    }

    #[test]
    fn no_color_mode_keeps_selection_and_errors_visible() {
        let mut app = app(80, 24);
        // Select the failing trace (second newest is support… so go to it by id).
        app.list.selected = Some(id(1));
        let theme = Theme::new(ColorMode::None);
        let t = screen(&app, &theme);
        insta::assert_snapshot!("no_color_80x24", t.backend());
        let buf = t.backend().buffer();
        let y_of = |name: &str| {
            (2..24)
                .find(|y| cell_text(&t, *y, Column::Root) == name)
                .expect("row shown")
        };
        let sel = y_of("agent.run");
        assert!(buf[(0, sel)].modifier.contains(Modifier::REVERSED));
        assert_eq!(buf[(0, sel)].fg, Color::Reset, "no colors at all");
        let err = y_of("agent.run.flaky");
        assert!(buf[(0, err)].modifier.contains(Modifier::BOLD));
        assert!(!buf[(0, err)].modifier.contains(Modifier::REVERSED));
        let (_, x, w) = column_x(80)
            .into_iter()
            .find(|(c, _, _)| *c == Column::Errors)
            .expect("errors shown");
        let e = &buf[(x + w - 1, err)];
        assert_eq!(e.symbol(), "2");
        assert!(e.modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));
        for y in 0..24 {
            for x in 0..80 {
                assert_eq!(buf[(x, y)].fg, Color::Reset);
                assert_eq!(buf[(x, y)].bg, Color::Reset);
            }
        }

        // In color, the error row is red and the selected row has a background.
        let full = full();
        let t = screen(&app, &full);
        let buf = t.backend().buffer();
        assert_eq!(buf[(0, err)].fg, Color::Indexed(203));
        assert_eq!(Some(buf[(0, sel)].bg), full.selected().bg);
        assert_eq!(buf[(0, sel + 1)].bg, Color::Reset);
    }

    #[test]
    fn only_the_visible_window_is_drawn_and_follows_the_selection() {
        let mut many: Vec<TraceSummary> = (0..200u8)
            .map(|i| {
                summary(
                    i,
                    &format!("job-{i:03}"),
                    "batch",
                    u64::from(i),
                    10,
                    1,
                    0,
                    0,
                    (0, 0),
                    None,
                )
            })
            .collect();
        many[7].error_count = 1;
        let mut app = App::new(info(), 80, 24);
        app.update(Action::TracesLoaded(many));
        app.update(Action::Key(Key::Char('G')));
        let t = screen(&app, &full());
        // 21 rows fit; the oldest (job-000) is last and selected.
        assert_eq!(cell_text(&t, 22, Column::Root), "job-000");
        assert_eq!(cell_text(&t, 2, Column::Root), "job-020");
        assert!(text_row(&t, 0).contains("200 traces"));
    }

    #[test]
    fn empty_results_say_why() {
        let mut app = App::new(info(), 80, 24);
        app.list.filter_text = "model:claude".into();
        app.update(Action::TracesLoaded(vec![]));
        let t = screen(&app, &full());
        assert!(
            text_row(&t, 3).contains("no traces match \"model:claude\""),
            "{}",
            text_row(&t, 3)
        );
        assert!(text_row(&t, 0).contains("filter: model:claude"));
        let loading = App::new(info(), 80, 24);
        assert!(text_row(&screen(&loading, &full()), 3).contains("loading…"));
    }

    #[test]
    fn session_drill_down_names_the_session() {
        let mut app = app(80, 24);
        app.update(Action::Key(Key::Char('S')));
        app.sessions.selected = app
            .sessions
            .sessions
            .iter()
            .position(|s| s.session == "sess-7f3a")
            .expect("session");
        app.update(Action::Key(Key::Enter));
        assert_eq!(app.screen, Screen::Traces);
        let t = screen(&app, &full());
        assert!(
            text_row(&t, 0).contains("session sess-7f3a"),
            "{}",
            text_row(&t, 0)
        );
        assert!(text_row(&t, 1).contains("UTC▲"));
    }

    const HOSTILE: [&str; 10] = [
        "\x1b[2J\x1b[H",
        "\x1b]0;pwned\x07",
        "\x1b]52;c;Zm9v\x07",
        "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
        "\u{202e}evil",
        "\0nul\x7fdel\u{9b}c1",
        "",
        "日本語テキスト",
        "e\u{301}",
        "🦀🔥 emoji",
    ];

    fn dangerous(c: char) -> bool {
        let u = c as u32;
        u < 0x20
            || u == 0x7f
            || (0x80..0xa0).contains(&u)
            || matches!(u, 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
    }

    fn assert_screen_safe(t: &Terminal<TestBackend>) {
        let buf = t.backend().buffer();
        for cell in &buf.content {
            assert!(
                !cell.symbol().chars().any(dangerous),
                "raw control reached the screen: {:?}",
                cell.symbol()
            );
        }
    }

    #[test]
    fn hostile_strings_never_reach_the_terminal_and_keep_the_layout() {
        let long = "A".repeat(10_000);
        let traces: Vec<TraceSummary> = HOSTILE
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let s = if s.is_empty() { long.as_str() } else { s };
                let mut t = summary(
                    i as u8 + 1,
                    s,
                    s,
                    i as u64,
                    1_240,
                    4,
                    0,
                    2,
                    (96, 22),
                    Some(0.5),
                );
                t.session = Some(format!("{s}-{i}"));
                if i % 2 == 0 {
                    t.project = Some(s.to_string());
                }
                t
            })
            .collect();
        for (w, h) in [(80, 24), (120, 40)] {
            let mut app = App::new(info(), w, h);
            app.update(Action::TracesLoaded(traces.clone()));
            let t = screen(&app, &full());
            assert_screen_safe(&t);
            let head = text_row(&t, 1);
            assert!(head.starts_with("UTC▼ "), "{head:?}");
            assert_eq!(cell_text(&t, 1, Column::Cost), "COST");
            for y in 2..2 + HOSTILE.len() as u16 {
                // One line per row: the time, the duration and the cost where they belong.
                assert!(
                    text_row(&t, y).starts_with("18:30:"),
                    "row {y}: {:?}",
                    text_row(&t, y)
                );
                assert_eq!(cell_text(&t, y, Column::Duration), "1.24s");
                assert_eq!(cell_text(&t, y, Column::Cost), "$0.5000");
            }
            assert!(text_row(&t, 2 + HOSTILE.len() as u16).trim().is_empty());
            // The escapes are visible, not interpreted.
            let all: String = (0..h).map(|y| text_row(&t, y)).collect();
            assert!(all.contains("\\x1b[2J"), "{all}");
            assert!(all.contains("\\u{202e}evil"));
            assert!(all.contains("日本語"));

            app.update(Action::Key(Key::Char('S')));
            let t = screen(&app, &full());
            assert_screen_safe(&t);
            assert!(text_row(&t, 1).starts_with("SESSION"));

            app.update(Action::Key(Key::Char('S')));
            app.update(Action::Key(Key::Enter));
            assert_eq!(app.screen, Screen::Trace);
            assert_screen_safe(&screen(&app, &full()));
        }
    }
}
