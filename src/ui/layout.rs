//! Screen geometry shared by `update` (page sizes, scrolling, mouse hits) and the
//! views (where to draw), so both agree without the views reporting back.
//!
//! Lists: a title line, a header line, rows, a status line. The trace screen: a title
//! line, the span tree and the span detail (side by side from 120 columns, stacked
//! below that), a status line.

use ratatui::layout::Rect;

use super::app::Screen;

/// Width from which the trace screen puts tree and detail side by side.
pub const WIDE: u16 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenLayout {
    pub title: Rect,
    /// The list or the span tree, including its header/title line.
    pub main: Rect,
    /// The span detail (trace screen only), including its title and tab lines.
    pub detail: Rect,
    pub status: Rect,
}

pub fn compute(width: u16, height: u16, screen: Screen) -> ScreenLayout {
    let w = width;
    let h = height.max(4);
    let title = Rect::new(0, 0, w, 1);
    let status = Rect::new(0, h - 1, w, 1);
    let body = Rect::new(0, 1, w, h - 2);
    match screen {
        Screen::Traces | Screen::Sessions | Screen::Cost | Screen::Errors | Screen::Evals => {
            ScreenLayout {
                title,
                main: body,
                detail: Rect::new(0, body.bottom(), w, 0),
                status,
            }
        }
        Screen::Compare => {
            // The matched tree above, the selected row's differences below.
            let rows_h = (body.height * 3 / 5).max(6).min(body.height);
            ScreenLayout {
                title,
                main: Rect::new(0, body.y, w, rows_h),
                detail: Rect::new(0, body.y + rows_h, w, body.height - rows_h),
                status,
            }
        }
        Screen::Trace if w >= WIDE => {
            let left = w * 11 / 20;
            ScreenLayout {
                title,
                main: Rect::new(0, body.y, left, body.height),
                detail: Rect::new(left, body.y, w - left, body.height),
                status,
            }
        }
        Screen::Trace => {
            let tree_h = (body.height * 2 / 5).max(4).min(body.height);
            ScreenLayout {
                title,
                main: Rect::new(0, body.y, w, tree_h),
                detail: Rect::new(0, body.y + tree_h, w, body.height - tree_h),
                status,
            }
        }
    }
}

impl ScreenLayout {
    /// Rows of list items (or tree rows) below the header line.
    pub fn list_rows(&self) -> usize {
        self.main.height.saturating_sub(1) as usize
    }

    /// Lines of detail text below its title and tab lines.
    pub fn detail_rows(&self) -> usize {
        self.detail.height.saturating_sub(2) as usize
    }

    /// The list row under screen row `y`, if any.
    pub fn list_row_at(&self, y: u16) -> Option<usize> {
        let first = self.main.y + 1;
        (y >= first && y < self.main.bottom()).then(|| (y - first) as usize)
    }
}
