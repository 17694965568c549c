//! Quitting. In the combined mode (receiver and TUI in one process) `q` stops
//! collection too, so when data arrived in the last minute it asks first: a second
//! `q` or `y` confirms, any other key keeps running. `Q` (and Ctrl-C) quit at once.
//! An attached TUI, or a receiver that has been idle, quits on the first `q`.

use std::time::{Duration, Instant};

use super::app::{App, Effect};
use super::keys::Key;

/// How recent data must be for `q` to ask.
pub const RECENT: Duration = Duration::from_secs(60);

impl App {
    /// True when this process receives the data (quitting stops collection).
    fn owns_receiver(&self) -> bool {
        self.info.attached_to.is_none() && !self.info.grpc_addrs.is_empty()
    }

    /// Quit keys; `None` when `key` is not one (and no question is pending).
    pub(super) fn quit_key(&mut self, key: Key) -> Option<Vec<Effect>> {
        if self.confirm_quit {
            self.confirm_quit = false;
            return match key {
                Key::Char('q' | 'y' | 'Y' | 'Q') | Key::Ctrl('c') => Some(self.quit_now()),
                _ => {
                    self.message = Some("still receiving".into());
                    Some(vec![])
                }
            };
        }
        match key {
            Key::Char('Q') | Key::Ctrl('c') => Some(self.quit_now()),
            Key::Char('q') => {
                let recent = self.last_data.is_some_and(|t| t.elapsed() < RECENT);
                if self.owns_receiver() && recent {
                    self.confirm_quit = true;
                    self.message = Some(
                        "data arrived in the last minute: q or y stops collection and quits, \
                         any other key keeps it"
                            .into(),
                    );
                    Some(vec![])
                } else {
                    Some(self.quit_now())
                }
            }
            _ => None,
        }
    }

    fn quit_now(&mut self) -> Vec<Effect> {
        self.quit = true;
        vec![Effect::Quit]
    }

    /// Notes that the store changed (the receiver got data).
    pub(super) fn data_arrived(&mut self) {
        self.last_data = Some(Instant::now());
    }
}
