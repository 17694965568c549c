//! The read-only query API the owning process serves on its HTTP listener, and the
//! client the CLI (and `attach`) use to reach it.
//!
//! | route                      | answer                      |
//! |----------------------------|-----------------------------|
//! | `GET /api/v1/health`       | `{"status":"ok","pid":N}`   |
//! | `GET /api/v1/traces?…`     | `traces --json`             |
//! | `GET /api/v1/traces/{id}`  | `trace ID --json`, or 404   |
//! | `GET /api/v1/stats?since_unix_nano=N` | `stats --json`   |
//! | `GET /api/v1/ui/cost?window=15m` | the cost screen's report (serde form) |
//! | `GET /api/v1/ui/errors?since_unix_nano=N` | `errors::ErrorWindow` (serde form) |
//! | `GET /api/v1/evals?since_unix_nano=N&limit=N` | eval records (serde form) |
//!
//! Trace list parameters: `limit`, `since_unix_nano`, `service`, `model`, `session`,
//! `errors=true`.

mod client;
mod routes;

pub use client::{ApiClient, encode_component};
pub use routes::{ApiState, routes};
