//! A minimal MCP client for the tests: spawns the real `spanlens mcp`, speaks
//! newline-delimited JSON-RPC over its stdin/stdout, and does the `initialize`
//! handshake as Claude Code, Cursor and the SDKs do.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use serde_json::{Value, json};

use crate::durability::{Served, spanlens};

/// How long a test waits for one answer before calling the server hung.
const ANSWER_WAIT: Duration = Duration::from_secs(60);

pub struct McpClient {
    pub child: Served,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    next_id: u64,
    /// The `initialize` result.
    pub server: Value,
}

impl McpClient {
    /// `spanlens mcp --data-dir DIR` plus `extra` flags, initialized.
    pub fn start(dir: &Path, extra: &[&str]) -> McpClient {
        let mut client = McpClient::spawn(dir, extra);
        let init = client.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "spanlens-tests", "version": "1"},
            }),
        );
        client.server = init["result"].clone();
        client.notify("notifications/initialized", None);
        client
    }

    /// The process only, before any message.
    pub fn spawn(dir: &Path, extra: &[&str]) -> McpClient {
        let mut child = spanlens()
            .arg("mcp")
            .arg("--data-dir")
            .arg(dir)
            .args(extra)
            .env("SPANLENS_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        McpClient {
            stdin: child.stdin.take(),
            child: Served(child),
            lines,
            next_id: 1,
            server: Value::Null,
        }
    }

    pub fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Option<Value>) {
        let mut m = json!({"jsonrpc": "2.0", "method": method});
        if let Some(p) = params {
            m["params"] = p;
        }
        self.send(&m);
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The whole JSON-RPC response (`result` or `error`) to a request.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        loop {
            let line = match self.lines.recv_timeout(ANSWER_WAIT) {
                Ok(l) => l,
                Err(RecvTimeoutError::Timeout) => panic!("no answer to {method} (id {id})"),
                Err(RecvTimeoutError::Disconnected) => panic!("server closed stdout ({method})"),
            };
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON-RPC ({e}): {line}"));
            if v["id"] == json!(id) {
                return v;
            }
        }
    }

    /// A tool call: (isError, the text of its answer).
    pub fn call(&mut self, tool: &str, args: Value) -> (bool, String) {
        let r = self.request("tools/call", json!({"name": tool, "arguments": args}));
        let result = &r["result"];
        assert!(result.is_object(), "{tool}: not a tool result: {r}");
        let text = result["content"][0]["text"]
            .as_str()
            .unwrap_or("")
            .to_string();
        (result["isError"] == json!(true), text)
    }

    /// A tool call that must succeed; its JSON answer.
    pub fn tool(&mut self, tool: &str, args: Value) -> Value {
        let (is_error, text) = self.call(tool, args.clone());
        assert!(!is_error, "{tool} {args}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{tool}: not JSON ({e}): {text}"))
    }

    /// A tool call that must fail as a tool error; its message.
    pub fn tool_error(&mut self, tool: &str, args: Value) -> String {
        let (is_error, text) = self.call(tool, args.clone());
        assert!(is_error, "{tool} {args} should fail: {text}");
        text
    }

    /// Closes stdin (the client going away).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the process to end; its exit status, or `None` if it is still
    /// running after `wait`.
    pub fn wait_exit(&mut self, wait: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + wait;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}
