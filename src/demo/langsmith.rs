//! Scenario `support-bot`: a LangChain app traced by LangSmith's OpenTelemetry mode.
//! `support_chain` root (`langsmith.span.kind=chain`, project in
//! `langsmith.trace.session_name`, the children's usage summed on it as LangSmith
//! does, a `helpfulness` `gen_ai.evaluation.result` event) → `ChatPromptTemplate`
//! (prompt) → `ChatOpenAI` classify (llm; LangChain-serialized messages in
//! `gen_ai.prompt`, `generations` in `gen_ai.completion`) → `lookup_order` (tool,
//! shipping tickets only) → `ChatOpenAI` reply (OpenAI-shaped JSON).
//!
//! Some runs belong to an experiment (`experiment.name` `prompt-v1` / `prompt-v2`,
//! `example.id`, `dataset.name`) over the same five examples, so experiments can be
//! compared: v2 is more helpful on most examples but regresses on `ex-002` and
//! `ex-005` (helpfulness drops below 0.5), and misclassifies `ex-004` (a
//! `correctness` result on the classify call: `incorrect`, 0).

use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde_json::{Value, json};

use super::genai;
use super::otlp::{ScopeRef, SpanExt, SpanRef, TraceBuilder, evaluation, ms, resource};
use super::rng::DemoRng;
use super::scenarios::DemoTrace;
use super::texts::TICKETS;

/// Helpfulness of each example's reply under prompt-v1 and prompt-v2.
const HELPFULNESS: [(f64, f64); 5] = [
    (0.62, 0.86),
    (0.74, 0.45),
    (0.58, 0.84),
    (0.81, 0.90),
    (0.66, 0.38),
];
/// The example prompt-v2 classifies wrongly, and what it answers.
const V2_MISCLASSIFIED: (usize, &str) = (3, "billing");

const CLASSIFY_SYSTEM: &str =
    "Classify the support ticket as one of: shipping, billing, account, technical.";

/// A LangChain message in `dumpd` form.
fn lc(class: &str, content: &str) -> Value {
    json!({
        "lc": 1, "type": "constructor",
        "id": ["langchain", "schema", "messages", class],
        "kwargs": {"content": content, "type": class.trim_end_matches("Message").to_lowercase()},
    })
}

struct Llm<'a> {
    model: &'a str,
    prompt: Value,
    completion: Value,
    input: u64,
    output: u64,
}

/// A `ChatOpenAI` run.
fn llm_span(
    tb: &mut TraceBuilder,
    rng: &mut DemoRng,
    scope: ScopeRef,
    parent: SpanRef,
    start: u64,
    call: &Llm<'_>,
    project: &str,
) -> (SpanRef, u64) {
    let d = genai::llm_duration(rng, call.output);
    let r = tb.span(
        rng,
        scope,
        Some(parent),
        "ChatOpenAI",
        SpanKind::Client,
        start,
        d,
    );
    tb.at(r)
        .str("langsmith.span.kind", "llm")
        .str("langsmith.trace.name", "ChatOpenAI")
        .str("langsmith.trace.session_name", project)
        .str("langsmith.metadata.ls_provider", "openai")
        .str("langsmith.metadata.ls_model_name", call.model)
        .str("gen_ai.system", "openai")
        .str("gen_ai.request.model", call.model)
        .str("gen_ai.response.model", call.model)
        .str("gen_ai.prompt", call.prompt.to_string())
        .str("gen_ai.completion", call.completion.to_string())
        .int("gen_ai.usage.input_tokens", call.input)
        .int("gen_ai.usage.output_tokens", call.output)
        .int("gen_ai.usage.total_tokens", call.input + call.output);
    (r, d)
}

