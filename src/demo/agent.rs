//! Scenario `weather-agent`: one turn of a session with a tool-calling agent, in
//! current GenAI semconv. `invoke_agent` root (with `session.id`) → `chat` asking
//! for tool calls → one `execute_tool` span per call → `chat` answering with the
//! tool results. Content is on the spans (`gen_ai.input.messages` /
//! `gen_ai.output.messages` with `parts`, `gen_ai.system_instructions`). Now and then
//! a tool times out (the agent apologises) or the prompt is long; about half the
//! turns carry an `answer_relevance` evaluation.

use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde_json::{Value, json};

use super::genai::{self, Call, OPENAI};
use super::otlp::{SpanExt, TraceBuilder, evaluation, exception, float, ms, resource};
use super::rng::DemoRng;
use super::scenarios::{DemoTrace, Turn};
use super::texts::{CITIES, FIRST_TURN, LATER_TURN, WEATHER_SYSTEM, WEATHER_SYSTEM_LONG};

const MODEL: &str = "gpt-4o-mini";
const RESPONSE_MODEL: &str = "gpt-4o-mini-2024-07-18";
/// Tokens the two tool definitions add to every prompt.
const TOOL_DEFS: u64 = 146;

struct ToolCall {
    id: String,
    name: &'static str,
    arguments: Value,
    result: Value,
}

