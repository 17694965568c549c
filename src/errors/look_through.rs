//! What a wrapped error really is, for classification: the types and HTTP status a
//! record names only inside its message or stack trace.
//!
//! - `tenacity.RetryError` says `RetryError[<Future at 0x… state=finished raised
//!   RateLimitError>]`: the type after `raised` is the failure retried;
//! - an exception chain (`The above exception was the direct cause of …`, `During
//!   handling of …`, Java's `Caused by: …`) names each exception on a line of its own
//!   (`openai.RateLimitError: Error code: 429 - …`);
//! - client errors that re-wrap the provider's answer keep its status in the message
//!   (`Error code: 500 - …`, LangChain's `OpenAIAPIError`).
//!
//! [`look_through`] returns the record with those types appended to its error type
//! and the status filled in, so built-in and config rules match by exception type
//! name and status, not only by message text.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::records::ErrorRecord;

/// `raised RateLimitError>` (tenacity) — the retried exception's type.
static RAISED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"raised ([A-Za-z_][\w.]*)").expect("valid regex"));
/// A stack-trace line naming an exception: `pkg.mod.SomeError: message`, or Java's
/// `Caused by: pkg.SomeException: message`.
static CHAINED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^(?:Caused by: )?([A-Za-z_][\w.]*(?:Error|Exception|Exceeded|Timeout|Exhausted)\w*)(?::|$)")
        .expect("valid regex")
});
/// `Error code: 429` (the OpenAI and Anthropic Python clients' message prefix).
static CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)error code:? (\d{3})\b").expect("valid regex"));

/// Most inner types added to one record.
const MAX_INNER: usize = 8;

/// The record as classification should see it (see the module header); borrowed
/// when there is nothing to add.
pub fn look_through(r: &ErrorRecord) -> Cow<'_, ErrorRecord> {
    let own = r.error_type.as_deref().unwrap_or("");
    let mut inner: Vec<&str> = Vec::new();
    let texts = [Some(r.message.as_str()), r.stacktrace.as_deref()];
    for text in texts.into_iter().flatten() {
        let found = RAISED
            .captures_iter(text)
            .chain(CHAINED.captures_iter(text))
            .filter_map(|c| c.get(1).map(|m| m.as_str()));
        for t in found {
            if inner.len() < MAX_INNER && !own.contains(t) && !inner.contains(&t) {
                inner.push(t);
            }
        }
    }
    let status = match r.http_status {
        Some(_) => None,
        None => CODE
            .captures(&r.message)
            .and_then(|c| c[1].parse::<i64>().ok())
            .filter(|c| (100..=599).contains(c)),
    };
    if inner.is_empty() && status.is_none() {
        return Cow::Borrowed(r);
    }
    let mut seen = r.clone();
    if !inner.is_empty() {
        let mut t = own.to_string();
        for i in inner {
            if !t.is_empty() {
                t.push(' ');
            }
            t.push_str(i);
        }
        seen.error_type = Some(t);
    }
    if status.is_some() {
        seen.http_status = status;
    }
    Cow::Owned(seen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::classify::Classifier;
    use crate::errors::records::ErrorSource;
    use crate::model::TraceId;

    fn record() -> ErrorRecord {
        ErrorRecord {
            trace_id: TraceId([1; 16]),
            span_id: None,
            parent_span_id: None,
            time_unix_nano: 0,
            source: ErrorSource::Span,
            service: "svc".into(),
            span_name: "x".into(),
            operation: Some("chat".into()),
            model: None,
            provider: None,
            status_error: true,
            http_status: None,
            error_type: None,
            message: String::new(),
            stacktrace: None,
            attributes: vec![],
        }
    }

    #[test]
    fn tenacity_retry_error_is_classed_by_the_error_it_retried() {
        let mut r = record();
        r.error_type = Some("tenacity.RetryError".into());
        r.message =
            "RetryError[<Future at 0x7fe4d2e57a50 state=finished raised RateLimitError>]".into();
        r.http_status = None;
        assert_eq!(Classifier::default().classify(&r), "rate_limit");
    }

    #[test]
    fn a_chained_exception_in_the_stack_trace_is_looked_through() {
        let mut r = record();
        r.error_type = Some("app.AgentFailed".into());
        r.message = "the agent gave up".into();
        r.http_status = None;
        r.stacktrace = Some(
            "Traceback (most recent call last):\n  File \"x.py\", line 1\n\
             openai.APITimeoutError: Request timed out.\n\n\
             The above exception was the direct cause of the following exception:\n\n\
             app.AgentFailed: the agent gave up"
                .into(),
        );
        assert_eq!(Classifier::default().classify(&r), "timeout");
    }

    #[test]
    fn type_names_and_the_status_in_the_message_classify() {
        let c = Classifier::default();
        let mut r = record();
        r.http_status = None;
        r.message =
            "Error code: 500 - The server had an error while processing your request.".into();
        r.error_type = Some("langchain_openai.chat_models.base.OpenAIAPIError".into());
        assert_eq!(c.classify(&r), "provider_5xx");
        r.message = "boom".into();
        r.error_type = Some("<class 'openai.InternalServerError'>".into());
        assert_eq!(c.classify(&r), "provider_5xx");
        r.error_type = Some("openai.APITimeoutError".into());
        assert_eq!(c.classify(&r), "timeout");
        r.error_type = Some("openai.RateLimitError".into());
        assert_eq!(c.classify(&r), "rate_limit");
        // Nothing to see through: the record is used as it is.
        r.error_type = Some("ValueError".into());
        assert!(matches!(look_through(&r), Cow::Borrowed(_)));
        assert_eq!(c.classify(&r), "other");
    }
}
