//! `spanlens errors` as a user runs it: against a live owner (its API) and against
//! the store after it stopped, with the same groups; a bad `[[error_classes]]` is
//! refused with its line.

use std::path::Path;

use serde_json::Value;

use crate::durability::start_serve;
use crate::support::run_cli as run;
use crate::support::{fixture_files, post};

fn errors_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["errors", "--json"];
    args.extend_from_slice(extra);
    let (ok, out, err) = run(dir, &args);
    assert!(ok, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

/// The report without the clock it was made at.
fn groups(v: &Value) -> Value {
    v["groups"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_groups_the_fixtures_rate_limit_live_and_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (mut child, http, _log) = start_serve(dir);
    for f in fixture_files("openai-v2", "pb") {
        let (status, _, _) = post(
            format!("http://{http}/v1/traces"),
            "application/x-protobuf",
            &[],
            std::fs::read(f).unwrap(),
        )
        .await;
        assert_eq!(status, 200);
    }
    let live = errors_json(dir, &[]);
    // The failed call; its parent, which re-raised it, is affected, not a new error.
    assert_eq!(live["total"], 1, "{live:#}");
    assert_eq!(live["affected"], 1, "{live:#}");
    let g = &live["groups"][0];
    assert_eq!(g["class"], "rate_limit");
    assert_eq!(g["error_type"], "openai.RateLimitError");
    assert_eq!(g["count"], 1);
    assert_eq!(g["unrescued"], 1, "a single failed call nothing saved");
    assert_eq!(g["traces"], 1);
    assert_eq!(g["services"][0], "weather-agent-openai-v2");
    assert_eq!(g["occurrences"].as_array().unwrap().len(), 1);
    assert_eq!(live["traces"]["failed"], 1);
    // The fixtures were recorded long ago: nothing in the last minute.
    assert_eq!(errors_json(dir, &["--since", "1m"])["total"], 0);
    let (ok, table, _) = run(dir, &["errors"]);
    assert!(ok && table.starts_with("1 error · rate_limit 1"), "{table}");
    assert!(table.contains("openai.RateLimitError"), "{table}");

    // A config-added class regroups them; a bad one is refused with its line.
    let cfg = dir.join("spanlens.toml");
    std::fs::write(
        &cfg,
        "[[error_classes]]\nname = \"mini_quota\"\nmatch_message = \"gpt-4o-mini\"\n",
    )
    .unwrap();
    let cfg_arg = cfg.to_string_lossy().into_owned();
    let custom = errors_json(dir, &["--config", &cfg_arg]);
    assert_eq!(custom["groups"][0]["class"], "mini_quota");
    std::fs::write(
        &cfg,
        "[[error_classes]]\nname = \"x\"\nstatus_code = \"teapot\"\n",
    )
    .unwrap();
    let (ok, _, err) = run(dir, &["errors", "--config", &cfg_arg]);
    assert!(!ok && err.contains("spanlens.toml:3:"), "{err}");

    // Stopped: the CLI reads the store itself, with the same groups.
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(groups(&errors_json(dir, &[])), groups(&live));
}
