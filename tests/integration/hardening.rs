//! Production hardening through the real binary: the loopback-only rule, the token
//! file, redaction and `--no-content` before storage, the audit log, retention.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::durability::{spanlens, start_serve_with};
use super::support::post;

const JSON: &str = "application/json";
const SECRET: &str = "sk-proj-Zx8f3kQ9mW2pL7vN4tR6yB1cD5hJ0aSe";

fn span_json(trace_id: &str, start_ns: u64, prompt: &str) -> Value {
    json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "hard-svc"}}]},
        "scopeSpans": [{"scope": {"name": "t"}, "spans": [{
            "traceId": trace_id, "spanId": "0102030405060708", "name": "chat gpt-4o-mini",
            "kind": 3,
            "startTimeUnixNano": start_ns.to_string(),
            "endTimeUnixNano": (start_ns + 1_000_000_000).to_string(),
            "attributes": [
                {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
                {"key": "gen_ai.usage.input_tokens", "value": {"intValue": 42}},
                {"key": "gen_ai.usage.output_tokens", "value": {"intValue": 17}},
                {"key": "gen_ai.prompt.0.role", "value": {"stringValue": "user"}},
                {"key": "gen_ai.prompt.0.content", "value": {"stringValue": prompt}},
                {"key": "http.request.header.authorization", "value": {"stringValue": "Basic dXNlcjpwYXNz"}}
            ]
        }]}]
    }]})
}

fn now_ns() -> u64 {
    spanlens::util::now_unix_nano()
}

