//! spanlens: a terminal trace inspector for LLM applications.
//!
//! Data flows one way: `ingest` (OTLP gRPC/HTTP) → `normalize` (pure OTLP → `model`)
//! → `store` (sled, behind `TraceStore`) → `live` change notifications → readers
//! (query API, CLI). See docs/ARCHITECTURE.md.

pub mod model;
pub mod normalize;
pub mod pricing;
pub mod store;
pub mod util;
pub mod ingest;
pub mod api;
pub mod query;
pub mod data_dir;
pub mod server;
pub mod cli;
