//! Safe by default on a shared box, through the real binary: the data dir and every
//! file in it are private whatever the umask (fresh, and tightened when an older
//! version left it wide), the query API answers only with the per-instance secret
//! that the owner's own CLI finds without flags, and another local user (`nobody`,
//! when the tests run as root) can read neither the files nor the API.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use spanlens::data_dir::OwnerLock;

use crate::durability::Served;
use crate::support::{bearer_get, fixture_files, post, run_cli};

/// Starts `spanlens serve` under `umask 000` (so only spanlens itself makes its
/// files private); returns the child, its HTTP address and its stderr lines.
pub fn serve_with_umask_000(
    dir: &Path,
    extra: &[&str],
) -> (Served, String, std::sync::mpsc::Receiver<String>) {
    let mut child = Command::new("sh")
        .args(["-c", "umask 000 && exec \"$@\"", "sh"])
        .arg(env!("CARGO_BIN_EXE_spanlens"))
        .args([
            "serve",
            "--grpc-addr",
            "127.0.0.1:0",
            "--http-addr",
            "127.0.0.1:0",
        ])
        .args(extra)
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let child = Served(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(lock) = OwnerLock::read(dir).filter(|l| l.pid == child.id()) {
            return (child, lock.http_addrs[0].clone(), rx);
        }
        assert!(Instant::now() < deadline, "spanlens serve did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every path under `dir` (itself included) with its permission bits.
fn modes(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut out = vec![(dir.to_path_buf(), spanlens::private_files::mode_of(dir))];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(modes(&path));
        } else {
            out.push((path.clone(), spanlens::private_files::mode_of(&path)));
        }
    }
    out
}

fn assert_private(dir: &Path) {
    let all = modes(dir);
    assert!(all.len() > 4, "{all:?}");
    for (path, mode) in all {
        let want = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, want, "{} is {mode:o}", path.display());
    }
}

