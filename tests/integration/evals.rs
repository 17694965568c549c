//! Evaluation results end to end: the fixtures' evaluation recorded about the call
//! it judged; online evaluators configured in a file run on ingest; `spanlens evals`
//! reads the store (scorecard, one experiment, a comparison with the regression
//! first); `spanlens evals check` names the line of each problem and exits 1.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::durability::spanlens;
use crate::support::{TestServer, fixture_files, post};
use spanlens::server::ServeOptions;

async fn send(srv: &TestServer, path: &str, ct: &str, body: Vec<u8>) {
    let (status, _, resp) = post(srv.http_url(path), ct, &[], body).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&resp));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixture_evaluation_is_recorded_about_the_call_it_judged() {
    for folder in ["openai-v2", "openai-v2-events", "openinference", "plain"] {
        let srv = TestServer::start().await;
        for f in fixture_files(folder, "pb") {
            let path = if f.to_string_lossy().contains("logs") {
                "/v1/logs"
            } else {
                "/v1/traces"
            };
            send(
                &srv,
                path,
                "application/x-protobuf",
                std::fs::read(&f).unwrap(),
            )
            .await;
        }
        let records = srv.api("/api/v1/evals").await;
        let r = records
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "answer_relevance")
            .unwrap_or_else(|| panic!("{folder}: {records:#}"));
        assert_eq!(r["score"], 0.83, "{folder}");
        assert_eq!(r["label"], "relevant", "{folder}");
        assert_eq!(r["passed"], true, "{folder}");
        assert_eq!(r["source"], "gen_ai.evaluation.result", "{folder}");
        // `attach` and the CLI read the same records through the API client.
        let client = srv.api_client();
        let typed = tokio::task::spawn_blocking(move || {
            spanlens::evals::source::remote(&client, Some(0), 100)
        })
        .await
        .unwrap()
        .unwrap();
        let t = typed.iter().find(|t| t.name == "answer_relevance").unwrap();
        assert_eq!((t.score, t.passed), (Some(0.83), Some(true)), "{folder}");
        // Carried by the root, about the chat call whose response it names.
        let trace = srv.trace(r["trace_id"].as_str().unwrap()).await;
        let spans = trace["spans"].as_array().unwrap();
        let carrier = spans
            .iter()
            .find(|s| s["span_id"] == r["carrier_span_id"])
            .unwrap();
        assert_eq!(carrier["name"], "agent.run", "{folder}");
        let target = spans.iter().find(|s| s["span_id"] == r["span_id"]).unwrap();
        if folder == "plain" {
            // Its calls carry no response id: the result stays with the root.
            assert_eq!(target["name"], "agent.run");
        } else {
            assert_eq!(
                target["llm"]["response_id"], "chatcmpl-1",
                "{folder}: {target:#}"
            );
            assert_eq!(target["llm"]["kind"], "chat", "{folder}");
        }
        srv.stop().await;
    }
}

fn attr(k: &str, v: Value) -> Value {
    let value = match v {
        Value::String(s) => json!({"stringValue": s}),
        Value::Number(n) if n.is_f64() => json!({"doubleValue": n}),
        Value::Number(n) => json!({"intValue": n.to_string()}),
        other => other,
    };
    json!({"key": k, "value": value})
}

