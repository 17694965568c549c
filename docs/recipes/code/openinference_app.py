"""Recipe: OpenInference (Arize/Phoenix) instrumentation of the OpenAI client."""
from openinference.instrumentation.openai import OpenAIInstrumentor
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

provider = TracerProvider(resource=Resource.create({"service.name": "recipe-openinference"}))
provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter()))  # OTEL_EXPORTER_OTLP_ENDPOINT
trace.set_tracer_provider(provider)
OpenAIInstrumentor().instrument(tracer_provider=provider)

import openai_app  # noqa: E402

openai_app.run()
provider.shutdown()
