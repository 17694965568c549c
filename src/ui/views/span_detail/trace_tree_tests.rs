//! Tests of the span tree view: the waterfall axis, column alignment at every depth,
//! narrow widths, collapsing and loading. (A child module of `trace_tree`, kept in
//! this folder so `trace_tree.rs` stays short.)

use super::*;
use crate::ui::app::Action;
use crate::ui::keys::Key;
use crate::ui::layout;
use crate::ui::theme::ColorMode;
use crate::ui::views::span_detail::fixtures::{open, press, render, row, summary, trace};

#[test]
fn bars_sit_on_the_time_axis() {
    let axis = Axis::new(1000, 1100, 10);
    assert_eq!(axis.bar(1000, 1100), (0, "█".repeat(10), 0));
    assert_eq!(axis.bar(1050, 1060), (5, "█".into(), 4));
    // Shorter than a cell: still one mark, an eighth wide.
    assert_eq!(axis.bar(1000, 1001), (0, "▏".into(), 9));
    assert_eq!(axis.bar(1000, 1015), (0, "█▌".into(), 8));
    // Outside the axis (clock skew): clamped, never out of the column.
    assert_eq!(axis.bar(0, 5000), (0, "█".repeat(10), 0));
    assert_eq!(axis.bar(9000, 9999), (9, "▏".into(), 0));
    assert_eq!(Axis::new(5, 5, 4).bar(5, 5), (0, "▏".into(), 3));
}

#[test]
fn models_are_shortened() {
    assert_eq!(short_model("gpt-4o-mini-2024-07-18"), "gpt-4o-mini");
    assert_eq!(
        short_model("claude-3-5-sonnet-20241022"),
        "claude-3-5-sonnet"
    );
    assert_eq!(short_model("models/gemini-1.5-pro"), "gemini-1.5-pro");
    assert_eq!(short_model("llama3.1:8b"), "llama3.1:8b");
    assert_eq!(short_model(""), "");
}

#[test]
fn the_waterfall_column_lines_up_at_every_depth() {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut app = open(bench_detail(60), w, h);
        press(&mut app, &[Key::Char('j'), Key::Char('j')]);
        let terminal = render(&app, &Theme::new(ColorMode::Full));
        let l = layout::compute(w, h, app.screen);
        let cols = Columns::new(l.main.width as usize, true);
        assert!(cols.bar >= 10, "{w}x{h}: {cols:?}");
        let bar_x = (l.main.right() as usize) - cols.bar;
        let t = app.trace.as_ref().expect("trace");
        let depths: HashSet<usize> = t.visible.iter().map(|&i| t.tree.depth[i]).collect();
        assert!(depths.len() >= 4, "nested: {depths:?}");
        for y in l.main.y + 1..l.main.bottom() {
            let cells: Vec<String> = {
                let buf = terminal.backend().buffer();
                (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect()
            };
            let line = row(&terminal, y);
            // A space before the bar, or `◆` for a span on the critical path.
            let before_bar: String = cells[..bar_x].concat();
            assert!(
                before_bar.trim_end().ends_with('s') || before_bar.trim_end().ends_with('◆'),
                "{w}x{h} row {y}: {line}"
            );
            let dur_end = bar_x - 1 - cols.self_time - 1;
            assert!(cells[dur_end].ends_with('s'), "{w}x{h} row {y}: {line}");
            let bar: String = cells[bar_x..l.main.right() as usize].concat();
            assert!(
                bar.chars().any(|c| "█▏▎▍▌▋▊▉".contains(c)),
                "{w}x{h} row {y}: {line}"
            );
        }
    }
}

#[test]
fn narrow_trees_drop_cost_then_the_waterfall() {
    let wide = Columns::new(120, true);
    assert!(wide.cost > 0 && wide.bar > 10);
    let eighty = Columns::new(80, true);
    assert_eq!(eighty.cost, 0);
    assert!(eighty.bar >= 10 && eighty.label >= 30, "{eighty:?}");
    let narrow = Columns::new(45, true);
    assert_eq!(narrow.bar, 0);
    assert!(narrow.label >= 15, "{narrow:?}");
}

#[test]
fn collapsed_spans_hide_their_children() {
    let mut app = open(trace("openinference", "agent.run"), 80, 24);
    press(&mut app, &[Key::Char('h')]);
    let terminal = render(&app, &Theme::new(ColorMode::Full));
    assert!(
        row(&terminal, 2).contains("▸ AGENT agent.run"),
        "{}",
        row(&terminal, 2)
    );
    assert!(row(&terminal, 3).trim().is_empty(), "{}", row(&terminal, 3));
    press(&mut app, &[Key::Char('l')]);
    let terminal = render(&app, &Theme::new(ColorMode::Full));
    assert!(row(&terminal, 2).contains("▾ AGENT agent.run"));
    assert!(row(&terminal, 3).contains("ChatCompletion"));
}

#[test]
fn loading_until_the_spans_arrive() {
    let detail = trace("openinference", "agent.run");
    let mut app = App::new(Default::default(), 80, 24);
    app.update(Action::TracesLoaded(vec![summary(&detail)]));
    app.update(Action::Key(Key::Enter));
    let terminal = render(&app, &Theme::new(ColorMode::Full));
    assert!(
        row(&terminal, 2).contains("loading…"),
        "{}",
        row(&terminal, 2)
    );
    assert!(row(&terminal, 1).contains("trace e232cd96"));
}

#[test]
fn bad_data_still_draws_a_tree() {
    // A duplicated span and a parent cycle.
    let mut detail = bench_detail(6);
    let dup = detail.spans[2].clone();
    detail.spans.push(dup);
    detail.logs.push(Vec::new());
    let (a, b) = (detail.spans[4].span_id, detail.spans[5].span_id);
    detail.spans[4].parent_span_id = Some(b);
    detail.spans[5].parent_span_id = Some(a);
    let app = open(detail, 80, 24);
    let terminal = render(&app, &Theme::new(ColorMode::Full));
    assert!(
        row(&terminal, 2).contains("agent.run"),
        "{}",
        row(&terminal, 2)
    );
    assert!(
        row(&terminal, 1).contains("7 spans"),
        "{}",
        row(&terminal, 1)
    );
}

#[test]
fn very_deep_traces_are_drawn() {
    let mut detail = bench_detail(400);
    for i in 1..detail.spans.len() {
        detail.spans[i].parent_span_id = Some(detail.spans[i - 1].span_id);
    }
    let mut app = open(detail, 120, 40);
    press(&mut app, &[Key::Char('G')]);
    let terminal = render(&app, &Theme::new(ColorMode::Full));
    let t = app.trace.as_ref().expect("trace");
    let sel = t.selected_index().expect("selection");
    let l = layout::compute(120, 40, app.screen);
    let y = l.main.y + 1 + (t.visible.len() - 1 - t.offset) as u16;
    assert!(row(&terminal, y).contains('▌'), "{}", row(&terminal, y));
    assert_eq!(t.tree.depth[sel], 399);
}
