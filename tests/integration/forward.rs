//! `--forward`: a sender → spanlens (forwarding) → a second receiver; every span
//! reaches both, over gRPC and over HTTP; a dead downstream never slows ingest and
//! its drops are counted.

use std::time::{Duration, Instant};

use serde_json::Value;
use spanlens::forward::{ForwardOptions, ForwardTarget, RetryPolicy};
use spanlens::server::ServeOptions;

use crate::support::{TestServer, fixture_files, post};

/// Sends every fixture folder (protobuf: traces and logs) to `srv` over HTTP;
/// returns the number of requests.
async fn send_fixtures(srv: &TestServer) -> usize {
    let mut n = 0;
    for folder in ["openinference", "openai-v2", "openai-v2-events", "plain"] {
        for f in fixture_files(folder, "pb") {
            let path = if f.to_string_lossy().contains("logs") {
                "/v1/logs"
            } else {
                "/v1/traces"
            };
            let (status, _, _) = post(
                srv.http_url(path),
                "application/x-protobuf",
                &[],
                std::fs::read(&f).unwrap(),
            )
            .await;
            assert_eq!(status, 200, "{}", f.display());
            n += 1;
        }
    }
    n
}

fn span_total(traces: &[Value]) -> u64 {
    traces
        .iter()
        .map(|t| t["span_count"].as_u64().unwrap())
        .sum()
}

async fn wait_for<F: AsyncFnMut() -> bool>(mut done: F, what: &str) {
    let start = Instant::now();
    while !done().await {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn tee_delivers_everything(url: impl Fn(&TestServer) -> String) {
    let downstream = TestServer::start().await;
    let target = ForwardTarget::parse(&url(&downstream)).unwrap();
    let opts = ForwardOptions::new(target);
    let stats = opts.stats.clone();
    let tee = TestServer::start_with(ServeOptions {
        forward: Some(opts),
        ..Default::default()
    })
    .await;
    let requests = send_fixtures(&tee).await as u64;

    let expected = span_total(&tee.traces().await);
    assert!(expected > 30, "fixtures hold {expected} spans");
    wait_for(
        async || span_total(&downstream.traces().await) == expected,
        "every span at the downstream",
    )
    .await;
    // The spans can all be there while the last request (logs only) is still on its
    // way: wait for the sender to count every request before reading the counters.
    wait_for(
        async || tee.stats().await["forward"]["sent_requests"] == requests,
        "every request counted as sent",
    )
    .await;
    // The same traces, spans and numbers on both sides.
    assert_eq!(tee.traces().await, downstream.traces().await);
    let mut tee_stats = tee.stats().await;
    let forward = tee_stats
        .as_object_mut()
        .unwrap()
        .remove("forward")
        .unwrap();
    assert_eq!(tee_stats, downstream.stats().await);
    for t in tee.traces().await {
        let id = t["trace_id"].as_str().unwrap();
        assert_eq!(tee.trace(id).await, downstream.trace(id).await, "{id}");
    }
    // The counters say so too.
    assert_eq!(forward["sent_requests"], requests, "{forward:#}");
    assert_eq!(forward["sent_spans"], expected);
    assert_eq!(forward["dropped_requests"], 0);
    assert_eq!(stats.sent_spans(), expected);
    assert!(forward["sent_logs"].as_u64().unwrap() > 0);
    tee.stop().await;
    downstream.stop().await;
}

#[tokio::test]
async fn forwarding_over_grpc_delivers_every_span_to_both() {
    tee_delivers_everything(|d| format!("grpc://{}", d.grpc)).await;
}

#[tokio::test]
async fn forwarding_over_http_delivers_every_span_to_both() {
    tee_delivers_everything(|d| d.http_url("/v1/traces")).await;
}

#[tokio::test]
async fn a_dead_downstream_never_slows_ingest_and_drops_are_counted() {
    // A port nobody listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = dead.local_addr().unwrap();
    drop(dead);
    let mut opts = ForwardOptions::new(ForwardTarget::parse(&format!("grpc://{addr}")).unwrap());
    opts.queue_len = 2;
    opts.retry = RetryPolicy {
        attempts: 3,
        first_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(200),
        timeout: Duration::from_secs(2),
    };
    let tee = TestServer::start_with(ServeOptions {
        forward: Some(opts),
        ..Default::default()
    })
    .await;
    let started = Instant::now();
    let requests = send_fixtures(&tee).await as u64;
    let took = started.elapsed();
    // Ingest is as fast as without forwarding: a retry cycle alone takes 300 ms.
    assert!(took < Duration::from_secs(3), "ingest took {took:?}");
    assert!(span_total(&tee.traces().await) > 30, "everything stored");

    // The queue overflowed at once; the rest fail after their retries.
    let first = tee.stats().await["forward"].clone();
    assert!(
        first["dropped_queue_full"].as_u64().unwrap() > 0,
        "{first:#}"
    );
    wait_for(
        async || tee.stats().await["forward"]["dropped_requests"] == requests,
        "every request accounted as dropped",
    )
    .await;
    let fwd = tee.stats().await["forward"].clone();
    assert_eq!(fwd["sent_requests"], 0);
    assert_eq!(fwd["queued"], 0);
    assert!(fwd["dropped_after_retries"].as_u64().unwrap() >= 1);
    assert!(fwd["retries"].as_u64().unwrap() >= 2, "{fwd:#}");
    assert_eq!(
        fwd["dropped_spans"].as_u64().unwrap(),
        span_total(&tee.traces().await)
    );
    assert!(fwd["last_error"].as_str().unwrap().contains("Unavailable"));
    tee.stop().await;
}

#[tokio::test]
async fn what_is_forwarded_is_redacted_like_what_is_stored() {
    let downstream = TestServer::start().await;
    let target = ForwardTarget::parse(&format!("grpc://{}", downstream.grpc)).unwrap();
    let tee = TestServer::start_with(ServeOptions {
        forward: Some(ForwardOptions::new(target)),
        ..Default::default()
    })
    .await;
    let secret = "sk-proj-Qw8f3kQ9mW2pL7vN4tR6yB1cD5hJ0aSe";
    let body = serde_json::json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "fw"}}]},
        "scopeSpans": [{"scope": {"name": "t"}, "spans": [{
            "traceId": "5b8efff798038103d269b633813fc6aa", "spanId": "0102030405060708",
            "name": "chat", "kind": 3,
            "startTimeUnixNano": "1764268201000000000", "endTimeUnixNano": "1764268202000000000",
            "attributes": [{"key": "app.note", "value": {"stringValue": format!("key {secret}")}}]
        }]}]
    }]});
    let (status, _, _) = post(
        tee.http_url("/v1/traces"),
        "application/json",
        &[],
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    wait_for(
        async || !downstream.traces().await.is_empty(),
        "the span at the downstream",
    )
    .await;
    let there = downstream.trace("5b8efff798038103d269b633813fc6aa").await;
    assert!(!there.to_string().contains(secret), "{there}");
    assert_eq!(
        there["spans"][0]["attributes"]["app.note"],
        "key [REDACTED:openai_key]"
    );
    tee.stop().await;
    downstream.stop().await;
}
