//! `App::update` as a user drives it: keys in, state and effects out.

use super::app::{Action, App, Column, DetailTab, Effect, Input, Pane, Screen, SourceInfo};
use super::keys::Key;
use crate::model::{
    Attributes, LlmFacet, LlmKind, Span, SpanId, SpanKind, Status, StatusCode, TraceId,
    TraceSummary,
};
use crate::query::TraceDetail;

fn span(trace: u8, id: u8, parent: Option<u8>, start: u64, model_call: bool, error: bool) -> Span {
    Span {
        trace_id: TraceId([trace; 16]),
        span_id: SpanId([id; 8]),
        parent_span_id: parent.map(|p| SpanId([p; 8])),
        name: format!("span-{id}"),
        service: "svc".into(),
        kind: SpanKind::Internal,
        start_unix_nano: start,
        end_unix_nano: start + 10,
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
        session: Some(format!("sess-{}", trace % 2)),
        project: None,
        llm: model_call.then(|| LlmFacet::new(LlmKind::Chat)),
    }
}

fn summary(spans: &[Span]) -> TraceSummary {
    let mut s = TraceSummary::new(spans[0].trace_id);
    for sp in spans {
        s.apply_span(sp);
    }
    s
}

/// Root 1 → (2 → (3 llm, 4 error)), 5 llm.
fn trace_spans(trace: u8) -> Vec<Span> {
    vec![
        span(trace, 1, None, 100, false, false),
        span(trace, 2, Some(1), 110, false, false),
        span(trace, 3, Some(2), 120, true, false),
        span(trace, 4, Some(2), 130, false, true),
        span(trace, 5, Some(1), 140, true, false),
    ]
}

fn loaded_app() -> App {
    let mut app = App::new(SourceInfo::default(), 80, 24);
    let list: Vec<TraceSummary> = (1..=3)
        .map(|t| {
            let mut spans = trace_spans(t);
            for s in &mut spans {
                s.start_unix_nano += t as u64 * 1000;
                s.end_unix_nano += t as u64 * 1000;
            }
            summary(&spans)
        })
        .collect();
    app.update(Action::TracesLoaded(list));
    app
}

fn key(app: &mut App, k: Key) -> Vec<Effect> {
    app.update(Action::Key(k))
}

#[test]
fn newest_trace_is_selected_and_j_k_move() {
    let mut app = loaded_app();
    assert_eq!(app.list.selected, Some(TraceId([3; 16])));
    key(&mut app, Key::Char('j'));
    assert_eq!(app.list.selected, Some(TraceId([2; 16])));
    key(&mut app, Key::Char('G'));
    assert_eq!(app.list.selected, Some(TraceId([1; 16])));
    key(&mut app, Key::Char('k'));
    key(&mut app, Key::Char('g'));
    assert_eq!(app.list.selected, Some(TraceId([3; 16])));
}

#[test]
fn selection_follows_the_trace_id_when_new_traces_arrive() {
    let mut app = loaded_app();
    key(&mut app, Key::Char('j'));
    let mut list = app.list.traces.clone();
    let mut newer = list[0].clone();
    newer.trace_id = TraceId([9; 16]);
    newer.start_unix_nano += 10_000;
    list.push(newer);
    app.update(Action::TracesLoaded(list));
    assert_eq!(app.list.selected, Some(TraceId([2; 16])));
}

#[test]
fn live_changes_reload_unless_paused() {
    let mut app = loaded_app();
    let effects = app.update(Action::Changed(vec![TraceId([7; 16])]));
    assert!(matches!(effects.as_slice(), [Effect::LoadTraces(_)]));
    key(&mut app, Key::Char('p'));
    assert!(app.list.paused);
    assert!(
        app.update(Action::Changed(vec![TraceId([7; 16])]))
            .is_empty()
    );
    assert_eq!(app.list.pending, 1);
    let effects = key(&mut app, Key::Char('p'));
    assert!(matches!(effects.as_slice(), [Effect::LoadTraces(_)]));
    assert_eq!(app.list.pending, 0);
}