pub(super) fn build(rng: &mut DemoRng, now: u64, turn: &Turn) -> DemoTrace {
    let (city, condition, temp) = *rng.pick(CITIES);
    let template = if turn.index == 0 {
        rng.pick(FIRST_TURN)
    } else {
        rng.pick(LATER_TURN)
    };
    let question = template.replace("{city}", city);
    let system = if rng.chance(0.15) {
        WEATHER_SYSTEM_LONG
    } else {
        WEATHER_SYSTEM
    };

    let mut calls = vec![ToolCall {
        id: genai::call_id(rng),
        name: "get_weather",
        arguments: json!({"city": city}),
        result: json!({"city": city, "condition": condition, "temp_c": temp}),
    }];
    if question.contains("tomorrow") || rng.chance(0.3) {
        let (_, later, _) = *rng.pick(CITIES);
        let t = temp + rng.range(0, 6) as i64 - 3;
        calls.push(ToolCall {
            id: genai::call_id(rng),
            name: "get_forecast",
            arguments: json!({"city": city, "days": 1}),
            result: json!({"city": city, "day": "tomorrow", "condition": later, "high_c": t + 3, "low_c": t - 4}),
        });
    }
    let tool_fails = rng.chance(0.1);

    let mut tb = TraceBuilder::new(
        rng,
        resource("weather-agent", "1.4.2", "python", "1.38.0", vec![]),
    );
    let app = tb.scope("weather_agent.agent", "1.4.2");
    let openai = tb.scope("opentelemetry.instrumentation.openai_v2", "2.1b0");
    let root = tb.span(
        rng,
        app,
        None,
        "invoke_agent weather-agent",
        SpanKind::Internal,
        0,
        0,
    );
    tb.at(root)
        .str("gen_ai.operation.name", "invoke_agent")
        .str("gen_ai.agent.name", "weather-agent")
        .str("gen_ai.agent.id", "asst_weather_01")
        .str("gen_ai.provider.name", "openai")
        .str("gen_ai.request.model", MODEL)
        .str("session.id", &turn.session_id)
        .str("user.id", super::genai::user_of_session(&turn.session_id))
        .int("app.session.turn", u64::from(turn.index) + 1);
    let call = Call {
        operation: "chat",
        provider: "openai",
        request_model: MODEL,
        server: OPENAI,
    };
    let system_json = genai::instructions(system).to_string();

    // 1. The model asks for the tools.
    let user = genai::text("user", &question);
    let asked = json!({
        "role": "assistant",
        "parts": calls.iter().map(|c| json!({
            "type": "tool_call", "id": c.id, "name": c.name, "arguments": c.arguments,
        })).collect::<Vec<_>>(),
        "finish_reason": "tool_calls",
    });
    let input1 = genai::tokens(system) + genai::tokens(&question) + TOOL_DEFS;
    let output1 = 16 * calls.len() as u64 + rng.range(0, 6);
    let cached1 = if turn.index > 0 { input1 / 64 * 64 } else { 0 };
    let mut t = ms(rng.range(2, 12));
    let d = genai::llm_duration(rng, output1);
    let chat1 = genai::call_span(&mut tb, rng, openai, root, &call, t, d);
    let id1 = genai::chatcmpl_id(rng);
    genai::response(&mut tb, chat1, RESPONSE_MODEL, &id1, &["tool_calls"]);
    genai::usage(&mut tb, chat1, input1, output1, cached1);
    tb.at(chat1)
        .attr("gen_ai.request.temperature", float(0.2))
        .str("gen_ai.system_instructions", &system_json)
        .str("gen_ai.input.messages", json!([user]).to_string())
        .str("gen_ai.output.messages", json!([asked]).to_string());
    t += d + ms(rng.range(1, 8));

    // 2. The tools run, one after the other.
    let mut responses = Vec::new();
    for (i, c) in calls.iter().enumerate() {
        let failed = tool_fails && i == 0;
        let d = if failed {
            ms(5_000)
        } else {
            ms(rng.range(60, 900))
        };
        let name = format!("execute_tool {}", c.name);
        let r = tb.span(rng, app, Some(root), &name, SpanKind::Internal, t, d);
        tb.at(r)
            .str("gen_ai.operation.name", "execute_tool")
            .str("gen_ai.tool.name", c.name)
            .str("gen_ai.tool.type", "function")
            .str("gen_ai.tool.call.id", &c.id)
            .str("gen_ai.tool.call.arguments", c.arguments.to_string());
        let result = if failed {
            let msg = "weather API did not answer within 5s";
            let frames = [
                ("/opt/app/weather_agent/tools.py", 57, c.name),
                (
                    "/opt/venv/lib/python3.12/site-packages/httpx/_client.py",
                    1014,
                    "send",
                ),
            ];
            tb.at(r)
                .str("error.type", "TimeoutError")
                .event("exception", t + d, exception("TimeoutError", msg, &frames))
                .error(format!("TimeoutError: {msg}"));
            json!({"error": msg})
        } else {
            tb.at(r)
                .str("gen_ai.tool.call.result", c.result.to_string());
            c.result.clone()
        };
        responses.push(json!({
            "role": "tool",
            "parts": [{"type": "tool_call_response", "id": c.id, "response": result}],
        }));
        t += d + ms(rng.range(1, 5));
    }

    // 3. The model answers from the tool results.
    let mut text = format!("It's {temp}°C with {condition} in {city} right now.");
    if let Some(f) = calls.get(1) {
        text.push_str(&format!(
            " Tomorrow: {}, {}°C to {}°C.",
            f.result["condition"].as_str().unwrap_or("mixed"),
            f.result["low_c"],
            f.result["high_c"],
        ));
    }
    if tool_fails {
        text = format!(
            "Sorry, I couldn't reach the weather service for {city} just now. \
             Please try again in a minute."
        );
    }
    let mut history = vec![user, asked];
    history.extend(responses);
    let input2 = input1 + output1 + 30 * calls.len() as u64;
    let output2 = genai::tokens(&text);
    let d = genai::llm_duration(rng, output2);
    let chat2 = genai::call_span(&mut tb, rng, openai, root, &call, t, d);
    let id2 = genai::chatcmpl_id(rng);
    genai::response(&mut tb, chat2, RESPONSE_MODEL, &id2, &["stop"]);
    genai::usage(&mut tb, chat2, input2, output2, input1 / 64 * 64);
    tb.at(chat2)
        .attr("gen_ai.request.temperature", float(0.2))
        .str("gen_ai.system_instructions", &system_json)
        .str("gen_ai.input.messages", Value::Array(history).to_string())
        .str(
            "gen_ai.output.messages",
            json!([genai::answer(&text, "stop")]).to_string(),
        );
    t += d + ms(rng.range(1, 6));
    tb.set_end(root, t);

    if rng.chance(0.5) {
        let (score, label, why) = if tool_fails {
            (
                rng.float(0.1, 0.4),
                "irrelevant",
                "The answer has no weather data.",
            )
        } else {
            (
                rng.float(0.7, 0.99),
                "relevant",
                "The answer states the conditions for the city asked about.",
            )
        };
        tb.at(root).event(
            "gen_ai.evaluation.result",
            t,
            evaluation("answer_relevance", score, label, why, Some(&id2)),
        );
    }
    tb.finish(rng, now, root)
}
