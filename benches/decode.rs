//! Ingest stages on the load tool's payload (512 spans of ~1 KB GenAI spans per
//! request, see `examples/load/`): prost decode (the ceiling), normalize,
//! postcard encode of the normalized spans, and a sled group commit (write +
//! flush) of fresh spans. Throughput is in spans. `cargo bench --bench decode`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use spanlens::normalize::normalize_traces;
use spanlens::pricing::PriceTable;
use spanlens::store::{IngestBatch, SledOptions, SledStore, TraceStore};

#[path = "../examples/load/payload.rs"]
mod payload;

const BATCH: usize = 512;

fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

fn stages(c: &mut Criterion) {
    let nonce = payload::mix(now_ns());
    let req = payload::request(nonce, 0, BATCH, now_ns());
    let body = req.encode_to_vec();
    let prices = PriceTable::builtin();
    let spans = normalize_traces(&req, &prices).spans;

    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("prost_decode", |b| {
        b.iter(|| ExportTraceServiceRequest::decode(black_box(&body[..])).expect("decodes"))
    });
    g.bench_function("normalize", |b| {
        b.iter(|| normalize_traces(black_box(&req), &prices))
    });
    g.bench_function("postcard_encode", |b| {
        b.iter(|| {
            black_box(&spans)
                .iter()
                .map(|s| postcard::to_allocvec(s).map_or(0, |v| v.len()))
                .sum::<usize>()
        })
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let store = SledStore::open(dir.path(), &SledOptions::default()).expect("store opens");
    let mut seq = 1u64;
    g.sample_size(20);
    g.bench_function("sled_write_flush", |b| {
        b.iter_batched(
            || {
                seq += 1;
                let req = payload::request(nonce, seq, BATCH, now_ns());
                IngestBatch {
                    spans: normalize_traces(&req, &prices).spans,
                    ..Default::default()
                }
            },
            |batch| {
                store.write(&batch).expect("write");
                store.flush().expect("flush");
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
