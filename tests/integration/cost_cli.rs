//! `spanlens cost` as a user runs it: against a store written with the fixtures
//! (no owner: the store directly), with price overrides, and against a live owner
//! (through its API) where it must match `stats --json`.

use std::path::Path;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message as _;

use crate::durability::start_serve;
use crate::support::{cli_json as json, run_cli as run};
use crate::support::{fixture_files, owner_get, post};
use spanlens::store::{IngestBatch, SledOptions, SledStore, TraceStore};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12_f64.max(1e-9 * b.abs())
}

/// Writes the openinference fixtures into the data dir's store, priced by `prices`.
fn write_fixtures(dir: &Path, prices: &spanlens::pricing::PriceTable) {
    spanlens::data_dir::ensure(dir).unwrap();
    let store =
        SledStore::open(&spanlens::data_dir::store_dir(dir), &SledOptions::default()).unwrap();
    for f in fixture_files("openinference", "pb") {
        let req = ExportTraceServiceRequest::decode(std::fs::read(f).unwrap().as_slice()).unwrap();
        let spans = spanlens::normalize::normalize_traces(&req, prices).spans;
        store
            .write(&IngestBatch {
                spans,
                ..Default::default()
            })
            .unwrap();
    }
    store.flush().unwrap();
}

#[test]
fn cost_command_prints_the_panel_from_a_store() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Overrides as a user writes them: gpt-4o-mini at $1 / $2 per million, no
    // cache-read rate (cached tokens then cost the input rate). The dated name has
    // its own row in the table, so it is overridden too.
    let prices_file = dir.join("prices.toml");
    std::fs::write(
        &prices_file,
        "[models.\"gpt-4o-mini\"]\ninput_per_million = 1.0\noutput_per_million = 2.0\n\n\
         [models.\"gpt-4o-mini-2024-07-18\"]\ninput_per_million = 1.0\noutput_per_million = 2.0\n",
    )
    .unwrap();
    let prices = spanlens::pricing::user_prices(None, Some(&prices_file)).unwrap();
    write_fixtures(dir, &prices);

    let stats = json(dir, &["cost", "--prices", prices_file.to_str().unwrap()]);
    // Three chat calls of 42 in / 17 out at the overridden rates, one embedding.
    let want = 3.0 * (42.0 * 1e-6 + 17.0 * 2e-6) + 16.0 * 2e-8;
    assert!(
        close(stats["cost_usd"].as_f64().unwrap(), want),
        "{stats:#}"
    );
    assert_eq!(stats["window"], "all");
    assert_eq!(
        stats["cache_savings_usd"].as_f64(),
        Some(0.0),
        "no cache-read rate"
    );
    assert_eq!(stats["by_session"][0]["session"], "sess-42");
    // gpt-4o-mini's calls are one row, the dated answers and the failed request alike.
    assert_eq!(stats["by_model"].as_array().unwrap().len(), 2);
    let failed = stats["by_model"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["errors"] == 1)
        .expect("the rate-limited call");
    assert_eq!(failed["model"], "gpt-4o-mini");
    assert_eq!(
        failed["error_rate"].as_f64(),
        Some(0.25),
        "one failed call in four"
    );
    let flag = ["stats", "--prices", prices_file.to_str().unwrap()];
    assert_eq!(json(dir, &flag)["by_model"], stats["by_model"]);
    // Costs were priced when stored; the flag prices what is computed when read
    // (cache savings): without it, the built-in cache-read rate applies.
    assert!(json(dir, &["stats"])["cache_savings_usd"].as_f64().unwrap() > 0.0);

    let (ok, table, err) = run(dir, &["cost"]);
    assert!(ok, "{err}");
    for must in [
        "window all",
        "MODEL",
        "ERR%",
        "gpt-4o-mini ",
        "25.0%",
        "burn rate",
        "SESSION",
        "sess-42",
        "agent.run",
    ] {
        assert!(table.contains(must), "{must}: {table}");
    }

    // A budget flags the expensive traces; a typo in the file is refused with its line.
    let config = dir.join("config.toml");
    std::fs::write(&config, "[budgets]\ntrace_usd = 0.0001\n").unwrap();
    let (ok, table, _) = run(dir, &["cost", "--config", config.to_str().unwrap()]);
    assert!(ok && table.contains("! over budget"), "{table}");
    std::fs::write(&config, "[budgets]\n\ntrace_dollars = 1\n").unwrap();
    let (ok, _, err) = run(dir, &["cost", "--config", config.to_str().unwrap()]);
    assert!(
        !ok && err.contains("config.toml:3") && err.contains("trace_dollars"),
        "{err}"
    );
    std::fs::write(&prices_file, "[models.x]\ninput_per_milion = 1\n").unwrap();
    let (ok, _, err) = run(dir, &["cost", "--prices", prices_file.to_str().unwrap()]);
    assert!(
        !ok && err.contains("prices.toml") && err.contains("line 2"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cost_against_a_live_owner_matches_stats() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (_child, http, _log) = start_serve(dir);
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
    let cost = json(dir, &["cost", "--since", "100000d"]);
    let stats = json(dir, &["stats", "--since", "100000d"]);
    for key in [
        "cost_usd",
        "llm_calls",
        "by_model",
        "by_session",
        "cache_savings_usd",
        "traces",
    ] {
        assert_eq!(cost[key], stats[key], "{key}");
    }
    // 3 × (32 uncached + 10 cached in, 17 out) on gpt-4o-mini, one embedding.
    let want = 3.0 * (32.0 * 1.5e-7 + 10.0 * 7.5e-8 + 17.0 * 6e-7) + 16.0 * 2e-8;
    assert!(close(cost["cost_usd"].as_f64().unwrap(), want), "{cost:#}");
    assert!(close(
        cost["cache_savings_usd"].as_f64().unwrap(),
        30.0 * (1.5e-7 - 7.5e-8)
    ));
    assert_eq!(
        cost["window"], "all",
        "a window reaching before 1970 is everything"
    );
    let (status, body) = owner_get(dir, &format!("http://{http}/api/v1/ui/cost?window=all")).await;
    assert_eq!(status, 200);
    let report: spanlens::cost::CostReport = serde_json::from_str(&body).unwrap();
    assert!(close(report.totals.cost_usd.unwrap(), want));
    let (status, _) = owner_get(dir, &format!("http://{http}/api/v1/ui/cost?window=2h")).await;
    assert_eq!(status, 400);
}
