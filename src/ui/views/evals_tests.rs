//! Snapshots of the scorecard, the worst results and the comparison at 80x24 and
//! 120x40, over records like the demo's two experiments.

use super::super::test_support::*;
use crate::evals::test_records::demo_like;
use crate::ui::app::{Action, App};
use crate::ui::keys::Key;

fn evals_app(w: u16, h: u16) -> App {
    let mut app = app(w, h);
    app.update(Action::Key(Key::Char('V')));
    app.update(Action::EvalsLoaded(demo_like()));
    app
}

fn all_text(t: &ratatui::Terminal<ratatui::backend::TestBackend>, h: u16) -> String {
    (0..h).map(|y| text_row(t, y) + "\n").collect()
}

#[test]
fn scorecard_view() {
    for (w, h) in [(80, 24), (120, 40)] {
        let app = evals_app(w, h);
        let t = screen(&app, &full());
        let title = text_row(&t, 0);
        assert!(
            title.contains("evals") && title.contains("24 results"),
            "{title}"
        );
        let head = text_row(&t, 1);
        for must in ["EVALUATOR", "EXPERIMENT", "MEAN", "PASS"] {
            assert!(head.contains(must), "{head}");
        }
        assert_eq!(head.contains("PASS RATE"), w >= 110);
        // helpfulness in prompt-v2: mean (0.86+0.45+0.84+0.90+0.38)/5 = 0.69, 3 of 5 pass.
        let text = all_text(&t, h);
        let v2 = text
            .lines()
            .find(|l| l.contains("helpfulness") && l.contains("prompt-v2"))
            .unwrap();
        assert!(v2.contains("0.69") && v2.contains("60%"), "{v2}");
        insta::assert_snapshot!(format!("evals_scorecard_{w}x{h}"), t.backend());
    }
}

#[test]
fn worst_results_view() {
    let mut app = evals_app(80, 24);
    // Rows: answer_relevance —, correctness v1, correctness v2, …
    app.update(Action::Key(Key::Char('j')));
    app.update(Action::Key(Key::Char('j')));
    app.update(Action::Key(Key::Enter));
    let t = screen(&app, &full());
    let first = text_row(&t, 3);
    assert!(
        first.contains("0.00") && first.contains("incorrect") && first.contains("ex-004"),
        "{first}"
    );
    insta::assert_snapshot!("evals_worst_80x24", t.backend());
}

#[test]
fn compare_view() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = evals_app(w, h);
        app.update(Action::Key(Key::Char('c')));
        let t = screen(&app, &full());
        let text = all_text(&t, h);
        assert!(text.contains("A prompt-v1 → B prompt-v2"), "{text}");
        assert!(text.contains("3 regressed"), "{text}");
        // Regressions first: the three regressed examples lead the example table.
        let rows: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("CHANGE"))
            .skip(1)
            .take(4)
            .collect();
        assert!(
            rows[..3].iter().all(|r| r.starts_with("regressed")),
            "{rows:?}"
        );
        assert!(
            rows[0].contains("ex-004") && rows[0].contains("correctness"),
            "{rows:?}"
        );
        assert!(!rows[3].starts_with("regressed"), "{rows:?}");
        insta::assert_snapshot!(format!("evals_compare_{w}x{h}"), t.backend());
    }
}

#[test]
fn no_results_explains_where_they_come_from() {
    let mut app = app(80, 24);
    app.update(Action::Key(Key::Char('V')));
    app.update(Action::EvalsLoaded(Vec::new()));
    let t = screen(&app, &full());
    let text = all_text(&t, 24);
    assert!(
        text.contains("gen_ai.evaluation.result") && text.contains("[[evaluators]]"),
        "{text}"
    );
}

#[test]
fn the_trace_list_shows_an_eval_badge_when_traces_have_results() {
    let mut traces = traces();
    traces[0].evals.push(crate::model::EvalSummary {
        name: "answer_relevance".into(),
        count: 4,
        scored: 4,
        score_sum: 2.6,
        judged: 4,
        passed: 3,
    });
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = App::new(info(), w, h);
        app.update(Action::TracesLoaded(traces.clone()));
        let t = screen(&app, &full());
        assert!(
            text_row(&t, 1).trim_end().ends_with("EVAL"),
            "{}",
            text_row(&t, 1)
        );
        let weather = (2..h)
            .map(|y| text_row(&t, y))
            .find(|r| r.contains("agent.run ") && r.contains("weather-agent"))
            .unwrap();
        assert!(weather.trim_end().ends_with("75%"), "{weather}");
    }
}
