//! The eval scorecards screen: the scorecard (one row per evaluator × experiment /
//! model / service: results, mean score, pass rate, the score histogram, mean
//! latency and cost of what was judged; a pass-rate bar from 110 columns), the
//! worst results behind one row, and the comparison of two experiments
//! (`evals_compare`). Every name and label is untrusted and goes through `safe`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table, TableState};

use super::{cell_left, cell_right};
use crate::evals::experiments::histogram_bars;
use crate::ui::app::App;
use crate::ui::evals_screen::EvalsView;
use crate::ui::text::{self, safe};
use crate::ui::theme::Theme;

/// The title bar's pieces for this screen.
pub fn title_parts(app: &App, bar: Style, alert: Style) -> Vec<(String, Style)> {
    let s = &app.evals;
    let mut parts = vec![("evals".to_string(), bar)];
    parts.push((format!("window {}", s.window.label()), bar));
    if !s.loaded_once {
        parts.push(("loading…".into(), bar));
        return parts;
    }
    parts.push((format!("{} results", s.records.len()), bar));
    match s.view {
        EvalsView::Scorecard => parts.push((format!("by {}", s.grouping.as_str()), bar)),
        EvalsView::Worst => {
            if let Some((e, g)) = &s.worst_of {
                parts.push((format!("worst: {} · {}", safe(e), safe(g)), alert));
            }
        }
        EvalsView::Compare => match &s.pair {
            Some((a, b)) => parts.push((format!("compare {} → {}", safe(a), safe(b)), alert)),
            None => parts.push(("compare".into(), bar)),
        },
    }
    parts
}

/// Key hints for the status bar.
pub fn hints(app: &App) -> &'static [(&'static str, &'static str)] {
    match app.evals.view {
        EvalsView::Scorecard => &[
            ("?", "help"),
            ("Enter", "worst results"),
            ("Tab", "group by"),
            ("c", "compare"),
            ("w", "window"),
            ("Esc", "back"),
            ("q", "quit"),
        ],
        EvalsView::Worst => &[
            ("?", "help"),
            ("Enter", "open trace"),
            ("Esc", "scorecard"),
            ("w", "window"),
            ("q", "quit"),
        ],
        EvalsView::Compare => &[
            ("?", "help"),
            ("Enter", "open trace"),
            ("a/b", "pick A/B"),
            ("x", "swap"),
            ("Esc", "scorecard"),
            ("q", "quit"),
        ],
    }
}

/// Draws the current view into `area`.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let s = &app.evals;
    if s.loaded_once && s.records.is_empty() {
        let msg = format!(
            "No evaluation results in the last {} (w widens the window). Results come \
             from gen_ai.evaluation.result events, OpenInference annotations and \
             evaluations, OpenLIT evals.*, evaluator spans, and the online evaluators \
             configured as [[evaluators]] in the config file.",
            s.window.label()
        );
        message(frame, area, &msg, theme);
        return;
    }
    match s.view {
        EvalsView::Scorecard => scorecard(frame, area, app, theme),
        EvalsView::Worst => worst(frame, area, app, theme),
        EvalsView::Compare => super::evals_compare::render(frame, area, app, theme),
    }
}

/// A wrapped, dimmed explanation a line below the top of `area`.
pub(super) fn message(frame: &mut Frame, area: Rect, msg: &str, theme: &Theme) {
    if area.height < 2 {
        return;
    }
    let r = Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height - 1,
    );
    let lines: Vec<Line> = text::wrap(msg, r.width as usize)
        .into_iter()
        .map(Line::from)
        .collect();
    frame.render_widget(Paragraph::new(lines).style(theme.dim()), r);
}

pub(super) fn score(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "–".into())
}

