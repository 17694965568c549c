"""Recipe: the plain OpenTelemetry Python SDK, GenAI spans written by hand.
Configuration only from the standard OTEL_* variables."""
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

provider = TracerProvider(resource=Resource.create({"service.name": "recipe-otel-sdk"}))
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
trace.set_tracer_provider(provider)
tracer = trace.get_tracer("recipe")

with tracer.start_as_current_span("answer-question") as root:
    root.set_attribute("session.id", "recipe-session-1")
    with tracer.start_as_current_span("chat gpt-4o-mini", kind=trace.SpanKind.CLIENT) as s:
        s.set_attribute("gen_ai.operation.name", "chat")
        s.set_attribute("gen_ai.provider.name", "openai")
        s.set_attribute("gen_ai.request.model", "gpt-4o-mini")
        s.set_attribute("gen_ai.response.model", "gpt-4o-mini-2024-07-18")
        s.set_attribute("gen_ai.usage.input_tokens", 42)
        s.set_attribute("gen_ai.usage.output_tokens", 17)
provider.shutdown()
print("sent 2 spans")
