//! Forwarding (tee): what spanlens stored from each accepted OTLP request — spans and
//! logs as stored (normalized, redacted, re-encoded as OTLP), metrics as received —
//! is re-exported to one downstream receiver (an OpenTelemetry Collector,
//! another spanlens, any OTLP endpoint) over gRPC or HTTP/protobuf.
//!
//! Ingest never waits for it: an accepted request is offered to a bounded queue with
//! `try_send`; a full queue drops the request and counts it. One background task
//! drains the queue, sending each request with retries and exponential backoff
//! (retryable answers only: UNAVAILABLE / 429 / 502–504 / connection errors); a
//! request that still fails is dropped and counted. Counters are in [`ForwardStats`]
//! (`spanlens stats --json` → `forward`, and the TUI status bar).

mod diagnose;
mod sender;
mod stats;
mod target;

use std::sync::Arc;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use stats::{ForwardStats, register_active, status_text};
pub use target::{ForwardTarget, TargetError};

/// Requests waiting to be forwarded before new ones are dropped.
pub const DEFAULT_QUEUE_LEN: usize = 1024;

/// Bytes (protobuf size) waiting to be forwarded before new requests are dropped, so
/// a few huge requests cannot hold gigabytes while the downstream is away.
pub const DEFAULT_QUEUE_BYTES: u64 = 256 << 20;

/// One export request to forward (built from what was stored).
#[derive(Debug, Clone)]
pub enum ForwardItem {
    Traces(ExportTraceServiceRequest),
    Logs(ExportLogsServiceRequest),
    Metrics(ExportMetricsServiceRequest),
}

impl ForwardItem {
    /// Spans in a trace request (0 for other signals).
    pub fn span_count(&self) -> u64 {
        match self {
            ForwardItem::Traces(r) => r
                .resource_spans
                .iter()
                .flat_map(|r| &r.scope_spans)
                .map(|s| s.spans.len() as u64)
                .sum(),
            _ => 0,
        }
    }

    /// The request's protobuf size.
    pub fn encoded_len(&self) -> u64 {
        use prost::Message;
        (match self {
            ForwardItem::Traces(r) => r.encoded_len(),
            ForwardItem::Logs(r) => r.encoded_len(),
            ForwardItem::Metrics(r) => r.encoded_len(),
        }) as u64
    }

    /// Log records in a logs request (0 for other signals).
    pub fn log_count(&self) -> u64 {
        match self {
            ForwardItem::Logs(r) => r
                .resource_logs
                .iter()
                .flat_map(|r| &r.scope_logs)
                .map(|s| s.log_records.len() as u64)
                .sum(),
            _ => 0,
        }
    }
}

/// How often and how patiently a request is retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries per request, the first included.
    pub attempts: u32,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Timeout of one attempt.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 6,
            first_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Where and how to forward.
#[derive(Debug, Clone)]
pub struct ForwardOptions {
    pub target: ForwardTarget,
    /// Sent as `authorization: Bearer …` to the downstream.
    pub token: Option<String>,
    pub queue_len: usize,
    /// Largest total protobuf size queued.
    pub queue_bytes: u64,
    pub retry: RetryPolicy,
    /// Shared with whoever shows the counters (stats API, status bar).
    pub stats: Arc<ForwardStats>,
}

impl ForwardOptions {
    pub fn new(target: ForwardTarget) -> Self {
        let stats = Arc::new(ForwardStats::new(&target));
        ForwardOptions {
            target,
            token: None,
            queue_len: DEFAULT_QUEUE_LEN,
            queue_bytes: DEFAULT_QUEUE_BYTES,
            retry: RetryPolicy::default(),
            stats,
        }
    }
}

/// The ingest side's handle: offers accepted requests without ever waiting.
#[derive(Clone, Debug)]
pub struct Forwarder {
    tx: mpsc::Sender<(ForwardItem, u64)>,
    stats: Arc<ForwardStats>,
    queue_bytes: u64,
}

impl Forwarder {
    /// Queues a request for forwarding; when the queue is full — in requests or in
    /// bytes — (or the sender is gone) the request is dropped and counted.
    pub fn offer(&self, item: ForwardItem) {
        let spans = item.span_count();
        let bytes = item.encoded_len();
        if !self.stats.reserve_bytes(bytes, self.queue_bytes) {
            self.stats.dropped_full(spans);
            return;
        }
        match self.tx.try_send((item, bytes)) {
            Ok(()) => self.stats.queued(),
            Err(_) => {
                self.stats.release_bytes(bytes);
                self.stats.dropped_full(spans);
            }
        }
    }

    pub fn stats(&self) -> &Arc<ForwardStats> {
        &self.stats
    }
}

/// Starts the sender task (inside a tokio runtime). The task ends when every
/// [`Forwarder`] clone is dropped and the queue is drained.
pub fn spawn(opts: ForwardOptions) -> (Forwarder, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(opts.queue_len.max(1));
    let forwarder = Forwarder {
        tx,
        stats: opts.stats.clone(),
        queue_bytes: opts.queue_bytes,
    };
    let task = tokio::spawn(sender::run(rx, opts));
    (forwarder, task)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(spans: usize) -> ForwardItem {
        use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
        ForwardItem::Traces(ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                scope_spans: vec![ScopeSpans {
                    spans: vec![
                        Span {
                            trace_id: vec![1; 16],
                            span_id: vec![2; 8],
                            name: "x".repeat(100),
                            ..Default::default()
                        };
                        spans
                    ],
                    ..Default::default()
                }],
                ..Default::default()
            }],
        })
    }

    #[test]
    fn a_full_queue_drops_by_count_and_by_bytes_without_waiting() {
        let target = ForwardTarget::parse("grpc://127.0.0.1:9").unwrap();
        let stats = Arc::new(ForwardStats::new(&target));
        let (tx, _rx) = mpsc::channel(3);
        let one = request(10).encoded_len();
        let f = Forwarder {
            tx,
            stats: stats.clone(),
            queue_bytes: one * 2,
        };
        for _ in 0..3 {
            f.offer(request(10));
        }
        // Two fit in the bytes, the third does not (though the channel has room).
        let j = stats.to_json();
        assert_eq!(j["queued"], 2, "{j:#}");
        assert_eq!(j["queued_bytes"], one * 2);
        assert_eq!(j["dropped_queue_full"], 1);
        assert_eq!(j["dropped_spans"], 10);
        // A channel full by count drops too.
        let (tx, _rx) = mpsc::channel(1);
        let f = Forwarder {
            tx,
            stats: stats.clone(),
            queue_bytes: u64::MAX,
        };
        f.offer(request(1));
        f.offer(request(1));
        assert_eq!(stats.to_json()["dropped_queue_full"], 2);
    }
}