pub(super) fn percent(v: Option<f64>) -> String {
    v.map(|x| format!("{:.0}%", x * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// Style of a pass rate or score: good from 0.8, bad below 0.5.
pub(crate) fn grade(v: Option<f64>, theme: &Theme) -> Style {
    match v {
        Some(x) if x >= 0.8 => theme.ok(),
        Some(x) if x < 0.5 => theme.error(),
        Some(_) => theme.warning(),
        None => theme.dim(),
    }
}

fn pass_bar(rate: Option<f64>, width: u16) -> String {
    let Some(r) = rate else {
        return String::new();
    };
    let full = ((r.clamp(0.0, 1.0) * width as f64).round() as usize).min(width as usize);
    format!("{}{}", "█".repeat(full), "░".repeat(width as usize - full))
}

fn scorecard(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let s = &app.evals;
    let wide = area.width >= 110;
    // Fixed: N, MEAN, PASS, SCORES, LAT, COST (+ the pass bar when wide).
    let mut fixed = vec![6u16, 5, 5, 10, 7, 9];
    if wide {
        fixed.push(12);
    }
    let gaps = fixed.len() as u16 + 1;
    let flex = area.width.saturating_sub(fixed.iter().sum::<u16>() + gaps);
    let group_w = flex / 2;
    let eval_w = flex - group_w;
    let mut widths = vec![eval_w, group_w];
    widths.extend(&fixed);
    let mut titles = vec![
        "EVALUATOR".to_string(),
        s.grouping.as_str().to_uppercase(),
        "N".into(),
        "MEAN".into(),
        "PASS".into(),
        "SCORES 0→1".into(),
        "LAT".into(),
        "COST/EVAL".into(),
    ];
    if wide {
        titles.push("PASS RATE".into());
    }
    let header = Row::new(titles.iter().zip(&widths).enumerate().map(|(i, (t, w))| {
        if i < 2 || i == 5 || i == 8 {
            cell_left(t, *w, theme.header())
        } else {
            cell_right(t, *w, theme.header())
        }
    }));
    let rows_h = area.height.saturating_sub(1) as usize;
    let window = s.rows.iter().skip(s.offset).take(rows_h);
    let none = Style::new();
    let rows = window.map(|r| {
        let a = &r.agg;
        let mut cells = vec![
            cell_left(&safe(&r.evaluator), widths[0], theme.accent()),
            cell_left(&safe(&r.group), widths[1], none),
            cell_right(&a.count.to_string(), widths[2], none),
            cell_right(
                &score(a.mean_score()),
                widths[3],
                grade(a.mean_score(), theme),
            ),
            cell_right(
                &percent(a.pass_rate()),
                widths[4],
                grade(a.pass_rate(), theme),
            ),
            cell_left(&histogram_bars(&a.histogram), widths[5], theme.accent()),
            cell_right(
                &a.mean_latency_ms()
                    .map(text::duration_ms)
                    .unwrap_or_else(|| "–".into()),
                widths[6],
                none,
            ),
            cell_right(
                &a.mean_cost_usd()
                    .map(|c| text::cost(Some(c)))
                    .unwrap_or_else(|| "–".into()),
                widths[7],
                theme.cost(),
            ),
        ];
        if wide {
            cells.push(cell_left(
                &pass_bar(a.pass_rate(), widths[8]),
                widths[8],
                grade(a.pass_rate(), theme),
            ));
        }
        Row::new(cells)
    });
    let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let selected = s
        .selected
        .checked_sub(s.offset)
        .filter(|i| *i < rows_h && s.selected < s.rows.len());
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}

fn worst(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let s = &app.evals;
    let (evaluator, group) = s.worst_of.clone().unwrap_or_default();
    let failed = s.worst.iter().filter(|r| r.passed == Some(false)).count();
    let head = format!(
        " {} · {} — {} results, {failed} failed, worst first; Enter opens the trace at the evaluated span",
        safe(&evaluator),
        safe(&group),
        s.worst.len()
    );
    frame.render_widget(
        Paragraph::new(text::fit(&head, area.width as usize)).style(theme.dim()),
        Rect::new(area.x, area.y, area.width, 1),
    );
    let table_area = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(1),
    );
    let wide = area.width >= 110;
    // SCORE, LABEL, EXAMPLE, SPAN, then the explanation takes the rest.
    let fixed = [
        5u16,
        11,
        if wide { 14 } else { 9 },
        if wide { 18 } else { 12 },
    ];
    let rest = area
        .width
        .saturating_sub(fixed.iter().sum::<u16>() + fixed.len() as u16);
    let mut widths = fixed.to_vec();
    widths.push(rest);
    let titles = ["SCORE", "LABEL", "EXAMPLE", "SPAN", "EXPLANATION / INPUT"];
    let header = Row::new(
        titles
            .iter()
            .zip(&widths)
            .map(|(t, w)| cell_left(t, *w, theme.header())),
    );
    let rows_h = table_area.height.saturating_sub(1) as usize;
    let rows = s.worst.iter().skip(s.worst_offset).take(rows_h).map(|r| {
        let verdict = match r.passed {
            Some(false) => theme.error(),
            Some(true) => theme.ok(),
            None => theme.dim(),
        };
        let example = r
            .example_id
            .clone()
            .or_else(|| r.experiment.clone())
            .unwrap_or_else(|| "·".into());
        let why = r
            .explanation
            .clone()
            .or_else(|| r.input_preview.clone())
            .unwrap_or_default();
        Row::new(vec![
            cell_right(&score(r.score), widths[0], verdict),
            cell_left(&safe(r.label.as_deref().unwrap_or("·")), widths[1], verdict),
            cell_left(&safe(&example), widths[2], Style::new()),
            cell_left(&safe(&r.span_name), widths[3], theme.accent()),
            cell_left(&safe(&why), widths[4], theme.dim()),
        ])
    });
    let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let selected = s
        .worst_selected
        .checked_sub(s.worst_offset)
        .filter(|i| *i < rows_h && s.worst_selected < s.worst.len());
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, table_area, &mut state);
}

#[cfg(test)]
#[path = "evals_tests.rs"]
mod tests;
