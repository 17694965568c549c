//! The demo's traffic: which scenarios exist ([`Scenario`]), what one instance
//! becomes ([`DemoTrace`], built by the pure [`build_trace`]), and the mix over time
//! ([`Traffic`]: weighted random scenarios, sessions that continue for 2–5 turns).

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

use super::rng::DemoRng;
use super::{agent, batch, chat, langsmith, otlp, rag};

/// One turn of a multi-turn session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub session_id: String,
    /// 0 for the first turn.
    pub index: u32,
}

/// A kind of synthetic trace, with the service that reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scenario {
    /// `weather-agent`: invoke_agent → chat → execute_tool… → chat (GenAI semconv).
    AgentRun(Turn),
    /// `docs-rag`: CHAIN → RETRIEVER (+EMBEDDING) → LLM, with evals (OpenInference).
    Rag,
    /// `chat-ui`: a streamed chat whose content comes as log records.
    StreamedChat(Turn),
    /// `batch-summarizer`: 429s, then a retry, a fallback, or a failed run.
    RateLimited,
    /// `indexer`: embeddings batches.
    Embeddings,
    /// `support-bot`: a LangSmith chain with evals and experiments.
    LangSmithChain,
    /// `research-notebook`: a call to a model without a known price.
    UnknownModel,
}

impl Scenario {
    /// The `service.name` the scenario reports under.
    pub fn service(&self) -> &'static str {
        match self {
            Scenario::AgentRun(_) => "weather-agent",
            Scenario::Rag => "docs-rag",
            Scenario::StreamedChat(_) => "chat-ui",
            Scenario::RateLimited => "batch-summarizer",
            Scenario::Embeddings => "indexer",
            Scenario::LangSmithChain => "support-bot",
            Scenario::UnknownModel => "research-notebook",
        }
    }
}

/// How a trace's spans are cut into export requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// All spans in one request (a batch span processor).
    Whole,
    /// The children first, the root in a second request.
    RootLast,
    /// One request per span as each ends (a simple span processor).
    PerSpan,
}

/// One scenario instance, ready to send.
#[derive(Debug, Clone)]
pub struct DemoTrace {
    pub trace_id: [u8; 16],
    pub root_name: String,
    pub service: String,
    /// Every span of the trace in one request, in export order (by end time, the
    /// root last).
    pub traces: ExportTraceServiceRequest,
    /// Log records (GenAI content captured as events), sent before the spans.
    pub logs: Option<ExportLogsServiceRequest>,
    pub split: Split,
    pub span_count: u64,
    pub error_count: u64,
    pub log_count: u64,
}

impl DemoTrace {
    /// The trace export requests to send, in order, as `split` says.
    pub fn requests(&self) -> Vec<ExportTraceServiceRequest> {
        otlp::split_request(&self.traces, self.split)
    }

    /// Lower-case hex trace id.
    pub fn trace_id_hex(&self) -> String {
        hex::encode(self.trace_id)
    }
}

/// Builds the requests of one scenario instance: deterministic for a given rng
/// state and `now_unix_nano` (when the root ends). Pure, no I/O.
pub fn build_trace(scenario: Scenario, rng: &mut DemoRng, now_unix_nano: u64) -> DemoTrace {
    match &scenario {
        Scenario::AgentRun(turn) => agent::build(rng, now_unix_nano, turn),
        Scenario::Rag => rag::build(rng, now_unix_nano),
        Scenario::StreamedChat(turn) => chat::streamed(rng, now_unix_nano, turn),
        Scenario::RateLimited => batch::rate_limited(rng, now_unix_nano),
        Scenario::Embeddings => batch::embeddings(rng, now_unix_nano),
        Scenario::LangSmithChain => langsmith::build(rng, now_unix_nano),
        Scenario::UnknownModel => chat::unknown_model(rng, now_unix_nano),
    }
}

/// A session in progress: its next turn and how many turns are left.
#[derive(Debug, Clone)]
struct Ongoing {
    next: Turn,
    left: u32,
}

/// The traffic mix: picks scenarios at random (weighted) and keeps sessions going
/// for 2–5 consecutive traces of their scenario.
#[derive(Debug, Clone)]
pub struct Traffic {
    rng: DemoRng,
    agent: Option<Ongoing>,
    chat: Option<Ongoing>,
}

/// Relative weights, in the order of [`Traffic::next_scenario`]'s match.
const WEIGHTS: &[u32] = &[25, 17, 16, 12, 8, 16, 6];

impl Traffic {
    pub fn new(rng: DemoRng) -> Self {
        Traffic {
            rng,
            agent: None,
            chat: None,
        }
    }

    /// The next scenario of the mix.
    pub fn next_scenario(&mut self) -> Scenario {
        match self.rng.weighted(WEIGHTS) {
            0 => Scenario::AgentRun(next_turn(&mut self.rng, &mut self.agent, "sess-", 12)),
            1 => Scenario::Rag,
            2 => Scenario::StreamedChat(next_turn(&mut self.rng, &mut self.chat, "conv_", 16)),
            3 => Scenario::RateLimited,
            4 => Scenario::Embeddings,
            5 => Scenario::LangSmithChain,
            _ => Scenario::UnknownModel,
        }
    }

    /// The next trace of the mix, ending at `now_unix_nano`.
    pub fn next_trace(&mut self, now_unix_nano: u64) -> DemoTrace {
        let scenario = self.next_scenario();
        build_trace(scenario, &mut self.rng, now_unix_nano)
    }
}

/// Continues the ongoing session, or starts one of 2–5 turns.
fn next_turn(rng: &mut DemoRng, slot: &mut Option<Ongoing>, prefix: &str, len: usize) -> Turn {
    let mut current = match slot.take() {
        Some(s) if s.left > 0 => s,
        _ => Ongoing {
            next: Turn {
                session_id: format!("{prefix}{}", rng.hex(len)),
                index: 0,
            },
            left: rng.range(2, 5) as u32,
        },
    };
    let turn = current.next.clone();
    current.next.index += 1;
    current.left -= 1;
    *slot = Some(current);
    turn
}
