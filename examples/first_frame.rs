//! First frame of a fresh process: open the store, load the trace list window, draw
//! at 120x40 — the time a user waits after typing `spanlens` on a big data dir.
//!
//! `cargo run --release --example first_frame -- DATA_STORE_DIR` (e.g. a store built
//! by `cargo bench --bench ui` under target/bench-stores/spans-1000000).

use std::sync::Arc;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use spanlens::pricing::PriceTable;
use spanlens::query::LocalSource;
use spanlens::store::{SledOptions, SledStore};
use spanlens::ui::source::UiSource;
use spanlens::ui::theme::{ColorMode, Theme};
use spanlens::ui::{Action, App, SourceInfo, views};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: first_frame STORE_DIR");
    let started = Instant::now();
    let store = SledStore::open(std::path::Path::new(&dir), &SledOptions::default())
        .expect("open the store");
    let opened = started.elapsed();
    let source = LocalSource {
        store: Arc::new(store),
        prices: Arc::new(PriceTable::builtin()),
    };
    let mut app = App::new(SourceInfo::default(), 120, 40);
    let traces = source.list(&app.list_query()).expect("list");
    app.update(Action::TracesLoaded(traces));
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    term.draw(|f| views::draw(f, &app, &Theme::new(ColorMode::Full)))
        .expect("draw");
    println!(
        "store opened in {:.1?}; first frame drawn {:.1?} after start ({} traces listed)",
        opened,
        started.elapsed(),
        app.list.traces.len()
    );
}
