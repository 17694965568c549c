//! The audit log: append-only JSON lines (`audit.log` in the data dir) of what a
//! security review asks about — listeners started, configuration in force at start,
//! authentication failures and rejected requests (with the source address, never the
//! token), retention deletions. One process-wide log, opened by the command that owns
//! the data dir; recording before it is opened (or in tests) does nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde_json::{Map, Value, json};

/// File name in the data dir.
pub const AUDIT_FILE: &str = "audit.log";

/// One append-only JSON-lines file.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

static GLOBAL: OnceLock<AuditLog> = OnceLock::new();

impl AuditLog {
    /// Opens (creating) the log for appending.
    pub fn open(path: &Path) -> std::io::Result<AuditLog> {
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file = opts.open(path)?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
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
        if let Err(e) = file.write_all(line.as_bytes()) {
            tracing::error!(error = %e, path = %self.path.display(), "cannot write the audit log");
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

/// A rejected request: who sent it and why (never credentials).
pub fn rejected(protocol: &str, peer: Option<std::net::SocketAddr>, status: &str, reason: &str) {
    record(
        "request_rejected",
        json!({
            "protocol": protocol,
            "peer": peer.map(|p| p.to_string()),
            "status": status,
            "reason": reason,
        }),
    );
}

/// An authentication failure (missing or wrong token).
pub fn auth_failed(protocol: &str, peer: Option<std::net::SocketAddr>) {
    record(
        "auth_failed",
        json!({
            "protocol": protocol,
            "peer": peer.map(|p| p.to_string()),
        }),
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
}
