//! Two batch-job scenarios in GenAI semconv:
//! - `batch-summarizer`: a `summarize` root with 2–3 `chat gpt-4o` attempts. The
//!   first ones hit HTTP 429 (status ERROR "Error code: 429 - Rate limit reached for
//!   gpt-4o …", `error.type=openai.RateLimitError`, `http.response.status_code=429`,
//!   an `exception` event with a Python stack trace). Then a retry succeeds, or the
//!   job falls back to Anthropic, or — about one run in four — it gives up: the
//!   root fails too, with its own `exception` event.
//! - `indexer` (Go): `index_documents` → 1–3 `embeddings text-embedding-3-large`
//!   calls (input tokens only), each followed by a vector-store upsert.

use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde_json::json;

use super::genai::{self, ANTHROPIC, Call, OPENAI};
use super::otlp::{SpanExt, TraceBuilder, array, exception, ms, resource, s};
use super::rng::DemoRng;
use super::scenarios::DemoTrace;
use super::texts::{DOCUMENTS, OPENAI_FRAMES};

const SUMMARY_SYSTEM: &str = "Summarize the document in at most two sentences.";

enum Outcome {
    Retried,
    FellBack,
    GaveUp,
}

fn rate_limit_message(rng: &mut DemoRng) -> String {
    let used = rng.range(29_000, 29_990);
    let requested = rng.range(600, 1_800);
    let wait = rng.range(300, 2_900) as f64 / 1000.0;
    format!(
        "Error code: 429 - Rate limit reached for gpt-4o in organization org-demo on \
         tokens per min (TPM): Limit 30000, Used {used}, Requested {requested}. Please \
         try again in {wait:.3}s."
    )
}

pub(super) fn rate_limited(rng: &mut DemoRng, now: u64) -> DemoTrace {
    let (title, text, summary) = *rng.pick(DOCUMENTS);
    let outcome = match rng.weighted(&[45, 30, 25]) {
        0 => Outcome::Retried,
        1 => Outcome::FellBack,
        _ => Outcome::GaveUp,
    };
    let failures = match outcome {
        Outcome::GaveUp => 3,
        _ => rng.range(1, 2),
    };

    let mut tb = TraceBuilder::new(
        rng,
        resource("batch-summarizer", "3.0.1", "python", "1.38.0", vec![]),
    );
    let app = tb.scope("summarizer.pipeline", "3.0.1");
    let openai = tb.scope("opentelemetry.instrumentation.openai_v2", "2.1b0");
    let anthropic = tb.scope("opentelemetry.instrumentation.anthropic", "0.1b0");
    let root = tb.span(rng, app, None, "summarize", SpanKind::Internal, 0, 0);
    tb.at(root)
        .str("document.title", title)
        .int("summarizer.max_attempts", 3);

    let input_json = json!([
        genai::text("system", SUMMARY_SYSTEM),
        genai::text("user", text),
    ])
    .to_string();
    let input_tokens = genai::tokens(SUMMARY_SYSTEM) + genai::tokens(text) + 8;
    let gpt4o = Call {
        operation: "chat",
        provider: "openai",
        request_model: "gpt-4o",
        server: OPENAI,
    };

    let mut t = ms(rng.range(2, 10));
    let mut last_error = String::new();
    let mut last_end = t;
    for attempt in 0..failures {
        let d = ms(rng.range(90, 450));
        let r = genai::call_span(&mut tb, rng, openai, root, &gpt4o, t, d);
        let msg = rate_limit_message(rng);
        tb.at(r)
            .str("gen_ai.input.messages", &input_json)
            .int("gen_ai.request.max_tokens", 300)
            .str("error.type", "openai.RateLimitError")
            .int("http.response.status_code", 429)
            .event(
                "exception",
                t + d,
                exception("openai.RateLimitError", &msg, OPENAI_FRAMES),
            )
            .error(msg.clone());
        last_error = msg;
        last_end = t + d;
        // Exponential backoff with jitter before the next attempt.
        t += d + ms(500 * (1 << attempt) + rng.range(0, 250));
    }

    let output_tokens = genai::tokens(summary);
    let success = match outcome {
        Outcome::Retried => Some((openai, gpt4o, "gpt-4o-2024-08-06", genai::chatcmpl_id(rng))),
        Outcome::FellBack => {
            let call = Call {
                operation: "chat",
                provider: "anthropic",
                request_model: "claude-haiku-4-5",
                server: ANTHROPIC,
            };
            let id = format!("msg_{}", rng.alnum(24));
            tb.at(root)
                .str("summarizer.fallback_model", "claude-haiku-4-5");
            Some((anthropic, call, "claude-haiku-4-5-20251001", id))
        }
        Outcome::GaveUp => None,
    };
    match success {
        Some((scope, call, response_model, id)) => {
            let d = genai::llm_duration(rng, output_tokens);
            let r = genai::call_span(&mut tb, rng, scope, root, &call, t, d);
            genai::response(&mut tb, r, response_model, &id, &["stop"]);
            genai::usage(&mut tb, r, input_tokens, output_tokens, 0);
            tb.at(r)
                .str("gen_ai.input.messages", &input_json)
                .int("gen_ai.request.max_tokens", 300)
                .str(
                    "gen_ai.output.messages",
                    json!([genai::answer(summary, "stop")]).to_string(),
                );
            t += d + ms(rng.range(1, 5));
        }
        None => {
            t = last_end + ms(rng.range(1, 5));
            tb.at(root)
                .str("error.type", "openai.RateLimitError")
                .event(
                    "exception",
                    t,
                    exception("openai.RateLimitError", &last_error, &OPENAI_FRAMES[..2]),
                )
                .error(format!(
                    "gave up after {failures} attempts: {}",
                    last_error.split(" in organization").next().unwrap_or("")
                ));
        }
    }
    tb.set_end(root, t);
    tb.finish(rng, now, root)
}

