//! The integration suite (one binary): real servers on `127.0.0.1:0`, real OTLP
//! exporters, the fixture payloads, restarts and a SIGKILL of the real binary.

mod cli;
mod config_flags;
mod durability;
mod fixtures;
mod forward;
mod genai_metrics;
mod import_export;
mod otlp_grpc;
mod otlp_http;
mod sdk;
mod support;
mod tui_pty;
