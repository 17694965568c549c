//! `spanlens import FILE…`: OTLP files (protobuf, OTLP/JSON, JSON Lines; gzip too)
//! through the same normalize → store path as live ingest. When a spanlens owns the
//! data dir, the requests go to its OTLP/HTTP endpoint instead (the store is its).
//! Bad records are reported as `file:line: reason`; the rest is imported.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use prost::Message;

use super::serve::{resolve_data_dir, take_data_dir};
use super::{CliError, CommonArgs};
use crate::data_dir::{OwnerLock, pid_alive};
use crate::ingest::{IngestError, Ingestor, Rejected};
use crate::otlp_file::{OtlpRequest, parse_file};
use crate::pricing::PriceTable;
use crate::store::{TraceStore, Writer};
use crate::util::sanitize_for_terminal;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// OTLP files: protobuf, OTLP/JSON or JSON Lines (format detected; .gz accepted)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Where imported requests go.
enum Sink {
    /// This process's own writer over the store.
    Local {
        ingestor: Ingestor,
        runtime: tokio::runtime::Runtime,
    },
    /// The data dir's live owner, over OTLP/HTTP.
    Owner {
        base: String,
        token: Option<String>,
        agent: ureq::Agent,
    },
}

impl Sink {
    fn send(&self, req: OtlpRequest) -> Result<Rejected, String> {
        match self {
            Sink::Local { ingestor, runtime } => runtime
                .block_on(async {
                    match req {
                        OtlpRequest::Traces(r) => ingestor.export_traces(r).await,
                        OtlpRequest::Logs(r) => ingestor.export_logs(r).await,
                        OtlpRequest::Metrics(r) => ingestor.export_metrics(r).await,
                    }
                })
                .map_err(|e: IngestError| e.to_string()),
            Sink::Owner { base, token, agent } => {
                let (path, body) = match &req {
                    OtlpRequest::Traces(r) => ("/v1/traces", r.encode_to_vec()),
                    OtlpRequest::Logs(r) => ("/v1/logs", r.encode_to_vec()),
                    OtlpRequest::Metrics(r) => ("/v1/metrics", r.encode_to_vec()),
                };
                let url = format!("{base}{path}");
                // The owner may be busy: retry what it asks to be retried.
                for pause in [0u64, 200, 500, 1000, 2000] {
                    std::thread::sleep(Duration::from_millis(pause));
                    let mut r = agent
                        .post(&url)
                        .header("content-type", "application/x-protobuf");
                    if let Some(t) = token {
                        r = r.header("authorization", format!("Bearer {t}"));
                    }
                    let res = r.send(&body[..]).map_err(|e| format!("{url}: {e}"))?;
                    match res.status().as_u16() {
                        200..=299 => return Ok(Rejected::default()),
                        429 | 503 => continue,
                        s => return Err(format!("{url} answered HTTP {s}")),
                    }
                }
                Err(format!("{url} stayed overloaded"))
            }
        }
    }
}

/// A progress line on stderr for long imports (only on a terminal).
struct Progress {
    total: usize,
    done: usize,
    silent: bool,
    last: Option<Instant>,
}

impl Progress {
    fn new(total: usize, total_bytes: u64) -> Progress {
        let long = total >= 50 || total_bytes >= 8 << 20;
        Progress {
            total,
            done: 0,
            silent: !(long && std::io::stderr().is_terminal()),
            last: None,
        }
    }

    fn step(&mut self) {
        self.done += 1;
        let recent = self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100));
        if self.silent || (recent && self.done < self.total) {
            return;
        }
        self.last = Some(Instant::now());
        let width = 30;
        let total = self.total.max(1);
        let filled = width * self.done / total;
        eprint!(
            "\r  importing [{}{}] {:>3}% {}/{} requests",
            "#".repeat(filled),
            ".".repeat(width - filled),
            100 * self.done / total,
            self.done,
            self.total
        );
        if self.done == self.total {
            eprintln!();
        }
    }
}

pub fn import(common: &CommonArgs, args: &ImportArgs) -> Result<(), CliError> {
    let dir = resolve_data_dir(common)?;
    // Read and parse everything first: bad records are reported before anything is sent.
    let mut requests = Vec::new();
    let mut bad_records = 0usize;
    let mut total_bytes = 0u64;
    for path in &args.files {
        let bytes = std::fs::read(path)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
        total_bytes += bytes.len() as u64;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = parse_file(&name, &bytes);
        for b in &parsed.bad {
            let at = if b.line > 0 {
                format!(":{}", b.line)
            } else {
                String::new()
            };
            eprintln!(
                "{}{at}: {}",
                sanitize_for_terminal(&path.display().to_string()),
                b.reason
            );
        }
        bad_records += parsed.bad.len();
        requests.extend(parsed.requests);
    }

    let mut writer = None;
    let sink = match OwnerLock::read(&dir).filter(|l| pid_alive(l.pid)) {
        Some(lock) => {
            eprintln!(
                "spanlens: sending to the running instance at {}",
                lock.api_url
            );
            Sink::Owner {
                base: lock.api_url.trim_end_matches('/').to_string(),
                token: common.token.clone(),
                agent: ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(60)))
                    .http_status_as_error(false)
                    .build()
                    .new_agent(),
            }
        }
        None => {
            let store: Arc<dyn TraceStore> = Arc::new(take_data_dir(&dir, 64)?);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()?;
            let (w, handle) = Writer::spawn(store, 64);
            writer = Some(w);
            Sink::Local {
                ingestor: Ingestor::new(handle, Arc::new(PriceTable::builtin())),
                runtime,
            }
        }
    };

    let (mut spans, mut logs, mut metrics, mut rejected) = (0u64, 0u64, 0u64, 0i64);
    let mut progress = Progress::new(requests.len(), total_bytes);
    for req in requests {
        let n = req.item_count();
        let kind = match &req {
            OtlpRequest::Traces(_) => 0,
            OtlpRequest::Logs(_) => 1,
            OtlpRequest::Metrics(_) => 2,
        };
        let r = sink.send(req).map_err(CliError::Usage)?;
        match kind {
            0 => spans += n,
            1 => logs += n,
            _ => metrics += 1,
        }
        if r.count > 0 {
            rejected += r.count;
            eprintln!("spanlens: {}", sanitize_for_terminal(&r.message));
        }
        progress.step();
    }
    // The writer stops once its last handle (the ingestor) is gone.
    drop(sink);
    if let Some(w) = writer {
        w.join();
    }
    eprintln!(
        "spanlens: imported {} spans, {logs} log records, {metrics} metrics requests from {} file(s){}{}",
        spans as i64 - rejected.max(0),
        args.files.len(),
        if rejected > 0 {
            format!("; {rejected} rejected")
        } else {
            String::new()
        },
        if bad_records > 0 {
            format!("; {bad_records} bad record(s) skipped")
        } else {
            String::new()
        },
    );
    if bad_records > 0 {
        return Err(CliError::Partial(format!(
            "{bad_records} bad record(s) were skipped (see above); the rest was imported"
        )));
    }
    Ok(())
}
