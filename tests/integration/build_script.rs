//! `build.rs` and the edit-compile loop (issue 19): with nothing changed, a second
//! build compiles nothing — with or without `.git/packed-refs` — and a new commit still
//! reaches `--version`. The project's real `build.rs` is copied into a small crate in
//! a fresh git repository, so the test drives cargo exactly as a contributor would,
//! in seconds and without the network.

use std::path::Path;
use std::process::Command;

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .unwrap_or_else(|e| panic!("{program} {args:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?} failed:\n{text}");
    text
}

/// What cargo did to the crate in one `cargo build -v`, and the commit the built
/// binary reports.
fn build(dir: &Path) -> (&'static str, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let log = run(dir, &cargo, &["build", "-v", "--offline"]);
    let state = if log.contains("Compiling probe") {
        "compiled"
    } else if log.contains("Fresh probe") {
        "fresh"
    } else {
        panic!("cargo said neither Fresh nor Compiling:\n{log}")
    };
    let exe = dir.join("target/debug/probe");
    let out = Command::new(exe).output().unwrap();
    (
        state,
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

fn head(dir: &Path) -> String {
    run(dir, "git", &["rev-parse", "--short=10", "HEAD"])
        .trim()
        .to_string()
}

#[test]
fn a_second_build_compiles_nothing_and_a_new_commit_reaches_the_version() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("src")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("build.rs"),
        dir.join("build.rs"),
    )
    .unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"probe\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        "fn main() { println!(\"{}\", env!(\"SPANLENS_GIT_HASH\")); }\n",
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    run(dir, "git", &["init", "-q", "-b", "main"]);
    run(dir, "git", &["add", "-A"]);
    run(dir, "git", &["commit", "-q", "-m", "one"]);
    assert!(!dir.join(".git/packed-refs").exists());

    // A checkout without packed-refs: the case that rebuilt everything every time.
    assert_eq!(build(dir), ("compiled", head(dir)));
    assert_eq!(build(dir), ("fresh", head(dir)));

    run(dir, "git", &["commit", "-q", "--allow-empty", "-m", "two"]);
    assert_eq!(build(dir), ("compiled", head(dir)), "a new commit");
    assert_eq!(build(dir), ("fresh", head(dir)));

    // The branch ref only in packed-refs (as after `git gc` or in many clones).
    run(dir, "git", &["pack-refs", "--all"]);
    assert!(dir.join(".git/packed-refs").exists());
    assert!(!dir.join(".git/refs/heads/main").exists());
    let (_, version) = build(dir);
    assert_eq!(version, head(dir));
    assert_eq!(build(dir), ("fresh", head(dir)));

    // The next commit writes a loose ref again: still noticed.
    run(
        dir,
        "git",
        &["commit", "-q", "--allow-empty", "-m", "three"],
    );
    assert_eq!(
        build(dir),
        ("compiled", head(dir)),
        "a commit after pack-refs"
    );
    assert_eq!(build(dir), ("fresh", head(dir)));

    // A detached HEAD is a commit too.
    run(dir, "git", &["checkout", "-q", "HEAD~1"]);
    assert_eq!(build(dir), ("compiled", head(dir)), "a detached checkout");
    assert_eq!(build(dir), ("fresh", head(dir)));
}
