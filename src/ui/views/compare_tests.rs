//! Snapshots of the compare screen, the critical-path list and the agent flow at
//! 80x24 and 120x40 on hand-built runs of one agent, and the keys that reach them:
//! `m`, `=`, `n`, Enter, `x`, Esc; `c`, `f`, Enter back to the tree.

use crate::model::Span;
use crate::query::TraceDetail;
use crate::trace_analysis::test_spans::*;
use crate::ui::app::{Action, App, Effect, Pane, Screen, SourceInfo};
use crate::ui::keys::Key;
use crate::ui::theme::{ColorMode, Theme};
use crate::ui::trace_modes::TreeMode;
use crate::ui::views::span_detail::fixtures::{press, render, summary};

/// A weather-agent run; `forecast` adds a second tool (B's extra step).
fn run(trace: u8, forecast: bool, answer_ms: u64, answer: &str) -> Vec<Span> {
    let mut spans = vec![
        agent(1, None, "weather-agent", 0, 1300 + answer_ms),
        chat(
            2,
            1,
            "gpt-4o-mini",
            10,
            290,
            (202, 16),
            "Weather in Lisbon?",
            "",
            &["get_weather"],
        ),
        tool(3, 1, "get_weather", 310, 120),
    ];
    if forecast {
        spans.push(tool(4, 1, "get_forecast", 310, 700));
    }
    spans.push(chat(
        5,
        1,
        "gpt-4o-mini",
        1100,
        answer_ms,
        (262, 40),
        "Weather in Lisbon?",
        answer,
        &[],
    ));
    for s in &mut spans {
        s.trace_id = tid(trace);
    }
    spans
}

fn detail(spans: Vec<Span>) -> TraceDetail {
    let n = spans.len();
    TraceDetail {
        spans,
        logs: vec![Vec::new(); n],
        unjoined_logs: Vec::new(),
    }
}

/// A list of the two runs (A newest), A marked and `=` pressed on B, loaded.
fn compared(w: u16, h: u16) -> App {
    let (a, b) = (
        detail(run(1, false, 400, "Sunny, 21°C.")),
        detail(run(2, true, 650, "Sunny; rain tomorrow.")),
    );
    let mut app = App::new(SourceInfo::default(), w, h);
    let (mut sa, sb) = (summary(&a), summary(&b));
    sa.start_unix_nano += 1;
    app.update(Action::TracesLoaded(vec![sa, sb]));
    press(&mut app, &[Key::Char('m'), Key::Char('j')]);
    let effects = app.update(Action::Key(Key::Char('=')));
    assert_eq!(effects, vec![Effect::LoadCompare(tid(1), tid(2))]);
    assert_eq!(app.screen, Screen::Compare);
    let c = crate::compare::compare_traces(tid(1), &a.spans, tid(2), &b.spans);
    app.update(Action::CompareLoaded(tid(1), tid(2), Ok(Box::new(c))));
    app
}

