//! The compare screen: A's and B's totals, the deltas and the first divergence on
//! three lines, then the matched span tree drawn once — each row with both runs'
//! durations, the deltas of duration, tokens and cost, and a marker (`=` same, `~`
//! changed, `-` only in A, `+` only in B, `▶` where the runs diverge). Below, the
//! selected row in full: both spans, why it diverges, and for a model call the
//! model, parameters and messages that differ.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::row_text::{delta_style, draw_row, left, right, signed_cost, signed_ms, signed_tokens};
use crate::compare::{CompareRow, RowSide, SpanFigures, TraceComparison, TraceTotals};
use crate::ui::app::App;
use crate::ui::compare_screen::{CompareScreen, HEADER_LINES};
use crate::ui::text::{self, safe};
use crate::ui::theme::Theme;

pub const HINTS: &[(&str, &str)] = &[
    ("?", "help"),
    ("n/N", "divergence"),
    ("Enter", "open span"),
    ("x", "swap"),
    ("Esc", "back"),
    ("q", "quit"),
];

const DUR_W: usize = 8;
const TOK_W: usize = 7;
const COST_W: usize = 11;
const KIND_W: usize = 6;

pub fn title_parts(app: &App, bar: Style, alert: Style) -> Vec<(String, Style)> {
    let mut parts = vec![("compare".to_string(), bar)];
    let Some(c) = app.compare.as_ref() else {
        return parts;
    };
    parts.push((
        format!("A {} · B {}", &c.a.to_hex()[..8], &c.b.to_hex()[..8]),
        bar,
    ));
    match &c.result {
        None => parts.push(("loading…".into(), bar)),
        Some(r) => {
            let (both, only_a, only_b) = r.counts();
            parts.push((format!("{both} matched"), bar));
            if only_a + only_b > 0 {
                parts.push((format!("{only_a} only in A · {only_b} only in B"), alert));
            }
        }
    }
    parts
}

fn totals_line(label: &str, t: &TraceTotals, theme: &Theme) -> Line<'static> {
    let mut parts = vec![
        Span::styled(format!(" {label} "), theme.header()),
        Span::styled(format!("{} ", &t.trace_id.to_hex()[..8]), theme.dim()),
        Span::styled(
            safe(&t.root_name),
            theme.base().add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!(" · {}", safe(&t.service)), theme.dim()),
        Span::raw(format!(" · {}", text::duration_ms(t.duration_ms))),
        Span::styled(
            format!(" · {} tok", text::tokens(t.total_tokens())),
            theme.tokens(),
        ),
        Span::styled(format!(" · {}", text::cost(t.cost_usd)), theme.cost()),
    ];
    if t.errors > 0 {
        parts.push(Span::styled(format!(" · ✗ {}", t.errors), theme.error()));
    }
    Line::from(parts)
}

fn summary_line(r: &TraceComparison, theme: &Theme) -> Line<'static> {
    let ddur = r.b.duration_ms - r.a.duration_ms;
    let dtok = r.b.total_tokens() as i64 - r.a.total_tokens() as i64;
    let dcost = r.a.cost_usd.zip(r.b.cost_usd).map(|(a, b)| b - a);
    let mut parts = vec![
        Span::styled(" Δ ".to_string(), theme.header()),
        Span::styled(signed_ms(ddur), delta_style(ddur, theme)),
        Span::raw(" · "),
        Span::styled(
            format!("{} tok", signed_tokens(dtok)),
            delta_style(dtok as f64, theme),
        ),
    ];
    if let Some(c) = dcost {
        parts.push(Span::raw(" · "));
        parts.push(Span::styled(signed_cost(Some(c)), delta_style(c, theme)));
    }
    parts.push(Span::raw(" · "));
    parts.push(match &r.divergence {
        Some(d) => Span::styled(
            format!("▶ row {}: {}", d.row + 1, safe(&d.summary)),
            theme.warning(),
        ),
        None => Span::styled("no divergence".to_string(), theme.ok()),
    });
    Line::from(parts)
}

/// Column widths: (name, show A/B tokens).
fn name_width(width: usize) -> (usize, bool) {
    let with_tokens = width >= 110;
    let fixed = 3 + KIND_W + 3 * DUR_W + TOK_W + COST_W + if with_tokens { 2 * TOK_W } else { 0 };
    (width.saturating_sub(fixed + 1), with_tokens)
}

fn marker(row: &CompareRow) -> (&'static str, fn(&Theme) -> Style) {
    match row.side {
        RowSide::OnlyA => ("-", Theme::error),
        RowSide::OnlyB => ("+", Theme::ok),
        RowSide::Both
            if row.divergence().is_some() || row.llm.as_ref().is_some_and(|d| !d.is_same()) =>
        {
            ("~", Theme::warning)
        }
        RowSide::Both => ("=", Theme::dim),
    }
}

