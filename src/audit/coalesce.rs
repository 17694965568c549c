//! Coalescing of repeated rejections, so a sender that retries at once cannot fill
//! the disk with audit lines: per (event, peer address, reason) the first one is
//! written, later ones within a minute are only counted, and the next line — the
//! next rejection after the minute, or a flush of the count once the minute has
//! passed — carries `"repeated": N`. Clock passed in, so it is tested without waiting.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde_json::Value;

/// At most one line per key per this long.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Distinct keys tracked; past that, new peers share one key per event and reason
/// (`peer: null`), so many source addresses cannot grow the table.
pub const MAX_KEYS: usize = 4096;

/// What makes two rejections "the same".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub event: String,
    /// The peer's address without its port (each connection has a new port).
    pub peer: Option<IpAddr>,
    pub reason: String,
}

#[derive(Debug)]
struct Entry {
    last_written: Instant,
    /// Rejections since the last line that were not written.
    suppressed: u64,
    /// The fields of the latest one, for a flushed count line.
    fields: Value,
}

/// The table of recent rejections.
#[derive(Debug, Default)]
pub struct Coalescer {
    entries: HashMap<Key, Entry>,
}

/// A line to write: the event, its fields, and how many like it went unwritten
/// before it (`None` for the first of its kind).
#[derive(Debug, PartialEq)]
pub struct Line {
    pub event: String,
    pub fields: Value,
    pub repeated: Option<u64>,
}

impl Coalescer {
    /// A rejection happened at `now`: the line to write, if any.
    pub fn offer(&mut self, mut key: Key, fields: Value, now: Instant) -> Option<Line> {
        if !self.entries.contains_key(&key) && self.entries.len() >= MAX_KEYS {
            self.expire(now);
            if self.entries.len() >= MAX_KEYS {
                key.peer = None;
            }
        }
        match self.entries.get_mut(&key) {
            None => {
                self.entries.insert(
                    key.clone(),
                    Entry {
                        last_written: now,
                        suppressed: 0,
                        fields: fields.clone(),
                    },
                );
                Some(Line {
                    event: key.event,
                    fields,
                    repeated: None,
                })
            }
            Some(e) if now.duration_since(e.last_written) < WINDOW => {
                e.suppressed += 1;
                e.fields = fields;
                None
            }
            Some(e) => {
                let repeated = e.suppressed;
                e.suppressed = 0;
                e.last_written = now;
                e.fields = fields.clone();
                Some(Line {
                    event: key.event,
                    fields,
                    repeated: Some(repeated),
                })
            }
        }
    }

    /// Count lines for keys whose minute has passed with rejections unwritten (all of
    /// them when `all`, at shutdown); forgets keys quiet for a minute.
    pub fn due(&mut self, now: Instant, all: bool) -> Vec<Line> {
        let mut out = Vec::new();
        for (key, e) in &mut self.entries {
            if e.suppressed > 0 && (all || now.duration_since(e.last_written) >= WINDOW) {
                out.push(Line {
                    event: key.event.clone(),
                    fields: e.fields.clone(),
                    repeated: Some(e.suppressed),
                });
                e.suppressed = 0;
                e.last_written = now;
            }
        }
        self.expire(now);
        out
    }

    fn expire(&mut self, now: Instant) {
        self.entries
            .retain(|_, e| e.suppressed > 0 || now.duration_since(e.last_written) < WINDOW);
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(peer: &str, reason: &str) -> Key {
        Key {
            event: "request_rejected".into(),
            peer: Some(peer.parse().unwrap()),
            reason: reason.into(),
        }
    }

    #[test]
    fn the_first_is_written_then_one_line_a_minute_with_the_count() {
        let mut c = Coalescer::default();
        let t0 = Instant::now();
        let f = json!({"peer": "10.0.0.1:5000"});
        let first = c.offer(key("10.0.0.1", "busy"), f.clone(), t0).unwrap();
        assert_eq!(first.repeated, None);
        for i in 1..=1000 {
            let at = t0 + Duration::from_millis(i * 50);
            assert_eq!(c.offer(key("10.0.0.1", "busy"), f.clone(), at), None);
        }
        // Another reason, or another peer, is its own first line.
        assert!(c.offer(key("10.0.0.1", "auth"), f.clone(), t0).is_some());
        assert!(c.offer(key("10.0.0.2", "busy"), f.clone(), t0).is_some());
        // After the minute, the next one carries the count.
        let next = c
            .offer(key("10.0.0.1", "busy"), f.clone(), t0 + WINDOW)
            .unwrap();
        assert_eq!(next.repeated, Some(1000));
        assert_eq!(
            c.offer(
                key("10.0.0.1", "busy"),
                f.clone(),
                t0 + WINDOW + Duration::from_secs(1)
            ),
            None
        );
        // A count left when the rejections stop is flushed once its minute is up.
        assert!(
            c.due(t0 + WINDOW + Duration::from_secs(2), false)
                .is_empty()
        );
        let flushed = c.due(t0 + WINDOW * 2, false);
        assert_eq!(flushed.len(), 1);
        assert_eq!(flushed[0].repeated, Some(1));
        assert!(c.due(t0 + WINDOW * 2, true).is_empty());
        // Quiet keys are forgotten.
        assert!(c.due(t0 + WINDOW * 4, false).is_empty());
        assert!(c.is_empty());
    }

    #[test]
    fn many_peers_share_one_key_past_the_table_size() {
        let mut c = Coalescer::default();
        let t0 = Instant::now();
        let mut written = 0;
        for i in 0..(MAX_KEYS as u32 + 500) {
            let ip = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let k = Key {
                event: "auth_failed".into(),
                peer: Some(ip),
                reason: String::new(),
            };
            if c.offer(k, json!({}), t0).is_some() {
                written += 1;
            }
        }
        assert_eq!(c.len(), MAX_KEYS + 1);
        assert_eq!(written, MAX_KEYS + 1);
    }
}
