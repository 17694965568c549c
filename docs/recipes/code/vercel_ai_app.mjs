// A small Vercel AI SDK app traced into spanlens: a tool call and a second step, a
// stream, a structured object, embeddings. Works with AI SDK 6
// (`experimental_telemetry`) and AI SDK 7 (`@ai-sdk/otel`; AI_SDK_OTEL=legacy for
// its `ai.*` attributes instead of the GenAI conventions).
//   OPENAI_BASE_URL=http://127.0.0.1:18080/v1 OPENAI_API_KEY=fake \
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node vercel_ai_app.mjs
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import * as ai from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { z } from 'zod';

const base = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318';
const sdk = new NodeSDK({
  resource: resourceFromAttributes({
    'service.name': process.env.OTEL_SERVICE_NAME ?? 'recipe-vercel-ai',
  }),
  resourceDetectors: [],
  // One span per export request, so each fixture file is one span.
  spanProcessors: [
    new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` })),
  ],
});
sdk.start();

// AI SDK 7: telemetry goes through a registered integration, on by default.
const v7 = typeof ai.registerTelemetry === 'function';
if (v7) {
  const otel = await import('@ai-sdk/otel');
  ai.registerTelemetry(
    process.env.AI_SDK_OTEL === 'legacy'
      ? new otel.LegacyOpenTelemetry()
      : new otel.OpenTelemetry({ runtimeContext: true }),
  );
}
// Who and which conversation: AI SDK 6 `metadata` (ai.telemetry.metadata.*), AI SDK 7
// `runtimeContext` marked for telemetry (ai.settings.context.* / runtimeContext.*).
const ids = { userId: 'user-7', sessionId: 'sess-ai-1' };
const telemetry = (functionId) =>
  v7
    ? {
        runtimeContext: ids,
        telemetry: { functionId, includeRuntimeContext: { userId: true, sessionId: true } },
      }
    : { experimental_telemetry: { isEnabled: true, functionId, metadata: ids } };

const openai = createOpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: 'fake' });
const model = openai.chat('gpt-4o-mini');

const weather = ai.tool({
  description: 'Current weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, temp_c: 21 }),
});

const steps = await ai.generateText({
  model,
  system: 'You are a weather assistant.',
  prompt: 'What is the weather in Paris?',
  tools: { get_weather: weather },
  stopWhen: ai.stepCountIs(2),
  ...telemetry('weather-agent'),
});
console.log('generateText:', steps.text, steps.usage);

const stream = ai.streamText({
  model,
  prompt: 'Say hello in one line.',
  ...telemetry('greeter'),
});
let streamed = '';
for await (const chunk of stream.textStream) streamed += chunk;
console.log('streamText:', streamed, await stream.usage);

const obj = await ai.generateObject({
  model,
  schema: z.object({ city: z.string(), temp_c: z.number() }),
  prompt: 'Weather in Paris as JSON.',
  ...telemetry('weather-object'),
});
console.log('generateObject:', obj.object);

const emb = openai.embedding('text-embedding-3-small');
const one = await ai.embed({ model: emb, value: 'sunny day', ...telemetry('embed-one') });
const many = await ai.embedMany({
  model: emb,
  values: ['rain', 'snow'],
  ...telemetry('embed-many'),
});
console.log('embed:', one.usage, 'embedMany:', many.usage);

await sdk.shutdown();