fn row_parts(
    row: &CompareRow,
    divergence: bool,
    width: usize,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let (name_w, with_tokens) = name_width(width);
    let (m, m_style) = marker(row);
    let dur = |f: Option<&SpanFigures>| {
        f.map(|f| text::duration_ms(f.duration_ms))
            .unwrap_or_default()
    };
    let tok = |f: Option<&SpanFigures>| {
        f.filter(|f| f.tokens() > 0)
            .map(|f| text::tokens(f.tokens()))
            .unwrap_or_default()
    };
    let indent = "  ".repeat(row.depth.min(10));
    let name = format!("{indent}{}", safe(row.name()));
    let name_style = match row.side {
        RowSide::OnlyA => theme.error(),
        RowSide::OnlyB => theme.ok(),
        _ if row.a.as_ref().or(row.b.as_ref()).is_some_and(|f| f.error) => theme.error_row(),
        _ => theme.base(),
    };
    let mut parts = vec![
        Span::styled(
            if divergence { "▶" } else { " " }.to_string(),
            theme.warning(),
        ),
        Span::styled(format!("{m} "), m_style(theme)),
        Span::styled(left(row.kind(), KIND_W), theme.dim()),
        Span::styled(left(&name, name_w), name_style),
        Span::raw(right(&dur(row.a.as_ref()), DUR_W)),
        Span::raw(right(&dur(row.b.as_ref()), DUR_W)),
    ];
    match &row.delta {
        Some(d) => {
            parts.push(Span::styled(
                right(&signed_ms(d.duration_ms), DUR_W),
                delta_style(d.duration_ms, theme),
            ));
            if with_tokens {
                parts.push(Span::styled(
                    right(&tok(row.a.as_ref()), TOK_W),
                    theme.tokens(),
                ));
                parts.push(Span::styled(
                    right(&tok(row.b.as_ref()), TOK_W),
                    theme.tokens(),
                ));
            }
            let t = if d.tokens == 0 {
                String::new()
            } else {
                signed_tokens(d.tokens)
            };
            parts.push(Span::styled(
                right(&t, TOK_W),
                delta_style(d.tokens as f64, theme),
            ));
            parts.push(Span::styled(
                right(&signed_cost(d.cost_usd.filter(|c| c.abs() >= 5e-7)), COST_W),
                delta_style(d.cost_usd.unwrap_or(0.0), theme),
            ));
        }
        None => {
            parts.push(Span::raw(" ".repeat(DUR_W)));
            if with_tokens {
                parts.push(Span::styled(
                    right(&tok(row.a.as_ref()), TOK_W),
                    theme.tokens(),
                ));
                parts.push(Span::styled(
                    right(&tok(row.b.as_ref()), TOK_W),
                    theme.tokens(),
                ));
            }
        }
    }
    parts
}

/// The totals, the header and the matched rows.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(c) = app.compare.as_ref() else {
        return;
    };
    if area.height == 0 {
        return;
    }
    let buf = frame.buffer_mut();
    let Some(r) = c.result.as_ref() else {
        buf.set_line(
            area.x,
            area.y,
            &Line::styled(" loading both traces…", theme.dim()),
            area.width,
        );
        return;
    };
    let w = area.width as usize;
    let lines = [
        totals_line("A", &r.a, theme),
        totals_line("B", &r.b, theme),
        summary_line(r, theme),
    ];
    for (k, line) in lines.iter().enumerate() {
        if (k as u16) < area.height {
            buf.set_line(area.x, area.y + k as u16, line, area.width);
        }
    }
    let (name_w, with_tokens) = name_width(w);
    let mut header = format!(
        "{}{}{}{}{}",
        left("   KIND", 3 + KIND_W),
        left("SPAN", name_w),
        right("A DUR", DUR_W),
        right("B DUR", DUR_W),
        right("ΔDUR", DUR_W),
    );
    if with_tokens {
        header.push_str(&right("A TOK", TOK_W));
        header.push_str(&right("B TOK", TOK_W));
    }
    header.push_str(&right("ΔTOK", TOK_W));
    header.push_str(&right("ΔCOST", COST_W));
    if area.height > 3 {
        buf.set_line(
            area.x,
            area.y + 3,
            &Line::styled(header, theme.header()),
            area.width,
        );
    }
    let first = area.y + HEADER_LINES;
    let divergence = r.divergence.as_ref().map(|d| d.row);
    for (k, row) in r.rows.iter().enumerate().skip(c.offset) {
        let y = first + (k - c.offset) as u16;
        if y >= area.bottom() {
            break;
        }
        let parts = row_parts(row, divergence == Some(k), w, theme);
        draw_row(buf, area, y, parts, k == c.selected, theme);
    }
}

