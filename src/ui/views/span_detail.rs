//! The span detail pane: a title line (name, kind, model, status, duration), a tab
//! bar (Chat | Attributes | Events | Logs | Raw), and the current tab's content,
//! wrapped to the pane's width and scrolled by `detail_scroll` (clamped here, as the
//! content's length is only known when it is laid out).
//!
//! Every string from the network goes through `text::safe` on its way in (see
//! `doc`); JSON is pretty-printed, made safe, then highlighted (cached).

pub(crate) mod bench;
mod chat;
mod doc;
mod evals;
pub(crate) mod labels;
mod prompt;
mod tabs;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span as TextSpan};

use self::doc::Doc;
use self::labels::{fmt_duration, kind_label, kind_style, short_model};
use crate::model::StatusCode;
use crate::ui::app::{App, DetailTab, Input, Pane, TraceView};
use crate::ui::layout;
use crate::ui::text;
use crate::ui::theme::{ColorMode, Theme};

/// Draws the selected span's detail in `area` (`layout.detail`).
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(t) = app.trace.as_ref() else { return };
    if area.width == 0 || area.height == 0 {
        return;
    }
    let focused = t.pane == Pane::Detail;
    let buf = frame.buffer_mut();
    // Side by side: a rule between the tree and the detail.
    let inner = if area.x > 0 {
        for y in area.top()..area.bottom() {
            buf[(area.x, y)]
                .set_symbol("│")
                .set_style(theme.border(focused));
        }
        Rect {
            x: area.x + 1,
            width: area.width - 1,
            ..area
        }
    } else {
        area
    };
    if inner.width == 0 {
        return;
    }
    let width = inner.width;
    let Some(i) = t.selected_index() else {
        let msg = if t.loading { "" } else { " no span selected" };
        buf.set_line(inner.x, inner.y, &Line::styled(msg, theme.dim()), width);
        return;
    };
    buf.set_line(inner.x, inner.y, &title_line(t, i, theme, focused), width);
    if inner.height < 2 {
        return;
    }
    // Lines of content: what `update` pages by (`layout.detail_rows()`).
    let rows = layout::compute(app.width, app.height, app.screen)
        .detail_rows()
        .min(inner.height as usize - 2);
    let content_w = width.saturating_sub(1) as usize;
    let lines = doc::wrap(content(t, i, theme, false), content_w);
    let max_scroll = lines.len().saturating_sub(rows);
    let scroll = t.detail_scroll.min(max_scroll);
    let filtering = matches!(app.input, Some(Input::AttributeFilter(_)));
    let tabs = tab_bar(
        t,
        i,
        theme,
        (focused, filtering),
        (scroll, rows, lines.len()),
        width as usize,
    );
    buf.set_line(inner.x, inner.y + 1, &tabs, width);
    for (n, line) in lines.iter().skip(scroll).take(rows).enumerate() {
        buf.set_line(inner.x + 1, inner.y + 2 + n as u16, line, content_w as u16);
    }
}

/// The current tab's content as plain text (for `y`), for the selected span.
pub fn plain_text(view: &TraceView) -> String {
    let Some(i) = view.selected_index() else {
        return String::new();
    };
    let theme = Theme::new(ColorMode::None);
    doc::to_plain(&content(view, i, &theme, true))
}

/// The unwrapped lines of the current tab for span `i`.
fn content(t: &TraceView, i: usize, theme: &Theme, plain: bool) -> Vec<Line<'static>> {
    let mut d = Doc::new(theme, plain);
    let Some(span) = t.detail.spans.get(i) else {
        return d.lines;
    };
    let logs = t.detail.logs.get(i).map(Vec::as_slice).unwrap_or(&[]);
    match t.tab {
        DetailTab::Chat => chat::build(&mut d, span, &t.detail.spans, t.system_expanded),
        DetailTab::Attributes => tabs::attributes(&mut d, span, &t.attribute_filter),
        DetailTab::Events => tabs::events(&mut d, span),
        DetailTab::Logs => tabs::logs(&mut d, span, logs),
        DetailTab::Raw => tabs::raw(&mut d, span, logs),
    }
    while d.lines.last().is_some_and(|l| l.width() == 0) {
        d.lines.pop();
    }
    d.lines
}

