//! OTLP/HTTP protocol behaviour, one test per case of DESIGN.md's list.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message;
use serde_json::{Value, json};
use spanlens::ingest::Token;
use spanlens::server::ServeOptions;

use crate::support::{TestServer, fixture_files, gzip, post};

const PB: &str = "application/x-protobuf";
const JSON: &str = "application/json";

fn one_span_json(trace_id: &str, span_id: &str, start: Value) -> Value {
    json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-svc"}}]},
        "someFutureField": {"nested": true},
        "scopeSpans": [{"scope": {"name": "t"}, "spans": [{
            "traceId": trace_id, "spanId": span_id, "name": "chat gpt-4o-mini", "kind": 3,
            "startTimeUnixNano": start, "endTimeUnixNano": "1764268202000000000",
            "unknownSpanField": 5,
            "attributes": [
                {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
                {"key": "gen_ai.usage.input_tokens", "value": {"intValue": 42}},
                {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "17"}}
            ],
            "status": {"code": 2, "message": "boom"}
        }]}]
    }]})
}

#[tokio::test]
async fn protobuf_fixture_is_stored() {
    let srv = TestServer::start().await;
    for f in fixture_files("openai-v2", "pb") {
        let (status, headers, body) = post(
            &srv.http_url("/v1/traces"),
            PB,
            &[],
            std::fs::read(f).unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], PB);
        let resp = ExportTraceServiceResponse::decode(&body[..]).unwrap();
        assert!(resp.partial_success.is_none());
    }
    let traces = srv.traces().await;
    assert_eq!(traces.len(), 4, "{traces:#?}");
    let spans: u64 = traces
        .iter()
        .map(|t| t["span_count"].as_u64().unwrap())
        .sum();
    assert_eq!(spans, 10);
    srv.stop().await;
}

