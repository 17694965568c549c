//! The cost screen: two headline lines (cost, calls, tokens, traces; burn rate,
//! today and the day's projection, cache savings), cost and tokens per bucket as
//! sparklines, then a tab line and one table: models (with errors and error rate),
//! services, projects, sessions, users or the ten most expensive traces. Taller
//! terminals get taller sparklines; wider ones get more columns and a cost-share
//! bar. Rows over a trace budget are flagged `!`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Sparkline, Table, TableState};

use super::cost_tables::{group_rows, model_rows, top_rows};
use super::{cell_left, cell_right};
use crate::cost::CostReport;
use crate::ui::app::App;
use crate::ui::cost_screen::CostTab;
use crate::ui::text;
use crate::ui::theme::Theme;

const SEP: &str = " · ";
/// Width of the sparklines' label column.
const LABEL_W: u16 = 20;

/// A column: title, width (0 = flexible), right-aligned.
pub(super) type Col = (&'static str, u16, bool);
/// A table's cells: text and style.
pub(super) type Cells = Vec<Vec<(String, Style)>>;

pub(super) fn money(c: Option<f64>, unpriced: u64, theme: &Theme) -> (String, Style) {
    match c {
        None if unpriced > 0 => ("?".into(), theme.warning()),
        None => (String::new(), Style::new()),
        Some(c) if unpriced > 0 => (format!("{}+", text::cost(Some(c))), theme.warning()),
        Some(c) => (text::cost(Some(c)), theme.cost()),
    }
}

/// The two headline lines; narrow terminals drop the token split and cached count.
fn headline(r: &CostReport, wide: bool, theme: &Theme) -> [Line<'static>; 2] {
    let t = &r.totals;
    let sep = || Span::styled(SEP, theme.dim());
    let (cost, cost_style) = match t.cost_usd {
        None if t.unpriced_calls > 0 => ("cost unknown".to_string(), theme.warning()),
        None => ("$0".to_string(), theme.cost()),
        Some(c) => (text::cost(Some(c)), theme.cost()),
    };
    let mut first = vec![Span::raw(" "), Span::styled(cost, cost_style)];
    if t.unpriced_calls > 0 && t.cost_usd.is_some() {
        first.push(Span::styled(
            format!(" + {} unpriced", t.unpriced_calls),
            theme.warning(),
        ));
    }
    first.extend([
        sep(),
        Span::raw(format!("{} calls", t.llm_calls)),
        sep(),
        Span::styled(
            if wide {
                format!(
                    "{} tok ({} in / {} out)",
                    text::tokens(t.input_tokens + t.output_tokens),
                    text::tokens(t.input_tokens),
                    text::tokens(t.output_tokens)
                )
            } else {
                format!("{} tok", text::tokens(t.input_tokens + t.output_tokens))
            },
            theme.tokens(),
        ),
        sep(),
        Span::raw(format!("{} traces", r.traces)),
    ]);
    let second = vec![
        Span::raw(" burn "),
        Span::styled(
            format!("{}/h", text::cost(Some(r.burn_rate_usd_per_hour))),
            theme.cost(),
        ),
        sep(),
        Span::raw(format!(
            "today {} → day ≈ {}",
            text::cost(Some(r.today_usd)),
            text::cost(Some(r.projected_day_usd))
        )),
        sep(),
        Span::raw(if wide {
            format!(
                "cache saved {} ({} tok)",
                text::cost(Some(r.cache_savings_usd)),
                text::tokens(t.cache_read_tokens)
            )
        } else {
            format!("cache saved {}", text::cost(Some(r.cache_savings_usd)))
        }),
    ];
    [Line::from(first), Line::from(second)]
}

/// Spreads `values` over `width` columns (each point as wide as it fits) or keeps
/// the newest `width`.
fn fit_series(values: &[u64], width: usize) -> Vec<u64> {
    if values.is_empty() || width == 0 {
        return Vec::new();
    }
    if values.len() >= width {
        return values[values.len() - width..].to_vec();
    }
    (0..width)
        .map(|c| values[c * values.len() / width])
        .collect()
}

fn sparkline(
    frame: &mut Frame,
    area: Rect,
    label: &str,
    peak: String,
    values: &[u64],
    style: Style,
    theme: &Theme,
) {
    if area.is_empty() {
        return;
    }
    let label_w = LABEL_W.min(area.width);
    let mut lines = vec![Line::from(Span::styled(
        text::fit(&format!(" {label}"), label_w as usize),
        theme.dim(),
    ))];
    let peak_line = Line::from(text::fit(&format!(" max {peak}"), label_w as usize));
    if area.height >= 2 {
        lines.push(peak_line);
    } else {
        lines = vec![Line::from(vec![
            Span::styled(format!(" {label} "), theme.dim()),
            Span::raw(peak),
        ])];
    }
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(area.x, area.y, label_w, area.height),
    );
    let chart = Rect::new(area.x + label_w, area.y, area.width - label_w, area.height);
    let data = fit_series(values, chart.width as usize);
    let max = data.iter().copied().max().unwrap_or(0).max(1);
    frame.render_widget(Sparkline::default().data(data).max(max).style(style), chart);
}

