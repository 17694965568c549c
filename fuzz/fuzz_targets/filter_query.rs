//! The trace-list filter language: any text parses or is refused with a reason, and
//! The check itself is in `fuzz/checks/filter_query.rs`, shared with the replay test.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/filter_query.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));
