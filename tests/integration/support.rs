//! Test harness: an in-process server on ephemeral loopback ports over a sled store
//! in a temp dir, plus small helpers to reach it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use serde_json::Value;
use spanlens::ingest::Token;
use spanlens::model::{LogRecord, Span, TraceId, TraceSummary};
use spanlens::pricing::PriceTable;
use spanlens::server::{self, ServeOptions};
use spanlens::store::{
    IngestBatch, MemoryStore, SledOptions, SledStore, Stats, StoreError, TraceQuery, TraceStore,
    WriteOutcome,
};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestServer {
    pub grpc: SocketAddr,
    pub http: SocketAddr,
    /// What the query API requires: the `--token`, else a read secret generated at
    /// start as `spanlens serve` does (sent by `api`, `api_client`).
    pub secret: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    _tmp: Option<tempfile::TempDir>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(ServeOptions::default()).await
    }

    pub async fn start_with(opts: ServeOptions) -> TestServer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let mut s = Self::start_in(&dir, opts).await;
        s._tmp = Some(tmp);
        s
    }

    /// Starts on an existing data dir (for restarts).
    pub async fn start_in(dir: &Path, opts: ServeOptions) -> TestServer {
        let store: Arc<dyn TraceStore> =
            Arc::new(SledStore::open(&dir.join("store"), &SledOptions::default()).unwrap());
        Self::start_store(store, opts).await
    }

    /// Starts over a given store (e.g. one that can be made to stall).
    /// A server over a `GatedStore` (writes wait until the gate opens).
    pub async fn start_gated(opts: ServeOptions) -> (Arc<GatedStore>, TestServer) {
        let gate = GatedStore::new();
        let srv = Self::start_on_store(gate.clone() as Arc<dyn TraceStore>, opts).await;
        (gate, srv)
    }

    pub async fn start_on_store(store: Arc<dyn TraceStore>, opts: ServeOptions) -> TestServer {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = Self::start_store(store, opts).await;
        s._tmp = Some(tmp);
        s
    }

    async fn start_store(store: Arc<dyn TraceStore>, mut opts: ServeOptions) -> TestServer {
        if opts.token.is_none() && opts.read_secret.is_none() {
            opts.read_secret = Some(Token::new(spanlens::read_secret::generate().unwrap()));
        }
        let secret = opts
            .token
            .as_ref()
            .or(opts.read_secret.as_ref())
            .map(|t| t.reveal().to_string())
            .unwrap_or_default();
        let grpc_l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let http_l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let grpc = grpc_l.local_addr().unwrap();
        let http = http_l.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server::run(
                store,
                Arc::new(PriceTable::builtin()),
                vec![grpc_l],
                vec![http_l],
                opts,
                async {
                    let _ = stopped.await;
                },
            )
            .await
            .unwrap();
        });
        TestServer {
            grpc,
            http,
            secret,
            stop: Some(stop),
            task: Some(task),
            _tmp: None,
        }
    }

    /// Stops the server and waits until the store is closed. Returns the temp dir
    /// (if it owns one) so a restart can reuse it.
    pub async fn stop(mut self) -> Option<tempfile::TempDir> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap();
        }
        self._tmp.take()
    }

    pub fn http_url(&self, path: &str) -> String {
        format!("http://{}{}", self.http, path)
    }

    pub fn grpc_url(&self) -> String {
        format!("http://{}", self.grpc)
    }

    /// GET a query API path as JSON, with the secret (panics on a non-200).
    pub async fn api(&self, path: &str) -> Value {
        let res = bearer_get(&self.http_url(path), Some(&self.secret)).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.unwrap()
    }

    /// The CLI's API client for this server, holding the secret.
    pub fn api_client(&self) -> spanlens::api::ApiClient {
        spanlens::api::ApiClient::new(&self.http_url(""), Some(self.secret.clone()))
    }

    pub async fn traces(&self) -> Vec<Value> {
        self.api("/api/v1/traces?limit=1000")
            .await
            .as_array()
            .unwrap()
            .clone()
    }

    pub async fn trace(&self, id: &str) -> Value {
        self.api(&format!("/api/v1/traces/{id}")).await
    }

    pub async fn stats(&self) -> Value {
        self.api("/api/v1/stats").await
    }
}

