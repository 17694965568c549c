//! A normalized span: OTLP's span with its resource's service name, its events, and
//! the LLM facet the normalizer recognised (if any).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Attributes, LlmFacet, LogRecord, SpanId, TraceId, attributes_to_json};

/// OTel span kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SpanKind {
    #[default]
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    /// From OTLP's enum number; unknown numbers become `Unspecified`.
    pub fn from_otlp(n: i32) -> Self {
        match n {
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }
}

/// OTel status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum StatusCode {
    #[default]
    Unset,
    Ok,
    Error,
}

impl StatusCode {
    pub fn from_otlp(n: i32) -> Self {
        match n {
            1 => StatusCode::Ok,
            2 => StatusCode::Error,
            _ => StatusCode::Unset,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            StatusCode::Unset => "unset",
            StatusCode::Ok => "ok",
            StatusCode::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Status {
    pub code: StatusCode,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanEvent {
    pub name: String,
    pub time_unix_nano: u64,
    pub attributes: Attributes,
}

/// One stored span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent_span_id: Option<SpanId>,
    pub name: String,
    /// `service.name` of the resource; "unknown_service" when absent (the SDK default).
    pub service: String,
    pub kind: SpanKind,
    pub start_unix_nano: u64,
    pub end_unix_nano: u64,
    pub status: Status,
    pub attributes: Attributes,
    pub resource: Attributes,
    pub scope: String,
    pub events: Vec<SpanEvent>,
    /// Session id (`session.id`, `gen_ai.conversation.id`, `langsmith.trace.session_id`).
    pub session: Option<String>,
    /// Project (LangSmith's `langsmith.trace.session_name`).
    pub project: Option<String>,
    pub llm: Option<LlmFacet>,
}

impl Span {
    pub fn is_error(&self) -> bool {
        self.status.code == StatusCode::Error
    }

    pub fn duration_nanos(&self) -> u64 {
        self.end_unix_nano.saturating_sub(self.start_unix_nano)
    }

    /// The stable JSON of `spanlens trace ID --json` (field names in DESIGN.md).
    pub fn to_json(&self, logs: &[LogRecord]) -> Value {
        json!({
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_span_id": self.parent_span_id,
            "name": self.name,
            "service": self.service,
            "kind": self.kind.as_str(),
            "start_unix_nano": self.start_unix_nano,
            "end_unix_nano": self.end_unix_nano,
            "duration_ms": self.duration_nanos() as f64 / 1e6,
            "status": {"code": self.status.code.as_str(), "message": self.status.message},
            "session": self.session,
            "project": self.project,
            "attributes": attributes_to_json(&self.attributes),
            "resource": attributes_to_json(&self.resource),
            "scope": self.scope,
            "events": self.events.iter().map(|e| json!({
                "name": e.name,
                "time_unix_nano": e.time_unix_nano,
                "attributes": attributes_to_json(&e.attributes),
            })).collect::<Vec<_>>(),
            "logs": logs.iter().map(LogRecord::to_json).collect::<Vec<_>>(),
            "llm": self.llm.as_ref().map(LlmFacet::to_json),
        })
    }
}
