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
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes};
use clap::Parser;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
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
    /// building and prost-encoding each request like an SDK exporter.
    #[arg(long)]
    pre_encoded: bool,
    /// Report CPU time and peak RSS (VmHWM) of this server process at the end.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Start the receiver in this process on 127.0.0.1:0 over a sled store in DIR.
    #[arg(long, value_name = "DATA_DIR")]
    spawn_server: Option<PathBuf>,
}

/// The synthetic payload: traces of one agent root, five chat calls and two tools.
pub mod payload {
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    use opentelemetry_proto::tonic::common::v1::{
        AnyValue, ArrayValue, InstrumentationScope, KeyValue,
    };
    use opentelemetry_proto::tonic::resource::v1::Resource;
    use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
    use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};

    pub const SPANS_PER_TRACE: usize = 8;
    const QUESTIONS: [&str; 4] = [
        "My invoice for March shows two charges for the Pro plan. Can you check why and refund the duplicate?",
        "How do I rotate the API key for our staging project without breaking the running workers?",
        "The export to CSV stops at 10,000 rows. Is there a limit, and how can I get the full table?",
        "Can you summarise the last three tickets from this customer and suggest a next step?",
    ];
    const ANSWERS: [&str; 4] = [
        "I found two charges on 3 March; the second is a duplicate. I have issued a refund of $49.00; it appears on your card within 5-10 business days.",
        "Create a second key, deploy it to the workers, then revoke the old key from Settings > API. Both keys work until the old one is revoked.",
        "Exports are capped at 10,000 rows in the UI. Use the bulk export API (POST /v2/exports) to get every row as a gzipped CSV file.",
        "All three tickets concern failed syncs after the 2.4 upgrade; suggest a call with the sync team and a patch to 2.4.3 first.",
    ];

    /// splitmix64: a bijection, so distinct inputs give distinct ids.
    pub fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn trace_id(nonce: u64, seq: u64, t: usize) -> Vec<u8> {
        let g = seq.wrapping_mul(1 << 20).wrapping_add(t as u64);
        let mut id = mix(g ^ nonce.rotate_left(32)).to_be_bytes().to_vec();
        id.extend_from_slice(&mix(g.wrapping_add(nonce)).to_be_bytes());
        id
    }
    pub fn span_id(nonce: u64, seq: u64, k: usize) -> Vec<u8> {
        let g = seq.wrapping_mul(1 << 20).wrapping_add(k as u64);
        mix(g.wrapping_add(nonce.rotate_left(17)))
            .max(1)
            .to_be_bytes()
            .to_vec()
    }
    fn kv(key: &str, v: Value) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: Some(AnyValue { value: Some(v) }),
            ..Default::default()
        }
    }
    fn s(key: &str, v: impl Into<String>) -> KeyValue {
        kv(key, Value::StringValue(v.into()))
    }
    fn i(key: &str, v: i64) -> KeyValue {
        kv(key, Value::IntValue(v))
    }

    /// Request number `seq` of a run (`nonce`): `n` spans, ids unique per (nonce, seq).
    pub fn request(nonce: u64, seq: u64, n: usize, now_ns: u64) -> ExportTraceServiceRequest {
        let spans = (0..n).map(|k| span(nonce, seq, k, now_ns)).collect();
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(Resource {
                    attributes: vec![
                        s("service.name", "support-agent"),
                        s("service.version", "1.8.2"),
                        s("deployment.environment.name", "production"),
                        s("telemetry.sdk.language", "python"),
                    ],
                    ..Default::default()
                }),
                scope_spans: vec![ScopeSpans {
                    scope: Some(InstrumentationScope {
                        name: "opentelemetry.instrumentation.openai_v2".into(),
                        version: "2.1b0".into(),
                        ..Default::default()
                    }),
                    spans,
                    ..Default::default()
                }],
                ..Default::default()
            }],
        }
    }

    fn span(nonce: u64, seq: u64, k: usize, now_ns: u64) -> Span {
        let (t, j) = (k / SPANS_PER_TRACE, k % SPANS_PER_TRACE);
        let v = (mix(seq ^ k as u64) % 4) as usize;
        let start = now_ns - 30_000_000_000 + (t as u64 % 1000) * 1_000_000;
        let session = format!("sess-{:016x}", mix(seq.wrapping_add(t as u64)));
        let (name, kind, mut attributes, s0, s1) = match j {
            0 => (
                "invoke_agent support-bot".to_string(),
                SpanKind::Internal,
                vec![
                    s("gen_ai.operation.name", "invoke_agent"),
                    s("gen_ai.agent.name", "support-bot"),
                    s("gen_ai.provider.name", "openai"),
                    s("gen_ai.request.model", "gpt-4o-mini"),
                ],
                0,
                9_000,
            ),
            3 | 6 => {
                let call = format!("call_{:012x}", mix(seq ^ ((k as u64) << 8)) >> 16);
                (
                    "execute_tool lookup_account".to_string(),
                    SpanKind::Internal,
                    vec![
                        s("gen_ai.operation.name", "execute_tool"),
                        s("gen_ai.tool.name", "lookup_account"),
                        s("gen_ai.tool.call.id", call),
                        s(
                            "gen_ai.tool.call.arguments",
                            r#"{"customer_id":"cus_8Hq2LmN0","fields":["plan","invoices"]}"#,
                        ),
                        s(
                            "gen_ai.tool.call.result",
                            r#"{"plan":"pro","invoices":[{"id":"in_1","amount":4900},{"id":"in_2","amount":4900}]}"#,
                        ),
                    ],
                    j as u64 * 1_000 + 500,
                    j as u64 * 1_000 + 620,
                )
            }
            _ => {
                let input = format!(
                    r#"[{{"role":"system","parts":[{{"type":"text","content":"You are a concise, friendly support agent for Acme Cloud. Look up the account with the tools before answering, never guess amounts, and escalate billing disputes over $500 to a human."}}]}},{{"role":"user","parts":[{{"type":"text","content":"{}"}}]}}]"#,
                    QUESTIONS[v]
                );
                let output = format!(
                    r#"[{{"role":"assistant","parts":[{{"type":"text","content":"{}"}}],"finish_reason":"stop"}}]"#,
                    ANSWERS[v]
                );
                (
                    "chat gpt-4o-mini".to_string(),
                    SpanKind::Client,
                    vec![
                        s("gen_ai.operation.name", "chat"),
                        s("gen_ai.provider.name", "openai"),
                        s("gen_ai.request.model", "gpt-4o-mini"),
                        s("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                        s(
                            "gen_ai.response.id",
                            format!("chatcmpl-{:016x}", mix(seq ^ k as u64)),
                        ),
                        kv("gen_ai.request.temperature", Value::DoubleValue(0.2)),
                        i("gen_ai.request.max_tokens", 512),
                        kv("gen_ai.request.top_p", Value::DoubleValue(0.9)),
                        i("gen_ai.usage.input_tokens", 180 + 37 * v as i64),
                        i("gen_ai.usage.output_tokens", 40 + 11 * v as i64),
                        kv(
                            "gen_ai.response.finish_reasons",
                            Value::ArrayValue(ArrayValue {
                                values: vec![AnyValue {
                                    value: Some(Value::StringValue("stop".into())),
                                }],
                            }),
                        ),
                        s("server.address", "api.openai.com"),
                        i("server.port", 443),
                        s("openai.response.service_tier", "default"),
                        s("gen_ai.input.messages", input),
                        s("gen_ai.output.messages", output),
                    ],
                    j as u64 * 1_000,
                    j as u64 * 1_000 + 450 + 40 * v as u64,
                )
            }
        };
        attributes.push(s("session.id", session));
        attributes.push(s("user.id", format!("usr_{:08x}", mix(t as u64) as u32)));
        // One tool call in 16 traces fails.
        let failed = j == 6 && mix(seq ^ t as u64).is_multiple_of(16);
        Span {
            trace_id: trace_id(nonce, seq, t),
            span_id: span_id(nonce, seq, k),
            parent_span_id: if j == 0 {
                Vec::new()
            } else {
                span_id(nonce, seq, k - j)
            },
            name,
            kind: kind as i32,
            start_time_unix_nano: start + s0 * 1_000_000,
            end_time_unix_nano: start + s1 * 1_000_000,
            attributes,
            status: failed.then(|| Status {
                code: StatusCode::Error as i32,
                message: "account service timed out".into(),
            }),
            ..Default::default()
        }
    }
}

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
    counters: Arc<[AtomicU64; 2]>,
    deadline: Instant,
) -> ClientStats {
    let [next_seq, acked] = &*counters;
    let mut typed = TraceServiceClient::new(channel.clone()).max_encoding_message_size(usize::MAX);
    let mut raw = tonic::client::Grpc::new(channel);
    let path = http::uri::PathAndQuery::from_static(
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    );
    let mut st = ClientStats::default();
    while Instant::now() < deadline {
        let seq = next_seq.fetch_add(1, Ordering::Relaxed);
        let now = now_ns();
        let mut backoff = Duration::from_millis(5);
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
    // [next request number, spans acknowledged so far]
    let counters = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for ch in channels {
        let (a, tpl, c) = (args.clone(), template.clone(), counters.clone());
        tasks.spawn(run_client(ch, a, tpl, nonce, c, deadline));
    }
    // Progress every 5 s: the rate may change as the store grows.
    let c = counters.clone();
    let progress = tokio::spawn(async move {
        let mut last = 0;
        for t in (5..).step_by(5) {
            tokio::time::sleep_until((start + Duration::from_secs(t)).into()).await;
            let now = c[1].load(Ordering::Relaxed);
            eprintln!(
                "  {t:>4} s: {:>9} spans acked, {:>7.0} spans/s over the last 5 s",
                now,
                (now - last) as f64 / 5.0
            );
            last = now;
        }
    });
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

/// Spans/s of `f` run repeatedly on `threads` threads for `secs`.
fn rate(threads: usize, secs: u64, f: impl Fn(usize) -> usize + Sync) -> f64 {
    let start = Instant::now();
    let total: usize = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|t| {
                let f = &f;
                s.spawn(move || {
                    let (mut n, mut i) = (0, t);
                    while start.elapsed().as_secs() < secs {
                        n += f(i);
                        i += threads;
                    }
                    n
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    total as f64 / start.elapsed().as_secs_f64()
}

fn in_process(args: &Args) -> anyhow::Result<()> {
    let nonce = payload::mix(now_ns());
    let bodies: Vec<Vec<u8>> = (0..16)
        .map(|s| payload::request(nonce, s, args.batch, now_ns()).encode_to_vec())
        .collect();
    let bytes = bodies[0].len();
    println!(
        "payload: {} spans/request, {} bytes/request, {} bytes/span",
        args.batch,
        bytes,
        bytes / args.batch
    );
    let decode = |i: usize| {
        let req =
            ExportTraceServiceRequest::decode(&bodies[i % bodies.len()][..]).expect("decodes");
        req.resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .map(|s| s.spans.len())
            .sum()
    };
    let n = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    println!(
        "prost decode, 1 thread:  {:.0} spans/s",
        rate(1, args.seconds, decode)
    );
    println!(
        "prost decode, {n} threads: {:.0} spans/s",
        rate(n, args.seconds, decode)
    );
    if !args.stages {
        return Ok(());
    }
    let prices = spanlens::pricing::PriceTable::builtin();
    let normalize = |i: usize| {
        let req =
            ExportTraceServiceRequest::decode(&bodies[i % bodies.len()][..]).expect("decodes");
        spanlens::normalize::normalize_traces(&req, &prices)
            .spans
            .len()
    };
    println!(
        "decode + normalize, 1 thread: {:.0} spans/s",
        rate(1, args.seconds, normalize)
    );
    let normalized: Vec<_> = (0..bodies.len())
        .map(|i| {
            let req = ExportTraceServiceRequest::decode(&bodies[i][..]).expect("decodes");
            spanlens::normalize::normalize_traces(&req, &prices).spans
        })
        .collect();
    let record: usize = normalized[0]
        .iter()
        .map(|s| postcard::to_allocvec(s).map_or(0, |v| v.len()))
        .sum();
    // Where the stored bytes go: the record minus each part.
    let without = |strip: &dyn Fn(&mut spanlens::model::Span)| {
        let less: usize = normalized[0]
            .iter()
            .map(|s| {
                let mut s = s.clone();
                strip(&mut s);
                postcard::to_allocvec(&s).map_or(0, |v| v.len())
            })
            .sum();
        (record - less) / args.batch
    };
    println!(
        "stored record bytes/span: attributes {}, resource {}, llm facet {}",
        without(&|s| s.attributes.clear()),
        without(&|s| s.resource.clear()),
        without(&|s| s.llm = None)
    );
    let encode = |i: usize| {
        let spans = &normalized[i % normalized.len()];
        spans
            .iter()
            .filter(|s| postcard::to_allocvec(s).is_ok())
            .count()
    };
    println!(
        "postcard encode of normalized spans ({} bytes/span), 1 thread: {:.0} spans/s",
        record / args.batch,
        rate(1, args.seconds, encode)
    );
    // The writer's view: group commits of `clients` requests, write then flush.
    use spanlens::store::{IngestBatch, SledOptions, SledStore, TraceStore};
    let dir = tempfile::tempdir()?;
    let store = SledStore::open(dir.path(), &SledOptions::default())?;
    let (mut write, mut flush, mut spans, mut seq) = (Duration::ZERO, Duration::ZERO, 0usize, 0u64);
    let start = Instant::now();
    while start.elapsed().as_secs() < args.seconds {
        let mut batch = IngestBatch::default();
        for _ in 0..args.clients {
            let req = payload::request(nonce, 1_000 + seq, args.batch, now_ns());
            seq += 1;
            batch
                .spans
                .extend(spanlens::normalize::normalize_traces(&req, &prices).spans);
        }
        let t = Instant::now();
        spans += store.write(&batch)?.new_spans as usize;
        let t2 = Instant::now();
        store.flush()?;
        write += t2 - t;
        flush += t2.elapsed();
    }
    let commits = seq as f64 / args.clients as f64;
    println!(
        "store ({} spans/commit): write {:.0} spans/s ({:.1} ms/commit), flush {:.0} spans/s ({:.1} ms/commit), write+flush {:.0} spans/s",
        args.clients * args.batch,
        spans as f64 / write.as_secs_f64(),
        write.as_secs_f64() * 1e3 / commits,
        spans as f64 / flush.as_secs_f64(),
        flush.as_secs_f64() * 1e3 / commits,
        spans as f64 / (write + flush).as_secs_f64()
    );
    println!(
        "store on disk: {} bytes for {spans} spans = {} bytes/span",
        store.size_on_disk()?,
        store.size_on_disk()? / spans.max(1) as u64
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Arc::new(Args::parse());
    if args.decode_only || args.stages {
        let a = args.clone();
        return tokio::task::spawn_blocking(move || in_process(&a)).await?;
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
