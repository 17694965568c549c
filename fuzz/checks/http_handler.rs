//! The OTLP/HTTP handler: bytes × path × content type × encoding. Every answer is
//! one the OTLP specification allows, and nothing panics.
//! Shared by the cargo-fuzz target and the replay test (`tests/integration/fuzz_replay.rs`).
use std::sync::{Arc, LazyLock};

use axum::body::Body;
use spanlens::ingest::Ingestor;
use spanlens::ingest::http::{OtlpHttpState, routes};
use spanlens::pricing::PriceTable;
use spanlens::store::{MemoryStore, TraceStore, Writer};
use tower::ServiceExt;

struct Harness {
    rt: tokio::runtime::Runtime,
    app: axum::Router,
}

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let store: Arc<dyn TraceStore> = Arc::new(MemoryStore::new());
    let app = rt.block_on(async {
        let (writer, handle) = Writer::spawn(store, 64);
        std::mem::forget(writer);
        routes(OtlpHttpState {
            ingestor: Ingestor::new(handle, Arc::new(PriceTable::builtin())),
            token: None,
            max_request_bytes: 1 << 20,
        })
    });
    Harness { rt, app }
});

const PATHS: [&str; 4] = ["/v1/traces", "/v1/logs", "/v1/metrics", "/v1/nope"];
const TYPES: [&str; 4] = [
    "application/x-protobuf",
    "application/json",
    "text/plain",
    "application/json; charset=utf-8",
];

/// Runs one input; panics on a finding.
pub fn check(data: &[u8]) {
    let [sel, rest @ ..] = data else {
        return;
    };
    let path = PATHS[(sel & 3) as usize];
    let ctype = TYPES[((sel >> 2) & 3) as usize];
    let encoding = (sel >> 4) & 3;
    let body = match encoding {
        1 => {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(rest).unwrap();
            e.finish().unwrap()
        }
        _ => rest.to_vec(),
    };
    let mut req = axum::http::Request::post(path).header("content-type", ctype);
    match encoding {
        1 => req = req.header("content-encoding", "gzip"),
        2 => req = req.header("content-encoding", "gzip"), // not actually gzip
        3 => req = req.header("content-encoding", "br"),
        _ => {}
    }
    let req = req.body(Body::from(body)).unwrap();
    let h = &*HARNESS;
    let status =
        h.rt.block_on(h.app.clone().oneshot(req))
            .unwrap()
            .status()
            .as_u16();
    assert!(
        matches!(status, 200 | 400 | 404 | 405 | 413 | 415 | 503),
        "unexpected status {status}"
    );
}
