//! `compare_traces`: two traces side by side, compactly — totals (tokens, cost,
//! latency, span counts), the models each used, and the first point where their span
//! sequences (depth-first, siblings by start time) differ by name, kind, model or
//! error. Works on `trace --json` values, so it reads the API and the store alike.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

/// A span as the comparison sees it.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    span_id: Value,
    name: String,
    kind: String,
    model: Option<String>,
    error: bool,
    depth: usize,
}

impl Step {
    fn json(&self) -> Value {
        json!({
            "span_id": self.span_id,
            "name": self.name,
            "kind": self.kind,
            "model": self.model,
            "error": self.error,
            "depth": self.depth,
        })
    }
}

fn model_of(span: &Value) -> Option<String> {
    let llm = &span["llm"];
    llm["response_model"]
        .as_str()
        .or(llm["request_model"].as_str())
        .map(str::to_string)
}

/// The spans depth-first from the roots, siblings by start time.
fn steps(trace: &Value) -> Vec<Step> {
    let spans: &[Value] = trace["spans"].as_array().map_or(&[], Vec::as_slice);
    let ids: BTreeSet<&str> = spans.iter().filter_map(|s| s["span_id"].as_str()).collect();
    let mut children: HashMap<Option<&str>, Vec<&Value>> = HashMap::new();
    for s in spans {
        let parent = s["parent_span_id"].as_str().filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(s);
    }
    for list in children.values_mut() {
        list.sort_by_key(|s| s["start_unix_nano"].as_u64().unwrap_or(0));
    }
    let mut out = Vec::with_capacity(spans.len());
    let mut stack: Vec<(&Value, usize)> = children
        .get(&None)
        .map(|r| r.iter().rev().map(|s| (*s, 0)).collect())
        .unwrap_or_default();
    while let Some((s, depth)) = stack.pop() {
        out.push(Step {
            span_id: s["span_id"].clone(),
            name: s["name"].as_str().unwrap_or("").to_string(),
            kind: s["llm"]["kind"]
                .as_str()
                .or(s["kind"].as_str())
                .unwrap_or("")
                .to_string(),
            model: model_of(s),
            error: s["status"]["code"].as_str() == Some("error"),
            depth,
        });
        if let Some(kids) = s["span_id"].as_str().and_then(|id| children.get(&Some(id))) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

fn totals(trace: &Value) -> Value {
    let s = &trace["summary"];
    json!({
        "trace_id": trace["trace_id"],
        "root_name": s["root_name"],
        "service": s["service"],
        "start_unix_nano": s["start_unix_nano"],
        "duration_ms": s["duration_ms"],
        "span_count": s["span_count"],
        "error_count": s["error_count"],
        "llm_calls": s["llm_calls"],
        "input_tokens": s["input_tokens"],
        "output_tokens": s["output_tokens"],
        "cost_usd": s["cost_usd"],
        "models": s["models"],
    })
}

fn delta(a: &Value, b: &Value, key: &str) -> Value {
    match (a[key].as_f64(), b[key].as_f64()) {
        (Some(x), Some(y)) if a[key].is_u64() && b[key].is_u64() => json!(y as i64 - x as i64),
        (Some(x), Some(y)) => json!(y - x),
        _ => Value::Null,
    }
}

fn model_set(v: &Value) -> BTreeSet<String> {
    v["models"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The comparison of two `trace --json` values (A the baseline).
pub fn compare_traces(a: &Value, b: &Value) -> Value {
    let (ta, tb) = (totals(a), totals(b));
    let keys = [
        "duration_ms",
        "span_count",
        "error_count",
        "llm_calls",
        "input_tokens",
        "output_tokens",
        "cost_usd",
    ];
    let deltas: serde_json::Map<String, Value> = keys
        .iter()
        .map(|k| (k.to_string(), delta(&ta, &tb, k)))
        .collect();
    let (ma, mb) = (model_set(&ta), model_set(&tb));
    let (sa, sb) = (steps(a), steps(b));
    let first = sa
        .iter()
        .zip(&sb)
        .position(|(x, y)| differs(x, y).next().is_some())
        .or_else(|| (sa.len() != sb.len()).then(|| sa.len().min(sb.len())));
    let first_difference = first.map(|i| {
        let (x, y) = (sa.get(i), sb.get(i));
        let what: Vec<&str> = match (x, y) {
            (Some(x), Some(y)) => differs(x, y).collect(),
            (Some(_), None) => vec!["b_ends"],
            _ => vec!["a_ends"],
        };
        json!({
            "index": i,
            "differs_in": what,
            "a": x.map(Step::json),
            "b": y.map(Step::json),
            "same_before": i,
        })
    });
    json!({
        "a": ta,
        "b": tb,
        "delta_b_minus_a": deltas,
        "models": {
            "only_in_a": ma.difference(&mb).collect::<Vec<_>>(),
            "only_in_b": mb.difference(&ma).collect::<Vec<_>>(),
            "in_both": ma.intersection(&mb).collect::<Vec<_>>(),
        },
        "same_span_sequence": first.is_none(),
        "first_difference": first_difference,
    })
}

/// Which of name, kind, model and error differ between two steps.
fn differs<'a>(x: &'a Step, y: &'a Step) -> impl Iterator<Item = &'static str> + 'a {
    [
        ("name", x.name != y.name),
        ("kind", x.kind != y.kind),
        ("model", x.model != y.model),
        ("error", x.error != y.error),
    ]
    .into_iter()
    .filter(|(_, d)| *d)
    .map(|(k, _)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(
        id: &str,
        parent: Option<&str>,
        name: &str,
        start: u64,
        model: Option<&str>,
        err: bool,
    ) -> Value {
        json!({
            "span_id": id, "parent_span_id": parent, "name": name, "kind": "internal",
            "start_unix_nano": start,
            "status": {"code": if err { "error" } else { "unset" }},
            "llm": model.map(|m| json!({"kind": "chat", "request_model": m})),
        })
    }

    fn trace(spans: Vec<Value>, tokens: u64, cost: f64) -> Value {
        json!({"trace_id": "t", "spans": spans, "summary": {
            "input_tokens": tokens, "output_tokens": 10, "cost_usd": cost,
            "span_count": 3, "models": ["gpt-4o"], "duration_ms": 100.0,
        }})
    }

    #[test]
    fn the_first_difference_is_found_in_tree_order() {
        let a = trace(
            vec![
                span("a1", None, "agent", 0, None, false),
                span("a3", Some("a1"), "tool", 20, None, false),
                span("a2", Some("a1"), "chat", 10, Some("gpt-4o"), false),
            ],
            100,
            0.01,
        );
        let b = trace(
            vec![
                span("b1", None, "agent", 0, None, false),
                span("b2", Some("b1"), "chat", 10, Some("gpt-4o-mini"), true),
            ],
            150,
            0.03,
        );
        let c = compare_traces(&a, &b);
        assert_eq!(c["same_span_sequence"], false);
        let d = &c["first_difference"];
        assert_eq!(d["index"], 1);
        assert_eq!(d["differs_in"], json!(["model", "error"]));
        assert_eq!(d["a"]["span_id"], "a2");
        assert_eq!(d["b"]["span_id"], "b2");
        assert_eq!(c["delta_b_minus_a"]["input_tokens"], 50);
        assert!((c["delta_b_minus_a"]["cost_usd"].as_f64().unwrap() - 0.02).abs() < 1e-9);
        let same = compare_traces(&a, &a);
        assert_eq!(same["same_span_sequence"], true);
        assert_eq!(same["first_difference"], Value::Null);
    }

    #[test]
    fn a_shorter_trace_differs_where_it_ends() {
        let a = trace(vec![span("a1", None, "agent", 0, None, false)], 1, 0.0);
        let b = trace(
            vec![
                span("b1", None, "agent", 0, None, false),
                span("b2", Some("b1"), "retry", 5, None, false),
            ],
            1,
            0.0,
        );
        let c = compare_traces(&a, &b);
        assert_eq!(c["first_difference"]["index"], 1);
        assert_eq!(c["first_difference"]["differs_in"], json!(["a_ends"]));
    }
}
