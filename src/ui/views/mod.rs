//! Views: pure functions from `&App` to the frame. STUB: being written.

pub mod span_detail;

use ratatui::Frame;

use super::app::App;
use super::theme::Theme;

/// Draws the whole screen.
pub fn draw(_frame: &mut Frame, _app: &App, _theme: &Theme) {}
