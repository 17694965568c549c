//! Error records: the facts of one failure, extracted from one span or one
//! error-severity log record at ingest and stored under their own key prefix, so the
//! error timeline reads the records of its window and never scans spans.
//!
//! A span is a failure when its status is ERROR, it carries an `exception` event, it
//! has an `error.type` attribute, or its HTTP status says so (5xx, or 4xx on a span
//! that is not a server span). A log record is one when its severity is ERROR or
//! worse and it names a trace. Records keep raw facts only (type, message, stack
//! trace, HTTP status, a few short attributes): classes and fingerprints are computed
//! when reading, so a change of `[[error_classes]]` applies to stored errors too.

use serde::{Deserialize, Serialize};

use crate::model::{AttrValue, LogRecord, Span, SpanId, SpanKind, StatusCode, TraceId};

/// Longest message kept, in bytes.
pub const MAX_MESSAGE: usize = 2_000;
/// Longest stack trace kept, in bytes (its head and its tail when longer).
pub const MAX_STACKTRACE: usize = 8_192;
/// Most attributes kept per record, and the longest value kept.
const MAX_ATTRIBUTES: usize = 32;
const MAX_ATTRIBUTE_VALUE: usize = 200;
/// OTLP severity number of ERROR.
const SEVERITY_ERROR: i32 = 17;

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorSource {
    /// A span (status, exception event, `error.type` or HTTP status).
    Span,
    /// An error-severity log record joined to its trace (and span, when it names one).
    Log,
}

impl ErrorSource {
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorSource::Span => "span",
            ErrorSource::Log => "log",
        }
    }
}

/// One failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorRecord {
    pub trace_id: TraceId,
    /// The failing span (for a log record: the span it names, if any).
    pub span_id: Option<SpanId>,
    pub parent_span_id: Option<SpanId>,
    /// When it failed: the exception event's time, else the span's end (the log's time).
    pub time_unix_nano: u64,
    pub source: ErrorSource,
    pub service: String,
    /// The span's name (empty for a log record).
    pub span_name: String,
    /// The GenAI kind of the span (`chat`, `tool`, …), when it has one.
    pub operation: Option<String>,
    pub model: Option<String>,
    pub provider: Option<String>,
    /// The span's status was ERROR.
    pub status_error: bool,
    /// `http.response.status_code` or `http.status_code`.
    pub http_status: Option<i64>,
    /// `exception.type`, else `error.type`, as sent.
    pub error_type: Option<String>,
    pub message: String,
    pub stacktrace: Option<String>,
    /// Short attributes of the span (or log), for `match_attribute` rules.
    pub attributes: Vec<(String, String)>,
}

/// The HTTP status a span or log carries.
fn http_status(attrs: &crate::model::Attributes) -> Option<i64> {
    ["http.response.status_code", "http.status_code"]
        .iter()
        .find_map(|k| attrs.get(*k).and_then(AttrValue::as_i64))
}

/// Attributes short enough to keep (content such as prompts is left out).
fn short_attributes(attrs: &crate::model::Attributes) -> Vec<(String, String)> {
    attrs
        .iter()
        .filter(|(k, _)| !k.contains("messages") && !k.contains("prompt"))
        .map(|(k, v)| (k.clone(), v.to_text()))
        .filter(|(_, v)| v.len() <= MAX_ATTRIBUTE_VALUE)
        .take(MAX_ATTRIBUTES)
        .collect()
}

/// `s` cut to at most `max` bytes on a character boundary.
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// A stack trace bounded to `MAX_STACKTRACE`: its head and tail (the frames that
/// name the failure are at one end or the other, depending on the language).
fn bound_stacktrace(s: &str) -> String {
    if s.len() <= MAX_STACKTRACE {
        return s.to_string();
    }
    let half = MAX_STACKTRACE / 2;
    let mut head = half;
    while !s.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = s.len() - half;
    while !s.is_char_boundary(tail) {
        tail += 1;
    }
    format!("{}\n…\n{}", &s[..head], &s[tail..])
}

fn text_attr(attrs: &crate::model::Attributes, key: &str) -> Option<String> {
    attrs
        .get(key)
        .map(AttrValue::to_text)
        .filter(|s| !s.trim().is_empty())
}

