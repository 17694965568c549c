//! Human-readable tables for the query commands, drawn from the same JSON the
//! `--json` flags print. Every string from the network goes through
//! `sanitize_for_terminal`.

use std::collections::HashMap;
use std::fmt::Write;

use serde_json::Value;

use crate::util::{format_utc, sanitize_for_terminal};

/// Writes a command's output to stdout. A reader that went away (`| head`) ends the
/// output quietly instead of panicking, as `println!` would on a broken pipe.
pub(super) fn emit(text: &str) -> Result<(), super::CliError> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(super::CliError::Io(e)),
        _ => Ok(()),
    }
}

pub(super) fn s(v: &Value) -> String {
    sanitize_for_terminal(v.as_str().unwrap_or("")).replace(['\n', '\t'], " ")
}

pub(super) fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

/// Cuts to `width` characters with an ellipsis.
pub(super) fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut t: String = text.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A JSON cost in the TUI's format (`crate::ui::text::cost`).
pub fn cost(v: &Value) -> String {
    crate::ui::text::cost(v.as_f64())
}

pub fn duration_ms(ms: f64) -> String {
    if ms >= 60_000.0 {
        format!("{:.1}m", ms / 60_000.0)
    } else if ms >= 1000.0 {
        format!("{:.2}s", ms / 1000.0)
    } else {
        format!("{ms:.0}ms")
    }
}

pub fn traces_table(list: &Value) -> String {
    let mut out = String::new();
    let rows = list.as_array().map(Vec::as_slice).unwrap_or(&[]);
    if rows.is_empty() {
        return "no traces yet\n".into();
    }
    let _ = writeln!(
        out,
        "{:<20}  {:<32}  {:<24}  {:<18}  {:>8}  {:>5}  {:>3}  {:>3}  {:>8}  {:>10}",
        "STARTED", "TRACE", "ROOT", "SERVICE", "DURATION", "SPANS", "ERR", "LLM", "TOKENS", "COST"
    );
    for t in rows {
        let service = match t["project"].as_str() {
            Some(_) => s(&t["project"]),
            None => s(&t["service"]),
        };
        let tokens = u(&t["input_tokens"]) + u(&t["output_tokens"]);
        let _ = writeln!(
            out,
            "{:<20}  {:<32}  {:<24}  {:<18}  {:>8}  {:>5}  {:>3}  {:>3}  {:>8}  {:>10}",
            format_utc(u(&t["start_unix_nano"])),
            s(&t["trace_id"]),
            fit(&format!("{}{}", trace_marker(t), s(&t["root_name"])), 24),
            fit(&service, 18),
            duration_ms(t["duration_ms"].as_f64().unwrap_or(0.0)),
            u(&t["span_count"]),
            u(&t["error_count"]),
            u(&t["llm_calls"]),
            tokens,
            if u(&t["llm_calls"]) == 0 {
                String::new()
            } else {
                cost(&t["cost_usd"])
            },
        );
    }
    out
}

/// `↻⤳◐✗ `: retried, fell back, degraded, root failed (as the TUI marks a trace);
/// empty when none applies.
fn trace_marker(t: &Value) -> String {
    let mut m: String = [
        ("retried", '↻'),
        ("fell_back", '⤳'),
        ("degraded", '◐'),
        ("root_failed", '✗'),
    ]
    .iter()
    .filter(|(k, _)| t[*k] == true)
    .map(|(_, c)| *c)
    .collect();
    if !m.is_empty() {
        m.push(' ');
    }
    m
}

fn span_line(span: &Value) -> String {
    let mut line = String::new();
    if span["status"]["code"] == "error" {
        line.push_str("✗ ");
    }
    if let Some(mark) = span["chain_mark"].as_str().filter(|m| !m.is_empty()) {
        let _ = write!(line, "{mark} ");
    }
    line.push_str(&s(&span["name"]));
    let llm = &span["llm"];
    if !llm.is_null() {
        let model = llm["response_model"]
            .as_str()
            .or(llm["request_model"].as_str())
            .map(|m| format!(" {}", sanitize_for_terminal(m)))
            .unwrap_or_default();
        let _ = write!(line, "  [{}{model}]", s(&llm["kind"]));
        if llm["input_tokens"].is_u64() || llm["output_tokens"].is_u64() {
            let _ = write!(
                line,
                " {}→{} tok",
                u(&llm["input_tokens"]),
                u(&llm["output_tokens"])
            );
        }
        if !llm["cost_usd"].is_null() {
            let _ = write!(line, " {}", cost(&llm["cost_usd"]));
        }
    }
    let ms = (u(&span["end_unix_nano"]).saturating_sub(u(&span["start_unix_nano"]))) as f64 / 1e6;
    let _ = write!(line, "  {}", duration_ms(ms));
    if span["status"]["code"] == "error" {
        let _ = write!(line, "  ERROR {}", fit(&s(&span["status"]["message"]), 80));
    }
    line
}

