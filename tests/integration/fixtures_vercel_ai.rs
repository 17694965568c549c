//! The Vercel AI SDK fixtures (tests/fixtures/vercel-ai-*) replayed over OTLP/HTTP,
//! protobuf and JSON, checked through the query API against what the fake provider
//! was asked for (tests/fixtures/README.md).

use serde_json::Value;

use crate::support::{TestServer, fixture_files, post};

/// gpt-4o-mini's prices in the built-in table (USD per token).
const INPUT: f64 = 1.5e-7;
const CACHE_READ: f64 = 7.5e-8;
const OUTPUT: f64 = 6e-7;
/// text-embedding-3-small's.
const EMBED: f64 = 2e-8;

/// One chat call of the fake provider: 42 input tokens (`cached` of them cache
/// reads), 17 output.
fn chat_cost(cached: u64) -> f64 {
    (42 - cached) as f64 * INPUT + cached as f64 * CACHE_READ + 17.0 * OUTPUT
}

async fn replay(folder: &str, ext: &str) -> TestServer {
    let srv = TestServer::start().await;
    let ct = if ext == "pb" {
        "application/x-protobuf"
    } else {
        "application/json"
    };
    let files = fixture_files(folder, ext);
    assert!(!files.is_empty(), "{folder}: no .{ext} files");
    for f in files {
        let body = std::fs::read(&f).unwrap();
        let (status, _, _) = post(srv.http_url("/v1/traces"), ct, &[], body).await;
        assert_eq!(status, 200, "{}", f.display());
    }
    srv
}

/// The row of a model, under its request name or a dated snapshot of it.
fn model<'a>(stats: &'a Value, name: &str) -> &'a Value {
    stats["by_model"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"].as_str().is_some_and(|m| m.starts_with(name)))
        .unwrap_or_else(|| panic!("no model {name}: {stats:#}"))
}

/// Stats without the figures that depend on the clock (burn rate, today, projection:
/// the fixtures are recent enough to fall in those windows for a while).
fn timeless(mut stats: Value) -> Value {
    for k in ["burn_rate_usd_per_hour", "projected_day_usd", "today_usd"] {
        stats.as_object_mut().unwrap().remove(k);
    }
    stats
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-12)
}

/// The spans of the trace whose root is `root` and that made `calls` model calls.
async fn trace_spans(srv: &TestServer, traces: &[Value], root: &str, calls: u64) -> Vec<Value> {
    let t = traces
        .iter()
        .find(|t| t["root_name"].as_str().unwrap().starts_with(root) && t["llm_calls"] == calls)
        .unwrap_or_else(|| panic!("no trace {root} with {calls} calls: {traces:#?}"));
    let id = t["trace_id"].as_str().unwrap();
    srv.trace(id).await["spans"].as_array().unwrap().clone()
}

fn of_kind<'a>(spans: &'a [Value], kind: &str) -> Vec<&'a Value> {
    spans.iter().filter(|s| s["llm"]["kind"] == kind).collect()
}

