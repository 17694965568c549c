//! The classification table: built-in classes, config-added ones, bad configs.

use super::*;
use crate::errors::records::ErrorSource;
use crate::model::TraceId;

fn record(ty: Option<&str>, msg: &str, status: Option<i64>, op: Option<&str>) -> ErrorRecord {
    ErrorRecord {
        trace_id: TraceId([1; 16]),
        span_id: None,
        parent_span_id: None,
        time_unix_nano: 0,
        source: ErrorSource::Span,
        service: "svc".into(),
        span_name: "x".into(),
        operation: op.map(str::to_string),
        model: None,
        provider: None,
        status_error: true,
        http_status: status,
        error_type: ty.map(str::to_string),
        message: msg.into(),
        stacktrace: None,
        attributes: vec![("llm.vendor".into(), "Azure-East".into())],
    }
}

#[test]
fn the_builtin_table_classes_common_failures() {
    let c = Classifier::default();
    // (type, message, HTTP status, operation, expected class)
    type Case<'a> = (
        Option<&'a str>,
        &'a str,
        Option<i64>,
        Option<&'a str>,
        &'a str,
    );
    let table: [Case; 14] = [
        (
            None,
            "Too Many Requests",
            Some(429),
            Some("chat"),
            "rate_limit",
        ),
        (
            Some("<class 'openai.RateLimitError'>"),
            "Error code: 429",
            None,
            None,
            "rate_limit",
        ),
        (
            None,
            "{'code': 'rate_limit_exceeded'}",
            None,
            None,
            "rate_limit",
        ),
        (Some("httpx.ReadTimeout"), "read", None, None, "timeout"),
        (None, "request timed out after 30s", None, None, "timeout"),
        (
            Some("openai.AuthenticationError"),
            "Incorrect API key provided",
            Some(401),
            None,
            "authentication",
        ),
        (None, "forbidden", Some(403), None, "authentication"),
        (
            None,
            "The response was filtered due to content_filter",
            Some(400),
            None,
            "content_filter",
        ),
        (None, "blocked", None, Some("guardrail"), "content_filter"),
        (
            Some("anthropic.InternalServerError"),
            "Overloaded",
            Some(529),
            None,
            "provider_5xx",
        ),
        (None, "upstream", Some(502), None, "provider_5xx"),
        (
            Some("pydantic.ValidationError"),
            "1 validation error for Answer",
            None,
            None,
            "output_parse",
        ),
        (
            Some("KeyError"),
            "'city'",
            None,
            Some("tool"),
            "tool_failure",
        ),
        (
            Some("ValueError"),
            "something odd",
            None,
            Some("chat"),
            "other",
        ),
    ];
    for (ty, msg, status, op, want) in table {
        assert_eq!(
            c.classify(&record(ty, msg, status, op)),
            want,
            "{ty:?} {msg}"
        );
    }
}

#[test]
fn config_rules_add_classes_and_come_first() {
    let text = "[[error_classes]]\nname = \"quota\"\nmatch_message = [\"quota\", \"billing\"]\n\n\
                [[error_classes]]\nname = \"azure_throttle\"\nmatch_attribute = \"llm.vendor=azure\"\nstatus_code = \"4xx\"\n";
    let cfg = ConfigFile::parse(None, text.into()).unwrap();
    let c = Classifier::from_config(&cfg).unwrap();
    let quota = record(
        Some("openai.RateLimitError"),
        "You exceeded your current quota",
        Some(429),
        None,
    );
    assert_eq!(
        c.classify(&quota),
        "quota",
        "config rules win over rate_limit"
    );
    assert_eq!(
        c.classify(&record(None, "slow down", Some(429), None)),
        "azure_throttle"
    );
    assert_eq!(
        c.classify(&record(None, "boom", Some(500), None)),
        "provider_5xx"
    );
    assert_eq!(c.classes.last().map(String::as_str), Some("other"));
    assert!(c.order_of("quota") < c.order_of("other"));
    assert!(c.order_of("rate_limit") < c.order_of("quota"));
}

#[test]
fn a_bad_config_is_refused_with_its_line() {
    let cases = [
        (
            "[[error_classes]]\nname = \"x\"\nmatch_typ = \"Foo\"\n",
            3,
            "match_typ",
        ),
        (
            "[[error_classes]]\nname = \"x\"\nstatus_code = \"teapot\"\n",
            3,
            "status_code",
        ),
        (
            "# c\n[[error_classes]]\nname = \"Bad Name\"\nmatch_type = \"x\"\n",
            3,
            "class name",
        ),
        (
            "[[error_classes]]\nname = \"a\"\nmatch_type = \"x\"\n\n[[error_classes]]\nname = \"empty\"\n",
            5,
            "matches nothing",
        ),
    ];
    for (text, line, what) in cases {
        let cfg = ConfigFile::parse(Some("spanlens.toml".into()), text.into()).unwrap();
        let err = Classifier::from_config(&cfg).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("spanlens.toml:{line}:")) && err.contains(what),
            "{text:?} → {err}"
        );
    }
}
