//! An agent trace as a flow of steps, in the order they ran: agent → model call →
//! tool → model call → answer, with handoffs between agents and LangGraph nodes.
//!
//! A step comes from a span that is an agent (`agent` kind, `invoke_agent`, or a
//! `gen_ai.agent.name` different from the enclosing agent's), a handoff (OpenAI
//! Agents SDK `Handoff` spans, or control passing to another agent), a LangGraph
//! node (`langgraph.node`, or `langgraph_node` in LangChain's `metadata`, on the
//! node's own span), a model call, a retrieval, or a tool; other spans (chains,
//! HTTP clients, …) are walked through. The last model call that asks for no tool
//! is the answer. Consecutive repeats collapse into one step with a count: a tool
//! called 7 times in a row is one step ×7, and a model ⇄ tool loop is one pair ×N.

use serde::Serialize;

use super::forest::SpanForest;
use crate::model::{LlmKind, Span, SpanId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowStepKind {
    Agent,
    Handoff,
    Node,
    ModelCall,
    Retrieval,
    Tool,
    Answer,
}

impl FlowStepKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            FlowStepKind::Agent => "agent",
            FlowStepKind::Handoff => "handoff",
            FlowStepKind::Node => "node",
            FlowStepKind::ModelCall => "model",
            FlowStepKind::Retrieval => "retrieval",
            FlowStepKind::Tool => "tool",
            FlowStepKind::Answer => "answer",
        }
    }
}

/// One step (or several identical consecutive ones, `count` > 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowStep {
    pub kind: FlowStepKind,
    /// Agent name, model, tool or node name; `from → to` for a handoff.
    pub label: String,
    /// The agent the step runs in.
    pub agent: Option<String>,
    /// How many agents enclose the step (for indentation).
    pub depth: usize,
    /// The first span of the step (index into the trace's spans, and its id).
    pub index: usize,
    pub span_id: SpanId,
    /// Times in a row (1: once).
    pub count: usize,
    /// 2 when this step and the next repeat together (a model ⇄ tool loop).
    pub loop_len: usize,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: Option<f64>,
    /// Sum of the spans' durations.
    pub duration_ns: u64,
    pub error: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AgentFlow {
    pub steps: Vec<FlowStep>,
}

fn attr<'a>(span: &'a Span, key: &str) -> Option<&'a str> {
    span.attributes.get(key).and_then(|v| v.as_str())
}

/// The agent this span starts, if it is an agent span.
fn agent_name(span: &Span) -> Option<String> {
    let is_agent = span.llm.as_ref().is_some_and(|l| l.kind == LlmKind::Agent)
        || attr(span, "gen_ai.operation.name") == Some("invoke_agent")
        || attr(span, "openinference.span.kind").is_some_and(|k| k.eq_ignore_ascii_case("agent"));
    let named = attr(span, "gen_ai.agent.name").map(str::to_string);
    if !is_agent {
        // A model call or tool naming its agent runs in it; it does not start one.
        let leaf = span.llm.as_ref().is_some_and(|l| {
            l.kind.is_model_call() || matches!(l.kind, LlmKind::Tool | LlmKind::Retriever)
        });
        return named.filter(|_| !leaf);
    }
    named.or_else(|| {
        let n = span.name.trim();
        Some(n.strip_prefix("invoke_agent ").unwrap_or(n).to_string())
    })
}

