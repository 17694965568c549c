//! Resources and the prompt: `spanlens://trace/{trace_id}` (what get_trace answers)
//! and `spanlens://span/{trace_id}/{span_id}` (what get_span answers), the newest
//! traces listed as resources, and `debug_trace`, a prompt that walks an agent
//! through a failing trace with the tools.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    GetPromptResult, ListResourcesResult, PromptMessage, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate, Role,
};
use rmcp::{ErrorData, prompt, prompt_router};
use serde_json::json;

use super::SpanlensMcp;
use super::params::{DebugTraceArgs, GetSpanParams, GetTraceParams};
use super::traces;
use crate::store::TraceQuery;

/// Traces listed by `resources/list` (the newest).
const LISTED: usize = 20;
const JSON: &str = "application/json";

pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("spanlens://trace/{trace_id}", "trace")
            .with_description(
                "A trace: summary and spans with their LLM facets, cut to the answer budget (as get_trace)",
            )
            .with_mime_type(JSON),
        ResourceTemplate::new("spanlens://span/{trace_id}/{span_id}", "span")
            .with_description("One span whole (as get_span; first page when very large)")
            .with_mime_type(JSON),
    ]
}

/// A URI this server serves, parsed.
#[derive(Debug, PartialEq)]
enum Uri<'a> {
    Trace(&'a str),
    Span(&'a str, &'a str),
}

fn parse(uri: &str) -> Option<Uri<'_>> {
    let rest = uri.strip_prefix("spanlens://")?;
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        ["trace", t] => Some(Uri::Trace(t)),
        ["span", t, s] => Some(Uri::Span(t, s)),
        _ => None,
    }
}

pub async fn list(server: &SpanlensMcp) -> Result<ListResourcesResult, ErrorData> {
    let list = server
        .answer(Box::new(|s, _| {
            Ok(s.traces(&TraceQuery {
                limit: Some(LISTED),
                ..Default::default()
            })?)
        }))
        .await
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    let resources = list
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .filter_map(|t| {
            let id = t["trace_id"].as_str()?;
            let name = crate::util::sanitize_for_terminal(t["root_name"].as_str().unwrap_or(id));
            Some(
                Resource::new(format!("spanlens://trace/{id}"), name)
                    .with_description(format!(
                        "{} · {} spans · {} errors",
                        t["service"].as_str().unwrap_or(""),
                        t["span_count"],
                        t["error_count"]
                    ))
                    .with_mime_type(JSON),
            )
        })
        .collect();
    Ok(ListResourcesResult::with_all_items(resources))
}

pub async fn read(server: &SpanlensMcp, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let owned = uri.to_string();
    let answer = match parse(uri) {
        Some(Uri::Trace(t)) => {
            let p = GetTraceParams {
                trace_id: t.to_string(),
                span_offset: None,
            };
            server
                .answer(Box::new(move |s, c| traces::get_trace(s, &p, c.max_bytes)))
                .await
        }
        Some(Uri::Span(t, sp)) => {
            let p = GetSpanParams {
                trace_id: t.to_string(),
                span_id: sp.to_string(),
                offset: None,
            };
            server
                .answer(Box::new(move |s, c| traces::get_span(s, &p, c.max_bytes)))
                .await
        }
        None => {
            return Err(ErrorData::resource_not_found(
                format!(
                    "not a spanlens resource: {uri} (spanlens://trace/ID or spanlens://span/TRACE/SPAN)"
                ),
                Some(json!({"uri": uri})),
            ));
        }
    };
    match answer {
        Ok(v) => Ok(ReadResourceResult::new(vec![
            ResourceContents::text(v.to_string(), owned).with_mime_type(JSON),
        ])),
        Err(super::ToolError::NotFound(m)) => Err(ErrorData::resource_not_found(m, None)),
        Err(super::ToolError::BadInput(m)) => Err(ErrorData::invalid_params(m, None)),
        Err(e) => Err(ErrorData::internal_error(e.to_string(), None)),
    }
}

#[prompt_router(vis = "pub(super)")]
impl SpanlensMcp {
    /// Investigate a failing trace step by step with the spanlens tools: what failed,
    /// why, what it cost, and how it differs from a good run.
    #[prompt(name = "debug_trace")]
    async fn debug_trace(
        &self,
        Parameters(args): Parameters<DebugTraceArgs>,
    ) -> Result<GetPromptResult, ErrorData> {
        let start = match args.trace_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => format!("The trace to investigate is {id}."),
            _ => "First call search_traces with filter `status:error` and limit 5, and take the \
                  newest trace."
                .to_string(),
        };
        let text = format!(
            "{start}\n\
             1. Call get_trace on it. Find the spans whose status.code is \"error\" and the \
             deepest of them (the root cause is usually the first error in time, not the root \
             span). Note retries and fallbacks (spans repeated with another model).\n\
             2. Call get_span on the failing span: read status.message, the exception events \
             (exception.type, exception.message, exception.stacktrace), and for an LLM call \
             the input messages, the model, the tool call arguments and result.\n\
             3. Call list_errors to see whether this error belongs to a known group (class, \
             count, first seen, how often retries rescued it).\n\
             4. Find a successful run of the same operation: search_traces with filter \
             `name~<root span name>` and pick one with error_count 0; call compare_traces \
             with it as a and the failing trace as b to see where the runs diverge and what \
             each cost.\n\
             5. Answer: what failed and where (span name and id), the most likely cause with \
             the evidence quoted, what the run cost (cost_usd, tokens), and a concrete fix."
        );
        Ok(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                .with_description("Walk through a failing trace with the spanlens tools"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_parse_and_others_are_refused() {
        assert_eq!(parse("spanlens://trace/abc"), Some(Uri::Trace("abc")));
        assert_eq!(
            parse("spanlens://span/abc/def"),
            Some(Uri::Span("abc", "def"))
        );
        assert_eq!(parse("spanlens://span/abc"), None);
        assert_eq!(parse("file:///etc/passwd"), None);
    }
}
