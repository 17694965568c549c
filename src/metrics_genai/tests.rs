//! Aggregation of GenAI metrics: delta and cumulative histograms, windows, models.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Histogram, HistogramDataPoint, Metric, ResourceMetrics, ScopeMetrics,
    metric,
};
use prost::Message;

use super::*;

fn kv(k: &str, v: &str) -> KeyValue {
    KeyValue {
        key: k.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(v.into())),
        }),
        ..Default::default()
    }
}

/// One request with a histogram point per (metric, token type or "", model, sum, count).
pub(crate) fn request(
    temporality: AggregationTemporality,
    time: u64,
    start: u64,
    points: &[(&str, &str, &str, f64, u64)],
) -> Vec<u8> {
    let metrics = points
        .iter()
        .map(|(name, ty, model, sum, count)| {
            let mut attrs = vec![
                kv("gen_ai.request.model", model),
                kv("gen_ai.operation.name", "chat"),
            ];
            if !ty.is_empty() {
                attrs.push(kv("gen_ai.token.type", ty));
            }
            Metric {
                name: name.to_string(),
                data: Some(metric::Data::Histogram(Histogram {
                    aggregation_temporality: temporality as i32,
                    data_points: vec![HistogramDataPoint {
                        attributes: attrs,
                        start_time_unix_nano: start,
                        time_unix_nano: time,
                        count: *count,
                        sum: Some(*sum),
                        ..Default::default()
                    }],
                })),
                ..Default::default()
            }
        })
        .collect();
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: None,
            scope_metrics: vec![ScopeMetrics {
                metrics,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
    .encode_to_vec()
}

#[test]
fn delta_points_add_up_per_model_and_token_type() {
    let d = AggregationTemporality::Delta;
    let bodies = vec![
        request(
            d,
            100,
            90,
            &[
                (TOKEN_USAGE, "input", "gpt-4o-mini", 42.0, 1),
                (TOKEN_USAGE, "output", "gpt-4o-mini", 17.0, 1),
                (OPERATION_DURATION, "", "gpt-4o-mini", 0.5, 1),
            ],
        ),
        request(
            d,
            200,
            100,
            &[
                (TOKEN_USAGE, "input", "gpt-4o-mini", 84.0, 2),
                (OPERATION_DURATION, "", "gpt-4o-mini", 1.5, 2),
                (OPERATION_DURATION, "", "claude-3-5-haiku", 2.0, 1),
                ("http.client.duration", "", "x", 9.0, 9),
            ],
        ),
        b"not protobuf at all \xff".to_vec(),
    ];
    let g = GenAiMetrics::from_raw(&bodies, None).to_json();
    assert_eq!(g["metric_requests"], 2);
    assert_eq!(g["unreadable_requests"], 1);
    assert_eq!(g["input_tokens"], 126);
    assert_eq!(g["output_tokens"], 17);
    assert_eq!(g["calls"], 4);
    let mini = g["by_model"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "gpt-4o-mini")
        .unwrap();
    assert_eq!(mini["calls"], 3);
    assert!((mini["mean_duration_ms"].as_f64().unwrap() - 2000.0 / 3.0).abs() < 1e-6);
    // A window that starts after the first export leaves it out.
    let late = GenAiMetrics::from_raw(&bodies, Some(150)).to_json();
    assert_eq!(late["input_tokens"], 84);
    assert_eq!(late["output_tokens"], 0);
}

#[test]
fn cumulative_series_count_once_not_per_export() {
    let c = AggregationTemporality::Cumulative;
    // The SDK re-exports the running total: 42, then 126 after two more calls.
    let bodies = vec![
        request(c, 100, 50, &[(TOKEN_USAGE, "input", "m", 42.0, 1)]),
        request(c, 200, 50, &[(TOKEN_USAGE, "input", "m", 126.0, 3)]),
    ];
    let all = GenAiMetrics::from_raw(&bodies, None).to_json();
    assert_eq!(all["input_tokens"], 126);
    // A window starting after the series began counts the growth within it.
    let window = GenAiMetrics::from_raw(&bodies, Some(60)).to_json();
    assert_eq!(window["input_tokens"], 84);
}