/// The LangGraph node a span belongs to.
fn langgraph_node(span: &Span) -> Option<String> {
    if let Some(n) = attr(span, "langgraph.node") {
        return Some(n.to_string());
    }
    let meta = attr(span, "metadata")?;
    if !meta.contains("langgraph_node") {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(meta).ok()?;
    v.get("langgraph_node")?.as_str().map(str::to_string)
}

fn is_handoff(span: &Span) -> bool {
    let n = span.name.to_ascii_lowercase();
    n == "handoff" || n.starts_with("handoff ") || n.starts_with("handoff:")
}

fn handoff_label(span: &Span) -> String {
    let from = attr(span, "from_agent").or(attr(span, "gen_ai.handoff.from_agent"));
    let to = attr(span, "to_agent").or(attr(span, "gen_ai.handoff.to_agent"));
    match (from, to) {
        (Some(f), Some(t)) => format!("{f} → {t}"),
        (None, Some(t)) => format!("→ {t}"),
        _ => span.name.clone(),
    }
}

fn tool_name(span: &Span) -> String {
    span.llm
        .as_ref()
        .and_then(|l| l.tool.as_ref())
        .map(|t| t.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| {
            let n = span.name.trim();
            n.strip_prefix("execute_tool ").unwrap_or(n).to_string()
        })
}

/// True when a model call's answer asks for tools.
fn asks_for_tools(span: &Span) -> bool {
    span.llm.as_ref().is_some_and(|l| {
        l.output_messages.iter().any(|m| !m.tool_calls.is_empty())
            || l.finish_reasons.iter().any(|r| r.contains("tool"))
    })
}

fn step(span: &Span, index: usize, kind: FlowStepKind, label: String) -> FlowStep {
    let llm = span.llm.as_ref().filter(|l| l.kind.is_model_call());
    FlowStep {
        kind,
        label,
        agent: None,
        depth: 0,
        index,
        span_id: span.span_id,
        count: 1,
        loop_len: 1,
        input_tokens: llm.and_then(|l| l.input_tokens).unwrap_or(0),
        output_tokens: llm.and_then(|l| l.output_tokens).unwrap_or(0),
        cost_usd: llm.and_then(|l| l.cost_usd),
        duration_ns: span.duration_nanos(),
        error: span.is_error(),
    }
}

/// The steps of a trace, in order, repeats collapsed.
pub fn agent_flow(spans: &[Span], forest: &SpanForest) -> AgentFlow {
    let n = spans.len();
    // The agent each span runs in, its agent depth, and its LangGraph node.
    let mut agent: Vec<Option<String>> = vec![None; n];
    let mut agent_depth = vec![0usize; n];
    let mut node: Vec<Option<String>> = vec![None; n];
    let mut steps: Vec<FlowStep> = Vec::new();
    let mut last_agent: Option<String> = None;
    let mut after_handoff = false;
    for &i in &forest.order {
        let span = &spans[i];
        let parent = forest.parent[i];
        let outer = parent.and_then(|p| agent[p].clone());
        let outer_depth = parent.map_or(0, |p| agent_depth[p]);
        let parent_node = parent.and_then(|p| node[p].clone());
        agent[i] = outer.clone();
        agent_depth[i] = outer_depth;
        node[i] = langgraph_node(span).or(parent_node.clone());
        let mut new = None;
        if let Some(name) = agent_name(span).filter(|a| Some(a) != outer.as_ref()) {
            agent[i] = Some(name.clone());
            agent_depth[i] = outer_depth + usize::from(outer.is_some());
            let kind = match &last_agent {
                Some(prev) if *prev != name && !after_handoff => FlowStepKind::Handoff,
                _ => FlowStepKind::Agent,
            };
            let label = match (&kind, &last_agent) {
                (FlowStepKind::Handoff, Some(prev)) => format!("{prev} → {name}"),
                _ => name.clone(),
            };
            new = Some(step(span, i, kind, label));
            last_agent = Some(name);
            after_handoff = false;
        } else if is_handoff(span) {
            new = Some(step(span, i, FlowStepKind::Handoff, handoff_label(span)));
            after_handoff = true;
        } else if let Some(nd) = node[i]
            .clone()
            .filter(|nd| parent_node.as_ref() != Some(nd) && span.name.trim() == nd.as_str())
        {
            new = Some(step(span, i, FlowStepKind::Node, nd));
        } else if let Some(l) = span.llm.as_ref() {
            new = match l.kind {
                k if k.is_model_call() => {
                    let model = l.model().unwrap_or(span.name.as_str()).to_string();
                    Some(step(span, i, FlowStepKind::ModelCall, model))
                }
                LlmKind::Retriever => {
                    Some(step(span, i, FlowStepKind::Retrieval, span.name.clone()))
                }
                LlmKind::Tool => Some(step(span, i, FlowStepKind::Tool, tool_name(span))),
                _ => None,
            };
        }
        if let Some(mut s) = new {
            s.agent = agent[i].clone();
            s.depth = agent_depth[i];
            steps.push(s);
        }
    }
    if let Some(last) = steps
        .iter_mut()
        .rev()
        .find(|s| s.kind == FlowStepKind::ModelCall)
        .filter(|s| !asks_for_tools(&spans[s.index]))
    {
        last.kind = FlowStepKind::Answer;
    }
    AgentFlow {
        steps: collapse_pairs(collapse_runs(steps)),
    }
}

fn same(a: &FlowStep, b: &FlowStep) -> bool {
    a.kind == b.kind && a.label == b.label && a.agent == b.agent
}

fn absorb(into: &mut FlowStep, other: &FlowStep) {
    into.count += other.count;
    into.input_tokens += other.input_tokens;
    into.output_tokens += other.output_tokens;
    into.cost_usd = match (into.cost_usd, other.cost_usd) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    };
    into.duration_ns += other.duration_ns;
    into.error |= other.error;
}

/// `A A A` → `A ×3`.
fn collapse_runs(steps: Vec<FlowStep>) -> Vec<FlowStep> {
    let mut out: Vec<FlowStep> = Vec::with_capacity(steps.len());
    for s in steps {
        match out.last_mut() {
            Some(prev) if same(prev, &s) && prev.loop_len == 1 => absorb(prev, &s),
            _ => out.push(s),
        }
    }
    out
}

/// `A B A B A B` → `(A B) ×3`, for two different steps of one count each.
fn collapse_pairs(steps: Vec<FlowStep>) -> Vec<FlowStep> {
    let mut out: Vec<FlowStep> = Vec::with_capacity(steps.len());
    let mut i = 0;
    while i < steps.len() {
        let pair = i + 3 < steps.len()
            && !same(&steps[i], &steps[i + 1])
            && steps[i].count == 1
            && steps[i + 1].count == 1;
        if pair && same(&steps[i], &steps[i + 2]) && same(&steps[i + 1], &steps[i + 3]) {
            let (mut a, mut b) = (steps[i].clone(), steps[i + 1].clone());
            a.loop_len = 2;
            b.loop_len = 2;
            let mut j = i + 2;
            while j + 1 < steps.len()
                && same(&steps[j], &a)
                && same(&steps[j + 1], &b)
                && steps[j].count == 1
                && steps[j + 1].count == 1
            {
                absorb(&mut a, &steps[j]);
                absorb(&mut b, &steps[j + 1]);
                j += 2;
            }
            out.push(a);
            out.push(b);
            i = j;
        } else {
            out.push(steps[i].clone());
            i += 1;
        }
    }
    out
}
