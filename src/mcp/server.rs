//! The MCP handler: the tool list (names, descriptions and schemas written for a
//! model), each tool run on a blocking thread against a freshly opened source, its
//! failure turned into a tool error (`isError: true`) rather than a protocol error,
//! and the server info. Resources and the prompt are in `resources`.

use std::sync::{Arc, Mutex};

use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, ListResourceTemplatesResult, ListResourcesResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, prompt_handler, tool, tool_handler, tool_router};
use serde_json::Value;

use super::params::{
    CompareExperimentsParams, CompareTracesParams, EvalScorecardsParams, GetSpanParams,
    GetTraceParams, ListErrorsParams, SearchTracesParams, WindowParams,
};
use super::{McpConfig, ToolError, compare, reports, resources, traces};
use crate::query::TraceSource;

/// The server: its settings, and a lock so one call at a time opens the store.
#[derive(Clone)]
pub struct SpanlensMcp {
    config: McpConfig,
    one_at_a_time: Arc<Mutex<()>>,
    tool_router: ToolRouter<SpanlensMcp>,
    prompt_router: PromptRouter<SpanlensMcp>,
}

impl std::fmt::Debug for SpanlensMcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SpanlensMcp({})", self.config.origin)
    }
}

/// What a tool does with the source once it is open.
type Work = Box<dyn FnOnce(&dyn TraceSource, &McpConfig) -> Result<Value, ToolError> + Send>;

impl SpanlensMcp {
    pub fn new(config: McpConfig) -> Self {
        SpanlensMcp {
            config,
            one_at_a_time: Arc::new(Mutex::new(())),
            tool_router: Self::tool_router(),
            prompt_router: Self::prompt_router(),
        }
    }

    /// Opens the source and runs `work` on a blocking thread (sled and the API
    /// client block); a panic in it becomes an error, not a dead server.
    pub(super) async fn answer(&self, work: Work) -> Result<Value, ToolError> {
        let config = self.config.clone();
        let lock = self.one_at_a_time.clone();
        tokio::task::spawn_blocking(move || {
            let _one = lock.lock().unwrap_or_else(|p| p.into_inner());
            let source = (config.opener)().map_err(ToolError::Unavailable)?;
            work(source.as_ref(), &config)
        })
        .await
        .map_err(|e| ToolError::Unavailable(format!("the call failed inside spanlens: {e}")))?
    }

    async fn tool(&self, work: Work) -> Result<CallToolResult, ErrorData> {
        Ok(match self.answer(work).await {
            Ok(v) => CallToolResult::success(vec![ContentBlock::text(v.to_string())]),
            Err(e) => CallToolResult::error(vec![ContentBlock::text(e.to_string())]),
        })
    }
}

