//! Snapshots and behaviour of the cost screen at 80x24 and 120x40.

use super::super::test_support::*;
use crate::cost::{Budgets, CostReport, CostWindow};
use crate::model::{
    AttrValue, Attributes, LlmFacet, LlmKind, Span, SpanId, SpanKind, Status, StatusCode, TraceId,
};
use crate::pricing::{PriceTable, apply_cost};
use crate::store::{IngestBatch, MemoryStore, TraceStore};
use crate::ui::app::{Action, App, Effect, Screen};
use crate::ui::cost_screen::CostTab;
use crate::ui::keys::Key;

const MIN: u64 = 60_000_000_000;
/// 18:45:30 UTC, fifteen minutes after `T0`.
const NOW: u64 = T0 + 15 * MIN + 29_000_000_000;

#[allow(clippy::too_many_arguments)]
fn call(
    trace: u8,
    id: u8,
    minute: u64,
    service: &str,
    model: &str,
    tokens: (u64, u64, u64),
    error: bool,
    prices: &PriceTable,
) -> Span {
    let mut f = LlmFacet::new(if model.starts_with("text-embedding") {
        LlmKind::Embedding
    } else {
        LlmKind::Chat
    });
    f.response_model = Some(model.into());
    f.input_tokens = Some(tokens.0);
    f.output_tokens = Some(tokens.1);
    f.cache_read_tokens = (tokens.2 > 0).then_some(tokens.2);
    apply_cost(&mut f, prices);
    let start = T0 + minute * MIN + u64::from(id) * 1_000_000_000;
    Span {
        trace_id: id_of(trace),
        span_id: SpanId([id; 8]),
        parent_span_id: Some(SpanId([1; 8])),
        name: format!("chat {model}"),
        service: service.into(),
        kind: SpanKind::Client,
        start_unix_nano: start,
        end_unix_nano: start + 900_000_000 + u64::from(id) * 40_000_000,
        status: Status {
            code: if error {
                StatusCode::Error
            } else {
                StatusCode::Unset
            },
            message: String::new(),
        },
        attributes: Attributes::new(),
        resource: Attributes::new(),
        scope: String::new(),
        events: vec![],
        session: None,
        project: None,
        llm: Some(f),
    }
}

fn id_of(n: u8) -> TraceId {
    id(n)
}

fn root(
    trace: u8,
    minute: u64,
    name: &str,
    service: &str,
    session: Option<&str>,
    user: Option<&str>,
) -> Span {
    let start = T0 + minute * MIN;
    let mut attributes = Attributes::new();
    if let Some(u) = user {
        attributes.insert("user.id".into(), AttrValue::Str(u.into()));
    }
    Span {
        trace_id: id_of(trace),
        span_id: SpanId([1; 8]),
        parent_span_id: None,
        name: name.into(),
        service: service.into(),
        kind: SpanKind::Server,
        start_unix_nano: start,
        end_unix_nano: start + 20_000_000_000,
        status: Status::default(),
        attributes,
        resource: Attributes::new(),
        scope: String::new(),
        events: vec![],
        session: session.map(str::to_string),
        project: None,
        llm: None,
    }
}

/// Fifteen minutes of traffic: agents on gpt-4o-mini (with cache hits), a support
/// bot on claude in a LangSmith project, embeddings, and a local model without a
/// price; one failed call.
pub fn report() -> CostReport {
    let p = PriceTable::builtin();
    let store = MemoryStore::new();
    let mut spans = Vec::new();
    for i in 0..12u8 {
        let m = u64::from(i);
        let t = 10 + i;
        let user = ["ana@example.com", "bo@example.com", "chen@example.com"][usize::from(i % 3)];
        let session = format!("sess-{:02}", i % 4);
        spans.push(root(
            t,
            m,
            "agent.run",
            "weather-agent",
            Some(&session),
            Some(user),
        ));
        let cached = if i % 2 == 0 { 1_024 } else { 0 };
        spans.push(call(
            t,
            2,
            m,
            "weather-agent",
            "gpt-4o-mini-2024-07-18",
            (1_800 + 90 * m, 140, cached),
            false,
            &p,
        ));
        spans.push(call(
            t,
            3,
            m,
            "weather-agent",
            "gpt-4o-mini-2024-07-18",
            (2_100 + 60 * m, 210, cached),
            i == 7,
            &p,
        ));
        if i % 3 == 0 {
            let mut r = root(
                40 + i,
                m,
                "support.triage",
                "support-bot",
                None,
                Some("dee@example.com"),
            );
            r.project = Some("support-prod".into());
            spans.push(r);
            spans.push(call(
                40 + i,
                2,
                m,
                "support-bot",
                "claude-sonnet-4-5-20250929",
                (6_200, 480, 0),
                false,
                &p,
            ));
        }
        if i % 4 == 1 {
            spans.push(root(60 + i, m, "index.batch", "indexer", None, None));
            spans.push(call(
                60 + i,
                2,
                m,
                "indexer",
                "text-embedding-3-small",
                (48_000, 0, 0),
                false,
                &p,
            ));
        }
    }
    spans.push(root(90, 13, "chat llama3.1:8b", "local-ollama", None, None));
    spans.push(call(
        90,
        2,
        13,
        "local-ollama",
        "llama3.1:8b",
        (1_024, 2_311, 0),
        false,
        &p,
    ));
    store
        .write(&IngestBatch {
            spans,
            ..Default::default()
        })
        .unwrap();
    let since = CostWindow::Last15m.since(NOW);
    let data = store.cost_data(since, since).unwrap();
    crate::cost::build(&data, &p, since, NOW)
}