fn trace_json(dir: &Path, id: &str) -> Value {
    let out = spanlens()
        .args(["trace", id, "--json", "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn audit_lines(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("audit.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_non_loopback_bind_needs_a_token_or_allow_insecure() {
    let tmp = tempfile::tempdir().unwrap();
    let out = spanlens()
        .args([
            "serve",
            "--grpc-addr",
            "0.0.0.0:0",
            "--http-addr",
            "127.0.0.1:0",
        ])
        .arg("--data-dir")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refusing to listen on 0.0.0.0:0"), "{err}");
    assert!(err.contains("--allow-insecure"), "{err}");

    // With --allow-insecure it starts, and warns (on stderr and in the audit log).
    let (_child, _http, stderr) = start_serve_with(
        tmp.path(),
        &["--grpc-addr", "0.0.0.0:0", "--allow-insecure"],
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut warned = false;
    while Instant::now() < deadline && !warned {
        if let Ok(line) = stderr.recv_timeout(Duration::from_millis(200)) {
            warned = line.contains("WARNING") && line.contains("without a token");
        }
    }
    assert!(warned, "no warning on stderr");
    assert!(
        audit_lines(tmp.path())
            .iter()
            .any(|l| l["event"] == "insecure_bind")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_disk_and_no_content_keeps_only_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let (child, http, _err) = start_serve_with(tmp.path(), &[]);
    let id = "5b8efff798038103d269b633813fc60c";
    let prompt = format!("my key is {SECRET}, what is the weather?");
    let (status, _, _) = post(
        format!("http://{http}/v1/traces"),
        JSON,
        &[],
        span_json(id, now_ns(), &prompt).to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    let t = trace_json(tmp.path(), id);
    let span = &t["spans"][0];
    let text = t.to_string();
    assert!(!text.contains(SECRET), "{text}");
    assert!(text.contains("[REDACTED:openai_key]"), "{text}");
    assert_eq!(
        span["attributes"]["http.request.header.authorization"],
        "[REDACTED:key]"
    );
    // The key in the prompt attribute and in the chat message, and the header.
    assert_eq!(span["attributes"]["spanlens.redactions"], 3);
    drop(child);
    // Not in the store's files either (sled writes values as they are).
    for entry in walk(&tmp.path().join("store")) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "{} holds the secret",
            entry.display()
        );
    }

    let tmp = tempfile::tempdir().unwrap();
    let (_child, http, _err) = start_serve_with(tmp.path(), &["--no-content"]);
    post(
        format!("http://{http}/v1/traces"),
        JSON,
        &[],
        span_json(id, now_ns(), "a private question")
            .to_string()
            .into_bytes(),
    )
    .await;
    let t = trace_json(tmp.path(), id);
    let text = t.to_string();
    assert!(!text.contains("a private question"), "{text}");
    let llm = &t["spans"][0]["llm"];
    assert_eq!(
        (llm["input_tokens"].as_u64(), llm["output_tokens"].as_u64()),
        (Some(42), Some(17))
    );
    assert!(llm["cost_usd"].as_f64().unwrap() > 0.0, "{llm}");
    assert_eq!(
        t["spans"][0]["attributes"]["spanlens.content_dropped"],
        true
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_records_refusals_without_the_token() {
    let tmp = tempfile::tempdir().unwrap();
    let token_file = tmp.path().join("token");
    std::fs::write(&token_file, "s3cret-token-value\n").unwrap();
    let data = tmp.path().join("data");
    let (_child, http, _err) =
        start_serve_with(&data, &["--token-file", token_file.to_str().unwrap()]);
    let url = format!("http://{http}/v1/traces");
    let body = span_json("5b8efff798038103d269b633813fc60d", now_ns(), "hi");
    let (s, _, _) = post(&url, JSON, &[], body.to_string().into_bytes()).await;
    assert_eq!(s, 401);
    let wrong = [("authorization", "Bearer wrong-guess-123")];
    let (s, _, _) = post(&url, JSON, &wrong, body.to_string().into_bytes()).await;
    assert_eq!(s, 401);
    let right = [("authorization", "Bearer s3cret-token-value")];
    let (s, _, _) = post(&url, JSON, &right, b"{not json".to_vec()).await;
    assert_eq!(s, 400);
    let (s, _, _) = post(&url, JSON, &right, body.to_string().into_bytes()).await;
    assert_eq!(s, 200);

    let lines = audit_lines(&data);
    let events: Vec<&str> = lines.iter().filter_map(|l| l["event"].as_str()).collect();
    assert!(events.contains(&"listener_started"), "{events:?}");
    let config = lines.iter().find(|l| l["event"] == "config").unwrap();
    assert_eq!(config["token_required"], true);
    let auth: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "auth_failed")
        .collect();
    // Two failures from one peer within a minute: the first is written, the second
    // only counted (coalesced; its count is written after the minute).
    assert_eq!(auth.len(), 1, "{lines:?}");
    assert!(auth[0]["peer"].as_str().unwrap().starts_with("127.0.0.1:"));
    let rejected = lines
        .iter()
        .find(|l| l["event"] == "request_rejected")
        .expect("the bad body is recorded");
    assert_eq!(rejected["status"], "400");
    let text = std::fs::read_to_string(data.join("audit.log")).unwrap();
    assert!(!text.contains("s3cret-token-value") && !text.contains("wrong-guess-123"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_age_deletes_old_traces_while_serving() {
    let tmp = tempfile::tempdir().unwrap();
    let (_child, http, _err) = start_serve_with(
        tmp.path(),
        &["--max-age", "1h", "--retention-interval", "200ms"],
    );
    let url = format!("http://{http}/v1/traces");
    let old = "0000000000000000000000000000a0a1";
    let new = "0000000000000000000000000000a0a2";
    let two_hours = 2 * 3600 * 1_000_000_000u64;
    for (id, start) in [(old, now_ns() - two_hours), (new, now_ns())] {
        let (s, _, _) = post(
            &url,
            JSON,
            &[],
            span_json(id, start, "q").to_string().into_bytes(),
        )
        .await;
        assert_eq!(s, 200);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = spanlens()
            .args(["traces", "--json", "--data-dir"])
            .arg(tmp.path())
            .output()
            .unwrap();
        let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let ids: Vec<&str> = list.iter().filter_map(|t| t["trace_id"].as_str()).collect();
        if ids == [new] {
            break;
        }
        assert!(Instant::now() < deadline, "old trace still listed: {ids:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let deleted = audit_lines(tmp.path())
        .into_iter()
        .find(|l| l["event"] == "retention_deleted")
        .expect("retention is audited");
    assert_eq!(deleted["traces"], 1);
}
