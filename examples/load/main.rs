//! Ingest load tool: realistic ~1 KB GenAI spans in batches over OTLP/gRPC from
//! concurrent clients, reporting acknowledged spans/s and export latency; or the
//! in-process ceilings of the same payload (prost decode, normalize, store).
//!
//! Reproduce (numbers and machine in docs/PERFORMANCE.md):
//! ```text
//! cargo build --release --example load --bin spanlens
//! ./target/release/spanlens serve --data-dir /tmp/bench-data \
//!     --grpc-addr 127.0.0.1:24317 --http-addr 127.0.0.1:24318 &
//! ./target/release/examples/load --target http://127.0.0.1:24317 \
//!     --clients 4 --batch 512 --seconds 30 --server-pid $!
//! ./target/release/examples/load --decode-only --seconds 5     # prost ceiling
//! ./target/release/examples/load --stages --seconds 5          # + normalize, store
//! ```
//! `--spawn-server DIR` runs the receiver in this process instead. Each request
//! carries fresh trace and span ids, so nothing is de-duplicated. UNAVAILABLE
//! (back-pressure) is retried after a short back-off, as an OTLP exporter would.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes};
use clap::Parser;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use prost::Message;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::Channel;
use tonic::{Code, Status};

#[derive(Parser, Debug)]
#[command(about = "spanlens ingest load tool")]
struct Args {
    /// OTLP/gRPC endpoint.
    #[arg(long, default_value = "http://127.0.0.1:4317")]
    target: String,
    /// Concurrent clients (one connection each, one request in flight each).
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Spans per export request.
    #[arg(long, default_value_t = 512)]
    batch: usize,
    /// Duration of the load (and of each in-process measurement).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Measure prost decode of the same requests in-process (1 and N threads) only.
    #[arg(long)]
    decode_only: bool,
    /// Like --decode-only, plus decode+normalize and store write/flush (temp dir).
    #[arg(long)]
    stages: bool,
    /// Threads for the multi-threaded decode measurement (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Send a pre-encoded request with patched ids (near-zero client CPU) instead of
    /// building and prost-encoding each request like an SDK exporter. Every span then
    /// carries the start's timestamps: not for runs with `serve --max-age`, which
    /// would find them all old.
    #[arg(long)]
    pre_encoded: bool,
    /// Report CPU time and peak RSS (VmHWM) of this server process at the end.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Start the receiver in this process on 127.0.0.1:0 over a sled store in DIR.
    #[arg(long, value_name = "DATA_DIR")]
    spawn_server: Option<PathBuf>,
    /// Offer at most this many spans/s in total (requests are paced on a fixed
    /// schedule; a server that falls behind sees the backlog at once). Default: as
    /// fast as the server acknowledges.
    #[arg(long, value_name = "SPANS_PER_S")]
    rate: Option<f64>,
    /// First back-off after UNAVAILABLE, doubled per retry up to 1 s (0: retry at once,
    /// the harshest overload).
    #[arg(long, default_value_t = 5)]
    retry_delay_ms: u64,
    /// Seconds between progress lines.
    #[arg(long, default_value_t = 5)]
    report_every: u64,
    /// Report the disk usage (allocated blocks) of this directory in each progress line.
    #[arg(long, value_name = "DIR")]
    watch_dir: Option<PathBuf>,
    /// Also write the progress lines to this CSV file.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
}

mod monitor;
pub mod payload;
mod stages;

fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// A pre-encoded request and where its ids are, so each send only patches ids.
struct Template {
    bytes: Vec<u8>,
    /// (offset, is_trace_id, index of the trace or span within the request)
    patches: Vec<(usize, bool, usize)>,
}

impl Template {
    fn new(nonce: u64, n: usize) -> Template {
        let seq = u64::MAX >> 1;
        let bytes = payload::request(nonce, seq, n, now_ns()).encode_to_vec();
        let mut ids = std::collections::HashMap::new();
        for t in 0..n.div_ceil(payload::SPANS_PER_TRACE) {
            ids.insert(payload::trace_id(nonce, seq, t)[..8].to_vec(), (true, t));
        }
        for k in 0..n {
            ids.insert(payload::span_id(nonce, seq, k), (false, k));
        }
        // An id is preceded by its length; trace ids by tag 0x0a, span/parent ids by 0x12/0x22.
        let mut patches = Vec::new();
        for off in 2..=bytes.len().saturating_sub(8) {
            if let Some(&(trace, idx)) = ids.get(&bytes[off..off + 8]) {
                let ok = if trace {
                    bytes[off - 2..off] == [0x0a, 16]
                } else {
                    matches!(bytes[off - 2..off], [0x12 | 0x22, 8])
                };
                if ok {
                    patches.push((off, trace, idx));
                }
            }
        }
        // Every span carries its trace id and span id; all but the roots a parent id.
        let traces = n.div_ceil(payload::SPANS_PER_TRACE);
        assert_eq!(patches.len(), 2 * n + (n - traces), "id offsets not found");
        Template { bytes, patches }
    }