fn cost_app(w: u16, h: u16) -> App {
    let mut app = app(w, h);
    let effects = app.update(Action::Key(Key::Char('C')));
    assert_eq!(effects, vec![Effect::LoadCost(CostWindow::Last15m)]);
    app.update(Action::CostLoaded(Box::new(report())));
    app
}

fn all_text(t: &ratatui::Terminal<ratatui::backend::TestBackend>, h: u16) -> String {
    (0..h).map(|y| text_row(t, y) + "\n").collect()
}

#[test]
fn cost_screen_models() {
    let r = report();
    let mini = r
        .by_model
        .iter()
        .find(|m| m.model == "gpt-4o-mini")
        .unwrap();
    assert_eq!((mini.calls, mini.errors), (24, 1));
    for (w, h) in [(80, 24), (120, 40)] {
        let app = cost_app(w, h);
        let t = screen(&app, &full());
        let all = all_text(&t, h);
        assert!(
            text_row(&t, 0).contains("cost & tokens · last 15m"),
            "{all}"
        );
        assert!(all.contains("burn "), "{all}");
        assert!(
            all.contains("cost / 1m") && all.contains("tokens / 1m"),
            "{all}"
        );
        assert!(all.contains("gpt-4o-mini "), "{all}");
        assert!(all.contains("4.2%"), "one failed call in 24: {all}");
        assert!(
            all.contains(&crate::ui::text::cost(mini.cost_usd)),
            "the model's cost is shown: {all}"
        );
        // The unknown model's cost is unknown, not $0.
        let llama = all.lines().find(|l| l.contains("llama3.1:8b")).unwrap();
        assert!(
            llama.trim_end().ends_with('?') || llama.contains(" ? "),
            "{llama}"
        );
        insta::assert_snapshot!(format!("cost_models_{w}x{h}"), t.backend());
    }
}

#[test]
fn cost_screen_tabs_and_top_traces() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = cost_app(w, h);
        app.budgets = Budgets {
            trace_usd: Some(0.02),
            ..Budgets::default()
        };
        app.update(Action::Key(Key::Char('6')));
        assert_eq!(app.cost.tab, CostTab::Top);
        let t = screen(&app, &full());
        let all = all_text(&t, h);
        assert!(all.contains("support.triage"), "{all}");
        let flagged = all
            .lines()
            .filter(|l| l.starts_with('!') && l.contains('$'))
            .count();
        let over = app
            .cost
            .report
            .as_ref()
            .unwrap()
            .top_traces
            .iter()
            .filter(|t| t.cost_usd.unwrap_or(0.0) > 0.02)
            .count();
        assert!(over > 0);
        assert_eq!(flagged, over, "{all}");
        insta::assert_snapshot!(format!("cost_top_{w}x{h}"), t.backend());

        for (key, tab, must) in [
            ('2', CostTab::Services, "weather-agent"),
            ('3', CostTab::Projects, "support-prod"),
            ('4', CostTab::Sessions, "sess-00"),
            ('5', CostTab::Users, "ana@example.com"),
        ] {
            app.update(Action::Key(Key::Char(key)));
            assert_eq!(app.cost.tab, tab);
            let all = all_text(&screen(&app, &full()), h);
            assert!(all.contains(must), "{tab:?}: {all}");
        }
        let t = screen(&app, &full());
        insta::assert_snapshot!(format!("cost_users_{w}x{h}"), t.backend());
    }
}

