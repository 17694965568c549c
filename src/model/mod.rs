//! The project's own language: ids, spans, the LLM facet and trace summaries.
//!
//! OTLP types never leave `ingest/` and `normalize/`; everything after them speaks
//! these types. They serialize two ways: compactly (postcard) in the store, and as the
//! stable JSON documented in DESIGN.md for `--json` output and the query API.

pub mod accounting;
mod attr;
mod ids;
mod llm;
mod log;
mod span;
mod summary;

pub use attr::{AttrValue, Attributes, attributes_to_json};
pub use ids::{IdError, SpanId, TraceId};
pub use llm::{
    Document, Eval, EvalScope, LlmFacet, LlmKind, Message, ToolCall, ToolInfo, canonical_model_name,
};
pub use log::LogRecord;
pub use span::{Span, SpanEvent, SpanKind, Status, StatusCode};
pub use summary::{EvalSummary, TraceSummary, eval_passed};
