//! Why a forward target fails, said once: the sender reports the first failure and
//! each new error at warn (not every retry), with a hint when the answer's shape
//! points at a protocol mix-up — an HTTP/2 (gRPC) server answering an OTLP/HTTP
//! request, or an HTTP server answering gRPC. A target that alternates between a few
//! errors (an HTTP/2 server resets some connections and answers others with a frame
//! that does not parse as HTTP/1.1) is reported once per error, not per retry.

use super::ForwardTarget;

/// Distinct errors remembered per run of failures.
const REMEMBERED: usize = 8;

/// The errors reported since the last success, so only new ones are logged.
#[derive(Debug, Default)]
pub struct FailureLog {
    reported: Vec<String>,
}

impl FailureLog {
    /// A failed attempt: the message with its hint when it was not reported since
    /// the last success (to be logged at warn), else `None`.
    pub fn failed(&mut self, target: &ForwardTarget, message: &str) -> Option<String> {
        if self.reported.iter().any(|m| m == message) {
            return None;
        }
        if self.reported.len() == REMEMBERED {
            self.reported.remove(0);
        }
        self.reported.push(message.to_string());
        Some(with_hint(target, message))
    }

    /// A request went through: true when it ends a run of failures (log that once).
    pub fn recovered(&mut self) -> bool {
        let failing = !self.reported.is_empty();
        self.reported.clear();
        failing
    }
}

/// `message`, followed by a hint when the error suggests the wrong protocol.
pub fn with_hint(target: &ForwardTarget, message: &str) -> String {
    match hint(target, message) {
        Some(h) => format!("{message} — {h}"),
        None => message.to_string(),
    }
}

/// A hint for errors that look like a protocol mix-up.
pub fn hint(target: &ForwardTarget, message: &str) -> Option<String> {
    let m = message.to_ascii_lowercase();
    match target {
        ForwardTarget::Http { base } => {
            let http2 = [
                "http/2",
                "http2",
                "h2",
                "pri * ",
                "status line",
                "invalid http",
                "parse",
                "protocol",
                "connection closed",
                "unexpected eof",
                "timed out",
                "timeout",
            ];
            http2.iter().any(|p| m.contains(p)).then(|| {
                let authority = base.trim_start_matches("http://");
                format!(
                    "the target does not answer like an OTLP/HTTP receiver; if it is an OTLP/gRPC \
                     port (HTTP/2, usually 4317), use grpc://{authority}"
                )
            })
        }
        ForwardTarget::Grpc { endpoint } => {
            let http1 = [
                "unimplemented",
                "404",
                "http/1",
                "content-type",
                "frame",
                "h2 protocol error",
                "http2 error",
                "protocol error",
                "invalid",
            ];
            http1.iter().any(|p| m.contains(p)).then(|| {
                let authority = endpoint.trim_start_matches("http://");
                format!(
                    "the target does not answer like an OTLP/gRPC receiver; if it is an OTLP/HTTP \
                     port (usually 4318), use http://{authority}"
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_failure_and_each_change_are_reported() {
        let t = ForwardTarget::parse("http://127.0.0.1:9999").unwrap();
        let mut log = FailureLog::default();
        assert!(log.failed(&t, "connection refused").is_some());
        assert!(log.failed(&t, "connection refused").is_none());
        assert!(log.failed(&t, "HTTP 500 from x").is_some());
        // Alternating between known errors says nothing new.
        assert!(log.failed(&t, "connection refused").is_none());
        assert!(log.failed(&t, "HTTP 500 from x").is_none());
        assert!(log.recovered());
        assert!(!log.recovered());
        assert!(log.failed(&t, "HTTP 500 from x").is_some());
    }

    #[test]
    fn protocol_mixups_get_a_hint_and_plain_refusals_do_not() {
        let http = ForwardTarget::parse("http://10.0.0.1:4319").unwrap();
        let grpc = ForwardTarget::parse("grpc://10.0.0.1:4318").unwrap();
        assert!(
            with_hint(
                &http,
                "http://10.0.0.1:4319/v1/traces: protocol: status line"
            )
            .ends_with("use grpc://10.0.0.1:4319")
        );
        assert!(
            with_hint(&grpc, "gRPC Unimplemented: HTTP status 404")
                .ends_with("use http://10.0.0.1:4318")
        );
        assert_eq!(
            with_hint(
                &http,
                "http://10.0.0.1:4319/v1/traces: Connection refused (os error 111)"
            ),
            "http://10.0.0.1:4319/v1/traces: Connection refused (os error 111)"
        );
    }
}
