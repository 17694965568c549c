//! Protobuf bytes → decode → normalize → store → every screen of the trace rendered.
//! Nothing may panic, and no control character may reach the terminal buffer.
//! Shared by the cargo-fuzz target and the replay test (`tests/integration/fuzz_replay.rs`).
use std::sync::LazyLock;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use spanlens::normalize::normalize_traces;
use spanlens::pricing::PriceTable;
use spanlens::query::trace_detail;
use spanlens::store::{IngestBatch, MemoryStore, TraceQuery, TraceStore};
use spanlens::ui::keys::Key;
use spanlens::ui::theme::{ColorMode, Theme};
use spanlens::ui::{Action, App, SourceInfo, views};

static PRICES: LazyLock<PriceTable> = LazyLock::new(PriceTable::builtin);

fn render(app: &App, term: &mut Terminal<TestBackend>, theme: &Theme) {
    term.draw(|f| views::draw(f, app, theme)).unwrap();
    for cell in term.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(|c| c.is_control()),
            "control character reached the screen: {:?}",
            cell.symbol()
        );
    }
}

/// Runs one input; panics on a finding.
pub fn check(data: &[u8]) {
    let Ok(req) = ExportTraceServiceRequest::decode(data) else {
        return;
    };
    let out = normalize_traces(&req, &PRICES);
    let store = MemoryStore::new();
    store
        .write(&IngestBatch {
            spans: out.spans,
            ..Default::default()
        })
        .expect("the in-memory store accepts any normalized batch");
    let list = store
        .list_traces(&TraceQuery {
            limit: Some(5),
            ..Default::default()
        })
        .unwrap();
    let theme = Theme::new(ColorMode::Full);
    for (w, h) in [(80u16, 24u16), (40, 10)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut app = App::new(SourceInfo::default(), w, h);
        app.update(Action::TracesLoaded(list.clone()));
        render(&app, &mut term, &theme);
        for t in &list {
            let detail = trace_detail(&store, t.trace_id, &PRICES).unwrap();
            app.open_trace_at(t.trace_id, None);
            app.update(Action::TraceLoaded(t.trace_id, detail));
            render(&app, &mut term, &theme);
            for key in [
                Key::Char('j'),
                Key::Char('n'),
                Key::Tab,
                Key::Char('2'),
                Key::Char('3'),
                Key::Char('4'),
                Key::Char('5'),
                Key::Char('1'),
                Key::Char('s'),
            ] {
                app.update(Action::Key(key));
                render(&app, &mut term, &theme);
            }
            app.update(Action::Key(Key::Esc));
            app.update(Action::Key(Key::Esc));
        }
    }
}
