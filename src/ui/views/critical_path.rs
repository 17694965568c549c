//! The critical path of the open trace (`c`): only the spans on it, in tree order,
//! each with the time of the path spent in it and its share of the trace's
//! duration, as a number and a bar. The selected step's span fills the detail pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::row_text::{draw_row, left, right};
use super::trace_tree::{fmt_duration, kind_label, kind_style};
use crate::ui::app::{App, Pane};
use crate::ui::text::safe;
use crate::ui::theme::Theme;

const KIND_W: usize = 6;
const DUR_W: usize = 8;
const SHARE_W: usize = 6;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(t) = app.trace.as_ref() else { return };
    if area.height == 0 {
        return;
    }
    let cp = &t.analysis.critical;
    let focused = t.pane == Pane::Tree;
    let title = Line::from(vec![
        Span::styled(if focused { "▌" } else { " " }, theme.border(true)),
        Span::styled("critical path", theme.header()),
        Span::styled(
            format!(
                " · {} · {} spans · c: back to the tree",
                fmt_duration(cp.total_ns),
                cp.steps.len()
            ),
            theme.dim(),
        ),
    ]);
    let buf = frame.buffer_mut();
    buf.set_line(area.x, area.y, &title, area.width);
    let w = area.width as usize;
    let bar_w = if w >= 70 { (w / 6).min(20) } else { 0 };
    let name_w = w.saturating_sub(2 + KIND_W + DUR_W + SHARE_W + bar_w + usize::from(bar_w > 0));
    for (k, step) in cp.steps.iter().enumerate().skip(t.step_offset) {
        let y = area.y + 1 + (k - t.step_offset) as u16;
        if y >= area.bottom() {
            break;
        }
        let span = &t.detail.spans[step.index];
        let name = format!("{}{}", " ".repeat(step.depth.min(12)), safe(&span.name));
        let name_style = if span.is_error() {
            theme.error_row()
        } else {
            theme.base()
        };
        let mut parts = vec![
            Span::styled("◆ ", theme.warning()),
            Span::styled(left(kind_label(span), KIND_W), kind_style(span, theme)),
            Span::styled(left(&name, name_w), name_style),
            Span::raw(right(&fmt_duration(step.on_path_ns), DUR_W)),
            Span::styled(
                right(&format!("{:.0}%", step.share * 100.0), SHARE_W),
                theme.accent(),
            ),
        ];
        if bar_w > 0 {
            let cells = ((step.share * bar_w as f64).round() as usize).min(bar_w);
            let cells = if step.share > 0.0 { cells.max(1) } else { 0 };
            parts.push(Span::raw(" "));
            parts.push(Span::styled("█".repeat(cells), theme.warning()));
            parts.push(Span::raw(" ".repeat(bar_w - cells)));
        }
        draw_row(buf, area, y, parts, focused && k == t.step_selected, theme);
    }
}