fn detail_lines(span: &Value) -> Vec<String> {
    let llm = &span["llm"];
    let mut lines = Vec::new();
    // The agent and prompt template, as the TUI's Chat tab shows them.
    let attrs = &span["attributes"];
    if let Some(agent) = ["gen_ai.agent.name", "ai.telemetry.functionId"]
        .iter()
        .find(|k| attrs[**k].is_string())
    {
        lines.push(format!("agent: {}", s(&attrs[*agent])));
    }
    for (key, label) in [
        ("llm.prompt_template.template", "template"),
        ("llm.prompt_template.variables", "variables"),
    ] {
        if attrs[key].is_string() {
            lines.push(format!("{label}: {}", fit(&s(&attrs[key]), 100)));
        }
    }
    let msg_line = |m: &Value| {
        let mut text = s(&m["content"]);
        for call in m["tool_calls"].as_array().into_iter().flatten() {
            let _ = write!(text, " → {}({})", s(&call["name"]), s(&call["arguments"]));
        }
        format!("{}: {}", s(&m["role"]), fit(text.trim(), 100))
    };
    for m in llm["input_messages"].as_array().into_iter().flatten() {
        lines.push(msg_line(m));
    }
    for m in llm["output_messages"].as_array().into_iter().flatten() {
        lines.push(format!("⇒ {}", msg_line(m)));
    }
    if let Some(tool) = llm["tool"].as_object() {
        if let Some(args) = tool.get("arguments").filter(|a| !a.is_null()) {
            lines.push(format!("args: {}", fit(&s(args), 100)));
        }
        if let Some(res) = tool.get("result").filter(|a| !a.is_null()) {
            lines.push(format!("result: {}", fit(&s(res), 100)));
        }
    }
    for d in llm["documents"].as_array().into_iter().flatten() {
        let score = d["score"]
            .as_f64()
            .map(|x| format!("{x:.2} "))
            .unwrap_or_default();
        lines.push(format!("doc {score}{}", fit(&s(&d["content"]), 90)));
    }
    for e in llm["evals"].as_array().into_iter().flatten() {
        let score = e["score"]
            .as_f64()
            .map(|x| format!(" {x}"))
            .unwrap_or_default();
        lines.push(format!("eval {}{score} {}", s(&e["name"]), s(&e["label"])));
    }
    for ev in span["events"].as_array().into_iter().flatten() {
        if ev["name"] == "exception" {
            let a = &ev["attributes"];
            lines.push(format!(
                "exception {}: {}",
                s(&a["exception.type"]),
                fit(&s(&a["exception.message"]), 90)
            ));
        }
    }
    lines
}

pub fn trace_tree(trace: &Value) -> String {
    let mut out = String::new();
    let spans = trace["spans"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let sum = &trace["summary"];
    let _ = writeln!(
        out,
        "trace {}{} · {} · {} spans · {} LLM calls · {} tokens · {}",
        trace_marker(sum),
        s(&trace["trace_id"]),
        s(&sum["service"]),
        spans.len(),
        u(&sum["llm_calls"]),
        u(&sum["input_tokens"]) + u(&sum["output_tokens"]),
        cost(&sum["cost_usd"]),
    );
    let ids: Vec<&str> = spans
        .iter()
        .map(|sp| sp["span_id"].as_str().unwrap_or(""))
        .collect();
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, sp) in spans.iter().enumerate() {
        match sp["parent_span_id"].as_str().filter(|p| ids.contains(p)) {
            Some(p) => children.entry(p).or_default().push(i),
            None => roots.push(i),
        }
    }
    fn walk(
        out: &mut String,
        spans: &[Value],
        children: &HashMap<&str, Vec<usize>>,
        i: usize,
        prefix: &str,
        last: bool,
        top: bool,
    ) {
        let branch = if top {
            ""
        } else if last {
            "└─ "
        } else {
            "├─ "
        };
        let _ = writeln!(out, "{prefix}{branch}{}", span_line(&spans[i]));
        let child_prefix = if top {
            prefix.to_string()
        } else {
            format!("{prefix}{}", if last { "   " } else { "│  " })
        };
        let kids = children
            .get(spans[i]["span_id"].as_str().unwrap_or(""))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let bar = if kids.is_empty() { "   " } else { "│  " };
        for line in detail_lines(&spans[i]) {
            let _ = writeln!(out, "{child_prefix}{bar}   {line}");
        }
        for (n, k) in kids.iter().enumerate() {
            walk(
                out,
                spans,
                children,
                *k,
                &child_prefix,
                n + 1 == kids.len(),
                false,
            );
        }
    }
    for r in roots {
        walk(&mut out, spans, &children, r, "", true, true);
    }
    out
}

pub fn stats_tables(stats: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} traces · {} spans · {} errors · {} LLM calls · {} in / {} out tokens · {} ({} unpriced calls)",
        u(&stats["traces"]),
        u(&stats["spans"]),
        u(&stats["errors"]),
        u(&stats["llm_calls"]),
        u(&stats["input_tokens"]),
        u(&stats["output_tokens"]),
        cost(&stats["cost_usd"]),
        u(&stats["unpriced_calls"]),
    );
    let models = stats["by_model"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if !models.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<36}  {:<12}  {:>6}  {:>10}  {:>10}  {:>12}",
            "MODEL", "PROVIDER", "CALLS", "INPUT", "OUTPUT", "COST"
        );
        for m in models {
            let _ = writeln!(
                out,
                "{:<36}  {:<12}  {:>6}  {:>10}  {:>10}  {:>12}",
                fit(&s(&m["model"]), 36),
                fit(&s(&m["provider"]), 12),
                u(&m["calls"]),
                u(&m["input_tokens"]),
                u(&m["output_tokens"]),
                cost(&m["cost_usd"]),
            );
        }
    }
    let services = stats["by_service"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if !services.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<36}  {:>8}  {:>6}  {:>6}  {:>10}  {:>12}",
            "SERVICE", "SPANS", "ERRORS", "CALLS", "TOKENS", "COST"
        );
        for sv in services {
            let _ = writeln!(
                out,
                "{:<36}  {:>8}  {:>6}  {:>6}  {:>10}  {:>12}",
                fit(&s(&sv["service"]), 36),
                u(&sv["spans"]),
                u(&sv["errors"]),
                u(&sv["llm_calls"]),
                u(&sv["input_tokens"]) + u(&sv["output_tokens"]),
                if u(&sv["llm_calls"]) == 0 {
                    String::new()
                } else {
                    cost(&sv["cost_usd"])
                },
            );
        }
    }
    out
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
