//! The trace-list filter language: any text parses or is refused with a reason, and
//! a parsed query runs against a store without panicking.
//! Shared by the cargo-fuzz target and the replay test (`tests/integration/fuzz_replay.rs`).
use std::sync::LazyLock;

use spanlens::store::{MemoryStore, TraceStore};
use spanlens::ui::filter::parse_filter;

static STORE: LazyLock<MemoryStore> = LazyLock::new(MemoryStore::new);

/// Runs one input; panics on a finding.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_filter(text) {
        Ok(q) => {
            let _ = q.to_params();
            STORE.list_traces(&q).unwrap();
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}