pub(super) fn build(rng: &mut DemoRng, now: u64) -> DemoTrace {
    let example = rng.range(0, TICKETS.len() as u64 - 1) as usize;
    let (ticket, category, reply) = TICKETS[example];
    let experiment = match rng.weighted(&[4, 3, 3]) {
        0 => None,
        1 => Some("prompt-v1"),
        _ => Some("prompt-v2"),
    };
    let (model, reply_system) = match experiment {
        Some("prompt-v2") => (
            "gpt-4.1-mini",
            "You are a friendly support agent. Acknowledge the problem, state what you \
             did, and give a concrete next step. Two sentences at most.",
        ),
        _ => (
            "gpt-4o-mini",
            "You are a support agent. Reply to the customer.",
        ),
    };
    let project = if experiment.is_some() {
        "support-experiments"
    } else {
        "support-prod"
    };

    let mut tb = TraceBuilder::new(
        rng,
        resource("support-bot", "5.2.0", "python", "1.38.0", vec![]),
    );
    let scope = tb.scope("langsmith", "0.4.8");
    let root = tb.span(rng, scope, None, "support_chain", SpanKind::Internal, 0, 0);
    tb.at(root)
        .str("langsmith.span.kind", "chain")
        .str("langsmith.trace.name", "support_chain")
        .str("langsmith.trace.session_name", project)
        .str("gen_ai.prompt", json!({"ticket": ticket}).to_string())
        .str("gen_ai.completion", json!({"output": reply}).to_string());
    if let Some(name) = experiment {
        tb.at(root)
            .str("experiment.name", name)
            .str("example.id", format!("ex-{:03}", example + 1))
            .str("dataset.name", "support-tickets-golden");
    }

    let mut t = ms(rng.range(1, 4));
    let d = ms(rng.range(1, 3));
    let tmpl = tb.span(
        rng,
        scope,
        Some(root),
        "ChatPromptTemplate",
        SpanKind::Internal,
        t,
        d,
    );
    tb.at(tmpl)
        .str("langsmith.span.kind", "prompt")
        .str("langsmith.trace.session_name", project)
        .str("gen_ai.prompt", json!({"ticket": ticket}).to_string());
    t += d + ms(1);

    // Classification: LangChain-serialized messages and generations.
    let predicted = match experiment {
        Some("prompt-v2") if example == V2_MISCLASSIFIED.0 => V2_MISCLASSIFIED.1,
        _ => category,
    };
    let classify = Llm {
        model,
        prompt: json!({"messages": [[lc("SystemMessage", CLASSIFY_SYSTEM), lc("HumanMessage", ticket)]]}),
        completion: json!({"generations": [[{"text": predicted, "message": lc("AIMessage", predicted)}]]}),
        input: genai::tokens(CLASSIFY_SYSTEM) + genai::tokens(ticket) + 7,
        output: 2,
    };
    let (classify_span, d) = llm_span(&mut tb, rng, scope, root, t, &classify, project);
    t += d + ms(rng.range(1, 5));
    if experiment.is_some() {
        // The dataset's reference label judges the classification, on the call itself.
        let right = predicted == category;
        let why = format!("expected {category}, got {predicted}");
        tb.at(classify_span).event(
            "gen_ai.evaluation.result",
            t,
            evaluation(
                "correctness",
                if right { 1.0 } else { 0.0 },
                if right { "correct" } else { "incorrect" },
                &why,
                None,
            ),
        );
    }

    let mut context = String::new();
    if category == "shipping" {
        let order: String = ticket.chars().filter(char::is_ascii_digit).collect();
        let result = json!({"order": order, "status": "shipped", "carrier": "DHL"});
        let d = ms(rng.range(30, 250));
        let tool = tb.span(
            rng,
            scope,
            Some(root),
            "lookup_order",
            SpanKind::Internal,
            t,
            d,
        );
        tb.at(tool)
            .str("langsmith.span.kind", "tool")
            .str("langsmith.trace.name", "lookup_order")
            .str("langsmith.trace.session_name", project)
            .str("gen_ai.prompt", json!({"input": order}).to_string())
            .str("gen_ai.completion", json!({"output": result}).to_string());
        context = format!("\nOrder lookup: {result}");
        t += d + ms(rng.range(1, 5));
    }

    // The reply: OpenAI-shaped input and output.
    let user = format!("Category: {category}\nTicket: {ticket}{context}");
    let draft = Llm {
        model,
        prompt: json!({"messages": [
            {"role": "system", "content": reply_system},
            {"role": "user", "content": user},
        ]}),
        completion: json!({"choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": reply}}]}),
        input: genai::tokens(reply_system) + genai::tokens(&user) + 9,
        output: genai::tokens(reply),
    };
    let (_, d) = llm_span(&mut tb, rng, scope, root, t, &draft, project);
    t += d + ms(rng.range(1, 4));
    tb.set_end(root, t);

    // LangSmith reports the children's usage on the chain as well.
    let (input, output) = (classify.input + draft.input, classify.output + draft.output);
    let score = match experiment {
        Some(name) => {
            let (v1, v2) = HELPFULNESS[example % HELPFULNESS.len()];
            let base = if name == "prompt-v2" { v2 } else { v1 };
            (base + rng.float(-0.04, 0.04)).clamp(0.0, 1.0)
        }
        None => (0.68 + rng.float(-0.3, 0.18)).clamp(0.0, 1.0),
    };
    let label = if score >= 0.5 { "helpful" } else { "unhelpful" };
    let why = if score >= 0.5 {
        "Addresses the issue and gives a next step."
    } else {
        "Generic reply; no concrete next step."
    };
    tb.at(root)
        .int("gen_ai.usage.input_tokens", input)
        .int("gen_ai.usage.output_tokens", output)
        .int("gen_ai.usage.total_tokens", input + output)
        .event(
            "gen_ai.evaluation.result",
            t,
            evaluation("helpfulness", score, label, why, None),
        );
    tb.finish(rng, now, root)
}
