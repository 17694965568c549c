//! The agent flow of the open trace (`f`): its steps in order — agent, model call,
//! tool, handoff, LangGraph node, answer — indented under the agent that runs them,
//! each with tokens, cost and latency; a run of identical steps shows once with
//! `×N`, a model ⇄ tool loop as one pair marked `↺×N`. Enter jumps to the step's
//! span in the tree.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::row_text::{draw_row, left, right};
use super::trace_tree::fmt_duration;
use crate::trace_analysis::{FlowStep, FlowStepKind};
use crate::ui::app::{App, Pane};
use crate::ui::text::{self, safe};
use crate::ui::theme::Theme;

const KIND_W: usize = 10;
const COUNT_W: usize = 5;
const TOKENS_W: usize = 12;
const COST_W: usize = 10;
const DUR_W: usize = 8;

fn kind_text(kind: FlowStepKind) -> &'static str {
    match kind {
        FlowStepKind::Agent => "◆ agent",
        FlowStepKind::Handoff => "⇢ handoff",
        FlowStepKind::Node => "□ node",
        FlowStepKind::ModelCall => "◇ model",
        FlowStepKind::Retrieval => "◇ retrieve",
        FlowStepKind::Tool => "▸ tool",
        FlowStepKind::Answer => "● answer",
    }
}

fn kind_style(kind: FlowStepKind, theme: &Theme) -> ratatui::style::Style {
    use crate::model::LlmKind;
    match kind {
        FlowStepKind::Agent | FlowStepKind::Handoff => theme.kind(LlmKind::Agent),
        FlowStepKind::Node => theme.kind(LlmKind::Chain),
        FlowStepKind::ModelCall | FlowStepKind::Answer => theme.kind(LlmKind::Chat),
        FlowStepKind::Retrieval => theme.kind(LlmKind::Retriever),
        FlowStepKind::Tool => theme.kind(LlmKind::Tool),
    }
}

fn row_parts(step: &FlowStep, width: usize, theme: &Theme) -> Vec<Span<'static>> {
    let cost_w = if width >= 60 { COST_W } else { 0 };
    let name_w = width.saturating_sub(1 + KIND_W + COUNT_W + TOKENS_W + cost_w + DUR_W);
    let label = format!("{}{}", "  ".repeat(step.depth.min(8)), safe(&step.label));
    let count = match (step.count, step.loop_len) {
        (1, _) => String::new(),
        (n, 2) => format!("↺×{n}"),
        (n, _) => format!("×{n}"),
    };
    let tokens = if step.input_tokens + step.output_tokens > 0 {
        format!(
            "{}→{}",
            text::tokens(step.input_tokens),
            text::tokens(step.output_tokens)
        )
    } else {
        String::new()
    };
    let name_style = if step.error {
        theme.error_row()
    } else {
        theme.base()
    };
    let mut parts = vec![
        Span::raw(" "),
        Span::styled(
            left(kind_text(step.kind), KIND_W),
            kind_style(step.kind, theme),
        ),
        Span::styled(left(&label, name_w), name_style),
        Span::styled(right(&count, COUNT_W), theme.warning()),
        Span::styled(right(&tokens, TOKENS_W), theme.tokens()),
    ];
    if cost_w > 0 {
        let cost = step
            .cost_usd
            .map(|c| text::cost(Some(c)))
            .unwrap_or_default();
        parts.push(Span::styled(right(&cost, cost_w), theme.cost()));
    }
    parts.push(Span::raw(right(&fmt_duration(step.duration_ns), DUR_W)));
    parts
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(t) = app.trace.as_ref() else { return };
    if area.height == 0 {
        return;
    }
    let flow = &t.analysis.flow;
    let focused = t.pane == Pane::Tree;
    let title = Line::from(vec![
        Span::styled(if focused { "▌" } else { " " }, theme.border(true)),
        Span::styled("agent flow", theme.header()),
        Span::styled(
            format!(
                " · {} steps · Enter: to the span · f: back to the tree",
                flow.steps.len()
            ),
            theme.dim(),
        ),
    ]);
    let buf = frame.buffer_mut();
    buf.set_line(area.x, area.y, &title, area.width);
    if flow.steps.is_empty() {
        buf.set_line(
            area.x,
            area.y + 1,
            &Line::styled(" no agent steps in this trace", theme.dim()),
            area.width,
        );
        return;
    }
    let w = area.width as usize;
    for (k, step) in flow.steps.iter().enumerate().skip(t.step_offset) {
        let y = area.y + 1 + (k - t.step_offset) as u16;
        if y >= area.bottom() {
            break;
        }
        draw_row(
            buf,
            area,
            y,
            row_parts(step, w, theme),
            focused && k == t.step_selected,
            theme,
        );
    }
}
