//! Forwarding counters (atomics, updated by ingest and the sender task), their JSON
//! for `spanlens stats --json`, and the one forwarder of this process that the TUI's
//! status bar reports on.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

use super::ForwardTarget;

/// What forwarding did so far.
#[derive(Debug, Default)]
pub struct ForwardStats {
    target: String,
    protocol: &'static str,
    queued_now: AtomicU64,
    queued_bytes: AtomicU64,
    sent_requests: AtomicU64,
    sent_spans: AtomicU64,
    sent_logs: AtomicU64,
    sent_metric_requests: AtomicU64,
    retries: AtomicU64,
    dropped_queue_full: AtomicU64,
    dropped_after_retries: AtomicU64,
    dropped_spans: AtomicU64,
    last_error: Mutex<Option<String>>,
    /// The latest attempt failed (cleared by a success).
    failing: std::sync::atomic::AtomicBool,
}

impl ForwardStats {
    pub fn new(target: &ForwardTarget) -> Self {
        ForwardStats {
            target: target.to_string(),
            protocol: target.protocol(),
            ..Default::default()
        }
    }

    pub(super) fn queued(&self) {
        self.queued_now.fetch_add(1, SeqCst);
    }

    pub(super) fn dequeued(&self) {
        let _ = self
            .queued_now
            .fetch_update(SeqCst, SeqCst, |n| Some(n.saturating_sub(1)));
    }

    /// Counts `bytes` as queued unless that would pass `limit` (a single request
    /// larger than the limit is still taken when nothing else is queued).
    pub(super) fn reserve_bytes(&self, bytes: u64, limit: u64) -> bool {
        self.queued_bytes
            .fetch_update(SeqCst, SeqCst, |q| {
                (q == 0 || q + bytes <= limit).then_some(q + bytes)
            })
            .is_ok()
    }

    pub(super) fn release_bytes(&self, bytes: u64) {
        let _ = self
            .queued_bytes
            .fetch_update(SeqCst, SeqCst, |q| Some(q.saturating_sub(bytes)));
    }

    // Spans and the error are counted before the request, so a reader that sees the
    // request counted also sees its spans.
    pub(super) fn dropped_full(&self, spans: u64) {
        self.dropped_spans.fetch_add(spans, SeqCst);
        self.dropped_queue_full.fetch_add(1, SeqCst);
    }

    pub(super) fn dropped_failed(&self, spans: u64, error: String) {
        self.dropped_spans.fetch_add(spans, SeqCst);
        self.set_error(error);
        self.dropped_after_retries.fetch_add(1, SeqCst);
    }

    pub(super) fn retried(&self, error: String) {
        self.retries.fetch_add(1, SeqCst);
        self.set_error(error);
    }

    pub(super) fn sent(&self, spans: u64, logs: u64, metrics: bool) {
        self.failing.store(false, SeqCst);
        self.sent_requests.fetch_add(1, SeqCst);
        self.sent_spans.fetch_add(spans, SeqCst);
        self.sent_logs.fetch_add(logs, SeqCst);
        if metrics {
            self.sent_metric_requests.fetch_add(1, SeqCst);
        }
    }

    fn set_error(&self, error: String) {
        self.failing.store(true, SeqCst);
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
    }

    pub fn sent_spans(&self) -> u64 {
        self.sent_spans.load(SeqCst)
    }

    /// Requests dropped for any reason.
    pub fn dropped_requests(&self) -> u64 {
        self.dropped_queue_full.load(SeqCst) + self.dropped_after_retries.load(SeqCst)
    }

    pub fn dropped_spans(&self) -> u64 {
        self.dropped_spans.load(SeqCst)
    }

    /// The `forward` object of `spanlens stats --json`.
    pub fn to_json(&self) -> Value {
        json!({
            "target": self.target,
            "protocol": self.protocol,
            "queued": self.queued_now.load(SeqCst),
            "queued_bytes": self.queued_bytes.load(SeqCst),
            "sent_requests": self.sent_requests.load(SeqCst),
            "sent_spans": self.sent_spans.load(SeqCst),
            "sent_logs": self.sent_logs.load(SeqCst),
            "sent_metric_requests": self.sent_metric_requests.load(SeqCst),
            "retries": self.retries.load(SeqCst),
            "dropped_requests": self.dropped_requests(),
            "dropped_queue_full": self.dropped_queue_full.load(SeqCst),
            "dropped_after_retries": self.dropped_after_retries.load(SeqCst),
            "dropped_spans": self.dropped_spans(),
            "last_error": *self.last_error.lock().unwrap_or_else(|e| e.into_inner()),
            "failing": self.failing.load(SeqCst),
        })
    }

    /// One short line for a status bar: `→ grpc://h:4317 1234 spans sent · 5 dropped`.
    pub fn status_line(&self) -> String {
        let mut s = format!("→ {} {} spans", self.target, self.sent_spans());
        let dropped = self.dropped_spans();
        if dropped > 0 {
            s.push_str(&format!(" · {dropped} dropped"));
        }
        if self.failing.load(SeqCst)
            && let Some(e) = self
                .last_error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_deref()
        {
            s.push_str(&format!(" · failing: {}", short_error(e)));
        }
        s
    }
}

/// An error cut for a status bar: the protocol hint alone when there is one
/// (`use grpc://`; the target is already shown), else without its leading URL.
fn short_error(e: &str) -> String {
    for scheme in ["grpc://", "http://"] {
        if e.contains(&format!("use {scheme}")) {
            return format!("use {scheme}");
        }
    }
    match e.split_once(": ") {
        Some((head, rest)) if head.starts_with("http://") => rest.to_string(),
        _ => e.to_string(),
    }
}

static ACTIVE: OnceLock<Arc<ForwardStats>> = OnceLock::new();

/// Makes `stats` the forwarder this process reports in its status bar (the first
/// registration wins; the CLI registers the one it starts).
pub fn register_active(stats: Arc<ForwardStats>) {
    let _ = ACTIVE.set(stats);
}

/// The status-bar text of this process's forwarder, when forwarding is on.
pub fn status_text() -> Option<String> {
    ACTIVE.get().map(|s| s.status_line())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_show_in_json_and_the_status_line() {
        let t = ForwardTarget::parse("grpc://h:4317").unwrap();
        let s = ForwardStats::new(&t);
        s.queued();
        s.dequeued();
        s.sent(3, 0, false);
        s.dropped_full(2);
        s.dropped_failed(4, "connection refused".into());
        let j = s.to_json();
        assert_eq!(j["sent_spans"], 3);
        assert_eq!(j["dropped_requests"], 2);
        assert_eq!(j["dropped_spans"], 6);
        assert_eq!(j["queued"], 0);
        assert_eq!(j["last_error"], "connection refused");
        assert_eq!(
            s.status_line(),
            "→ grpc://h:4317 3 spans · 6 dropped · failing: connection refused"
        );
        assert_eq!(j["failing"], true);
        s.sent(1, 0, false);
        assert_eq!(s.status_line(), "→ grpc://h:4317 4 spans · 6 dropped");
        s.retried("http://h:4318/v1/traces: protocol: bad — … use grpc://h:4318".into());
        assert!(s.status_line().ends_with(" · failing: use grpc://"));
        s.retried("http://h:4318/v1/traces: io: Connection refused".into());
        assert!(
            s.status_line()
                .ends_with(" · failing: io: Connection refused")
        );
    }
}
