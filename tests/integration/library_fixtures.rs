//! Payloads captured from real Python libraries against the fake provider
//! (tests/fixtures/{llamaindex,langgraph,tenacity,openlit}, numbers in its README): replayed
//! over OTLP/HTTP, protobuf in export order and JSON in reverse order, then read as
//! a user does — the query API and, on the stopped store, `spanlens errors/cost
//! --json` — must show as many calls, tokens, errors and as much cost as the
//! provider was asked for.

use serde_json::Value;

use crate::support::{TestServer, cli_json, fixture_files, post};

/// Replays a folder's requests, in export order or reversed.
async fn replay(folder: &str, ext: &str, reversed: bool) -> TestServer {
    let srv = TestServer::start().await;
    let ct = if ext == "pb" {
        "application/x-protobuf"
    } else {
        "application/json"
    };
    let mut files = fixture_files(folder, ext);
    if reversed {
        files.reverse();
    }
    for f in files {
        let (status, _, body) = post(
            srv.http_url("/v1/traces"),
            ct,
            &[],
            std::fs::read(&f).unwrap(),
        )
        .await;
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

/// What the provider was asked for, from the fake provider's request log.
struct Asked {
    requests: u64,
    failed: u64,
}

fn asked(folder: &str) -> Asked {
    let path = crate::support::fixture_dir()
        .join(folder)
        .join("provider-requests.jsonl");
    let lines: Vec<Value> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    Asked {
        requests: lines.len() as u64,
        failed: lines.iter().filter(|l| l["status"] != 200).count() as u64,
    }
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() <= 1e-12)
}

/// Both replays agree, whatever the order and encoding; returns the forward one.
async fn replay_both(folder: &str) -> TestServer {
    let fwd = replay(folder, "pb", false).await;
    let rev = replay(folder, "json", true).await;
    // Latency means are float sums: equal up to the order they were added in.
    let without_latency = |mut v: Value| {
        for m in v["by_model"].as_array_mut().unwrap() {
            m.as_object_mut().unwrap().remove("mean_latency_ms");
        }
        v
    };
    assert_eq!(
        without_latency(fwd.stats().await),
        without_latency(rev.stats().await),
        "{folder}"
    );
    let mut a = fwd.traces().await;
    let mut b = rev.traces().await;
    for t in a.iter_mut().chain(b.iter_mut()) {
        t.as_object_mut().unwrap().remove("root_seen");
    }
    a.sort_by_key(|t| t["trace_id"].as_str().unwrap().to_string());
    b.sort_by_key(|t| t["trace_id"].as_str().unwrap().to_string());
    assert_eq!(a, b, "{folder}: summaries depend on arrival order");
    rev.stop().await;
    fwd
}

fn trace_named<'a>(traces: &'a [Value], root: &str) -> &'a Value {
    traces
        .iter()
        .find(|t| t["root_name"] == root)
        .unwrap_or_else(|| panic!("no trace {root}: {traces:#?}"))
}

/// `spanlens errors --json` and `cost --json` on the stopped server's data dir.
async fn stopped_reports(srv: TestServer) -> (Value, Value, tempfile::TempDir) {
    let dir = srv.stop().await.expect("the test server's data dir");
    let errors = cli_json(dir.path(), &["errors"]);
    let cost = cli_json(dir.path(), &["cost"]);
    (errors, cost, dir)
}

