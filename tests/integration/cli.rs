//! The query commands as a user runs them: against a live owner (through its API)
//! and after it stopped (the store directly), with the same answers.

use crate::durability::start_serve;
use crate::support::{cli_json as json, run_cli as run};
use crate::support::{fixture_files, post};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_commands_answer_alike_live_and_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (mut child, http, _log) = start_serve(dir);
    for f in fixture_files("openinference", "pb") {
        let (status, _, _) = post(
            format!("http://{http}/v1/traces"),
            "application/x-protobuf",
            &[],
            std::fs::read(f).unwrap(),
        )
        .await;
        assert_eq!(status, 200);
    }
    let live_traces = json(dir, &["traces"]);
    let errors = json(dir, &["traces", "--errors"]);
    let by_model = json(dir, &["traces", "--model", "text-embedding"]);
    let stats = json(dir, &["stats", "--since", "100000d"]);
    let run_id = live_traces
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["root_name"] == "agent.run")
        .unwrap()["trace_id"]
        .as_str()
        .unwrap()
        .to_string();
    let trace = json(dir, &["trace", &run_id]);
    let (ok, table, _) = run(dir, &["traces"]);
    assert!(ok);
    assert!(
        table.contains("agent.run.flaky") && table.contains("COST"),
        "{table}"
    );
    let (ok, tree, _) = run(dir, &["trace", &run_id]);
    assert!(ok);
    assert!(
        tree.contains("get_weather") && tree.contains("Paris"),
        "{tree}"
    );
    let (ok, stats_table, _) = run(dir, &["stats"]);
    assert!(ok && stats_table.contains("gpt-4o-mini"), "{stats_table}");

    assert_eq!(live_traces.as_array().unwrap().len(), 4);
    assert_eq!(errors.as_array().unwrap().len(), 1);
    assert_eq!(errors[0]["root_name"], "agent.run.flaky");
    assert_eq!(by_model.as_array().unwrap().len(), 1);
    assert_eq!(stats["traces"], 4);

    // Graceful stop (SIGTERM): the lock goes, the CLI reads the store itself.
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert!(spanlens::data_dir::OwnerLock::read(dir).is_none());
    assert_eq!(json(dir, &["traces"]), live_traces);
    assert_eq!(json(dir, &["trace", &run_id]), trace);
    assert_eq!(
        json(dir, &["stats", "--since", "100000d"])["by_model"],
        stats["by_model"]
    );

    let (ok, _, err) = run(dir, &["trace", "0123456789abcdef0123456789abcdef"]);
    assert!(!ok && err.contains("no trace"), "{err}");
    let (ok, _, err) = run(dir, &["trace", "xyz"]);
    assert!(!ok && err.contains("not hex"), "{err}");
}

/// `spanlens stats --json | head -1` and the like: a reader that stops early ends the
/// output quietly (exit 0), never with a panic on the broken pipe.
#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    for args in [
        &["traces", "--json"][..],
        &["traces"],
        &["stats", "--json"],
        &["stats"],
        &["cost"],
        &["errors"],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_spanlens"))
            .args(args)
            .arg("--data-dir")
            .arg(&dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before the first byte
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.status.success(), "{args:?}: {:?} {err}", out.status);
    }
}