/// What every folder must show. `cached_calls`: chat calls whose cache reads the
/// library reported (AI SDK 6's `generateObject` reports only prompt and completion
/// tokens). `agent_root`: the outer call's span name prefix.
async fn check(folder: &str, cached_calls: u64, agent_root: &str) {
    let pb = replay(folder, "pb").await;
    let js = replay(folder, "json").await;
    let stats = pb.stats().await;
    assert_eq!(
        timeless(stats.clone()),
        timeless(js.stats().await),
        "{folder}: protobuf and JSON agree"
    );
    assert_eq!(pb.traces().await, js.traces().await, "{folder}");

    // Six provider requests: four chats (a tool call and the answer after it, a
    // stream, an object) and two embedding requests (1 and 2 inputs, 8 tokens each).
    assert_eq!(stats["input_tokens"], 4 * 42 + 24, "{folder}: {stats:#}");
    assert_eq!(stats["output_tokens"], 4 * 17, "{folder}");
    assert_eq!(stats["errors"], 0, "{folder}");
    let chat = model(&stats, "gpt-4o-mini");
    assert_eq!(
        chat["calls"], 4,
        "{folder}: the outer calls are not counted"
    );
    assert_eq!(
        chat["provider"], "openai",
        "{folder}: `openai.chat` is openai"
    );
    assert_eq!(chat["cache_read_tokens"], 10 * cached_calls, "{folder}");
    let chat_usd = cached_calls as f64 * chat_cost(10) + (4 - cached_calls) as f64 * chat_cost(0);
    assert!(close(&chat["cost_usd"], chat_usd), "{folder}: {chat:#}");
    assert_eq!(chat["unpriced_calls"], 0, "{folder}");
    let embed = model(&stats, "text-embedding-3-small");
    assert_eq!(embed["input_tokens"], 24, "{folder}");
    assert!(
        close(&embed["cost_usd"], 24.0 * EMBED),
        "{folder}: {embed:#}"
    );

    let traces = pb.traces().await;
    assert_eq!(traces.len(), 5, "{folder}: one trace per AI SDK call");
    let agent = traces
        .iter()
        .find(|t| t["llm_calls"] == 2 && t["input_tokens"] == 84)
        .unwrap_or_else(|| panic!("{folder}: no two-step trace: {traces:#?}"));
    assert_eq!(agent["output_tokens"], 34, "{folder}");
    assert_eq!(agent["cache_read_tokens"], 20, "{folder}");
    assert_eq!(agent["session"], "sess-ai-1", "{folder}");
    assert_eq!(agent["user"], "user-7", "{folder}");
    assert_eq!(agent["root_failed"], false, "{folder}");

    // The two-step call as a user reads it: the agent with its aggregate usage, the
    // call that asked for the tool, the tool, the call that answered.
    let spans = trace_spans(&pb, &traces, agent_root, 2).await;
    let agents = of_kind(&spans, "agent");
    assert_eq!(agents.len(), 1, "{folder}");
    assert_eq!(agents[0]["llm"]["input_tokens"], 84, "{folder}: shown");
    let tool = of_kind(&spans, "tool")[0]["llm"]["tool"].clone();
    assert_eq!(tool["name"], "get_weather", "{folder}");
    assert_eq!(tool["call_id"], "call_1", "{folder}");
    assert!(tool["arguments"].as_str().unwrap().contains("Paris"));
    assert!(tool["result"].as_str().unwrap().contains("temp_c"));
    let chats = of_kind(&spans, "chat");
    assert_eq!(chats.len(), 2, "{folder}");
    let asked = chats
        .iter()
        .find_map(|s| s["llm"]["output_messages"][0]["tool_calls"].get(0))
        .unwrap_or_else(|| panic!("{folder}: no tool call in an output: {spans:#?}"));
    assert_eq!(asked["name"], "get_weather", "{folder}");
    assert_eq!(asked["id"], "call_1", "{folder}");
    let args: Value = serde_json::from_str(asked["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(args["city"], "Paris", "{folder}");
    let answer = chats
        .iter()
        .find(|s| s["llm"]["input_messages"].as_array().unwrap().len() == 4)
        .unwrap_or_else(|| panic!("{folder}: no second step: {spans:#?}"));
    let input = answer["llm"]["input_messages"].as_array().unwrap();
    let roles: Vec<&str> = input.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["system", "user", "assistant", "tool"], "{folder}");
    assert_eq!(input[0]["content"], "You are a weather assistant.");
    assert_eq!(input[2]["tool_calls"][0]["id"], "call_1", "{folder}");
    assert_eq!(input[3]["tool_call_id"], "call_1", "{folder}");
    assert!(input[3]["content"].as_str().unwrap().contains("temp_c"));
    assert!(
        answer["llm"]["output_messages"][0]["content"]
            .as_str()
            .unwrap()
            .starts_with("(fake) You said:"),
        "{folder}"
    );

    // The stream's answer and the object, as text.
    let outputs: Vec<String> = traces
        .iter()
        .filter(|t| t["llm_calls"] == 1 && t["input_tokens"] == 42)
        .map(|t| t["trace_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(outputs.len(), 2, "{folder}: the stream and the object");
    let mut texts = Vec::new();
    for id in outputs {
        let spans = pb.trace(&id).await["spans"].as_array().unwrap().clone();
        let call = of_kind(&spans, "chat")[0]["llm"].clone();
        texts.push(
            call["output_messages"][0]["content"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert!(texts.contains(&"(fake) You said: Say hello in one line.".to_string()));
    assert!(
        texts.iter().any(|t| serde_json::from_str::<Value>(t)
            .is_ok_and(|o| o["city"] == "Paris" && o["temp_c"] == 21)),
        "{folder}: {texts:?}"
    );
    pb.stop().await;
    js.stop().await;
}

/// The embedding calls of a folder whose embedding spans are exactly the calls.
async fn check_embedding_calls(folder: &str) {
    let srv = replay(folder, "pb").await;
    let embed = model(&srv.stats().await, "text-embedding-3-small").clone();
    assert_eq!(
        embed["calls"], 2,
        "{folder}: `ai.embed` / `ai.embedMany` are chains"
    );
    assert_eq!(embed["unpriced_calls"], 0, "{folder}");
    let traces = srv.traces().await;
    let spans = trace_spans(&srv, &traces, "ai.embedMany", 1).await;
    let call = of_kind(&spans, "embedding")[0]["llm"].clone();
    assert_eq!(call["input_tokens"], 16, "{folder}");
    let inputs: Vec<&str> = call["input_messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, ["rain", "snow"], "{folder}");
    srv.stop().await;
}

#[tokio::test]
async fn vercel_ai_6_experimental_telemetry() {
    // generateObject in AI SDK 6 reports no cache reads: 3 of the 4 chats do.
    check("vercel-ai-6", 3, "ai.generateText").await;
    check_embedding_calls("vercel-ai-6").await;
}

#[tokio::test]
async fn vercel_ai_7_legacy_open_telemetry() {
    check("vercel-ai-7-legacy", 4, "ai.generateText").await;
    check_embedding_calls("vercel-ai-7-legacy").await;
}

#[tokio::test]
async fn vercel_ai_7_open_telemetry_genai() {
    // GenAI attributes: the same numbers. Its outer `embeddings` spans (no usage)
    // wrap the real calls and are not counted (the wrapper rule, docs/CONVENTIONS.md):
    // the embedding row has 2 calls, the stats 6 calls and nothing unpriced.
    check("vercel-ai-7", 4, "invoke_agent").await;
    let srv = replay("vercel-ai-7", "pb").await;
    let stats = srv.stats().await;
    let embed = model(&stats, "text-embedding-3-small").clone();
    assert_eq!(
        embed["calls"], 2,
        "the outer `embeddings` spans are wrappers"
    );
    assert_eq!(embed["unpriced_calls"], 0, "{embed:#}");
    assert_eq!(stats["llm_calls"], 6, "{stats:#}");
    srv.stop().await;
}
