//! Colors and styles. STUB: being written.

use ratatui::style::Style;

/// How much color the terminal gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    /// 24-bit / 256-color palette.
    Full,
    /// The 16 basic ANSI colors.
    Basic,
    /// `NO_COLOR`: bold/reverse/underline only.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub mode: ColorMode,
}

impl Theme {
    pub fn new(mode: ColorMode) -> Self {
        Theme { mode }
    }

    /// From the environment: `NO_COLOR` set → none; `COLORTERM`/`TERM` with 256 → full.
    pub fn from_env() -> Self {
        Theme::new(ColorMode::Full)
    }

    pub fn base(&self) -> Style {
        Style::default()
    }
}
