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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AttrValue;
    use crate::ui::theme::{ColorMode, Theme};
    use crate::ui::views::span_detail::doc::to_plain;
    use crate::ui::views::span_detail::fixtures::folder;

    fn shown(attrs: &[(&str, &str)]) -> String {
        let mut span = folder("openinference").0.remove(0);
        for (k, v) in attrs {
            span.attributes
                .insert(k.to_string(), AttrValue::Str(v.to_string()));
        }
        let theme = Theme::new(ColorMode::Full);
        let mut doc = Doc::new(&theme, true);
        section(&mut doc, &span);
        to_plain(&doc.lines)
    }

    #[test]
    fn agent_name_and_prompt_template_with_variables() {
        let t = shown(&[
            ("gen_ai.agent.name", "weather-agent"),
            (TEMPLATE, "Weather in {city}?\u{1b}[31m"),
            (VARIABLES, r#"{"city": "Paris"}"#),
            (VERSION, "v2"),
        ]);
        assert!(t.contains("agent weather-agent"), "{t}");
        assert!(t.contains("prompt template v2"), "{t}");
        assert!(t.contains("Weather in {city}?"), "{t}");
        assert!(!t.contains('\u{1b}'), "made safe: {t}");
        assert!(
            t.contains("variables") && t.contains("\"city\": \"Paris\""),
            "{t}"
        );
    }

    #[test]
    fn function_id_names_the_agent_and_nothing_shows_without_attributes() {
        assert!(shown(&[("ai.telemetry.functionId", "greeter")]).contains("agent greeter"));
        assert_eq!(shown(&[]), "");
    }
}
