"""Recipe: a LlamaIndex RAG query traced by OpenInference's LlamaIndex instrumentation.

Indexes two documents (one embeddings request), then asks one question: the query
is embedded, the two documents retrieved, and the answer written by one chat call.
"""
from openinference.instrumentation.llama_index import LlamaIndexInstrumentor
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

provider = TracerProvider(resource=Resource.create({"service.name": "recipe-llamaindex"}))
provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter()))  # OTEL_EXPORTER_OTLP_ENDPOINT
trace.set_tracer_provider(provider)
LlamaIndexInstrumentor().instrument(tracer_provider=provider)

from llama_index.core import Document, Settings, VectorStoreIndex  # noqa: E402
from llama_index.embeddings.openai import OpenAIEmbedding  # noqa: E402
from llama_index.llms.openai import OpenAI  # noqa: E402

Settings.llm = OpenAI(model="gpt-4o-mini", max_retries=0)
Settings.embed_model = OpenAIEmbedding(model="text-embedding-3-small", max_retries=0)

docs = [
    Document(text="Paris is the capital of France.", doc_id="doc-paris"),
    Document(text="Berlin is the capital of Germany.", doc_id="doc-berlin"),
]
index = VectorStoreIndex.from_documents(docs)
engine = index.as_query_engine(similarity_top_k=2)
print(engine.query("What is the capital of France?"))
provider.shutdown()
