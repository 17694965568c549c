//! Snapshot, style and screen-safety tests of the trace screen (span tree + span
//! detail), on the captured fixtures, driven through `App::update` like the event
//! loop drives it and drawn by `views::draw` at 80x24 and 120x40.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use super::fixtures::{open, press, render, row, trace, type_str};
use crate::model::{
    AttrValue, LlmFacet, LlmKind, LogRecord, Message, Span, SpanEvent, SpanKind, Status,
    StatusCode, ToolCall,
};
use crate::query::TraceDetail;
use crate::ui::app::{DetailTab, Effect, Pane};
use crate::ui::keys::Key;
use crate::ui::theme::{ColorMode, Theme};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Snapshots live in `src/ui/views/snapshots/` with the other views'.
fn snap(name: &str, terminal: &Terminal<TestBackend>) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(true);
    settings.bind(|| insta::assert_snapshot!(name, terminal.backend()));
}

fn theme() -> Theme {
    Theme::new(ColorMode::Full)
}

/// Renders `setup`'s app at both sizes and snapshots each as `name_WxH`.
fn snap_both(name: &str, detail: impl Fn() -> TraceDetail, keys: &[Key], typed: &str) {
    for (w, h) in SIZES {
        let mut app = open(detail(), w, h);
        press(&mut app, keys);
        type_str(&mut app, typed);
        snap(&format!("{name}_{w}x{h}"), &render(&app, &theme()));
    }
}

fn agent() -> TraceDetail {
    trace("openinference", "agent.run")
}

