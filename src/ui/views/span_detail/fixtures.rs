//! Test support shared by the span tree and span detail tests: the captured
//! fixtures (`tests/fixtures/`) decoded and normalized into `TraceDetail`s, and an
//! `App` driven to a trace the way the event loop drives it.

use std::path::Path;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message as _;

use crate::model::{LogRecord, Span, TraceId, TraceSummary};
use crate::normalize::{enrich_from_logs, normalize_logs, normalize_traces};
use crate::pricing::PriceTable;
use crate::query::TraceDetail;
use crate::ui::app::{Action, App, Effect, SourceInfo};
use crate::ui::keys::Key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Every span (and log record) of one fixture folder, in file order.
pub fn folder(name: &str) -> (Vec<Span>, Vec<LogRecord>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pb"))
        .collect();
    files.sort();
    let prices = PriceTable::builtin();
    let (mut spans, mut logs) = (Vec::new(), Vec::new());
    for f in files {
        let bytes = std::fs::read(&f).expect("fixture file");
        if f.to_string_lossy().ends_with("-traces.pb") {
            let req = ExportTraceServiceRequest::decode(bytes.as_slice()).expect("traces pb");
            spans.extend(normalize_traces(&req, &prices).spans);
        } else {
            let req = ExportLogsServiceRequest::decode(bytes.as_slice()).expect("logs pb");
            logs.extend(normalize_logs(&req).logs);
        }
    }
    (spans, logs)
}

/// The trace of `folder` whose root span is named `root`, as the store hands it out.
pub fn trace(name: &str, root: &str) -> TraceDetail {
    let (spans, logs) = folder(name);
    let id = spans
        .iter()
        .find(|s| s.name == root && s.parent_span_id.is_none())
        .map(|s| s.trace_id)
        .expect("root span in fixtures");
    let prices = PriceTable::builtin();
    let mut spans: Vec<Span> = spans.into_iter().filter(|s| s.trace_id == id).collect();
    let mut span_logs = Vec::new();
    for s in &mut spans {
        let mine: Vec<LogRecord> = logs
            .iter()
            .filter(|l| l.span_id == Some(s.span_id))
            .cloned()
            .collect();
        if !mine.is_empty() {
            enrich_from_logs(s, &mine, &prices);
        }
        span_logs.push(mine);
    }
    TraceDetail {
        spans,
        logs: span_logs,
        unjoined_logs: Vec::new(),
    }
}

/// The summary the store would keep for `detail`.
pub fn summary(detail: &TraceDetail) -> TraceSummary {
    let id = detail
        .spans
        .first()
        .map(|s| s.trace_id)
        .unwrap_or(TraceId([1; 16]));
    let mut s = TraceSummary::new(id);
    for span in &detail.spans {
        s.apply_span(span);
    }
    s
}

/// An app of `w`×`h` with `detail` loaded and open, as after Enter in the list.
pub fn open(detail: TraceDetail, w: u16, h: u16) -> App {
    let mut app = App::new(SourceInfo::default(), w, h);
    let summary = summary(&detail);
    let id = summary.trace_id;
    app.update(Action::TracesLoaded(vec![summary]));
    let effects = app.update(Action::Key(Key::Enter));
    assert_eq!(effects, vec![Effect::LoadTrace(id)]);
    app.update(Action::TraceLoaded(id, Some(detail)));
    app
}

/// Presses keys in order.
pub fn press(app: &mut App, keys: &[Key]) {
    for k in keys {
        app.update(Action::Key(*k));
    }
}

/// Types `s` as character keys.
pub fn type_str(app: &mut App, s: &str) {
    for c in s.chars() {
        app.update(Action::Key(Key::Char(c)));
    }
}

/// The whole screen as `views::draw` draws it.
pub fn render(app: &App, theme: &crate::ui::theme::Theme) -> Terminal<TestBackend> {
    let mut terminal =
        Terminal::new(TestBackend::new(app.width, app.height)).expect("test backend");
    terminal
        .draw(|f| crate::ui::views::draw(f, app, theme))
        .expect("draw");
    terminal
}

/// Row `y` of the screen as text.
pub fn row(terminal: &Terminal<TestBackend>, y: u16) -> String {
    let buf = terminal.backend().buffer();
    (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
}
