"""Recipe: LangSmith's OpenTelemetry mode — `@traceable` and `wrap_openai` runs are
exported as OTLP spans (langsmith.* attributes) to OTEL_EXPORTER_OTLP_ENDPOINT
instead of (or besides) the LangSmith service. Set-up is environment only:
LANGSMITH_TRACING=true LANGSMITH_TRACING_MODE=otel."""
from langsmith import traceable
from langsmith.run_trees import get_cached_client
from langsmith.wrappers import wrap_openai
from openai import OpenAI
from opentelemetry import trace

client = wrap_openai(OpenAI())


@traceable(name="answer-question", run_type="chain")
def answer(question: str) -> str:
    r = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
    )
    return r.choices[0].message.content


print(answer("What is the capital of France?"))
get_cached_client().flush()  # hand queued runs to the OTel exporter
provider = trace.get_tracer_provider()
if hasattr(provider, "shutdown"):
    provider.shutdown()  # flush the batch before exit
