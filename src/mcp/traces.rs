//! `search_traces`, `get_trace` and `get_span`: trace summaries (`traces --json`),
//! one trace (`trace ID --json`) cut to the budget with the ids of what was cut, and
//! one span whole, paged by byte offset when it is larger than the budget.

use serde_json::{Value, json};

use super::ToolError;
use super::budget::{cut_strings, fit, floor_boundary, size};
use super::params::{GetSpanParams, GetTraceParams, SearchTracesParams};
use crate::model::{SpanId, TraceId};
use crate::query::TraceSource;
use crate::util::{now_unix_nano, parse_duration};

/// Most traces `search_traces` returns.
pub const MAX_LIMIT: usize = 500;

/// A window start from a duration like `2h` (now minus it).
pub fn since_nanos(text: Option<&str>) -> Result<Option<u64>, ToolError> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| {
            parse_duration(t.trim())
                .map(|d| now_unix_nano().saturating_sub(d.as_nanos() as u64))
                .map_err(|e| ToolError::BadInput(format!("since: {e} (use e.g. 15m, 2h, 7d)")))
        })
        .transpose()
}

pub fn trace_id(text: &str) -> Result<TraceId, ToolError> {
    text.trim().parse().map_err(|e| {
        ToolError::BadInput(format!(
            "trace id {text:?}: {e} (a trace id is 32 hex digits, as in search_traces results)"
        ))
    })
}

fn span_id(text: &str) -> Result<SpanId, ToolError> {
    text.trim().parse().map_err(|e| {
        ToolError::BadInput(format!(
            "span id {text:?}: {e} (a span id is 16 hex digits, as in get_trace results)"
        ))
    })
}

/// One trace's `trace --json`, or a not-found tool error.
pub fn load_trace(source: &dyn TraceSource, id: TraceId) -> Result<Value, ToolError> {
    source.trace(id)?.ok_or_else(|| {
        ToolError::NotFound(format!(
            "no trace {id} in this instance (search_traces lists the stored ones)"
        ))
    })
}

pub fn search_traces(
    source: &dyn TraceSource,
    p: &SearchTracesParams,
    max_bytes: usize,
) -> Result<Value, ToolError> {
    let filter = p.filter.as_deref().unwrap_or("");
    let mut query = crate::ui::filter::parse_filter(filter)
        .map_err(|e| ToolError::BadInput(format!("filter {filter:?}: {e}")))?;
    let limit = p.limit.unwrap_or(20);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ToolError::BadInput(format!(
            "limit {limit}: use 1 to {MAX_LIMIT}"
        )));
    }
    query.limit = Some(limit);
    query.since_unix_nano = since_nanos(p.since.as_deref())?;
    let traces = source.traces(&query)?;
    let count = traces.as_array().map_or(0, Vec::len);
    Ok(fit(
        json!({"count": count, "traces": traces}),
        max_bytes,
        "lower limit or narrow the filter (e.g. status:error, since)",
    ))
}

/// The fields of a span `get_trace` leaves to `get_span` when the trace is too large.
const HEAVY_FIELDS: [&str; 2] = ["resource", "scope"];

pub fn get_trace(
    source: &dyn TraceSource,
    p: &GetTraceParams,
    max_bytes: usize,
) -> Result<Value, ToolError> {
    let id = trace_id(&p.trace_id)?;
    let trace = load_trace(source, id)?;
    Ok(budget_trace(trace, p.span_offset.unwrap_or(0), max_bytes))
}

/// The marker's advice at the end of a string `get_trace` cut.
const CUT_HINT: &str = "get_span has it whole";

/// A span as `get_trace` shows it at a cut level: whole (`None`), or without
/// resource and scope and with strings cut to so many chars; and whether content
/// was cut.
fn shown(span: &Value, cut: Option<usize>) -> (Value, bool) {
    let mut s = span.clone();
    let Some(max_chars) = cut else {
        return (s, false);
    };
    if let Some(o) = s.as_object_mut() {
        for f in HEAVY_FIELDS {
            o.remove(f);
        }
    }
    let n = cut_strings(&mut s, max_chars, CUT_HINT);
    (s, n > 0)
}

/// Whether all `spans`, shown at `cut`, fit in `room` bytes; stops at the first
/// byte over, so a trace of 10,000 spans costs what one answer's worth does.
fn all_fit(spans: &[Value], cut: Option<usize>, room: usize) -> bool {
    let mut used = 0;
    spans.iter().all(|s| {
        used += size(&shown(s, cut).0) + 1;
        used <= room
    })
}

