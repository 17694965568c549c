//! Persistence: a restart keeps everything, and SIGKILL right after acknowledged
//! exports loses none of them (the real binary, a real process kill).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use spanlens::data_dir::OwnerLock;
use spanlens::server::ServeOptions;

use crate::support::{TestServer, fixture_files, post};

#[tokio::test]
async fn a_restart_keeps_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = TestServer::start_in(tmp.path(), ServeOptions::default()).await;
    for f in fixture_files("openinference", "pb") {
        post(
            srv.http_url("/v1/traces"),
            "application/x-protobuf",
            &[],
            std::fs::read(f).unwrap(),
        )
        .await;
    }
    let traces = srv.traces().await;
    let stats = srv.stats().await;
    srv.stop().await;
    let srv = TestServer::start_in(tmp.path(), ServeOptions::default()).await;
    assert_eq!(srv.traces().await, traces);
    assert_eq!(srv.stats().await, stats);
    srv.stop().await;
}

pub fn spanlens() -> Command {
    Command::new(env!("CARGO_BIN_EXE_spanlens"))
}

/// A child `spanlens` killed when the test ends, even by a panic.
pub struct Served(pub Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl std::ops::Deref for Served {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Served {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

/// Starts `spanlens serve` on ephemeral ports; returns the child, its HTTP address
/// and its stderr lines so far (collected on a thread).
#[allow(clippy::zombie_processes)] // wrapped in `Served`, which kills and waits
pub fn start_serve(dir: &Path) -> (Served, String, std::sync::mpsc::Receiver<String>) {
    start_serve_with(dir, &[])
}

/// `start_serve` with extra flags.
#[allow(clippy::zombie_processes)] // wrapped in `Served`, which kills and waits
pub fn start_serve_with(
    dir: &Path,
    extra: &[&str],
) -> (Served, String, std::sync::mpsc::Receiver<String>) {
    let mut child = spanlens()
        .args([
            "serve",
            "--grpc-addr",
            "127.0.0.1:0",
            "--http-addr",
            "127.0.0.1:0",
        ])
        .args(extra)
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let pid = child.id();
        if let Some(http) = OwnerLock::read(dir)
            .filter(|l| l.pid == pid)
            .and_then(|l| l.http_addrs.first().cloned())
        {
            return (Served(child), http, rx);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("spanlens serve did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn cli_json(dir: &Path, args: &[&str]) -> Value {
    let out = spanlens()
        .args(args)
        .arg("--json")
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_acknowledged_exports_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, http, _log) = start_serve(tmp.path());
    let url = format!("http://{http}/v1/traces");
    let mut acknowledged = 0;
    for f in fixture_files("openai-v2", "pb") {
        let (status, _, _) = post(
            &url,
            "application/x-protobuf",
            &[],
            std::fs::read(f).unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        acknowledged += 1;
    }
    child.kill().unwrap(); // SIGKILL: no shutdown path runs.
    child.wait().unwrap();

    // With no owner alive, the CLI reads the store directly.
    let stats = cli_json(tmp.path(), &["stats"]);
    assert_eq!(stats["spans"], acknowledged, "{stats:#}");
    assert_eq!(stats["input_tokens"], 142);

    // A new owner recovers the stale lock and serves the same data.
    let (mut child, _, log) = start_serve(tmp.path());
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !lines.iter().any(|l: &String| l.contains("stale lock")) && Instant::now() < deadline {
        if let Ok(l) = log.recv_timeout(Duration::from_millis(200)) {
            lines.push(l);
        }
    }
    assert!(lines.iter().any(|l| l.contains("stale lock")), "{lines:#?}");
    let via_api = cli_json(tmp.path(), &["stats"]);
    assert_eq!(via_api, stats);
    child.kill().unwrap();
    child.wait().unwrap();
}
