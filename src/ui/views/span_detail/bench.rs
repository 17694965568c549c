//! A synthetic trace for benchmarks and the large-trace test (re-exported as
//! `views::trace_tree::bench_detail`).

use crate::model::{
    LlmFacet, LlmKind, Span, SpanId, SpanKind, Status, StatusCode, ToolInfo, TraceId,
};
use crate::query::TraceDetail;

/// A synthetic trace of `n` spans (n ≥ 1) for benchmarks: a root agent with nested
/// sub-agents, each running model calls and tools; every 97th tool call fails.
pub fn bench_detail(n: usize) -> TraceDetail {
    const T0: u64 = 1_764_268_201_000_000_000;
    const MS: u64 = 1_000_000;
    let trace_id = TraceId([0x42; 16]);
    let sid = |i: usize| SpanId(((i as u64) + 1).to_be_bytes());
    let n = n.max(1);
    let end = T0 + (n as u64 + 2) * MS;
    let mut spans = Vec::with_capacity(n);
    let mut agents: Vec<usize> = vec![0];
    for i in 0..n {
        let (name, parent, kind, start, stop) = if i == 0 {
            ("agent.run".to_string(), None, LlmKind::Agent, T0, end)
        } else if i % 4 == 1 {
            // A sub-agent: nested under the last one up to 4 deep, then a sibling.
            if agents.len() > 4 {
                agents.truncate(1);
            }
            let parent = *agents.last().unwrap_or(&0);
            agents.push(i);
            let start = T0 + i as u64 * MS;
            (
                format!("agent.step {i}"),
                Some(parent),
                LlmKind::Agent,
                start,
                start + 4 * MS,
            )
        } else {
            let parent = *agents.last().unwrap_or(&0);
            let start = T0 + i as u64 * MS;
            let (name, kind) = if i % 4 == 2 {
                ("tool search_docs".to_string(), LlmKind::Tool)
            } else {
                ("chat gpt-4o-mini".to_string(), LlmKind::Chat)
            };
            (name, Some(parent), kind, start, start + MS * 8 / 10)
        };
        let mut llm = LlmFacet::new(kind);
        if kind.is_model_call() {
            llm.provider = Some("openai".into());
            llm.request_model = Some("gpt-4o-mini".into());
            llm.response_model = Some("gpt-4o-mini-2024-07-18".into());
            llm.input_tokens = Some(400 + (i as u64 % 300));
            llm.output_tokens = Some(20 + (i as u64 % 80));
            llm.cost_usd = Some(0.000_09);
        }
        let failed = kind == LlmKind::Tool && i % 97 == 2;
        if kind == LlmKind::Tool {
            llm.tool = Some(ToolInfo {
                name: "search_docs".into(),
                call_id: Some(format!("call_{i}")),
                arguments: Some(format!("{{\"query\": \"q{i}\"}}")),
                result: Some("[]".into()),
            });
        }
        spans.push(Span {
            trace_id,
            span_id: sid(i),
            parent_span_id: parent.map(sid),
            name,
            service: "bench-agent".into(),
            kind: SpanKind::Internal,
            start_unix_nano: start,
            end_unix_nano: stop,
            status: Status {
                code: if failed {
                    StatusCode::Error
                } else {
                    StatusCode::Unset
                },
                message: if failed {
                    "tool failed".into()
                } else {
                    String::new()
                },
            },
            attributes: Default::default(),
            resource: Default::default(),
            scope: "bench".into(),
            events: Vec::new(),
            session: None,
            project: None,
            llm: Some(llm),
        });
    }
    let logs = vec![Vec::new(); spans.len()];
    TraceDetail {
        spans,
        logs,
        unjoined_logs: Vec::new(),
    }
}
