//! GenAI client metrics over OTLP beside the span-derived figures: an app that
//! samples half its spans but exports every call's metrics shows both numbers.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Histogram, HistogramDataPoint, Metric, ResourceMetrics, ScopeMetrics,
    metric,
};
use spanlens::metrics_genai::genai_metrics_table;

use crate::support::{TestServer, fixture_files, post};

fn kv(k: &str, v: &str) -> KeyValue {
    KeyValue {
        key: k.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(v.into())),
        }),
        ..Default::default()
    }
}

fn histogram(
    name: &str,
    token_type: Option<&str>,
    sum: f64,
    count: u64,
    times: (u64, u64),
) -> Metric {
    let mut attributes = vec![
        kv("gen_ai.operation.name", "chat"),
        kv("gen_ai.provider.name", "openai"),
        kv("gen_ai.request.model", "gpt-4o-mini"),
        kv("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
    ];
    if let Some(t) = token_type {
        attributes.push(kv("gen_ai.token.type", t));
    }
    Metric {
        name: name.into(),
        unit: if token_type.is_some() { "{token}" } else { "s" }.into(),
        data: Some(metric::Data::Histogram(Histogram {
            aggregation_temporality: AggregationTemporality::Cumulative as i32,
            data_points: vec![HistogramDataPoint {
                attributes,
                start_time_unix_nano: times.0,
                time_unix_nano: times.1,
                count,
                sum: Some(sum),
                ..Default::default()
            }],
        })),
        ..Default::default()
    }
}

/// What an SDK's periodic reader exports after `calls` chats of 42 in / 17 out
/// tokens and 0.8 s each (cumulative: the running totals).
fn metrics_export(calls: u64, times: (u64, u64)) -> ExportMetricsServiceRequest {
    let c = calls as f64;
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: None,
            scope_metrics: vec![ScopeMetrics {
                metrics: vec![
                    histogram(
                        "gen_ai.client.token.usage",
                        Some("input"),
                        42.0 * c,
                        calls,
                        times,
                    ),
                    histogram(
                        "gen_ai.client.token.usage",
                        Some("output"),
                        17.0 * c,
                        calls,
                        times,
                    ),
                    histogram(
                        "gen_ai.client.operation.duration",
                        None,
                        0.8 * c,
                        calls,
                        times,
                    ),
                ],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

#[tokio::test]
async fn metrics_and_spans_are_shown_side_by_side() {
    let srv = TestServer::start().await;
    // Spans: the `plain` fixture has two sampled chats of 42/17 tokens.
    for f in fixture_files("plain", "pb") {
        let (status, _, _) = post(
            srv.http_url("/v1/traces"),
            "application/x-protobuf",
            &[],
            std::fs::read(f).unwrap(),
        )
        .await;
        assert_eq!(status, 200);
    }
    // Metrics saw all four calls: two exports of the running total (2, then 4).
    let now = spanlens::util::now_unix_nano();
    let mut client = MetricsServiceClient::connect(srv.grpc_url()).await.unwrap();
    let start = now - 60_000_000_000;
    client
        .export(metrics_export(2, (start, now - 1_000_000_000)))
        .await
        .unwrap();
    client
        .export(metrics_export(4, (start, now)))
        .await
        .unwrap();

    let stats = srv.stats().await;
    // Span-derived: two calls.
    assert_eq!(stats["llm_calls"], 3, "two chats and the rate-limited one");
    assert_eq!(stats["input_tokens"], 84);
    assert_eq!(stats["output_tokens"], 34);
    // Metrics: four calls, counted once although exported twice (cumulative).
    let g = &stats["genai_metrics"];
    assert_eq!(g["metric_requests"], 2, "{g:#}");
    assert_eq!(g["calls"], 4);
    assert_eq!(g["input_tokens"], 168);
    assert_eq!(g["output_tokens"], 68);
    assert!((g["mean_duration_ms"].as_f64().unwrap() - 800.0).abs() < 1e-6);
    // Metrics and spans meet under the model's canonical name.
    assert_eq!(g["by_model"][0]["model"], "gpt-4o-mini");

    let table = genai_metrics_table(&stats);
    let row = table
        .lines()
        .find(|l| l.starts_with("gpt-4o-mini "))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        row.contains("4/3") && row.contains("168/84") && row.contains("68/34"),
        "{row}"
    );
    srv.stop().await;
}
