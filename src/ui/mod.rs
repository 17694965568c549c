//! The terminal UI: state (`app`), pure views (`views`) drawn from `&App`, and an
//! event loop generic over ratatui's `Backend` that coalesces input and live change
//! notifications and redraws only when something changed.

pub mod app;
pub mod filter;
pub mod keys;
pub mod layout;
pub mod sessions;
pub mod span_tree;
pub mod theme;
pub mod views;

pub use app::{Action, App, Effect, SourceInfo};
pub use span_tree::TraceDetail;
