//! Protobuf bytes → decode → normalize → store → every screen of the trace rendered.
//! The check itself is in `fuzz/checks/pipeline.rs`, shared with the replay test.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/pipeline.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));
