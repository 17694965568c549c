//! Private files: the data dir is `0700` and everything in it `0600` (directories
//! `0700`), whatever the umask. The process that owns a data dir sets its umask to
//! `077` before the store opens (sled creates its files and folders with the umask),
//! creates the dir `0700`, and tightens what an older version or another tool left
//! wider. Other commands keep the user's umask. No-ops off Unix.

use std::path::{Path, PathBuf};

/// Mode of the data dir and of every folder in it.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file in the data dir.
pub const FILE_MODE: u32 = 0o600;

/// What [`secure_data_dir`] had to tighten (empty on a fresh or already private dir).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tightened {
    /// Paths whose mode was wider, with their old mode.
    pub paths: Vec<(PathBuf, u32)>,
}

impl Tightened {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// Makes files and folders this process creates from now on private to its user
/// (umask `077`). Called by the commands that own a data dir.
pub fn restrict_umask() {
    #[cfg(unix)]
    {
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    }
}

/// Creates `dir` (`0700`) or tightens it and everything under it: folders to `0700`,
/// files to `0600`. Symbolic links are left alone (never followed).
pub fn secure_data_dir(dir: &Path) -> std::io::Result<Tightened> {
    let mut out = Tightened::default();
    create_private_dir(dir)?;
    #[cfg(unix)]
    tighten(dir, &mut out)?;
    Ok(out)
}

#[cfg(unix)]
fn tighten(path: &Path, out: &mut Tightened) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mode = meta.permissions().mode() & 0o7777;
    let want = if meta.is_dir() { DIR_MODE } else { FILE_MODE };
    if mode & !want != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & want))?;
        out.paths.push((path.to_path_buf(), mode));
    }
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            tighten(&entry?.path(), out)?;
        }
    }
    Ok(())
}

/// Creates `dir` (and missing parents) `0700` if it does not exist; an existing dir
/// is left as it is (the owner tightens it, and says so).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder.create(dir)
}

/// Opens `path` for writing (created `0600` when new; `append` or truncate).
pub fn create_private(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true);
    if append {
        opts.append(true);
    } else {
        opts.write(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(FILE_MODE);
    }
    opts.open(path)
}

/// A file's permission bits (0 off Unix).
pub fn mode_of(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::symlink_metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_fresh_dir_is_created_private() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        assert!(secure_data_dir(&dir).unwrap().is_empty());
        assert_eq!(mode_of(&dir), 0o700);
        let f = dir.join("x");
        create_private(&f, false).unwrap();
        assert_eq!(mode_of(&f), 0o600);
    }

    #[test]
    fn a_wide_dir_is_tightened_to_owner_only_and_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        std::fs::create_dir_all(dir.join("store/blobs")).unwrap();
        std::fs::write(dir.join("store/db"), "x").unwrap();
        std::fs::write(dir.join("audit.log"), "x").unwrap();
        for (p, m) in [
            (dir.clone(), 0o755),
            (dir.join("store"), 0o775),
            (dir.join("store/blobs"), 0o700),
            (dir.join("store/db"), 0o644),
            (dir.join("audit.log"), 0o600),
        ] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).unwrap();
        }
        let outside = tmp.path().join("outside");
        std::fs::write(&outside, "x").unwrap();
        std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("link")).unwrap();
        let t = secure_data_dir(&dir).unwrap();
        let mut changed: Vec<_> = t.paths.iter().map(|(p, m)| (p.clone(), *m)).collect();
        changed.sort();
        assert_eq!(
            changed,
            vec![
                (dir.clone(), 0o755),
                (dir.join("store"), 0o775),
                (dir.join("store/db"), 0o644),
            ]
        );
        assert_eq!(mode_of(&dir), 0o700);
        assert_eq!(mode_of(&dir.join("store")), 0o700);
        assert_eq!(mode_of(&dir.join("store/db")), 0o600);
        assert!(secure_data_dir(&dir).unwrap().is_empty(), "idempotent");
        // The link's target is not touched.
        assert_eq!(mode_of(&outside), 0o644);
    }
}