#[test]
fn filter_is_typed_applied_and_rejected_with_a_reason() {
    let mut app = loaded_app();
    key(&mut app, Key::Char('/'));
    for c in "model:gpt status:error".chars() {
        key(&mut app, Key::Char(c));
    }
    assert_eq!(
        app.input,
        Some(Input::TraceFilter("model:gpt status:error".into()))
    );
    let effects = key(&mut app, Key::Enter);
    match effects.as_slice() {
        [Effect::LoadTraces(q)] => {
            assert_eq!(q.model.as_deref(), Some("gpt"));
            assert!(q.errors_only);
        }
        other => panic!("{other:?}"),
    }
    key(&mut app, Key::Char('/'));
    for c in " colour:red".chars() {
        key(&mut app, Key::Char(c));
    }
    assert!(key(&mut app, Key::Enter).is_empty());
    assert!(app.message.as_deref().unwrap().contains("unknown filter"));
    assert!(app.input.is_some(), "the bad filter stays editable");
    key(&mut app, Key::Esc);
    let effects = key(&mut app, Key::Esc);
    assert!(matches!(effects.as_slice(), [Effect::LoadTraces(q)] if !q.errors_only));
}

#[test]
fn sort_cycles_columns_and_reverses() {
    let mut app = loaded_app();
    key(&mut app, Key::Char('s'));
    assert_eq!(app.list.sort, Some(Column::Time));
    key(&mut app, Key::Char('r'));
    assert!(app.list.ascending);
    assert_eq!(app.list.traces[0].trace_id, TraceId([1; 16]));
}

#[test]
fn sessions_group_and_enter_lists_a_sessions_traces_in_order() {
    let mut app = loaded_app();
    key(&mut app, Key::Char('S'));
    assert_eq!(app.screen, Screen::Sessions);
    assert_eq!(app.sessions.sessions.len(), 2);
    let effects = key(&mut app, Key::Enter);
    let session = app.list.session.clone().unwrap();
    assert!(
        matches!(effects.as_slice(), [Effect::LoadTraces(q)] if q.session.as_deref() == Some(session.as_str()))
    );
    assert_eq!(app.screen, Screen::Traces);
    assert!(app.list.ascending);
    key(&mut app, Key::Esc);
    assert_eq!(app.screen, Screen::Sessions);
}

fn open_trace(app: &mut App) {
    let id = app.list.selected.unwrap();
    let effects = key(app, Key::Enter);
    assert_eq!(effects, vec![Effect::LoadTrace(id)]);
    let spans = trace_spans(id.0[0]);
    let n = spans.len();
    app.update(Action::TraceLoaded(
        id,
        Some(TraceDetail {
            spans,
            logs: vec![Vec::new(); n],
            unjoined_logs: vec![],
        }),
    ));
}

#[test]
fn tree_navigation_collapse_and_jumps() {
    let mut app = loaded_app();
    open_trace(&mut app);
    assert_eq!(app.screen, Screen::Trace);
    let t = app.trace.as_ref().unwrap();
    assert_eq!(t.selected, Some(SpanId([1; 8])));
    assert_eq!(t.visible.len(), 5);
    key(&mut app, Key::Char('n'));
    assert_eq!(
        app.trace.as_ref().unwrap().selected,
        Some(SpanId([3; 8])),
        "first LLM call"
    );
    key(&mut app, Key::Char('n'));
    assert_eq!(
        app.trace.as_ref().unwrap().selected,
        Some(SpanId([4; 8])),
        "then the error"
    );
    key(&mut app, Key::Char('N'));
    assert_eq!(app.trace.as_ref().unwrap().selected, Some(SpanId([3; 8])));
    // h on a leaf goes to its parent; h again collapses it.
    key(&mut app, Key::Char('h'));
    assert_eq!(app.trace.as_ref().unwrap().selected, Some(SpanId([2; 8])));
    key(&mut app, Key::Char('h'));
    assert_eq!(app.trace.as_ref().unwrap().visible.len(), 3);
    // n reveals a hidden match.
    key(&mut app, Key::Char('n'));
    let t = app.trace.as_ref().unwrap();
    assert_eq!(t.selected, Some(SpanId([3; 8])));
    assert_eq!(t.visible.len(), 5);
}

#[test]
fn a_live_reload_keeps_the_selected_span() {
    let mut app = loaded_app();
    open_trace(&mut app);
    key(&mut app, Key::Char('j'));
    key(&mut app, Key::Char('j'));
    let id = app.trace.as_ref().unwrap().trace_id;
    let effects = app.update(Action::Changed(vec![id]));
    assert!(effects.contains(&Effect::LoadTrace(id)));
    let mut spans = trace_spans(id.0[0]);
    spans.insert(0, span(id.0[0], 9, Some(1), 105, true, false));
    let n = spans.len();
    app.update(Action::TraceLoaded(
        id,
        Some(TraceDetail {
            spans,
            logs: vec![vec![]; n],
            unjoined_logs: vec![],
        }),
    ));
    assert_eq!(app.trace.as_ref().unwrap().selected, Some(SpanId([3; 8])));
}

