//! The Chat tab: a model call as a conversation (system prompt folded, tool calls
//! with their JSON arguments, tool results), a tool span's call and result,
//! retrieved documents, evaluation results, the exception of a failed span, and the
//! model / tokens / cost / finish-reason lines. Spans without GenAI data get their
//! basics and a pointer to the Attributes tab.

use ratatui::style::Style;
use ratatui::text::Span as TextSpan;

use super::doc::{Doc, parse_structured};
use crate::model::{AttrValue, LlmFacet, Message, Span, ToolCall, ToolInfo};
use crate::ui::text;

/// Arguments shorter than this (compact) are shown on the call's line.
const INLINE_ARGS: usize = 48;
/// Lines of a retrieved document shown under its score and id.
const DOC_LINES: usize = 3;

/// The Chat tab of `span`; `trace` is the whole trace (a tool span's arguments and
/// result may only be on the model calls around it).
pub(super) fn build(doc: &mut Doc, span: &Span, trace: &[Span], system_expanded: bool) {
    if span.is_error() {
        error(doc, span);
    }
    let Some(llm) = span.llm.as_ref() else {
        basics(doc, span);
        return;
    };
    usage(doc, llm);
    super::prompt::section(doc, span);
    if let Some(tool) = &llm.tool {
        tool_span(doc, tool, trace);
    }
    if !llm.input_messages.is_empty() {
        doc.heading("input");
        for m in &llm.input_messages {
            message(doc, m, system_expanded);
        }
    }
    if !llm.output_messages.is_empty() {
        doc.heading("output");
        for m in &llm.output_messages {
            message(doc, m, system_expanded);
        }
    }
    if !llm.documents.is_empty() {
        doc.heading(&format!("documents ({})", llm.documents.len()));
        for d in &llm.documents {
            let score = d
                .score
                .map(|s| format!("{s:.2}"))
                .unwrap_or_else(|| "  - ".into());
            let mut lines = text::safe_multiline(d.content.trim()).into_iter();
            let first = lines.next().unwrap_or_default();
            let mut row = vec![
                TextSpan::styled(score, doc.theme.accent()),
                TextSpan::raw("  "),
            ];
            if let Some(id) = &d.id {
                row.push(TextSpan::styled(text::safe(id), doc.theme.dim()));
                row.push(TextSpan::raw("  "));
            }
            row.push(TextSpan::raw(first));
            doc.push(row);
            let rest: Vec<String> = lines.collect();
            for (n, l) in rest.iter().enumerate() {
                if n + 1 >= DOC_LINES {
                    doc.push(vec![TextSpan::styled("      …", doc.theme.dim())]);
                    break;
                }
                doc.push(vec![TextSpan::raw("      "), TextSpan::raw(l.clone())]);
            }
        }
    }
    super::evals::section(doc, span, trace);
    if llm.tool.is_none()
        && llm.input_messages.is_empty()
        && llm.output_messages.is_empty()
        && llm.documents.is_empty()
        && !super::evals::any(span, trace)
    {
        doc.blank();
        doc.hint("No messages on this span: see Attributes (2).");
    }
}

/// A tool span: the tool, its call id, arguments and result. What the span lacks is
/// taken from the model calls of the trace (the call that asked for it, the message
/// that answered it), matched by call id.
fn tool_span(doc: &mut Doc, tool: &ToolInfo, trace: &[Span]) {
    doc.heading("tool call");
    let style = doc.theme.role("tool");
    let mut head = vec![
        TextSpan::styled("→ ", style),
        TextSpan::styled(text::safe(&tool.name), style),
    ];
    if let Some(id) = &tool.call_id {
        head.push(TextSpan::styled(
            format!("  {}", text::safe(id)),
            doc.theme.dim(),
        ));
    }
    doc.push(head);
    let messages = || {
        trace
            .iter()
            .filter_map(|s| s.llm.as_ref())
            .flat_map(|l| l.input_messages.iter().chain(&l.output_messages))
    };
    let id = tool.call_id.as_deref().filter(|id| !id.is_empty());
    let asked = || {
        messages()
            .flat_map(|m| &m.tool_calls)
            .find(|c| id.is_some() && c.id.as_deref() == id)
            .map(|c| c.arguments.as_str())
    };
    let answered = || {
        messages()
            .find(|m| id.is_some() && m.tool_call_id.as_deref() == id)
            .map(|m| m.content.as_str())
    };
    let parts = [
        ("arguments", tool.arguments.as_deref(), asked()),
        ("result", tool.result.as_deref(), answered()),
    ];
    let mut any = false;
    for (what, own, from_model) in parts {
        let (value, note) = match (own, from_model) {
            (Some(v), _) => (v, ""),
            (None, Some(v)) => (v, " (from the model calls)"),
            (None, None) => continue,
        };
        any = true;
        doc.push(vec![
            TextSpan::styled(format!("  {what}"), doc.theme.dim()),
            TextSpan::styled(note, doc.theme.dim()),
        ]);
        doc.json_or_text(4, value, doc.theme.base());
    }
    if !any {
        doc.hint("  No arguments or result recorded.");
    }
}