    fn render(&self, nonce: u64, seq: u64) -> Bytes {
        let mut b = self.bytes.clone();
        for &(off, trace, idx) in &self.patches {
            let id = if trace {
                payload::trace_id(nonce, seq, idx)
            } else {
                payload::span_id(nonce, seq, idx)
            };
            b[off..off + id.len()].copy_from_slice(&id);
        }
        Bytes::from(b)
    }
}

/// gRPC codec sending already-encoded bytes and decoding the OTLP response.
#[derive(Clone, Copy)]
struct RawCodec;
impl Codec for RawCodec {
    type Encode = Bytes;
    type Decode = ExportTraceServiceResponse;
    type Encoder = RawCodec;
    type Decoder = RawCodec;
    fn encoder(&mut self) -> RawCodec {
        RawCodec
    }
    fn decoder(&mut self) -> RawCodec {
        RawCodec
    }
}
impl Encoder for RawCodec {
    type Item = Bytes;
    type Error = Status;
    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}
impl Decoder for RawCodec {
    type Item = ExportTraceServiceResponse;
    type Error = Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Status> {
        Message::decode(src)
            .map(Some)
            .map_err(|e| Status::internal(e.to_string()))
    }
}

#[derive(Default)]
struct ClientStats {
    latencies_us: Vec<u64>,
    spans: u64,
    requests: u64,
    errors: BTreeMap<String, u64>,
}

async fn run_client(
    channel: Channel,
    args: Arc<Args>,
    template: Option<Arc<Template>>,
    nonce: u64,
    counters: Arc<monitor::Counters>,
    start: Instant,
    deadline: Instant,
) -> ClientStats {
    let (next_seq, acked) = (&counters.next_seq, &counters.acked);
    let mut typed = TraceServiceClient::new(channel.clone()).max_encoding_message_size(usize::MAX);
    let mut raw = tonic::client::Grpc::new(channel);
    let path = http::uri::PathAndQuery::from_static(
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    );
    let mut st = ClientStats::default();
    while Instant::now() < deadline {
        let seq = next_seq.fetch_add(1, Ordering::Relaxed);
        if let Some(rate) = args.rate {
            let due = start + Duration::from_secs_f64(seq as f64 * args.batch as f64 / rate);
            if due >= deadline {
                break;
            }
            tokio::time::sleep_until(due.into()).await;
        }
        let now = now_ns();
        let mut backoff = Duration::from_millis(args.retry_delay_ms);
        loop {
            let t0 = Instant::now();
            let res = match &template {
                Some(tpl) => {
                    let body = tpl.render(nonce, seq);
                    match raw.ready().await {
                        Ok(()) => raw
                            .unary(tonic::Request::new(body), path.clone(), RawCodec)
                            .await
                            .map(|r| r.into_inner()),
                        Err(e) => Err(Status::unavailable(e.to_string())),
                    }
                }
                None => typed
                    .export(payload::request(nonce, seq, args.batch, now))
                    .await
                    .map(|r| r.into_inner()),
            };
            match res {
                Ok(resp) => {
                    st.latencies_us.push(t0.elapsed().as_micros() as u64);
                    let rejected = resp.partial_success.map_or(0, |p| p.rejected_spans);
                    let spans = args.batch as u64 - rejected.max(0) as u64;
                    st.spans += spans;
                    acked.fetch_add(spans, Ordering::Relaxed);
                    st.requests += 1;
                    break;
                }
                Err(status) => {
                    *st.errors.entry(format!("{:?}", status.code())).or_default() += 1;
                    if status.code() == Code::Unavailable {
                        counters.unavailable.fetch_add(1, Ordering::Relaxed);
                    }
                    let retry = status.code() == Code::Unavailable && Instant::now() < deadline;
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    if !retry {
                        break;
                    }
                }
            }
        }
    }
    st
}

/// (user+system CPU seconds, VmHWM in KiB) of a process; assumes 100 clock ticks/s.
fn proc_usage(pid: &str) -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let f: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let cpu = (f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?) as f64 / 100.0;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())?;
    Some((cpu, hwm))
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

