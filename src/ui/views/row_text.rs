//! Small helpers the hand-drawn lists share (compare, critical path, agent flow):
//! right-aligned cells, signed deltas, and drawing one row with the selection
//! patched over it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::ui::text;
use crate::ui::theme::Theme;

/// `s` cut to `w` cells and padded on the left.
pub(crate) fn right(s: &str, w: usize) -> String {
    let s = text::fit(s, w);
    format!("{}{s}", " ".repeat(w.saturating_sub(text::width(&s))))
}

/// `s` cut to `w` cells and padded on the right.
pub(crate) fn left(s: &str, w: usize) -> String {
    text::fit_pad(s, w)
}

/// `+512ms`, `-1.20s`, `0`.
pub(crate) fn signed_ms(ms: f64) -> String {
    if ms.abs() < 0.5 {
        return "0".into();
    }
    let sign = if ms < 0.0 { "-" } else { "+" };
    format!("{sign}{}", text::duration_ms(ms.abs()))
}

/// `+120`, `-3.4k`, `0`.
pub(crate) fn signed_tokens(n: i64) -> String {
    match n {
        0 => "0".into(),
        n if n < 0 => format!("-{}", text::tokens(n.unsigned_abs())),
        n => format!("+{}", text::tokens(n as u64)),
    }
}

/// `+$0.0012`, `-$0.01`, `$0`, blank when unknown.
pub(crate) fn signed_cost(c: Option<f64>) -> String {
    match c {
        None => String::new(),
        Some(c) if c.abs() < 5e-7 => "$0".into(),
        Some(c) => format!(
            "{}{}",
            if c < 0.0 { "-" } else { "+" },
            text::cost(Some(c.abs()))
        ),
    }
}

/// Green when B is cheaper or faster, red when dearer or slower.
pub(crate) fn delta_style(delta: f64, theme: &Theme) -> Style {
    if delta > 0.0 {
        theme.error()
    } else if delta < 0.0 {
        theme.ok()
    } else {
        theme.dim()
    }
}

/// Draws `parts` on line `y` of `area`, the selection style patched over it.
pub(crate) fn draw_row(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    parts: Vec<Span<'static>>,
    selected: bool,
    theme: &Theme,
) {
    if y >= area.bottom() {
        return;
    }
    let row = Rect::new(area.x, y, area.width, 1);
    buf.set_line(area.x, y, &Line::from(parts), area.width);
    if selected {
        buf.set_style(row, theme.selected());
    }
}
