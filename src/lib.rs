//! spanlens: a terminal trace inspector for LLM applications.
//!
//! Data flows one way: `ingest` (OTLP gRPC/HTTP) → `normalize` (pure OTLP → `model`)
//! → `store` (sled, behind `TraceStore`) → `live` change notifications → readers
//! (query API, CLI). See docs/ARCHITECTURE.md.

pub mod api;
pub mod build_info;
pub mod cli;
pub mod config;
pub mod data_dir;
pub mod demo;
pub mod forward;
pub mod ingest;
pub mod metrics_genai;
pub mod model;
pub mod normalize;
pub mod otlp_file;
pub mod pricing;
pub mod query;
pub mod server;
pub mod store;
pub mod ui;
pub mod util;
