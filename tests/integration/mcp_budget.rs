//! `spanlens mcp`'s byte budget as a client meets it: a trace too large for one
//! answer comes in pages of spans with their content cut and marked, a span too large
//! comes in pages of its JSON text that join back into the span, and a list over the
//! budget loses its tail with a note.

use std::path::Path;

use serde_json::{Value, json};

use crate::mcp_client::McpClient;
use crate::support::{cli_json, fixture_files, run_cli};

/// One trace of 80 spans with 3 kB of prompt each, and one span with 60 kB.
fn big_trace_file(dir: &Path) -> std::path::PathBuf {
    let attr = |k: &str, v: String| json!({"key": k, "value": {"stringValue": v}});
    let now = spanlens::util::now_unix_nano() - 60_000_000_000;
    let spans: Vec<Value> = (0..80u64)
        .map(|i| {
            let size = if i == 7 { 60_000 } else { 3_000 };
            let prompt: String = format!("span {i} says: ")
                .chars()
                .chain(std::iter::repeat_n('x', size))
                .collect();
            json!({
                "traceId": "00000000000000000000000000b16b16",
                "spanId": format!("{:016x}", 0x100 + i),
                "parentSpanId": if i == 0 { String::new() } else { format!("{:016x}", 0x100) },
                "name": format!("step-{i}"), "kind": 1,
                "startTimeUnixNano": (now + i * 1000).to_string(),
                "endTimeUnixNano": (now + i * 1000 + 500).to_string(),
                "attributes": [attr("input.value", prompt)],
            })
        })
        .collect();
    let body = json!({"resourceSpans": [{
        "resource": {"attributes": [attr("service.name", "big".into())]},
        "scopeSpans": [{"scope": {"name": "t"}, "spans": spans}],
    }]});
    let f = dir.join("big.json");
    std::fs::write(&f, body.to_string()).unwrap();
    f
}

#[test]
fn mcp_cuts_big_answers_visibly_and_resumably() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = big_trace_file(dir);
    let (ok, _, err) = run_cli(dir, &["import", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    let id = "00000000000000000000000000b16b16";
    let whole = cli_json(dir, &["trace", id]);
    let all_ids: Vec<Value> = whole["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["span_id"].clone())
        .collect();
    assert_eq!(all_ids.len(), 80);

    let max = 24_000;
    let mut c = McpClient::start(dir, &["--max-bytes", &max.to_string()]);
    let mut seen = Vec::new();
    let mut offset = 0;
    let mut pages = 0;
    let mut cuts = 0;
    loop {
        let (is_error, text) = c.call("get_trace", json!({"trace_id": id, "span_offset": offset}));
        assert!(!is_error, "{text}");
        assert!(text.len() <= max, "{} bytes", text.len());
        let page: Value = serde_json::from_str(&text).unwrap();
        let note = &page["truncated"];
        assert_eq!(note["total_spans"], 80, "{note:#}");
        assert_eq!(note["span_offset"], offset);
        let spans = page["spans"].as_array().unwrap();
        assert!(!spans.is_empty());
        let cut: Vec<&Value> = note["content_cut_in_spans"]
            .as_array()
            .unwrap()
            .iter()
            .collect();
        // Each prompt is whole, or cut with a marker and its span listed as cut.
        for s in spans {
            let prompt = s["attributes"]["input.value"].as_str().unwrap();
            let listed = cut.contains(&&s["span_id"]);
            if prompt.contains("…[cut: ") {
                assert!(prompt.ends_with("get_span has it whole]") && listed);
                cuts += 1;
            } else {
                assert!(prompt.ends_with(&"x".repeat(3000)) && !listed);
            }
        }
        seen.extend(spans.iter().map(|s| s["span_id"].clone()));
        pages += 1;
        match note["next_span_offset"].as_u64() {
            Some(n) => offset = n as usize,
            None => break,
        }
    }
    assert_eq!(
        seen, all_ids,
        "every span once, in order, over {pages} pages"
    );
    assert!(pages > 1 && cuts > 40, "{pages} pages, {cuts} cut");

    // The 60 kB span comes whole over pages of its JSON text.
    let big_span = whole["spans"][7].clone();
    let mut text = String::new();
    let mut offset = 0;
    loop {
        let (is_error, answer) = c.call(
            "get_span",
            json!({"trace_id": id, "span_id": big_span["span_id"], "offset": offset}),
        );
        assert!(!is_error && answer.len() <= max, "{} bytes", answer.len());
        let page: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(page["page"]["offset"], offset);
        text.push_str(page["json_text"].as_str().unwrap());
        match page["page"]["next_offset"].as_u64() {
            Some(n) => offset = n as usize,
            None => break,
        }
    }
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), big_span);

    drop(c);
    a_list_over_the_budget_loses_its_tail(dir);
}

/// With a 2000-byte budget, the trace list is cut with a note.
fn a_list_over_the_budget_loses_its_tail(dir: &Path) {
    let files: Vec<String> = fixture_files("openinference", "pb")
        .into_iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    let (ok, _, err) = run_cli(dir, &args);
    assert!(ok, "{err}");
    let mut c = McpClient::start(dir, &["--max-bytes", "2000"]);
    let (is_error, text) = c.call("search_traces", json!({"limit": 50}));
    assert!(
        !is_error && text.len() <= 2000,
        "{} bytes: {text}",
        text.len()
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    let kept = v["traces"].as_array().unwrap().len();
    assert_eq!(v["count"], 5);
    assert!(kept < 5, "{v:#}");
    assert_eq!(v["truncated"]["arrays_cut"][0]["path"], "traces");
    assert_eq!(v["truncated"]["arrays_cut"][0]["kept"], kept);
    assert_eq!(v["truncated"]["arrays_cut"][0]["total"], 5);
}
