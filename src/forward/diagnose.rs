//! Why a forward target fails, said once: the sender reports the first failure and
//! each change of error at warn (not every retry), with a hint when the answer's
//! shape points at a protocol mix-up — an HTTP/2 (gRPC) server answering an
//! OTLP/HTTP request, or an HTTP server answering gRPC.

use super::ForwardTarget;

/// Remembers the error last reported, so only changes are logged.
#[derive(Debug, Default)]
pub struct FailureLog {
    last: Option<String>,
}

impl FailureLog {
    /// A failed attempt: the message with its hint when it differs from the last
    /// one reported (to be logged at warn), else `None`.
    pub fn failed(&mut self, target: &ForwardTarget, message: &str) -> Option<String> {
        if self.last.as_deref() == Some(message) {
            return None;
        }
        self.last = Some(message.to_string());
        Some(with_hint(target, message))
    }

    /// A request went through: true when it ends a run of failures (log that once).
    pub fn recovered(&mut self) -> bool {
        self.last.take().is_some()
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
        assert!(log.recovered());
        assert!(!log.recovered());
        assert!(log.failed(&t, "HTTP 500 from x").is_some());
    }

    #[test]
    fn protocol_mixups_get_a_hint_and_plain_refusals_do_not() {
        let http = ForwardTarget::parse("http://10.0.0.1:4319").unwrap();
        let grpc = ForwardTarget::parse("grpc://10.0.0.1:4318").unwrap();
        assert!(
            with_hint(&http, "http://10.0.0.1:4319/v1/traces: protocol: status line")
                .ends_with("use grpc://10.0.0.1:4319")
        );
        assert!(
            with_hint(&grpc, "gRPC Unimplemented: HTTP status 404")
                .ends_with("use http://10.0.0.1:4318")
        );
        assert_eq!(
            with_hint(&http, "http://10.0.0.1:4319/v1/traces: Connection refused (os error 111)"),
            "http://10.0.0.1:4319/v1/traces: Connection refused (os error 111)"
        );
    }
}