/// GET `url` with `Authorization: Bearer <secret>` when one is given.
pub async fn bearer_get(url: &str, secret: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(url);
    if let Some(s) = secret {
        req = req.bearer_auth(s);
    }
    req.send().await.unwrap()
}

/// GET an API URL of the real `spanlens` owning `dir`, with the read secret of its
/// lock file, as a local client of the same user does: (status, body).
pub async fn owner_get(dir: &Path, url: &str) -> (u16, String) {
    let secret = spanlens::data_dir::OwnerLock::read(dir).and_then(|l| l.read_secret);
    let res = bearer_get(url, secret.as_deref()).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixture files of one folder, in export order, with the given extension.
pub fn fixture_files(folder: &str, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir().join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// POSTs a body to an OTLP/HTTP path; returns (status, headers, body bytes).
pub async fn post(
    url: impl AsRef<str>,
    content_type: &str,
    extra: &[(&str, &str)],
    body: Vec<u8>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let client = reqwest::Client::new();
    let mut req = client
        .post(url.as_ref())
        .header("content-type", content_type)
        .body(body);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.bytes().await.unwrap().to_vec())
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A memory store whose writes stall until `open` — to fill the write queue.
pub struct GatedStore {
    inner: MemoryStore,
    open: Mutex<bool>,
    cv: Condvar,
    writing: AtomicBool,
}

impl GatedStore {
    pub fn new() -> Arc<GatedStore> {
        Arc::new(GatedStore {
            inner: MemoryStore::new(),
            open: Mutex::new(false),
            cv: Condvar::new(),
            writing: AtomicBool::new(false),
        })
    }

    pub fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }

    pub async fn wait_until_writing(&self) {
        for _ in 0..500 {
            if self.writing.load(Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the writer never started writing");
    }
}

impl TraceStore for GatedStore {
    fn write(&self, batch: &IngestBatch) -> Result<WriteOutcome, StoreError> {
        self.writing.store(true, Ordering::SeqCst);
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.cv.wait(open).unwrap();
        }
        drop(open);
        self.inner.write(batch)
    }
    fn flush(&self) -> Result<(), StoreError> {
        self.inner.flush()
    }
    fn list_traces(&self, q: &TraceQuery) -> Result<Vec<TraceSummary>, StoreError> {
        self.inner.list_traces(q)
    }
    fn trace_summary(&self, id: TraceId) -> Result<Option<TraceSummary>, StoreError> {
        self.inner.trace_summary(id)
    }
    fn trace_spans(&self, id: TraceId) -> Result<Vec<Span>, StoreError> {
        self.inner.trace_spans(id)
    }
    fn trace_logs(&self, id: TraceId) -> Result<Vec<LogRecord>, StoreError> {
        self.inner.trace_logs(id)
    }
    fn stats(&self, since: Option<u64>) -> Result<Stats, StoreError> {
        self.inner.stats(since)
    }
    fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.inner.size_on_disk()
    }
    fn evict(
        &self,
        policy: &spanlens::store::RetentionPolicy,
        now: u64,
    ) -> Result<spanlens::store::Evicted, StoreError> {
        self.inner.evict(policy, now)
    }

    fn cost_data(
        &self,
        read_from: Option<u64>,
        window_since: Option<u64>,
    ) -> Result<spanlens::store::CostData, StoreError> {
        self.inner.cost_data(read_from, window_since)
    }

    fn eval_records(
        &self,
        since: Option<u64>,
        limit: usize,
    ) -> Result<Vec<spanlens::evals::EvalRecord>, StoreError> {
        self.inner.eval_records(since, limit)
    }
}

/// Runs the real `spanlens` with `args` on a data dir: (success, stdout, stderr).
pub fn run_cli(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = crate::durability::spanlens()
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs a query command with `--json` and parses its output (it must succeed).
pub fn cli_json(dir: &std::path::Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let (ok, out, err) = run_cli(dir, &a);
    assert!(ok, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}
