//! Errors: what failed, when, how often, and whether retries or a fallback saved the
//! request.
//!
//! - `records`: one [`ErrorRecord`] per failed span or error-severity log, written
//!   by the store at ingest under its own key prefix.
//! - `classify`: table-driven classes (built-in, extendable with `[[error_classes]]`).
//! - `look_through`: the types and status a wrapped error names inside (tenacity's
//!   `RetryError`, exception chains, `Error code: 500`), for classification.
//! - `fingerprint`: which failures are the same error (class, type, normalized message).
//! - `chains`: retry chains, fallbacks and degraded traces, pure over a trace's calls.
//! - `affected`: which records count (a failure re-recorded by its ancestors, once).
//! - `report`: the timeline's data — records of a window folded into per-minute
//!   counts by class and groups with their occurrences — for the TUI screen and
//!   `spanlens errors`.

mod affected;
pub mod chains;
pub mod classify;
pub mod fingerprint;
pub mod look_through;
pub mod records;
pub mod report;
#[cfg(test)]
pub(crate) mod sample;

pub use chains::{CallMark, CallSignature, TraceFlags};
pub use classify::{ClassRule, Classifier};
pub use records::{ErrorRecord, ErrorSource};
pub use report::{ErrorGroup, ErrorReport, ErrorWindow, Occurrence, TimeWindow};
