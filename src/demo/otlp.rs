//! Small builders for hand-made OTLP messages: `AnyValue`s and `KeyValue`s (also from
//! `serde_json` values, for structured log bodies), SDK-like resources, span
//! attributes/events/status through [`SpanExt`], and a [`TraceBuilder`] that lays
//! out one trace on a relative clock and turns it into export requests ending "now".

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList, any_value::Value as Av,
};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs, SeverityNumber};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, SpanKind};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use serde_json::Value;

use super::rng::DemoRng;
use super::scenarios::{DemoTrace, Split};

/// Milliseconds as nanoseconds.
pub(super) const fn ms(n: u64) -> u64 {
    n * 1_000_000
}

pub(super) fn s(v: impl Into<String>) -> AnyValue {
    AnyValue {
        value: Some(Av::StringValue(v.into())),
    }
}

pub(super) fn int(v: i64) -> AnyValue {
    AnyValue {
        value: Some(Av::IntValue(v)),
    }
}

pub(super) fn float(v: f64) -> AnyValue {
    AnyValue {
        value: Some(Av::DoubleValue(v)),
    }
}

pub(super) fn array(values: Vec<AnyValue>) -> AnyValue {
    AnyValue {
        value: Some(Av::ArrayValue(ArrayValue { values })),
    }
}

pub(super) fn kv(key: &str, value: AnyValue) -> KeyValue {
    KeyValue {
        key: key.to_string(),
        value: Some(value),
        ..Default::default()
    }
}