fn tab_line(app: &App, width: u16, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (i, tab) in CostTab::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" ", theme.dim()));
        }
        let style = if *tab == app.cost.tab {
            theme.tab_active()
        } else {
            theme.tab_inactive()
        };
        let title = if width < 100 {
            match tab {
                CostTab::Top => "Top",
                CostTab::Services => "Svcs",
                CostTab::Projects => "Proj",
                CostTab::Sessions => "Sess",
                t => t.title(),
            }
        } else {
            tab.title()
        };
        spans.push(Span::styled(format!(" {} {title} ", i + 1), style));
    }
    spans.push(Span::styled(
        format!("   window {} (w)", app.cost.window.label()),
        theme.dim(),
    ));
    Line::from(spans)
}

/// Flexible columns share what the fixed ones leave.
fn widths(cols: &[Col], width: u16) -> Vec<u16> {
    let fixed: u16 = cols.iter().map(|c| c.1).sum();
    let gaps = cols.len().saturating_sub(1) as u16;
    let flex = cols.iter().filter(|c| c.1 == 0).count().max(1) as u16;
    let room = width.saturating_sub(fixed + gaps);
    let mut first = true;
    cols.iter()
        .map(|c| match c.1 {
            0 if first => {
                first = false;
                room - room / flex * (flex - 1)
            }
            0 => room / flex,
            w => w,
        })
        .collect()
}

fn table(
    frame: &mut Frame,
    area: Rect,
    cols: &[Col],
    rows: Cells,
    row_styles: Vec<Style>,
    selected: usize,
    theme: &Theme,
) {
    let ws = widths(cols, area.width);
    let header = Row::new(cols.iter().zip(&ws).map(|(c, w)| {
        if c.2 {
            cell_right(c.0, *w, theme.header())
        } else {
            cell_left(c.0, *w, theme.header())
        }
    }));
    let visible = area.height.saturating_sub(1) as usize;
    let offset = selected.saturating_sub(visible.saturating_sub(1));
    let body: Vec<Row> = rows
        .into_iter()
        .zip(row_styles)
        .skip(offset)
        .take(visible)
        .map(|(cells, style)| {
            Row::new(
                cells
                    .into_iter()
                    .zip(cols.iter().zip(&ws))
                    .map(|((s, st), (c, w))| {
                        if c.2 {
                            cell_right(&s, *w, st)
                        } else {
                            cell_left(&s, *w, st)
                        }
                    }),
            )
            .style(style)
        })
        .collect();
    let t = Table::new(body, ws.iter().map(|w| Constraint::Length(*w)))
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let mut state = TableState::default().with_selected(Some(selected - offset));
    frame.render_stateful_widget(t, area, &mut state);
}

