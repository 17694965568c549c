"""An unmodified OpenTelemetry Python app exporting GenAI spans to spanlens.

    pip install opentelemetry-sdk opentelemetry-exporter-otlp
    spanlens serve &
    python3 scripts/python-smoke.py                      # gRPC to 127.0.0.1:4317
    OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 python3 scripts/python-smoke.py
    spanlens traces; spanlens stats

Configuration comes only from the standard OTEL_* environment variables.
"""
import json
import os

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Status, StatusCode

if os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc") == "grpc":
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
else:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

provider = TracerProvider(resource=Resource.create({"service.name": "python-smoke"}))
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
trace.set_tracer_provider(provider)
tracer = trace.get_tracer("smoke")

with tracer.start_as_current_span("agent.run") as root:
    root.set_attribute("session.id", "py-sess-1")
    with tracer.start_as_current_span("chat gpt-4o-mini") as chat:
        chat.set_attribute("gen_ai.operation.name", "chat")
        chat.set_attribute("gen_ai.provider.name", "openai")
        chat.set_attribute("gen_ai.request.model", "gpt-4o-mini")
        chat.set_attribute("gen_ai.response.model", "gpt-4o-mini-2024-07-18")
        chat.set_attribute("gen_ai.usage.input_tokens", 42)
        chat.set_attribute("gen_ai.usage.output_tokens", 17)
        chat.set_attribute("gen_ai.input.messages", json.dumps(
            [{"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]}]))
        chat.set_attribute("gen_ai.output.messages", json.dumps(
            [{"role": "assistant", "parts": [{"type": "tool_call", "id": "call_1",
              "name": "get_weather", "arguments": {"city": "Paris"}}]}]))
    with tracer.start_as_current_span("execute_tool get_weather") as tool:
        tool.set_attribute("gen_ai.operation.name", "execute_tool")
        tool.set_attribute("gen_ai.tool.name", "get_weather")
    with tracer.start_as_current_span("chat gpt-4o-mini") as bad:
        bad.set_attribute("gen_ai.operation.name", "chat")
        bad.set_attribute("gen_ai.request.model", "gpt-4o-mini")
        bad.set_status(Status(StatusCode.ERROR, "Error code: 429 - Rate limit reached"))
    print(format(root.get_span_context().trace_id, "032x"))

provider.shutdown()
