"""Recipe: OpenLIT auto-instrumentation of the OpenAI client.

One chat, one embeddings request (2 inputs), one streamed chat and one chat that gets
HTTP 500 (the client's own retries off: one request). OpenLIT exports to
OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP) with its own batch processor.
"""
import openlit
import openai

openlit.init(application_name="recipe-openlit", environment="dev",
             disable_metrics=True, disable_batch=True)

client = openai.OpenAI(max_retries=0)
client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "system", "content": "Be brief."},
              {"role": "user", "content": "Hello from OpenLIT"}])
client.embeddings.create(model="text-embedding-3-small", input=["one", "two"])
stream = client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "Stream please"}],
    stream=True, stream_options={"include_usage": True})
for _ in stream:
    pass
try:
    client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "FAIL500 please"}])
except openai.InternalServerError as e:
    print("failed:", type(e).__name__)
