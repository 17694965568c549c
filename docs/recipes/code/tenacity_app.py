"""Recipe: tenacity retrying around the OpenAI client, traced by
opentelemetry-instrumentation-openai-v2 under one app span per question.

1. `ask` "RATELIMITx1 …": the first request gets HTTP 429, tenacity retries, the
   second succeeds (2 requests, 1 error rescued by the retry);
2. `ask` "RATELIMIT …": every request gets 429; after 3 attempts tenacity gives up
   with RetryError wrapping RateLimitError (3 requests, 3 errors, unrescued);
3. `ask` "FAIL500 …": one request, HTTP 500, no retry for server errors: a single
   failed call nothing rescued.
The OpenAI client's own retries are off (max_retries=0), so each request is one span.
"""
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

provider = TracerProvider(resource=Resource.create({"service.name": "recipe-tenacity"}))
provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter()))  # OTEL_EXPORTER_OTLP_ENDPOINT
trace.set_tracer_provider(provider)
OpenAIInstrumentor().instrument(tracer_provider=provider)

import openai  # noqa: E402
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_fixed  # noqa: E402

client = openai.OpenAI(max_retries=0)
tracer = trace.get_tracer("tenacity-app")


@retry(retry=retry_if_exception_type(openai.RateLimitError), stop=stop_after_attempt(3),
       wait=wait_fixed(0.05))
def complete(question):
    r = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
    return r.choices[0].message.content


for question in ["RATELIMITx1 retried once", "RATELIMIT always", "FAIL500 once"]:
    try:  # an exception leaving the span is recorded on it (event + status ERROR)
        with tracer.start_as_current_span("ask", attributes={"question": question}):
            print(complete(question))
    except Exception as e:
        print("failed:", type(e).__name__)
provider.shutdown()
