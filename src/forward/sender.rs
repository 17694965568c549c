//! The background task that drains the forward queue: one request at a time, over
//! gRPC (tonic clients on a lazily connected channel, so a downstream that is down
//! at start is simply retried) or HTTP/protobuf (ureq on the blocking pool), retrying
//! what OTLP says is retryable with exponential backoff.

use std::time::Duration;

use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use prost::Message;
use tokio::sync::mpsc;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request};

use super::{ForwardItem, ForwardOptions, ForwardTarget};

/// One failed attempt: whether to try again, after how long at least, and why.
struct Failure {
    retryable: bool,
    retry_after: Option<Duration>,
    message: String,
}

/// The three OTLP/gRPC clients over one channel.
struct GrpcClients {
    traces: TraceServiceClient<Channel>,
    logs: LogsServiceClient<Channel>,
    metrics: MetricsServiceClient<Channel>,
}

enum Client {
    Grpc(Box<GrpcClients>),
    Http {
        base: String,
        agent: ureq::Agent,
    },
    /// The endpoint could not even be built (reported on every request).
    Broken(String),
}

pub(super) async fn run(mut rx: mpsc::Receiver<(ForwardItem, u64)>, opts: ForwardOptions) {
    let client = Client::new(&opts);
    let stats = opts.stats.clone();
    let mut failures = super::diagnose::FailureLog::default();
    while let Some((item, bytes)) = rx.recv().await {
        stats.dequeued();
        stats.release_bytes(bytes);
        let (spans, logs) = (item.span_count(), item.log_count());
        let is_metrics = matches!(item, ForwardItem::Metrics(_));
        let mut backoff = opts.retry.first_backoff;
        let mut attempt = 1;
        loop {
            let result = client.send(&item, &opts).await;
            let result = result.map_err(|mut f| {
                if let Some(why) = failures.failed(&opts.target, &f.message) {
                    tracing::warn!(target = %opts.target, error = %why, "forwarding fails");
                }
                f.message = super::diagnose::with_hint(&opts.target, &f.message);
                f
            });
            match result {
                Ok(()) => {
                    if failures.recovered() {
                        tracing::info!(target = %opts.target, "forwarding works again");
                    }
                    stats.sent(spans, logs, is_metrics);
                    break;
                }
                Err(f) if f.retryable && attempt < opts.retry.attempts => {
                    tracing::debug!(error = %f.message, attempt, "forward failed; retrying");
                    stats.retried(f.message);
                    let wait = f.retry_after.unwrap_or(backoff).min(opts.retry.max_backoff);
                    tokio::time::sleep(wait).await;
                    backoff = (backoff * 2).min(opts.retry.max_backoff);
                    attempt += 1;
                }
                Err(f) => {
                    tracing::warn!(error = %f.message, attempt, spans, "forward gave up; request dropped");
                    stats.dropped_failed(spans, f.message);
                    break;
                }
            }
        }
    }
}

fn grpc_failure(s: tonic::Status) -> Failure {
    // OTLP/gRPC: these codes are retryable; everything else is permanent.
    let retryable = matches!(
        s.code(),
        Code::Unavailable
            | Code::Cancelled
            | Code::DeadlineExceeded
            | Code::Aborted
            | Code::OutOfRange
            | Code::DataLoss
            | Code::ResourceExhausted
            | Code::Unknown
    );
    let mut message = format!("gRPC {:?}: {}", s.code(), s.message());
    if let Some(src) = std::error::Error::source(&s) {
        message.push_str(&format!(" ({src})"));
    }
    Failure {
        retryable,
        retry_after: None,
        message: crate::util::sanitize_for_terminal(&message),
    }
}

impl Client {
    fn new(opts: &ForwardOptions) -> Client {
        match &opts.target {
            ForwardTarget::Grpc { endpoint } => match Endpoint::from_shared(endpoint.clone()) {
                Ok(e) => {
                    let channel = e
                        .connect_timeout(Duration::from_secs(5))
                        .timeout(opts.retry.timeout)
                        .connect_lazy();
                    Client::Grpc(Box::new(GrpcClients {
                        traces: TraceServiceClient::new(channel.clone()),
                        logs: LogsServiceClient::new(channel.clone()),
                        metrics: MetricsServiceClient::new(channel),
                    }))
                }
                Err(e) => Client::Broken(e.to_string()),
            },
            ForwardTarget::Http { base } => Client::Http {
                base: base.clone(),
                agent: ureq::Agent::config_builder()
                    .timeout_global(Some(opts.retry.timeout))
                    .http_status_as_error(false)
                    .build()
                    .new_agent(),
            },
        }
    }

    async fn send(&self, item: &ForwardItem, opts: &ForwardOptions) -> Result<(), Failure> {
        match self {
            Client::Broken(e) => Err(Failure {
                retryable: false,
                retry_after: None,
                message: e.clone(),
            }),
            Client::Grpc(c) => {
                let GrpcClients {
                    traces,
                    logs,
                    metrics,
                } = c.as_ref();
                let result = match item.clone() {
                    ForwardItem::Traces(r) => {
                        traces.clone().export(with_auth(r, opts)).await.map(|_| ())
                    }
                    ForwardItem::Logs(r) => {
                        logs.clone().export(with_auth(r, opts)).await.map(|_| ())
                    }
                    ForwardItem::Metrics(r) => {
                        metrics.clone().export(with_auth(r, opts)).await.map(|_| ())
                    }
                };
                result.map_err(grpc_failure)
            }
            Client::Http { base, agent } => {
                let (path, body) = match item {
                    ForwardItem::Traces(r) => ("/v1/traces", r.encode_to_vec()),
                    ForwardItem::Logs(r) => ("/v1/logs", r.encode_to_vec()),
                    ForwardItem::Metrics(r) => ("/v1/metrics", r.encode_to_vec()),
                };
                let url = format!("{base}{path}");
                let agent = agent.clone();
                let token = opts.token.clone();
                tokio::task::spawn_blocking(move || post(&agent, &url, token.as_deref(), &body))
                    .await
                    .unwrap_or_else(|e| {
                        Err(Failure {
                            retryable: true,
                            retry_after: None,
                            message: e.to_string(),
                        })
                    })
            }
        }
    }
}

fn with_auth<T>(msg: T, opts: &ForwardOptions) -> Request<T> {
    let mut req = Request::new(msg);
    if let Some(t) = &opts.token
        && let Ok(v) = format!("Bearer {t}").parse()
    {
        req.metadata_mut().insert("authorization", v);
    }
    req
}

/// One OTLP/HTTP POST (blocking).
fn post(agent: &ureq::Agent, url: &str, token: Option<&str>, body: &[u8]) -> Result<(), Failure> {
    let mut req = agent
        .post(url)
        .header("content-type", "application/x-protobuf");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    match req.send(body) {
        Ok(res) => {
            let status = res.status().as_u16();
            if (200..300).contains(&status) {
                return Ok(());
            }
            let retry_after = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            Err(Failure {
                retryable: matches!(status, 429 | 502 | 503 | 504),
                retry_after,
                message: format!("HTTP {status} from {url}"),
            })
        }
        Err(e) => Err(Failure {
            retryable: true,
            retry_after: None,
            message: crate::util::sanitize_for_terminal(&format!("{url}: {e}")),
        }),
    }
}
