//! Under attack and across machines, through the real binary: a flood of rejected
//! requests keeps the audit log under its cap (coalesced per peer and reason, then
//! rotated), a forward to a gRPC port over OTLP/HTTP says why it fails and what to
//! use instead, `attach` finds the secret with no flags (and from elsewhere takes
//! it with `--token-file`), and an mTLS instance is reached by `attach`, `demo` and
//! a query command presenting a client certificate.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::private_store::serve_with_umask_000;
use crate::pty::Tui;
use crate::support::{TestServer, fixture_files, post, run_cli};
use crate::tls::{pki, write};

/// Waits until `f` holds, or fails saying `what`.
fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn audit_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_rejections_keeps_the_audit_log_under_its_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (mut child, http, _log) = serve_with_umask_000(&data, &["--audit-max-size", "16KiB"]);
    let url = format!("http://{http}/api/v1/traces");
    let audit = data.join("audit.log");
    // One peer retrying at once: one line, the rest counted.
    let client = reqwest::Client::new();
    for _ in 0..500 {
        let res = client.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 401);
    }
    let from_one = |lines: &[serde_json::Value]| {
        lines
            .iter()
            .filter(|l| l["event"] == "auth_failed")
            .filter(|l| l["peer"].as_str().unwrap_or("").starts_with("127.0.0.1:"))
            .count()
    };
    assert_eq!(from_one(&audit_lines(&audit)), 1);
    // Many peers (loopback has a /8 of them): every first line is written, and the
    // file rotates at its cap.
    for i in 0..600u32 {
        let ip = std::net::Ipv4Addr::new(127, 1, (i / 200) as u8, (i % 200 + 1) as u8);
        let client = reqwest::Client::builder()
            .local_address(std::net::IpAddr::V4(ip))
            .build()
            .unwrap();
        let res = client.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 401);
    }
    let cap = 16 * 1024;
    let rotated = data.join("audit.log.1");
    let (now, old) = (
        std::fs::metadata(&audit).unwrap().len(),
        std::fs::metadata(&rotated).unwrap().len(),
    );
    assert!(now <= cap && old <= cap && old > cap / 2, "{now} {old}");
    let lines = audit_lines(&audit);
    let last = lines.last().unwrap();
    assert_eq!(last["event"], "auth_failed");
    assert!(
        last["peer"].as_str().unwrap().starts_with("127.1.2.200:"),
        "{last}"
    );
    assert_eq!(spanlens::private_files::mode_of(&rotated), 0o600);
    // Stopped, it writes the count of what it did not write.
    let term = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    assert!(child.wait().unwrap().success());
    let lines = audit_lines(&audit);
    let from_local = |l: &&serde_json::Value| {
        l["event"] == "auth_failed" && l["peer"].as_str().unwrap_or("").starts_with("127.0.0.1:")
    };
    let count = lines
        .iter()
        .find(from_local)
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(count["repeated"], 499);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_to_a_grpc_port_over_http_says_use_grpc() {
    let downstream = TestServer::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let wrong = format!("http://{}", downstream.grpc);
    let (_child, http, log) = serve_with_umask_000(&data, &["--forward", &wrong, "--log", "warn"]);
    let f = fixture_files("openinference", "pb").remove(0);
    let (status, _, _) = post(
        format!("http://{http}/v1/traces"),
        "application/x-protobuf",
        &[],
        std::fs::read(f).unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let hint = format!("use grpc://{}", downstream.grpc);
    let mut seen = Vec::new();
    wait_until("the forward failure in the log", || {
        seen.extend(log.try_iter());
        seen.iter()
            .any(|l| l.contains("forwarding fails") && l.contains(&hint))
    });
    let (ok, out, err) = run_cli(&data, &["stats"]);
    assert!(ok, "{err}");
    assert!(out.contains("failing: ") && out.contains(&hint), "{out}");
    // Retries with an error already said are not logged again.
    std::thread::sleep(Duration::from_millis(1500));
    seen.extend(log.try_iter());
    let mut warned: Vec<&str> = seen
        .iter()
        .filter(|l| l.contains("forwarding fails"))
        .map(|l| l.split("forwarding fails").nth(1).unwrap_or(""))
        .collect();
    let all = warned.len();
    warned.sort();
    warned.dedup();
    assert_eq!(warned.len(), all, "{seen:#?}");
}

/// `spanlens ARGS` (an `attach`) in an 80x24 terminal.
fn attach_tui(args: &[&str]) -> Tui {
    Tui::spawn(args, 24, 80)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_of_the_same_user_needs_no_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (_child, http, _log) = serve_with_umask_000(&data, &[]);
    let f = fixture_files("openinference", "pb").remove(0);
    let url = format!("http://{http}/v1/traces");
    let body = std::fs::read(f).unwrap();
    post(&url, "application/x-protobuf", &[], body).await;
    let dir = data.to_str().unwrap();
    let tui = attach_tui(&["attach", "--data-dir", dir]);
    let screen = tui.wait_for("ChatCompletion");
    assert!(
        screen.contains(&format!("attached to http://{http}")),
        "{screen}"
    );
    // The same URL given explicitly: the secret is still the owner's own.
    let url = format!("http://{http}");
    let tui = attach_tui(&["attach", &url, "--data-dir", dir]);
    tui.wait_for("ChatCompletion");
    // From elsewhere (as through ssh -L): refused without the secret, saying how to
    // get it; let in with --token-file.
    let elsewhere = tmp.path().join("elsewhere");
    let (ok, _, err) = run_cli(&elsewhere, &["attach", &url]);
    assert!(!ok && err.contains("spanlens token"), "{err}");
    let (_, secret, _) = run_cli(&data, &["token"]);
    let secret_file = tmp.path().join("secret.txt");
    std::fs::write(&secret_file, secret).unwrap();
    let tui = attach_tui(&[
        "attach",
        &url,
        "--data-dir",
        elsewhere.to_str().unwrap(),
        "--token-file",
        secret_file.to_str().unwrap(),
    ]);
    tui.wait_for("ChatCompletion");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mtls_instance_is_reached_with_a_client_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = pki();
    let cert = write(tmp.path(), "server.pem", &pki.server_cert);
    let key = write(tmp.path(), "server.key", &pki.server_key);
    let ca = write(tmp.path(), "ca.pem", &pki.ca);
    let c_cert = write(tmp.path(), "client.pem", &pki.client_cert);
    let c_key = write(tmp.path(), "client.key", &pki.client_key);
    let data = tmp.path().join("data");
    let tls = ["--tls-cert", &cert, "--tls-key", &key, "--client-ca", &ca];
    let (_child, _http, _log) = serve_with_umask_000(&data, &tls);
    let client = ["--tls-ca", &ca, "--tls-cert", &c_cert, "--tls-key", &c_key];
    // demo sends over gRPC+TLS to the owner of the data dir.
    let mut args = vec!["demo", "--count", "2", "--seed", "7"];
    args.extend(client);
    let (ok, _, err) = run_cli(&data, &args);
    assert!(ok, "{err}");
    // A query command through the API.
    let mut args = vec!["traces", "--json"];
    args.extend(client);
    let (ok, out, err) = run_cli(&data, &args);
    assert!(ok, "{err}");
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert!(!list.is_empty(), "{out}");
    // Without the certificate the same query is refused.
    let (ok, _, _) = run_cli(&data, &["traces", "--json", "--tls-ca", &ca]);
    assert!(!ok);
    // So do compare and the MCP server.
    let ids: Vec<&str> = list
        .iter()
        .map(|t| t["trace_id"].as_str().unwrap())
        .collect();
    let mut args = vec!["compare", ids[0], ids[ids.len() - 1], "--json"];
    args.extend(client);
    let (ok, out, err) = run_cli(&data, &args);
    assert!(ok, "{err}");
    assert!(out.contains(ids[0]), "{out}");
    let mut mcp = crate::mcp_client::McpClient::start(&data, &client);
    let found = mcp.tool("search_traces", serde_json::json!({"limit": 10}));
    assert_eq!(found["count"], list.len(), "{found}");
    let mut refused = crate::mcp_client::McpClient::start(&data, &["--tls-ca", &ca]);
    let err = refused.tool_error("search_traces", serde_json::json!({"limit": 10}));
    assert!(!err.is_empty());
    // attach presents it too.
    let mut args = vec!["attach", "--data-dir", data.to_str().unwrap()];
    args.extend(client);
    let tui = attach_tui(&args);
    let screen = tui.wait_for("attached to https://");
    assert!(!screen.contains("No traces yet"), "{screen}");
}
