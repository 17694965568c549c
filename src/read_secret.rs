//! The read API's per-instance secret. An owner started without `--token` generates
//! one (256 bits from the OS CSPRNG) and writes it only into its private lock file;
//! the query API then answers only requests bearing it, while OTLP ingest stays open
//! on loopback. Local clients of the same user find it in the data dir's lock file
//! (no flags); `spanlens token` prints it for use over `ssh -L`.

use std::path::{Path, PathBuf};

use crate::data_dir::{LOCK_FILE, OwnerLock, pid_alive};

/// Why `spanlens token` has nothing to print.
#[derive(Debug, thiserror::Error)]
pub enum ReadSecretError {
    #[error("no running spanlens owns {0}; start one with `spanlens serve`")]
    NoOwner(PathBuf),
    #[error(
        "cannot read {path}: {source}. Only the user running spanlens (the data dir's owner) \
         can read its secret"
    )]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "spanlens pid {0} uses the token given with --token (or is an older version without \
         a read secret); pass that token instead"
    )]
    NoSecret(u32),
    #[error("the system's random number generator failed: {0}")]
    Random(String),
}

/// A fresh secret: 32 random bytes as 64 hex digits.
pub fn generate() -> Result<String, ReadSecretError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ReadSecretError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// The secret of the live owner of `data_dir` when its API is at `url` (so the
/// secret is never sent anywhere else); `None` otherwise.
pub fn for_local_owner(data_dir: &Path, url: &str) -> Option<String> {
    let lock = OwnerLock::read(data_dir)?;
    (lock.api_url.trim_end_matches('/') == url.trim_end_matches('/') && pid_alive(lock.pid))
        .then_some(lock.read_secret)
        .flatten()
}

/// The secret of the live owner of `data_dir`, for `spanlens token`.
pub fn owner_secret(data_dir: &Path) -> Result<String, ReadSecretError> {
    let path = data_dir.join(LOCK_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReadSecretError::NoOwner(data_dir.to_path_buf()));
        }
        Err(source) => return Err(ReadSecretError::Unreadable { path, source }),
    };
    let lock: OwnerLock = serde_json::from_str(&text)
        .map_err(|_| ReadSecretError::NoOwner(data_dir.to_path_buf()))?;
    if !pid_alive(lock.pid) {
        return Err(ReadSecretError::NoOwner(data_dir.to_path_buf()));
    }
    lock.read_secret.ok_or(ReadSecretError::NoSecret(lock.pid))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(url: &str, secret: Option<&str>) -> OwnerLock {
        OwnerLock {
            pid: std::process::id(),
            api_url: url.into(),
            grpc_addrs: vec![],
            http_addrs: vec![],
            started_unix_nano: 0,
            read_secret: secret.map(str::to_string),
        }
    }

    #[test]
    fn secrets_are_long_and_distinct() {
        let (a, b) = (generate().unwrap(), generate().unwrap());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn the_secret_goes_only_to_the_owners_own_url() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            owner_secret(dir.path()),
            Err(ReadSecretError::NoOwner(_))
        ));
        lock("http://127.0.0.1:4318", Some("abc"))
            .write(dir.path())
            .unwrap();
        assert_eq!(
            for_local_owner(dir.path(), "http://127.0.0.1:4318/").as_deref(),
            Some("abc")
        );
        assert_eq!(for_local_owner(dir.path(), "http://10.1.1.1:4318"), None);
        assert_eq!(owner_secret(dir.path()).unwrap(), "abc");
        lock("http://127.0.0.1:4318", None)
            .write(dir.path())
            .unwrap();
        assert!(matches!(
            owner_secret(dir.path()),
            Err(ReadSecretError::NoSecret(_))
        ));
    }
}
