//! The cost report against hand-priced fixtures, the demo's traffic and awkward
//! arrival orders (out of order, resent, parent reporting its children's usage), and
//! `stats --json` against the screen's report.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message as _;

use super::*;
use crate::model::{
    AttrValue, Attributes, LlmFacet, LlmKind, Span, SpanId, SpanKind, Status, StatusCode, TraceId,
};
use crate::normalize::normalize_traces;
use crate::pricing::PriceTable;
use crate::query::{LocalSource, TraceSource};
use crate::store::{IngestBatch, MemoryStore, TraceStore};
use crate::ui::source::UiSource;

const MIN: u64 = 60_000_000_000;
/// 2025-11-27 18:30:00 UTC.
const T0: u64 = 1_764_268_200_000_000_000;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12_f64.max(1e-9 * b.abs())
}

fn write(store: &dyn TraceStore, spans: Vec<Span>) {
    store
        .write(&IngestBatch {
            spans,
            ..Default::default()
        })
        .unwrap();
}

fn fixture_spans(folder: &str) -> Vec<Span> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(folder);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-traces.pb"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|p| {
            let req =
                ExportTraceServiceRequest::decode(std::fs::read(p).unwrap().as_slice()).unwrap();
            normalize_traces(&req, &PriceTable::builtin()).spans
        })
        .collect()
}

/// Per model: (calls, input, output, cost) summed over the individual model-call spans.
fn sum_of_llm_spans(spans: &[Span]) -> BTreeMap<String, (u64, u64, u64, f64)> {
    let mut out: BTreeMap<String, (u64, u64, u64, f64)> = BTreeMap::new();
    for s in spans {
        let Some(l) = s.llm.as_ref().filter(|l| l.kind.is_model_call()) else {
            continue;
        };
        let e = out
            .entry(l.canonical_model().unwrap_or("unknown").to_string())
            .or_default();
        e.0 += 1;
        e.1 += l.input_tokens.unwrap_or(0);
        e.2 += l.output_tokens.unwrap_or(0);
        e.3 += l.cost_usd.unwrap_or(0.0);
    }
    out
}

fn assert_models_match_spans(report: &CostReport, spans: &[Span], what: &str) {
    let want = sum_of_llm_spans(spans);
    assert_eq!(report.by_model.len(), want.len(), "{what}");
    for m in &report.by_model {
        let (calls, input, output, cost) = want[&m.model];
        assert_eq!(
            (m.calls, m.input_tokens, m.output_tokens),
            (calls, input, output),
            "{what}: {}",
            m.model
        );
        assert!(
            close(m.cost_usd.unwrap_or(0.0), cost),
            "{what}: {} {m:?}",
            m.model
        );
    }
    let total: f64 = want.values().map(|v| v.3).sum();
    assert!(
        close(report.totals.cost_usd.unwrap_or(0.0), total),
        "{what}"
    );
}

#[test]
fn fixtures_priced_by_hand() {
    // gpt-4o-mini: input 1.5e-7, output 6e-7, cache read 7.5e-8 USD per token.
    // A chat call: 42 in of which 10 cached, 17 out; the openai-v2 instrumentation
    // does not report cached tokens, so there all 42 are billed as uncached.
    let cached_chat = 32.0 * 1.5e-7 + 10.0 * 7.5e-8 + 17.0 * 6e-7;
    assert!(close(cached_chat, 1.575e-5));
    let uncached_chat = 42.0 * 1.5e-7 + 17.0 * 6e-7;
    assert!(close(uncached_chat, 1.65e-5));
    let embedding = 16.0 * 2e-8;
    let saved_per_cached_token = 1.5e-7 - 7.5e-8;
    // (folder, chat calls with usage: two agent turns and the streamed one, cached
    // tokens reported per call, embedding calls); `plain` has no streamed call and
    // no embeddings.
    for (folder, chats, cached, embeddings) in [
        ("openinference", 3u64, 10u64, 1u64),
        ("openai-v2", 3, 0, 1),
        ("openai-v2-events", 3, 0, 1),
        ("plain", 2, 0, 0),
    ] {
        let chat = if cached > 0 {
            cached_chat
        } else {
            uncached_chat
        };
        let spans = fixture_spans(folder);
        let store = MemoryStore::new();
        // Newest first, then everything again (an exporter retrying).
        let mut reversed = spans.clone();
        reversed.reverse();
        write(&store, reversed);
        write(&store, spans.clone());
        let end = spans.iter().map(|s| s.end_unix_nano).max().unwrap();
        let report = load(&store, &PriceTable::builtin(), None, end + MIN).unwrap();
        let want = chats as f64 * chat + embeddings as f64 * embedding;
        assert!(
            close(report.totals.cost_usd.unwrap(), want),
            "{folder}: {} != {want}",
            report.totals.cost_usd.unwrap()
        );
        assert_eq!(report.totals.cache_read_tokens, cached * chats, "{folder}");
        assert!(
            close(
                report.cache_savings_usd,
                (cached * chats) as f64 * saved_per_cached_token
            ),
            "{folder}"
        );
        assert_eq!(
            report.totals.unpriced_calls, 0,
            "{folder}: a failed call costs a known $0"
        );
        if embeddings > 0 {
            let emb = report
                .by_model
                .iter()
                .find(|m| m.model == "text-embedding-3-small")
                .unwrap();
            assert!(close(emb.cost_usd.unwrap(), embedding), "{folder}");
        }
        // The rate-limited call is the one failed model call.
        let errors: u64 = report.by_model.iter().map(|m| m.errors).sum();
        assert_eq!(errors, 1, "{folder}");
        let failed = report.by_model.iter().find(|m| m.errors == 1).unwrap();
        assert!(
            close(failed.error_rate, 1.0 / failed.calls as f64),
            "{folder}"
        );
        assert_models_match_spans(&report, &spans, folder);
        // The agent's session holds the whole run's cost; one trace per row.
        let sess = report
            .by_session
            .iter()
            .find(|s| s.name == "sess-42")
            .unwrap();
        assert!(sess.cost_usd.unwrap() > 0.0, "{folder}");
        assert_eq!(report.traces, store.stats(None).unwrap().traces, "{folder}");
        let top_cost: f64 = report.top_traces.iter().filter_map(|t| t.cost_usd).sum();
        assert!(
            close(top_cost, want),
            "{folder}: every priced trace is in the top ten"
        );
    }
}

