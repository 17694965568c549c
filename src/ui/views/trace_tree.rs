//! The span tree of the open trace (tui-tree-widget), with a title line over it and,
//! on each row: the GenAI kind, the span name, the model, tokens, cost, duration and
//! a waterfall bar on the trace's time axis.
//!
//! The widget's state is rebuilt from `App` every frame (views never mutate the app):
//! every span not in `collapsed` is opened, the selected span's path is selected and
//! the scroll offset is `TraceView.offset`, which `App::update` keeps in view with the
//! same `layout` geometry. Only the rows in that window get their full text; the
//! others get an empty line, so a 10,000-span trace costs little more than the tree
//! links.

use std::collections::HashSet;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span as TextSpan, Text};
use ratatui::widgets::StatefulWidget;
use tui_tree_widget::{Tree, TreeItem, TreeState};

use crate::model::{Span, SpanId};
use crate::ui::app::{App, Pane, TraceView};
use crate::ui::text;
use crate::ui::theme::Theme;

pub use super::span_detail::bench::bench_detail;
pub(crate) use super::span_detail::labels::{
    fmt_duration, kind_label, kind_style, name_has_model, short_model, token_text,
};

/// Cells the widget indents per level (tui-tree-widget 0.24: `depth * 2`).
const INDENT: usize = 2;
/// Width of the node symbols (`▾ `, `▸ `, two spaces for leaves).
const NODE: usize = 2;
/// Nesting the widget is given at most (it flattens recursively); deeper spans are
/// shown at this depth, in order.
const MAX_DEPTH: usize = 64;
const KIND_W: usize = 6;
const TOKENS_W: usize = 11;
const COST_W: usize = 10;
const DUR_W: usize = 7;
/// Self time (spans with children only), dim, after the duration, from 70 cells
/// (the side-by-side tree at 120 columns is 66 wide: the detail's title has it).
const SELF_W: usize = 7;

/// Draws the tree of `app.trace` in `area` (its first line is the trace's title).
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(t) = app.trace.as_ref() else { return };
    if area.width == 0 || area.height == 0 {
        return;
    }
    let focused = t.pane == Pane::Tree;
    let title = title_line(t, theme, focused, area.width as usize);
    frame
        .buffer_mut()
        .set_line(area.x, area.y, &title, area.width);
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    if body.height == 0 {
        return;
    }
    if t.detail.spans.is_empty() {
        let msg = if t.loading {
            "loading…"
        } else {
            "no spans in this trace"
        };
        frame.buffer_mut().set_line(
            body.x,
            body.y,
            &Line::styled(format!(" {msg}"), theme.dim()),
            body.width,
        );
        return;
    }
    let selected = t.selected_index();
    let cols = Columns::new(body.width as usize, selected.is_some());
    let built = build_items(t, &cols, body.height as usize, theme);
    let symbol = match (selected.is_some(), focused) {
        (false, _) => "",
        (true, true) => "▌",
        (true, false) => " ",
    };
    let Ok(tree) = Tree::new(&built.items) else {
        return;
    };
    let tree = tree
        .highlight_symbol(symbol)
        .highlight_style(selection_style(theme, focused))
        .node_open_symbol("▾ ")
        .node_closed_symbol("▸ ")
        .node_no_children_symbol("  ");
    let mut state = TreeState::default();
    for path in built.opened {
        state.open(path);
    }
    if t.offset > 0 {
        // `TreeState::scroll_down` clamps to the rows of the last render, and a fresh
        // state has seen none: a 1×1 render first teaches it the row count.
        let scratch_area = Rect::new(0, 0, 1, 1);
        let mut scratch = Buffer::empty(scratch_area);
        StatefulWidget::render(tree.clone(), scratch_area, &mut scratch, &mut state);
        state.scroll_up(usize::MAX);
        state.scroll_down(t.offset);
    }
    if let Some(path) = built.selected {
        state.select(path);
    }
    frame.render_stateful_widget(tree, body, &mut state);
}

