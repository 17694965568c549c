//! A normalized log record, joined to its span by trace and span id when it has them.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{AttrValue, Attributes, SpanId, TraceId, attributes_to_json};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRecord {
    pub trace_id: Option<TraceId>,
    pub span_id: Option<SpanId>,
    pub time_unix_nano: u64,
    pub observed_time_unix_nano: u64,
    pub severity_number: i32,
    pub severity_text: String,
    /// OTLP `event_name` (e.g. `gen_ai.client.inference.operation.details`), or the
    /// older `event.name` attribute.
    pub event_name: Option<String>,
    pub body: AttrValue,
    pub attributes: Attributes,
    pub service: String,
}

impl LogRecord {
    /// Best timestamp: the record's own time, else when it was observed.
    pub fn timestamp(&self) -> u64 {
        if self.time_unix_nano != 0 {
            self.time_unix_nano
        } else {
            self.observed_time_unix_nano
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "time_unix_nano": self.timestamp(),
            "severity_number": self.severity_number,
            "severity_text": self.severity_text,
            "event_name": self.event_name,
            "body": self.body.to_json(),
            "attributes": attributes_to_json(&self.attributes),
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "service": self.service,
        })
    }
}