/// True when a span failed: status ERROR, an `exception` event, `error.type`, or an
/// HTTP status of 5xx (4xx on a span that is not a server span). Allocates nothing.
pub fn span_failed(span: &Span) -> bool {
    let http_failed = http_status(&span.attributes)
        .is_some_and(|c| c >= 500 || (c >= 400 && span.kind != SpanKind::Server && c < 600));
    span.status.code == StatusCode::Error
        || http_failed
        || span.events.iter().any(|e| e.name == "exception")
        || text_attr_present(&span.attributes, "error.type")
}

fn text_attr_present(attrs: &crate::model::Attributes, key: &str) -> bool {
    attrs.get(key).is_some_and(|v| match v {
        AttrValue::Str(s) => !s.trim().is_empty(),
        AttrValue::Empty => false,
        _ => true,
    })
}

impl ErrorRecord {
    /// The record of a failed span, or `None` when the span did not fail.
    pub fn from_span(span: &Span) -> Option<ErrorRecord> {
        if !span_failed(span) {
            return None;
        }
        let exception = span.events.iter().rev().find(|e| e.name == "exception");
        let status = http_status(&span.attributes);
        let error_type_attr = text_attr(&span.attributes, "error.type");
        let status_error = span.status.code == StatusCode::Error;
        let ex = |k: &str| exception.and_then(|e| text_attr(&e.attributes, k));
        let error_type = ex("exception.type").or(error_type_attr);
        let message = ex("exception.message")
            .or_else(|| Some(span.status.message.clone()).filter(|m| !m.trim().is_empty()))
            .or_else(|| error_type.clone())
            .or_else(|| status.map(|c| format!("HTTP {c}")))
            .unwrap_or_else(|| "error".to_string());
        let end = if span.end_unix_nano > 0 {
            span.end_unix_nano
        } else {
            span.start_unix_nano
        };
        let llm = span.llm.as_ref();
        Some(ErrorRecord {
            trace_id: span.trace_id,
            span_id: Some(span.span_id),
            parent_span_id: span.parent_span_id,
            time_unix_nano: exception
                .map(|e| e.time_unix_nano)
                .filter(|t| *t > 0)
                .unwrap_or(end),
            source: ErrorSource::Span,
            service: span.service.clone(),
            span_name: span.name.clone(),
            operation: llm.map(|l| l.kind.as_str().to_string()),
            model: llm
                .and_then(|l| l.request_model.as_deref().or(l.response_model.as_deref()))
                .map(str::to_string),
            provider: llm.and_then(|l| l.provider.clone()),
            status_error,
            http_status: status,
            error_type: error_type.map(|t| cut(&t, MAX_ATTRIBUTE_VALUE)),
            message: cut(&message, MAX_MESSAGE),
            stacktrace: ex("exception.stacktrace").map(|s| bound_stacktrace(&s)),
            attributes: short_attributes(&span.attributes),
        })
    }

    /// The record of an error-severity log record joined to a trace, else `None`.
    pub fn from_log(log: &LogRecord) -> Option<ErrorRecord> {
        let trace_id = log.trace_id?;
        let sev = log.severity_text.to_ascii_uppercase();
        let is_error = log.severity_number >= SEVERITY_ERROR
            || matches!(sev.as_str(), "ERROR" | "FATAL" | "CRITICAL");
        if !is_error {
            return None;
        }
        let a = &log.attributes;
        let body = match &log.body {
            AttrValue::Empty => String::new(),
            other => other.to_text(),
        };
        let message = text_attr(a, "exception.message")
            .or(Some(body).filter(|b| !b.trim().is_empty()))
            .unwrap_or_else(|| "error".to_string());
        Some(ErrorRecord {
            trace_id,
            span_id: log.span_id,
            parent_span_id: None,
            time_unix_nano: log.timestamp(),
            source: ErrorSource::Log,
            service: log.service.clone(),
            span_name: String::new(),
            operation: None,
            model: None,
            provider: None,
            status_error: false,
            http_status: http_status(a),
            error_type: text_attr(a, "exception.type")
                .or_else(|| text_attr(a, "error.type"))
                .map(|t| cut(&t, MAX_ATTRIBUTE_VALUE)),
            message: cut(&message, MAX_MESSAGE),
            stacktrace: text_attr(a, "exception.stacktrace").map(|s| bound_stacktrace(&s)),
            attributes: short_attributes(a),
        })
    }

    /// The value of a kept attribute.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attributes, LlmFacet, LlmKind, SpanEvent, Status};

