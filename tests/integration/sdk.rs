//! Real exporters: the Rust OpenTelemetry SDK over gRPC and over HTTP/protobuf, as
//! an unmodified app would send.

use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, Status, TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;

use crate::support::TestServer;

/// Emits an agent run with one good and one failing chat call; returns the trace id.
fn emit_agent_run(provider: &SdkTracerProvider) -> String {
    let tracer = provider.tracer("spanlens-sdk-test");
    tracer.in_span("agent.run", |cx| {
        cx.span().set_attribute(KeyValue::new("session.id", "sess-sdk"));
        let mut chat = tracer.start("chat gpt-4o-mini");
        chat.set_attribute(KeyValue::new("gen_ai.operation.name", "chat"));
        chat.set_attribute(KeyValue::new("gen_ai.provider.name", "openai"));
        chat.set_attribute(KeyValue::new("gen_ai.request.model", "gpt-4o-mini"));
        chat.set_attribute(KeyValue::new("gen_ai.response.model", "gpt-4o-mini-2024-07-18"));
        chat.set_attribute(KeyValue::new("gen_ai.usage.input_tokens", 42i64));
        chat.set_attribute(KeyValue::new("gen_ai.usage.output_tokens", 17i64));
        chat.set_attribute(KeyValue::new(
            "gen_ai.input.messages",
            r#"[{"role":"user","parts":[{"type":"text","content":"What is the weather in Paris?"}]}]"#,
        ));
        chat.set_attribute(KeyValue::new(
            "gen_ai.output.messages",
            r#"[{"role":"assistant","parts":[{"type":"text","content":"Sunny, 21C."}],"finish_reason":"stop"}]"#,
        ));
        chat.end();
        let mut failing = tracer.start("chat gpt-4o-mini");
        failing.set_attribute(KeyValue::new("gen_ai.operation.name", "chat"));
        failing.set_attribute(KeyValue::new("gen_ai.request.model", "gpt-4o-mini"));
        failing.set_status(Status::error("Error code: 429 - Rate limit reached"));
        failing.end();
        cx.span().span_context().trace_id().to_string()
    })
}

async fn check_stored(srv: &TestServer, trace_id: &str, service: &str) {
    let t = srv.trace(trace_id).await;
    let spans = t["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 3, "{t:#}");
    assert!(spans.iter().all(|s| s["service"] == service));
    let good = spans
        .iter()
        .find(|s| s["llm"]["input_tokens"] == 42)
        .expect("the chat span with its tokens");
    assert_eq!(good["llm"]["response_model"], "gpt-4o-mini-2024-07-18");
    assert_eq!(good["llm"]["output_messages"][0]["content"], "Sunny, 21C.");
    let summary = &t["summary"];
    assert_eq!(summary["root_name"], "agent.run");
    assert_eq!(summary["session"], "sess-sdk");
    assert_eq!(summary["error_count"], 1);
    assert_eq!(summary["llm_calls"], 2);
    assert_eq!(summary["input_tokens"], 42);
    assert_eq!(summary["output_tokens"], 17);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_sdk_over_grpc() {
    let srv = TestServer::start().await;
    let endpoint = srv.grpc_url();
    let trace_id = tokio::task::spawn_blocking(move || {
        let exporter = SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint)
            .build()
            .unwrap();
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(Resource::builder().with_service_name("sdk-grpc").build())
            .build();
        let id = emit_agent_run(&provider);
        provider.force_flush().unwrap();
        provider.shutdown().unwrap();
        id
    })
    .await
    .unwrap();
    check_stored(&srv, &trace_id, "sdk-grpc").await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_sdk_over_http_protobuf() {
    let srv = TestServer::start().await;
    let endpoint = srv.http_url("/v1/traces");
    let trace_id = tokio::task::spawn_blocking(move || {
        let exporter = SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(endpoint)
            .build()
            .unwrap();
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(Resource::builder().with_service_name("sdk-http").build())
            .build();
        let id = emit_agent_run(&provider);
        provider.force_flush().unwrap();
        provider.shutdown().unwrap();
        id
    })
    .await
    .unwrap();
    check_stored(&srv, &trace_id, "sdk-http").await;
    srv.stop().await;
}