fn text_of(terminal: &Terminal<TestBackend>) -> String {
    let h = terminal.backend().buffer().area.height;
    (0..h)
        .map(|y| row(terminal, y))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn tree_with_waterfall() {
    snap_both("trace_tree", agent, &[], "");
}

#[test]
fn chat_of_the_call_with_the_tool_call() {
    // n: the next model call; Tab: into the detail.
    snap_both(
        "span_detail_chat_tool_call",
        agent,
        &[Key::Char('n'), Key::Tab],
        "",
    );
}

#[test]
fn chat_of_the_second_call_with_the_tool_result() {
    let keys = [Key::Char('n'), Key::Char('n'), Key::Tab];
    snap_both("span_detail_chat_tool_result", agent, &keys, "");
}

#[test]
fn chat_of_the_openai_v2_call() {
    let detail = || trace("openai-v2", "agent.run");
    snap_both(
        "span_detail_chat_openai_v2",
        detail,
        &[Key::Char('n'), Key::Tab],
        "",
    );
}

#[test]
fn tool_span() {
    let mut app = open(agent(), 80, 24);
    press(&mut app, &[Key::Char('j'), Key::Char('j'), Key::Tab]);
    snap("span_detail_tool_span_80x24", &render(&app, &theme()));
}

#[test]
fn attributes_filtered() {
    let keys = [Key::Char('n'), Key::Tab, Key::Char('2'), Key::Char('/')];
    snap_both(
        "span_detail_attributes_filtered",
        agent,
        &keys,
        "token_count",
    );
}

#[test]
fn raw_tab() {
    let keys = [Key::Char('n'), Key::Char('5')];
    snap_both("span_detail_raw", agent, &keys, "");
}

#[test]
fn rate_limited_error_span() {
    let detail = || trace("openinference", "agent.run.flaky");
    snap_both("span_detail_rate_limited", detail, &[Key::Char('j')], "");
}

#[test]
fn rag_embedding_trace() {
    let detail = || trace("openinference", "rag.retrieve");
    snap_both("span_detail_rag_embedding", detail, &[Key::Char('j')], "");
}

#[test]
fn logs_tab_of_events_convention() {
    let detail = || trace("openai-v2-events", "agent.run");
    snap_both(
        "span_detail_logs",
        detail,
        &[Key::Char('n'), Key::Char('4')],
        "",
    );
}

#[test]
fn root_span_with_eval_and_events() {
    snap_both("span_detail_root_events", agent, &[Key::Char('3')], "");
}

#[test]
fn errors_stand_out_in_style() {
    let mut app = open(trace("openinference", "agent.run.flaky"), 120, 40);
    app.update(crate::ui::app::Action::Key(Key::Char('j')));
    let theme = theme();
    let terminal = render(&app, &theme);
    let buf = terminal.backend().buffer();
    let err_fg = theme.error().fg;
    assert!(err_fg.is_some());
    // The tree title counts the errors in the error style.
    let title = row(&terminal, 1);
    let x = title
        .chars()
        .position(|c| c == '✗')
        .expect("error count in title");
    assert_eq!(buf[(x as u16, 1)].fg, err_fg.unwrap_or(Color::Reset));
    // Both spans failed: each tree row has a ✗ mark in the error style.
    for y in 2..4u16 {
        let line = row(&terminal, y);
        let x = line
            .chars()
            .position(|c| c == '✗')
            .expect("mark on error row");
        assert_eq!(
            buf[(x as u16, y)].fg,
            err_fg.unwrap_or(Color::Reset),
            "{line}"
        );
    }
    // The detail's title says error, in the error style.
    let detail_x = crate::ui::layout::compute(120, 40, app.screen).detail.x;
    let dt = row(&terminal, 1);
    let x = dt.chars().skip(detail_x as usize).position(|c| c == '✗');
    let x = x.expect("error in detail title") as u16 + detail_x;
    assert_eq!(buf[(x, 1)].fg, err_fg.unwrap_or(Color::Reset));
    // The exception type in the chat tab.
    let text = text_of(&terminal);
    assert!(text.contains("RateLimitError"), "{text}");
}

#[test]
fn plain_text_is_the_tab_without_styles() {
    let mut app = open(agent(), 120, 40);
    press(&mut app, &[Key::Char('n'), Key::Tab]);
    let effects = app.update(crate::ui::app::Action::Key(Key::Char('y')));
    let Some(Effect::Copy(text)) = effects.first() else {
        panic!("y copies: {effects:?}")
    };
    assert!(text.contains("→ get_weather("), "{text}");
    assert!(text.contains("\"city\": \"Paris\""), "{text}");
    assert!(text.contains("system (") || text.contains("user"), "{text}");
    let t = app.trace.as_mut().expect("open trace");
    t.tab = DetailTab::Raw;
    let raw = super::plain_text(t);
    let v: serde_json::Value = serde_json::from_str(&raw).expect("raw tab is JSON");
    assert_eq!(v["name"], "ChatCompletion");
}

#[test]
fn scrolling_is_clamped_to_the_content() {
    let mut app = open(agent(), 80, 24);
    press(
        &mut app,
        &[Key::Char('n'), Key::Tab, Key::Char('5'), Key::Char('G')],
    );
    let t = app.trace.as_ref().expect("open trace");
    assert_eq!(t.pane, Pane::Detail);
    assert!(t.detail_scroll > 1_000_000);
    let terminal = render(&app, &theme());
    let text = text_of(&terminal);
    // The last line of the raw JSON is on screen, and the position shows the end.
    let l = crate::ui::layout::compute(80, 24, app.screen);
    let last = row(&terminal, l.detail.bottom() - 1);
    assert_eq!(last.trim(), "}", "{text}");
    let tabs = row(&terminal, l.detail.y + 1);
    let pos = tabs.split_whitespace().last().unwrap_or("");
    let (range, total) = pos.split_once('/').expect("position on the tab bar");
    assert!(range.ends_with(&format!("-{total}")), "{tabs}");
}

#[test]
fn renders_ten_thousand_spans() {
    let detail = crate::ui::views::trace_tree::bench_detail(10_000);
    let mut app = open(detail, 120, 40);
    // Deep into the tree: the window follows the selection.
    press(&mut app, &[Key::Char('G'), Key::Char('k')]);
    let terminal = render(&app, &theme());
    let title = row(&terminal, 1);
    assert!(title.contains("10000 spans"), "{title}");
    let t = app.trace.as_ref().expect("open trace");
    let sel = t.selected_index().expect("selection");
    let name = &t.detail.spans[sel].name;
    let l = crate::ui::layout::compute(120, 40, app.screen);
    let row_y = l.main.y + 1 + (t.visible.len() - 2 - t.offset) as u16;
    assert!(
        row(&terminal, row_y).contains(name.as_str()),
        "{}",
        text_of(&terminal)
    );
}

// ---------------------------------------------------------------- screen safety

const HOSTILE: &[&str] = &[
    "\x1b[2J",
    "\x1b]0;title\x07",
    "\x1b]52;c;Zm9v\x07",
    "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "\u{202e}",
    "\0",
    "\x7f",
    "\u{9b}",
];

fn hostile(tag: &str) -> String {
    let mut s = format!("{tag}:");
    for h in HOSTILE {
        s.push_str(h);
        s.push('|');
    }
    s.push_str("日本語テキスト e\u{301}");
    s
}

fn is_dangerous(c: char) -> bool {
    let u = c as u32;
    u < 0x20
        || u == 0x7f
        || (0x80..0xa0).contains(&u)
        || matches!(u, 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
}

fn hostile_detail() -> TraceDetail {
    let mut base = agent();
    let root = base.spans.iter().position(|s| s.parent_span_id.is_none());
    let root = base.spans[root.expect("root")].clone();
    let long = "A".repeat(10_000);
    let mut llm = LlmFacet::new(LlmKind::Chat);
    llm.request_model = Some(hostile("model"));
    llm.input_tokens = Some(12);
    llm.output_tokens = Some(3);
    llm.input_messages = vec![
        Message {
            role: "system".into(),
            content: hostile("system"),
            ..Default::default()
        },
        Message {
            role: hostile("role"),
            content: format!("{}\n{long}", hostile("user")),
            ..Default::default()
        },
        Message {
            role: "tool".into(),
            content: format!("{{\"out\": \"{}\"}}", "\\u001b[2J\u{202e}\u{9b}"),
            tool_call_id: Some(hostile("id")),
            ..Default::default()
        },
    ];
    llm.output_messages = vec![Message {
        role: "assistant".into(),
        content: hostile("answer"),
        tool_calls: vec![ToolCall {
            id: Some(hostile("call")),
            name: hostile("tool"),
            arguments: serde_json::json!({ "q": hostile("arg"), "long": long }).to_string(),
        }],
        tool_call_id: None,
    }];
    let mut attributes = crate::model::Attributes::new();
    attributes.insert(hostile("key"), AttrValue::Str(hostile("value")));
    attributes.insert(
        "json".into(),
        AttrValue::Str(format!("{{\"a\": \"{}\"}}", hostile("j").escape_default())),
    );
    attributes.insert(
        "map".into(),
        AttrValue::Map(vec![(hostile("k"), AttrValue::Str(hostile("v")))]),
    );
    attributes.insert("long".into(), AttrValue::Str(long.clone()));
    let span = Span {
        span_id: crate::model::SpanId([9; 8]),
        parent_span_id: Some(root.span_id),
        name: hostile("name"),
        kind: SpanKind::Client,
        status: Status {
            code: StatusCode::Error,
            message: hostile("status"),
        },
        attributes: attributes.clone(),
        events: vec![SpanEvent {
            name: "exception".into(),
            time_unix_nano: root.start_unix_nano + 1_000,
            attributes: [
                (
                    "exception.type".to_string(),
                    AttrValue::Str(hostile("type")),
                ),
                (
                    "exception.stacktrace".to_string(),
                    AttrValue::Str(hostile("stack")),
                ),
            ]
            .into_iter()
            .collect(),
        }],
        llm: Some(llm),
        start_unix_nano: root.start_unix_nano + 10,
        end_unix_nano: root.start_unix_nano + 20,
        ..root.clone()
    };
    let log = LogRecord {
        trace_id: Some(root.trace_id),
        span_id: Some(span.span_id),
        time_unix_nano: root.start_unix_nano + 15,
        observed_time_unix_nano: 0,
        severity_number: 17,
        severity_text: hostile("sev"),
        event_name: Some(hostile("event")),
        body: AttrValue::Str(format!("{}\n{long}", hostile("body"))),
        attributes,
        service: hostile("svc"),
    };
    base.spans.push(span);
    base.logs.push(vec![log]);
    base
}

#[test]
fn hostile_text_never_reaches_the_screen() {
    for (w, h) in SIZES {
        let mut app = open(hostile_detail(), w, h);
        // The hostile span sorts after the root's other children: select it by id.
        let t = app.trace.as_mut().expect("open trace");
        t.selected = Some(crate::model::SpanId([9; 8]));
        app.update(crate::ui::app::Action::Resize(w, h));
        let l = crate::ui::layout::compute(w, h, app.screen);
        for (tab, key) in ["chat", "attributes", "events", "logs", "raw"]
            .iter()
            .zip('1'..)
        {
            press(&mut app, &[Key::Char(key)]);
            for expanded in [false, true] {
                app.trace.as_mut().expect("trace").system_expanded = expanded;
                let terminal = render(&app, &theme());
                let buf = terminal.backend().buffer();
                for cell in buf.content() {
                    assert!(
                        !cell.symbol().chars().any(is_dangerous),
                        "{tab} at {w}x{h}: {:?}",
                        cell.symbol()
                    );
                }
                // The layout holds: the tree title, the detail title and tab bar.
                assert!(row(&terminal, l.main.y).contains("trace "), "{tab}");
                let tabs: String = row(&terminal, l.detail.y + 1)
                    .chars()
                    .skip(l.detail.x as usize)
                    .collect();
                assert!(
                    tabs.trim_start_matches(['│', ' ']).starts_with("Chat"),
                    "{tab} {w}x{h}: {tabs}"
                );
                let title: String = row(&terminal, l.detail.y)
                    .chars()
                    .skip(l.detail.x as usize)
                    .collect();
                assert!(title.contains("name:"), "{title}");
                assert!(title.contains("\\x1b[2J"), "escapes are shown: {title}");
            }
        }
    }
}

#[test]
fn hostile_span_as_shown() {
    let mut app = open(hostile_detail(), 80, 24);
    app.trace.as_mut().expect("trace").selected = Some(crate::model::SpanId([9; 8]));
    press(&mut app, &[Key::Tab]);
    snap("span_detail_hostile_chat_80x24", &render(&app, &theme()));
}

#[test]
fn without_color_errors_are_bold() {
    let mut app = open(trace("openinference", "agent.run.flaky"), 80, 24);
    press(&mut app, &[Key::Char('j')]);
    let theme = Theme::new(ColorMode::None);
    let terminal = render(&app, &theme);
    let buf = terminal.backend().buffer();
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == Color::Reset || c.fg == Color::default())
    );
    let y = 3;
    let line = row(&terminal, y);
    let x = line.chars().position(|c| c == '✗').expect("mark") as u16;
    let m = buf[(x, y)].modifier;
    assert!(m.contains(ratatui::style::Modifier::BOLD), "{line}");
}

#[test]
fn a_wrapper_row_shows_the_figures_of_the_call_it_wraps() {
    // OpenInference LlamaIndex: `OpenAI.predict` (no usage) around `OpenAI.chat`.
    let detail = || trace("llamaindex", "RetrieverQueryEngine.query");
    {
        let t = render(&open(detail(), 120, 40), &theme());
        let text = text_of(&t);
        let row = |name: &str| {
            text.lines()
                .find(|l| l.contains(name))
                .unwrap_or_else(|| panic!("{name}: {text}"))
                .to_string()
        };
        assert!(row("OpenAI.predict").contains("42→17"), "{text}");
        assert!(row("OpenAI.chat").contains("42→17"), "{text}");
        // The title counts the call once.
        assert!(text.lines().next().unwrap().contains("59 tok"), "{text}");
    }
    snap_both("trace_tree_llamaindex_wrapper", detail, &[], "");
}
