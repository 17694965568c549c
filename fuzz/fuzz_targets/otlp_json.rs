//! OTLP/JSON bytes → the three export requests → normalize. Nothing may panic.
//! The check itself is in `fuzz/checks/otlp_json.rs`, shared with the replay test.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/otlp_json.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));
