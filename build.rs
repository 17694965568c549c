//! Build information for `spanlens --version`: the git commit and the build date.
//! Works without git and outside a clone (both become "unknown"); honours
//! SOURCE_DATE_EPOCH for reproducible builds.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's civil_from_days).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Asks cargo to rerun when the commit changes, naming only files that exist:
/// cargo treats a missing file as always changed, so naming `.git/packed-refs` in a
/// checkout without one recompiled the crate on every build (issue 19).
///
/// A commit rewrites `HEAD` (detached) or the branch's loose ref. A branch whose ref
/// lives only in `packed-refs` gets a loose ref on its next commit, so then the
/// folder that file will appear in is watched as well as `packed-refs`.
fn watch_commit() {
    let git_path = |p: &str| git(&["rev-parse", "--git-path", p]).map(std::path::PathBuf::from);
    let watch = |p: &std::path::Path| {
        if p.exists() {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    };
    if let Some(head) = git_path("HEAD") {
        watch(&head);
    }
    let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) else {
        return; // detached: HEAD itself holds the commit
    };
    let Some(loose) = git_path(&branch) else {
        return;
    };
    if loose.exists() {
        watch(&loose);
        return;
    }
    if let Some(packed) = git_path("packed-refs") {
        watch(&packed);
    }
    // The nearest existing folder on the loose ref's path: the file a new commit
    // writes appears inside it.
    if let Some(dir) = loose.ancestors().skip(1).find(|d| d.is_dir()) {
        watch(dir);
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    watch_commit();
    let hash = git(&["rev-parse", "--short=10", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
    let (y, m, d) = civil(secs.div_euclid(86_400));
    println!("cargo:rustc-env=SPANLENS_GIT_HASH={hash}");
    println!("cargo:rustc-env=SPANLENS_BUILD_DATE={y:04}-{m:02}-{d:02}");
    let target = std::env::var("TARGET").unwrap_or_default();
    let profile = std::env::var("PROFILE").unwrap_or_default();
    println!("cargo:rustc-env=SPANLENS_BUILD_TARGET={target} {profile}");
}