#[test]
fn detail_pane_tabs_copy_and_back_out() {
    let mut app = loaded_app();
    open_trace(&mut app);
    key(&mut app, Key::Enter);
    assert_eq!(app.trace.as_ref().unwrap().pane, Pane::Detail);
    key(&mut app, Key::Char('2'));
    assert_eq!(app.trace.as_ref().unwrap().tab, DetailTab::Attributes);
    key(&mut app, Key::Char(']'));
    assert_eq!(app.trace.as_ref().unwrap().tab, DetailTab::Events);
    key(&mut app, Key::Char('j'));
    assert_eq!(app.trace.as_ref().unwrap().detail_scroll, 1);
    assert!(matches!(
        key(&mut app, Key::Char('y')).as_slice(),
        [Effect::Copy(_)]
    ));
    key(&mut app, Key::Esc);
    assert_eq!(app.trace.as_ref().unwrap().pane, Pane::Tree);
    assert_eq!(
        key(&mut app, Key::Char('y')),
        vec![Effect::Copy(SpanId([1; 8]).to_string())]
    );
    key(&mut app, Key::Esc);
    assert_eq!(app.screen, Screen::Traces);
    assert!(app.trace.is_none());
}

#[test]
fn copy_trace_id_help_and_quit() {
    let mut app = loaded_app();
    assert_eq!(
        key(&mut app, Key::Char('y')),
        vec![Effect::Copy(TraceId([3; 16]).to_string())]
    );
    key(&mut app, Key::Char('?'));
    assert!(app.help);
    assert!(key(&mut app, Key::Char('j')).is_empty());
    assert_eq!(
        app.list.selected,
        Some(TraceId([3; 16])),
        "keys don't leak through help"
    );
    key(&mut app, Key::Esc);
    assert!(!app.help);
    assert_eq!(key(&mut app, Key::Char('q')), vec![Effect::Quit]);
    assert!(app.quit);
}

#[test]
fn mouse_wheel_and_click_select_rows() {
    let mut app = loaded_app();
    app.update(Action::Scroll(1));
    assert_eq!(app.list.selected, Some(TraceId([1; 16])));
    // Row 2 of the screen is the first list row (title, header above it).
    app.update(Action::Click(5, 2));
    assert_eq!(app.list.selected, Some(TraceId([3; 16])));
}

#[test]
fn the_selection_stays_on_screen_in_a_long_list() {
    let mut app = App::new(SourceInfo::default(), 80, 24);
    let list: Vec<TraceSummary> = (1..=100u8)
        .map(|t| {
            let mut s = span(t, 1, None, t as u64 * 1000, false, false);
            s.trace_id = TraceId([t; 16]);
            summary(&[s])
        })
        .collect();
    app.update(Action::TracesLoaded(list));
    for _ in 0..40 {
        key(&mut app, Key::Char('j'));
    }
    let rows = super::layout::compute(80, 24, Screen::Traces).list_rows();
    let row = app
        .list
        .traces
        .iter()
        .position(|t| Some(t.trace_id) == app.list.selected)
        .unwrap();
    assert!(row >= app.list.offset && row < app.list.offset + rows);
    key(&mut app, Key::PageUp);
    key(&mut app, Key::PageUp);
    let row = app
        .list
        .traces
        .iter()
        .position(|t| Some(t.trace_id) == app.list.selected)
        .unwrap();
    assert!(row >= app.list.offset && row < app.list.offset + rows);
}

#[test]
fn a_trace_opened_at_a_span_selects_it_and_esc_returns_where_it_came_from() {
    let mut app = loaded_app();
    key(&mut app, Key::Char('S'));
    assert_eq!(app.screen, Screen::Sessions);
    let id = TraceId([2; 16]);
    let effects = app.open_trace_at(id, Some(SpanId([4; 8])));
    assert_eq!(effects, vec![Effect::LoadTrace(id)]);
    let spans = trace_spans(2);
    app.update(Action::TraceLoaded(
        id,
        Some(TraceDetail {
            spans,
            ..Default::default()
        }),
    ));
    assert_eq!(app.trace.as_ref().unwrap().selected, Some(SpanId([4; 8])));
    key(&mut app, Key::Esc);
    assert_eq!(app.screen, Screen::Sessions);
    assert!(app.trace.is_none());
}

