//! The audit log: append-only JSON lines (`audit.log` in the data dir) of what a
//! security review asks about — listeners started, configuration in force at start,
//! authentication failures and rejected requests (with the source address, never the
//! token), retention deletions. One process-wide log, opened by the command that owns
//! the data dir; recording before it is opened (or in tests) does nothing.
//!
//! Under attack it stays small: repeated rejections from one peer for one reason are
//! coalesced (`coalesce`: the first written, then one line a minute with a count),
//! and past its size cap (`--audit-max-size`, default 4 MiB) `audit.log` is renamed
//! `audit.log.1` (replacing the previous one) and a new file started.

mod coalesce;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use serde_json::{Map, Value, json};

pub use coalesce::WINDOW as COALESCE_WINDOW;

/// File name in the data dir.
pub const AUDIT_FILE: &str = "audit.log";

/// Size of `audit.log` past which it is rotated, unless configured.
pub const DEFAULT_MAX_BYTES: u64 = 4 << 20;

/// One append-only JSON-lines file, rotated at a size cap.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    /// The open file and its size.
    file: Mutex<(std::fs::File, u64)>,
    max_bytes: AtomicU64,
    coalescer: Mutex<coalesce::Coalescer>,
}

static GLOBAL: OnceLock<AuditLog> = OnceLock::new();

impl AuditLog {
    /// Opens (creating, `0600`) the log for appending, with the default size cap.
    pub fn open(path: &Path) -> std::io::Result<AuditLog> {
        let file = crate::private_files::create_private(path, true)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new((file, size)),
            max_bytes: AtomicU64::new(DEFAULT_MAX_BYTES),
            coalescer: Mutex::new(coalesce::Coalescer::default()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The size past which `audit.log` becomes `audit.log.1`.
    pub fn set_max_bytes(&self, max: u64) {
        self.max_bytes.store(max.max(1), Ordering::Relaxed);
    }

    /// The rotated file's path (`audit.log.1`).
    pub fn rotated_path(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(".1");
        PathBuf::from(name)
    }

    /// A rejection (auth failure, refused request or connection), coalesced per
    /// (event, peer address, reason).
    pub fn rejection(
        &self,
        event: &str,
        peer: Option<std::net::SocketAddr>,
        reason: &str,
        fields: Value,
        now: Instant,
    ) {
        let key = coalesce::Key {
            event: event.to_string(),
            peer: peer.map(|p| p.ip()),
            reason: reason.to_string(),
        };
        let line = self
            .coalescer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .offer(key, fields, now);
        if let Some(line) = line {
            self.write_line(line);
        }
    }

    /// Writes the counts of coalesced rejections whose minute is up (all of them
    /// when `all`, at shutdown).
    pub fn flush_coalesced(&self, now: Instant, all: bool) {
        let lines = self
            .coalescer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .due(now, all);
        for line in lines {
            self.write_line(line);
        }
    }

    fn write_line(&self, line: coalesce::Line) {
        let mut fields = line.fields;
        if let (Some(n), Value::Object(f)) = (line.repeated, &mut fields) {
            f.insert("repeated".into(), json!(n));
        }
        self.record(&line.event, fields);
    }

    /// Renames the full file to `audit.log.1` and starts a new one.
    fn rotate(&self, file: &mut (std::fs::File, u64)) -> std::io::Result<()> {
        std::fs::rename(&self.path, self.rotated_path())?;
        *file = (crate::private_files::create_private(&self.path, true)?, 0);
        Ok(())
    }

    /// Appends one record: `{"time": RFC 3339, "event": …, …fields}`. A failure to
    /// write is logged, never fatal.
    pub fn record(&self, event: &str, fields: Value) {
        let mut obj = Map::new();
        obj.insert(
            "time".into(),
            Value::String(crate::util::format_rfc3339(crate::util::now_unix_nano())),
        );
        obj.insert("event".into(), Value::String(event.into()));
        if let Value::Object(f) = fields {
            obj.extend(f);
        }
        let mut line = Value::Object(obj).to_string();
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let len = line.len() as u64;
        if file.1 > 0
            && file.1 + len > self.max_bytes.load(Ordering::Relaxed)
            && let Err(e) = self.rotate(&mut file)
        {
            tracing::error!(error = %e, path = %self.path.display(), "cannot rotate the audit log");
        }
        match file.0.write_all(line.as_bytes()) {
            Ok(()) => file.1 += len,
            Err(e) => {
                tracing::error!(error = %e, path = %self.path.display(), "cannot write the audit log");
            }
        }
    }
}

/// Opens the process-wide audit log in `data_dir` (once; later calls are ignored).
pub fn init(data_dir: &Path) -> std::io::Result<&'static AuditLog> {
    if let Some(log) = GLOBAL.get() {
        return Ok(log);
    }
    let log = AuditLog::open(&data_dir.join(AUDIT_FILE))?;
    Ok(GLOBAL.get_or_init(|| log))
}

/// Records to the process-wide log, if one is open.
pub fn record(event: &str, fields: Value) {
    if let Some(log) = GLOBAL.get() {
        log.record(event, fields);
    }
}

/// The process-wide log's size cap (see [`AuditLog::set_max_bytes`]).
pub fn set_max_bytes(max: u64) {
    if let Some(log) = GLOBAL.get() {
        log.set_max_bytes(max);
    }
}

/// Writes due counts of coalesced rejections (every few seconds while serving; all
/// of them at shutdown).
pub fn flush_coalesced(all: bool) {
    if let Some(log) = GLOBAL.get() {
        log.flush_coalesced(Instant::now(), all);
    }
}

fn rejection(event: &str, peer: Option<std::net::SocketAddr>, reason: &str, fields: Value) {
    if let Some(log) = GLOBAL.get() {
        log.rejection(event, peer, reason, fields, Instant::now());
    }
}

/// A rejected request: who sent it and why (never credentials). Coalesced.
pub fn rejected(protocol: &str, peer: Option<std::net::SocketAddr>, status: &str, reason: &str) {
    rejection(
        "request_rejected",
        peer,
        &format!("{protocol} {status} {reason}"),
        json!({
            "protocol": protocol,
            "peer": peer.map(|p| p.to_string()),
            "status": status,
            "reason": reason,
        }),
    );
}

/// An authentication failure (missing or wrong token). Coalesced.
pub fn auth_failed(protocol: &str, peer: Option<std::net::SocketAddr>) {
    rejection(
        "auth_failed",
        peer,
        protocol,
        json!({
            "protocol": protocol,
            "peer": peer.map(|p| p.to_string()),
        }),
    );
}

/// A connection refused before any request (failed TLS handshake). Coalesced.
pub fn connection_refused(protocol: &str, peer: std::net::SocketAddr, reason: &str) {
    rejection(
        "connection_refused",
        Some(peer),
        &format!("{protocol} {reason}"),
        json!({"protocol": protocol, "peer": peer.to_string(), "reason": reason}),
    );
}

/// The reason of an error response, attached by the handler for the audit layer.
#[derive(Debug, Clone)]
pub struct RejectReason(pub String);

/// HTTP middleware: records auth failures and rejected requests (4xx/5xx other than
/// 404) with the peer address and the handler's reason.
pub async fn http_middleware(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let status = res.status();
    if status.as_u16() == 401 {
        auth_failed(&format!("http {path}"), peer);
    } else if status.as_u16() >= 400 && status.as_u16() != 404 {
        let reason = res
            .extensions()
            .get::<RejectReason>()
            .map(|r| r.0.clone())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_string());
        rejected(&format!("http {path}"), peer, status.as_str(), &reason);
    }
    res
}