#[tokio::test]
async fn json_accepts_int64_as_number_or_string_upper_hex_and_unknown_fields() {
    let srv = TestServer::start().await;
    let upper = "5B8EFFF798038103D269B633813FC60C";
    let body = one_span_json(upper, "EEE19B7EC3C1B174", json!(1764268201000000000u64));
    let (status, _, resp) = post(
        &srv.http_url("/v1/traces"),
        JSON,
        &[],
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&resp));
    let body = one_span_json(upper, "EEE19B7EC3C1B175", json!("1764268201000000000"));
    let (status, _, _) = post(
        &srv.http_url("/v1/traces"),
        JSON,
        &[],
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    let t = srv.trace(&upper.to_lowercase()).await;
    let spans = t["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 2);
    for s in spans {
        assert_eq!(s["start_unix_nano"], 1764268201000000000u64);
        assert_eq!(s["kind"], "client");
        assert_eq!(s["service"], "json-svc");
        assert_eq!(s["status"]["code"], "error");
        assert_eq!(s["llm"]["input_tokens"], 42);
        assert_eq!(s["llm"]["output_tokens"], 17);
    }
    srv.stop().await;
}

#[tokio::test]
async fn empty_requests_succeed() {
    let srv = TestServer::start().await;
    let (status, _, body) = post(&srv.http_url("/v1/traces"), JSON, &[], b"{}".to_vec()).await;
    assert_eq!((status, body), (200, b"{}".to_vec()));
    let (status, _, body) = post(&srv.http_url("/v1/traces"), PB, &[], Vec::new()).await;
    assert_eq!((status, body.len()), (200, 0));
    let (status, _, _) = post(&srv.http_url("/v1/logs"), PB, &[], Vec::new()).await;
    assert_eq!(status, 200);
    let (status, _, _) = post(&srv.http_url("/v1/metrics"), JSON, &[], b"{}".to_vec()).await;
    assert_eq!(status, 200);
    srv.stop().await;
}

#[tokio::test]
async fn invalid_ids_are_rejected_and_the_rest_stored() {
    let srv = TestServer::start().await;
    let mut body = one_span_json(
        "5b8efff798038103d269b633813fc60c",
        "eee19b7ec3c1b174",
        json!("1"),
    );
    let spans = body["resourceSpans"][0]["scopeSpans"][0]["spans"]
        .as_array_mut()
        .unwrap();
    let good = spans[0].clone();
    let mut short = good.clone();
    short["spanId"] = json!("0102");
    let mut zero = good.clone();
    zero["traceId"] = json!("00000000000000000000000000000000");
    spans.push(short);
    spans.push(zero);
    let (status, _, resp) = post(
        &srv.http_url("/v1/traces"),
        JSON,
        &[],
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    let resp: Value = serde_json::from_slice(&resp).unwrap();
    assert_eq!(resp["partialSuccess"]["rejectedSpans"], "2", "{resp}");
    let msg = resp["partialSuccess"]["errorMessage"].as_str().unwrap();
    assert!(msg.contains("span id") && msg.contains("zero"), "{msg}");
    let t = srv.trace("5b8efff798038103d269b633813fc60c").await;
    assert_eq!(t["spans"].as_array().unwrap().len(), 1);
    srv.stop().await;
}

#[tokio::test]
async fn oversize_requests_get_413_also_when_gzip_inflates_past_the_limit() {
    let srv = TestServer::start_with(ServeOptions {
        max_request_bytes: 4096,
        ..Default::default()
    })
    .await;
    let big = vec![b' '; 10_000];
    let (status, _, body) = post(&srv.http_url("/v1/traces"), JSON, &[], big.clone()).await;
    assert_eq!(status, 413);
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(err["code"], 8, "RESOURCE_EXHAUSTED in the Status body");
    let bomb = gzip(&vec![b' '; 1_000_000]);
    assert!(bomb.len() < 4096);
    let (status, _, _) = post(
        &srv.http_url("/v1/traces"),
        JSON,
        &[("content-encoding", "gzip")],
        bomb,
    )
    .await;
    assert_eq!(status, 413);
    srv.stop().await;
}

#[tokio::test]
async fn gzip_bodies_are_accepted() {
    let srv = TestServer::start().await;
    let body = one_span_json(
        "5b8efff798038103d269b633813fc60c",
        "eee19b7ec3c1b174",
        json!("5"),
    );
    let (status, _, _) = post(
        &srv.http_url("/v1/traces"),
        JSON,
        &[("content-encoding", "gzip")],
        gzip(body.to_string().as_bytes()),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(srv.traces().await.len(), 1);
    let (status, _, _) = post(
        &srv.http_url("/v1/traces"),
        JSON,
        &[("content-encoding", "gzip")],
        b"nope".to_vec(),
    )
    .await;
    assert_eq!(status, 400);
    srv.stop().await;
}

#[tokio::test]
async fn malformed_bodies_get_400_with_a_status_body_in_the_request_encoding() {
    let srv = TestServer::start().await;
    let (status, headers, body) =
        post(&srv.http_url("/v1/traces"), PB, &[], vec![0xff, 0xff, 0xff]).await;
    assert_eq!(status, 400);
    assert_eq!(headers["content-type"], PB);
    let st = spanlens::ingest::http::RpcStatus::decode(&body[..]).unwrap();
    assert_eq!(st.code, 3);
    assert!(st.message.contains("malformed"), "{}", st.message);
    let (status, _, body) = post(&srv.http_url("/v1/logs"), JSON, &[], b"[1,2".to_vec()).await;
    assert_eq!(status, 400);
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(err["code"], 3);
    srv.stop().await;
}

#[tokio::test]
async fn wrong_method_is_405_and_wrong_content_type_is_415() {
    let srv = TestServer::start().await;
    let res = reqwest::get(srv.http_url("/v1/traces")).await.unwrap();
    assert_eq!(res.status(), 405);
    assert!(res.headers()["allow"].to_str().unwrap().contains("POST"));
    let (status, _, _) = post(
        &srv.http_url("/v1/traces"),
        "text/plain",
        &[],
        b"x".to_vec(),
    )
    .await;
    assert_eq!(status, 415);
    let (status, _, _) = post(
        &srv.http_url("/v1/traces"),
        JSON,
        &[("content-encoding", "br")],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(status, 415);
    srv.stop().await;
}

#[tokio::test]
async fn a_token_is_required_when_configured_and_never_echoed() {
    let srv = TestServer::start_with(ServeOptions {
        token: Some(Token::new("tok-123")),
        ..Default::default()
    })
    .await;
    let url = srv.http_url("/v1/traces");
    let (status, _, body) = post(&url, JSON, &[], b"{}".to_vec()).await;
    assert_eq!(status, 401);
    assert!(!String::from_utf8_lossy(&body).contains("tok-123"));
    let (status, _, body) = post(
        &url,
        JSON,
        &[("authorization", "Bearer tok-12")],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(status, 401);
    assert!(!String::from_utf8_lossy(&body).contains("tok-12"));
    let (status, _, _) = post(
        &url,
        JSON,
        &[("authorization", "Bearer tok-123")],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(status, 200);
    // The query API is guarded too.
    let res = reqwest::get(srv.http_url("/api/v1/traces")).await.unwrap();
    assert_eq!(res.status(), 401);
    srv.stop().await;
}

#[tokio::test]
async fn overload_answers_503_with_retry_after_and_loses_nothing_acknowledged() {
    let gate = crate::support::GatedStore::new();
    let srv = TestServer::start_on_store(
        gate.clone() as Arc<dyn spanlens::store::TraceStore>,
        ServeOptions {
            queue_len: 1,
            ..Default::default()
        },
    )
    .await;
    let url = srv.http_url("/v1/traces");
    let body = |i: u8| {
        one_span_json(
            "5b8efff798038103d269b633813fc60c",
            &format!("eee19b7ec3c1b1{i:02x}"),
            json!("7"),
        )
        .to_string()
        .into_bytes()
    };
    let first = tokio::spawn(post(url.clone(), JSON, &[], body(1)));
    gate.wait_until_writing().await;
    let second = tokio::spawn(post(url.clone(), JSON, &[], body(2)));
    // Wait until the second sits in the one-slot queue.
    let mut third = (0, reqwest::header::HeaderMap::new(), Vec::new());
    for _ in 0..100 {
        third = post(&url, JSON, &[], body(3)).await;
        if third.0 == 503 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(third.0, 503);
    assert_eq!(third.1["retry-after"], "1");
    gate.open();
    assert_eq!(first.await.unwrap().0, 200);
    assert_eq!(second.await.unwrap().0, 200);
    let t = srv.trace("5b8efff798038103d269b633813fc60c").await;
    let n = t["spans"].as_array().unwrap().len();
    assert!(n >= 2, "both acknowledged spans are stored: {n}");
    srv.stop().await;
}

#[tokio::test]
async fn past_the_in_flight_cap_an_export_gets_503_and_the_first_is_kept() {
    let (gate, srv) = TestServer::start_gated(ServeOptions {
        max_in_flight: 1,
        ..Default::default()
    })
    .await;
    let url = srv.http_url("/v1/traces");
    let body = |i: u8| {
        one_span_json(
            "6b8efff798038103d269b633813fc60c",
            &format!("fee19b7ec3c1b1{i:02x}"),
            json!("7"),
        )
        .to_string()
        .into_bytes()
    };
    let first = tokio::spawn(post(url.clone(), JSON, &[], body(1)));
    gate.wait_until_writing().await;
    let (status, headers, reply) = post(&url, JSON, &[], body(2)).await;
    assert_eq!(status, 503);
    assert_eq!(headers["retry-after"], "1");
    let reply: serde_json::Value = serde_json::from_slice(&reply).unwrap();
    assert!(
        reply["message"].as_str().unwrap().contains("in flight"),
        "{reply}"
    );
    gate.open();
    assert_eq!(first.await.unwrap().0, 200);
    assert_eq!(post(&url, JSON, &[], body(3)).await.0, 200);
    let t = srv.trace("6b8efff798038103d269b633813fc60c").await;
    assert_eq!(
        t["spans"].as_array().unwrap().len(),
        2,
        "the first and third are stored"
    );
    srv.stop().await;
}
