//! The LLM facet of a span: what kind of GenAI operation it is, which model, tokens,
//! cost, the conversation, tool call, retrieved documents and evaluation results.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What a GenAI-aware span does. Serialized lower-case in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LlmKind {
    /// A model call without a more specific operation (completion, generate_content).
    Llm,
    Chat,
    Embedding,
    Retriever,
    Reranker,
    Tool,
    Agent,
    Chain,
    Workflow,
    Task,
    Guardrail,
    Evaluator,
}

impl LlmKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            LlmKind::Llm => "llm",
            LlmKind::Chat => "chat",
            LlmKind::Embedding => "embedding",
            LlmKind::Retriever => "retriever",
            LlmKind::Reranker => "reranker",
            LlmKind::Tool => "tool",
            LlmKind::Agent => "agent",
            LlmKind::Chain => "chain",
            LlmKind::Workflow => "workflow",
            LlmKind::Task => "task",
            LlmKind::Guardrail => "guardrail",
            LlmKind::Evaluator => "evaluator",
        }
    }

    /// True for spans that *are* a call to a model (whose tokens and cost count in
    /// totals). Agents, chains, workflows and tasks that report usage aggregate their
    /// children's calls, so counting them too would count each call twice.
    pub fn is_model_call(&self) -> bool {
        matches!(
            self,
            LlmKind::Llm | LlmKind::Chat | LlmKind::Embedding | LlmKind::Reranker
        )
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: Option<String>,
    pub name: String,
    /// Arguments as the model produced them (usually a JSON string).
    pub arguments: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Message {
    /// system, user, assistant, tool, …
    pub role: String,
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
    /// For role `tool`: the call this message answers.
    pub tool_call_id: Option<String>,
}

/// The tool a `tool` span ran.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub call_id: Option<String>,
    pub arguments: Option<String>,
    pub result: Option<String>,
}

/// A retrieved document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Document {
    pub id: Option<String>,
    pub content: String,
    pub score: Option<f64>,
    /// Metadata as JSON text, when the convention carries it.
    pub metadata: Option<String>,
}

/// What an evaluation result is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum EvalScope {
    /// The span carrying it (or, when `response_id` is set, the span that produced
    /// that response).
    #[default]
    Span,
    /// Its parent: the result of an evaluator span (or the span that produced
    /// `response_id`).
    Parent,
    /// The whole trace (OpenInference `trace.annotations.*`): its root span.
    Trace,
    /// The session the trace belongs to (OpenInference `session.annotations.*`).
    Session,
}

impl EvalScope {
    pub fn as_str(&self) -> &'static str {
        match self {
            EvalScope::Span => "span",
            EvalScope::Parent => "parent",
            EvalScope::Trace => "trace",
            EvalScope::Session => "session",
        }
    }
}

/// One evaluation result.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Eval {
    pub name: String,
    pub score: Option<f64>,
    pub label: Option<String>,
    pub explanation: Option<String>,
    /// Where it came from: `gen_ai.evaluation.result`, `openinference`, `openlit`, …
    pub source: String,
    /// `gen_ai.response.id` of the evaluated response, when the result names it.
    pub response_id: Option<String>,
    /// What it is about (the carrying span, its parent, the trace, the session).
    pub scope: EvalScope,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmFacet {
    pub kind: LlmKind,
    pub provider: Option<String>,
    pub request_model: Option<String>,
    pub response_model: Option<String>,
    pub response_id: Option<String>,
    pub finish_reasons: Vec<String>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub cache_read_tokens: Option<u64>,
    pub cache_write_tokens: Option<u64>,
    pub reasoning_tokens: Option<u64>,
    /// Cost in USD: the span's own report if it had one, else tokens × price table;
    /// `None` when unknown (never 0 for an unpriced model).
    pub cost_usd: Option<f64>,
    /// True when `cost_usd` was reported by the span rather than computed.
    pub cost_reported: bool,
    pub input_messages: Vec<Message>,
    pub output_messages: Vec<Message>,
    pub tool: Option<ToolInfo>,
    pub documents: Vec<Document>,
    pub evals: Vec<Eval>,
}

impl LlmFacet {
    pub fn new(kind: LlmKind) -> Self {
        LlmFacet {
            kind,
            provider: None,
            request_model: None,
            response_model: None,
            response_id: None,
            finish_reasons: Vec::new(),
            input_tokens: None,
            output_tokens: None,
            cache_read_tokens: None,
            cache_write_tokens: None,
            reasoning_tokens: None,
            cost_usd: None,
            cost_reported: false,
            input_messages: Vec::new(),
            output_messages: Vec::new(),
            tool: None,
            documents: Vec::new(),
            evals: Vec::new(),
        }
    }

    /// The model to show and price: the response's (exact, often dated) model when
    /// known, else the requested one.
    pub fn model(&self) -> Option<&str> {
        self.response_model
            .as_deref()
            .or(self.request_model.as_deref())
    }

    /// The name a model's rows are grouped by in stats, cost and the error timeline:
    /// the requested model (else the response's), without an OpenAI-style snapshot
    /// date (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`), so a call that failed
    /// (request model only) and one that succeeded (dated response model) are one
    /// model. The span keeps both names as sent.
    pub fn canonical_model(&self) -> Option<&str> {
        self.request_model
            .as_deref()
            .or(self.response_model.as_deref())
            .map(canonical_model_name)
    }

    pub fn to_json(&self) -> Value {
        let msgs = |ms: &[Message]| -> Vec<Value> {
            ms.iter()
                .map(|m| {
                    json!({
                        "role": m.role,
                        "content": m.content,
                        "tool_calls": m.tool_calls.iter().map(|c| json!({
                            "id": c.id, "name": c.name, "arguments": c.arguments,
                        })).collect::<Vec<_>>(),
                        "tool_call_id": m.tool_call_id,
                    })
                })
                .collect()
        };
        json!({
            "kind": self.kind.as_str(),
            "provider": self.provider,
            "request_model": self.request_model,
            "response_model": self.response_model,
            "response_id": self.response_id,
            "finish_reasons": self.finish_reasons,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "cost_usd": self.cost_usd,
            "cost_reported": self.cost_reported,
            "input_messages": msgs(&self.input_messages),
            "output_messages": msgs(&self.output_messages),
            "tool": self.tool.as_ref().map(|t| json!({
                "name": t.name, "call_id": t.call_id, "arguments": t.arguments, "result": t.result,
            })),
            "documents": self.documents.iter().map(|d| json!({
                "id": d.id, "content": d.content, "score": d.score, "metadata": d.metadata,
            })).collect::<Vec<_>>(),
            "evals": self.evals.iter().map(|e| json!({
                "name": e.name, "score": e.score, "label": e.label,
                "explanation": e.explanation, "source": e.source, "response_id": e.response_id,
                "scope": e.scope.as_str(),
            })).collect::<Vec<_>>(),
        })
    }
}

/// A model name without a trailing `-YYYY-MM-DD` snapshot date (OpenAI's dated
/// snapshots); other names (Anthropic's `-20241022` is part of the model's name) as
/// they are.
pub fn canonical_model_name(name: &str) -> &str {
    const DATE: &str = "-dddd-dd-dd";
    let Some(cut) = name.len().checked_sub(DATE.len()) else {
        return name;
    };
    let (Some(stem), Some(tail)) = (name.get(..cut), name.get(cut..)) else {
        return name;
    };
    let dated = !stem.is_empty()
        && tail
            .chars()
            .zip(DATE.chars())
            .all(|(c, p)| if p == 'd' { c.is_ascii_digit() } else { c == p });
    if dated { stem } else { name }
}
