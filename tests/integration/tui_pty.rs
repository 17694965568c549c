//! The real binary in a pseudo-terminal, driven like a person: it starts with the
//! first-run screen, shows exported traces live, opens one with Enter, and quits
//! with q (confirmed, as data just arrived), stopping collection; marks two demo
//! runs, compares them, shows the critical path, reads Esc typed fast as Esc, and
//! quits with Q.

use std::time::{Duration, Instant};

use spanlens::data_dir::OwnerLock;

use crate::pty::Tui;
use crate::support::{fixture_files, post};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_shows_live_traces_and_opens_one() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    let mut tui = Tui::spawn(
        &[
            "--grpc-addr",
            "127.0.0.1:0",
            "--http-addr",
            "127.0.0.1:0",
            "--data-dir",
            data,
        ],
        24,
        80,
    );

    // First run: the screen says how to point an app at it.
    let first = tui.wait_for("OTEL_EXPORTER_OTLP_ENDPOINT");
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
    let list = tui.wait_for("agent.run.flaky");
    assert!(list.contains("weather-agent"), "{list}");

    // Find the failing trace with the filter, open it, see the failing LLM call.
    tui.write(b"/status:error\r");
    std::thread::sleep(Duration::from_millis(300));
    let filtered = tui.wait_for("agent.run.flaky");
    assert!(!filtered.contains("rag.retrieve"), "{filtered}");
    tui.write(b"\r");
    let tree = tui.wait_for("chat gpt-4o-mini");
    assert!(tree.contains("agent.run.flaky"), "{tree}");
    tui.write(b"n");
    tui.wait_for("429");

    // Data arrived in the last minute: q asks before it stops collection; y confirms.
    tui.write(b"q");
    tui.wait_for("stops collection");
    tui.write(b"y");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = tui.child.try_wait().unwrap() {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marks_two_demo_runs_compares_them_and_shows_the_critical_path() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    let mut tui = Tui::spawn(
        &[
            "--grpc-addr",
            "127.0.0.1:0",
            "--http-addr",
            "127.0.0.1:0",
            "--data-dir",
            data,
        ],
        40,
        120,
    );
    tui.wait_for("OTEL_EXPORTER_OTLP_ENDPOINT");

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
    tui.keys(b"/service:weather-agent\r");
    tui.wait_for("filter: service:weather-agent");
    std::thread::sleep(Duration::from_millis(300));

    // m on A, = on B: the comparison opens on the extra tool.
    tui.keys(b"g");
    tui.keys(&b"j".repeat(row_of(&a)));
    tui.keys(b"m");
    tui.wait_for("marked");
    tui.keys(b"g");
    tui.keys(&b"j".repeat(row_of(&b)));
    tui.keys(b"=");
    let compared = tui.wait_for("execute_tool get_forecast only in B");
    assert!(compared.contains(&format!("A {}", &a[..8])), "{compared}");
    assert!(
        compared.contains("row 4 of 5"),
        "the divergence is selected:\n{compared}"
    );

    // Enter opens B at that span; c lists the critical path with shares.
    tui.keys(b"\r");
    tui.wait_for("execute_tool get_forecast · TOOL");
    tui.keys(b"c");
    let path = tui.wait_for("critical path ·");
    assert!(
        path.contains('%') && path.contains("invoke_agent weather-agent"),
        "{path}"
    );
    tui.keys(b"c");
    tui.wait_for("◆");
    // Esc: the tree → the comparison → the list.
    tui.keys(b"\x1b");
    tui.wait_for("only in B");

    // Esc then E in one write (typed fast, or over SSH) reaches crossterm as Alt+E:
    // still Esc (the comparison → the list), then E (the error timeline).
    tui.write(b"\x1bE");
    tui.wait_for("error timeline");

    // Q quits at once, data or not.
    tui.keys(b"Q");
    let deadline = Instant::now() + Duration::from_secs(20);
    while tui.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the TUI did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
}
