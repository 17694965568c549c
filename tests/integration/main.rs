//! The integration suite (one binary): real servers on `127.0.0.1:0`, real OTLP
//! exporters, the fixture payloads, restarts and a SIGKILL of the real binary.

mod build_script;
mod cli;
mod compare_cli;
mod config_flags;
mod cost_cli;
mod crash;
mod durability;
mod errors_cli;
mod evals;
mod fixtures;
mod fixtures_vercel_ai;
mod forward;
mod fuzz_replay;
mod genai_metrics;
mod hardening;
mod import_export;
mod library_fixtures;
mod mcp;
mod mcp_budget;
mod mcp_client;
mod otlp_grpc;
mod otlp_http;
mod private_store;
mod pty;
mod sdk;
mod shared_box;
mod support;
mod tls;
mod tui_pty;