/// `model · provider · finish reason`, then `tokens (cached…) · cost`.
fn usage(doc: &mut Doc, llm: &LlmFacet) {
    let t = doc.theme;
    let sep = || TextSpan::styled(" · ", t.dim());
    let mut model = Vec::new();
    if let Some(m) = llm.model() {
        model.push(TextSpan::styled(text::safe(m), t.accent()));
    }
    if let Some(p) = &llm.provider {
        if !model.is_empty() {
            model.push(sep());
        }
        model.push(TextSpan::raw(text::safe(p)));
    }
    if !llm.finish_reasons.is_empty() {
        if !model.is_empty() {
            model.push(sep());
        }
        model.push(TextSpan::styled("finish ", t.dim()));
        model.push(TextSpan::raw(text::safe(&llm.finish_reasons.join(", "))));
    }
    if !model.is_empty() {
        doc.push(model);
    }
    let mut usage = Vec::new();
    if let Some(tok) = super::labels::token_text(llm) {
        usage.push(TextSpan::styled(tok, t.tokens()));
        usage.push(TextSpan::styled(" tokens", t.dim()));
        let mut extra = Vec::new();
        if let Some(c) = llm.cache_read_tokens.filter(|c| *c > 0) {
            extra.push(format!("{} cached", text::tokens(c)));
        }
        if let Some(c) = llm.cache_write_tokens.filter(|c| *c > 0) {
            extra.push(format!("{} cache write", text::tokens(c)));
        }
        if let Some(r) = llm.reasoning_tokens.filter(|r| *r > 0) {
            extra.push(format!("{} reasoning", text::tokens(r)));
        }
        if !extra.is_empty() {
            usage.push(TextSpan::styled(
                format!(" ({})", extra.join(", ")),
                t.dim(),
            ));
        }
    }
    if llm.kind.is_model_call() {
        if !usage.is_empty() {
            usage.push(sep());
        }
        match llm.cost_usd {
            Some(c) => {
                usage.push(TextSpan::styled(text::cost(Some(c)), t.cost()));
                if llm.cost_reported {
                    usage.push(TextSpan::styled(" (reported)", t.dim()));
                }
            }
            None => usage.push(TextSpan::styled("cost unknown", t.warning())),
        }
    }
    if !usage.is_empty() {
        doc.push(usage);
    }
}

fn message(doc: &mut Doc, m: &Message, system_expanded: bool) {
    let role = if m.role.is_empty() {
        "message"
    } else {
        m.role.as_str()
    };
    let role_style = doc.theme.role(role);
    let is_system = matches!(role.to_ascii_lowercase().as_str(), "system" | "developer");
    if is_system && !m.content.is_empty() {
        let n = m.content.lines().count().max(1);
        let lines = if n == 1 { "line" } else { "lines" };
        if !system_expanded {
            doc.push(vec![
                TextSpan::styled(text::safe(role), role_style),
                TextSpan::styled(format!(" ({n} {lines}, s to expand)"), doc.theme.dim()),
            ]);
            return;
        }
        doc.push(vec![
            TextSpan::styled(text::safe(role), role_style),
            TextSpan::styled(format!(" ({n} {lines}, s to collapse)"), doc.theme.dim()),
        ]);
        doc.text(2, &m.content, doc.theme.base());
        return;
    }
    let mut head = vec![TextSpan::styled(text::safe(role), role_style)];
    if let Some(id) = &m.tool_call_id {
        head.push(TextSpan::styled(
            format!("  {}", text::safe(id)),
            doc.theme.dim(),
        ));
    }
    doc.push(head);
    if !m.content.is_empty() {
        if m.tool_call_id.is_some() || role.eq_ignore_ascii_case("tool") {
            doc.json_or_text(2, &m.content, doc.theme.base());
        } else {
            doc.text(2, &m.content, doc.theme.base());
        }
    }
    for call in &m.tool_calls {
        tool_call(doc, call);
    }
}