async fn run_load(args: Arc<Args>, target: String) -> anyhow::Result<()> {
    let nonce = payload::mix(now_ns());
    let sample = payload::request(nonce, u64::MAX, args.batch, now_ns()).encoded_len();
    let template = args
        .pre_encoded
        .then(|| Arc::new(Template::new(nonce, args.batch)));
    let mut channels = Vec::new();
    for _ in 0..args.clients {
        channels.push(Channel::from_shared(target.clone())?.connect().await?);
    }
    let (cpu0, server0) = (
        proc_usage("self"),
        args.server_pid.and_then(|p| proc_usage(&p.to_string())),
    );
    let counters = Arc::new(monitor::Counters::default());
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for ch in channels {
        let (a, tpl, c) = (args.clone(), template.clone(), counters.clone());
        tasks.spawn(run_client(ch, a, tpl, nonce, c, start, deadline));
    }
    let progress = tokio::spawn(monitor::run(
        counters.clone(),
        start,
        monitor::MonitorOptions {
            every: Duration::from_secs(args.report_every.max(1)),
            server_pid: args.server_pid,
            watch_dir: args.watch_dir.clone(),
            csv: args.csv.clone(),
        },
    ));
    let mut all = ClientStats::default();
    while let Some(st) = tasks.join_next().await {
        let st = st?;
        all.latencies_us.extend(st.latencies_us);
        all.spans += st.spans;
        all.requests += st.requests;
        for (k, v) in st.errors {
            *all.errors.entry(k).or_default() += v;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    progress.abort();
    all.latencies_us.sort_unstable();
    let lat = &all.latencies_us;
    println!(
        "target {target}: {} clients x {} spans/request, {secs:.1} s, {} mode",
        args.clients,
        args.batch,
        if args.pre_encoded {
            "pre-encoded"
        } else {
            "prost-encoded per request"
        }
    );
    println!(
        "average encoded span: {} bytes ({} bytes/request)",
        sample / args.batch,
        sample
    );
    println!(
        "acknowledged: {} spans in {} requests = {:.0} spans/s ({:.1} MB/s of OTLP)",
        all.spans,
        all.requests,
        all.spans as f64 / secs,
        all.spans as f64 * (sample / args.batch) as f64 / secs / 1e6
    );
    if !lat.is_empty() {
        println!(
            "export latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
            pct(lat, 0.50),
            pct(lat, 0.90),
            pct(lat, 0.99),
            pct(lat, 1.0)
        );
    }
    println!("errors by gRPC code: {:?}", all.errors);
    let refused: u64 = all.errors.values().sum();
    println!(
        "offered: {:.0} spans/s (acknowledged + refused requests x {} spans)",
        (all.spans + refused * args.batch as u64) as f64 / secs,
        args.batch
    );
    if let (Some((c0, _)), Some((c1, hwm))) = (cpu0, proc_usage("self")) {
        println!(
            "load tool: {:.1} CPU s ({:.0}% of one core), peak RSS {} MiB",
            c1 - c0,
            (c1 - c0) / secs * 100.0,
            hwm / 1024
        );
    }
    if let (Some(pid), Some((c0, _))) = (args.server_pid, server0)
        && let Some((c1, hwm)) = proc_usage(&pid.to_string())
    {
        println!(
            "server pid {pid}: {:.1} CPU s ({:.0}% of one core), peak RSS (VmHWM) {} MiB",
            c1 - c0,
            (c1 - c0) / secs * 100.0,
            hwm / 1024
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Arc::new(Args::parse());
    if args.decode_only || args.stages {
        let a = args.clone();
        return tokio::task::spawn_blocking(move || stages::in_process(&a)).await?;
    }
    let Some(dir) = args.spawn_server.clone() else {
        return run_load(args.clone(), args.target.clone()).await;
    };
    use spanlens::store::{SledOptions, SledStore};
    let store = SledStore::open(&dir.join("store"), &SledOptions::default())?;
    let grpc = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let target = format!("http://{}", grpc.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = spanlens::server::run(
        Arc::new(store),
        Arc::new(spanlens::pricing::PriceTable::builtin()),
        vec![grpc],
        Vec::new(),
        spanlens::server::ServeOptions::default(),
        async {
            let _ = stopped.await;
        },
    );
    let load = async {
        let r = run_load(args.clone(), target).await;
        let _ = stop.send(());
        r
    };
    let (served, loaded) = tokio::join!(server, load);
    served?;
    loaded
}
