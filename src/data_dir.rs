//! The data dir: where the store lives, and the owner's lock file that tells other
//! `spanlens` processes where the owner's query API answers.
//!
//! sled allows one process per store; the process that opens it writes
//! `spanlens.lock` (JSON: pid, API URL, listeners, the read API's secret; `0600`). A
//! lock file left by a process that died is recognised when the store opens fine
//! despite it, and replaced.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The lock file's name inside the data dir.
pub const LOCK_FILE: &str = "spanlens.lock";

#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("no home directory to put the default data dir in; pass --data-dir")]
    NoHome,
    #[error("data dir {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// `$XDG_DATA_HOME/spanlens` (or the platform's equivalent).
pub fn default_data_dir() -> Result<PathBuf, DataDirError> {
    directories::ProjectDirs::from("", "", "spanlens")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(DataDirError::NoHome)
}

/// The sled store's folder inside a data dir.
pub fn store_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("store")
}

/// Creates the data dir private (`0700`), or tightens an existing one and everything
/// in it (see [`crate::private_files`]); returns what was tightened.
pub fn ensure(data_dir: &Path) -> Result<crate::private_files::Tightened, DataDirError> {
    crate::private_files::secure_data_dir(data_dir).map_err(|source| DataDirError::Io {
        path: data_dir.to_path_buf(),
        source,
    })
}

/// What the owner of a data dir records about itself.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerLock {
    pub pid: u32,
    /// Base URL of the query API, e.g. `http://127.0.0.1:4318`.
    pub api_url: String,
    pub grpc_addrs: Vec<String>,
    pub http_addrs: Vec<String>,
    pub started_unix_nano: u64,
    /// The secret the query API requires when the owner was started without
    /// `--token` (absent in lock files of older versions and with `--token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_secret: Option<String>,
}

impl std::fmt::Debug for OwnerLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnerLock")
            .field("pid", &self.pid)
            .field("api_url", &self.api_url)
            .field("grpc_addrs", &self.grpc_addrs)
            .field("http_addrs", &self.http_addrs)
            .field("started_unix_nano", &self.started_unix_nano)
            .field(
                "read_secret",
                &self.read_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl OwnerLock {
    pub fn read(data_dir: &Path) -> Option<OwnerLock> {
        let text = std::fs::read_to_string(data_dir.join(LOCK_FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes the lock atomically (temp file + rename), readable by its user only.
    pub fn write(&self, data_dir: &Path) -> Result<(), DataDirError> {
        use std::io::Write;
        let path = data_dir.join(LOCK_FILE);
        let tmp = data_dir.join(format!("{LOCK_FILE}.{}", self.pid));
        let io = |source| DataDirError::Io {
            path: path.clone(),
            source,
        };
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        let _ = std::fs::remove_file(&tmp);
        crate::private_files::create_private(&tmp, false)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)
    }

    /// Removes the lock if it is still ours.
    pub fn remove_if_ours(data_dir: &Path) {
        if OwnerLock::read(data_dir).is_some_and(|l| l.pid == std::process::id()) {
            let _ = std::fs::remove_file(data_dir.join(LOCK_FILE));
        }
    }
}

/// Best guess at whether a process id is alive (Linux `/proc`; elsewhere assume yes
/// and let the API health check decide).
pub fn pid_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if proc.is_dir() {
        proc.join(pid.to_string()).exists()
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_round_trips_and_is_removed_only_by_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let mine = OwnerLock {
            pid: std::process::id(),
            api_url: "http://127.0.0.1:1".into(),
            grpc_addrs: vec!["127.0.0.1:2".into()],
            http_addrs: vec!["127.0.0.1:1".into()],
            started_unix_nano: 5,
            read_secret: Some("s3cret".into()),
        };
        mine.write(dir.path()).unwrap();
        assert_eq!(OwnerLock::read(dir.path()), Some(mine.clone()));
        assert_eq!(
            crate::private_files::mode_of(&dir.path().join(LOCK_FILE)) & 0o077,
            0
        );
        assert!(!format!("{mine:?}").contains("s3cret"));
        let other = OwnerLock { pid: 1, ..mine };
        other.write(dir.path()).unwrap();
        OwnerLock::remove_if_ours(dir.path());
        assert!(
            OwnerLock::read(dir.path()).is_some(),
            "someone else's lock stays"
        );
        assert!(pid_alive(std::process::id()));
    }

    #[test]
    fn a_lock_file_of_an_older_version_reads_without_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(LOCK_FILE),
            r#"{"pid": 7, "api_url": "http://127.0.0.1:4318", "grpc_addrs": [],
               "http_addrs": ["127.0.0.1:4318"], "started_unix_nano": 1}"#,
        )
        .unwrap();
        let lock = OwnerLock::read(dir.path()).unwrap();
        assert_eq!(lock.pid, 7);
        assert_eq!(lock.read_secret, None);
    }
}