/// Style patched over the selected row: strong with the keys, weaker without.
fn selection_style(theme: &Theme, focused: bool) -> Style {
    if focused {
        theme.selected()
    } else {
        theme.selected().remove_modifier(Modifier::BOLD)
    }
}

/// Column widths of a row for a tree `width` cells wide.
#[derive(Debug, Clone, Copy)]
struct Columns {
    /// Name + model at depth 0 (shrinks by `INDENT` per level).
    label: usize,
    cost: usize,
    /// Self-time cells (0: hidden).
    self_time: usize,
    /// Waterfall cells (0: hidden), after one space.
    bar: usize,
}

impl Columns {
    fn new(width: usize, has_symbol: bool) -> Columns {
        let lead = usize::from(has_symbol) + NODE;
        let cost = if width >= 90 { COST_W } else { 0 };
        let self_time = if width >= 70 { SELF_W } else { 0 };
        let fixed = lead + KIND_W + TOKENS_W + cost + DUR_W + self_time;
        let bar = if width < 50 {
            0
        } else {
            width.saturating_sub(fixed + 40).clamp(10, width / 3)
        };
        let label = width.saturating_sub(fixed + bar + usize::from(bar > 0));
        Columns {
            label,
            cost,
            self_time,
            bar,
        }
    }
}

struct Built<'a> {
    items: Vec<TreeItem<'a, SpanId>>,
    opened: Vec<Vec<SpanId>>,
    selected: Option<Vec<SpanId>>,
}

/// The widget's items, in `tree.children` order, built without recursion.
fn build_items<'a>(t: &TraceView, cols: &Columns, rows: usize, theme: &Theme) -> Built<'a> {
    let spans = &t.detail.spans;
    let tree = &t.tree;
    // Rows on screen get text; the rest an empty line (the widget only draws the
    // window, but needs every item for the structure).
    let mut on_screen = vec![false; spans.len()];
    for &i in t.visible.iter().skip(t.offset).take(rows) {
        if let Some(v) = on_screen.get_mut(i) {
            *v = true;
        }
    }
    let shown: HashSet<usize> = if tree.order.iter().any(|&i| tree.depth[i] > MAX_DEPTH) {
        t.visible.iter().copied().collect()
    } else {
        HashSet::new()
    };
    let selected = t.selected_index();
    let axis = Axis::new(tree.start, tree.end, cols.bar);
    let mut out = Built {
        items: Vec::with_capacity(tree.roots.len()),
        opened: Vec::new(),
        selected: None,
    };
    // The open ancestors of the current span, innermost last.
    let mut stack: Vec<Open<'a>> = Vec::new();
    for &i in &tree.order {
        let real_depth = tree.depth[i];
        // A resent span stored twice (the store de-duplicates; bad data could not):
        // the widget needs unique ids among siblings, so the copy is left out.
        let duplicate = tree.index_of.get(&spans[i].span_id) != Some(&i);
        if duplicate || (real_depth > MAX_DEPTH && !shown.contains(&i)) {
            continue;
        }
        let depth = real_depth.min(MAX_DEPTH);
        while stack.len() > depth {
            close_top(&mut stack, &mut out.items);
        }
        let mut path: Vec<SpanId> = stack.last().map(|o| o.path.clone()).unwrap_or_default();
        path.push(spans[i].span_id);
        if selected == Some(i) {
            out.selected = Some(path.clone());
        }
        if !tree.children[i].is_empty() && !t.collapsed.contains(&spans[i].span_id) {
            out.opened.push(path.clone());
        }
        let text = if on_screen[i] {
            let mark = t.marks.get(&spans[i].span_id);
            let wraps = t
                .wrapped
                .get(&spans[i].span_id)
                .and_then(|c| tree.index_of.get(c))
                .and_then(|&c| spans.get(c));
            let timing = Timing {
                on_path: t.analysis.on_path(i),
                self_ns: t
                    .analysis
                    .self_ns
                    .get(i)
                    .copied()
                    .filter(|_| !tree.children[i].is_empty()),
            };
            let row = RowFacts {
                mark,
                wraps,
                timing,
            };
            Text::from(row_line(&spans[i], row, depth, cols, &axis, theme))
        } else {
            Text::from(Line::default())
        };
        stack.push(Open {
            id: spans[i].span_id,
            path,
            text,
            children: Vec::new(),
        });
    }
    while !stack.is_empty() {
        close_top(&mut stack, &mut out.items);
    }
    out
}

