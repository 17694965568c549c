//! The `--forward URL` forms: `grpc://host:port` (or any `http://host:4317`) is
//! OTLP/gRPC; `http://host:port/v1/traces` (any path with `/v1/`) or
//! `http://host:port` is OTLP/HTTP with protobuf bodies at `/v1/{traces,logs,metrics}`.
//! TLS is not built in: forward to a local Collector for that.

use std::fmt;

/// A parsed downstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardTarget {
    /// `endpoint` like `http://127.0.0.1:4317` (tonic's form).
    Grpc { endpoint: String },
    /// `base` like `http://127.0.0.1:4318` (signal paths are appended).
    Http { base: String },
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TargetError {
    #[error("--forward {0:?}: TLS is not supported; forward to a local OpenTelemetry Collector")]
    Tls(String),
    #[error("--forward {0:?}: expected grpc://host:port or http://host:port[/v1/traces]")]
    Invalid(String),
}

impl ForwardTarget {
    pub fn parse(url: &str) -> Result<ForwardTarget, TargetError> {
        let url = url.trim();
        let invalid = || TargetError::Invalid(url.to_string());
        let (scheme, rest) = match url.split_once("://") {
            Some((s, r)) => (s.to_ascii_lowercase(), r),
            None => ("http".to_string(), url),
        };
        if scheme == "https" || scheme == "grpcs" {
            return Err(TargetError::Tls(url.to_string()));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let port_ok = authority
            .rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
        let clean = authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:[]".contains(c));
        if !port_ok || !clean {
            return Err(invalid());
        }
        match scheme.as_str() {
            "grpc" => Ok(ForwardTarget::Grpc {
                endpoint: format!("http://{authority}"),
            }),
            "http" => {
                let base_path = match path.find("/v1/") {
                    Some(i) => &path[..i],
                    None => path.trim_end_matches('/'),
                };
                if base_path.is_empty() && authority.ends_with(":4317") {
                    return Ok(ForwardTarget::Grpc {
                        endpoint: format!("http://{authority}"),
                    });
                }
                Ok(ForwardTarget::Http {
                    base: format!("http://{authority}{base_path}"),
                })
            }
            _ => Err(invalid()),
        }
    }

    /// True when this target is one of `listening` (`host:port` strings): forwarding
    /// to ourselves would loop forever.
    pub fn points_at(&self, listening: &[String]) -> bool {
        let url = match self {
            ForwardTarget::Grpc { endpoint } => endpoint,
            ForwardTarget::Http { base } => base,
        };
        let rest = url.trim_start_matches("http://");
        let authority = rest.split('/').next().unwrap_or("");
        let norm = |a: &str| {
            a.replacen("localhost:", "127.0.0.1:", 1)
                .replacen("0.0.0.0:", "127.0.0.1:", 1)
        };
        let target = norm(authority);
        listening.iter().any(|l| norm(l) == target)
    }

    pub fn protocol(&self) -> &'static str {
        match self {
            ForwardTarget::Grpc { .. } => "grpc",
            ForwardTarget::Http { .. } => "http/protobuf",
        }
    }
}

impl fmt::Display for ForwardTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardTarget::Grpc { endpoint } => {
                write!(f, "grpc://{}", endpoint.trim_start_matches("http://"))
            }
            ForwardTarget::Http { base } => write!(f, "{base}/v1/…"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grpc(e: &str) -> ForwardTarget {
        ForwardTarget::Grpc { endpoint: e.into() }
    }
    fn http(b: &str) -> ForwardTarget {
        ForwardTarget::Http { base: b.into() }
    }

    #[test]
    fn the_url_forms_users_type() {
        let p = |u| ForwardTarget::parse(u).unwrap();
        assert_eq!(p("grpc://collector:4317"), grpc("http://collector:4317"));
        assert_eq!(p("http://127.0.0.1:4317"), grpc("http://127.0.0.1:4317"));
        assert_eq!(p("127.0.0.1:4317"), grpc("http://127.0.0.1:4317"));
        assert_eq!(p("http://h:4318/v1/traces"), http("http://h:4318"));
        assert_eq!(p("http://h:4318/otlp/v1/logs"), http("http://h:4318/otlp"));
        assert_eq!(p("http://h:4318"), http("http://h:4318"));
        assert_eq!(p("http://h:4318/"), http("http://h:4318"));
        assert_eq!(p("grpc://[::1]:4317"), grpc("http://[::1]:4317"));
    }

    #[test]
    fn knows_when_it_points_at_our_own_listener() {
        let own = vec!["127.0.0.1:4317".to_string(), "127.0.0.1:4318".to_string()];
        assert!(
            ForwardTarget::parse("grpc://localhost:4317")
                .unwrap()
                .points_at(&own)
        );
        assert!(
            ForwardTarget::parse("http://127.0.0.1:4318/v1/traces")
                .unwrap()
                .points_at(&own)
        );
        assert!(
            !ForwardTarget::parse("grpc://127.0.0.1:14317")
                .unwrap()
                .points_at(&own)
        );
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        assert!(matches!(
            ForwardTarget::parse("https://x:4318"),
            Err(TargetError::Tls(_))
        ));
        for bad in [
            "grpc://nohost",
            "ftp://h:1",
            "http://h:99999",
            "grpc://h:1\x1b",
        ] {
            assert!(
                matches!(ForwardTarget::parse(bad), Err(TargetError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
