//! Redaction at ingest, before anything is stored: secrets (and, opt-in, personal
//! data) are masked in place as `[REDACTED:rule]`, sensitive attribute keys have their
//! whole value masked, and each span records how many masks it got
//! (`spanlens.redactions`). `--no-content` drops prompts, completions, tool arguments
//! and results and retrieved documents entirely, keeping tokens and cost.

mod content;
mod rules;

pub use rules::{RedactionConfig, RedactionError, RuleSet};

use crate::model::{AttrValue, Attributes, LogRecord, Span};

/// Attribute set on a span when something in it was masked: the number of masks.
pub const REDACTIONS_ATTR: &str = "spanlens.redactions";
/// Attribute set on a span whose content was dropped by `--no-content`.
pub const CONTENT_DROPPED_ATTR: &str = "spanlens.content_dropped";

/// What ingest applies to every span and log record.
#[derive(Debug, Clone)]
pub struct Redactor {
    rules: RuleSet,
    no_content: bool,
}

impl Redactor {
    pub fn new(config: &RedactionConfig, no_content: bool) -> Result<Redactor, RedactionError> {
        Ok(Redactor {
            rules: RuleSet::compile(config)?,
            no_content,
        })
    }

    /// The defaults: built-in secret rules, content kept.
    pub fn builtin() -> Redactor {
        Redactor::new(&RedactionConfig::default(), false).expect("built-in rules compile")
    }

    pub fn drops_content(&self) -> bool {
        self.no_content
    }

    /// Masks matches in `text`; returns how many.
    pub fn redact_text(&self, text: &mut String) -> usize {
        if text.len() < 8 || !self.rules.any.is_match(text) {
            return 0;
        }
        let mut count = 0;
        for (name, re) in self.rules.names.iter().zip(&self.rules.regexes) {
            let n = re.find_iter(text).count();
            if n == 0 {
                continue;
            }
            count += n;
            let mask = format!("[REDACTED:{name}]");
            *text = re.replace_all(text, mask.as_str()).into_owned();
        }
        count
    }

    fn redact_value(&self, value: &mut AttrValue) -> usize {
        match value {
            AttrValue::Str(s) => self.redact_text(s),
            AttrValue::Array(items) => items.iter_mut().map(|v| self.redact_value(v)).sum(),
            AttrValue::Map(entries) => entries
                .iter_mut()
                .map(|(k, v)| self.redact_entry(k, v))
                .sum(),
            _ => 0,
        }
    }

    fn redact_entry(&self, key: &str, value: &mut AttrValue) -> usize {
        if self.rules.is_sensitive_key(key) && !matches!(value, AttrValue::Empty) {
            let already = value.as_str().is_some_and(|s| s.starts_with("[REDACTED"));
            if already {
                return 0;
            }
            *value = AttrValue::Str("[REDACTED:key]".into());
            return 1;
        }
        self.redact_value(value)
    }

    fn redact_attributes(&self, attrs: &mut Attributes) -> usize {
        attrs.iter_mut().map(|(k, v)| self.redact_entry(k, v)).sum()
    }

    fn redact_opt(&self, text: &mut Option<String>) -> usize {
        text.as_mut().map_or(0, |t| self.redact_text(t))
    }

    /// Applies `--no-content` and the masks to one span; returns the masks applied.
    pub fn apply_span(&self, span: &mut Span) -> usize {
        if self.no_content && content::drop_span_content(span) {
            span.attributes
                .insert(CONTENT_DROPPED_ATTR.into(), AttrValue::Bool(true));
        }
        let mut n = self.redact_text(&mut span.status.message);
        n += self.redact_attributes(&mut span.attributes);
        n += self.redact_attributes(&mut span.resource);
        for ev in &mut span.events {
            n += self.redact_attributes(&mut ev.attributes);
        }
        if let Some(llm) = span.llm.as_mut() {
            for m in llm
                .input_messages
                .iter_mut()
                .chain(llm.output_messages.iter_mut())
            {
                n += self.redact_text(&mut m.content);
                for call in &mut m.tool_calls {
                    n += self.redact_text(&mut call.arguments);
                }
            }
            if let Some(tool) = llm.tool.as_mut() {
                n += self.redact_opt(&mut tool.arguments);
                n += self.redact_opt(&mut tool.result);
            }
            for d in &mut llm.documents {
                n += self.redact_text(&mut d.content);
                n += self.redact_opt(&mut d.metadata);
            }
            for e in &mut llm.evals {
                n += self.redact_opt(&mut e.explanation);
            }
        }
        if n > 0 {
            let before = span
                .attributes
                .get(REDACTIONS_ATTR)
                .and_then(AttrValue::as_i64)
                .unwrap_or(0);
            span.attributes
                .insert(REDACTIONS_ATTR.into(), AttrValue::Int(before + n as i64));
        }
        n
    }

    /// Masks an eval record's free text (the judge's explanation, the input preview);
    /// `--no-content` drops the input preview.
    pub fn apply_eval_record(&self, record: &mut crate::evals::EvalRecord) -> usize {
        if self.no_content {
            record.input_preview = None;
        }
        self.redact_opt(&mut record.explanation) + self.redact_opt(&mut record.input_preview)
    }

    /// Applies `--no-content` and the masks to one log record.
    pub fn apply_log(&self, log: &mut LogRecord) -> usize {
        if self.no_content {
            content::drop_log_content(log);
        }
        self.redact_value(&mut log.body) + self.redact_attributes(&mut log.attributes)
    }
}

#[cfg(test)]
mod tests;
