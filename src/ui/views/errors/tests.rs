//! The timeline rendered into `TestBackend`: snapshots at 80x24 and 120x40 of the
//! groups and of a group's occurrences, plus the facts a user reads off them.

use super::super::test_support::*;
use crate::errors::{TimeWindow, sample};
use crate::ui::app::{Action, App, Screen};
use crate::ui::keys::Key;
use crate::ui::theme::{ColorMode, Theme};

fn timeline(w: u16, h: u16) -> App {
    let mut app = App::new(info(), w, h);
    app.update(Action::Key(Key::Char('E')));
    app.update(Action::ErrorsLoaded(
        TimeWindow::Hour1,
        Box::new(sample::report(TimeWindow::Hour1)),
    ));
    assert_eq!(app.screen, Screen::Errors);
    app
}

fn all_text(t: &ratatui::Terminal<ratatui::backend::TestBackend>, h: u16) -> Vec<String> {
    (0..h).map(|y| text_row(t, y)).collect()
}

#[test]
fn timeline_groups() {
    for (w, h) in [(80, 24), (120, 40)] {
        let app = timeline(w, h);
        let t = screen(&app, &full());
        let rows = all_text(&t, h);
        assert!(
            rows[0].contains("error timeline") && rows[0].contains("last 1h"),
            "{}",
            rows[0]
        );
        assert!(rows[0].contains("10 errors"), "{}", rows[0]);
        assert!(
            rows[1].contains("errors per minute") && rows[1].contains("rate_limit 8"),
            "{}",
            rows[1]
        );
        let header = rows
            .iter()
            .position(|r| r.contains("CLASS"))
            .expect("groups header");
        for must in ["COUNT", "CHAINS", "LAST", "ERROR"] {
            assert!(rows[header].contains(must), "{}", rows[header]);
        }
        assert_eq!(rows[header].contains("SERVICES"), w >= 120);
        // The rate limits are one group, with their retry chains.
        let first = &rows[header + 1];
        assert!(
            first.starts_with("rate_limit") && first.contains("↻4"),
            "{first}"
        );
        assert!(first.contains("openai.RateLimitError"), "{first}");
        assert_eq!(
            rows.iter().filter(|r| r.starts_with("rate_limit")).count(),
            1,
            "{rows:#?}"
        );
        // What the narrow table leaves out is on the line under it.
        let footer = &rows[h as usize - 2];
        assert_eq!(
            footer.contains("first 18:30:00 · batch-summarizer · gpt-4o · saved ↻3 ⤳2 ✗1"),
            w < 120,
            "{footer}"
        );
        insta::assert_snapshot!(format!("errors_groups_{w}x{h}"), t.backend());
    }
}

#[test]
fn timeline_occurrences() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = timeline(w, h);
        app.update(Action::Key(Key::Enter));
        app.update(Action::Key(Key::Char('j')));
        let t = screen(&app, &full());
        let rows = all_text(&t, h);
        assert!(
            rows[1].contains("rate_limit") && rows[1].contains("8×"),
            "{}",
            rows[1]
        );
        assert!(
            rows.iter().any(|r| r.contains("attempt 1/2 → retry ok")),
            "{rows:#?}"
        );
        assert!(
            rows.iter()
                .any(|r| r.contains("Traceback (most recent call last)"))
        );
        assert!(
            rows.iter()
                .any(|r| r.contains("↻ 2 attempts of gpt-4o, waits 490ms → retry ok")),
            "{rows:#?}"
        );
        insta::assert_snapshot!(format!("errors_occurrences_{w}x{h}"), t.backend());
    }
}

