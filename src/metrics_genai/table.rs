//! The human table of `spanlens stats`: GenAI metrics beside the span-derived
//! figures, per model, from the same JSON `--json` prints.

use std::fmt::Write;

use serde_json::Value;

use crate::util::sanitize_for_terminal;

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

fn ms(v: &Value) -> String {
    v.as_f64()
        .map(|x| format!("{x:.0}ms"))
        .unwrap_or_else(|| "-".into())
}

/// Empty when no GenAI metrics arrived in the window.
pub fn genai_metrics_table(stats: &Value) -> String {
    let g = &stats["genai_metrics"];
    let models = g["by_model"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if models.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nGenAI metrics (gen_ai.client.*) beside spans — they differ when spans are sampled"
    );
    let _ = writeln!(
        out,
        "{:<32}  {:>15}  {:>19}  {:>19}  {:>15}",
        "MODEL", "CALLS met/span", "INPUT met/span", "OUTPUT met/span", "MEAN met/span"
    );
    let spans = stats["by_model"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for m in models {
        let model = m["model"].as_str().unwrap_or("");
        let span = spans
            .iter()
            .find(|s| s["model"].as_str() == Some(model))
            .cloned()
            .unwrap_or(Value::Null);
        let name: String = sanitize_for_terminal(model).chars().take(32).collect();
        let _ = writeln!(
            out,
            "{:<32}  {:>15}  {:>19}  {:>19}  {:>15}",
            name,
            format!("{}/{}", n(&m["calls"]), n(&span["calls"])),
            format!("{}/{}", n(&m["input_tokens"]), n(&span["input_tokens"])),
            format!("{}/{}", n(&m["output_tokens"]), n(&span["output_tokens"])),
            format!(
                "{}/{}",
                ms(&m["mean_duration_ms"]),
                ms(&span["mean_latency_ms"])
            ),
        );
    }
    out
}