#[test]
fn the_analysis_screens_reach_each_other_and_esc_unwinds() {
    let mut app = loaded_app();
    let effects = key(&mut app, Key::Char('C'));
    assert_eq!(app.screen, Screen::Cost);
    assert!(matches!(effects.as_slice(), [Effect::LoadCost(_)]));
    let effects = key(&mut app, Key::Char('E'));
    assert_eq!(app.screen, Screen::Errors);
    assert!(matches!(effects.as_slice(), [Effect::LoadErrors(_)]));
    let effects = key(&mut app, Key::Char('V'));
    assert_eq!(app.screen, Screen::Evals);
    assert!(matches!(effects.as_slice(), [Effect::LoadEvals(_)]));
    key(&mut app, Key::Char('C'));
    assert_eq!(app.screen, Screen::Cost);
    key(&mut app, Key::Esc);
    assert_eq!(app.screen, Screen::Evals);
}

#[test]
fn alt_key_is_esc_then_the_key() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let alt_c = KeyEvent::new(KeyCode::Char('C'), KeyModifiers::ALT | KeyModifiers::SHIFT);
    assert_eq!(
        crate::ui::keys::keys_of(alt_c),
        vec![Key::Esc, Key::Char('C')]
    );
    let esc_esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::ALT);
    assert_eq!(crate::ui::keys::keys_of(esc_esc), vec![Key::Esc, Key::Esc]);
    let plain = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
    assert_eq!(crate::ui::keys::keys_of(plain), vec![Key::Char('c')]);
    let ctrl_alt = KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::ALT | KeyModifiers::CONTROL,
    );
    assert_eq!(
        crate::ui::keys::keys_of(ctrl_alt),
        vec![Key::Esc, Key::Ctrl('c')]
    );
}

fn receiving() -> App {
    let info = SourceInfo {
        attached_to: None,
        grpc_addrs: vec!["127.0.0.1:4317".into()],
        http_addrs: vec!["127.0.0.1:4318".into()],
    };
    App::new(info, 80, 24)
}

#[test]
fn q_asks_before_stopping_a_receiver_that_just_got_data() {
    let mut app = receiving();
    app.update(Action::Changed(vec![]));
    assert!(app.update(Action::Key(Key::Char('q'))).is_empty());
    assert!(!app.quit);
    assert!(
        app.message
            .as_deref()
            .is_some_and(|m| m.contains("stops collection"))
    );
    // Any other key keeps it running; the next q asks again, y confirms.
    app.update(Action::Key(Key::Char('j')));
    assert!(!app.quit && !app.confirm_quit);
    app.update(Action::Key(Key::Char('q')));
    assert_eq!(app.update(Action::Key(Key::Char('y'))), vec![Effect::Quit]);
    assert!(app.quit);
    // A second q confirms too.
    let mut app = receiving();
    app.update(Action::ChangedMany);
    app.update(Action::Key(Key::Char('q')));
    assert_eq!(app.update(Action::Key(Key::Char('q'))), vec![Effect::Quit]);
}

#[test]
fn q_quits_at_once_when_idle_attached_or_with_capital_q() {
    let mut idle = receiving();
    assert_eq!(idle.update(Action::Key(Key::Char('q'))), vec![Effect::Quit]);
    let mut stale = receiving();
    stale.last_data = Some(std::time::Instant::now() - crate::ui::quit::RECENT);
    assert_eq!(
        stale.update(Action::Key(Key::Char('q'))),
        vec![Effect::Quit]
    );
    let mut busy = receiving();
    busy.update(Action::Changed(vec![]));
    assert_eq!(busy.update(Action::Key(Key::Char('Q'))), vec![Effect::Quit]);
    let mut attached = App::new(
        SourceInfo {
            attached_to: Some("http://127.0.0.1:4318".into()),
            ..Default::default()
        },
        80,
        24,
    );
    attached.update(Action::Changed(vec![]));
    assert_eq!(
        attached.update(Action::Key(Key::Char('q'))),
        vec![Effect::Quit]
    );
}
