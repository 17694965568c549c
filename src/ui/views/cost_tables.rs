//! The cost screen's tables as cells: models (calls, failed calls and their rate,
//! tokens, cached tokens, cost; wide: provider, input/output split, cache savings,
//! mean latency), services / projects / sessions / users (wide: a cost-share bar),
//! and the top traces (flagged `!` over a trace budget).

use ratatui::style::Style;

use super::cost::{Cells, Col, money};
use crate::cost::{GroupRow, ModelRow, TopRow};
use crate::ui::app::App;
use crate::ui::text::{self, safe};
use crate::ui::theme::Theme;

pub(super) fn model_rows(r: &[ModelRow], wide: bool, theme: &Theme) -> (Vec<Col>, Cells) {
    let mut cols: Vec<Col> = vec![("MODEL", 0, false)];
    if wide {
        cols.push(("PROVIDER", 10, false));
    }
    cols.extend([("CALLS", 6, true), ("ERR", 5, true), ("ERR%", 6, true)]);
    if wide {
        cols.extend([("INPUT", 8, true), ("OUTPUT", 8, true)]);
    } else {
        cols.push(("TOKENS", 7, true));
    }
    cols.extend([("CACHED", 7, true), ("COST", 10, true)]);
    if wide {
        cols.extend([("SAVED", 9, true), ("AVG", 7, true)]);
    }
    let plain = Style::new();
    let rows = r
        .iter()
        .map(|m| {
            let err_style = if m.errors > 0 {
                theme.error()
            } else {
                theme.dim()
            };
            let mut cells = vec![(safe(&m.model), plain)];
            if wide {
                cells.push((safe(m.provider.as_deref().unwrap_or("")), theme.dim()));
            }
            cells.extend([
                (m.calls.to_string(), plain),
                (m.errors.to_string(), err_style),
                (format!("{:.1}%", m.error_rate * 100.0), err_style),
            ]);
            if wide {
                cells.push((text::tokens(m.input_tokens), theme.tokens()));
                cells.push((text::tokens(m.output_tokens), theme.tokens()));
            } else {
                cells.push((
                    text::tokens(m.input_tokens + m.output_tokens),
                    theme.tokens(),
                ));
            }
            cells.push((text::tokens(m.cache_read_tokens), theme.dim()));
            cells.push(money(m.cost_usd, m.unpriced_calls, theme));
            if wide {
                cells.push(match m.cache_savings_usd {
                    Some(s) => (text::cost(Some(s)), theme.ok()),
                    None => ("·".into(), theme.dim()),
                });
                cells.push((
                    m.mean_latency_ms.map(text::duration_ms).unwrap_or_default(),
                    theme.dim(),
                ));
            }
            cells
        })
        .collect();
    (cols, rows)
}

/// A bar of `share` (0..1) in `width` cells.
fn share_bar(share: f64, width: usize) -> String {
    let eighths = (share.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push([' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8]);
    }
    s
}

pub(super) fn group_rows(
    r: &[GroupRow],
    name: &'static str,
    count: &'static str,
    total: f64,
    wide: bool,
    theme: &Theme,
) -> (Vec<Col>, Cells) {
    let mut cols: Vec<Col> = vec![
        (name, 0, false),
        (count, 7, true),
        ("LLM", 5, true),
        ("ERR", 5, true),
        ("TOKENS", 7, true),
        ("COST", 10, true),
    ];
    if wide {
        cols.push(("SHARE", 16, false));
    }
    let rows = r
        .iter()
        .map(|g| {
            let n = if count == "SPANS" { g.spans } else { g.traces };
            let err_style = if g.errors > 0 {
                theme.error()
            } else {
                theme.dim()
            };
            let mut cells = vec![
                (safe(&g.name), Style::new()),
                (n.to_string(), Style::new()),
                (g.llm_calls.to_string(), Style::new()),
                (g.errors.to_string(), err_style),
                (text::tokens(g.tokens()), theme.tokens()),
                money(g.cost_usd, g.unpriced_calls, theme),
            ];
            if wide {
                let share = match g.cost_usd {
                    Some(c) if total > 0.0 => c / total,
                    _ => 0.0,
                };
                cells.push((share_bar(share, 11), theme.cost()));
                let last = cells.len() - 1;
                cells[last].0 = format!("{:<11} {:>3.0}%", cells[last].0, share * 100.0);
            }
            cells
        })
        .collect();
    (cols, rows)
}

pub(super) fn top_rows(app: &App, r: &[TopRow], theme: &Theme) -> (Vec<Col>, Cells, Vec<Style>) {
    let cols: Vec<Col> = vec![
        ("!", 1, false),
        ("COST", 10, true),
        ("TOKENS", 7, true),
        ("LLM", 4, true),
        ("UTC", 8, false),
        ("ROOT", 0, false),
        ("SERVICE", 0, false),
    ];
    let mut styles = Vec::new();
    let rows = r
        .iter()
        .map(|t| {
            let over = app.budgets.trace_over(t.cost_usd, t.tokens);
            styles.push(if over { theme.warning() } else { Style::new() });
            vec![
                if over {
                    ("!".to_string(), theme.error())
                } else {
                    (String::new(), Style::new())
                },
                money(t.cost_usd, t.unpriced_calls, theme),
                (text::tokens(t.tokens), theme.tokens()),
                (t.llm_calls.to_string(), Style::new()),
                (text::clock(t.start_unix_nano), theme.dim()),
                (safe(&t.root_name), Style::new()),
                (safe(&t.service), theme.dim()),
            ]
        })
        .collect();
    (cols, rows, styles)
}
