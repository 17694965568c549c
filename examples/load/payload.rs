//! The synthetic payload of the load tool and the ingest benches: traces of one agent
//! root, five chat calls and two tools, about 1 KB per encoded span.
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};

pub const SPANS_PER_TRACE: usize = 8;
const QUESTIONS: [&str; 4] = [
    "My invoice for March shows two charges for the Pro plan. Can you check why and refund the duplicate?",
    "How do I rotate the API key for our staging project without breaking the running workers?",
    "The export to CSV stops at 10,000 rows. Is there a limit, and how can I get the full table?",
    "Can you summarise the last three tickets from this customer and suggest a next step?",
];
const ANSWERS: [&str; 4] = [
    "I found two charges on 3 March; the second is a duplicate. I have issued a refund of $49.00; it appears on your card within 5-10 business days.",
    "Create a second key, deploy it to the workers, then revoke the old key from Settings > API. Both keys work until the old one is revoked.",
    "Exports are capped at 10,000 rows in the UI. Use the bulk export API (POST /v2/exports) to get every row as a gzipped CSV file.",
    "All three tickets concern failed syncs after the 2.4 upgrade; suggest a call with the sync team and a patch to 2.4.3 first.",
];

/// splitmix64: a bijection, so distinct inputs give distinct ids.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
pub fn trace_id(nonce: u64, seq: u64, t: usize) -> Vec<u8> {
    let g = seq.wrapping_mul(1 << 20).wrapping_add(t as u64);
    let mut id = mix(g ^ nonce.rotate_left(32)).to_be_bytes().to_vec();
    id.extend_from_slice(&mix(g.wrapping_add(nonce)).to_be_bytes());
    id
}
pub fn span_id(nonce: u64, seq: u64, k: usize) -> Vec<u8> {
    let g = seq.wrapping_mul(1 << 20).wrapping_add(k as u64);
    mix(g.wrapping_add(nonce.rotate_left(17)))
        .max(1)
        .to_be_bytes()
        .to_vec()
}
fn kv(key: &str, v: Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(v) }),
        ..Default::default()
    }
}
fn s(key: &str, v: impl Into<String>) -> KeyValue {
    kv(key, Value::StringValue(v.into()))
}
fn i(key: &str, v: i64) -> KeyValue {
    kv(key, Value::IntValue(v))
}

/// Request number `seq` of a run (`nonce`): `n` spans, ids unique per (nonce, seq).
pub fn request(nonce: u64, seq: u64, n: usize, now_ns: u64) -> ExportTraceServiceRequest {
    let spans = (0..n).map(|k| span(nonce, seq, k, now_ns)).collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![
                    s("service.name", "support-agent"),
                    s("service.version", "1.8.2"),
                    s("deployment.environment.name", "production"),
                    s("telemetry.sdk.language", "python"),
                ],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "opentelemetry.instrumentation.openai_v2".into(),
                    version: "2.1b0".into(),
                    ..Default::default()
                }),
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

fn span(nonce: u64, seq: u64, k: usize, now_ns: u64) -> Span {
    let (t, j) = (k / SPANS_PER_TRACE, k % SPANS_PER_TRACE);
    let v = (mix(seq ^ k as u64) % 4) as usize;
    let start = now_ns - 30_000_000_000 + (t as u64 % 1000) * 1_000_000;
    let session = format!("sess-{:016x}", mix(seq.wrapping_add(t as u64)));
    let (name, kind, mut attributes, s0, s1) = match j {
        0 => (
            "invoke_agent support-bot".to_string(),
            SpanKind::Internal,
            vec![
                s("gen_ai.operation.name", "invoke_agent"),
                s("gen_ai.agent.name", "support-bot"),
                s("gen_ai.provider.name", "openai"),
                s("gen_ai.request.model", "gpt-4o-mini"),
            ],
            0,
            9_000,
        ),
        3 | 6 => {
            let call = format!("call_{:012x}", mix(seq ^ ((k as u64) << 8)) >> 16);
            (
                "execute_tool lookup_account".to_string(),
                SpanKind::Internal,
                vec![
                    s("gen_ai.operation.name", "execute_tool"),
                    s("gen_ai.tool.name", "lookup_account"),
                    s("gen_ai.tool.call.id", call),
                    s(
                        "gen_ai.tool.call.arguments",
                        r#"{"customer_id":"cus_8Hq2LmN0","fields":["plan","invoices"]}"#,
                    ),
                    s(
                        "gen_ai.tool.call.result",
                        r#"{"plan":"pro","invoices":[{"id":"in_1","amount":4900},{"id":"in_2","amount":4900}]}"#,
                    ),
                ],
                j as u64 * 1_000 + 500,
                j as u64 * 1_000 + 620,
            )
        }
        _ => {
            let input = format!(
                r#"[{{"role":"system","parts":[{{"type":"text","content":"You are a concise, friendly support agent for Acme Cloud. Look up the account with the tools before answering, never guess amounts, and escalate billing disputes over $500 to a human."}}]}},{{"role":"user","parts":[{{"type":"text","content":"{}"}}]}}]"#,
                QUESTIONS[v]
            );
            let output = format!(
                r#"[{{"role":"assistant","parts":[{{"type":"text","content":"{}"}}],"finish_reason":"stop"}}]"#,
                ANSWERS[v]
            );
            (
                "chat gpt-4o-mini".to_string(),
                SpanKind::Client,
                vec![
                    s("gen_ai.operation.name", "chat"),
                    s("gen_ai.provider.name", "openai"),
                    s("gen_ai.request.model", "gpt-4o-mini"),
                    s("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                    s(
                        "gen_ai.response.id",
                        format!("chatcmpl-{:016x}", mix(seq ^ k as u64)),
                    ),
                    kv("gen_ai.request.temperature", Value::DoubleValue(0.2)),
                    i("gen_ai.request.max_tokens", 512),
                    kv("gen_ai.request.top_p", Value::DoubleValue(0.9)),
                    i("gen_ai.usage.input_tokens", 180 + 37 * v as i64),
                    i("gen_ai.usage.output_tokens", 40 + 11 * v as i64),
                    kv(
                        "gen_ai.response.finish_reasons",
                        Value::ArrayValue(ArrayValue {
                            values: vec![AnyValue {
                                value: Some(Value::StringValue("stop".into())),
                            }],
                        }),
                    ),
                    s("server.address", "api.openai.com"),
                    i("server.port", 443),
                    s("openai.response.service_tier", "default"),
                    s("gen_ai.input.messages", input),
                    s("gen_ai.output.messages", output),
                ],
                j as u64 * 1_000,
                j as u64 * 1_000 + 450 + 40 * v as u64,
            )
        }
    };
    attributes.push(s("session.id", session));
    attributes.push(s("user.id", format!("usr_{:08x}", mix(t as u64) as u32)));
    // One tool call in 16 traces fails.
    let failed = j == 6 && mix(seq ^ t as u64).is_multiple_of(16);
    Span {
        trace_id: trace_id(nonce, seq, t),
        span_id: span_id(nonce, seq, k),
        parent_span_id: if j == 0 {
            Vec::new()
        } else {
            span_id(nonce, seq, k - j)
        },
        name,
        kind: kind as i32,
        start_time_unix_nano: start + s0 * 1_000_000,
        end_time_unix_nano: start + s1 * 1_000_000,
        attributes,
        status: failed.then(|| Status {
            code: StatusCode::Error as i32,
            message: "account service timed out".into(),
        }),
        ..Default::default()
    }
}
