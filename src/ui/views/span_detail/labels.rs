//! Labels and number formats shared by the span tree and the span detail: the
//! GenAI kind of a span, the short model name, token counts and durations.

use ratatui::style::Style;

use crate::model::{LlmFacet, LlmKind, Span};
use crate::ui::text;
use crate::ui::theme::Theme;

/// The kind label of a span (5 cells).
pub(crate) fn kind_label(span: &Span) -> &'static str {
    match span.llm.as_ref().map(|l| l.kind) {
        Some(LlmKind::Llm) => "LLM",
        Some(LlmKind::Chat) => "CHAT",
        Some(LlmKind::Embedding) => "EMB",
        Some(LlmKind::Retriever) => "RETR",
        Some(LlmKind::Reranker) => "RANK",
        Some(LlmKind::Tool) => "TOOL",
        Some(LlmKind::Agent) => "AGENT",
        Some(LlmKind::Chain) => "CHAIN",
        Some(LlmKind::Workflow) => "FLOW",
        Some(LlmKind::Task) => "TASK",
        Some(LlmKind::Guardrail) => "GUARD",
        Some(LlmKind::Evaluator) => "EVAL",
        None => "span",
    }
}

pub(crate) fn kind_style(span: &Span, theme: &Theme) -> Style {
    match span.llm.as_ref() {
        Some(l) => theme.kind(l.kind),
        None => theme.dim(),
    }
}

/// The model without its date suffix or path (`gpt-4o-mini-2024-07-18` →
/// `gpt-4o-mini`, `models/gemini-1.5-pro` → `gemini-1.5-pro`).
pub(crate) fn short_model(model: &str) -> &str {
    let m = model.rsplit('/').next().unwrap_or(model);
    let b = m.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let n = b.len();
    let dated = n > 11
        && b[n - 11] == b'-'
        && b[n - 6] == b'-'
        && b[n - 3] == b'-'
        && digits(n - 10..n - 6)
        && digits(n - 5..n - 3)
        && digits(n - 2..n);
    if dated {
        return &m[..n - 11];
    }
    if n > 9 && b[n - 9] == b'-' && digits(n - 8..n) {
        return &m[..n - 9];
    }
    m
}

/// True when the span's name already says the model (`chat gpt-4o-mini`).
pub(crate) fn name_has_model(name: &str, model: &str) -> bool {
    !model.is_empty() && name.contains(model)
}

/// `42→17`, `16→-`; `None` without token counts.
pub(crate) fn token_text(l: &LlmFacet) -> Option<String> {
    if l.input_tokens.is_none() && l.output_tokens.is_none() {
        return None;
    }
    let f = |n: Option<u64>| n.map(text::tokens).unwrap_or_else(|| "-".into());
    Some(format!("{}→{}", f(l.input_tokens), f(l.output_tokens)))
}

/// `42µs` below a tenth of a millisecond, else as `text::duration_ms`.
pub(crate) fn fmt_duration(nanos: u64) -> String {
    if nanos > 0 && nanos < 100_000 {
        format!("{}µs", nanos.div_ceil(1000))
    } else {
        text::duration_ms(nanos as f64 / 1e6)
    }
}
