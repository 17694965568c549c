//! `spanlens compare A B` on two runs of the demo's weather agent: one that called
//! one tool and one that called two. The JSON names the matched spans, the extra
//! tool only in B and the divergence; the table says the same for people.

use crate::durability::start_serve;
use crate::support::{cli_json as json, run_cli as run};

/// Two weather-agent traces of the demo: (one tool, two tools).
pub fn two_weather_runs(dir: &std::path::Path) -> (String, String) {
    let list = json(
        dir,
        &["traces", "--service", "weather-agent", "--limit", "200"],
    );
    let runs = list.as_array().expect("list");
    let with = |n: u64| {
        runs.iter()
            .find(|t| t["span_count"] == n && t["error_count"] == 0)
            .unwrap_or_else(|| panic!("a weather-agent run of {n} spans in {list:#}"))["trace_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    (with(4), with(5))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_shows_the_extra_tool_as_the_divergence() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (_child, _http, _log) = start_serve(dir);
    let (ok, _, err) = run(
        dir,
        &["demo", "--count", "60", "--rate", "200", "--seed", "7"],
    );
    assert!(ok, "{err}");
    let (a, b) = two_weather_runs(dir);

    let v = json(dir, &["compare", &a, &b]);
    assert_eq!(v["a"]["trace_id"], a.as_str());
    assert_eq!(v["b"]["trace_id"], b.as_str());
    assert_eq!(v["b"]["span_count"], 5);
    let rows = v["rows"].as_array().unwrap();
    let sides: Vec<&str> = rows.iter().map(|r| r["side"].as_str().unwrap()).collect();
    assert_eq!(
        sides.iter().filter(|s| **s == "both").count(),
        4,
        "{sides:?}"
    );
    assert_eq!(
        sides.iter().filter(|s| **s == "only_b").count(),
        1,
        "{sides:?}"
    );
    let d = &v["divergence"];
    assert_eq!(d["reason"], "only_in_b", "{d}");
    let row = &rows[d["row"].as_u64().unwrap() as usize];
    assert_eq!(row["b"]["tool"], "get_forecast", "{row}");
    // Matched model calls carry their message diff: the users asked different things.
    let chat = rows
        .iter()
        .find(|r| r["side"] == "both" && r["llm"].is_object())
        .expect("a matched model call");
    assert!(chat["delta"]["duration_ms"].is_number(), "{chat}");
    assert!(chat["llm"]["model_changed"] == false, "{chat}");

    let (ok, table, err) = run(dir, &["compare", &a, &b]);
    assert!(ok, "{err}");
    assert!(
        table.contains("execute_tool get_forecast only in B"),
        "{table}"
    );
    assert!(
        table.contains("4 spans matched · 0 only in A · 1 only in B"),
        "{table}"
    );

    let (ok, _, err) = run(dir, &["compare", &a, "0123456789abcdef0123456789abcdef"]);
    assert!(!ok && err.contains("no trace"), "{err}");
}
