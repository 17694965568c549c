//! spanlens: a terminal trace inspector for LLM applications.
//!
//! Data flows one way: `ingest` (OTLP gRPC/HTTP) → `normalize` (pure OTLP → `model`)
//! → `store` (sled, behind `TraceStore`) → `live` change notifications → readers
//! (query API, CLI). See docs/ARCHITECTURE.md.

pub mod api;
pub mod audit;
pub mod build_info;
pub mod cli;
pub mod compare;
pub mod config;
pub mod cost;
pub mod data_dir;
pub mod demo;
pub mod errors;
pub mod evals;
pub mod forward;
pub mod ingest;
pub mod mcp;
pub mod metrics_genai;
pub mod model;
pub mod normalize;
pub mod otlp_file;
pub mod pricing;
pub mod private_files;
pub mod query;
pub mod read_secret;
pub mod redact;
pub mod server;
pub mod store;
pub mod tls;
pub mod trace_analysis;
pub mod ui;
pub mod util;
