//! Two GenAI-semconv scenarios:
//! - `chat-ui` (Node.js): a streamed chat, one turn of a conversation
//!   (`gen_ai.conversation.id`). `POST /api/chat` SERVER root → `chat {model}` span
//!   without content (a `First Token Stream Event` marks the first token); the
//!   content goes out as a `gen_ai.client.inference.operation.details` log record
//!   with structured `gen_ai.input.messages` / `gen_ai.output.messages`, joined to
//!   the span by trace and span id — like an instrumentation capturing content as
//!   events.
//! - `research-notebook`: a `text_completion` on `acme-llm-7b` (provider `acme`),
//!   a model no price table knows, so its cost is unknown.

use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde_json::{Value, json};

use super::genai::{self, Call};
use super::otlp::{SpanExt, TraceBuilder, array, json_any, kv, ms, resource, s};
use super::rng::DemoRng;
use super::scenarios::{DemoTrace, Turn};
use super::texts::{CHAT_HISTORY, CHATS, DOCUMENTS};

/// (provider, request model, response model, server)
const CHAT_MODELS: &[(&str, &str, &str, &str)] = &[
    (
        "gcp.gemini",
        "gemini-2.5-flash",
        "gemini-2.5-flash",
        "generativelanguage.googleapis.com",
    ),
    ("openai", "gpt-4.1", "gpt-4.1-2025-04-14", genai::OPENAI),
];

const CHAT_SYSTEM: &str = "You are a helpful writing assistant. Be brief.";

pub(super) fn streamed(rng: &mut DemoRng, now: u64, turn: &Turn) -> DemoTrace {
    let (provider, model, response_model, server) = *rng.pick(CHAT_MODELS);
    let (prompt, reply) = *rng.pick(CHATS);

    let mut messages = Vec::new();
    for (user, assistant) in CHAT_HISTORY.iter().take(turn.index as usize) {
        messages.push(genai::text("user", user));
        messages.push(genai::text("assistant", assistant));
    }
    messages.push(genai::text("user", prompt));
    let output = json!([genai::answer(reply, "stop")]);
    let input_tokens = messages
        .iter()
        .map(|m| genai::tokens(&m.to_string()) / 2)
        .sum::<u64>()
        + genai::tokens(CHAT_SYSTEM);
    let output_tokens = genai::tokens(reply);

    let mut tb = TraceBuilder::new(rng, resource("chat-ui", "2.3.0", "nodejs", "2.0.1", vec![]));
    let http = tb.scope("@opentelemetry/instrumentation-http", "0.203.0");
    let genai_scope = tb.scope("@opentelemetry/instrumentation-genai", "0.4.0");
    let root = tb.span(rng, http, None, "POST /api/chat", SpanKind::Server, 0, 0);
    tb.at(root)
        .str("http.request.method", "POST")
        .str("http.route", "/api/chat")
        .str("url.path", "/api/chat")
        .str("url.scheme", "https")
        .int("http.response.status_code", 200);

    let call = Call {
        operation: "chat",
        provider,
        request_model: model,
        server,
    };
    let start = ms(rng.range(3, 20));
    let d = genai::llm_duration(rng, output_tokens).max(ms(800));
    let chat = genai::call_span(&mut tb, rng, genai_scope, root, &call, start, d);
    let response_id = match provider {
        "openai" => genai::chatcmpl_id(rng),
        _ => rng.alnum(22),
    };
    genai::response(&mut tb, chat, response_model, &response_id, &["stop"]);
    genai::usage(&mut tb, chat, input_tokens, output_tokens, 0);
    let first_token = start + ms(rng.range(150, 650)).min(d / 2);
    tb.at(chat)
        .str("gen_ai.conversation.id", &turn.session_id)
        .str(
            "enduser.id",
            super::genai::user_of_session(&turn.session_id),
        )
        .int("gen_ai.request.max_tokens", 1024)
        .event("First Token Stream Event", first_token, vec![]);
    let end = start + d;
    tb.set_end(root, end + ms(rng.range(2, 15)));

    // The content, as an event log record at the end of the call.
    let reasons = array(vec![s("stop")]);
    let attrs = vec![
        kv("gen_ai.operation.name", s("chat")),
        kv("gen_ai.provider.name", s(provider)),
        kv("gen_ai.request.model", s(model)),
        kv("gen_ai.response.model", s(response_model)),
        kv("gen_ai.response.id", s(&response_id)),
        kv("gen_ai.response.finish_reasons", reasons),
        kv(
            "gen_ai.usage.input_tokens",
            super::otlp::int(input_tokens as i64),
        ),
        kv(
            "gen_ai.usage.output_tokens",
            super::otlp::int(output_tokens as i64),
        ),
        kv(
            "gen_ai.system_instructions",
            json_any(&genai::instructions(CHAT_SYSTEM)),
        ),
        kv("gen_ai.input.messages", json_any(&Value::Array(messages))),
        kv("gen_ai.output.messages", json_any(&output)),
    ];
    tb.log(
        genai_scope,
        chat,
        "gen_ai.client.inference.operation.details",
        end,
        attrs,
    );
    tb.finish(rng, now, root)
}

pub(super) fn unknown_model(rng: &mut DemoRng, now: u64) -> DemoTrace {
    let (title, text, summary) = *rng.pick(DOCUMENTS);
    let mut tb = TraceBuilder::new(
        rng,
        resource("research-notebook", "0.1.0", "python", "1.38.0", vec![]),
    );
    let app = tb.scope("notebook", "0.1.0");
    let root = tb.span(
        rng,
        app,
        None,
        "draft_release_notes",
        SpanKind::Internal,
        0,
        0,
    );
    tb.at(root).str("notebook.cell", "17");
    let mut t = ms(rng.range(1, 5));
    let d = ms(rng.range(20, 120));
    let load = tb.span(rng, app, Some(root), "load_notes", SpanKind::Internal, t, d);
    tb.at(load).str("notes.title", title);
    t += d + ms(rng.range(1, 5));

    let prompt = format!("Write two release-note bullets from these notes:\n{text}");
    let call = Call {
        operation: "text_completion",
        provider: "acme",
        request_model: "acme-llm-7b",
        server: "llm.acme.internal",
    };
    let (input, output) = (genai::tokens(&prompt), genai::tokens(summary));
    let d = genai::llm_duration(rng, output);
    let llm = genai::call_span(&mut tb, rng, app, root, &call, t, d);
    let id = format!("cmpl-{}", rng.hex(16));
    genai::response(&mut tb, llm, "acme-llm-7b", &id, &["stop"]);
    genai::usage(&mut tb, llm, input, output, 0);
    tb.at(llm)
        .str(
            "gen_ai.input.messages",
            json!([genai::text("user", &prompt)]).to_string(),
        )
        .str(
            "gen_ai.output.messages",
            json!([genai::answer(&format!("- {summary}"), "stop")]).to_string(),
        );
    tb.set_end(root, t + d + ms(rng.range(1, 4)));
    tb.finish(rng, now, root)
}
