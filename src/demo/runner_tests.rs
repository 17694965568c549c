//! Tests of the effectful shell: progress lines, endpoint resolution, argument
//! errors, and an end-to-end run of `--count 5` against an in-process receiver.

use std::sync::Arc;

use tokio::net::TcpListener;

use super::*;
use crate::ingest::Token;
use crate::pricing::PriceTable;
use crate::server::ServeOptions;
use crate::store::{MemoryStore, TraceQuery, TraceStore};

fn build(scenario: Scenario, seed: u64) -> DemoTrace {
    build_trace(
        scenario,
        &mut DemoRng::seeded(seed),
        1_760_000_000_000_000_000,
    )
}

#[test]
fn progress_line_is_short_and_counts_errors() {
    let t = build(Scenario::RateLimited, 0);
    let line = progress_line(&t);
    assert!(line.starts_with("sent trace "));
    assert!(line.contains("summarize (batch-summarizer, "), "{line}");
    assert!(line.contains(" error"), "{line}");
    let mut odd = t.clone();
    odd.root_name = "evil\x1b]0;title\x07".into();
    assert!(!progress_line(&odd).contains('\x1b'));
}

#[test]
fn endpoint_resolution() {
    let args = |e: Option<&str>| DemoArgs {
        endpoint: e.map(str::to_string),
        count: None,
        rate: 2.0,
        seed: None,
    };
    let lock = OwnerLock {
        pid: 1,
        api_url: "http://127.0.0.1:4318".into(),
        grpc_addrs: vec!["[::1]:5317".into(), "0.0.0.0:5317".into()],
        http_addrs: vec![],
        started_unix_nano: 0,
        read_secret: None,
    };
    assert_eq!(resolve_endpoint(&args(None), None), DEFAULT_ENDPOINT);
    assert_eq!(
        resolve_endpoint(&args(None), Some(&lock)),
        "http://127.0.0.1:5317"
    );
    assert_eq!(
        resolve_endpoint(&args(Some("10.0.0.2:4317")), Some(&lock)),
        "http://10.0.0.2:4317"
    );
    let v6 = OwnerLock {
        grpc_addrs: vec!["[::1]:4317".into()],
        ..lock
    };
    assert_eq!(
        resolve_endpoint(&args(None), Some(&v6)),
        "http://[::1]:4317"
    );
}

#[tokio::test]
async fn bad_rate_and_unreachable_endpoint_are_errors() {
    let args = DemoArgs {
        endpoint: None,
        count: Some(1),
        rate: 0.0,
        seed: None,
    };
    let r = run_until(&args, "http://127.0.0.1:1", None, std::future::pending()).await;
    assert!(matches!(r, Err(DemoError::InvalidRate(_))));
    let args = DemoArgs { rate: 5.0, ..args };
    // Port 1 on loopback: nothing listens.
    let r = run_until(&args, "127.0.0.1:1", None, std::future::pending()).await;
    assert!(matches!(r, Err(DemoError::Connect { .. })), "{r:?}");
}

/// An in-process receiver over a memory store on an ephemeral loopback port.
struct TestServer {
    endpoint: String,
    store: Arc<MemoryStore>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    async fn start(opts: ServeOptions) -> TestServer {
        let store = Arc::new(MemoryStore::new());
        let grpc = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", grpc.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server_store: Arc<dyn TraceStore> = store.clone();
        let task = tokio::spawn(async move {
            crate::server::run(
                server_store,
                Arc::new(PriceTable::builtin()),
                vec![grpc],
                vec![http],
                opts,
                async {
                    let _ = stopped.await;
                },
            )
            .await
            .unwrap();
        });
        TestServer {
            endpoint,
            store,
            stop,
            task,
        }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}

fn count(n: u64) -> DemoArgs {
    DemoArgs {
        endpoint: None,
        count: Some(n),
        rate: 50.0,
        seed: Some(3),
    }
}

#[tokio::test]
async fn sends_count_traces_to_a_running_receiver() {
    let server = TestServer::start(ServeOptions::default()).await;
    let summary = run_until(&count(5), &server.endpoint, None, std::future::pending())
        .await
        .unwrap();
    assert_eq!(summary.traces, 5);
    assert!(summary.spans >= 10);

    let listed = server
        .store
        .list_traces(&TraceQuery {
            limit: Some(100),
            ..Default::default()
        })
        .unwrap();
    assert!(listed.len() >= 5, "{} traces stored", listed.len());
    let spans: u64 = listed.iter().map(|t| t.span_count).sum();
    assert_eq!(spans, summary.spans);
    server.stop().await;
}

#[tokio::test]
async fn sends_the_bearer_token_and_reports_a_refused_one() {
    let opts = ServeOptions {
        token: Some(Token::new("demo-token")),
        ..ServeOptions::default()
    };
    let server = TestServer::start(opts).await;
    let r = run_until(&count(1), &server.endpoint, None, std::future::pending()).await;
    assert!(matches!(r, Err(DemoError::Unauthenticated { .. })), "{r:?}");
    let r = run_until(
        &count(1),
        &server.endpoint,
        Some("wrong"),
        std::future::pending(),
    )
    .await;
    assert!(matches!(r, Err(DemoError::Unauthenticated { .. })), "{r:?}");
    let ok = run_until(
        &count(2),
        &server.endpoint,
        Some("demo-token"),
        std::future::pending(),
    )
    .await
    .unwrap();
    assert_eq!(ok.traces, 2);
    server.stop().await;
}

#[tokio::test]
async fn stops_when_told_to() {
    let server = TestServer::start(ServeOptions::default()).await;
    let args = DemoArgs {
        count: None,
        rate: 1.0,
        ..count(0)
    };
    let stop = tokio::time::sleep(std::time::Duration::from_millis(300));
    let summary = run_until(&args, &server.endpoint, None, stop)
        .await
        .unwrap();
    assert_eq!(
        summary.traces, 1,
        "the first trace goes at once, the next after 1 s"
    );
    server.stop().await;
}
