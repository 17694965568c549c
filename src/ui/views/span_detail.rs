//! The span detail pane. STUB: being written.

use crate::ui::app::TraceView;

/// The current tab's content as plain text (for `y`).
pub fn plain_text(_view: &TraceView) -> String {
    String::new()
}