pub(super) fn embeddings(rng: &mut DemoRng, now: u64) -> DemoTrace {
    let batches = rng.range(1, 3);
    let mut tb = TraceBuilder::new(rng, resource("indexer", "1.12.0", "go", "1.38.0", vec![]));
    let app = tb.scope("github.com/example/indexer", "1.12.0");
    let genai_scope = tb.scope("go.opentelemetry.io/contrib/instrumentation/genai", "0.1.0");
    let root = tb.span(rng, app, None, "index_documents", SpanKind::Internal, 0, 0);
    tb.at(root)
        .str("indexer.collection", "handbook")
        .int("indexer.documents", batches * rng.range(20, 64));
    let call = Call {
        operation: "embeddings",
        provider: "openai",
        request_model: "text-embedding-3-large",
        server: OPENAI,
    };
    let mut t = ms(rng.range(5, 40));
    for _ in 0..batches {
        let d = ms(rng.range(120, 900));
        let r = genai::call_span(&mut tb, rng, genai_scope, root, &call, t, d);
        tb.at(r)
            .str("gen_ai.response.model", "text-embedding-3-large")
            .int("gen_ai.usage.input_tokens", rng.range(800, 8_000))
            .int("gen_ai.embeddings.dimension.count", 3072)
            .attr("gen_ai.request.encoding_formats", array(vec![s("float")]));
        t += d + ms(rng.range(1, 5));
        let d = ms(rng.range(8, 80));
        let up = tb.span(
            rng,
            app,
            Some(root),
            "upsert handbook",
            SpanKind::Client,
            t,
            d,
        );
        tb.at(up)
            .str("db.system.name", "qdrant")
            .str("db.operation.name", "upsert")
            .str("db.collection.name", "handbook");
        t += d + ms(rng.range(1, 10));
    }
    tb.set_end(root, t);
    tb.finish(rng, now, root)
}
