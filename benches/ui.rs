//! UI speed with many spans stored: the trace list's frame (load the list window from
//! the store + draw at 120x40) with 10k and 1M spans stored, the first frame of a
//! fresh process over the 1M-span store, and opening a 10,000-span trace (load from
//! the store + build the tree + draw).
//!
//! `cargo bench --bench ui` — builds the stores once under target/bench-stores
//! (the 1M-span store takes a few minutes on 2 cores), then measures.
//! `SPANLENS_BENCH_SPANS=10000` limits it to the small store (quick runs).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use spanlens::model::{
    AttrValue, Attributes, LlmFacet, LlmKind, Span, SpanId, SpanKind, Status, TraceId,
};
use spanlens::pricing::PriceTable;
use spanlens::query::{LocalSource, trace_detail};
use spanlens::store::{IngestBatch, SledOptions, SledStore, TraceStore};
use spanlens::ui::source::UiSource;
use spanlens::ui::theme::{ColorMode, Theme};
use spanlens::ui::{Action, App, Effect, SourceInfo, views};

const SPANS_PER_TRACE: usize = 10;
const BIG_TRACE_SPANS: usize = 10_000;

fn span(trace: u64, i: usize, parent: Option<usize>, t0: u64) -> Span {
    let mut tid = [0u8; 16];
    tid[..8].copy_from_slice(&trace.to_be_bytes());
    tid[15] = 1;
    let sid = |n: usize| {
        let mut s = [0u8; 8];
        s[..4].copy_from_slice(&(n as u32 + 1).to_be_bytes());
        s[7] = 1;
        SpanId(s)
    };
    let model_call = i % 3 == 1;
    let mut attributes = Attributes::new();
    attributes.insert(
        "gen_ai.operation.name".into(),
        AttrValue::Str("chat".into()),
    );
    Span {
        trace_id: TraceId(tid),
        span_id: sid(i),
        parent_span_id: parent.map(sid),
        name: if model_call {
            "chat gpt-4o-mini".into()
        } else {
            format!("step {i}")
        },
        service: format!("svc-{}", trace % 7),
        kind: SpanKind::Internal,
        start_unix_nano: t0 + i as u64 * 1_000_000,
        end_unix_nano: t0 + i as u64 * 1_000_000 + 800_000,
        status: Status::default(),
        attributes,
        resource: Attributes::new(),
        scope: "bench".into(),
        events: vec![],
        session: Some(format!("sess-{}", trace % 100)),
        project: None,
        llm: model_call.then(|| {
            let mut f = LlmFacet::new(LlmKind::Chat);
            f.request_model = Some("gpt-4o-mini".into());
            f.input_tokens = Some(420);
            f.output_tokens = Some(170);
            f.cost_usd = Some(0.000165);
            f
        }),
    }
}

/// Opens (building on first use) a store holding `spans` spans in 10-span traces
/// plus one 10,000-span trace (trace number 0).
fn store_with(spans: usize) -> (SledStore, PathBuf) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-stores")
        .join(format!("spans-{spans}"));
    let ready = dir.join("ready");
    if !ready.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let store = SledStore::open(&dir, &SledOptions::default()).unwrap();
        let started = Instant::now();
        let t0 = 1_764_000_000_000_000_000u64;
        let big: Vec<Span> = (0..BIG_TRACE_SPANS)
            .map(|i| span(0, i, (i > 0).then(|| (i - 1) / 4), t0))
            .collect();
        store
            .write(&IngestBatch {
                spans: big,
                ..Default::default()
            })
            .unwrap();
        let traces = (spans / SPANS_PER_TRACE) as u64;
        let mut batch = Vec::with_capacity(50_000);
        for t in 1..=traces {
            let start = t0 + t * 50_000_000;
            for i in 0..SPANS_PER_TRACE {
                batch.push(span(t, i, (i > 0).then_some(0), start));
            }
            if batch.len() >= 50_000 {
                store
                    .write(&IngestBatch {
                        spans: std::mem::take(&mut batch),
                        ..Default::default()
                    })
                    .unwrap();
            }
        }
        store
            .write(&IngestBatch {
                spans: batch,
                ..Default::default()
            })
            .unwrap();
        store.flush().unwrap();
        std::fs::write(&ready, b"").unwrap();
        eprintln!("built a {spans}-span store in {:.1?}", started.elapsed());
    }
    (SledStore::open(&dir, &SledOptions::default()).unwrap(), dir)
}

fn theme() -> Theme {
    Theme::new(ColorMode::Full)
}

/// One live-update frame: reload the list window from the store, then draw.
fn list_frame(source: &LocalSource, app: &mut App, term: &mut Terminal<TestBackend>) {
    let traces = source.list(&app.list_query()).unwrap();
    app.update(Action::TracesLoaded(traces));
    term.draw(|f| views::draw(f, app, &theme())).unwrap();
}

fn bench(c: &mut Criterion) {
    let sizes: Vec<usize> = match std::env::var("SPANLENS_BENCH_SPANS") {
        Ok(v) => v.split(',').filter_map(|s| s.parse().ok()).collect(),
        Err(_) => vec![10_000, 1_000_000],
    };
    let prices = Arc::new(PriceTable::builtin());
    for spans in sizes {
        let (store, _) = store_with(spans);
        let store: Arc<dyn TraceStore> = Arc::new(store);
        let source = LocalSource {
            store: store.clone(),
            prices: prices.clone(),
        };
        let mut app = App::new(SourceInfo::default(), 120, 40);
        let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
        c.bench_function(&format!("list frame, {spans} spans stored"), |b| {
            b.iter(|| list_frame(&source, &mut app, &mut term))
        });

        let big = TraceId({
            let mut t = [0u8; 16];
            t[15] = 1;
            t
        });
        c.bench_function(
            &format!("open a {BIG_TRACE_SPANS}-span trace, {spans} stored"),
            |b| {
                b.iter(|| {
                    let mut app = App::new(SourceInfo::default(), 120, 40);
                    let summary = store.trace_summary(big).unwrap().unwrap();
                    app.update(Action::TracesLoaded(vec![summary]));
                    let effects = app.update(Action::Key(spanlens::ui::keys::Key::Enter));
                    assert_eq!(effects, vec![Effect::LoadTrace(big)]);
                    let detail = trace_detail(store.as_ref(), big, &prices).unwrap();
                    app.update(Action::TraceLoaded(big, detail));
                    term.draw(|f| views::draw(f, &app, &theme())).unwrap();
                })
            },
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
