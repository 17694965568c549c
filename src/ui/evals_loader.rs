//! Loads eval records for the scorecards screen off the draw path: one load in
//! flight, a request made meanwhile waits for it, and loads start at most once a
//! second, so a burst of live changes costs one read per second at most.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::app::Action;
use super::source::UiSource;

/// Least time between the starts of two loads.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct EvalsLoader {
    busy: bool,
    /// The window of a load requested while one ran.
    next: Option<Option<u64>>,
    last_start: Option<Instant>,
}

impl EvalsLoader {
    /// Loads the records of the last `window` seconds (all when `None`).
    pub fn load(
        &mut self,
        window: Option<u64>,
        source: &Arc<dyn UiSource>,
        tx: &mpsc::UnboundedSender<Action>,
    ) {
        if self.busy {
            self.next = Some(window);
            return;
        }
        self.busy = true;
        let wait = self
            .last_start
            .map_or(Duration::ZERO, |t| MIN_INTERVAL.saturating_sub(t.elapsed()));
        self.last_start = Some(Instant::now() + wait);
        let (source, tx) = (source.clone(), tx.clone());
        tokio::task::spawn_blocking(move || {
            std::thread::sleep(wait);
            let since = window.map(|s| {
                crate::util::now_unix_nano().saturating_sub(s.saturating_mul(1_000_000_000))
            });
            let action = match source.evals(since) {
                Ok(r) => Action::EvalsLoaded(r),
                Err(e) => Action::LoadFailed(e.to_string()),
            };
            let _ = tx.send(action);
        });
    }

    /// A load finished: start the one queued behind it.
    pub fn finished(&mut self, source: &Arc<dyn UiSource>, tx: &mpsc::UnboundedSender<Action>) {
        self.busy = false;
        if let Some(w) = self.next.take() {
            self.load(w, source, tx);
        }
    }

    pub fn failed(&mut self) {
        self.busy = false;
    }
}
