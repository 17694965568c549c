// Recipe: Node.js with the OpenTelemetry JS SDK, GenAI spans written by hand.
// Endpoint from the standard OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP protobuf).
import { NodeSDK } from "@opentelemetry/sdk-node";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { trace, SpanKind } from "@opentelemetry/api";

const sdk = new NodeSDK({ serviceName: "recipe-node", traceExporter: new OTLPTraceExporter() });
sdk.start();
const tracer = trace.getTracer("recipe-node");

await tracer.startActiveSpan("answer-question", async (root) => {
  root.setAttribute("session.id", "node-session-1");
  const span = tracer.startSpan("chat gpt-4o-mini", { kind: SpanKind.CLIENT });
  span.setAttributes({
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.usage.input_tokens": 42,
    "gen_ai.usage.output_tokens": 17,
  });
  span.end();
  root.end();
});
await sdk.shutdown();
console.log("sent 2 spans");