/// A span whose children are still being built.
struct Open<'a> {
    id: SpanId,
    path: Vec<SpanId>,
    text: Text<'a>,
    children: Vec<TreeItem<'a, SpanId>>,
}

/// Pops the innermost open span and adds it (with its children) to its parent.
fn close_top<'a>(stack: &mut Vec<Open<'a>>, roots: &mut Vec<TreeItem<'a, SpanId>>) {
    let Some(open) = stack.pop() else { return };
    let item = if open.children.is_empty() {
        TreeItem::new_leaf(open.id, open.text)
    } else {
        TreeItem::new(open.id, open.text.clone(), open.children)
            // Duplicate span ids among siblings (bad data): the span alone.
            .unwrap_or_else(|_| TreeItem::new_leaf(open.id, open.text))
    };
    match stack.last_mut() {
        Some(parent) => parent.children.push(item),
        None => roots.push(item),
    }
}

/// Maps times to waterfall cells, in eighths of a cell.
struct Axis {
    start: u64,
    span: u64,
    cells: usize,
}

impl Axis {
    fn new(start: u64, end: u64, cells: usize) -> Axis {
        Axis {
            start,
            span: end.saturating_sub(start).max(1),
            cells,
        }
    }

    fn eighths(&self, t: u64) -> usize {
        let off = t.saturating_sub(self.start).min(self.span) as u128;
        (off * (self.cells as u128) * 8 / self.span as u128) as usize
    }

    /// The bar of a span from `start` to `end`: (cells before, bar text, cells after).
    fn bar(&self, start: u64, end: u64) -> (usize, String, usize) {
        if self.cells == 0 {
            return (0, String::new(), 0);
        }
        let max = self.cells * 8;
        let s = self.eighths(start).min(max - 1);
        let e = self.eighths(end).clamp(s + 1, max);
        let first = s / 8;
        let last = (e - 1) / 8;
        let mut bar = String::with_capacity((last - first + 1) * 3);
        for c in first..=last {
            let covered = (e.min(c * 8 + 8)).saturating_sub(s.max(c * 8));
            // Left-aligned partial blocks show where a short or ending span stops.
            bar.push(if c < last || covered >= 8 {
                '█'
            } else {
                ['▏', '▎', '▍', '▌', '▋', '▊', '▉'][covered.clamp(1, 7) - 1]
            });
        }
        (first, bar, self.cells - last - 1)
    }
}

fn pad_left(s: &str, w: usize) -> String {
    let s = text::fit(s, w);
    format!("{}{s}", " ".repeat(w.saturating_sub(text::width(&s))))
}

/// What `trace_analysis` says of a row's span.
#[derive(Debug, Clone, Copy)]
struct Timing {
    on_path: bool,
    /// Self time, for spans with children.
    self_ns: Option<u64>,
}

/// One row's text (after the widget's indentation and node symbol).
/// What is known of a row's span beyond the span itself.
#[derive(Debug, Clone, Copy)]
struct RowFacts<'a> {
    /// Retry-chain attempt or fallback (`errors::chains`).
    mark: Option<&'a crate::errors::CallMark>,
    /// The call this wrapper wraps (`model::accounting`): its figures are shown.
    wraps: Option<&'a Span>,
    timing: Timing,
}

