//! The Chat tab's agent and prompt-template lines: the agent a span ran as
//! (`gen_ai.agent.name`, else the Vercel AI SDK's `ai.telemetry.functionId`) and an
//! OpenInference prompt template (`llm.prompt_template.template`, its `.variables`
//! and `.version`), read from the span's attributes.

use ratatui::text::Span as TextSpan;

use super::doc::Doc;
use crate::model::Span;
use crate::ui::text;

const AGENT_KEYS: &[&str] = &["gen_ai.agent.name", "ai.telemetry.functionId"];
const TEMPLATE: &str = "llm.prompt_template.template";
const VARIABLES: &str = "llm.prompt_template.variables";
const VERSION: &str = "llm.prompt_template.version";

fn attr(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .get(key)
        .map(|v| v.to_text())
        .filter(|s| !s.trim().is_empty())
}

/// `agent weather-agent`, then the template section, when the span has them.
pub(super) fn section(doc: &mut Doc, span: &Span) {
    if let Some(agent) = AGENT_KEYS.iter().find_map(|k| attr(span, k)) {
        doc.push(vec![
            TextSpan::styled("agent ", doc.theme.dim()),
            TextSpan::styled(text::safe(&agent), doc.theme.accent()),
        ]);
    }
    let Some(template) = attr(span, TEMPLATE) else {
        return;
    };
    match attr(span, VERSION) {
        Some(v) => doc.heading(&format!("prompt template {}", text::safe(&v))),
        None => doc.heading("prompt template"),
    }
    doc.text(2, &template, doc.theme.base());
    if let Some(vars) = attr(span, VARIABLES) {
        doc.push(vec![TextSpan::styled("  variables", doc.theme.dim())]);
        doc.json_or_text(4, &vars, doc.theme.base());
    }
}
