"""Recipe: a LangGraph agent and LangChain runnables traced by OpenInference's
LangChain instrumentation.

1. a ReAct agent with one tool: the model calls `get_weather`, the tool answers, the
   model answers (2 chat requests, 1 tool run);
2. `with_fallbacks`: gpt-4o-mini gets HTTP 500, gpt-4.1-mini answers (2 requests);
3. `with_retry`: the first attempt gets HTTP 429, the second succeeds (2 requests).
The OpenAI client's own retries are off (max_retries=0), so each request is one span.
"""
from openinference.instrumentation.langchain import LangChainInstrumentor
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

provider = TracerProvider(resource=Resource.create({"service.name": "recipe-langgraph"}))
provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter()))  # OTEL_EXPORTER_OTLP_ENDPOINT
trace.set_tracer_provider(provider)
LangChainInstrumentor().instrument(tracer_provider=provider)

from langchain_core.tools import tool  # noqa: E402
from langchain_openai import ChatOpenAI  # noqa: E402
from langgraph.prebuilt import create_react_agent  # noqa: E402


@tool
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f'{{"city": "{city}", "temp_c": 21}}'


agent = create_react_agent(ChatOpenAI(model="gpt-4o-mini", max_retries=0), [get_weather],
                           prompt="You are a weather assistant.")
out = agent.invoke({"messages": [("user", "What is the weather in Paris?")]})
print(out["messages"][-1].content)

primary = ChatOpenAI(model="gpt-4o-mini", max_retries=0)
backup = ChatOpenAI(model="gpt-4.1-mini", max_retries=0)
print(primary.with_fallbacks([backup]).invoke("FAIL500x1 then fall back").content)

flaky = ChatOpenAI(model="gpt-4o-mini", max_retries=0).with_retry(
    stop_after_attempt=3, wait_exponential_jitter=False)
print(flaky.invoke("RATELIMITx1 then retry").content)
provider.shutdown()
