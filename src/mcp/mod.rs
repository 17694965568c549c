//! `spanlens mcp`: a Model Context Protocol server over stdio (the `rmcp` SDK), so a
//! coding agent can search traces, open spans, read error groups, costs and eval
//! scorecards, and compare two traces. Read-only: every call opens a `TraceSource`
//! through the opener the CLI hands over (the data dir's live owner through its
//! query API, else the store, or `--url`), answers with the JSON of the matching
//! `--json` output, and cuts the answer to the byte budget (`budget`).
//!
//! Files: `server` (the handler, tool list), `traces` (search_traces, get_trace,
//! get_span), `reports` (errors, cost, evals), `compare` (compare_traces),
//! `resources` (`spanlens://` URIs and the `debug_trace` prompt), `budget`.

mod budget;
mod compare;
mod params;
mod reports;
mod resources;
mod server;
mod traces;

use std::sync::Arc;

pub use budget::{DEFAULT_MAX_BYTES, MIN_MAX_BYTES};
pub use server::SpanlensMcp;

use crate::errors::Classifier;
use crate::query::{SourceError, TraceSource};

/// Opens the source a tool call reads (called once per call, on a blocking thread;
/// the source is dropped when the call ends so the store is never held open).
pub type Opener = Arc<dyn Fn() -> Result<Box<dyn TraceSource>, String> + Send + Sync>;

/// What the server reads with and how much it may answer.
#[derive(Clone)]
pub struct McpConfig {
    pub opener: Opener,
    /// The user's error classes (`[[error_classes]]`), as `spanlens errors` uses.
    pub classifier: Arc<Classifier>,
    /// Largest tool answer in bytes (the JSON text).
    pub max_bytes: usize,
    /// Where answers come from, for the server's instructions (e.g. the data dir).
    pub origin: String,
}

/// Why a tool call failed: shown to the model as a tool error (`isError: true`).
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("cannot read traces: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Source(#[from] SourceError),
}

/// Errors starting or running the server.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    #[error("MCP transport: {0}")]
    Transport(String),
}

/// Serves MCP on stdin/stdout until the client closes stdin.
pub async fn serve_stdio(config: McpConfig) -> Result<(), McpError> {
    use rmcp::ServiceExt;
    let service = SpanlensMcp::new(config)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| McpError::Transport(e.to_string()))?;
    service
        .waiting()
        .await
        .map_err(|e| McpError::Transport(e.to_string()))?;
    Ok(())
}
