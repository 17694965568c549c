//! `spanlens demo`: sends realistic synthetic LLM traffic to an instance over real
//! OTLP/gRPC — agent runs with tool calls, RAG with documents and evals, streamed
//! chats with content as log records, embeddings, rate-limited retries and
//! failures, a LangSmith chain with experiments, an unpriced model — at `--rate`
//! traces per second until Ctrl-C or `--count` traces.
//!
//! The traffic is pure and deterministic for a seed (`scenarios::build_trace`,
//! `Traffic`); this file is the effectful shell: connect, pace, send, report.
//! Messages are built by hand from `opentelemetry_proto` types (`otlp.rs`), one
//! file per scenario family (`agent`, `rag`, `chat`, `batch`, `langsmith`).

mod agent;
mod batch;
mod chat;
mod genai;
mod langsmith;
mod otlp;
mod rag;
mod rng;
mod scenarios;
mod texts;

#[cfg(test)]
mod runner_tests;
#[cfg(test)]
mod tests;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};
use tonic::{Code, Request, Status};

use crate::data_dir::OwnerLock;
use crate::util::{now_unix_nano, sanitize_for_terminal};

pub use rng::DemoRng;
pub use scenarios::{DemoTrace, Scenario, Split, Traffic, Turn, build_trace};

/// Where `spanlens demo` sends when nothing says otherwise.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:4317";

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// OTLP/gRPC endpoint to send to (default: the running instance of the data dir, else http://127.0.0.1:4317)
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Stop after this many traces (default: until Ctrl-C)
    #[arg(long)]
    pub count: Option<u64>,
    /// Traces per second (default 2)
    #[arg(long, default_value_t = 2.0)]
    pub rate: f64,
    /// Seed for reproducible traffic
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("--rate must be a positive number of traces per second, got {0}")]
    InvalidRate(f64),
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint { endpoint: String, reason: String },
    #[error(
        "cannot connect to {endpoint} ({reason}). Is spanlens running? Start it with \
         `spanlens` or `spanlens serve`, or pass --endpoint"
    )]
    Connect { endpoint: String, reason: String },
    #[error("the token cannot be sent in an HTTP header (it has control or non-ASCII characters)")]
    InvalidToken,
    #[error(
        "{endpoint} refused the request as unauthenticated; pass the instance's token \
         with --token or SPANLENS_TOKEN"
    )]
    Unauthenticated { endpoint: String },
    #[error("export to {endpoint} failed: {code}: {message}")]
    Export {
        endpoint: String,
        code: String,
        message: String,
    },
}

/// What a demo run sent (and the receiver accepted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub traces: u64,
    pub spans: u64,
    pub logs: u64,
}

/// The endpoint to send to: `--endpoint`, else the first gRPC address of the live
/// instance owning the data dir (pass its lock only if its pid is alive; a wildcard
/// address becomes loopback), else [`DEFAULT_ENDPOINT`]. Pure.
pub fn resolve_endpoint(args: &DemoArgs, owner: Option<&OwnerLock>) -> String {
    if let Some(e) = args
        .endpoint
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        return with_scheme(e);
    }
    let addrs: Vec<SocketAddr> = owner
        .map(|o| o.grpc_addrs.iter().filter_map(|a| a.parse().ok()).collect())
        .unwrap_or_default();
    match addrs.iter().find(|a| a.is_ipv4()).or(addrs.first()) {
        Some(a) => {
            let mut a = *a;
            if a.ip().is_unspecified() {
                a.set_ip(match a {
                    SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                    SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
                });
            }
            let tls = owner.is_some_and(|o| o.api_url.starts_with("https://"));
            format!("{}://{a}", if tls { "https" } else { "http" })
        }
        None => DEFAULT_ENDPOINT.to_string(),
    }
}

/// `host:port` → `http://host:port`; URLs are kept.
fn with_scheme(endpoint: &str) -> String {
    if endpoint.contains("://") {
        endpoint.to_string()
    } else {
        format!("http://{endpoint}")
    }
}