/// One run of `example` in `experiment`: a root chain carrying a `correctness`
/// result and a chat call under it that took `ms` milliseconds.
pub fn run(n: u8, experiment: &str, example: &str, score: f64, ms: u64) -> Vec<u8> {
    let now = spanlens::util::now_unix_nano() - 60_000_000_000;
    let trace = format!("{:032x}", 0xabc000 + u32::from(n));
    let root = format!("{:016x}", 0x100 + u32::from(n));
    let child = format!("{:016x}", 0x200 + u32::from(n));
    json!({"resourceSpans": [{
        "resource": {"attributes": [attr("service.name", json!("qa-bot"))]},
        "scopeSpans": [{"scope": {"name": "t"}, "spans": [
            {
                "traceId": trace, "spanId": root, "name": "qa_chain", "kind": 1,
                "startTimeUnixNano": now.to_string(),
                "endTimeUnixNano": (now + (ms + 5) * 1_000_000).to_string(),
                "attributes": [
                    attr("experiment.name", json!(experiment)),
                    attr("example.id", json!(example)),
                    attr("input.value", json!(format!("question {example}"))),
                ],
                "events": [{
                    "timeUnixNano": (now + ms * 1_000_000).to_string(),
                    "name": "gen_ai.evaluation.result",
                    "attributes": [
                        attr("gen_ai.evaluation.name", json!("correctness")),
                        attr("gen_ai.evaluation.score.value", json!(score)),
                    ],
                }],
            },
            {
                "traceId": trace, "spanId": child, "parentSpanId": root,
                "name": "chat gpt-4o-mini", "kind": 3,
                "startTimeUnixNano": now.to_string(),
                "endTimeUnixNano": (now + ms * 1_000_000).to_string(),
                "attributes": [
                    attr("gen_ai.operation.name", json!("chat")),
                    attr("gen_ai.request.model", json!("gpt-4o-mini")),
                    attr("gen_ai.usage.input_tokens", json!(100)),
                    attr("gen_ai.usage.output_tokens", json!(10)),
                    attr("gen_ai.output.messages", json!(
                        r#"[{"role":"assistant","parts":[{"type":"text","content":"Paris"}]}]"#)),
                ],
            },
        ]}],
    }]})
    .to_string()
    .into_bytes()
}

fn cli(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = spanlens()
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn cli_json(dir: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let (code, out, err) = cli(dir, &a);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evals_cli_reads_scorecards_and_comparisons_from_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let config_text = "[[evaluators]]\nkind = \"max_latency\"\nname = \"fast\"\nms = 1000\n";
    let file = spanlens::config::ConfigFile::parse(None, config_text.into()).unwrap();
    let config = spanlens::evals::EvalConfig::from_file(&file).unwrap();
    let srv = TestServer::start_in(
        dir,
        ServeOptions {
            evals: Arc::new(config),
            ..Default::default()
        },
    )
    .await;
    // base: ex-1 right, ex-2 right; cand: ex-1 right, ex-2 wrong (a regression),
    // and cand's calls are slow.
    let runs = [
        (1, "base", "ex-1", 1.0, 300),
        (2, "base", "ex-2", 1.0, 400),
        (3, "cand", "ex-1", 1.0, 1_500),
        (4, "cand", "ex-2", 0.0, 1_600),
    ];
    for (n, e, x, s, ms) in runs {
        send(&srv, "/v1/traces", "application/json", run(n, e, x, s, ms)).await;
    }
    drop(srv.stop().await);

    let card = cli_json(dir, &["evals"]);
    let row = |evaluator: &str, group: &str| -> Value {
        card["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["evaluator"] == evaluator && r["group"] == group)
            .cloned()
            .unwrap_or_else(|| panic!("{evaluator}/{group}: {card:#}"))
    };
    assert_eq!(row("correctness", "base")["pass_rate"], 1.0);
    assert_eq!(row("correctness", "cand")["pass_rate"], 0.5);
    assert_eq!(row("correctness", "cand")["count"], 2);
    // The online evaluator ran on the chat calls and inherited their experiment.
    assert_eq!(row("fast", "base")["pass_rate"], 1.0);
    assert_eq!(row("fast", "cand")["pass_rate"], 0.0);

    let one = cli_json(dir, &["evals", "--experiment", "cand", "--by", "model"]);
    let groups: Vec<&str> = one["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["group"].as_str().unwrap())
        .collect();
    assert!(groups.contains(&"gpt-4o-mini"), "{one:#}");

    let cmp = cli_json(dir, &["evals", "--compare", "base", "cand"]);
    let examples = cmp["examples"].as_array().unwrap();
    let changes: Vec<&str> = examples
        .iter()
        .map(|e| e["change"].as_str().unwrap())
        .collect();
    // fast: both cand runs are slow (2 regressions); correctness: ex-2 only.
    assert_eq!(
        changes,
        ["regressed", "regressed", "regressed", "same"],
        "{cmp:#}"
    );
    let wrong = examples
        .iter()
        .find(|e| e["evaluator"] == "correctness")
        .unwrap();
    assert_eq!(
        (&wrong["example"], &wrong["change"]),
        (&json!("ex-2"), &json!("regressed"))
    );
    let (code, text, _) = cli(dir, &["evals", "--compare", "base", "cand"]);
    assert_eq!(code, 0);
    assert!(text.contains("regressed  ex-2"), "{text}");

    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[[evaluators]]\nkind = \"regex\"\npattern = \"(\"\n\n[[evaluators]]\nkind = \"max_cots\"\n",
    )
    .unwrap();
    let (code, _, err) = cli(dir, &["evals", "check", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let shown = bad.display().to_string();
    assert!(
        err.contains(&format!("{shown}:3: pattern is not a valid regex")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{shown}:6: unknown evaluator kind `max_cots`")),
        "{err}"
    );
    let good = dir.join("good.toml");
    std::fs::write(&good, config_text).unwrap();
    let (code, out, err) = cli(dir, &["evals", "check", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 evaluator"), "{out}");
}