/// `▌name · KIND · model · status · duration`.
fn title_line(t: &TraceView, i: usize, theme: &Theme, focused: bool) -> Line<'static> {
    let Some(span) = t.detail.spans.get(i) else {
        return Line::default();
    };
    let sep = || TextSpan::styled(" · ", theme.dim());
    let mut parts = vec![
        TextSpan::styled(if focused { "▌" } else { " " }, theme.border(true)),
        TextSpan::styled(
            text::safe(&span.name),
            theme.base().add_modifier(Modifier::BOLD),
        ),
        sep(),
        TextSpan::styled(kind_label(span), kind_style(span, theme)),
    ];
    if let Some(m) = span.llm.as_ref().and_then(|l| l.model()) {
        parts.push(sep());
        parts.push(TextSpan::raw(text::safe(short_model(m))));
    }
    parts.push(sep());
    let status = span.status.code.as_str();
    parts.push(match span.status.code {
        StatusCode::Error => TextSpan::styled("✗ error", theme.error()),
        StatusCode::Ok => TextSpan::styled(status, theme.ok()),
        StatusCode::Unset => TextSpan::styled(status, theme.dim()),
    });
    parts.push(sep());
    parts.push(TextSpan::raw(fmt_duration(span.duration_nanos())));
    // Self time (not covered by children) and the critical path (trace_analysis).
    if !t.tree.children.get(i).is_none_or(Vec::is_empty)
        && let Some(own) = t.analysis.self_ns.get(i)
    {
        parts.push(TextSpan::styled(
            format!(" (self {})", fmt_duration(*own)),
            theme.dim(),
        ));
    }
    if t.analysis.on_path(i) {
        parts.push(sep());
        parts.push(TextSpan::styled("◆ critical", theme.warning()));
    }
    Line::from(parts)
}

/// ` Chat  Attributes 23  Events 1  Logs  Raw  /filter     12-23/80`: the position
/// on the right; tab names shortened when the line is too narrow for them.
fn tab_bar(
    t: &TraceView,
    i: usize,
    theme: &Theme,
    (focused, filtering): (bool, bool),
    (scroll, rows, total): (usize, usize, usize),
    width: usize,
) -> Line<'static> {
    let span = t.detail.spans.get(i);
    let count = |tab: DetailTab| -> usize {
        match (tab, span) {
            (DetailTab::Attributes, Some(s)) => s.attributes.len() + s.resource.len(),
            (DetailTab::Events, Some(s)) => s.events.len(),
            (DetailTab::Logs, _) => t.detail.logs.get(i).map_or(0, Vec::len),
            _ => 0,
        }
    };
    let position = if total > rows {
        format!("{}-{}/{total}", scroll + 1, (scroll + rows).min(total))
    } else {
        String::new()
    };
    let filter = (t.tab == DetailTab::Attributes && (filtering || !t.attribute_filter.is_empty()))
        .then(|| format!("/{}", text::safe(&t.attribute_filter)));
    let labels = |short: bool| -> Vec<String> {
        DetailTab::ALL
            .iter()
            .map(|tab| {
                let name = match (short, tab) {
                    (true, DetailTab::Attributes) => "Attr",
                    (true, DetailTab::Events) => "Evt",
                    _ => tab.title(),
                };
                match count(*tab) {
                    0 => name.to_string(),
                    n => format!("{name} {n}"),
                }
            })
            .collect()
    };
    let used = |l: &[String]| 1 + l.iter().map(|s| text::width(s) + 2).sum::<usize>();
    let mut names = labels(false);
    if used(&names) + text::width(&position) > width {
        names = labels(true);
    }
    let mut parts = vec![TextSpan::raw(" ")];
    for (tab, label) in DetailTab::ALL.iter().zip(names.iter()) {
        let mut style = if *tab == t.tab {
            theme.tab_active()
        } else {
            theme.tab_inactive()
        };
        if *tab == t.tab && !focused {
            style = style.remove_modifier(Modifier::BOLD);
        }
        parts.push(TextSpan::styled(label.clone(), style));
        parts.push(TextSpan::raw("  "));
    }
    let mut left = used(&names);
    if let Some(f) = filter {
        let room = width.saturating_sub(left + text::width(&position) + 1);
        let f = text::fit(&f, room);
        left += text::width(&f);
        parts.push(TextSpan::styled(f, theme.accent()));
    }
    if !position.is_empty() {
        let pad = width.saturating_sub(left + text::width(&position) + 1);
        parts.push(TextSpan::raw(" ".repeat(pad)));
        parts.push(TextSpan::styled(position, theme.dim()));
    }
    Line::from(parts)
}
