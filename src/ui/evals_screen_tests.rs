//! The scorecards screen's keys: opening, grouping, drilling down to the trace at
//! the evaluated span and back, comparing, the window.

use super::*;
use crate::evals::test_records::demo_like;
use crate::model::{SpanId, TraceId};
use crate::ui::app::{Action, SourceInfo};

fn loaded() -> App {
    let mut app = App::new(SourceInfo::default(), 100, 30);
    let fx = app.update(Action::Key(Key::Char('V')));
    assert_eq!(
        fx,
        vec![Effect::LoadEvals(Some(3600))],
        "opens on the last hour"
    );
    app.update(Action::EvalsLoaded(demo_like()));
    app
}

fn key(app: &mut App, k: Key) -> Vec<Effect> {
    app.update(Action::Key(k))
}

#[test]
fn v_opens_from_the_list_and_sessions_and_esc_returns_there() {
    let mut app = loaded();
    assert_eq!(app.screen, Screen::Evals);
    key(&mut app, Key::Esc);
    assert_eq!(app.screen, Screen::Traces);
    key(&mut app, Key::Char('S'));
    key(&mut app, Key::Char('V'));
    assert_eq!(app.screen, Screen::Evals);
    key(&mut app, Key::Esc);
    assert_eq!(app.screen, Screen::Sessions);
}

#[test]
fn tab_cycles_the_grouping_and_w_the_window() {
    let mut app = loaded();
    assert_eq!(app.evals.grouping, Grouping::Experiment);
    key(&mut app, Key::Tab);
    assert_eq!(app.evals.grouping, Grouping::Model);
    assert!(app.evals.rows.iter().any(|r| r.group == "gpt-4.1-mini"));
    key(&mut app, Key::Tab);
    assert_eq!(app.evals.grouping, Grouping::Service);
    key(&mut app, Key::Tab);
    assert_eq!(app.evals.grouping, Grouping::Experiment);
    let windows: Vec<Vec<Effect>> = (0..4).map(|_| key(&mut app, Key::Char('w'))).collect();
    assert_eq!(
        windows,
        [
            vec![Effect::LoadEvals(Some(86_400))],
            vec![Effect::LoadEvals(None)],
            vec![Effect::LoadEvals(Some(900))],
            vec![Effect::LoadEvals(Some(3600))],
        ]
    );
}

#[test]
fn enter_reaches_the_trace_behind_the_worst_score_and_esc_comes_back() {
    let mut app = loaded();
    // The helpfulness × prompt-v2 row.
    let row = app
        .evals
        .rows
        .iter()
        .position(|r| r.evaluator == "helpfulness" && r.group == "prompt-v2")
        .unwrap();
    for _ in 0..row {
        key(&mut app, Key::Char('j'));
    }
    key(&mut app, Key::Enter);
    assert_eq!(app.evals.view, EvalsView::Worst);
    let worst = &app.evals.worst[0];
    assert_eq!(worst.score, Some(0.38), "the worst result first");
    let (trace, span) = (worst.trace_id, worst.span_id);
    let fx = key(&mut app, Key::Enter);
    assert_eq!(fx, vec![Effect::LoadTrace(trace)]);
    assert_eq!(app.screen, Screen::Trace);
    assert_eq!(app.trace.as_ref().unwrap().selected, Some(span));
    key(&mut app, Key::Esc);
    assert_eq!(
        (app.screen, app.evals.view),
        (Screen::Evals, EvalsView::Worst)
    );
    key(&mut app, Key::Esc);
    assert_eq!(app.evals.view, EvalsView::Scorecard);
}

#[test]
fn compare_opens_the_regressed_example_and_a_b_x_pick_experiments() {
    let mut app = loaded();
    key(&mut app, Key::Char('c'));
    assert_eq!(app.evals.view, EvalsView::Compare);
    assert_eq!(
        app.evals.pair,
        Some(("prompt-v1".to_string(), "prompt-v2".to_string()))
    );
    let first = &app.evals.comparison.as_ref().unwrap().examples[0];
    assert_eq!(first.change, crate::evals::experiments::Change::Regressed);
    let b = first.b.clone().unwrap();
    let fx = key(&mut app, Key::Enter);
    assert_eq!(fx, vec![Effect::LoadTrace(b.trace_id)]);
    assert_eq!(app.trace.as_ref().unwrap().selected, Some(b.span_id));
    key(&mut app, Key::Esc);
    assert_eq!(app.evals.view, EvalsView::Compare);
    key(&mut app, Key::Char('x'));
    assert_eq!(
        app.evals.pair,
        Some(("prompt-v2".to_string(), "prompt-v1".to_string()))
    );
    // With only two experiments, `a` finds no third one and keeps the pair.
    key(&mut app, Key::Char('a'));
    assert_eq!(app.evals.pair.as_ref().unwrap().0, "prompt-v2");
    key(&mut app, Key::Esc);
    assert_eq!(app.evals.view, EvalsView::Scorecard);
}

#[test]
fn live_changes_reload_the_screen_and_selection_survives_a_reload() {
    let mut app = loaded();
    key(&mut app, Key::Char('j'));
    key(&mut app, Key::Char('j'));
    let before = app.evals.rows[app.evals.selected].clone();
    let fx = app.update(Action::Changed(vec![TraceId([1; 16])]));
    assert!(fx.contains(&Effect::LoadEvals(Some(3600))), "{fx:?}");
    let mut more = demo_like();
    let mut extra = more[0].clone();
    extra.name = "aaa_first".into();
    extra.span_id = SpanId([99; 8]);
    more.push(extra);
    app.update(Action::EvalsLoaded(more));
    let after = &app.evals.rows[app.evals.selected];
    assert_eq!(
        (&after.evaluator, &after.group),
        (&before.evaluator, &before.group)
    );
}
