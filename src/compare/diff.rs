//! The difference between two matched model calls: model, request parameters
//! (`gen_ai.request.*`, OpenInference's `llm.invocation_parameters`) and messages,
//! section by section (system prompt, user turns, assistant turns, tool calls, tool
//! results, the answer), aligned by position within each section.

use serde::Serialize;

use crate::model::{LlmFacet, Message, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageSection {
    System,
    User,
    Assistant,
    ToolCall,
    ToolResult,
    Answer,
}

impl MessageSection {
    pub fn as_str(&self) -> &'static str {
        match self {
            MessageSection::System => "system",
            MessageSection::User => "user",
            MessageSection::Assistant => "assistant",
            MessageSection::ToolCall => "tool call",
            MessageSection::ToolResult => "tool result",
            MessageSection::Answer => "answer",
        }
    }
}

/// One message that differs: `a` is `None` when only B has it, `b` when only A.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageChange {
    pub section: MessageSection,
    /// Position within the section (0-based).
    pub index: usize,
    pub a: Option<String>,
    pub b: Option<String>,
}

/// A request parameter that differs (`None`: not set on that side).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamChange {
    pub name: String,
    pub a: Option<String>,
    pub b: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LlmDiff {
    pub model_a: Option<String>,
    pub model_b: Option<String>,
    /// The models differ (the responses' models when both answered, else the
    /// requested ones).
    pub model_changed: bool,
    pub params: Vec<ParamChange>,
    pub messages: Vec<MessageChange>,
    /// Messages equal on both sides.
    pub same_messages: usize,
}

impl LlmDiff {
    /// Nothing differs but, maybe, token counts and timing.
    pub fn is_same(&self) -> bool {
        !self.model_changed && self.params.is_empty() && self.messages.is_empty()
    }
}

/// Request parameters of a call, as text, sorted by name.
fn params(span: &Span) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = span
        .attributes
        .iter()
        .filter(|(k, _)| {
            (k.starts_with("gen_ai.request.") && k.as_str() != "gen_ai.request.model")
                || k.as_str() == "llm.invocation_parameters"
        })
        .map(|(k, v)| (k.clone(), v.to_text()))
        .collect();
    out.sort();
    out
}

fn tool_call_text(name: &str, arguments: &str) -> String {
    format!("{name}({arguments})")
}

/// A call's messages as (section, text), in order.
fn sections(l: &LlmFacet) -> Vec<(MessageSection, String)> {
    let mut out = Vec::new();
    let mut push = |m: &Message, output: bool| {
        for c in &m.tool_calls {
            out.push((
                MessageSection::ToolCall,
                tool_call_text(&c.name, &c.arguments),
            ));
        }
        if m.content.is_empty() && !m.tool_calls.is_empty() {
            return;
        }
        let section = match m.role.as_str() {
            _ if output => MessageSection::Answer,
            "system" | "developer" => MessageSection::System,
            "user" | "human" => MessageSection::User,
            "tool" | "function" | "ipython" => MessageSection::ToolResult,
            _ => MessageSection::Assistant,
        };
        out.push((section, m.content.clone()));
    };
    for m in &l.input_messages {
        push(m, false);
    }
    for m in &l.output_messages {
        push(m, true);
    }
    out
}

/// How two model calls differ (`None` when either is not a model call).
pub fn llm_diff(a: &Span, b: &Span) -> Option<LlmDiff> {
    let (la, lb) = (a.llm.as_ref()?, b.llm.as_ref()?);
    if !la.kind.is_model_call() || !lb.kind.is_model_call() {
        return None;
    }
    let model_a = la.model().map(str::to_string);
    let model_b = lb.model().map(str::to_string);
    // The answering models when both answered; else the requested ones (a failed
    // call has no response model, which is not a change of model).
    let model_changed = match (&la.response_model, &lb.response_model) {
        (Some(x), Some(y)) => x != y,
        _ => la.request_model != lb.request_model,
    };
    let mut diff = LlmDiff {
        model_changed,
        model_a,
        model_b,
        ..Default::default()
    };
    let (pa, pb) = (params(a), params(b));
    let mut names: Vec<&String> = pa.iter().chain(pb.iter()).map(|(k, _)| k).collect();
    names.sort();
    names.dedup();
    let get =
        |p: &[(String, String)], k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    for name in names {
        let (va, vb) = (get(&pa, name), get(&pb, name));
        if va != vb {
            diff.params.push(ParamChange {
                name: name.clone(),
                a: va,
                b: vb,
            });
        }
    }
    let (sa, sb) = (sections(la), sections(lb));
    let mut all: Vec<MessageSection> = sa.iter().chain(sb.iter()).map(|(s, _)| *s).collect();
    all.sort();
    all.dedup();
    for section in all {
        let xa: Vec<&String> = sa
            .iter()
            .filter(|(s, _)| *s == section)
            .map(|(_, t)| t)
            .collect();
        let xb: Vec<&String> = sb
            .iter()
            .filter(|(s, _)| *s == section)
            .map(|(_, t)| t)
            .collect();
        for index in 0..xa.len().max(xb.len()) {
            let (ta, tb) = (xa.get(index), xb.get(index));
            if ta == tb {
                diff.same_messages += 1;
            } else {
                diff.messages.push(MessageChange {
                    section,
                    index,
                    a: ta.map(|t| t.to_string()),
                    b: tb.map(|t| t.to_string()),
                });
            }
        }
    }
    Some(diff)
}
