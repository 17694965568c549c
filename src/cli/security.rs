//! The receiver's security settings from the command line: the token file, the
//! loopback-only binding rule, redaction and `--no-content`, retention limits, and
//! the audit record of what is in force at start.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use serde_json::json;

use super::{CliError, CommonArgs, ServeArgs};
use crate::config::ConfigFile;
use crate::redact::{RedactionConfig, Redactor};
use crate::store::RetentionPolicy;

/// The token in a file: its first line, trimmed; an empty file is an error.
pub fn read_token_file(path: &Path) -> Result<String, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::Usage(format!("cannot read --token-file {}: {e}", path.display()))
    })?;
    let token = text.lines().next().unwrap_or("").trim().to_string();
    if token.is_empty() {
        return Err(CliError::Usage(format!(
            "--token-file {} is empty",
            path.display()
        )));
    }
    Ok(token)
}

/// Loopback only unless a token guards the listener or `--allow-insecure` is given
/// (then a warning on every start, and in the audit log).
pub fn check_bind_policy(
    common: &CommonArgs,
    args: &ServeArgs,
    addrs: &[SocketAddr],
) -> Result<(), CliError> {
    let exposed: Vec<&SocketAddr> = addrs.iter().filter(|a| !a.ip().is_loopback()).collect();
    let Some(first) = exposed.first() else {
        return Ok(());
    };
    if common.token.is_some() {
        return Ok(());
    }
    if !args.allow_insecure {
        return Err(CliError::InsecureBind { addr: **first });
    }
    let list: Vec<String> = exposed.iter().map(|a| a.to_string()).collect();
    eprintln!(
        "spanlens: WARNING: listening on {} without a token (--allow-insecure): anyone who \
         can reach it can read and write traces",
        list.join(", ")
    );
    tracing::warn!(addrs = %list.join(", "), "listening without a token on non-loopback addresses");
    Ok(())
}

/// Redaction rules from the config's `[redaction]` table plus `--no-content`.
pub fn redactor(config: &ConfigFile, args: &ServeArgs) -> Result<Arc<Redactor>, CliError> {
    let rules: RedactionConfig = config.section("redaction")?;
    Redactor::new(&rules, args.no_content)
        .map(Arc::new)
        .map_err(|e| CliError::Usage(format!("{}: [redaction]: {e}", config.display_path())))
}

/// `--max-age` / `--max-disk` as a policy.
pub fn retention(args: &ServeArgs) -> Result<RetentionPolicy, CliError> {
    let max_age_nanos = match &args.max_age {
        Some(d) => Some(
            crate::util::parse_duration(d)
                .map_err(|e| CliError::Usage(format!("--max-age: {e}")))?
                .as_nanos() as u64,
        ),
        None => None,
    };
    let max_disk_bytes = match &args.max_disk {
        Some(s) => Some(
            crate::util::parse_size(s).map_err(|e| CliError::Usage(format!("--max-disk: {e}")))?,
        ),
        None => None,
    };
    Ok(RetentionPolicy {
        max_age_nanos,
        max_disk_bytes,
    })
}

/// `--audit-max-size` in bytes (default [`crate::audit::DEFAULT_MAX_BYTES`]).
pub fn audit_max_bytes(args: &ServeArgs) -> Result<u64, CliError> {
    match &args.audit_max_size {
        Some(s) => crate::util::parse_size(s)
            .map(|n| n.max(1024))
            .map_err(|e| CliError::Usage(format!("--audit-max-size: {e}"))),
        None => Ok(crate::audit::DEFAULT_MAX_BYTES),
    }
}

/// Says once — one log line, one audit record — that a data dir with wider modes
/// than its owner's was tightened (`crate::private_files`).
pub fn report_tightened(dir: &Path, tightened: &crate::private_files::Tightened) {
    if tightened.is_empty() {
        return;
    }
    let paths: Vec<serde_json::Value> = tightened
        .paths
        .iter()
        .map(
            |(p, mode)| json!({"path": p.display().to_string(), "old_mode": format!("{mode:04o}")}),
        )
        .collect();
    tracing::warn!(
        dir = %dir.display(),
        paths = paths.len(),
        "the data dir was readable by other users; tightened it to 0700 and its files to 0600"
    );
    if let Err(e) = crate::audit::init(dir) {
        eprintln!(
            "spanlens: cannot open the audit log in {}: {e}",
            dir.display()
        );
        return;
    }
    crate::audit::record(
        "data_dir_tightened",
        json!({"dir": dir.display().to_string(), "paths": paths}),
    );
}

/// Opens the audit log in the data dir and records the start: listeners and the
/// settings in force (never the token itself).
pub fn audit_start(
    dir: &Path,
    common: &CommonArgs,
    args: &ServeArgs,
    config: &ConfigFile,
    grpc: &[String],
    http: &[String],
) {
    match crate::audit::init(dir) {
        Ok(log) => {
            log.set_max_bytes(audit_max_bytes(args).unwrap_or(crate::audit::DEFAULT_MAX_BYTES));
            tracing::info!(path = %log.path().display(), "audit log");
        }
        Err(e) => {
            eprintln!(
                "spanlens: cannot open the audit log in {}: {e}",
                dir.display()
            );
            return;
        }
    }
    let mut exposed = Vec::new();
    for (protocol, addrs) in [("grpc", grpc), ("http", http)] {
        for addr in addrs {
            crate::audit::record(
                "listener_started",
                json!({"protocol": protocol, "addr": addr, "tls": args.tls_cert.is_some()}),
            );
            if addr
                .parse::<SocketAddr>()
                .is_ok_and(|a| !a.ip().is_loopback())
            {
                exposed.push(addr.clone());
            }
        }
    }
    if !exposed.is_empty() && common.token.is_none() {
        crate::audit::record("insecure_bind", json!({ "addrs": exposed }));
    }
    crate::audit::record(
        "config",
        json!({
            "version": env!("CARGO_PKG_VERSION"),
            "pid": std::process::id(),
            "data_dir": dir.display().to_string(),
            "config_file": config.path.as_ref().map(|p| p.display().to_string()),
            "token_required": common.token.is_some(),
            "read_secret_required": common.token.is_none(),
            "allow_insecure": args.allow_insecure,
            "no_content": args.no_content,
            "redaction": config.table.get("redaction").map(|t| t.to_string()),
            "max_age": args.max_age,
            "max_disk": args.max_disk,
            "audit_max_size": args.audit_max_size,
            "max_request_mb": args.max_request_mb,
            "tls": args.tls_cert.is_some(),
            "mtls": args.client_ca.is_some(),
            "cache_mb": args.cache_mb,
        }),
    );
}