fn span(trace: u8, id: u8, parent: Option<u8>, start: u64) -> Span {
    Span {
        trace_id: TraceId([trace; 16]),
        span_id: SpanId([id; 8]),
        parent_span_id: parent.map(|p| SpanId([p; 8])),
        name: format!("span-{id}"),
        service: "svc".into(),
        kind: SpanKind::Internal,
        start_unix_nano: start,
        end_unix_nano: start + 1_000_000_000,
        status: Status::default(),
        attributes: Attributes::new(),
        resource: Attributes::new(),
        scope: String::new(),
        events: vec![],
        session: None,
        project: None,
        llm: None,
    }
}

fn with_llm(mut s: Span, kind: LlmKind, model: &str, tokens: (u64, u64), cost: f64) -> Span {
    let mut f = LlmFacet::new(kind);
    f.request_model = Some(model.into());
    f.input_tokens = Some(tokens.0);
    f.output_tokens = Some(tokens.1);
    f.cost_usd = Some(cost);
    s.llm = Some(f);
    s
}

/// An agent root reporting its two children's usage, children in another minute.
fn agent_trace(trace: u8, start: u64) -> Vec<Span> {
    let mut root = with_llm(
        span(trace, 1, None, start),
        LlmKind::Agent,
        "gpt-4o",
        (300, 30),
        0.75,
    );
    root.session = Some("sess-a".into());
    root.project = Some("proj-x".into());
    root.attributes
        .insert("user.id".into(), AttrValue::Str("ana".into()));
    let a = with_llm(
        span(trace, 2, Some(1), start + MIN),
        LlmKind::Chat,
        "gpt-4o",
        (100, 10),
        0.25,
    );
    let mut b = with_llm(
        span(trace, 3, Some(1), start + MIN + 1),
        LlmKind::Chat,
        "gpt-4o-mini",
        (200, 20),
        0.5,
    );
    b.status.code = StatusCode::Error;
    vec![root, a, b]
}

#[test]
fn out_of_order_resent_and_parent_usage_count_once() {
    let store = MemoryStore::new();
    let spans = agent_trace(1, T0);
    // Children first (no session, user or project known yet), the root last, then
    // everything again.
    write(&store, vec![spans[2].clone()]);
    write(&store, vec![spans[1].clone()]);
    write(&store, vec![spans[0].clone()]);
    write(&store, spans.clone());
    let report = load(&store, &PriceTable::empty(), None, T0 + 10 * MIN).unwrap();
    assert_eq!(report.totals.llm_calls, 2, "the agent is not a model call");
    assert!(close(report.totals.cost_usd.unwrap(), 0.75));
    assert_eq!(
        (report.totals.input_tokens, report.totals.output_tokens),
        (300, 30)
    );
    assert_models_match_spans(&report, &spans, "agent");
    let mini = report
        .by_model
        .iter()
        .find(|m| m.model == "gpt-4o-mini")
        .unwrap();
    assert_eq!((mini.errors, mini.error_rate), (1, 1.0));
    for rows in [&report.by_session, &report.by_user, &report.by_project] {
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].traces, 1);
        assert_eq!(rows[0].llm_calls, 2);
        assert!(close(rows[0].cost_usd.unwrap(), 0.75));
    }
    assert_eq!(
        (
            report.by_session[0].name.as_str(),
            report.by_user[0].name.as_str(),
            report.by_project[0].name.as_str()
        ),
        ("sess-a", "ana", "proj-x")
    );
    assert_eq!(report.top_traces.len(), 1);
    assert_eq!(report.top_traces[0].trace_id, TraceId([1; 16]));
    assert_eq!(report.top_traces[0].root_name, "span-1");
    assert!(close(report.top_traces[0].cost_usd.unwrap(), 0.75));

    // The root moved the trace's start a minute earlier: a 1-minute window at the
    // children's minute no longer holds the trace (traces belong to their start).
    let later = load(&store, &PriceTable::empty(), Some(T0 + MIN), T0 + 2 * MIN).unwrap();
    assert!(later.by_session.is_empty() && later.top_traces.is_empty());
    assert_eq!(
        later.totals.llm_calls, 2,
        "model rollups follow the spans' minutes"
    );
}

