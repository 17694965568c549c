//! GenAI client metrics received over OTLP (stored raw, `x` prefix), aggregated
//! over a window beside the span-derived figures of `spanlens stats`:
//! - `gen_ai.client.token.usage` (histogram, `{token}`): sum per model and
//!   `gen_ai.token.type` (input/output);
//! - `gen_ai.client.operation.duration` (histogram, seconds): calls and mean.
//!
//! The two views disagree when spans are sampled (metrics count every call) or when
//! an app exports only one of them; showing both side by side makes that visible.
//!
//! Temporality: delta points are summed. A cumulative series (same resource, scope,
//! attributes and start time) counts its last value in the window, minus its first
//! value in the window when the series started before the window (an estimate that
//! misses at most one export interval). Cost: one decode per metrics export in the
//! window (SDKs export about once a minute per process), independent of spans.

mod table;

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{AggregationTemporality, metric};
use prost::Message;
use serde_json::{Value, json};

pub use table::genai_metrics_table;

pub const TOKEN_USAGE: &str = "gen_ai.client.token.usage";
pub const OPERATION_DURATION: &str = "gen_ai.client.operation.duration";

/// Totals for one model.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ModelMetrics {
    pub input_tokens: f64,
    pub output_tokens: f64,
    /// Duration histogram count: calls measured.
    pub calls: f64,
    pub duration_s: f64,
}

/// The aggregate over a window.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GenAiMetrics {
    /// Metrics export requests read.
    pub requests: u64,
    /// Requests that did not decode (corrupt records are skipped, not fatal).
    pub unreadable: u64,
    pub by_model: BTreeMap<String, ModelMetrics>,
}

/// One histogram point reduced to what we add up.
#[derive(Debug, Clone, Copy)]
struct Point {
    time: u64,
    start: u64,
    sum: f64,
    count: f64,
}

/// Which figure a series feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Figure {
    Input,
    Output,
    Duration,
}

fn str_attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attrs.iter().find(|kv| kv.key == key).and_then(|kv| {
        match kv.value.as_ref()?.value.as_ref()? {
            any_value::Value::StringValue(s) if !s.trim().is_empty() => Some(s.as_str()),
            _ => None,
        }
    })
}

/// The model a point is counted under: the same canonical name spans are grouped
/// by (request model, else response model, without a snapshot date).
fn model_of(attrs: &[KeyValue]) -> String {
    str_attr(attrs, "gen_ai.request.model")
        .or_else(|| str_attr(attrs, "gen_ai.response.model"))
        .map(crate::model::canonical_model_name)
        .unwrap_or("unknown")
        .to_string()
}

/// A stable identity for a series: its resource, scope and point attributes.
fn series_key(resource: &[KeyValue], scope: &str, attrs: &[KeyValue], start: u64) -> String {
    let mut parts: Vec<String> = resource
        .iter()
        .chain(attrs)
        .map(|kv| format!("{}={:?}", kv.key, kv.value))
        .collect();
    parts.sort();
    format!("{scope}|{start}|{}", parts.join(","))
}

impl GenAiMetrics {
    /// Aggregates raw `ExportMetricsServiceRequest` bodies (in arrival order), counting
    /// points whose time is at or after `since_unix_nano`.
    pub fn from_raw(bodies: &[Vec<u8>], since_unix_nano: Option<u64>) -> GenAiMetrics {
        let since = since_unix_nano.unwrap_or(0);
        let mut out = GenAiMetrics::default();
        // Cumulative series: (figure, model, key) → (first, last) in the window.
        let mut cumulative: BTreeMap<(Figure, String, String), (Point, Point)> = BTreeMap::new();
        for body in bodies {
            let Ok(req) = ExportMetricsServiceRequest::decode(body.as_slice()) else {
                out.unreadable += 1;
                continue;
            };
            out.requests += 1;
            for rm in &req.resource_metrics {
                let resource = rm
                    .resource
                    .as_ref()
                    .map(|r| r.attributes.as_slice())
                    .unwrap_or(&[]);
                for sm in &rm.scope_metrics {
                    let scope = sm.scope.as_ref().map(|s| s.name.as_str()).unwrap_or("");
                    for m in &sm.metrics {
                        if m.name != TOKEN_USAGE && m.name != OPERATION_DURATION {
                            continue;
                        }
                        let Some(metric::Data::Histogram(h)) = &m.data else {
                            continue;
                        };
                        let delta =
                            h.aggregation_temporality == AggregationTemporality::Delta as i32;
                        for p in &h.data_points {
                            if p.time_unix_nano < since {
                                continue;
                            }
                            let figure = if m.name == OPERATION_DURATION {
                                Figure::Duration
                            } else {
                                match str_attr(&p.attributes, "gen_ai.token.type") {
                                    Some("input") => Figure::Input,
                                    Some("output") => Figure::Output,
                                    _ => continue,
                                }
                            };
                            let point = Point {
                                time: p.time_unix_nano,
                                start: p.start_time_unix_nano,
                                sum: p.sum.unwrap_or(0.0),
                                count: p.count as f64,
                            };
                            let model = model_of(&p.attributes);
                            if delta {
                                out.add(figure, &model, point.sum, point.count);
                            } else {
                                let key = series_key(resource, scope, &p.attributes, point.start);
                                cumulative
                                    .entry((figure, model, key))
                                    .and_modify(|(first, last)| {
                                        if point.time < first.time {
                                            *first = point;
                                        }
                                        if point.time >= last.time {
                                            *last = point;
                                        }
                                    })
                                    .or_insert((point, point));
                            }
                        }
                    }
                }
            }
        }
        for ((figure, model, _), (first, last)) in cumulative {
            let started_inside = last.start >= since;
            let (sum, count) = if started_inside {
                (last.sum, last.count)
            } else {
                (
                    (last.sum - first.sum).max(0.0),
                    (last.count - first.count).max(0.0),
                )
            };
            out.add(figure, &model, sum, count);
        }
        out
    }

    fn add(&mut self, figure: Figure, model: &str, sum: f64, count: f64) {
        let m = self.by_model.entry(model.to_string()).or_default();
        match figure {
            Figure::Input => m.input_tokens += sum,
            Figure::Output => m.output_tokens += sum,
            Figure::Duration => {
                m.calls += count;
                m.duration_s += sum;
            }
        }
    }

    /// The `genai_metrics` object of `spanlens stats --json`.
    pub fn to_json(&self) -> Value {
        let total = self
            .by_model
            .values()
            .fold(ModelMetrics::default(), |mut a, m| {
                a.input_tokens += m.input_tokens;
                a.output_tokens += m.output_tokens;
                a.calls += m.calls;
                a.duration_s += m.duration_s;
                a
            });
        let mean = |m: &ModelMetrics| (m.calls > 0.0).then(|| m.duration_s * 1000.0 / m.calls);
        json!({
            "metric_requests": self.requests,
            "unreadable_requests": self.unreadable,
            "input_tokens": total.input_tokens.round() as u64,
            "output_tokens": total.output_tokens.round() as u64,
            "calls": total.calls.round() as u64,
            "mean_duration_ms": mean(&total),
            "by_model": self.by_model.iter().map(|(model, m)| json!({
                "model": model,
                "input_tokens": m.input_tokens.round() as u64,
                "output_tokens": m.output_tokens.round() as u64,
                "calls": m.calls.round() as u64,
                "mean_duration_ms": mean(m),
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests;