/// Decodes gRPC's percent-encoded `grpc-message`.
pub fn percent_decode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(h) = u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16)
        {
            out.push(h);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_appended_as_json_lines_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(AUDIT_FILE);
        let log = AuditLog::open(&path).unwrap();
        log.record(
            "listener_started",
            json!({"protocol": "grpc", "addr": "127.0.0.1:4317"}),
        );
        drop(log);
        let log = AuditLog::open(&path).unwrap();
        log.record("auth_failed", json!({"peer": "10.0.0.7:5555"}));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["event"], "listener_started");
        assert_eq!(lines[0]["addr"], "127.0.0.1:4317");
        assert_eq!(lines[1]["event"], "auth_failed");
        assert!(lines[1]["time"].as_str().unwrap().ends_with('Z'));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");
        }
    }

    #[test]
    fn past_its_cap_the_log_rotates_into_one_older_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(AUDIT_FILE);
        let log = AuditLog::open(&path).unwrap();
        log.set_max_bytes(2000);
        for i in 0..100 {
            log.record("config", json!({"n": i, "pad": "x".repeat(50)}));
        }
        let current = std::fs::metadata(&path).unwrap().len();
        let rotated = std::fs::metadata(log.rotated_path()).unwrap().len();
        assert!(current <= 2000, "{current}");
        assert!(rotated <= 2000 && rotated > 1000, "{rotated}");
        let last: Vec<Value> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(last.last().unwrap()["n"], 99);
        assert_eq!(
            crate::private_files::mode_of(&log.rotated_path()) & 0o077,
            0
        );
    }

    #[test]
    fn a_flood_of_rejections_from_one_peer_writes_two_lines_a_minute() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(AUDIT_FILE);
        let log = AuditLog::open(&path).unwrap();
        let peer: std::net::SocketAddr = "10.0.0.9:4000".parse().unwrap();
        let t0 = Instant::now();
        for i in 0..5000u64 {
            let at = t0 + std::time::Duration::from_millis(i * 10);
            let p = std::net::SocketAddr::new(peer.ip(), 4000 + (i % 1000) as u16);
            log.rejection(
                "auth_failed",
                Some(p),
                "http",
                json!({"peer": p.to_string()}),
                at,
            );
        }
        log.flush_coalesced(t0 + std::time::Duration::from_secs(120), false);
        let lines: Vec<Value> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        // 50 s of rejections: the first line, then the count flushed after the minute.
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0]["event"], "auth_failed");
        assert!(lines[0].get("repeated").is_none());
        assert_eq!(lines[1]["repeated"], 4999);
    }
}