#[test]
fn top_ten_windows_series_and_burn_rate() {
    let store = MemoryStore::new();
    // Twelve traces a minute apart, trace n costing n dollars, the last at now - 1m.
    let now = T0 + 30 * MIN + 30_000_000_000;
    let spans: Vec<Span> = (1..=12u8)
        .map(|n| {
            let start = now - u64::from(13 - n) * MIN;
            with_llm(
                span(n, 1, None, start),
                LlmKind::Chat,
                "m",
                (u64::from(n), 0),
                f64::from(n),
            )
        })
        .collect();
    write(&store, spans);
    let all = load(&store, &PriceTable::empty(), None, now).unwrap();
    let costs: Vec<f64> = all.top_traces.iter().map(|t| t.cost_usd.unwrap()).collect();
    assert_eq!(costs, (3..=12).rev().map(f64::from).collect::<Vec<_>>());
    assert!(close(all.totals.cost_usd.unwrap(), 78.0));
    // Burn: the current minute and the four before hold traces 9..=12 (4 minutes
    // 30 s of time): 42 $ / 4.5 min = 560 $/h.
    assert!(
        close(all.burn_rate_usd_per_hour, 560.0),
        "{}",
        all.burn_rate_usd_per_hour
    );
    // Today so far is everything (18:30 UTC); the rest of the day at the burn rate.
    let left_h = (24.0 * 60.0 - (19.0 * 60.0 + 0.5)) / 60.0;
    assert!(close(all.projected_day_usd, 78.0 + 560.0 * left_h));

    let w15 = load(
        &store,
        &PriceTable::empty(),
        CostWindow::Last15m.since(now),
        now,
    )
    .unwrap();
    assert_eq!(w15.window, "15m");
    assert_eq!(w15.bucket_minutes, 1);
    assert_eq!(
        w15.series.len(),
        16,
        "15 minutes back to the minute now is in"
    );
    let series_cost: f64 = w15.series.iter().map(|p| p.cost_usd).sum();
    assert!(close(series_cost, w15.totals.cost_usd.unwrap()));
    assert_eq!(
        w15.series.last().unwrap().cost_usd,
        0.0,
        "nothing this minute"
    );
    assert!(close(w15.series[w15.series.len() - 2].cost_usd, 12.0));
    assert!(close(
        w15.burn_rate_usd_per_hour,
        all.burn_rate_usd_per_hour
    ));

    let w5 = load(&store, &PriceTable::empty(), Some(now - 3 * MIN), now).unwrap();
    assert_eq!(w5.window, "3m");
    assert_eq!(w5.top_traces.len(), 3);
    assert!(close(w5.totals.cost_usd.unwrap(), 10.0 + 11.0 + 12.0));
    // Burn and projection do not depend on the window.
    assert!(close(w5.projected_day_usd, all.projected_day_usd));

    let day = load(
        &store,
        &PriceTable::empty(),
        CostWindow::LastDay.since(now),
        now,
    )
    .unwrap();
    assert_eq!(day.bucket_minutes, 13);
    assert!(day.series.len() as u64 <= report::MAX_POINTS);
    let series_cost: f64 = day.series.iter().map(|p| p.cost_usd).sum();
    assert!(close(series_cost, 78.0));
}

