//! `spanlens mcp` driven as an MCP client drives it: the real binary over stdio,
//! on stores filled from the fixtures. The answers must be those of the `--json`
//! commands, big answers must be cut visibly and resumably, bad input must come back
//! as tool errors, and a client that goes away must not leave a process behind.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::durability::start_serve;
use crate::mcp_client::McpClient;
use crate::support::{TestServer, cli_json, fixture_files, post};
use spanlens::server::ServeOptions;

const TOOLS: [&str; 8] = [
    "compare_experiments",
    "compare_traces",
    "cost_report",
    "eval_scorecards",
    "get_span",
    "get_trace",
    "list_errors",
    "search_traces",
];

/// A store with the openinference and openai-v2 fixtures and two experiments,
/// received by a server that then stopped (import does not record eval results).
fn fixture_store(dir: &Path) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let srv = TestServer::start_in(dir, ServeOptions::default()).await;
        let mut bodies: Vec<(&str, Vec<u8>)> = fixture_files("openinference", "pb")
            .into_iter()
            .chain(fixture_files("openai-v2", "pb"))
            .map(|f| ("application/x-protobuf", std::fs::read(f).unwrap()))
            .collect();
        let runs = [
            (1, "base", "ex-1", 1.0, 300),
            (2, "base", "ex-2", 1.0, 400),
            (3, "cand", "ex-1", 1.0, 1_500),
            (4, "cand", "ex-2", 0.0, 1_600),
        ];
        for (n, e, x, s, ms) in runs {
            bodies.push(("application/json", crate::evals::run(n, e, x, s, ms)));
        }
        for (ct, body) in bodies {
            let (status, _, _) = post(srv.http_url("/v1/traces"), ct, &[], body).await;
            assert_eq!(status, 200);
        }
        drop(srv.stop().await);
    });
}

