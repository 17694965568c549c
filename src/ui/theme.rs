//! Colors and styles, in one place, for three kinds of terminal: 256-color
//! (`Full`, `Color::Indexed`), the 16 named ANSI colors (`Basic`) and `NO_COLOR`
//! (`None`: bold / reverse / underline / dim only, so selection and errors still
//! stand out without color).
//!
//! Views never build colors themselves: they ask the theme for a style by meaning
//! (`error()`, `selected()`, `kind(..)`, `role(..)`, …).

use ratatui::style::{Color, Modifier, Style};

use crate::model::LlmKind;

/// How much color the terminal gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    /// 256-color palette (also used on truecolor terminals).
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

impl Default for Theme {
    fn default() -> Self {
        Theme::new(ColorMode::Basic)
    }
}

impl Theme {
    pub fn new(mode: ColorMode) -> Self {
        Theme { mode }
    }

    /// From the environment: `NO_COLOR` (non-empty) → `None`; `COLORTERM`
    /// truecolor/24bit or a `TERM` containing `256color` → `Full`; else `Basic`.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok();
        Theme::from_vars(
            var("NO_COLOR").as_deref(),
            var("COLORTERM").as_deref(),
            var("TERM").as_deref(),
        )
    }

    /// `from_env` on given values (testable without touching the process env).
    pub fn from_vars(no_color: Option<&str>, colorterm: Option<&str>, term: Option<&str>) -> Self {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return Theme::new(ColorMode::None);
        }
        let colorterm = colorterm.unwrap_or("").to_ascii_lowercase();
        let term = term.unwrap_or("").to_ascii_lowercase();
        if colorterm.contains("truecolor")
            || colorterm.contains("24bit")
            || term.contains("256color")
        {
            Theme::new(ColorMode::Full)
        } else {
            Theme::new(ColorMode::Basic)
        }
    }

    /// A foreground color: `full` (a 256-palette index) or `basic`; plain in `None`.
    fn fg(&self, full: u8, basic: Color) -> Style {
        match self.mode {
            ColorMode::Full => Style::new().fg(Color::Indexed(full)),
            ColorMode::Basic => Style::new().fg(basic),
            ColorMode::None => Style::new(),
        }
    }

    /// Default text.
    pub fn base(&self) -> Style {
        Style::new()
    }

    /// The top line: app name, counts, filter.
    pub fn title_bar(&self) -> Style {
        match self.mode {
            ColorMode::Full => Style::new()
                .bg(Color::Indexed(24))
                .fg(Color::Indexed(255))
                .add_modifier(Modifier::BOLD),
            ColorMode::Basic => Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            ColorMode::None => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }

    /// Something that must catch the eye inside the title bar (PAUSED, session).
    pub fn title_alert(&self) -> Style {
        match self.mode {
            ColorMode::Full => self.title_bar().fg(Color::Indexed(220)),
            ColorMode::Basic => self.title_bar().fg(Color::Yellow),
            ColorMode::None => self.title_bar().add_modifier(Modifier::UNDERLINED),
        }
    }

    /// The bottom line: key hints and mode.
    pub fn status_bar(&self) -> Style {
        match self.mode {
            ColorMode::Full => Style::new().bg(Color::Indexed(236)).fg(Color::Indexed(250)),
            ColorMode::Basic | ColorMode::None => Style::new(),
        }
    }

    /// Column headers of tables (and section headings).
    pub fn header(&self) -> Style {
        self.fg(110, Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row of a list or tree. Patched over the row's own style, so an
    /// error row keeps its color.
    pub fn selected(&self) -> Style {
        match self.mode {
            ColorMode::Full => Style::new()
                .bg(Color::Indexed(238))
                .add_modifier(Modifier::BOLD),
            ColorMode::Basic | ColorMode::None => Style::new().add_modifier(Modifier::REVERSED),
        }
    }

    /// An error: a count, a status, a message. Red and bold; without color bold and
    /// underlined.
    pub fn error(&self) -> Style {
        match self.mode {
            ColorMode::None => Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            _ => self.fg(203, Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    /// A whole row (trace, span) that contains an error: red; bold without color.
    pub fn error_row(&self) -> Style {
        match self.mode {
            ColorMode::None => Style::new().add_modifier(Modifier::BOLD),
            _ => self.fg(203, Color::Red),
        }
    }

    /// Warnings: unknown cost, truncated data, paused updates.
    pub fn warning(&self) -> Style {
        match self.mode {
            ColorMode::None => Style::new().add_modifier(Modifier::BOLD),
            _ => self.fg(214, Color::Yellow),
        }
    }

    /// Good news: "live", a passed eval.
    pub fn ok(&self) -> Style {
        self.fg(114, Color::Green)
    }

    /// Secondary text: ids, zero counts, separators, hints.
    pub fn dim(&self) -> Style {
        match self.mode {
            ColorMode::None => Style::new().add_modifier(Modifier::DIM),
            _ => self.fg(244, Color::DarkGray),
        }
    }

    /// Text to notice without alarm: the active filter, a highlighted value.
    pub fn accent(&self) -> Style {
        match self.mode {
            ColorMode::None => Style::new().add_modifier(Modifier::BOLD),
            _ => self.fg(81, Color::Cyan),
        }
    }

    /// Money.
    pub fn cost(&self) -> Style {
        self.fg(179, Color::Yellow)
    }

    /// Token counts.
    pub fn tokens(&self) -> Style {
        self.fg(146, Color::Blue)
    }

    /// The label of a span's GenAI kind (`chat`, `tool`, …) and its waterfall bar.
    pub fn kind(&self, kind: LlmKind) -> Style {
        match kind {
            LlmKind::Llm | LlmKind::Chat => self.fg(170, Color::Magenta),
            LlmKind::Tool => self.fg(178, Color::Yellow),
            LlmKind::Retriever | LlmKind::Reranker => self.fg(44, Color::Cyan),
            LlmKind::Embedding => self.fg(75, Color::Blue),
            LlmKind::Agent | LlmKind::Chain | LlmKind::Workflow | LlmKind::Task => {
                self.fg(71, Color::Green)
            }
            LlmKind::Guardrail | LlmKind::Evaluator => self.fg(141, Color::LightMagenta),
        }
    }

    /// A span that is not a GenAI span (HTTP, DB, …).
    pub fn plain_span(&self) -> Style {
        self.fg(250, Color::Gray)
    }

    /// The role label of a chat message: system dim, user cyan, assistant green,
    /// tool yellow, anything else plain.
    pub fn role(&self, role: &str) -> Style {
        let s = match role.to_ascii_lowercase().as_str() {
            "system" | "developer" => self.dim(),
            "user" | "human" => self.fg(81, Color::Cyan),
            "assistant" | "ai" | "model" => self.fg(114, Color::Green),
            "tool" | "function" | "ipython" => self.fg(178, Color::Yellow),
            _ => self.base(),
        };
        s.add_modifier(Modifier::BOLD)
    }

    /// Key names in the help overlay and the status bar hints.
    pub fn key(&self) -> Style {
        self.fg(81, Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Borders of popups and panes; `focused` for the pane that has the keys.
    pub fn border(&self, focused: bool) -> Style {
        match (self.mode, focused) {
            (ColorMode::None, true) => Style::new().add_modifier(Modifier::BOLD),
            (ColorMode::None, false) => Style::new(),
            (_, true) => self.fg(81, Color::Cyan),
            (_, false) => self.dim(),
        }
    }

    /// The active tab of the span detail.
    pub fn tab_active(&self) -> Style {
        match self.mode {
            ColorMode::None => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            _ => self
                .fg(81, Color::Cyan)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        }
    }

    /// The other tabs.
    pub fn tab_inactive(&self) -> Style {
        self.dim()
    }

    /// The cursor cell of the input line.
    pub fn cursor(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_mode_from_the_environment() {
        let t = |n, c, term| Theme::from_vars(n, c, term).mode;
        assert_eq!(t(Some("1"), Some("truecolor"), None), ColorMode::None);
        assert_eq!(t(Some(""), Some("truecolor"), None), ColorMode::Full);
        assert_eq!(t(None, Some("24bit"), Some("xterm")), ColorMode::Full);
        assert_eq!(t(None, None, Some("xterm-256color")), ColorMode::Full);
        assert_eq!(t(None, None, Some("xterm")), ColorMode::Basic);
        assert_eq!(t(None, None, None), ColorMode::Basic);
    }

    #[test]
    fn without_color_errors_and_selection_still_stand_out() {
        let t = Theme::new(ColorMode::None);
        assert!(t.error().add_modifier.contains(Modifier::BOLD));
        assert!(t.error().add_modifier.contains(Modifier::UNDERLINED));
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
        assert_eq!(t.kind(LlmKind::Chat).fg, None);
        let full = Theme::new(ColorMode::Full);
        assert!(matches!(full.error().fg, Some(Color::Indexed(_))));
        assert_eq!(Theme::new(ColorMode::Basic).error().fg, Some(Color::Red));
    }
}
