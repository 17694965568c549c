//! Test traffic for the timeline's screen and view tests: a store holding a mix like
//! the demo's — 429s retried, falling back and giving up over several minutes, a
//! tool that timed out, an output that failed validation — and its report.

use super::{Classifier, ErrorReport, ErrorWindow, TimeWindow, report::load_window};
use crate::model::{
    AttrValue, Attributes, LlmFacet, LlmKind, Span, SpanEvent, SpanId, SpanKind, Status,
    StatusCode, ToolInfo, TraceId,
};
use crate::store::{IngestBatch, MemoryStore, TraceStore};

const MS: u64 = 1_000_000;
/// 2025-11-27 18:30:00 UTC; "now" is 40 minutes later.
pub const T0: u64 = 1_764_268_200_000_000_000;
pub const NOW: u64 = T0 + 40 * 60_000 * MS;

pub fn trace_id(n: u8) -> TraceId {
    let mut b = [0u8; 16];
    b[0] = n.wrapping_mul(37);
    b[1] = 0x5e;
    b[15] = n;
    TraceId(b)
}

pub fn span_id(trace: u8, n: u8) -> SpanId {
    SpanId([trace, n, 0, 0, 0, 0, 0, 1])
}

fn span(trace: u8, n: u8, parent: Option<u8>, name: &str, start_ms: u64, dur_ms: u64) -> Span {
    Span {
        trace_id: trace_id(trace),
        span_id: span_id(trace, n),
        parent_span_id: parent.map(|p| span_id(trace, p)),
        name: name.into(),
        service: "batch-summarizer".into(),
        kind: SpanKind::Internal,
        start_unix_nano: T0 + start_ms * MS,
        end_unix_nano: T0 + (start_ms + dur_ms) * MS,
        status: Status::default(),
        attributes: Attributes::new(),
        resource: Attributes::new(),
        scope: String::new(),
        events: Vec::new(),
        session: None,
        project: None,
        llm: None,
    }
}

fn fail(s: &mut Span, ty: &str, msg: &str, status: Option<i64>) {
    s.status = Status {
        code: StatusCode::Error,
        message: msg.into(),
    };
    if let Some(c) = status {
        s.attributes
            .insert("http.response.status_code".into(), AttrValue::Int(c));
    }
    let mut ev = Attributes::new();
    ev.insert("exception.type".into(), AttrValue::Str(ty.into()));
    ev.insert("exception.message".into(), AttrValue::Str(msg.into()));
    let stack = format!(
        "Traceback (most recent call last):\n  File \"/srv/summarizer/jobs.py\", line 88, in summarize\n    reply = client.chat.completions.create(model=model, messages=messages)\n  File \"/opt/venv/lib/python3.12/site-packages/openai/_base_client.py\", line 1047, in request\n    raise self._make_status_error_from_response(err.response) from None\n{ty}: {msg}\n"
    );
    ev.insert("exception.stacktrace".into(), AttrValue::Str(stack));
    s.events.push(SpanEvent {
        name: "exception".into(),
        time_unix_nano: s.end_unix_nano,
        attributes: ev,
    });
}

fn chat(trace: u8, n: u8, start_ms: u64, model: &str, provider: &str, failed: bool) -> Span {
    let mut s = span(trace, n, Some(1), &format!("chat {model}"), start_ms, 400);
    s.kind = SpanKind::Client;
    let mut llm = LlmFacet::new(LlmKind::Chat);
    llm.request_model = Some(model.into());
    llm.provider = Some(provider.into());
    s.llm = Some(llm);
    if failed {
        let msg = format!(
            "Error code: 429 - Rate limit reached for {model} in organization org-demo on tokens per min (TPM): Limit 30000, Used {}, Requested {}. Please try again in {}.{}s.",
            29_000 + u32::from(n) * 37 + u32::from(trace),
            600 + u32::from(trace) * 13,
            n % 3,
            trace
        );
        fail(&mut s, "openai.RateLimitError", &msg, Some(429));
    }
    s
}

/// The sample's spans: 6 rate-limited traces over 30 minutes (retry ok, fallback,
/// give up), a tool timeout and a validation error in a degraded agent run.
pub fn spans() -> Vec<Span> {
    let mut out = Vec::new();
    for (i, outcome) in ["retry", "fallback", "give_up", "retry", "retry", "fallback"]
        .iter()
        .enumerate()
    {
        let trace = i as u8 + 1;
        let t = i as u64 * 5 * 60_000;
        let mut root = span(trace, 1, None, "summarize", t, 4_000);
        out.push(chat(trace, 2, t + 10, "gpt-4o", "openai", true));
        match *outcome {
            "retry" => out.push(chat(trace, 3, t + 900, "gpt-4o", "openai", false)),
            "fallback" => out.push(chat(
                trace,
                3,
                t + 900,
                "claude-haiku-4-5",
                "anthropic",
                false,
            )),
            _ => {
                out.push(chat(trace, 3, t + 900, "gpt-4o", "openai", true));
                let last = chat(trace, 4, t + 2_400, "gpt-4o", "openai", true);
                root.status.code = StatusCode::Error;
                root.events = last.events.clone();
                out.push(last);
            }
        }
        out.push(root);
    }
    let t = 33 * 60_000;
    let mut root = span(9, 1, None, "invoke_agent weather", t, 6_000);
    root.service = "weather-agent".into();
    let mut tool = span(9, 2, Some(1), "execute_tool get_weather", t + 500, 3_000);
    tool.service = "weather-agent".into();
    let mut llm = LlmFacet::new(LlmKind::Tool);
    llm.tool = Some(ToolInfo {
        name: "get_weather".into(),
        ..Default::default()
    });
    tool.llm = Some(llm);
    fail(
        &mut tool,
        "httpx.ReadTimeout",
        "timed out after 3.0s reading https://api.weather.example/v1?city='Paris'",
        None,
    );
    let mut parse = span(9, 3, Some(1), "parse_answer", t + 5_000, 20);
    parse.service = "weather-agent".into();
    fail(
        &mut parse,
        "pydantic_core.ValidationError",
        "1 validation error for Forecast\ntemperature\n  Field required",
        None,
    );
    out.extend([tool, parse, root]);
    out
}

/// A store holding `spans()`.
pub fn store() -> MemoryStore {
    let store = MemoryStore::new();
    store
        .write(&IngestBatch {
            spans: spans(),
            ..Default::default()
        })
        .expect("memory store write");
    store
}

pub fn window(which: TimeWindow) -> ErrorWindow {
    load_window(&store(), which.since(NOW), NOW).expect("memory store read")
}

pub fn report(which: TimeWindow) -> ErrorReport {
    ErrorReport::build(&window(which), &Classifier::default(), which)
}