#[test]
fn the_chart_stacks_classes_in_their_colors() {
    let app = timeline(120, 40);
    let theme = full();
    let t = screen(&app, &theme);
    let buf = t.backend().buffer();
    let bar_cells: Vec<_> = (0..buf.area.width)
        .flat_map(|x| (2..14).map(move |y| (x, y)))
        .filter(|(x, y)| buf[(*x, *y)].symbol() == "█")
        .collect();
    assert!(!bar_cells.is_empty());
    let yellow = bar_cells
        .iter()
        .filter(|(x, y)| buf[(*x, *y)].fg == theme.warning().fg.unwrap())
        .count();
    assert!(yellow > 0, "rate limits are drawn in the warning color");
}

#[test]
fn without_color_classes_get_patterns_and_an_empty_window_says_so() {
    let app = timeline(80, 24);
    let t = screen(&app, &Theme::new(ColorMode::None));
    let rows = all_text(&t, 24);
    assert!(
        rows[1].contains('█') && rows[1].contains('▓'),
        "{}",
        rows[1]
    );

    let mut empty = App::new(info(), 80, 24);
    empty.update(Action::Key(Key::Char('E')));
    empty.update(Action::ErrorsLoaded(
        TimeWindow::Hour1,
        Box::new(crate::errors::ErrorReport {
            classes: vec!["other".into()],
            now_unix_nano: sample::NOW,
            since_unix_nano: Some(sample::NOW - 3_600_000_000_000),
            ..Default::default()
        }),
    ));
    let t = screen(&empty, &full());
    let text = all_text(&t, 24).join("\n");
    assert!(text.contains("no errors in the last 1h"), "{text}");
}

/// The sample's spans of one trace, as the trace screen holds them.
fn open_sample_trace(app: &mut App, trace: u8) {
    let spans: Vec<_> = sample::spans()
        .into_iter()
        .filter(|s| s.trace_id == sample::trace_id(trace))
        .collect();
    let mut sorted = spans.clone();
    sorted.sort_by_key(|s| s.start_unix_nano);
    let detail = crate::query::TraceDetail {
        logs: vec![Vec::new(); sorted.len()],
        spans: sorted,
        unjoined_logs: Vec::new(),
    };
    app.open_trace_at(sample::trace_id(trace), Some(sample::span_id(trace, 2)));
    app.update(Action::TraceLoaded(sample::trace_id(trace), Some(detail)));
}

#[test]
fn the_span_tree_marks_chain_attempts_and_the_fallback() {
    let mut app = App::new(info(), 120, 40);
    open_sample_trace(&mut app, 3);
    let rows = all_text(&screen(&app, &full()), 40).join("\n");
    for attempt in ["↻1/3", "↻2/3", "↻3/3"] {
        assert!(rows.contains(attempt), "{attempt} in\n{rows}");
    }
    let mut app = App::new(info(), 80, 24);
    open_sample_trace(&mut app, 2);
    let rows = all_text(&screen(&app, &full()), 24).join("\n");
    assert!(rows.contains("⤳fallback"), "{rows}");
}

#[test]
fn the_trace_list_flags_retried_fallen_back_and_degraded_traces() {
    let store = sample::store();
    let mut summaries: Vec<_> = (1..=3)
        .map(|n| {
            use crate::store::TraceStore;
            store.trace_summary(sample::trace_id(n)).unwrap().unwrap()
        })
        .collect();
    summaries[0].start_unix_nano = T0 + 3_000_000_000;
    summaries[1].start_unix_nano = T0 + 2_000_000_000;
    summaries[2].start_unix_nano = T0 + 1_000_000_000;
    let mut app = App::new(info(), 80, 24);
    app.update(Action::TracesLoaded(summaries));
    let t = screen(&app, &full());
    // Newest first: retried ok (degraded), fell back (degraded), gave up (failed).
    assert!(
        text_row(&t, 2).contains("↻◐ summarize"),
        "{}",
        text_row(&t, 2)
    );
    assert!(
        text_row(&t, 3).contains("⤳◐ summarize"),
        "{}",
        text_row(&t, 3)
    );
    assert!(
        text_row(&t, 4).contains("↻ summarize"),
        "{}",
        text_row(&t, 4)
    );
}
