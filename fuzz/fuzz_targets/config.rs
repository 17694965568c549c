//! The config file: any text is parsed or refused with `file:line: reason`; every
//! The check itself is in `fuzz/checks/config.rs`, shared with the replay test.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks/config.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data));