fn row_line(
    span: &Span,
    RowFacts {
        mark,
        wraps,
        timing,
    }: RowFacts<'_>,
    depth: usize,
    cols: &Columns,
    axis: &Axis,
    theme: &Theme,
) -> Line<'static> {
    let err = span.is_error();
    let mut parts: Vec<TextSpan<'static>> = Vec::with_capacity(12);
    parts.push(TextSpan::styled(
        format!("{:<w$}", kind_label(span), w = KIND_W),
        kind_style(span, theme),
    ));
    // Name (+ model) padded so the columns after it line up at every depth.
    let mut room = cols.label.saturating_sub(depth * INDENT);
    if err && room >= 4 {
        parts.push(TextSpan::styled("✗ ", theme.error()));
        room -= 2;
    }
    // Retry-chain attempt (↻2/3) or fallback (⤳) of `errors::chains`.
    let label = mark.map(|m| m.label()).unwrap_or_default();
    if !label.is_empty() && room >= text::width(&label) + 8 {
        room -= text::width(&label) + 1;
        parts.push(TextSpan::styled(format!("{label} "), theme.warning()));
    }
    let name = text::safe(&span.name);
    let model = span
        .llm
        .as_ref()
        .and_then(|l| l.model())
        .map(|m| text::safe(short_model(m)))
        .filter(|m| !name_has_model(&span.name, m))
        .unwrap_or_default();
    let name_w = text::width(&name);
    let name_style = if err { theme.error_row() } else { theme.base() };
    let shown_name = if !model.is_empty() && name_w + 1 + 6 <= room {
        name
    } else {
        text::fit(&name, room)
    };
    room = room.saturating_sub(text::width(&shown_name));
    parts.push(TextSpan::styled(shown_name, name_style));
    if !model.is_empty() && room >= 7 {
        let m = text::fit(&model, room - 1);
        room -= 1 + text::width(&m);
        parts.push(TextSpan::styled(format!(" {m}"), theme.dim()));
    }
    parts.push(TextSpan::raw(" ".repeat(room)));
    // A wrapper shows the figures of the call it wraps, dimmed: they are counted there.
    let llm = wraps.and_then(|w| w.llm.as_ref()).or(span.llm.as_ref());
    let model_call = wraps.is_none() && llm.is_some_and(|l| l.kind.is_model_call());
    let tokens = llm.and_then(token_text).unwrap_or_default();
    let tok_style = if model_call {
        theme.tokens()
    } else {
        theme.dim()
    };
    parts.push(TextSpan::styled(pad_left(&tokens, TOKENS_W), tok_style));
    if cols.cost > 0 {
        let cost = llm
            .filter(|l| l.kind.is_model_call())
            .and_then(|l| l.cost_usd)
            .map(|c| text::cost(Some(c)))
            .unwrap_or_default();
        let cost_style = if wraps.is_some() {
            theme.dim()
        } else {
            theme.cost()
        };
        parts.push(TextSpan::styled(pad_left(&cost, cols.cost), cost_style));
    }
    let dur = fmt_duration(span.duration_nanos());
    parts.push(TextSpan::styled(pad_left(&dur, DUR_W), theme.base()));
    if cols.self_time > 0 {
        let own = timing.self_ns.map(fmt_duration).unwrap_or_default();
        parts.push(TextSpan::styled(
            pad_left(&own, cols.self_time),
            theme.dim(),
        ));
    }
    if cols.bar > 0 {
        let (before, bar, after) = axis.bar(span.start_unix_nano, span.end_unix_nano);
        let style = if err {
            theme.error()
        } else if timing.on_path {
            kind_style(span, theme).add_modifier(Modifier::BOLD)
        } else {
            kind_style(span, theme)
        };
        // On the critical path: `◆` just before the bar.
        parts.push(TextSpan::raw(" ".repeat(before)));
        parts.push(if timing.on_path {
            TextSpan::styled("◆", theme.warning())
        } else {
            TextSpan::raw(" ")
        });
        parts.push(TextSpan::styled(bar, style));
        parts.push(TextSpan::raw(" ".repeat(after)));
    }
    Line::from(parts)
}

