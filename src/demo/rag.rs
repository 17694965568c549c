//! Scenario `docs-rag`: retrieval-augmented answering in OpenInference attributes.
//! `query` CHAIN root (input/output value, `faithfulness` and `context_relevance`
//! annotations) → `retrieve` RETRIEVER (3–5 `retrieval.documents.N.document.*` with
//! scores 0.3–0.95) → its `embed_query` EMBEDDING (`text-embedding-3-small`) → then
//! `generate_answer` LLM on an Anthropic model with flattened
//! `llm.input_messages.N.message.*` / `llm.output_messages.0.message.*`.

use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde_json::json;

use super::genai;
use super::otlp::{SpanExt, TraceBuilder, float, kv, ms, resource, round2, s};
use super::rng::DemoRng;
use super::scenarios::DemoTrace;
use super::texts::{DOC_CHUNKS, DOC_QUESTIONS};

const MODELS: &[&str] = &["claude-sonnet-4-20250514", "claude-haiku-4-5-20251001"];
const EMBEDDING_MODEL: &str = "text-embedding-3-small";

pub(super) fn build(rng: &mut DemoRng, now: u64) -> DemoTrace {
    let (question, relevant, answer) = *rng.pick(DOC_QUESTIONS);
    let model = *rng.pick(MODELS);

    // The relevant chunks score high, filler chunks low; best first.
    let want = rng.range(3, 5) as usize;
    let mut docs: Vec<(&str, &str, f64)> = Vec::new();
    for id in relevant {
        if let Some((id, content)) = DOC_CHUNKS.iter().find(|(c, _)| c == id) {
            docs.push((id, content, round2(rng.float(0.72, 0.95))));
        }
    }
    while docs.len() < want {
        let (id, content) = *rng.pick(DOC_CHUNKS);
        if docs.iter().all(|(d, _, _)| *d != id) {
            docs.push((id, content, round2(rng.float(0.3, 0.62))));
        }
    }
    docs.sort_by(|a, b| b.2.total_cmp(&a.2));

    let mut tb = TraceBuilder::new(
        rng,
        resource(
            "docs-rag",
            "0.9.0",
            "python",
            "1.38.0",
            vec![kv("openinference.project.name", s("docs-rag"))],
        ),
    );
    let scope = tb.scope("openinference.instrumentation.llama_index", "4.3.1");
    let root = tb.span(rng, scope, None, "query", SpanKind::Internal, 0, 0);
    tb.at(root)
        .str("openinference.span.kind", "CHAIN")
        .str("input.value", question)
        .str("input.mime_type", "text/plain")
        .str("output.value", answer)
        .str("output.mime_type", "text/plain");

    // Retrieval, with the query embedding inside it.
    let mut t = ms(rng.range(1, 4));
    let retriever = tb.span(rng, scope, Some(root), "retrieve", SpanKind::Internal, t, 0);
    t += ms(rng.range(1, 3));
    let embed_tokens = genai::tokens(question);
    let d = ms(rng.range(50, 300));
    let embed = tb.span(
        rng,
        scope,
        Some(retriever),
        "embed_query",
        SpanKind::Internal,
        t,
        d,
    );
    tb.at(embed)
        .str("openinference.span.kind", "EMBEDDING")
        .str("embedding.model_name", EMBEDDING_MODEL)
        .str("llm.provider", "openai")
        .str("embedding.embeddings.0.embedding.text", question)
        .int("llm.token_count.prompt", embed_tokens)
        .int("llm.token_count.total", embed_tokens);
    t += d + ms(rng.range(8, 60));
    {
        let sp = tb.at(retriever);
        sp.str("openinference.span.kind", "RETRIEVER")
            .str("input.value", question);
        for (i, (id, content, score)) in docs.iter().enumerate() {
            let key = |f: &str| format!("retrieval.documents.{i}.document.{f}");
            sp.str(&key("id"), *id)
                .str(&key("content"), *content)
                .attr(&key("score"), float(*score))
                .str(&key("metadata"), json!({"source": id}).to_string());
        }
    }
    tb.set_end(retriever, t);

    // The answer.
    t += ms(rng.range(1, 5));
    let context: Vec<String> = docs
        .iter()
        .enumerate()
        .map(|(i, (_, content, _))| format!("[{}] {content}", i + 1))
        .collect();
    let system = format!(
        "Answer the question using only the context below. Cite sources as [n]. If the \
         context does not contain the answer, say so.\n\nContext:\n{}",
        context.join("\n")
    );
    let input = genai::tokens(&system) + genai::tokens(question) + 12;
    let output = genai::tokens(answer);
    let d = genai::llm_duration(rng, output);
    let llm = tb.span(
        rng,
        scope,
        Some(root),
        "generate_answer",
        SpanKind::Internal,
        t,
        d,
    );
    tb.at(llm)
        .str("openinference.span.kind", "LLM")
        .str("llm.model_name", model)
        .str("llm.provider", "anthropic")
        .str("llm.system", "anthropic")
        .str(
            "llm.invocation_parameters",
            json!({"model": model, "max_tokens": 1024, "temperature": 0.0}).to_string(),
        )
        .str("llm.input_messages.0.message.role", "system")
        .str("llm.input_messages.0.message.content", &system)
        .str("llm.input_messages.1.message.role", "user")
        .str("llm.input_messages.1.message.content", question)
        .str("llm.output_messages.0.message.role", "assistant")
        .str("llm.output_messages.0.message.content", answer)
        .int("llm.token_count.prompt", input)
        .int("llm.token_count.completion", output)
        .int("llm.token_count.total", input + output);
    t += d + ms(rng.range(1, 4));
    tb.set_end(root, t);

    // Evaluations, OpenInference style, on the root.
    let faithful = rng.chance(0.85);
    let (score, label, why) = if faithful {
        (
            rng.float(0.75, 1.0),
            "faithful",
            "Every claim is supported by the retrieved context.",
        )
    } else {
        (
            rng.float(0.15, 0.45),
            "unfaithful",
            "The answer mentions a setting that is not in the context.",
        )
    };
    let relevance = docs.iter().take(2).map(|d| d.2).sum::<f64>() / 2.0;
    tb.at(root)
        .str("annotations.0.annotation.name", "faithfulness")
        .attr("annotations.0.annotation.score", float(round2(score)))
        .str("annotations.0.annotation.label", label)
        .str("annotations.0.annotation.explanation", why)
        .str("annotations.1.annotation.name", "context_relevance")
        .attr("annotations.1.annotation.score", float(round2(relevance)));
    tb.finish(rng, now, root)
}
