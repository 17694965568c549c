//! The error timeline as a user drives it: `E` from the list, the window, groups →
//! occurrences → the trace at the failing span, Esc back, live reloads.

use super::*;
use crate::errors::sample;
use crate::ui::app::{Action, App, SourceInfo};

fn key(app: &mut App, k: Key) -> Vec<Effect> {
    app.update(Action::Key(k))
}

/// An app on the timeline with the sample's last hour loaded.
fn on_timeline(w: u16, h: u16) -> App {
    let mut app = App::new(SourceInfo::default(), w, h);
    let effects = key(&mut app, Key::Char('E'));
    assert_eq!(app.screen, Screen::Errors);
    let Some(Effect::LoadErrors(req)) = effects.first() else {
        panic!("E loads the report: {effects:?}");
    };
    assert_eq!(req.window, TimeWindow::Hour1);
    app.update(Action::ErrorsLoaded(
        TimeWindow::Hour1,
        Box::new(sample::report(TimeWindow::Hour1)),
    ));
    app
}

#[test]
fn e_opens_the_timeline_and_esc_returns_to_where_it_came_from() {
    let mut app = on_timeline(80, 24);
    assert!(!app.errors.loading);
    assert_eq!(
        app.errors.selected_group().map(|g| g.class.as_str()),
        Some("rate_limit"),
        "the biggest group is selected"
    );
    key(&mut app, Key::Esc);
    assert_eq!(app.screen, Screen::Traces);

    key(&mut app, Key::Char('S'));
    assert_eq!(app.screen, Screen::Sessions);
    key(&mut app, Key::Char('E'));
    assert_eq!(app.screen, Screen::Errors);
    key(&mut app, Key::Esc);
    assert_eq!(app.screen, Screen::Sessions);
}

#[test]
fn w_cycles_the_window_and_reloads() {
    let mut app = on_timeline(80, 24);
    let mut seen = Vec::new();
    for _ in 0..4 {
        let effects = key(&mut app, Key::Char('w'));
        let Some(Effect::LoadErrors(req)) = effects.first() else {
            panic!("{effects:?}");
        };
        seen.push(req.window.label());
    }
    assert_eq!(seen, ["24h", "all", "15m", "1h"]);
    // A report for a window no longer shown is dropped.
    key(&mut app, Key::Char('w'));
    let before = app.errors.report.clone();
    app.update(Action::ErrorsLoaded(TimeWindow::Minutes15, Box::default()));
    assert_eq!(app.errors.report, before);
}

#[test]
fn enter_on_an_occurrence_opens_its_trace_at_the_failing_llm_span() {
    let mut app = on_timeline(120, 40);
    key(&mut app, Key::Enter);
    assert_eq!(app.errors.level, ErrorsLevel::Occurrences);
    let first = app.errors.selected_occurrence().unwrap().clone();
    key(&mut app, Key::Char('j'));
    let second = app.errors.selected_occurrence().unwrap().clone();
    assert!(
        second.time_unix_nano <= first.time_unix_nano,
        "newest first"
    );
    assert_eq!(second.span_name, "chat gpt-4o");
    assert!(
        second.role.is_some(),
        "its place in a chain or fallback is shown"
    );

    let effects = key(&mut app, Key::Enter);
    assert_eq!(effects, vec![Effect::LoadTrace(second.trace_id)]);
    assert_eq!(app.screen, Screen::Trace);
    let t = app.trace.as_ref().unwrap();
    assert_eq!(t.selected, second.span_id, "the failing span is selected");
    // Esc: back to the occurrences, where we were.
    key(&mut app, Key::Esc);
    assert_eq!(app.screen, Screen::Errors);
    assert_eq!(app.errors.level, ErrorsLevel::Occurrences);
    assert_eq!(app.errors.occurrence, 1);
    key(&mut app, Key::Esc);
    assert_eq!(app.errors.level, ErrorsLevel::Groups);
}

#[test]
fn live_changes_reload_only_while_the_timeline_is_shown() {
    let mut app = on_timeline(80, 24);
    let effects = app.update(Action::ChangedMany);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::LoadErrors(_))),
        "{effects:?}"
    );
    key(&mut app, Key::Esc);
    let effects = app.update(Action::Changed(vec![]));
    assert!(!effects.iter().any(|e| matches!(e, Effect::LoadErrors(_))));
}

#[test]
fn the_selection_follows_its_group_across_reloads() {
    let mut app = on_timeline(80, 24);
    key(&mut app, Key::Char('j'));
    let fp = app.errors.group.clone();
    assert_ne!(
        app.errors.selected_group().map(|g| g.class.as_str()),
        Some("rate_limit")
    );
    app.update(Action::ErrorsLoaded(
        TimeWindow::Hour1,
        Box::new(sample::report(TimeWindow::Hour1)),
    ));
    assert_eq!(app.errors.group, fp);
    // In the occurrences, new failures on top do not move the selection.
    key(&mut app, Key::Char('k'));
    key(&mut app, Key::Enter);
    key(&mut app, Key::Char('j'));
    let picked = app.errors.selected_occurrence().cloned();
    let mut newer = sample::report(TimeWindow::Hour1);
    let mut extra = newer.groups[0].occurrences[0].clone();
    extra.time_unix_nano += 60_000_000_000;
    newer.groups[0].occurrences.insert(0, extra);
    app.update(Action::ErrorsLoaded(TimeWindow::Hour1, Box::new(newer)));
    assert_eq!(app.errors.selected_occurrence().cloned(), picked);
    assert_eq!(app.errors.occurrence, 2);
    key(&mut app, Key::Esc);
    // Paging stays inside the list.
    key(&mut app, Key::Char('G'));
    let last = app.errors.groups().len() - 1;
    assert_eq!(app.errors.group_index(), Some(last));
}

#[test]
fn the_loader_builds_the_report_from_a_source() {
    let source = crate::query::LocalSource {
        store: std::sync::Arc::new(sample::store()),
        prices: std::sync::Arc::new(crate::pricing::PriceTable::builtin()),
    };
    let request = ErrorsRequest {
        window: TimeWindow::All,
        classifier: Default::default(),
    };
    let Action::ErrorsLoaded(w, report) = load_report(&source, &request, None) else {
        panic!("loaded");
    };
    assert_eq!(w, TimeWindow::All);
    assert_eq!(report.groups[0].class, "rate_limit");
    assert_eq!(report.groups[0].retry_chains, 4, "traces 1, 3, 4 and 5");
}
