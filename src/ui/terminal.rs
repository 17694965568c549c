//! The real terminal: raw mode and the alternate screen on the way in, everything
//! restored on the way out — also on panic (a hook restores the terminal before the
//! panic message prints). Input is read on a thread and sent to the event loop as
//! actions. The clipboard is reached with OSC 52, which works over SSH.

use std::io::{self, Write};

use base64::Engine;
use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, MouseButton, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use super::app::Action;

pub type RealTerminal = Terminal<CrosstermBackend<io::Stdout>>;

/// Enters raw mode and the alternate screen, and installs the restoring panic hook.
pub fn enter() -> io::Result<RealTerminal> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        hook(info);
    }));
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Restores the terminal (idempotent).
pub fn leave() {
    let _ = execute!(io::stdout(), DisableMouseCapture, LeaveAlternateScreen);
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), crossterm::cursor::Show);
}

/// Reads terminal events on a thread and forwards them as actions.
pub fn spawn_input(tx: mpsc::UnboundedSender<Action>) {
    std::thread::Builder::new()
        .name("spanlens-input".into())
        .spawn(move || {
            while let Ok(ev) = event::read() {
                if let Event::Key(k) = ev {
                    // Alt+key is Esc then the key (`keys::keys_of`).
                    let sent = super::keys::keys_of(k)
                        .into_iter()
                        .all(|key| tx.send(Action::Key(key)).is_ok());
                    if !sent {
                        break;
                    }
                    continue;
                }
                let action = match ev {
                    Event::Resize(w, h) => Some(Action::Resize(w, h)),
                    Event::Mouse(m) => match m.kind {
                        MouseEventKind::ScrollDown => Some(Action::Scroll(1)),
                        MouseEventKind::ScrollUp => Some(Action::Scroll(-1)),
                        MouseEventKind::Down(MouseButton::Left) => {
                            Some(Action::Click(m.column, m.row))
                        }
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(a) = action
                    && tx.send(a).is_err()
                {
                    break;
                }
            }
        })
        .ok();
}

/// The OSC 52 sequence that puts `text` on the terminal's clipboard.
pub fn osc52(text: &str) -> String {
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
    )
}

/// Writes the OSC 52 sequence to the real terminal.
pub fn copy_to_clipboard(text: &str) {
    let mut out = io::stdout();
    let _ = out.write_all(osc52(text).as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_carries_base64_of_the_text() {
        assert_eq!(
            super::osc52("5b8efff798038103"),
            "\x1b]52;c;NWI4ZWZmZjc5ODAzODEwMw==\x07"
        );
    }
}
