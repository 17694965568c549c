//! OTLP/gRPC protocol behaviour, one test per case of DESIGN.md's list.

use std::sync::Arc;

use bytes::{Buf, BufMut};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_client::LogsServiceClient;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use prost::Message;
use spanlens::ingest::Token;
use spanlens::server::ServeOptions;
use tonic::codec::{Codec, CompressionEncoding, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::{Code, Status};

use crate::support::{GatedStore, TestServer, fixture_files};

fn fixture_request(folder: &str, n: usize) -> ExportTraceServiceRequest {
    let f = &fixture_files(folder, "pb")[n];
    ExportTraceServiceRequest::decode(&std::fs::read(f).unwrap()[..]).unwrap()
}

/// The openinference fixtures merged into one request.
fn all_spans(folder: &str) -> ExportTraceServiceRequest {
    let mut req = ExportTraceServiceRequest::default();
    for f in fixture_files(folder, "pb") {
        if f.to_string_lossy().contains("traces") {
            let r = ExportTraceServiceRequest::decode(&std::fs::read(f).unwrap()[..]).unwrap();
            req.resource_spans.extend(r.resource_spans);
        }
    }
    req
}

async fn client(srv: &TestServer) -> TraceServiceClient<tonic::transport::Channel> {
    TraceServiceClient::connect(srv.grpc_url()).await.unwrap()
}

#[tokio::test]
async fn gzip_export_is_stored_and_acknowledged() {
    let srv = TestServer::start().await;
    let mut c = client(&srv)
        .await
        .send_compressed(CompressionEncoding::Gzip);
    let resp = c
        .export(all_spans("openinference"))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.partial_success.is_none());
    let traces = srv.traces().await;
    assert_eq!(traces.len(), 4);
    srv.stop().await;
}

#[tokio::test]
async fn invalid_ids_come_back_as_partial_success() {
    let srv = TestServer::start().await;
    let mut req = fixture_request("openai-v2", 0);
    let spans = &mut req.resource_spans[0].scope_spans[0].spans;
    let mut bad = spans[0].clone();
    bad.span_id = vec![1, 2, 3];
    spans.push(bad);
    let resp = client(&srv).await.export(req).await.unwrap().into_inner();
    let partial = resp.partial_success.expect("partial success");
    assert_eq!(partial.rejected_spans, 1);
    assert!(
        partial.error_message.contains("span id"),
        "{}",
        partial.error_message
    );
    assert_eq!(srv.traces().await.len(), 1, "the valid span is stored");
    srv.stop().await;
}

#[tokio::test]
async fn oversize_is_resource_exhausted_never_out_of_range() {
    let srv = TestServer::start_with(ServeOptions {
        max_request_bytes: 2048,
        ..Default::default()
    })
    .await;
    let req = all_spans("openinference");
    assert!(req.encoded_len() > 2048);
    let err = client(&srv).await.export(req.clone()).await.unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    let err = client(&srv)
        .await
        .send_compressed(CompressionEncoding::Gzip)
        .export(req)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    srv.stop().await;
}

#[tokio::test]
async fn empty_request_succeeds() {
    let srv = TestServer::start().await;
    let resp = client(&srv)
        .await
        .export(ExportTraceServiceRequest::default())
        .await
        .unwrap();
    assert!(resp.into_inner().partial_success.is_none());
    srv.stop().await;
}

#[tokio::test]
async fn logs_and_metrics_services_answer() {
    let srv = TestServer::start().await;
    let mut logs = LogsServiceClient::connect(srv.grpc_url()).await.unwrap();
    for f in fixture_files("openai-v2-events", "pb") {
        if f.to_string_lossy().contains("logs") {
            let req = ExportLogsServiceRequest::decode(&std::fs::read(f).unwrap()[..]).unwrap();
            logs.export(req).await.unwrap();
        }
    }
    let mut metrics = MetricsServiceClient::connect(srv.grpc_url()).await.unwrap();
    metrics
        .export(ExportMetricsServiceRequest::default())
        .await
        .unwrap();
    srv.stop().await;
}

#[tokio::test]
async fn missing_or_wrong_token_is_unauthenticated() {
    let srv = TestServer::start_with(ServeOptions {
        token: Some(Token::new("grpc-secret")),
        ..Default::default()
    })
    .await;
    let err = client(&srv)
        .await
        .export(fixture_request("plain", 0))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    assert!(!err.message().contains("grpc-secret"));
    let mut req = tonic::Request::new(fixture_request("plain", 0));
    req.metadata_mut()
        .insert("authorization", "Bearer grpc-secret".parse().unwrap());
    client(&srv).await.export(req).await.unwrap();
    srv.stop().await;
}

#[tokio::test]
async fn full_queue_is_unavailable_with_retry_info() {
    let gate = GatedStore::new();
    let srv = TestServer::start_on_store(
        gate.clone() as Arc<dyn spanlens::store::TraceStore>,
        ServeOptions {
            queue_len: 1,
            ..Default::default()
        },
    )
    .await;
    let mut c1 = client(&srv).await;
    let first = tokio::spawn(async move { c1.export(fixture_request("plain", 0)).await });
    gate.wait_until_writing().await;
    let mut c2 = client(&srv).await;
    let second = tokio::spawn(async move { c2.export(fixture_request("plain", 1)).await });
    let mut last = None;
    for _ in 0..100 {
        match client(&srv).await.export(fixture_request("plain", 2)).await {
            Err(e) if e.code() == Code::Unavailable => {
                last = Some(e);
                break;
            }
            _ => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
    let err = last.expect("an UNAVAILABLE answer");
    use tonic_types::StatusExt;
    let retry = err.get_details_retry_info().expect("RetryInfo detail");
    assert!(retry.retry_delay.is_some());
    gate.open();
    first.await.unwrap().unwrap();
    second.await.unwrap().unwrap();
    srv.stop().await;
}

/// Sends raw bytes as the request message, to test malformed protobuf.
#[derive(Clone, Copy)]
struct RawCodec;
struct RawEncoder;
struct RawDecoder;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;
    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }
    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        let mut v = vec![0; src.remaining()];
        src.copy_to_slice(&mut v);
        Ok(Some(v))
    }
}

#[tokio::test]
async fn malformed_protobuf_is_invalid_argument() {
    let srv = TestServer::start().await;
    let channel = tonic::transport::Endpoint::from_shared(srv.grpc_url())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let path = http::uri::PathAndQuery::from_static(
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    );
    let err = grpc
        .unary(
            tonic::Request::new(vec![0xff, 0xff, 0xff, 0x01]),
            path,
            RawCodec,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    srv.stop().await;
}

#[tokio::test]
async fn past_the_in_flight_cap_a_request_is_refused_before_it_is_read() {
    let (gate, srv) = TestServer::start_gated(ServeOptions {
        max_in_flight: 1,
        ..Default::default()
    })
    .await;
    let mut c1 = client(&srv).await;
    let first = tokio::spawn(async move { c1.export(fixture_request("plain", 0)).await });
    gate.wait_until_writing().await;
    // The queue has room; the cap of requests in flight does not.
    let err = client(&srv)
        .await
        .export(fixture_request("plain", 1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    assert!(err.message().contains("in flight"), "{}", err.message());
    use tonic_types::StatusExt;
    assert!(err.get_details_retry_info().is_some(), "RetryInfo missing");
    gate.open();
    assert!(first.await.unwrap().is_ok());
    // The permit is back: the next request is accepted and stored.
    client(&srv)
        .await
        .export(fixture_request("plain", 1))
        .await
        .unwrap();
    srv.stop().await;
}