/// Sends demo traffic to `endpoint` (already resolved, e.g. "http://127.0.0.1:4317"),
/// bearer `token` if any, until `count` traces or Ctrl-C. Prints one short progress
/// line per trace to stderr and a summary at the end.
/// `tls` (CA, client certificate) applies to an `https://` endpoint.
pub async fn run(
    args: &DemoArgs,
    endpoint: &str,
    token: Option<&str>,
    tls: Option<ClientTlsConfig>,
) -> Result<DemoSummary, DemoError> {
    run_tls_until(args, endpoint, token, tls, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// [`run`] without TLS settings, stopping when `stop` resolves instead of on Ctrl-C.
pub async fn run_until(
    args: &DemoArgs,
    endpoint: &str,
    token: Option<&str>,
    stop: impl Future<Output = ()>,
) -> Result<DemoSummary, DemoError> {
    run_tls_until(args, endpoint, token, None, stop).await
}

/// [`run`], stopping when `stop` resolves instead of on Ctrl-C.
pub async fn run_tls_until(
    args: &DemoArgs,
    endpoint: &str,
    token: Option<&str>,
    tls: Option<ClientTlsConfig>,
    stop: impl Future<Output = ()>,
) -> Result<DemoSummary, DemoError> {
    if !(args.rate.is_finite() && args.rate > 0.0) {
        return Err(DemoError::InvalidRate(args.rate));
    }
    let period = Duration::from_secs_f64((1.0 / args.rate).clamp(1e-4, 3600.0));
    let endpoint = with_scheme(endpoint.trim());
    let shown = sanitize_for_terminal(&endpoint);
    let mut sender = Sender::connect(&endpoint, token, tls).await?;
    let rng = args.seed.map_or_else(DemoRng::from_clock, DemoRng::seeded);
    let mut traffic = Traffic::new(rng);
    let mut summary = DemoSummary::default();
    let until = match args.count {
        Some(n) => format!("{n} traces"),
        None => "until Ctrl-C".to_string(),
    };
    eprintln!(
        "spanlens demo: sending to {shown} at {} traces/s, {until}",
        args.rate
    );

    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    while args.count.is_none_or(|n| summary.traces < n) {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            _ = ticker.tick() => {}
        }
        let trace = traffic.next_trace(now_unix_nano());
        let sent = tokio::select! {
            biased;
            _ = &mut stop => break,
            r = sender.send(&trace) => r?,
        };
        summary.traces += 1;
        summary.spans += sent.spans;
        summary.logs += sent.logs;
        eprintln!("{}", progress_line(&trace));
    }
    eprintln!(
        "spanlens demo: sent {} traces ({} spans, {} log records) to {shown}",
        summary.traces, summary.spans, summary.logs
    );
    Ok(summary)
}

/// `sent trace 3d7c0a1f… invoke_agent weather-agent (weather-agent, 5 spans, 1 error)`,
/// safe to print.
pub fn progress_line(trace: &DemoTrace) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut details = vec![
        trace.service.clone(),
        plural(trace.span_count, "span", "spans"),
    ];
    if trace.error_count > 0 {
        details.push(plural(trace.error_count, "error", "errors"));
    }
    if trace.log_count > 0 {
        details.push(plural(trace.log_count, "log", "logs"));
    }
    let line = format!(
        "sent trace {}… {} ({})",
        &trace.trace_id_hex()[..8],
        trace.root_name,
        details.join(", ")
    );
    sanitize_for_terminal(&line)
}

/// Accepted counts of one trace.
struct Sent {
    spans: u64,
    logs: u64,
}

/// The two gRPC clients over one channel, plus the authorization header.
struct Sender {
    endpoint: String,
    traces: TraceServiceClient<Channel>,
    logs: LogsServiceClient<Channel>,
    auth: Option<MetadataValue<tonic::metadata::Ascii>>,
}