#[test]
fn keys_window_enter_and_esc() {
    let mut app = cost_app(80, 24);
    assert_eq!(app.screen, Screen::Cost);
    // `w` asks for the next window; a late report of the old one is ignored.
    let effects = app.update(Action::Key(Key::Char('w')));
    assert_eq!(effects, vec![Effect::LoadCost(CostWindow::LastHour)]);
    app.update(Action::CostLoaded(Box::new(report())));
    assert_eq!(app.cost.report.as_ref().unwrap().window, "15m");
    assert!(text_row(&screen(&app, &full()), 0).contains("last 1h"));
    // Live changes reload the report while the screen is open.
    let effects = app.update(Action::Changed(vec![id(1)]));
    assert!(effects.contains(&Effect::LoadCost(CostWindow::LastHour)));

    // Enter on the second most expensive trace opens it; Esc comes back here.
    app.update(Action::Key(Key::Char('6')));
    app.update(Action::Key(Key::Char('j')));
    let second = app.cost.report.as_ref().unwrap().top_traces[1].trace_id;
    let effects = app.update(Action::Key(Key::Enter));
    assert_eq!(effects, vec![Effect::LoadTrace(second)]);
    assert_eq!(app.screen, Screen::Trace);
    app.update(Action::Key(Key::Esc));
    assert_eq!(app.screen, Screen::Cost);
    // Enter on a session lists its traces.
    app.update(Action::Key(Key::Char('4')));
    let effects = app.update(Action::Key(Key::Enter));
    assert!(matches!(&effects[..], [Effect::LoadTraces(q)] if q.session.is_some()));
    assert_eq!(app.screen, Screen::Traces);
    // From sessions too; Esc returns there.
    app.update(Action::Key(Key::Esc));
    assert_eq!(app.screen, Screen::Sessions);
    app.update(Action::Key(Key::Char('C')));
    assert_eq!(app.screen, Screen::Cost);
    app.update(Action::Key(Key::Esc));
    assert_eq!(app.screen, Screen::Sessions);
    // Not watched off-screen without an hourly budget.
    assert!(
        !app.update(Action::ChangedMany)
            .iter()
            .any(|e| matches!(e, Effect::LoadCost(_)))
    );
}

#[test]
fn budgets_show_in_the_status_bar_and_flag_rows() {
    let mut app = app(120, 40);
    app.budgets = Budgets {
        hourly_usd: Some(0.01),
        trace_usd: Some(1.0),
        trace_tokens: None,
    };
    // The hourly budget is watched from the trace list.
    assert!(app.start().contains(&Effect::LoadCost(CostWindow::Last15m)));
    app.update(Action::CostLoaded(Box::new(report())));
    let t = screen(&app, &full());
    let status = text_row(&t, 39);
    assert!(status.contains("1 trace over budget"), "{status}");
    assert!(status.contains("/h > budget $0.0100/h"), "{status}");
    let effects = app.update(Action::Changed(vec![id(1)]));
    assert!(effects.contains(&Effect::LoadCost(CostWindow::Last15m)));
    insta::assert_snapshot!("budgets_status_120x40", t.backend());
}

#[test]
fn loading_and_empty_windows_say_so() {
    let mut app = app(80, 24);
    app.update(Action::Key(Key::Char('C')));
    let t = screen(&app, &full());
    assert!(text_row(&t, 1).contains("loading the cost report"));
    let mut empty = report();
    empty.by_user.clear();
    app.update(Action::CostLoaded(Box::new(empty)));
    app.update(Action::Key(Key::Char('5')));
    let all = all_text(&screen(&app, &full()), 24);
    assert!(all.contains("no users in the last 15m (user.id"), "{all}");
}

#[test]
fn hostile_names_stay_escaped() {
    let mut r = report();
    r.by_model[0].model = "\x1b[2Jevil\u{202e}".into();
    r.top_traces[0].root_name = "\x1b]52;c;Zm9v\x07".into();
    for tab in ['1', '6'] {
        let mut app = cost_app(80, 24);
        app.update(Action::CostLoaded(Box::new(r.clone())));
        app.update(Action::Key(Key::Char(tab)));
        let t = screen(&app, &full());
        for cell in &t.backend().buffer().content {
            assert!(
                !cell
                    .symbol()
                    .chars()
                    .any(|c| c.is_control() || c == '\u{202e}'),
                "{:?}",
                cell.symbol()
            );
        }
        assert!(all_text(&t, 24).contains("\\x1b"));
    }
}

#[test]
fn trace_list_rows_over_a_trace_budget_are_flagged() {
    let mut app = app(80, 24);
    app.budgets = Budgets {
        trace_tokens: Some(10_000),
        ..Budgets::default()
    };
    let t = screen(&app, &full());
    let rows: Vec<String> = (2..8).map(|y| text_row(&t, y)).collect();
    let flagged: Vec<&String> = rows
        .iter()
        .filter(|r| r.contains("!$") || r.trim_end().ends_with("!?"))
        .collect();
    // support.triage (190.6k tokens) and the unpriced llama call (13.3k tokens).
    assert_eq!(flagged.len(), 2, "{rows:#?}");
    assert!(flagged[0].contains("support.triage") && flagged[0].contains("!$1.93"));
    assert!(
        flagged[1].contains("!?"),
        "an unknown cost over the token budget"
    );
}