/// Cuts a `trace --json` to the budget: the whole trace when it fits; else, from
/// `span_offset`, the spans at the mildest cut level at which they all fit (without
/// resource and scope, strings cut to 2000, 800, 300 or 120 chars), or as many
/// spans at 120 chars as fit, paged with `next_span_offset`. The `truncated` note
/// names every span whose content was cut.
pub fn budget_trace(mut trace: Value, span_offset: usize, max_bytes: usize) -> Value {
    let spans = match trace.get_mut("spans").map(Value::take) {
        Some(Value::Array(spans)) => spans,
        _ => Vec::new(),
    };
    let total_spans = spans.len();
    let rest = &spans[span_offset.min(total_spans)..];
    if span_offset == 0 && all_fit(rest, None, max_bytes.saturating_sub(size(&trace) + 12)) {
        trace["spans"] = Value::Array(spans);
        return trace;
    }
    cut_strings(&mut trace["logs"], 300, "get_trace cuts trace-level logs");
    let room = max_bytes.saturating_sub(1200 + size(&trace));
    let levels = [None, Some(2000), Some(800), Some(300), Some(120)];
    let cut = levels
        .into_iter()
        .find(|c| all_fit(rest, *c, room))
        .unwrap_or(Some(120));
    let mut used = 0;
    let mut kept = Vec::new();
    let mut cut_in = Vec::new();
    for s in rest {
        let (shown, was_cut) = shown(s, cut);
        let n = size(&shown) + 1;
        if used + n > room && !kept.is_empty() {
            break;
        }
        used += n;
        if was_cut {
            cut_in.push(shown["span_id"].clone());
        }
        kept.push(shown);
    }
    let returned = kept.len();
    let next = span_offset + returned;
    let more = next < total_spans;
    let mut note = json!({
        "max_bytes": max_bytes,
        "total_spans": total_spans,
        "span_offset": span_offset,
        "spans_returned": returned,
        "next_span_offset": if more { json!(next) } else { Value::Null },
        "content_cut_in_spans": cut_in,
        "how_to_get_more": format!(
            "get_span {{trace_id, span_id}} returns one span whole{}",
            if more {
                format!("; get_trace with span_offset={next} returns the next spans")
            } else {
                String::new()
            }
        ),
    });
    if let Some(max_chars) = cut {
        note["fields_left_to_get_span"] = json!(HEAVY_FIELDS);
        note["strings_cut_to_chars"] = json!(max_chars);
    }
    trace["spans"] = Value::Array(kept);
    trace["truncated"] = note;
    if size(&trace) > max_bytes {
        return fit(trace, max_bytes, "get_span for each span");
    }
    trace
}

pub fn get_span(
    source: &dyn TraceSource,
    p: &GetSpanParams,
    max_bytes: usize,
) -> Result<Value, ToolError> {
    let tid = trace_id(&p.trace_id)?;
    let sid = span_id(&p.span_id)?;
    let trace = load_trace(source, tid)?;
    let span = trace["spans"]
        .as_array()
        .and_then(|spans| {
            spans
                .iter()
                .find(|s| s["span_id"].as_str() == Some(&sid.to_string()))
        })
        .cloned()
        .ok_or_else(|| {
            ToolError::NotFound(format!(
                "trace {tid} has no span {sid} (get_trace lists its spans)"
            ))
        })?;
    Ok(page_span(span, p.offset.unwrap_or(0), max_bytes))
}

/// The span whole when it fits, else one page of its pretty JSON text.
pub fn page_span(span: Value, offset: usize, max_bytes: usize) -> Value {
    if offset == 0 && size(&span) <= max_bytes {
        return span;
    }
    let text = serde_json::to_string_pretty(&span).unwrap_or_default();
    let start = floor_boundary(&text, offset);
    // Escaping grows the text inside a JSON string (quotes, newlines): shrink the
    // page until its escaped form fits.
    let room = max_bytes.saturating_sub(700).max(64);
    let mut end = floor_boundary(&text, start.saturating_add(room));
    while end > start {
        let escaped = serde_json::to_string(&text[start..end]).map_or(0, |t| t.len());
        if escaped <= room {
            break;
        }
        let shrunk = (end - start) * room / escaped;
        end = floor_boundary(&text, start + shrunk.min(end - start - 1));
    }
    if end == start && start < text.len() {
        end = floor_boundary(&text, start + 4)
            .max(start + 1)
            .min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
    }
    let next = (end < text.len()).then_some(end);
    json!({
        "trace_id": span["trace_id"],
        "span_id": span["span_id"],
        "name": span["name"],
        "page": {
            "offset": start,
            "end": end,
            "total_bytes": text.len(),
            "next_offset": next,
            "how_to_get_more": match next {
                Some(n) => format!("the span's JSON is {} bytes; call get_span with offset={n} for the next page", text.len()),
                None => "this is the last page".to_string(),
            },
        },
        "json_text": &text[start..end],
    })
}
