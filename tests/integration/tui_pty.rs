//! The real binary in a pseudo-terminal, driven like a person: it starts with the
//! first-run screen, shows exported traces live, opens one with Enter, and quits
//! with q (confirmed, as data just arrived), stopping collection; marks two demo
//! runs, compares them, shows the critical path, reads Esc typed fast as Esc, and
//! quits with Q.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use spanlens::data_dir::OwnerLock;

use crate::support::{fixture_files, post};

/// The TUI process, killed if the test ends early (a panic).
struct Killed(Box<dyn portable_pty::Child + Send + Sync>);

impl Drop for Killed {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
}

impl Screen {
    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `needle`.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {needle:?} on screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_shows_live_traces_and_opens_one() {
    let tmp = tempfile::tempdir().unwrap();
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_spanlens"));
    cmd.args([
        "--grpc-addr",
        "127.0.0.1:0",
        "--http-addr",
        "127.0.0.1:0",
        "--data-dir",
    ]);
    cmd.arg(tmp.path());
    cmd.env("TERM", "xterm-256color");
    let mut child = Killed(pty.slave.spawn_command(cmd).unwrap());
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
    let sink = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().process(&buf[..n]);
        }
    });
    let screen = Screen { parser };

    // First run: the screen says how to point an app at it.
    let first = screen.wait_for("OTEL_EXPORTER_OTLP_ENDPOINT");
    assert!(first.contains("spanlens demo"), "{first}");
    let lock = OwnerLock::read(tmp.path()).expect("the TUI owns the data dir");
    let url = format!("http://{}/v1/traces", lock.http_addrs[0]);

    for f in fixture_files("openai-v2", "pb") {
        let (status, _, _) = post(
            &url,
            "application/x-protobuf",
            &[],
            std::fs::read(f).unwrap(),
        )
        .await;
        assert_eq!(status, 200);
    }
    let list = screen.wait_for("agent.run.flaky");
    assert!(list.contains("weather-agent"), "{list}");

    // Find the failing trace with the filter, open it, see the failing LLM call.
    writer.write_all(b"/status:error\r").unwrap();
    writer.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let filtered = screen.wait_for("agent.run.flaky");
    assert!(!filtered.contains("rag.retrieve"), "{filtered}");
    writer.write_all(b"\r").unwrap();
    writer.flush().unwrap();
    let tree = screen.wait_for("chat gpt-4o-mini");
    assert!(tree.contains("agent.run.flaky"), "{tree}");
    writer.write_all(b"n").unwrap();
    writer.flush().unwrap();
    screen.wait_for("429");

    // Data arrived in the last minute: q asks before it stops collection; y confirms.
    writer.write_all(b"q").unwrap();
    writer.flush().unwrap();
    screen.wait_for("stops collection");
    writer.write_all(b"y").unwrap();
    writer.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "the TUI did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        OwnerLock::read(tmp.path()).is_none(),
        "the lock is released"
    );
}

/// Sends keys to the TUI, a little apart (as typed).
fn keys(writer: &mut Box<dyn Write + Send>, bytes: &[u8]) {
    for b in bytes {
        writer.write_all(&[*b]).unwrap();
        writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(40));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marks_two_demo_runs_compares_them_and_shows_the_critical_path() {
    let tmp = tempfile::tempdir().unwrap();
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_spanlens"));
    cmd.args([
        "--grpc-addr",
        "127.0.0.1:0",
        "--http-addr",
        "127.0.0.1:0",
        "--data-dir",
    ]);
    cmd.arg(tmp.path());
    cmd.env("TERM", "xterm-256color");
    let mut child = Killed(pty.slave.spawn_command(cmd).unwrap());
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 120, 0)));
    let sink = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().process(&buf[..n]);
        }
    });
    let screen = Screen { parser };
    screen.wait_for("OTEL_EXPORTER_OTLP_ENDPOINT");

    // The demo sends to the TUI (the data dir's owner); pick two weather-agent runs.
    let (ok, _, err) = crate::support::run_cli(
        tmp.path(),
        &["demo", "--count", "60", "--rate", "200", "--seed", "7"],
    );
    assert!(ok, "{err}");
    let (a, b) = crate::compare_cli::two_weather_runs(tmp.path());
    let list = crate::support::cli_json(
        tmp.path(),
        &["traces", "--service", "weather-agent", "--limit", "200"],
    );
    let row_of = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .position(|t| t["trace_id"] == id)
            .unwrap()
    };
    keys(&mut writer, b"/service:weather-agent\r");
    screen.wait_for("filter: service:weather-agent");
    std::thread::sleep(Duration::from_millis(300));

    // m on A, = on B: the comparison opens on the extra tool.
    keys(&mut writer, b"g");
    keys(&mut writer, &b"j".repeat(row_of(&a)));
    keys(&mut writer, b"m");
    screen.wait_for("marked");
    keys(&mut writer, b"g");
    keys(&mut writer, &b"j".repeat(row_of(&b)));
    keys(&mut writer, b"=");
    let compared = screen.wait_for("execute_tool get_forecast only in B");
    assert!(compared.contains(&format!("A {}", &a[..8])), "{compared}");
    assert!(
        compared.contains("row 4 of 5"),
        "the divergence is selected:\n{compared}"
    );

    // Enter opens B at that span; c lists the critical path with shares.
    keys(&mut writer, b"\r");
    screen.wait_for("execute_tool get_forecast · TOOL");
    keys(&mut writer, b"c");
    let path = screen.wait_for("critical path ·");
    assert!(
        path.contains('%') && path.contains("invoke_agent weather-agent"),
        "{path}"
    );
    keys(&mut writer, b"c");
    screen.wait_for("◆");
    // Esc: the tree → the comparison → the list.
    keys(&mut writer, b"\x1b");
    screen.wait_for("only in B");

    // Esc then E in one write (typed fast, or over SSH) reaches crossterm as Alt+E:
    // still Esc (the comparison → the list), then E (the error timeline).
    writer.write_all(b"\x1bE").unwrap();
    writer.flush().unwrap();
    screen.wait_for("error timeline");

    // Q quits at once, data or not.
    keys(&mut writer, b"Q");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the TUI did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
}