fn screen_text(app: &App) -> String {
    let t = render(app, &Theme::new(ColorMode::None));
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn compare_opens_on_the_divergence() {
    for (w, h) in [(80, 24), (120, 40)] {
        let app = compared(w, h);
        let c = app.compare.as_ref().expect("compare");
        assert_eq!(c.selected, 3, "the extra tool of B is selected");
        insta::assert_snapshot!(format!("compare_{w}x{h}"), screen_text(&app));
    }
}

#[test]
fn compare_keys_walk_divergences_open_spans_and_swap() {
    let mut app = compared(120, 40);
    press(&mut app, &[Key::Char('g')]);
    press(&mut app, &[Key::Char('n')]);
    assert_eq!(app.compare.as_ref().map(|c| c.selected), Some(3));
    // Enter opens B's span in B's trace; Esc comes back here.
    let effects = app.update(Action::Key(Key::Enter));
    assert_eq!(effects, vec![Effect::LoadTrace(tid(2))]);
    assert_eq!(app.trace.as_ref().and_then(|t| t.selected), Some(sid(4)));
    press(&mut app, &[Key::Esc]);
    assert_eq!(app.screen, Screen::Compare);
    let effects = app.update(Action::Key(Key::Char('x')));
    assert_eq!(effects, vec![Effect::LoadCompare(tid(2), tid(1))]);
    press(&mut app, &[Key::Esc]);
    assert_eq!(
        app.screen,
        Screen::Traces,
        "Esc returns where = was pressed"
    );
}

#[test]
fn equals_without_a_mark_says_what_to_do() {
    let mut app = App::new(SourceInfo::default(), 80, 24);
    let a = detail(run(1, false, 400, "Sunny."));
    app.update(Action::TracesLoaded(vec![summary(&a)]));
    assert!(app.update(Action::Key(Key::Char('='))).is_empty());
    assert!(
        app.message
            .as_deref()
            .is_some_and(|m| m.contains("mark a trace with m"))
    );
    press(&mut app, &[Key::Char('m')]);
    assert!(
        app.update(Action::Key(Key::Char('='))).is_empty(),
        "not with itself"
    );
    assert_eq!(app.screen, Screen::Traces);
}

/// B's trace open in the tree.
fn opened(w: u16, h: u16) -> App {
    let b = detail(run(2, true, 650, "Sunny; rain tomorrow."));
    crate::ui::views::span_detail::fixtures::open(b, w, h)
}

#[test]
fn critical_path_view() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = opened(w, h);
        press(&mut app, &[Key::Char('c')]);
        assert_eq!(
            app.trace.as_ref().map(|t| t.mode),
            Some(TreeMode::CriticalPath)
        );
        insta::assert_snapshot!(format!("critical_path_{w}x{h}"), screen_text(&app));
    }
}

#[test]
fn the_waterfall_marks_the_critical_path_and_shows_self_time() {
    let app = opened(120, 40);
    let text = screen_text(&app);
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} in\n{text}"))
            .to_string()
    };
    assert!(
        line("get_f").contains('◆'),
        "the slow parallel tool is on the path"
    );
    assert!(!line("get_w").contains('◆'), "the fast one is not");
    // The agent's 1.95s less what its children cover (290 + 700 + 650 ms): in a
    // column of the 80-column tree and in the selected span's title.
    insta::assert_snapshot!("trace_tree_critical_120x40", text);
    let narrow = screen_text(&opened(80, 24));
    let agent_row = narrow
        .lines()
        .find(|l| l.contains("AGENT invoke"))
        .unwrap_or("");
    assert!(agent_row.contains("1.95s  310ms"), "{narrow}");
    assert!(
        narrow.contains("1.95s (self 310ms) · ◆ critical"),
        "{narrow}"
    );
}

#[test]
fn moving_in_the_critical_path_selects_spans_and_enter_goes_back_to_the_tree() {
    let mut app = opened(80, 24);
    press(
        &mut app,
        &[
            Key::Char('c'),
            Key::Char('g'),
            Key::Char('j'),
            Key::Char('j'),
        ],
    );
    let t = app.trace.as_ref().expect("trace");
    assert_eq!(t.selected, Some(sid(4)), "root, chat, get_forecast");
    press(&mut app, &[Key::Enter]);
    let t = app.trace.as_ref().expect("trace");
    assert_eq!((t.mode, t.pane), (TreeMode::Tree, Pane::Tree));
    assert_eq!(t.selected, Some(sid(4)));
    press(&mut app, &[Key::Char('c'), Key::Char('c')]);
    assert_eq!(
        app.trace.as_ref().map(|t| t.mode),
        Some(TreeMode::Tree),
        "c toggles"
    );
}

#[test]
fn agent_flow_view() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = opened(w, h);
        press(&mut app, &[Key::Char('f')]);
        insta::assert_snapshot!(format!("agent_flow_{w}x{h}"), screen_text(&app));
    }
}

#[test]
fn enter_on_a_flow_step_jumps_to_its_span() {
    let mut app = opened(80, 24);
    press(&mut app, &[Key::Char('f'), Key::Char('G'), Key::Enter]);
    let t = app.trace.as_ref().expect("trace");
    assert_eq!(t.mode, TreeMode::Tree);
    assert_eq!(t.selected, Some(sid(5)), "the answer's span");
}