/// The trace's title: id, root, service, spans, duration, tokens, cost, errors;
/// what does not fit in `width` is left out, least important first.
fn title_line(t: &TraceView, theme: &Theme, focused: bool, width: usize) -> Line<'static> {
    let spans = &t.detail.spans;
    let root = t.tree.roots.first().and_then(|&i| spans.get(i));
    let summary = t.summary.as_ref();
    let root_name = root
        .map(|s| s.name.as_str())
        .or(summary.map(|s| s.root_name.as_str()))
        .unwrap_or("");
    let service = root
        .map(|s| s.service.as_str())
        .or(summary.map(|s| s.service.as_str()))
        .unwrap_or("");
    let (mut input, mut output, mut cost, mut errors) = (0u64, 0u64, None::<f64>, 0usize);
    // A failure re-raised by its ancestors is one error (model::accounting).
    let affected = crate::model::accounting::affected_spans(spans);
    for s in spans {
        errors += usize::from(s.is_error() && !affected.contains(&s.span_id));
        if let Some(l) = s.llm.as_ref().filter(|l| l.kind.is_model_call()) {
            input += l.input_tokens.unwrap_or(0);
            output += l.output_tokens.unwrap_or(0);
            if let Some(c) = l.cost_usd {
                cost = Some(cost.unwrap_or(0.0) + c);
            }
        }
    }
    let n = spans.len();
    let id = t.trace_id.to_hex();
    // (priority: higher stays longer, text, style), in display order.
    let mut parts: Vec<(u8, String, Style)> = vec![
        (9, format!("trace {}", &id[..8]), theme.header()),
        (
            4,
            text::safe(root_name),
            theme.base().add_modifier(Modifier::BOLD),
        ),
        (1, text::safe(service), theme.dim()),
        (
            8,
            format!("{n} span{}", if n == 1 { "" } else { "s" }),
            theme.base(),
        ),
    ];
    if n > 0 {
        parts.push((
            7,
            fmt_duration(t.tree.end.saturating_sub(t.tree.start)),
            theme.base(),
        ));
    }
    if input + output > 0 {
        let tok = format!("{}→{} tok", text::tokens(input), text::tokens(output));
        parts.push((6, tok, theme.tokens()));
    }
    if cost.is_some() {
        parts.push((5, text::cost(cost), theme.cost()));
    }
    if errors > 0 {
        let e = format!("✗ {errors} error{}", if errors == 1 { "" } else { "s" });
        parts.push((8, e, theme.error()));
    }
    if !t.analysis.critical.steps.is_empty() {
        parts.push((3, "◆ critical path (c)".into(), theme.warning()));
    }
    if t.loading && n > 0 {
        parts.push((2, "updating…".into(), theme.dim()));
    }
    parts.retain(|(_, s, _)| !s.is_empty());
    let total = |p: &[(u8, String, Style)]| {
        1 + p.iter().map(|(_, s, _)| text::width(s)).sum::<usize>() + 3 * p.len().saturating_sub(1)
    };
    while total(&parts) > width && parts.len() > 1 {
        let Some(pos) = parts
            .iter()
            .enumerate()
            .min_by_key(|(i, (prio, _, _))| (*prio, usize::MAX - i))
            .map(|(i, _)| i)
        else {
            break;
        };
        parts.remove(pos);
    }
    let mut line = vec![TextSpan::styled(
        if focused { "▌" } else { " " },
        theme.border(true),
    )];
    for (i, (_, s, style)) in parts.into_iter().enumerate() {
        if i > 0 {
            line.push(TextSpan::styled(" · ", theme.dim()));
        }
        line.push(TextSpan::styled(s, style));
    }
    Line::from(line)
}

#[cfg(test)]
#[path = "span_detail/trace_tree_tests.rs"]
mod tests;
