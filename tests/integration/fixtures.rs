//! The captured fixture payloads replayed over OTLP/HTTP, protobuf and JSON, checked
//! against the numbers in tests/fixtures/README.md through the query API.

use serde_json::Value;

use crate::support::{TestServer, fixture_files, post};

/// Replays a folder in export order; returns the server.
async fn replay(folder: &str, ext: &str) -> TestServer {
    let srv = TestServer::start().await;
    let ct = if ext == "pb" {
        "application/x-protobuf"
    } else {
        "application/json"
    };
    for f in fixture_files(folder, ext) {
        let path = if f.to_string_lossy().contains("logs") {
            "/v1/logs"
        } else {
            "/v1/traces"
        };
        let (status, _, body) = post(srv.http_url(path), ct, &[], std::fs::read(&f).unwrap()).await;
        assert_eq!(
            status,
            200,
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&body)
        );
    }
    srv
}

fn find<'a>(traces: &'a [Value], root: &str) -> &'a Value {
    traces
        .iter()
        .find(|t| t["root_name"] == root)
        .unwrap_or_else(|| panic!("no trace {root} in {traces:#?}"))
}

/// (input, output) tokens the README gives per folder: three 42/17 chats (two in
/// `plain`, which has no streamed call) plus 16 embedding tokens where embeddings
/// were called.
fn expected_tokens(folder: &str) -> (u64, u64) {
    match folder {
        "plain" => (84, 34),
        _ => (142, 51),
    }
}

async fn check_folder(folder: &str) {
    let pb = replay(folder, "pb").await;
    let js = replay(folder, "json").await;
    let stats = pb.stats().await;
    let (input, output) = expected_tokens(folder);
    assert_eq!(stats["input_tokens"], input, "{folder}: {stats:#}");
    assert_eq!(stats["output_tokens"], output, "{folder}");
    let models: Vec<&str> = stats["by_model"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    assert!(
        models.iter().any(|m| m.starts_with("gpt-4o-mini")),
        "{folder}: {models:?}"
    );
    if folder != "plain" {
        assert!(
            models.contains(&"text-embedding-3-small"),
            "{folder}: {models:?}"
        );
    }

    let traces = pb.traces().await;
    let run = find(&traces, "agent.run");
    assert_eq!(run["session"], "sess-42", "{folder}");
    assert_eq!(run["llm_calls"], 2, "{folder}");
    assert_eq!(run["evals"][0]["name"], "answer_relevance", "{folder}");
    assert!((run["evals"][0]["mean_score"].as_f64().unwrap() - 0.83).abs() < 1e-9);
    assert_eq!(
        run["evals"][0]["pass_rate"], 1.0,
        "{folder}: `relevant` passes"
    );
    let flaky = find(&traces, "agent.run.flaky");
    // The LLM span's failure, counted once: its parent re-raised it (affected).
    assert_eq!(flaky["error_count"], 1, "{folder}");
    assert_eq!(flaky["affected_errors"], 1, "{folder}");

    // The agent run's conversation and tool call, as a user reads them.
    let id = run["trace_id"].as_str().unwrap();
    let trace = pb.trace(id).await;
    let spans = trace["spans"].as_array().unwrap();
    let tool = spans
        .iter()
        .find(|s| s["llm"]["kind"] == "tool")
        .unwrap_or_else(|| panic!("{folder}: no tool span"));
    assert_eq!(tool["llm"]["tool"]["name"], "get_weather");
    assert_eq!(tool["llm"]["tool"]["call_id"], "call_abc123", "{folder}");
    // Protobuf and JSON of the same requests give the same answers.
    assert_eq!(pb.stats().await, js.stats().await, "{folder}");
    assert_eq!(pb.traces().await, js.traces().await, "{folder}");
    assert_eq!(pb.trace(id).await, js.trace(id).await, "{folder}");
    if folder == "plain" {
        // The hand-written app records no tool calls in its messages, only the
        // tool's answer.
        let chat = spans
            .iter()
            .find(|s| {
                s["llm"]["input_messages"]
                    .as_array()
                    .is_some_and(|m| m.len() == 4)
            })
            .unwrap();
        assert_eq!(chat["llm"]["input_messages"][3]["role"], "tool");
        assert!(
            chat["llm"]["input_messages"][3]["content"]
                .as_str()
                .unwrap()
                .contains("temp_c")
        );
        pb.stop().await;
        js.stop().await;
        return;
    }
    // The model's tool call, from its output.
    let with_call = |s: &Value, field: &str| {
        s["llm"][field]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|m| {
                m["tool_calls"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|c| c["name"] == "get_weather")
                    .cloned()
            })
    };
    let (first_chat, call) = spans
        .iter()
        .find_map(|s| with_call(s, "output_messages").map(|c| (s, c)))
        .unwrap_or_else(|| panic!("{folder}: no chat span with the tool call: {trace:#}"));
    let args: Value = serde_json::from_str(call["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(args["city"], "Paris", "{folder}");
    assert_eq!(call["id"], "call_abc123", "{folder}");
    let user = first_chat["llm"]["input_messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "user")
        .unwrap();
    assert!(
        user["content"].as_str().unwrap().contains("Paris"),
        "{folder}"
    );

    pb.stop().await;
    js.stop().await;
}

#[tokio::test]
async fn openinference_fixtures() {
    check_folder("openinference").await;
}

#[tokio::test]
async fn openai_v2_fixtures() {
    check_folder("openai-v2").await;
}

#[tokio::test]
async fn openai_v2_events_fixtures_join_log_content_to_spans() {
    check_folder("openai-v2-events").await;
}

#[tokio::test]
async fn plain_fixtures() {
    check_folder("plain").await;
}

#[tokio::test]
async fn a_resent_request_is_stored_once() {
    let srv = replay("openai-v2", "pb").await;
    let before = srv.stats().await;
    for f in fixture_files("openai-v2", "pb") {
        post(
            srv.http_url("/v1/traces"),
            "application/x-protobuf",
            &[],
            std::fs::read(f).unwrap(),
        )
        .await;
    }
    assert_eq!(srv.stats().await, before);
    srv.stop().await;
}