/// `→ name({"city": "Paris"})  call_id`, or the arguments pretty-printed below when
/// they are long.
fn tool_call(doc: &mut Doc, call: &ToolCall) {
    let style = doc.theme.role("tool");
    let id = call
        .id
        .as_ref()
        .map(|id| TextSpan::styled(format!("  {}", text::safe(id)), doc.theme.dim()));
    let mut head = vec![
        TextSpan::styled("  → ", style),
        TextSpan::styled(text::safe(&call.name), style),
        TextSpan::styled("(", style),
    ];
    match parse_structured(&call.arguments) {
        Some(v) if super::doc::compact_json(&v).len() <= INLINE_ARGS => {
            head.extend(doc.inline_json(&v));
            head.push(TextSpan::styled(")", style));
            head.extend(id);
            doc.push(head);
        }
        Some(v) => {
            head.extend(id);
            doc.push(head);
            doc.json(4, &v);
            doc.push(vec![TextSpan::styled("    )", style)]);
        }
        None => {
            let args = text::safe_multiline(&call.arguments).join(" ");
            head.push(TextSpan::raw(args));
            head.push(TextSpan::styled(")", style));
            head.extend(id);
            doc.push(head);
        }
    }
}

/// Status message and the `exception` events (type, message, stack trace).
fn error(doc: &mut Doc, span: &Span) {
    let t = doc.theme;
    let mut head = vec![TextSpan::styled("✗ error", t.error())];
    let exceptions: Vec<_> = span
        .events
        .iter()
        .filter(|e| e.name == "exception")
        .collect();
    let repeated = exceptions.iter().any(|e| {
        e.attributes
            .get("exception.message")
            .map(AttrValue::to_text)
            .is_some_and(|m| !m.is_empty() && span.status.message.contains(&m))
    });
    if !span.status.message.is_empty() && !repeated {
        head.push(TextSpan::styled(": ", t.error()));
        head.push(TextSpan::styled(
            text::safe(&span.status.message),
            t.error_row(),
        ));
    }
    doc.push(head);
    for e in exceptions {
        let get = |k: &str| e.attributes.get(k).map(AttrValue::to_text);
        let ty = get("exception.type").unwrap_or_else(|| "exception".into());
        let mut row = vec![TextSpan::styled(text::safe(&ty), t.error())];
        if let Some(msg) = get("exception.message") {
            row.push(TextSpan::raw(format!(": {}", text::safe(&msg))));
        }
        doc.push(row);
        if let Some(stack) = get("exception.stacktrace") {
            doc.text(2, stack.trim_end(), t.dim());
        }
    }
    doc.blank();
}

/// A span without GenAI data: what it is, and where to look.
fn basics(doc: &mut Doc, span: &Span) {
    let t = doc.theme;
    let row = |k: &str, v: String, s: Style| {
        vec![
            TextSpan::styled(format!("{k:<9}"), t.dim()),
            TextSpan::styled(v, s),
        ]
    };
    doc.push(row("name", text::safe(&span.name), t.base()));
    doc.push(row("service", text::safe(&span.service), t.base()));
    doc.push(row("kind", span.kind.as_str().to_string(), t.base()));
    let status = span.status.code.as_str().to_string();
    let status_style = if span.is_error() { t.error() } else { t.base() };
    doc.push(row("status", status, status_style));
    doc.push(row(
        "duration",
        super::labels::fmt_duration(span.duration_nanos()),
        t.base(),
    ));
    if let Some(s) = &span.session {
        doc.push(row("session", text::safe(s), t.base()));
    }
    doc.blank();
    let n = span.attributes.len();
    let events = span.events.len();
    doc.hint(&format!(
        "No GenAI data on this span: {n} attribute{} in Attributes (2), {events} event{} in Events (3).",
        if n == 1 { "" } else { "s" },
        if events == 1 { "" } else { "s" },
    ));
}
