//! The load tool's in-process ceilings on the same payload: prost decode on 1 and N
//! threads, then (with `--stages`) decode + normalize, postcard encode and a sled group
//! commit, with where the stored bytes go.

use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

use crate::{Args, now_ns, payload};

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

pub fn in_process(args: &Args) -> anyhow::Result<()> {
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