fn trace_id_of(list: &Value, root: &str) -> String {
    list.as_array()
        .unwrap()
        .iter()
        .find(|t| t["root_name"] == root)
        .unwrap_or_else(|| panic!("no {root} in {list:#}"))["trace_id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn mcp_lists_its_tools_and_answers_like_the_json_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture_store(dir);
    let mut c = McpClient::start(dir, &[]);
    assert_eq!(c.server["serverInfo"]["name"], "spanlens");
    for cap in ["tools", "resources", "prompts"] {
        assert!(c.server["capabilities"][cap].is_object(), "{}", c.server);
    }

    let list = c.request("tools/list", json!({}));
    let tools = list["result"]["tools"].as_array().unwrap();
    let names: BTreeSet<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, TOOLS.into_iter().collect());
    let get_trace = tools.iter().find(|t| t["name"] == "get_trace").unwrap();
    assert_eq!(get_trace["inputSchema"]["required"], json!(["trace_id"]));
    assert!(
        get_trace["inputSchema"]["properties"]["trace_id"]["description"]
            .as_str()
            .unwrap()
            .contains("32 hex digits")
    );
    assert!(
        tools
            .iter()
            .all(|t| t["annotations"]["readOnlyHint"] == true)
    );

    // search_traces: the summaries of `traces --json`, filtered with the `/` language.
    let all = cli_json(dir, &["traces", "--limit", "100"]);
    let found = c.tool("search_traces", json!({"limit": 100}));
    assert_eq!(found["traces"], all);
    assert_eq!(found["count"], all.as_array().unwrap().len());
    let failed = c.tool("search_traces", json!({"filter": "status:error"}));
    let roots: BTreeSet<&str> = failed["traces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["root_name"].as_str().unwrap())
        .collect();
    assert_eq!(roots, BTreeSet::from(["agent.run.flaky"]), "{failed:#}");
    assert_eq!(failed["count"], 2);
    let qa = c.tool(
        "search_traces",
        json!({"filter": "name~qa_chain service:qa-bot", "limit": 3}),
    );
    assert_eq!(qa["count"], 3);

    // get_trace: `trace ID --json` whole when it fits the budget.
    let run = trace_id_of(&all, "agent.run");
    let trace = c.tool("get_trace", json!({"trace_id": run}));
    assert_eq!(trace, cli_json(dir, &["trace", &run]));
    assert!(trace.get("truncated").is_none());
    let tool_span = trace["spans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["llm"]["output_messages"][0]["tool_calls"][0]["name"] == "get_weather")
        .expect("the chat call that asked for get_weather");
    let call = &tool_span["llm"]["output_messages"][0]["tool_calls"][0];
    assert_eq!(call["id"], "call_abc123");
    assert!(call["arguments"].to_string().contains("Paris"), "{call}");

    // get_span: that span whole, as in the trace.
    let span = c.tool(
        "get_span",
        json!({"trace_id": run, "span_id": tool_span["span_id"]}),
    );
    assert_eq!(&span, tool_span);
    assert_eq!(span["llm"]["input_tokens"], 42);
    assert_eq!(span["llm"]["output_tokens"], 17);

    // list_errors: the groups of `errors --json`, with sample trace ids.
    let errors_cli = cli_json(dir, &["errors"]);
    let errors = c.tool("list_errors", json!({}));
    assert_eq!(errors["total"], errors_cli["total"]);
    assert_eq!(errors["by_class"], errors_cli["by_class"]);
    let group = errors["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["class"] == "rate_limit")
        .unwrap_or_else(|| panic!("{errors:#}"));
    let samples = group["occurrences"].as_array().unwrap();
    assert!(!samples.is_empty() && samples.len() <= 3);
    let flaky = failed["traces"][0]["trace_id"].as_str().unwrap();
    let failed_ids: BTreeSet<&str> = failed["traces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trace_id"].as_str().unwrap())
        .collect();
    assert!(
        samples
            .iter()
            .all(|o| failed_ids.contains(o["trace_id"].as_str().unwrap()))
    );

    // cost_report: the numbers of `cost --json`.
    let cost_cli = cli_json(dir, &["cost"]);
    let cost = c.tool("cost_report", json!({}));
    for key in [
        "cost_usd",
        "input_tokens",
        "output_tokens",
        "llm_calls",
        "by_model",
        "top_traces",
    ] {
        assert_eq!(cost[key], cost_cli[key], "{key}");
    }
    assert!(cost["input_tokens"].as_u64().unwrap() > 0);

    // eval_scorecards and compare_experiments: `evals --json`, `evals --compare`.
    let card = c.tool("eval_scorecards", json!({}));
    assert_eq!(card["rows"], cli_json(dir, &["evals"])["rows"]);
    let cand = card["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["evaluator"] == "correctness" && r["group"] == "cand")
        .unwrap();
    assert_eq!(cand["pass_rate"], 0.5);
    let by_model = c.tool(
        "eval_scorecards",
        json!({"by": "model", "experiment": "cand"}),
    );
    assert_eq!(by_model["grouping"], "model");
    let cmp = c.tool("compare_experiments", json!({"a": "base", "b": "cand"}));
    assert_eq!(cmp, cli_json(dir, &["evals", "--compare", "base", "cand"]));
    let regressed = cmp["examples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["change"] == "regressed")
        .unwrap();
    assert_eq!(regressed["example"], "ex-2");

    // compare_traces: the good run against the one that hit the rate limit.
    let diff = c.tool("compare_traces", json!({"a": run, "b": flaky}));
    let sa = &cli_json(dir, &["trace", &run])["summary"];
    let sb = &cli_json(dir, &["trace", flaky])["summary"];
    assert_eq!(diff["a"]["trace_id"], run.as_str());
    assert_eq!(diff["a"]["input_tokens"], sa["input_tokens"]);
    assert_eq!(
        diff["delta_b_minus_a"]["input_tokens"],
        sb["input_tokens"].as_i64().unwrap() - sa["input_tokens"].as_i64().unwrap()
    );
    assert_eq!(
        diff["delta_b_minus_a"]["span_count"],
        sb["span_count"].as_i64().unwrap() - sa["span_count"].as_i64().unwrap()
    );
    assert_eq!(diff["same_span_sequence"], false);
    let first = &diff["first_difference"];
    assert_eq!(first["a"]["name"], "agent.run");
    assert_eq!(first["b"]["name"], "agent.run.flaky");
    assert!(
        first["differs_in"]
            .as_array()
            .unwrap()
            .contains(&json!("name"))
    );

    // Resources and the prompt.
    let templates = c.request("resources/templates/list", json!({}));
    let uris: Vec<&str> = templates["result"]["resourceTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["uriTemplate"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        [
            "spanlens://trace/{trace_id}",
            "spanlens://span/{trace_id}/{span_id}"
        ]
    );
    let listed = c.request("resources/list", json!({}));
    assert!(
        listed["result"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["uri"] == format!("spanlens://trace/{run}"))
    );
    let read = c.request(
        "resources/read",
        json!({"uri": format!("spanlens://trace/{run}")}),
    );
    let text = read["result"]["contents"][0]["text"].as_str().unwrap();
    assert_eq!(serde_json::from_str::<Value>(text).unwrap(), trace);
    let span_uri = format!(
        "spanlens://span/{run}/{}",
        tool_span["span_id"].as_str().unwrap()
    );
    let read = c.request("resources/read", json!({"uri": span_uri}));
    let text = read["result"]["contents"][0]["text"].as_str().unwrap();
    assert_eq!(&serde_json::from_str::<Value>(text).unwrap(), tool_span);
    let prompt = c.request(
        "prompts/get",
        json!({"name": "debug_trace", "arguments": {"trace_id": flaky}}),
    );
    let steps = prompt["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap();
    assert!(
        steps.contains(flaky) && steps.contains("get_span"),
        "{steps}"
    );
}

#[test]
fn mcp_bad_input_is_a_tool_error_and_the_server_carries_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture_store(dir);
    let mut c = McpClient::start(dir, &[]);
    let e = c.tool_error("get_trace", json!({"trace_id": "xyz"}));
    assert!(e.contains("32 hex digits"), "{e}");
    let e = c.tool_error(
        "get_trace",
        json!({"trace_id": "0123456789abcdef0123456789abcdef"}),
    );
    assert!(
        e.contains("no trace 0123456789abcdef0123456789abcdef"),
        "{e}"
    );
    let e = c.tool_error("search_traces", json!({"filter": "\"unterminated"}));
    assert!(e.contains("unterminated quote"), "{e}");
    let e = c.tool_error("search_traces", json!({"filter": "colour:red"}));
    assert!(e.contains("unknown filter"), "{e}");
    let e = c.tool_error("search_traces", json!({"since": "yesterday"}));
    assert!(e.contains("since"), "{e}");
    let e = c.tool_error("search_traces", json!({"limit": 0}));
    assert!(e.contains("limit"), "{e}");
    let e = c.tool_error("eval_scorecards", json!({"by": "colour"}));
    assert!(e.contains("experiment, model or service"), "{e}");
    let e = c.tool_error("compare_experiments", json!({"a": "nope", "b": "nada"}));
    assert!(e.contains("no evaluation results"), "{e}");
    let all = c.tool("search_traces", json!({}));
    let run = trace_id_of(&all["traces"], "agent.run");
    let e = c.tool_error(
        "get_span",
        json!({"trace_id": run, "span_id": "00000000000000ff"}),
    );
    assert!(e.contains("has no span 00000000000000ff"), "{e}");
    let r = c.request("resources/read", json!({"uri": "file:///etc/passwd"}));
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a spanlens resource"),
        "{r}"
    );
    // A tool that does not exist is a protocol error; the server answers on.
    let r = c.request(
        "tools/call",
        json!({"name": "drop_tables", "arguments": {}}),
    );
    assert!(
        r["error"].is_object() || r["result"]["isError"] == true,
        "{r}"
    );
    assert_eq!(c.tool("search_traces", json!({}))["count"], all["count"]);

    // An instance that is not there: a tool error naming it.
    let mut remote = McpClient::start(dir, &["--url", "http://127.0.0.1:9"]);
    let e = remote.tool_error("search_traces", json!({}));
    assert!(e.contains("http://127.0.0.1:9"), "{e}");
    assert!(remote.request("tools/list", json!({}))["result"].is_object());
}

#[test]
fn mcp_exits_when_the_client_goes_away_mid_request() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture_store(dir);
    // The client sends calls and closes stdin without reading the answers.
    let mut c = McpClient::start(dir, &[]);
    for _ in 0..5 {
        c.send_request(
            "tools/call",
            json!({"name": "cost_report", "arguments": {}}),
        );
    }
    c.close_stdin();
    let status = c.wait_exit(Duration::from_secs(30)).expect("still running");
    assert!(status.success(), "{status:?}");

    // The client dies: stdin closes before the handshake ends.
    let mut c = McpClient::spawn(dir, &[]);
    c.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}));
    c.close_stdin();
    assert!(
        c.wait_exit(Duration::from_secs(30)).is_some(),
        "still running"
    );

    // Garbage on stdin is answered or skipped, never a crash.
    let mut c = McpClient::start(dir, &[]);
    c.send(&json!("not a message"));
    c.send(&json!({"jsonrpc": "2.0", "id": 99, "method": "tools/call"}));
    assert!(c.request("tools/list", json!({}))["result"]["tools"].is_array());
    assert!(c.child.try_wait().unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_reads_a_live_owner_then_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (mut owner, http, _log) = start_serve(dir);
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
    // The owner holds the store: an answer now came through its API.
    let mut c = McpClient::start(dir, &[]);
    let live = c.tool("search_traces", json!({}));
    assert_eq!(live["count"], 4);
    let remote = tokio::task::spawn_blocking({
        let dir = dir.to_path_buf();
        move || {
            let mut r = McpClient::start(&dir, &["--url", &format!("http://{http}")]);
            r.tool("search_traces", json!({}))
        }
    })
    .await
    .unwrap();
    assert_eq!(remote, live);

    let pid = owner.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(owner.wait().unwrap().success());
    // Same server process, now reading the store.
    assert_eq!(c.tool("search_traces", json!({})), live);
    let run = trace_id_of(&live["traces"], "agent.run");
    assert_eq!(
        c.tool("get_trace", json!({"trace_id": run}))["trace_id"],
        run.as_str()
    );
}

#[test]
fn mcp_says_so_when_the_owner_wants_a_token_it_lacks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (_owner, _http, _log) = crate::durability::start_serve_with(dir, &["--token", "s3cret"]);
    let mut c = McpClient::start(dir, &[]);
    let e = c.tool_error("search_traces", json!({}));
    assert!(
        e.contains("did not answer") && e.contains("--token-file"),
        "{e}"
    );
    let mut with_token = McpClient::start(dir, &["--token", "s3cret"]);
    assert_eq!(with_token.tool("search_traces", json!({}))["count"], 0);
}