fn empty_message(app: &App) -> String {
    let when = match app.cost.window.minutes() {
        Some(_) => format!("in the last {}", app.cost.window.label()),
        None => "stored".to_string(),
    };
    match app.cost.tab {
        CostTab::Models => format!("no model calls {when} · w changes the window"),
        CostTab::Services => format!("no spans {when} · w changes the window"),
        CostTab::Projects => format!("no LangSmith projects {when} (langsmith.trace.session_name)"),
        CostTab::Sessions => format!("no sessions {when} (session.id, gen_ai.conversation.id)"),
        CostTab::Users => format!("no users {when} (user.id, enduser.id on spans)"),
        CostTab::Top => format!("no traces with model calls {when}"),
    }
}

/// Draws the cost screen into `area` (the layout's `main`).
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let Some(r) = app.cost.report.as_deref() else {
        let msg = Line::from(" loading the cost report…");
        frame.render_widget(Paragraph::new(msg).style(theme.dim()), area);
        return;
    };
    let mut y = area.y;
    let bottom = area.bottom();
    let mut take = |h: u16| {
        let h = h.min(bottom.saturating_sub(y));
        let rect = Rect::new(area.x, y, area.width, h);
        y += h;
        rect
    };
    let [first, second] = headline(r, area.width >= 100, theme);
    frame.render_widget(Paragraph::new(first), take(1));
    frame.render_widget(Paragraph::new(second), take(1));
    let spark_h = match area.height {
        h if h >= 34 => 4,
        h if h >= 20 => 2,
        h if h >= 14 => 1,
        _ => 0,
    };
    if spark_h > 0 {
        take(1);
        let bucket = format!("{}m", r.bucket_minutes);
        let costs: Vec<u64> = r
            .series
            .iter()
            .map(|p| (p.cost_usd * 1e6).round() as u64)
            .collect();
        let peak = r.series.iter().map(|p| p.cost_usd).fold(0.0, f64::max);
        sparkline(
            frame,
            take(spark_h),
            &format!("cost / {bucket}"),
            text::cost(Some(peak)),
            &costs,
            theme.cost(),
            theme,
        );
        let tokens: Vec<u64> = r.series.iter().map(|p| p.tokens).collect();
        let peak = tokens.iter().copied().max().unwrap_or(0);
        sparkline(
            frame,
            take(spark_h),
            &format!("tokens / {bucket}"),
            text::tokens(peak),
            &tokens,
            theme.tokens(),
            theme,
        );
    }
    take(1);
    frame.render_widget(Paragraph::new(tab_line(app, area.width, theme)), take(1));
    let rest = take(u16::MAX);
    if rest.is_empty() {
        return;
    }
    let wide = area.width >= 110;
    let total = r.totals.cost_usd.unwrap_or(0.0);
    let (cols, rows, styles) = match app.cost.tab {
        CostTab::Models => {
            let (c, r) = model_rows(&r.by_model, wide, theme);
            let n = r.len();
            (c, r, vec![Style::new(); n])
        }
        CostTab::Top => top_rows(app, &r.top_traces, theme),
        tab => {
            let (rows, name, count) = match tab {
                CostTab::Services => (&r.by_service, "SERVICE", "SPANS"),
                CostTab::Projects => (&r.by_project, "PROJECT", "TRACES"),
                CostTab::Sessions => (&r.by_session, "SESSION", "TRACES"),
                _ => (&r.by_user, "USER", "TRACES"),
            };
            let (c, r) = group_rows(rows, name, count, total, wide, theme);
            let n = r.len();
            (c, r, vec![Style::new(); n])
        }
    };
    let empty = rows.is_empty();
    table(frame, rest, &cols, rows, styles, app.cost.selected, theme);
    if empty && rest.height > 2 {
        let line = Rect::new(rest.x + 1, rest.y + 2, rest.width.saturating_sub(2), 1);
        let msg = text::fit(&empty_message(app), line.width as usize);
        frame.render_widget(Paragraph::new(msg).style(theme.dim()), line);
    }
}

#[cfg(test)]
#[path = "cost_tests.rs"]
mod tests;