#[tool_router]
impl SpanlensMcp {
    #[tool(
        description = "Find traces (one per request/agent run), newest first. Returns summaries: trace_id, root_name, service, session, start_unix_nano, duration_ms, span_count, error_count, llm_calls, tokens, cost_usd, models, retried/fell_back/degraded. Use the filter to narrow (e.g. `status:error`, `service:checkout model:gpt-4o`, `tokens>10k`, `duration>5s`, `name~summarize`). Next: get_trace on a trace_id.",
        annotations(read_only_hint = true)
    )]
    async fn search_traces(
        &self,
        Parameters(p): Parameters<SearchTracesParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.tool(Box::new(move |s, c| {
            traces::search_traces(s, &p, c.max_bytes)
        }))
        .await
    }

    #[tool(
        description = "One trace: its summary and every span (span_id, parent_span_id for the tree, name, kind, status with error message, duration_ms, attributes, events such as exceptions, logs, and `llm`: model, tokens, cost_usd, input/output messages, tool call arguments and result, retrieved documents, evals). A large trace is cut to the answer budget: the `truncated` note lists spans whose content was cut (get_span returns one whole) and next_span_offset for the remaining spans.",
        annotations(read_only_hint = true)
    )]
    async fn get_trace(
        &self,
        Parameters(p): Parameters<GetTraceParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.tool(Box::new(move |s, c| traces::get_trace(s, &p, c.max_bytes)))
            .await
    }

    #[tool(
        description = "One span whole: messages (prompt and completion), tool call, documents, attributes, resource, events and logs. When the span is larger than the answer budget the answer is one page of its JSON text (`json_text`) with page.next_offset: call again with offset=next_offset until it is null.",
        annotations(read_only_hint = true)
    )]
    async fn get_span(
        &self,
        Parameters(p): Parameters<GetSpanParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.tool(Box::new(move |s, c| traces::get_span(s, &p, c.max_bytes)))
            .await
    }

    #[tool(
        description = "Errors grouped by fingerprint: class (rate_limit, timeout, context_length, auth, content_filter, server_error, tool_error, ...), error_type, message, count, traces, services, models, first/last seen, retry chains and how the errors ended (rescued_by_retry, rescued_by_fallback, unrescued), and sample occurrences with trace_id and span_id to open with get_trace/get_span. Also totals by class and how many traces failed, degraded, retried or fell back.",
        annotations(read_only_hint = true)
    )]
    async fn list_errors(
        &self,
        Parameters(p): Parameters<ListErrorsParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.tool(Box::new(move |s, c| {
            reports::list_errors(s, &c.classifier, &p, c.max_bytes)
        }))
        .await
    }

    #[tool(
        description = "What the LLM calls cost over a window: totals (cost_usd, tokens in/out/cache/reasoning, llm_calls, unpriced_calls), burn rate, today and projected day, cache savings, and tables by_model, by_service, by_project, by_session, by_user, plus top_traces (the most expensive traces with trace_id).",
        annotations(read_only_hint = true)
    )]
    async fn cost_report(
        &self,
        Parameters(p): Parameters<WindowParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.tool(Box::new(move |s, c| {
            reports::cost_report(s, &p, c.max_bytes)
        }))
        .await
    }

    #[tool(
        description = "Evaluation scorecards: for each evaluator (e.g. faithfulness, relevance), per experiment, model or service: count, mean score, pass rate, score histogram, mean latency and cost per evaluation.",
        annotations(read_only_hint = true)
    )]
    async fn eval_scorecards(
        &self,
        Parameters(p): Parameters<EvalScorecardsParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.tool(Box::new(move |s, c| {
            reports::eval_scorecards(s, &p, c.max_bytes)
        }))
        .await
    }

    #[tool(
        description = "Compare two experiments' evaluation results (A the baseline, B the candidate): per evaluator the counts, mean score and pass rate of each with deltas (B - A), then the matched examples, regressions first, with both scores.",
        annotations(read_only_hint = true)
    )]
    async fn compare_experiments(
        &self,
        Parameters(p): Parameters<CompareExperimentsParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.tool(Box::new(move |s, c| {
            reports::compare_experiments(s, &p, c.max_bytes)
        }))
        .await
    }

    #[tool(
        description = "Compare two traces (A the baseline, e.g. a good run; B e.g. the failing run): totals side by side (duration_ms, span_count, error_count, llm_calls, tokens, cost_usd) with deltas B - A, the models only in A / only in B, and the first point where their span sequences (depth-first, siblings by start time) differ by name, kind, model or error, with both spans' ids.",
        annotations(read_only_hint = true)
    )]
    async fn compare_traces(
        &self,
        Parameters(p): Parameters<CompareTracesParams>,
    ) -> Result<CallToolResult, ErrorData> {
        self.tool(Box::new(move |s, c| {
            let a = traces::load_trace(s, traces::trace_id(&p.a)?)?;
            let b = traces::load_trace(s, traces::trace_id(&p.b)?)?;
            Ok(super::budget::fit(
                compare::compare_traces(&a, &b),
                c.max_bytes,
                "get_trace on each trace",
            ))
        }))
        .await
    }
}

#[tool_handler(router = self.tool_router)]
#[prompt_handler(router = self.prompt_router)]
impl ServerHandler for SpanlensMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        )
        .with_server_info(Implementation::new("spanlens", crate::build_info::VERSION))
        .with_instructions(format!(
            "spanlens holds the OpenTelemetry traces of LLM applications ({}). Start with \
             search_traces (filter `status:error` for failures) or list_errors, open a trace \
             with get_trace and a span with get_span; cost_report for spend, eval_scorecards \
             and compare_experiments for evaluations, compare_traces for two runs. Answers \
             are JSON; a `truncated` note says what was cut and how to get the rest.",
            self.config.origin
        ))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        resources::list(self).await
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        resources::read(self, &request.uri).await.map(Into::into)
    }
}