async fn store_one_trace(http: &str) {
    let f = fixture_files("openinference", "pb").remove(0);
    let url = format!("http://{http}/v1/traces");
    let body = std::fs::read(f).unwrap();
    let (status, _, _) = post(&url, "application/x-protobuf", &[], body).await;
    assert_eq!(status, 200, "OTLP ingest on loopback needs no secret");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_data_dir_and_every_file_in_it_are_private_whatever_the_umask() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (child, http, _log) = serve_with_umask_000(&data, &[]);
    store_one_trace(&http).await;
    let (ok, _, err) = run_cli(&data, &["stats"]);
    assert!(ok, "{err}");
    assert!(data.join("spanlens.lock").exists() && data.join("audit.log").exists());
    assert!(data.join("store").is_dir());
    assert_private(&data);
    // Exports written into the data dir are private too: through the owner's API,
    // and from the store once it stopped.
    let out = data.join("export.json");
    let (ok, _, err) = run_cli(&data, &["export", "-o", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(std::fs::metadata(&out).unwrap().len() > 100);
    drop(child);
    let out = data.join("export.jsonl");
    let args = ["export", "--format", "jsonl", "-o", out.to_str().unwrap()];
    let (ok, _, err) = run_cli(&data, &args);
    assert!(ok, "{err}");
    assert_private(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_dir_left_wide_is_tightened_once_and_said_so() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (child, http, _log) = serve_with_umask_000(&data, &[]);
    store_one_trace(&http).await;
    drop(child);
    // As an older version (or a careless copy) would have left it.
    for (path, mode) in [
        (data.clone(), 0o755),
        (data.join("store"), 0o755),
        (data.join("store/db"), 0o644),
        (data.join("audit.log"), 0o644),
    ] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let tightened = |audit: &str| {
        audit
            .lines()
            .filter(|l| l.contains("\"data_dir_tightened\""))
            .count()
    };
    let (child, _, log) = serve_with_umask_000(&data, &["--log", "warn"]);
    assert_private(&data);
    let audit = std::fs::read_to_string(data.join("audit.log")).unwrap();
    assert_eq!(tightened(&audit), 1, "{audit}");
    assert!(audit.contains("\"old_mode\":\"0644\""), "{audit}");
    drop(child);
    let lines: Vec<String> = log.try_iter().collect();
    assert_eq!(
        lines.iter().filter(|l| l.contains("tightened")).count(),
        1,
        "{lines:#?}"
    );
    // Already private: nothing more to say.
    let (child, _, _) = serve_with_umask_000(&data, &[]);
    drop(child);
    let audit = std::fs::read_to_string(data.join("audit.log")).unwrap();
    assert_eq!(tightened(&audit), 1, "{audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_needs_the_secret_and_the_owners_cli_finds_it_without_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (_child, http, _log) = serve_with_umask_000(&data, &[]);
    store_one_trace(&http).await;
    let secret = OwnerLock::read(&data).unwrap().read_secret.unwrap();
    assert_eq!(secret.len(), 64);
    for path in [
        "/api/v1/traces",
        "/api/v1/stats",
        "/api/v1/ui/cost",
        "/api/v1/ui/errors",
        "/api/v1/evals",
        "/api/v1/live",
    ] {
        let url = format!("http://{http}{path}");
        assert_eq!(bearer_get(&url, None).await.status(), 401, "{path}");
        assert_eq!(
            bearer_get(&url, Some("0".repeat(64).as_str()))
                .await
                .status(),
            401,
            "{path}"
        );
    }
    let url = format!("http://{http}/api/v1/traces");
    let res = bearer_get(&url, Some(&secret)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()[0]["service"],
        "weather-agent-openinference"
    );
    // The owner's user: no flags.
    let (ok, out, err) = run_cli(&data, &["traces", "--json"]);
    assert!(
        ok && out.contains("weather-agent-openinference"),
        "{out}{err}"
    );
    let (ok, out, _) = run_cli(&data, &["token"]);
    assert!(ok);
    assert_eq!(out.trim(), secret);
    // The secret is in no other file of the data dir, and never in the audit log.
    for (path, _) in modes(&data) {
        if path.is_file() && !path.ends_with("spanlens.lock") {
            let bytes = std::fs::read(&path).unwrap();
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "secret in {}", path.display());
        }
    }
}

/// Runs `args` as `nobody` (uid/gid 65534): (success, stdout + stderr).
fn as_nobody(args: &[&str]) -> (bool, String) {
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(args)
        .output()
        .expect("setpriv");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_user_can_read_neither_the_files_nor_the_api() {
    if !running_as_root() {
        eprintln!(
            "skipped: another_user_can_read_neither_the_files_nor_the_api switches to `nobody`, \
             which needs root (CI runs as root)"
        );
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    // Only the data dir's own modes stand between `nobody` and the store.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let control = tmp.path().join("public.txt");
    std::fs::write(&control, "readable").unwrap();
    std::fs::set_permissions(&control, std::fs::Permissions::from_mode(0o644)).unwrap();
    let data = tmp.path().join("data");
    let (_child, http, _log) = serve_with_umask_000(&data, &[]);
    store_one_trace(&http).await;
    let api = format!("http://{http}/api/v1/traces");

    // The switch works: nobody reads a public file and reaches the port.
    let (ok, out) = as_nobody(&["cat", control.to_str().unwrap()]);
    assert!(ok && out.contains("readable"), "{out}");
    if Command::new("curl").arg("--version").output().is_ok() {
        let (ok, out) = as_nobody(&["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", &api]);
        assert!(ok, "{out}");
        assert_eq!(out.trim(), "401", "the API without the secret");
    }

    for file in ["spanlens.lock", "audit.log", "store/db", "store/conf"] {
        let path = data.join(file);
        assert!(path.exists(), "{file}");
        let (ok, out) = as_nobody(&["cat", path.to_str().unwrap()]);
        assert!(!ok, "nobody read {file}: {out}");
    }
    let (ok, _) = as_nobody(&["ls", data.to_str().unwrap()]);
    assert!(!ok, "nobody listed the data dir");
    let bin = env!("CARGO_BIN_EXE_spanlens");
    let (ok, out) = as_nobody(&[bin, "token", "--data-dir", data.to_str().unwrap()]);
    assert!(!ok && !out.contains(&OwnerLock::read(&data).unwrap().read_secret.unwrap()));
    let (ok, out) = as_nobody(&[
        bin,
        "traces",
        "--json",
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(!ok && !out.contains("weather-agent-openinference"), "{out}");
    // The API through spanlens' own client, from nobody's own data dir.
    let elsewhere = tmp.path().join("nobody-data");
    let url = format!("http://{http}");
    let (ok, out) = as_nobody(&[
        bin,
        "attach",
        &url,
        "--data-dir",
        elsewhere.to_str().unwrap(),
    ]);
    assert!(!ok && out.contains("needs its read secret"), "{out}");
}

/// True when this process runs as root (uid 0), read from /proc (no unsafe).
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}
