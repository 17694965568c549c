//! The crash harness: load on the real `spanlens serve`, SIGKILL at random moments,
//! restart, repeat; then every acknowledged span must be in the store and the store
//! must have opened after every kill. CI runs 3 kills; the recorded run in
//! docs/RELIABILITY.md sets `SPANLENS_CRASH_KILLS` (and `SPANLENS_CRASH_SEED`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::durability::start_serve_with;
use spanlens::store::{SledOptions, SledStore, TraceStore};

const SPANS_PER_REQUEST: usize = 20;
const SENDERS: usize = 4;

/// xorshift: reproducible kill moments from a seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn request(trace: u128, now: u64) -> String {
    let spans: Vec<_> = (0..SPANS_PER_REQUEST)
        .map(|i| {
            json!({
                "traceId": format!("{trace:032x}"),
                "spanId": format!("{:016x}", i + 1),
                "parentSpanId": if i == 0 { String::new() } else { format!("{:016x}", 1) },
                "name": if i == 0 { "agent.run" } else { "chat gpt-4o-mini" },
                "kind": 3,
                "startTimeUnixNano": (now + i as u64).to_string(),
                "endTimeUnixNano": (now + 1_000_000 + i as u64).to_string(),
                "attributes": [
                    {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                    {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
                    {"key": "gen_ai.usage.input_tokens", "value": {"intValue": 100}},
                    {"key": "gen_ai.usage.output_tokens", "value": {"intValue": 20}}
                ]
            })
        })
        .collect();
    json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "crash"}}]},
        "scopeSpans": [{"scope": {"name": "crash"}, "spans": spans}]
    }]})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_nothing_acknowledged() {
    let kills: usize = std::env::var("SPANLENS_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let seed: u64 = std::env::var("SPANLENS_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_cafe);
    let mut rng = Rng(seed | 1);
    let tmp = tempfile::tempdir().unwrap();
    let acked: Arc<Mutex<HashSet<u128>>> = Arc::default();
    let next_trace = Arc::new(std::sync::atomic::AtomicU64::new(1));
    let client = reqwest::Client::new();
    let started = Instant::now();
    for round in 0..kills {
        let (mut child, http, _err) = start_serve_with(tmp.path(), &[]);
        let url = format!("http://{http}/v1/traces");
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut senders = Vec::new();
        for _ in 0..SENDERS {
            let (url, client, acked, next, stop) = (
                url.clone(),
                client.clone(),
                acked.clone(),
                next_trace.clone(),
                stop.clone(),
            );
            senders.push(tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let trace = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as u128
                        | (0xc0de_u128 << 112);
                    let body = request(trace, spanlens::util::now_unix_nano());
                    let res = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status() == 200 => {
                            acked.lock().unwrap().insert(trace);
                        }
                        Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                        Err(_) => break, // the server died under us
                    }
                }
            }));
        }
        // Kill at a random moment between 100 ms and 1.5 s into the load.
        let wait = 100 + rng.next() % 1400;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        child.0.kill().unwrap();
        child.0.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for s in senders {
            let _ = s.await;
        }
        eprintln!(
            "round {}/{kills}: killed after {wait} ms, {} traces acknowledged so far",
            round + 1,
            acked.lock().unwrap().len()
        );
    }
    // The store opens after the last kill, and holds every acknowledged span.
    let store = SledStore::open(&tmp.path().join("store"), &SledOptions::default())
        .expect("the store opens after a SIGKILL");
    let acked = acked.lock().unwrap();
    assert!(!acked.is_empty(), "the load never got an acknowledgement");
    let mut missing = Vec::new();
    for trace in acked.iter() {
        let id = spanlens::model::TraceId(trace.to_be_bytes());
        let n = store.trace_spans(id).unwrap().len();
        if n != SPANS_PER_REQUEST {
            missing.push((format!("{trace:032x}"), n));
        }
    }
    eprintln!(
        "{kills} kills, {} acknowledged traces ({} spans) checked in {:.1}s",
        acked.len(),
        acked.len() * SPANS_PER_REQUEST,
        started.elapsed().as_secs_f64()
    );
    assert!(missing.is_empty(), "acknowledged but missing: {missing:?}");
}
