//! The terminal UI: state (`app`), pure views (`views`) drawn from `&App`, and an
//! event loop generic over ratatui's `Backend` that coalesces input and live change
//! notifications and redraws only when something changed.

pub mod app;
pub mod compare_screen;
pub mod cost_screen;
pub mod errors_screen;
pub mod evals_loader;
pub mod evals_screen;
pub mod event_loop;
pub mod filter;
pub mod highlight;
pub mod keys;
pub mod layout;
pub mod quit;
pub mod sessions;
pub mod source;
pub mod span_tree;
pub mod state;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod trace_modes;
pub mod views;

pub use crate::query::TraceDetail;
pub use app::{Action, App, Effect, SourceInfo};

#[cfg(test)]
mod app_tests;