#[tokio::test]
async fn llamaindex_rag_counts_each_provider_request_once() {
    let srv = replay_both("llamaindex").await;
    let stats = srv.stats().await;
    // Two embeddings requests and one chat: the `OpenAI.predict` and
    // `get_query_embedding` wrappers are not calls.
    assert_eq!(
        stats["llm_calls"],
        asked("llamaindex").requests,
        "{stats:#}"
    );
    assert_eq!(stats["llm_calls"], 3);
    assert_eq!(stats["input_tokens"], 42);
    assert_eq!(stats["output_tokens"], 17);
    assert_eq!(stats["cache_read_tokens"], 10);
    // The embedding spans report no tokens: unpriced, not $0.
    assert_eq!(stats["unpriced_calls"], 2);
    // gpt-4o-mini: 32 fresh + 10 cached input tokens, 17 output.
    let want = 32.0 * 0.15e-6 + 10.0 * 0.075e-6 + 17.0 * 0.6e-6;
    assert!(close(&stats["cost_usd"], want), "{stats:#}");
    assert_eq!(stats["errors"], 0);

    let traces = srv.traces().await;
    let query = trace_named(&traces, "RetrieverQueryEngine.query");
    assert_eq!(query["llm_calls"], 2, "query embedding + chat");
    assert_eq!(query["wrapper_calls"], 2);
    assert_eq!(query["unpriced_calls"], 1);
    let trace = srv.trace(query["trace_id"].as_str().unwrap()).await;
    let spans = trace["spans"].as_array().unwrap();
    let named = |n: &str| spans.iter().find(|s| s["name"] == n).unwrap();
    // The wrapper shows the figures of the call it wraps.
    let predict = named("OpenAI.predict");
    assert_eq!(predict["llm"]["wraps"], named("OpenAI.chat")["span_id"]);
    assert_eq!(predict["llm"]["wrapped"]["input_tokens"], 42);
    assert_eq!(predict["llm"]["wrapped"]["cache_read_tokens"], 10);
    // The retrieved documents and the chat's conversation.
    let docs = named("VectorIndexRetriever.retrieve")["llm"]["documents"]
        .as_array()
        .unwrap()
        .clone();
    let texts: Vec<&str> = docs
        .iter()
        .map(|d| d["content"].as_str().unwrap())
        .collect();
    assert_eq!(docs.len(), 2, "{texts:?}");
    assert!(
        texts.contains(&"Paris is the capital of France."),
        "{texts:?}"
    );
    let chat = &named("OpenAI.chat")["llm"];
    assert_eq!(chat["input_messages"][0]["role"], "system");
    assert!(
        chat["input_messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("Paris is the capital of France."),
        "{chat:#}"
    );
    let (errors, cost, _dir) = stopped_reports(srv).await;
    assert_eq!(errors["total"], 0, "{errors:#}");
    assert!(close(&cost["cost_usd"], want), "{cost:#}");
}

#[tokio::test]
async fn langgraph_agent_fallback_and_retry_read_like_what_happened() {
    let srv = replay_both("langgraph").await;
    let asked = asked("langgraph");
    let stats = srv.stats().await;
    // Six chat requests: two for the agent, two for the fallback, two for the retry.
    assert_eq!(stats["llm_calls"], asked.requests, "{stats:#}");
    assert_eq!(stats["llm_calls"], 6);
    assert_eq!(stats["errors"], asked.failed);
    assert_eq!(stats["errors"], 2);
    assert_eq!(stats["input_tokens"], 4 * 42);
    assert_eq!(stats["output_tokens"], 4 * 17);
    assert_eq!(stats["cache_read_tokens"], 4 * 10);
    assert_eq!(stats["unpriced_calls"], 0);
    // One row per model: the failed requests (`gpt-4o-mini`) and the dated answers
    // (`gpt-4o-mini-2024-07-18`) are one model.
    let models: Vec<(&str, u64, u64)> = stats["by_model"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["model"].as_str().unwrap(),
                m["calls"].as_u64().unwrap(),
                m["errors"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(models.len(), 2, "{models:?}");
    assert!(models.contains(&("gpt-4o-mini", 5, 2)), "{models:?}");
    assert!(models.contains(&("gpt-4.1-mini", 1, 0)), "{models:?}");

    let traces = srv.traces().await;
    let fallback = trace_named(&traces, "RunnableWithFallbacks");
    assert_eq!(
        (
            fallback["fell_back"].as_bool(),
            fallback["error_count"].as_u64()
        ),
        (Some(true), Some(1))
    );
    let retry = trace_named(&traces, "ChatOpenAI");
    assert_eq!(
        (retry["retried"].as_bool(), retry["error_count"].as_u64()),
        (Some(true), Some(1))
    );

    // The agent's conversation, its tool call and the tool's result with its id.
    let agent = trace_named(&traces, "LangGraph");
    assert_eq!(agent["llm_calls"], 2);
    let trace = srv.trace(agent["trace_id"].as_str().unwrap()).await;
    let spans = trace["spans"].as_array().unwrap();
    let root = &spans.iter().find(|s| s["name"] == "LangGraph").unwrap()["llm"];
    let roles: Vec<&str> = root["output_messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["user", "assistant", "tool", "assistant"],
        "{root:#}"
    );
    let out = &root["output_messages"];
    assert_eq!(out[0]["content"], "What is the weather in Paris?");
    assert_eq!(out[1]["tool_calls"][0]["name"], "get_weather");
    assert_eq!(out[1]["tool_calls"][0]["id"], "call_1");
    assert_eq!(out[2]["tool_call_id"], "call_1");
    assert!(out[2]["content"].as_str().unwrap().contains("temp_c"));
    assert!(
        out[3]["content"]
            .as_str()
            .unwrap()
            .starts_with("(fake) You said")
    );
    let tool = spans
        .iter()
        .find(|s| s["llm"]["kind"] == "tool")
        .expect("the tool span");
    assert_eq!(tool["llm"]["tool"]["name"], "get_weather");
    assert_eq!(tool["llm"]["tool"]["call_id"], "call_1");
    assert_eq!(
        tool["llm"]["tool"]["result"],
        r#"{"city": "Paris", "temp_c": 21}"#
    );

    let (errors, _cost, _dir) = stopped_reports(srv).await;
    assert_eq!(errors["total"], 2, "{errors:#}");
    let group = |class: &str| {
        errors["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["class"] == class)
            .unwrap_or_else(|| panic!("no {class}: {errors:#}"))
            .clone()
    };
    // LangChain's OpenAIAPIError says `Error code: 500` only in its message.
    let p5 = group("provider_5xx");
    assert_eq!(
        (p5["count"].as_u64(), p5["rescued_by_fallback"].as_u64()),
        (Some(1), Some(1))
    );
    let rl = group("rate_limit");
    assert_eq!(
        (rl["count"].as_u64(), rl["rescued_by_retry"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(rl["models"][0], "gpt-4o-mini");
}

#[tokio::test]
async fn tenacity_retries_count_every_attempt_and_each_failure_once() {
    let srv = replay_both("tenacity").await;
    let asked = asked("tenacity");
    let stats = srv.stats().await;
    assert_eq!(stats["llm_calls"], asked.requests, "{stats:#}");
    assert_eq!(stats["llm_calls"], 6);
    // Five failed requests; the `ask` spans that re-raised two of them are affected.
    assert_eq!(stats["errors"], asked.failed);
    assert_eq!(stats["errors"], 5);
    assert_eq!(
        (
            stats["input_tokens"].as_u64(),
            stats["output_tokens"].as_u64()
        ),
        (Some(42), Some(17))
    );
    assert!(
        close(&stats["cost_usd"], 42.0 * 0.15e-6 + 17.0 * 0.6e-6),
        "{stats:#}"
    );
    assert_eq!(stats["by_model"].as_array().unwrap().len(), 1, "{stats:#}");

    let traces = srv.traces().await;
    let calls: Vec<(u64, u64, u64)> = traces
        .iter()
        .map(|t| {
            (
                t["llm_calls"].as_u64().unwrap(),
                t["error_count"].as_u64().unwrap(),
                t["affected_errors"].as_u64().unwrap(),
            )
        })
        .collect();
    for want in [(2, 1, 0), (3, 3, 1), (1, 1, 1)] {
        assert!(calls.contains(&want), "{want:?} in {calls:?}");
    }

    let (errors, _cost, _dir) = stopped_reports(srv).await;
    assert_eq!(
        (errors["total"].as_u64(), errors["affected"].as_u64()),
        (Some(5), Some(2)),
        "{errors:#}"
    );
    let groups = errors["groups"].as_array().unwrap();
    let rl = groups.iter().find(|g| g["class"] == "rate_limit").unwrap();
    assert_eq!(rl["count"], 4);
    assert_eq!(rl["retry_chains"], 2);
    assert_eq!(
        (rl["rescued_by_retry"].as_u64(), rl["unrescued"].as_u64()),
        (Some(1), Some(1))
    );
    // The lone HTTP 500: a single failed call nothing retried or replaced.
    let p5 = groups
        .iter()
        .find(|g| g["class"] == "provider_5xx")
        .unwrap();
    assert_eq!(
        (p5["count"].as_u64(), p5["unrescued"].as_u64()),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn openlit_counts_the_failed_call_once_under_its_model() {
    let srv = replay_both("openlit").await;
    let asked = asked("openlit");
    let stats = srv.stats().await;
    // A chat, an embeddings request (2 inputs), a streamed chat, a chat that got 500.
    assert_eq!(stats["llm_calls"], asked.requests, "{stats:#}");
    assert_eq!(stats["llm_calls"], 4);
    assert_eq!(stats["input_tokens"], 42 + 16 + 42);
    assert_eq!(stats["output_tokens"], 34);
    assert_eq!(stats["cache_read_tokens"], 20);
    // The failed chat span and the HTTP client's `POST` beneath it are one failure,
    // counted at the call: gpt-4o-mini's error rate is 1 in 3.
    assert_eq!(stats["errors"], asked.failed);
    assert_eq!(stats["errors"], 1);
    let mini = stats["by_model"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "gpt-4o-mini")
        .unwrap();
    assert_eq!(
        (mini["calls"].as_u64(), mini["errors"].as_u64()),
        (Some(3), Some(1))
    );
    let chat = 2.0 * (32.0 * 0.15e-6 + 10.0 * 0.075e-6 + 17.0 * 0.6e-6);
    assert!(
        close(&stats["cost_usd"], chat + 16.0 * 0.02e-6),
        "{stats:#}"
    );

    let (errors, _cost, _dir) = stopped_reports(srv).await;
    assert_eq!(
        (errors["total"].as_u64(), errors["affected"].as_u64()),
        (Some(1), Some(1)),
        "{errors:#}"
    );
    let g = &errors["groups"][0];
    assert_eq!(g["class"], "provider_5xx");
    assert_eq!(g["models"][0], "gpt-4o-mini");
    assert_eq!(g["unrescued"], 1);
}