fn figures_line(label: &str, f: Option<&SpanFigures>, theme: &Theme) -> Line<'static> {
    let Some(f) = f else {
        return Line::from(vec![
            Span::styled(format!(" {label} "), theme.header()),
            Span::styled("(not in this run)", theme.dim()),
        ]);
    };
    let mut parts = vec![
        Span::styled(format!(" {label} "), theme.header()),
        Span::styled(safe(&f.name), theme.base().add_modifier(Modifier::BOLD)),
        Span::styled(format!(" · {}", safe(&f.service)), theme.dim()),
    ];
    if let Some(m) = &f.model {
        parts.push(Span::styled(format!(" · {}", safe(m)), theme.accent()));
    }
    parts.push(Span::raw(format!(
        " · {}",
        text::duration_ms(f.duration_ms)
    )));
    if f.tokens() > 0 {
        parts.push(Span::styled(
            format!(
                " · {}→{} tok",
                text::tokens(f.input_tokens),
                text::tokens(f.output_tokens)
            ),
            theme.tokens(),
        ));
    }
    if f.cost_usd.is_some() {
        parts.push(Span::styled(
            format!(" · {}", text::cost(f.cost_usd)),
            theme.cost(),
        ));
    }
    if f.error {
        parts.push(Span::styled(
            format!(" · ✗ {}", safe(&f.status_message)),
            theme.error(),
        ));
    }
    Line::from(parts)
}

/// The selected row's lines: both spans, the divergence, the model call's changes.
fn detail_lines(c: &CompareScreen, r: &TraceComparison, theme: &Theme) -> Vec<Line<'static>> {
    let Some(row) = r.rows.get(c.selected) else {
        return vec![];
    };
    let mut out = vec![
        Line::styled(
            format!(
                " row {} of {} · {}",
                c.selected + 1,
                r.rows.len(),
                safe(row.name())
            ),
            theme.header(),
        ),
        figures_line("A", row.a.as_ref(), theme),
        figures_line("B", row.b.as_ref(), theme),
    ];
    if let Some(reason) = row.divergence() {
        out.push(Line::styled(
            format!(" ▶ {}", safe(&reason.describe(row.name()))),
            theme.warning(),
        ));
    }
    let Some(d) = row.llm.as_ref() else {
        return out;
    };
    if d.is_same() {
        out.push(Line::styled(
            format!(" same model, parameters and {} messages", d.same_messages),
            theme.dim(),
        ));
        return out;
    }
    let opt = |v: &Option<String>, none: &str| safe(v.as_deref().unwrap_or(none));
    if d.model_changed {
        out.push(Line::from(vec![
            Span::styled(format!(" {} ", left("model", 12)), theme.dim()),
            Span::styled(opt(&d.model_a, "?"), theme.error()),
            Span::raw(" → "),
            Span::styled(opt(&d.model_b, "?"), theme.ok()),
        ]));
    }
    for p in &d.params {
        let name = p.name.strip_prefix("gen_ai.request.").unwrap_or(&p.name);
        out.push(Line::from(vec![
            Span::styled(format!(" {} ", left(&safe(name), 12)), theme.dim()),
            Span::styled(opt(&p.a, "(unset)"), theme.error()),
            Span::raw(" → "),
            Span::styled(opt(&p.b, "(unset)"), theme.ok()),
        ]));
    }
    for m in &d.messages {
        let label = format!("{} {}", m.section.as_str(), m.index + 1);
        out.push(Line::from(vec![
            Span::styled(format!(" {} ", left(&label, 12)), theme.dim()),
            Span::styled("A ", theme.header()),
            Span::styled(opt(&m.a, "(none)"), theme.error()),
        ]));
        out.push(Line::from(vec![
            Span::raw(format!(" {} ", left("", 12))),
            Span::styled("B ", theme.header()),
            Span::styled(opt(&m.b, "(none)"), theme.ok()),
        ]));
    }
    if d.same_messages > 0 {
        out.push(Line::styled(
            format!(" {} other messages are the same", d.same_messages),
            theme.dim(),
        ));
    }
    out
}

/// The selected row in full.
pub fn render_detail(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(c) = app.compare.as_ref() else {
        return;
    };
    let Some(r) = c.result.as_ref() else { return };
    let buf = frame.buffer_mut();
    for (k, line) in detail_lines(c, r, theme).iter().enumerate() {
        let y = area.y + k as u16;
        if y >= area.bottom() {
            break;
        }
        buf.set_line(area.x, y, line, area.width);
    }
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
