//! The comparison of two experiments: a line naming A (the baseline) and B with the
//! number of regressed examples, per-evaluator rows (results, mean score and pass
//! rate in A and B, and the deltas), then the examples matched by example id or
//! input hash — regressions first, in red; improvements in green.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Paragraph, Row, Table, TableState};

use super::evals::{grade, message, percent, score};
use super::{cell_left, cell_right};
use crate::evals::experiments::{Change, Comparison, ExampleSide};
use crate::ui::app::App;
use crate::ui::text::{self, safe};
use crate::ui::theme::Theme;

fn delta(v: Option<f64>, scale: f64, theme: &Theme) -> (String, Style) {
    match v {
        Some(x) if x.abs() < 0.005 / scale.max(1.0) => ("±0".into(), theme.dim()),
        Some(x) if scale > 1.0 => (
            format!("{:+.0}pp", x * scale),
            if x < 0.0 { theme.error() } else { theme.ok() },
        ),
        Some(x) => (
            format!("{x:+.2}"),
            if x < 0.0 { theme.error() } else { theme.ok() },
        ),
        None => ("–".into(), theme.dim()),
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let s = &app.evals;
    let Some(c) = &s.comparison else {
        let found: Vec<String> = crate::evals::experiments::experiments(&s.records)
            .into_iter()
            .map(|(n, k)| format!("{} ({k})", safe(&n)))
            .collect();
        let msg = format!(
            "Comparing needs results from two experiments. An experiment is named by \
             experiment.name, langsmith.metadata.experiment, dataset.name or the \
             attribute set as key in [experiments]. Found: {}.",
            if found.is_empty() {
                "none".to_string()
            } else {
                found.join(", ")
            }
        );
        message(frame, area, &msg, theme);
        return;
    };
    let regressed = c
        .examples
        .iter()
        .filter(|e| e.change == Change::Regressed)
        .count();
    let head = format!(
        " A {} → B {} · {} examples, {regressed} regressed",
        safe(&c.a),
        safe(&c.b),
        c.examples.len()
    );
    let head_style = if regressed > 0 {
        theme.error()
    } else {
        theme.ok()
    };
    frame.render_widget(
        Paragraph::new(text::fit(&head, area.width as usize)).style(head_style),
        Rect::new(area.x, area.y, area.width, 1),
    );
    let eval_h = (c.evaluators.len() as u16 + 1).min(area.height.saturating_sub(1));
    evaluators(
        frame,
        Rect::new(area.x, area.y + 1, area.width, eval_h),
        c,
        theme,
    );
    let top = 1 + eval_h + 1;
    if area.height > top {
        let r = Rect::new(area.x, area.y + top, area.width, area.height - top);
        examples(frame, r, app, c, theme);
    }
}

fn evaluators(frame: &mut Frame, area: Rect, c: &Comparison, theme: &Theme) {
    let fixed = [5u16, 5, 6, 6, 6, 6, 6, 6];
    let eval_w = area
        .width
        .saturating_sub(fixed.iter().sum::<u16>() + fixed.len() as u16);
    let mut widths = vec![eval_w];
    widths.extend(fixed);
    let titles = [
        "EVALUATOR",
        "N A",
        "N B",
        "MEAN A",
        "MEAN B",
        "ΔMEAN",
        "PASS A",
        "PASS B",
        "ΔPASS",
    ];
    let header = Row::new(titles.iter().zip(&widths).enumerate().map(|(i, (t, w))| {
        if i == 0 {
            cell_left(t, *w, theme.header())
        } else {
            cell_right(t, *w, theme.header())
        }
    }));
    let rows = c.evaluators.iter().map(|d| {
        let (dm, dm_style) = delta(d.mean_delta(), 1.0, theme);
        let (dp, dp_style) = delta(d.pass_delta(), 100.0, theme);
        Row::new(vec![
            cell_left(&safe(&d.evaluator), widths[0], theme.accent()),
            cell_right(&d.a.count.to_string(), widths[1], Style::new()),
            cell_right(&d.b.count.to_string(), widths[2], Style::new()),
            cell_right(
                &score(d.a.mean_score()),
                widths[3],
                grade(d.a.mean_score(), theme),
            ),
            cell_right(
                &score(d.b.mean_score()),
                widths[4],
                grade(d.b.mean_score(), theme),
            ),
            cell_right(&dm, widths[5], dm_style),
            cell_right(
                &percent(d.a.pass_rate()),
                widths[6],
                grade(d.a.pass_rate(), theme),
            ),
            cell_right(
                &percent(d.b.pass_rate()),
                widths[7],
                grade(d.b.pass_rate(), theme),
            ),
            cell_right(&dp, widths[8], dp_style),
        ])
    });
    let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
        .header(header)
        .column_spacing(1);
    frame.render_widget(table, area);
}

fn side_text(s: &Option<ExampleSide>) -> String {
    match s {
        None => "·".into(),
        Some(x) => {
            let mark = match x.passed {
                Some(true) => "✓",
                Some(false) => "✗",
                None => "",
            };
            format!("{}{mark}", score(x.score))
        }
    }
}

fn examples(frame: &mut Frame, area: Rect, app: &App, c: &Comparison, theme: &Theme) {
    let s = &app.evals;
    let wide = area.width >= 110;
    let fixed = [
        9u16,
        if wide { 14 } else { 10 },
        if wide { 16 } else { 12 },
        6,
        6,
        6,
    ];
    let rest = area
        .width
        .saturating_sub(fixed.iter().sum::<u16>() + fixed.len() as u16);
    let mut widths = fixed.to_vec();
    widths.push(rest);
    let titles = ["CHANGE", "EXAMPLE", "EVALUATOR", "A", "B", "Δ", "INPUT"];
    let header = Row::new(titles.iter().zip(&widths).enumerate().map(|(i, (t, w))| {
        if (3..6).contains(&i) {
            cell_right(t, *w, theme.header())
        } else {
            cell_left(t, *w, theme.header())
        }
    }));
    let rows_h = area.height.saturating_sub(1) as usize;
    let rows = c
        .examples
        .iter()
        .skip(s.compare_offset)
        .take(rows_h)
        .map(|e| {
            let (label, style) = match e.change {
                Change::Regressed => ("regressed", theme.error()),
                Change::Improved => ("improved", theme.ok()),
                Change::Same => ("same", theme.dim()),
                Change::Unmatched => ("only one", theme.dim()),
            };
            let (d, d_style) = delta(e.delta(), 1.0, theme);
            Row::new(vec![
                cell_left(label, widths[0], style),
                cell_left(&safe(&e.example), widths[1], Style::new()),
                cell_left(&safe(&e.evaluator), widths[2], theme.accent()),
                cell_right(&side_text(&e.a), widths[3], Style::new()),
                cell_right(&side_text(&e.b), widths[4], style),
                cell_right(&d, widths[5], d_style),
                cell_left(
                    &safe(e.preview.as_deref().unwrap_or("")),
                    widths[6],
                    theme.dim(),
                ),
            ])
        });
    let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected());
    let selected = s
        .compare_selected
        .checked_sub(s.compare_offset)
        .filter(|i| *i < rows_h && s.compare_selected < c.examples.len());
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}
