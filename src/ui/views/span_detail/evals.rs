//! The evals section of the Chat tab: the results a span carries, each with a
//! pass/fail mark (✓ / ✗), and the results other spans report about it — an
//! evaluation naming its response (`gen_ai.response.id`), an evaluator span below
//! it, a trace-scoped annotation when it is the root — each with where it came from.

use ratatui::text::Span as TextSpan;

use super::doc::Doc;
use crate::model::{Eval, EvalScope, Span, eval_passed};
use crate::ui::text;

/// Whether `eval`, found on `carrier`, is about `span` (another span of the trace).
fn is_about(eval: &Eval, carrier: &Span, span: &Span) -> bool {
    if carrier.span_id == span.span_id {
        return false;
    }
    if let Some(r) = &eval.response_id {
        return span
            .llm
            .as_ref()
            .and_then(|l| l.response_id.as_deref())
            .is_some_and(|own| own == r);
    }
    match eval.scope {
        EvalScope::Parent => carrier.parent_span_id == Some(span.span_id),
        EvalScope::Trace | EvalScope::Session => span.parent_span_id.is_none(),
        EvalScope::Span => false,
    }
}

fn row(doc: &mut Doc, e: &Eval, from: Option<&str>) {
    let passed = eval_passed(e);
    let (mark, style) = match passed {
        Some(true) => ("✓ ", doc.theme.ok()),
        Some(false) => ("✗ ", doc.theme.error()),
        None => ("  ", doc.theme.dim()),
    };
    let mut spans = vec![
        TextSpan::styled(mark, style),
        TextSpan::styled(text::safe(&e.name), doc.theme.accent()),
    ];
    if let Some(s) = e.score {
        spans.push(TextSpan::styled(format!(" {s:.2}"), style));
    }
    if let Some(l) = &e.label {
        spans.push(TextSpan::raw(format!(" {}", text::safe(l))));
    }
    if let Some(f) = from {
        spans.push(TextSpan::styled(
            format!(" (from {})", text::safe(f)),
            doc.theme.dim(),
        ));
    } else if e.source == crate::evals::online::SOURCE {
        spans.push(TextSpan::styled(" (spanlens)", doc.theme.dim()));
    }
    if let Some(x) = &e.explanation {
        let x = text::safe(x);
        spans.push(TextSpan::styled(format!(" — {x}"), doc.theme.dim()));
    }
    doc.push(spans);
}

/// True when the section has anything to show for `span`.
pub(super) fn any(span: &Span, trace: &[Span]) -> bool {
    span.llm.as_ref().is_some_and(|l| !l.evals.is_empty())
        || trace.iter().any(|c| {
            c.llm
                .as_ref()
                .is_some_and(|l| l.evals.iter().any(|e| is_about(e, c, span)))
        })
}

/// The section: the span's own results, then those about it from other spans.
pub(super) fn section(doc: &mut Doc, span: &Span, trace: &[Span]) {
    if !any(span, trace) {
        return;
    }
    doc.heading("evals");
    for e in span.llm.iter().flat_map(|l| &l.evals) {
        row(doc, e, None);
    }
    for c in trace {
        for e in c.llm.iter().flat_map(|l| &l.evals) {
            if is_about(e, c, span) {
                row(doc, e, Some(&c.name));
            }
        }
    }
}