/// A JSON value as the structured `AnyValue` a log record carries (objects become
/// kvlists, arrays arrays; `null` an empty value).
pub(super) fn json_any(v: &Value) -> AnyValue {
    let value = match v {
        Value::Null => None,
        Value::Bool(b) => Some(Av::BoolValue(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Some(Av::IntValue(i)),
            None => Some(Av::DoubleValue(n.as_f64().unwrap_or(0.0))),
        },
        Value::String(t) => Some(Av::StringValue(t.clone())),
        Value::Array(items) => Some(Av::ArrayValue(ArrayValue {
            values: items.iter().map(json_any).collect(),
        })),
        Value::Object(o) => Some(Av::KvlistValue(KeyValueList {
            values: o.iter().map(|(k, v)| kv(k, json_any(v))).collect(),
        })),
    };
    AnyValue { value }
}

/// What an OpenTelemetry SDK puts on its resource, plus `extra`.
pub(super) fn resource(
    service: &str,
    version: &str,
    language: &str,
    sdk_version: &str,
    extra: Vec<KeyValue>,
) -> Resource {
    let mut attributes = vec![
        kv("service.name", s(service)),
        kv("service.version", s(version)),
        kv("deployment.environment.name", s("demo")),
        kv("host.name", s("demo-box")),
        kv("telemetry.sdk.name", s("opentelemetry")),
        kv("telemetry.sdk.language", s(language)),
        kv("telemetry.sdk.version", s(sdk_version)),
    ];
    attributes.extend(extra);
    Resource {
        attributes,
        ..Default::default()
    }
}

/// Attribute, event and status setters on a proto span.
pub(super) trait SpanExt {
    fn attr(&mut self, key: &str, value: AnyValue) -> &mut Self;
    fn str(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.attr(key, s(value))
    }
    fn int(&mut self, key: &str, value: u64) -> &mut Self {
        self.attr(key, int(value as i64))
    }
    fn event(&mut self, name: &str, time_unix_nano: u64, attributes: Vec<KeyValue>) -> &mut Self;
    /// Status ERROR with a message.
    fn error(&mut self, message: impl Into<String>) -> &mut Self;
}

impl SpanExt for Span {
    fn attr(&mut self, key: &str, value: AnyValue) -> &mut Self {
        self.attributes.push(kv(key, value));
        self
    }

    fn event(&mut self, name: &str, time_unix_nano: u64, attributes: Vec<KeyValue>) -> &mut Self {
        self.events.push(Event {
            time_unix_nano,
            name: name.to_string(),
            attributes,
            ..Default::default()
        });
        self
    }

    fn error(&mut self, message: impl Into<String>) -> &mut Self {
        self.status = Some(Status {
            message: message.into(),
            code: StatusCode::Error as i32,
        });
        self
    }
}

/// Attributes of an `exception` event, Python style.
pub(super) fn exception(ty: &str, message: &str, frames: &[(&str, u32, &str)]) -> Vec<KeyValue> {
    let mut trace = String::from("Traceback (most recent call last):\n");
    for (file, line, func) in frames {
        trace.push_str(&format!("  File \"{file}\", line {line}, in {func}\n"));
    }
    trace.push_str(&format!("{ty}: {message}\n"));
    vec![
        kv("exception.type", s(ty)),
        kv("exception.message", s(message)),
        kv("exception.stacktrace", s(trace)),
        kv(
            "exception.escaped",
            AnyValue {
                value: Some(Av::BoolValue(false)),
            },
        ),
    ]
}

/// Attributes of a `gen_ai.evaluation.result` event.
pub(super) fn evaluation(
    name: &str,
    score: f64,
    label: &str,
    explanation: &str,
    response_id: Option<&str>,
) -> Vec<KeyValue> {
    let mut out = vec![
        kv("gen_ai.evaluation.name", s(name)),
        kv("gen_ai.evaluation.score.value", float(round2(score))),
        kv("gen_ai.evaluation.score.label", s(label)),
        kv("gen_ai.evaluation.explanation", s(explanation)),
    ];
    if let Some(id) = response_id {
        out.push(kv("gen_ai.response.id", s(id)));
    }
    out
}

/// Two decimals, as evaluators usually report.
pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Index of a span within its [`TraceBuilder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SpanRef(usize);

/// Index of an instrumentation scope within its [`TraceBuilder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ScopeRef(usize);

/// One trace under construction. Times are relative (ns from the trace's start)
/// until [`TraceBuilder::finish`] moves them so that the root ends at "now".
pub(super) struct TraceBuilder {
    trace_id: [u8; 16],
    resource: Resource,
    scopes: Vec<InstrumentationScope>,
    spans: Vec<(ScopeRef, Span)>,
    logs: Vec<(ScopeRef, LogRecord)>,
}

impl TraceBuilder {
    pub fn new(rng: &mut DemoRng, resource: Resource) -> Self {
        TraceBuilder {
            trace_id: rng.id_bytes(),
            resource,
            scopes: Vec::new(),
            spans: Vec::new(),
            logs: Vec::new(),
        }
    }

    pub fn scope(&mut self, name: &str, version: &str) -> ScopeRef {
        self.scopes.push(InstrumentationScope {
            name: name.to_string(),
            version: version.to_string(),
            ..Default::default()
        });
        ScopeRef(self.scopes.len() - 1)
    }

    /// Adds a span from `start` (relative ns) lasting `duration` ns.
    #[allow(clippy::too_many_arguments)]
    pub fn span(
        &mut self,
        rng: &mut DemoRng,
        scope: ScopeRef,
        parent: Option<SpanRef>,
        name: &str,
        kind: SpanKind,
        start: u64,
        duration: u64,
    ) -> SpanRef {
        let parent_span_id = parent
            .map(|p| self.spans[p.0].1.span_id.clone())
            .unwrap_or_default();
        let span = Span {
            trace_id: self.trace_id.to_vec(),
            span_id: rng.id_bytes::<8>().to_vec(),
            parent_span_id,
            flags: 0x101,
            name: name.to_string(),
            kind: kind as i32,
            start_time_unix_nano: start,
            end_time_unix_nano: start + duration,
            ..Default::default()
        };
        self.spans.push((scope, span));
        SpanRef(self.spans.len() - 1)
    }

    pub fn at(&mut self, r: SpanRef) -> &mut Span {
        &mut self.spans[r.0].1
    }

    pub fn end_of(&self, r: SpanRef) -> u64 {
        self.spans[r.0].1.end_time_unix_nano
    }

    /// Moves a span's end (e.g. a parent that waits for its last child).
    pub fn set_end(&mut self, r: SpanRef, end: u64) {
        self.spans[r.0].1.end_time_unix_nano = end;
    }

    /// A log record (an event, no body) joined to `span`, at relative `time`.
    pub fn log(
        &mut self,
        scope: ScopeRef,
        span: SpanRef,
        event_name: &str,
        time: u64,
        attributes: Vec<KeyValue>,
    ) {
        let record = LogRecord {
            time_unix_nano: time,
            observed_time_unix_nano: time,
            severity_number: SeverityNumber::Info as i32,
            attributes,
            flags: 1,
            trace_id: self.trace_id.to_vec(),
            span_id: self.spans[span.0].1.span_id.clone(),
            event_name: event_name.to_string(),
            ..Default::default()
        };
        self.logs.push((scope, record));
    }

    /// Anchors the trace so `root` ends at `now_unix_nano`, orders spans as an SDK
    /// exports them (by end time, the root last) and picks how they are sent.
    pub fn finish(mut self, rng: &mut DemoRng, now_unix_nano: u64, root: SpanRef) -> DemoTrace {
        let base = now_unix_nano.saturating_sub(self.end_of(root));
        let root_name = self.spans[root.0].1.name.clone();
        for (_, sp) in &mut self.spans {
            sp.start_time_unix_nano += base;
            sp.end_time_unix_nano += base;
            for ev in &mut sp.events {
                ev.time_unix_nano += base;
            }
        }
        for (_, rec) in &mut self.logs {
            rec.time_unix_nano += base;
            rec.observed_time_unix_nano += base;
        }
        let mut order: Vec<usize> = (0..self.spans.len()).collect();
        order.sort_by_key(|i| (*i == root.0, self.spans[*i].1.end_time_unix_nano));
        let span_count = order.len() as u64;
        let error_count = self
            .spans
            .iter()
            .filter(|(_, sp)| {
                sp.status
                    .as_ref()
                    .is_some_and(|st| st.code == StatusCode::Error as i32)
            })
            .count() as u64;
        let spans: Vec<(ScopeRef, Span)> =
            order.into_iter().map(|i| self.spans[i].clone()).collect();
        let traces = trace_request(&self.resource, &self.scopes, spans);
        let log_count = self.logs.len() as u64;
        let logs = (!self.logs.is_empty()).then(|| ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                resource: Some(self.resource.clone()),
                scope_logs: group(&self.scopes, self.logs)
                    .into_iter()
                    .map(|(scope, log_records)| ScopeLogs {
                        scope: Some(scope),
                        log_records,
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }],
        });
        let split = match rng.weighted(&[5, 3, 2]) {
            0 => Split::Whole,
            1 => Split::RootLast,
            _ => Split::PerSpan,
        };
        let service = self
            .resource
            .attributes
            .iter()
            .find(|a| a.key == "service.name")
            .and_then(|a| a.value.as_ref())
            .and_then(|v| match &v.value {
                Some(Av::StringValue(s)) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_default();
        DemoTrace {
            trace_id: self.trace_id,
            root_name,
            service,
            traces,
            logs,
            split,
            span_count,
            error_count,
            log_count,
        }
    }
}

/// Consecutive items of the same scope share one group, so order is kept.
fn group<T>(
    scopes: &[InstrumentationScope],
    items: Vec<(ScopeRef, T)>,
) -> Vec<(InstrumentationScope, Vec<T>)> {
    let mut out: Vec<(ScopeRef, Vec<T>)> = Vec::new();
    for (scope, item) in items {
        match out.last_mut() {
            Some((last, v)) if *last == scope => v.push(item),
            _ => out.push((scope, vec![item])),
        }
    }
    out.into_iter()
        .map(|(r, v)| (scopes[r.0].clone(), v))
        .collect()
}

fn trace_request(
    resource: &Resource,
    scopes: &[InstrumentationScope],
    spans: Vec<(ScopeRef, Span)>,
) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(resource.clone()),
            scope_spans: group(scopes, spans)
                .into_iter()
                .map(|(scope, spans)| ScopeSpans {
                    scope: Some(scope),
                    spans,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }],
    }
}

/// Cuts a whole-trace request (spans in export order) into the requests an
/// exporter would send: one, children then root, or one per span.
pub(super) fn split_request(
    req: &ExportTraceServiceRequest,
    split: Split,
) -> Vec<ExportTraceServiceRequest> {
    // Flatten to (resource, scope, span) in order, then regroup each chunk.
    let mut flat = Vec::new();
    for rs in &req.resource_spans {
        for ss in &rs.scope_spans {
            for sp in &ss.spans {
                flat.push((rs, ss, sp));
            }
        }
    }
    let chunks: Vec<&[_]> = match split {
        Split::Whole => vec![&flat[..]],
        Split::RootLast if flat.len() > 1 => {
            let (children, root) = flat.split_at(flat.len() - 1);
            vec![children, root]
        }
        Split::RootLast => vec![&flat[..]],
        Split::PerSpan => flat.chunks(1).collect(),
    };
    chunks
        .into_iter()
        .filter(|c| !c.is_empty())
        .map(|chunk| {
            let mut out = ExportTraceServiceRequest::default();
            for (rs, ss, sp) in chunk {
                let same_resource = out
                    .resource_spans
                    .last()
                    .is_some_and(|r| r.resource == rs.resource);
                if !same_resource {
                    out.resource_spans.push(ResourceSpans {
                        resource: rs.resource.clone(),
                        schema_url: rs.schema_url.clone(),
                        ..Default::default()
                    });
                }
                let r = out.resource_spans.last_mut().expect("pushed above");
                let same_scope = r.scope_spans.last().is_some_and(|s| s.scope == ss.scope);
                if !same_scope {
                    r.scope_spans.push(ScopeSpans {
                        scope: ss.scope.clone(),
                        schema_url: ss.schema_url.clone(),
                        ..Default::default()
                    });
                }
                let s = r.scope_spans.last_mut().expect("pushed above");
                s.spans.push((*sp).clone());
            }
            out
        })
        .collect()
}