#[test]
fn windows_cycle_and_label() {
    let mut w = CostWindow::default();
    let mut seen = vec![w.label()];
    for _ in 0..4 {
        w = w.next();
        seen.push(w.label());
    }
    assert_eq!(seen, ["15m", "1h", "24h", "all", "15m"]);
    assert_eq!(CostWindow::parse("24h"), Some(CostWindow::LastDay));
    assert_eq!(CostWindow::parse("2h"), None);
    assert_eq!(window_label(None, T0), "all");
    assert_eq!(window_label(Some(T0 - 60 * MIN - 3), T0), "1h");
    assert_eq!(window_label(Some(T0 - 120 * MIN), T0), "2h");
    assert_eq!(window_label(Some(T0 - 2 * 24 * 60 * MIN), T0), "2d");
    assert_eq!(window_label(Some(T0 - 90 * MIN), T0), "90m");
}

#[test]
fn demo_traffic_per_model_totals_are_the_sum_of_its_llm_spans() {
    let store = MemoryStore::new();
    let prices = PriceTable::builtin();
    let mut traffic = crate::demo::Traffic::new(crate::demo::DemoRng::seeded(7));
    let mut spans = Vec::new();
    for i in 0..60u64 {
        let t = traffic.next_trace(T0 + i * 20_000_000_000);
        for req in t.requests() {
            let out = normalize_traces(&req, &prices);
            spans.extend(out.spans.clone());
            write(&store, out.spans);
        }
    }
    let report = load(&store, &prices, None, T0 + 30 * MIN).unwrap();
    assert_models_match_spans(&report, &spans, "demo");
    assert!(report.by_model.len() >= 4, "{:?}", report.by_model);
    assert!(
        report.totals.unpriced_calls > 0,
        "the unknown model stays unknown"
    );
    assert!(!report.by_user.is_empty() && !report.by_session.is_empty());
    assert!(!report.by_project.is_empty(), "LangSmith projects");
    let session_traces: u64 = report.by_session.iter().map(|s| s.traces).sum();
    let with_session = store
        .list_traces(&crate::store::TraceQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .unwrap()
        .iter()
        .filter(|s| s.session.is_some())
        .count() as u64;
    assert_eq!(session_traces, with_session);
}

#[test]
fn stats_json_and_the_cost_screen_agree() {
    let store: Arc<dyn TraceStore> = Arc::new(MemoryStore::new());
    let now = crate::util::now_unix_nano();
    let mut spans = agent_trace(1, now - 8 * MIN);
    spans.extend(agent_trace(2, now - 3 * MIN));
    spans[3].session = Some("sess-b".into());
    write(store.as_ref(), spans);
    let source = LocalSource {
        store,
        prices: Arc::new(PriceTable::builtin()),
    };
    let screen = UiSource::cost(&source, CostWindow::Last15m).unwrap();
    let stats = TraceSource::stats(&source, CostWindow::Last15m.since(now)).unwrap();
    assert_eq!(stats["window"], "15m");
    assert_eq!(stats["llm_calls"], screen.totals.llm_calls);
    assert_eq!(stats["input_tokens"], screen.totals.input_tokens);
    assert_eq!(stats["cost_usd"].as_f64(), screen.totals.cost_usd);
    assert_eq!(stats["traces"], screen.traces);
    let models = stats["by_model"].as_array().unwrap();
    assert_eq!(models.len(), screen.by_model.len());
    for (j, m) in models.iter().zip(&screen.by_model) {
        assert_eq!(j["model"], m.model.as_str());
        assert_eq!(j["calls"], m.calls);
        assert_eq!(j["errors"], m.errors);
        assert_eq!(j["error_rate"].as_f64(), Some(m.error_rate));
        assert_eq!(j["cost_usd"].as_f64(), m.cost_usd);
        assert_eq!(j["cache_savings_usd"].as_f64(), m.cache_savings_usd);
    }
    for (key, rows) in [
        ("by_session", &screen.by_session),
        ("by_user", &screen.by_user),
        ("by_project", &screen.by_project),
    ] {
        let name = &key[3..];
        let j = stats[key].as_array().unwrap();
        assert_eq!(j.len(), rows.len(), "{key}");
        for (j, r) in j.iter().zip(rows) {
            assert_eq!(j[name], r.name.as_str(), "{key}");
            assert_eq!(j["cost_usd"].as_f64(), r.cost_usd, "{key}");
            assert_eq!(j["traces"], r.traces, "{key}");
        }
    }
    assert_eq!(screen.by_session.len(), 2);
    assert_eq!(
        stats["cache_savings_usd"].as_f64(),
        Some(screen.cache_savings_usd)
    );
    let burn = stats["burn_rate_usd_per_hour"].as_f64().unwrap();
    // Both read at (almost) the same moment; the burn rate's divisor moves with time.
    assert!((burn - screen.burn_rate_usd_per_hour).abs() <= 0.01 * burn.max(1e-9));
    assert!(stats["projected_day_usd"].as_f64().unwrap() >= screen.today_usd);
    assert_eq!(
        stats["top_traces"][0]["trace_id"],
        screen.top_traces[0].trace_id.to_string()
    );
}
