//! Model → OTLP: a stored trace (spans and the log records joined to it) back into
//! the export requests that, normalized again, give the same trace. Everything the
//! normalizer reads is kept (attributes, resource, scope name, events, status, ids,
//! times; log bodies, severities, event names); what spanlens never stored (links,
//! trace state, scope versions, dropped counts) cannot come back.

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList, any_value::Value as Av,
};
use opentelemetry_proto::tonic::logs::v1 as otlp_logs;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1 as otlp;

use crate::model::{AttrValue, Attributes, LogRecord, Span, SpanKind, StatusCode};

/// OTLP's `AnyValue` for one attribute value.
pub fn any_value(v: &AttrValue) -> AnyValue {
    let value = match v {
        AttrValue::Empty => None,
        AttrValue::Str(s) => Some(Av::StringValue(s.clone())),
        AttrValue::Bool(b) => Some(Av::BoolValue(*b)),
        AttrValue::Int(i) => Some(Av::IntValue(*i)),
        AttrValue::Double(d) => Some(Av::DoubleValue(*d)),
        AttrValue::Bytes(b) => Some(Av::BytesValue(b.clone())),
        AttrValue::Array(items) => Some(Av::ArrayValue(ArrayValue {
            values: items.iter().map(any_value).collect(),
        })),
        AttrValue::Map(kvs) => Some(Av::KvlistValue(KeyValueList {
            values: kvs.iter().map(|(k, v)| key_value(k, v)).collect(),
        })),
    };
    AnyValue { value }
}

fn key_value(k: &str, v: &AttrValue) -> KeyValue {
    KeyValue {
        key: k.to_string(),
        value: Some(any_value(v)),
        ..Default::default()
    }
}

fn key_values(attrs: &Attributes) -> Vec<KeyValue> {
    attrs.iter().map(|(k, v)| key_value(k, v)).collect()
}

fn kind_number(k: SpanKind) -> i32 {
    match k {
        SpanKind::Unspecified => 0,
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

fn status_number(c: StatusCode) -> i32 {
    match c {
        StatusCode::Unset => 0,
        StatusCode::Ok => 1,
        StatusCode::Error => 2,
    }
}

fn otlp_span(s: &Span) -> otlp::Span {
    otlp::Span {
        trace_id: s.trace_id.0.to_vec(),
        span_id: s.span_id.0.to_vec(),
        parent_span_id: s.parent_span_id.map(|p| p.0.to_vec()).unwrap_or_default(),
        name: s.name.clone(),
        kind: kind_number(s.kind),
        start_time_unix_nano: s.start_unix_nano,
        end_time_unix_nano: s.end_unix_nano,
        attributes: key_values(&s.attributes),
        events: s
            .events
            .iter()
            .map(|e| otlp::span::Event {
                time_unix_nano: e.time_unix_nano,
                name: e.name.clone(),
                attributes: key_values(&e.attributes),
                ..Default::default()
            })
            .collect(),
        status: Some(otlp::Status {
            message: s.status.message.clone(),
            code: status_number(s.status.code),
        }),
        ..Default::default()
    }
}

/// Spans of one scope (by name).
type ScopeGroup<'a> = (&'a str, Vec<otlp::Span>);

/// One trace export request for `spans`, grouped by resource and scope in the order
/// they first appear.
pub fn trace_request(spans: &[Span]) -> ExportTraceServiceRequest {
    let mut groups: Vec<(&Attributes, Vec<ScopeGroup>)> = Vec::new();
    for s in spans {
        let gi = match groups.iter().position(|(r, _)| *r == &s.resource) {
            Some(i) => i,
            None => {
                groups.push((&s.resource, Vec::new()));
                groups.len() - 1
            }
        };
        let scopes = &mut groups[gi].1;
        match scopes.iter_mut().find(|(name, _)| *name == s.scope) {
            Some((_, list)) => list.push(otlp_span(s)),
            None => scopes.push((&s.scope, vec![otlp_span(s)])),
        }
    }
    ExportTraceServiceRequest {
        resource_spans: groups
            .into_iter()
            .map(|(resource, scopes)| otlp::ResourceSpans {
                resource: Some(Resource {
                    attributes: key_values(resource),
                    ..Default::default()
                }),
                scope_spans: scopes
                    .into_iter()
                    .map(|(name, spans)| otlp::ScopeSpans {
                        scope: Some(InstrumentationScope {
                            name: name.to_string(),
                            ..Default::default()
                        }),
                        spans,
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            })
            .collect(),
    }
}

fn otlp_log(l: &LogRecord) -> otlp_logs::LogRecord {
    otlp_logs::LogRecord {
        time_unix_nano: l.time_unix_nano,
        observed_time_unix_nano: l.observed_time_unix_nano,
        severity_number: l.severity_number,
        severity_text: l.severity_text.clone(),
        body: match &l.body {
            AttrValue::Empty => None,
            b => Some(any_value(b)),
        },
        attributes: key_values(&l.attributes),
        trace_id: l.trace_id.map(|t| t.0.to_vec()).unwrap_or_default(),
        span_id: l.span_id.map(|s| s.0.to_vec()).unwrap_or_default(),
        event_name: l.event_name.clone().unwrap_or_default(),
        ..Default::default()
    }
}

/// One logs export request for `logs` (their resource is their service), in order.
pub fn logs_request(logs: &[LogRecord]) -> ExportLogsServiceRequest {
    let mut groups: Vec<(&str, Vec<otlp_logs::LogRecord>)> = Vec::new();
    for l in logs {
        match groups.iter_mut().find(|(s, _)| *s == l.service) {
            Some((_, list)) => list.push(otlp_log(l)),
            None => groups.push((&l.service, vec![otlp_log(l)])),
        }
    }
    ExportLogsServiceRequest {
        resource_logs: groups
            .into_iter()
            .map(|(service, log_records)| otlp_logs::ResourceLogs {
                resource: Some(Resource {
                    attributes: vec![key_value(
                        "service.name",
                        &AttrValue::Str(service.to_string()),
                    )],
                    ..Default::default()
                }),
                scope_logs: vec![otlp_logs::ScopeLogs {
                    log_records,
                    ..Default::default()
                }],
                ..Default::default()
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{normalize_logs, normalize_traces};
    use crate::pricing::PriceTable;

    #[test]
    fn spans_and_logs_normalize_back_to_themselves() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let prices = PriceTable::builtin();
        for folder in ["openinference", "openai-v2", "openai-v2-events", "plain"] {
            for entry in std::fs::read_dir(dir.join(folder)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "pb") {
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                if path.to_string_lossy().contains("logs") {
                    let req = prost::Message::decode(bytes.as_slice()).unwrap();
                    let logs = normalize_logs(&req).logs;
                    let again = normalize_logs(&logs_request(&logs)).logs;
                    assert_eq!(again, logs, "{}", path.display());
                } else {
                    let req = prost::Message::decode(bytes.as_slice()).unwrap();
                    let spans = normalize_traces(&req, &prices).spans;
                    let again = normalize_traces(&trace_request(&spans), &prices).spans;
                    assert_eq!(again, spans, "{}", path.display());
                }
            }
        }
    }
}