    pub(crate) fn span(n: u8, status: StatusCode) -> Span {
        Span {
            trace_id: TraceId([7; 16]),
            span_id: SpanId([n; 8]),
            parent_span_id: Some(SpanId([1; 8])),
            name: "chat gpt-4o".into(),
            service: "svc".into(),
            kind: SpanKind::Client,
            start_unix_nano: 1_000,
            end_unix_nano: 2_000,
            status: Status {
                code: status,
                message: String::new(),
            },
            attributes: Attributes::new(),
            resource: Attributes::new(),
            scope: String::new(),
            events: Vec::new(),
            session: None,
            project: None,
            llm: None,
        }
    }

    #[test]
    fn a_span_that_did_not_fail_has_no_record() {
        let mut s = span(2, StatusCode::Ok);
        s.attributes
            .insert("http.response.status_code".into(), AttrValue::Int(200));
        assert_eq!(ErrorRecord::from_span(&s), None);
        // A server answering 404 did its job.
        s.kind = SpanKind::Server;
        s.attributes
            .insert("http.response.status_code".into(), AttrValue::Int(404));
        assert_eq!(ErrorRecord::from_span(&s), None);
    }

    #[test]
    fn the_exception_event_gives_type_message_stack_and_time() {
        let mut s = span(2, StatusCode::Error);
        s.status.message = "status text".into();
        let mut llm = LlmFacet::new(LlmKind::Chat);
        llm.request_model = Some("gpt-4o".into());
        llm.provider = Some("openai".into());
        s.llm = Some(llm);
        s.attributes
            .insert("http.response.status_code".into(), AttrValue::Int(429));
        s.attributes
            .insert("gen_ai.input.messages".into(), AttrValue::Str("[…]".into()));
        let mut ev = Attributes::new();
        ev.insert(
            "exception.type".into(),
            AttrValue::Str("openai.RateLimitError".into()),
        );
        ev.insert(
            "exception.message".into(),
            AttrValue::Str("Rate limit reached".into()),
        );
        ev.insert(
            "exception.stacktrace".into(),
            AttrValue::Str("x".repeat(20_000)),
        );
        s.events.push(SpanEvent {
            name: "exception".into(),
            time_unix_nano: 1_900,
            attributes: ev,
        });
        let r = ErrorRecord::from_span(&s).unwrap();
        assert_eq!(r.error_type.as_deref(), Some("openai.RateLimitError"));
        assert_eq!(r.message, "Rate limit reached");
        assert_eq!(r.time_unix_nano, 1_900);
        assert_eq!(r.http_status, Some(429));
        assert_eq!(r.model.as_deref(), Some("gpt-4o"));
        assert_eq!(r.operation.as_deref(), Some("chat"));
        assert!(r.stacktrace.as_ref().unwrap().len() <= MAX_STACKTRACE + 8);
        assert!(
            r.attribute("gen_ai.input.messages").is_none(),
            "content is not kept"
        );
        assert_eq!(r.attribute("http.response.status_code"), Some("429"));
    }

    #[test]
    fn without_an_exception_the_status_message_and_error_type_are_used() {
        let mut s = span(2, StatusCode::Unset);
        s.attributes
            .insert("error.type".into(), AttrValue::Str("timeout".into()));
        let r = ErrorRecord::from_span(&s).unwrap();
        assert_eq!(r.error_type.as_deref(), Some("timeout"));
        assert_eq!(r.message, "timeout");
        assert!(!r.status_error);
        assert_eq!(r.time_unix_nano, 2_000);
    }

    #[test]
    fn error_logs_joined_to_a_trace_are_records_and_others_are_not() {
        let mut log = LogRecord {
            trace_id: Some(TraceId([7; 16])),
            span_id: Some(SpanId([3; 8])),
            time_unix_nano: 5,
            observed_time_unix_nano: 6,
            severity_number: 17,
            severity_text: "ERROR".into(),
            event_name: None,
            body: AttrValue::Str("tool weather failed: HTTP 503".into()),
            attributes: Attributes::new(),
            service: "svc".into(),
        };
        let r = ErrorRecord::from_log(&log).unwrap();
        assert_eq!(r.source, ErrorSource::Log);
        assert_eq!(r.message, "tool weather failed: HTTP 503");
        assert_eq!(r.span_id, Some(SpanId([3; 8])));
        log.severity_number = 9;
        log.severity_text = "INFO".into();
        assert_eq!(ErrorRecord::from_log(&log), None);
        log.severity_number = 17;
        log.trace_id = None;
        assert_eq!(ErrorRecord::from_log(&log), None);
    }
}
