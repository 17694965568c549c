//! The tools' arguments: their doc comments become the JSON schema descriptions a
//! model reads, so they say the format of every value.

use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct SearchTracesParams {
    /// The trace list's filter language (as the TUI's `/`), words combined with AND:
    /// free text (substring of root span name, service, project, session, model, or a
    /// trace id prefix), `service:NAME`, `model:NAME`, `session:ID`, `status:error`,
    /// `tokens>10k`, `duration>2s`, `name~TEXT`, `"quoted words"`. Empty: every trace.
    #[serde(default)]
    pub filter: Option<String>,
    /// Only traces that started within this long ago: `15m`, `2h`, `7d`. Default: all stored.
    #[serde(default)]
    pub since: Option<String>,
    /// Most traces to return, newest first (1-500, default 20).
    #[serde(default)]
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetTraceParams {
    /// The trace id: 32 hex digits, as `trace_id` in search_traces results.
    pub trace_id: String,
    /// Index of the first span to return, when an earlier answer said
    /// `next_span_offset` (the trace was too large for one answer). Default 0.
    #[serde(default)]
    pub span_offset: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetSpanParams {
    /// The trace id (32 hex digits).
    pub trace_id: String,
    /// The span id (16 hex digits), as `span_id` in get_trace results.
    pub span_id: String,
    /// Byte offset into the span's JSON text, when an earlier answer said
    /// `next_offset` (the span was too large for one answer). Default 0.
    #[serde(default)]
    pub offset: Option<usize>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct WindowParams {
    /// Only data from within this long ago: `15m`, `2h`, `7d`. Default: all stored.
    #[serde(default)]
    pub since: Option<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct ListErrorsParams {
    /// Only errors from within this long ago: `15m`, `2h`, `7d`. Default: all stored.
    #[serde(default)]
    pub since: Option<String>,
    /// Sample occurrences (trace id, span id, message) per error group, newest
    /// first (1-20, default 3).
    #[serde(default)]
    pub samples: Option<usize>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct EvalScorecardsParams {
    /// Only results from within this long ago: `15m`, `2h`, `7d`. Default: all stored.
    #[serde(default)]
    pub since: Option<String>,
    /// Break each evaluator down by `experiment` (default), `model` or `service`.
    #[serde(default)]
    pub by: Option<String>,
    /// Only this experiment's results.
    #[serde(default)]
    pub experiment: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CompareExperimentsParams {
    /// The baseline experiment (as in eval_scorecards' `group` with by=experiment).
    pub a: String,
    /// The experiment compared with it.
    pub b: String,
    /// Only results from within this long ago: `15m`, `2h`, `7d`. Default: all stored.
    #[serde(default)]
    pub since: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CompareTracesParams {
    /// The first trace id (32 hex digits), e.g. a good run.
    pub a: String,
    /// The second trace id (32 hex digits), e.g. the failing run.
    pub b: String,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct DebugTraceArgs {
    /// The failing trace's id (32 hex digits); leave empty to start from the newest
    /// trace with an error.
    #[serde(default)]
    pub trace_id: Option<String>,
}