impl Sender {
    /// Connects (network).
    async fn connect(
        endpoint: &str,
        token: Option<&str>,
        tls: Option<ClientTlsConfig>,
    ) -> Result<Self, DemoError> {
        let auth = token
            .map(|t| MetadataValue::try_from(format!("Bearer {t}")))
            .transpose()
            .map_err(|_| DemoError::InvalidToken)?;
        let shown = sanitize_for_terminal(endpoint);
        let mut channel = Endpoint::from_shared(endpoint.to_string()).map_err(|e| {
            DemoError::InvalidEndpoint {
                endpoint: shown.clone(),
                reason: error_chain(&e),
            }
        })?;
        if let Some(tls) = tls.filter(|_| endpoint.starts_with("https://")) {
            channel = channel
                .tls_config(tls)
                .map_err(|e| DemoError::InvalidEndpoint {
                    endpoint: shown.clone(),
                    reason: error_chain(&e),
                })?;
        }
        let channel = channel
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .connect()
            .await
            .map_err(|e| DemoError::Connect {
                endpoint: shown.clone(),
                reason: error_chain(&e),
            })?;
        Ok(Sender {
            endpoint: shown,
            traces: TraceServiceClient::new(channel.clone()),
            logs: LogsServiceClient::new(channel),
            auth,
        })
    }

    fn request<T>(&self, msg: T) -> Request<T> {
        let mut req = Request::new(msg);
        if let Some(a) = &self.auth {
            req.metadata_mut().insert("authorization", a.clone());
        }
        req
    }

    /// Sends one trace: its logs first, then its span requests in order (network).
    async fn send(&mut self, trace: &DemoTrace) -> Result<Sent, DemoError> {
        let mut sent = Sent { spans: 0, logs: 0 };
        if let Some(logs) = &trace.logs {
            let resp = retry(|| {
                let req = self.request(logs.clone());
                let mut client = self.logs.clone();
                async move { client.export(req).await }
            })
            .await
            .map_err(|s| self.error(s))?;
            let rejected = resp
                .into_inner()
                .partial_success
                .map_or(0, |p| p.rejected_log_records.max(0) as u64);
            sent.logs += trace.log_count.saturating_sub(rejected);
        }
        for req in trace.requests() {
            let count: u64 = req
                .resource_spans
                .iter()
                .flat_map(|r| &r.scope_spans)
                .map(|s| s.spans.len() as u64)
                .sum();
            let resp = retry(|| {
                let req = self.request(req.clone());
                let mut client = self.traces.clone();
                async move { client.export(req).await }
            })
            .await
            .map_err(|s| self.error(s))?;
            if let Some(p) = resp.into_inner().partial_success
                && p.rejected_spans > 0
            {
                eprintln!(
                    "spanlens demo: warning: {} spans rejected: {}",
                    p.rejected_spans,
                    sanitize_for_terminal(&p.error_message)
                );
            }
            sent.spans += count;
        }
        Ok(sent)
    }

    fn error(&self, status: Status) -> DemoError {
        if status.code() == Code::Unauthenticated {
            return DemoError::Unauthenticated {
                endpoint: self.endpoint.clone(),
            };
        }
        DemoError::Export {
            endpoint: self.endpoint.clone(),
            code: format!("{:?}", status.code()),
            message: sanitize_for_terminal(status.message()),
        }
    }
}

/// Retries an export the receiver asked to retry (overloaded: UNAVAILABLE), a few
/// times with growing pauses.
async fn retry<T, F, Fut>(mut attempt: F) -> Result<T, Status>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Status>>,
{
    let mut pause = Duration::from_millis(200);
    for _ in 0..4 {
        match attempt().await {
            Err(s) if s.code() == Code::Unavailable => {
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            other => return other,
        }
    }
    attempt().await
}

/// An error and its sources on one line (tonic's own text is just "transport error").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = s.source();
    }
    sanitize_for_terminal(&out)
}
