//! The OTLP/HTTP handler: bytes × path × content type × encoding. Every answer is
//! The check itself is in `fuzz/checks/http_handler.rs`, shared with the replay test.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/http_handler.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));
