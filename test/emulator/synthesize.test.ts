import {
  ConverseCommand,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type ToolConfiguration,
} from "@aws-sdk/client-bedrock-runtime";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/server.js";
import { readPngSize } from "../../emulator/synthesize/png.js";
import { buildValue } from "../../emulator/synthesize/tools.js";
import type { Emulator } from "../../emulator/types.js";
import { catalog, familyLoaders } from "../../generated/index.js";
import { nativeSchemaLoaders } from "../../generated/native-schemas/index.js";
import type { CatalogEntry, FamilyModule, NativeSchemaSet } from "../../runtime/descriptor.js";
import { readPointer, writePointer } from "../../runtime/pointer.js";
import { sdkClient } from "./helpers.js";

const ajv = new Ajv({ strict: false, allowUnionTypes: true });
const entries = Object.values(catalog) as CatalogEntry[];
/** A family module with its native schemas (which the emulator loads beside it). */
type LoadedFamily = FamilyModule & { readonly nativeSchemas: NativeSchemaSet };
const families = new Map<string, LoadedFamily>();
const USER_TEXT = "What is the capital of France?";
const EXPECTED_ANSWER = 'This is a synthesized reply to "What is the capital of France?".';

/** The id to call a model by: profile-only models need an inference profile. */
function callableId(entry: CatalogEntry): string {
  return entry.profileOnly ? `${entry.profiles[0]}.${entry.id}` : entry.id;
}

/** A native chat body for any family, written at its spec's pointers (the test's own small encoder). */
function nativeChatBody(family: LoadedFamily, maxTokens: number): Record<string, unknown> {
  const request = family.descriptor.chat!.request;
  const body = (buildValue(family.nativeSchemas.chat_request) ?? {}) as Record<string, unknown>;
  for (const [pointer, value] of Object.entries(request.constants ?? {})) writePointer(body, pointer, value);
  switch (request.codec) {
    case "template": {
      const template = request.template!;
      const prompt =
        (template.begin ?? "") + template.user.replace("{content}", USER_TEXT) + (template.generation ?? "");
      writePointer(body, request.prompt!, prompt);
      break;
    }
    case "anthropic":
    case "mistral-chat":
      writePointer(body, request.messages!, [{ role: "user", content: USER_TEXT }]);
      break;
    case "openai": {
      // The family's content form: Writer Palmyra's documented `{"text": …}`, a list of parts, or a string.
      const form = request.content_form ?? "string";
      const content =
        form === "text-object"
          ? { text: USER_TEXT }
          : form === "parts"
            ? [{ type: "text", text: USER_TEXT }]
            : USER_TEXT;
      writePointer(body, request.messages!, [{ role: "user", content }]);
      break;
    }
    case "nova":
      writePointer(body, request.messages!, [{ role: "user", content: [{ text: USER_TEXT }] }]);
      break;
    case "cohere-chat":
      body.message = USER_TEXT;
      break;
  }
  const maxPointer = request.params.max_tokens?.to;
  if (maxPointer) writePointer(body, maxPointer, maxTokens);
  return body;
}

function finishOf(family: LoadedFamily, body: unknown): string | undefined {
  const mapping = family.descriptor.chat!.response.finish_reason;
  if (typeof mapping.from !== "string") return undefined;
  const native = readPointer(body, mapping.from);
  return mapping.map[native === null ? "null" : String(native)];
}

async function collectStream(stream: AsyncIterable<{ chunk?: { bytes?: Uint8Array } }>) {
  const chunks: Record<string, unknown>[] = [];
  for await (const event of stream) chunks.push(JSON.parse(new TextDecoder().decode(event.chunk!.bytes)));
  return chunks;
}

/** The streamed text, read as the family's stream codec reads it. */
function streamedText(family: LoadedFamily, chunks: Record<string, unknown>[]): string {
  const codec = family.descriptor.chat!.stream?.codec ?? "flat";
  const parts: string[] = [];
  for (const chunk of chunks) {
    if (codec === "anthropic") {
      const delta = chunk.delta as { text?: string } | undefined;
      if (chunk.type === "content_block_delta" && delta?.text) parts.push(delta.text);
    } else if (codec === "nova") {
      const text = readPointer(chunk, "/contentBlockDelta/delta/text");
      if (typeof text === "string") parts.push(text);
    } else if (codec === "openai") {
      const text = readPointer(chunk, "/choices/0/delta/content");
      if (typeof text === "string") parts.push(text);
    } else if (codec === "cohere-chat") {
      if (chunk.event_type === "text-generation") parts.push(String(chunk.text));
    } else {
      const pointer = family.descriptor.chat!.stream?.text ?? family.descriptor.chat!.response.text!;
      const text = readPointer(chunk, pointer);
      if (typeof text === "string") parts.push(text);
    }
  }
  // Reasoning that travels in tags comes first in the text (gpt-oss); the answer follows it.
  const joined = parts.join("");
  const tags = family.descriptor.chat!.response.reasoning?.tags;
  if (!tags || !joined.startsWith(tags.open)) return joined;
  return joined.slice(joined.indexOf(tags.close) + tags.close.length);
}

describe("synthesized answers for every catalog model", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ mode: "synthesize" });
    await Promise.all(
      Object.entries(familyLoaders).map(async ([name, load]) => {
        const schemas = await nativeSchemaLoaders[name as keyof typeof nativeSchemaLoaders]();
        families.set(name, { ...(await load()), nativeSchemas: schemas });
      }),
    );
  });
  afterAll(() => emulator.close());

  const chatInvoke = entries.filter(
    (entry) => entry.operations.includes("chat") && entry.routes.includes("invoke"),
  );
  const converse = entries.filter(
    (entry) => entry.operations.includes("chat") && entry.routes.includes("converse"),
  );
  const embeddings = entries.filter((entry) => entry.operations.includes("embeddings"));
  const images = entries.filter((entry) => entry.operations.includes("images"));

  it("covers the catalog", () => {
    expect(chatInvoke.length + converse.length + embeddings.length + images.length).toBeGreaterThan(0);
  });

  describe.each(["h2", "http1"] as const)("through the SDK (%s)", (handler) => {
    it.each(chatInvoke.map((entry) => [entry.id, entry] as const))(
      "InvokeModel chat: %s",
      async (_id, entry) => {
        const family = families.get(entry.family)!;
        const client = sdkClient(emulator, handler);
        try {
          const result = await client.send(
            new InvokeModelCommand({
              modelId: callableId(entry),
              contentType: "application/json",
              body: JSON.stringify(nativeChatBody(family, 500)),
            }),
          );
          const body = JSON.parse(new TextDecoder().decode(result.body));
          expect(
            ajv.validate(family.nativeSchemas.chat_response ?? {}, body),
            JSON.stringify(ajv.errors),
          ).toBe(true);
          expect(JSON.stringify(body)).toContain(JSON.stringify(EXPECTED_ANSWER).slice(1, -1));
          const text = family.descriptor.chat!.response.text;
          if (text) expect(readPointer(body, text)).toBe(EXPECTED_ANSWER);
          expect(finishOf(family, body)).toBe("stop");
          const usage = family.descriptor.chat!.response.usage;
          const headers = emulator.requests.at(-1)!;
          expect(headers.status).toBe(200);
          if (typeof usage.completion_tokens === "string") {
            expect(readPointer(body, usage.completion_tokens)).toBeGreaterThan(0);
          }
          if (typeof usage.prompt_tokens === "string") {
            expect(readPointer(body, usage.prompt_tokens)).toBeGreaterThan(0);
          }
        } finally {
          client.destroy();
        }
      },
    );
  });

  it.each(chatInvoke.map((entry) => [entry.id, entry] as const))(
    "stops for length under a small max: %s",
    async (_id, entry) => {
      const family = families.get(entry.family)!;
      const client = sdkClient(emulator, "http1");
      const result = await client.send(
        new InvokeModelCommand({
          modelId: callableId(entry),
          contentType: "application/json",
          body: JSON.stringify(nativeChatBody(family, 3)),
        }),
      );
      const body = JSON.parse(new TextDecoder().decode(result.body));
      expect(finishOf(family, body)).toBe("length");
      const text = family.descriptor.chat!.response.text;
      if (text) expect(readPointer(body, text)).toBe("This is a");
      client.destroy();
    },
  );

  it.each(
    chatInvoke
      .filter((entry) => entry.operations.includes("chat-stream"))
      .map((entry) => [entry.id, entry] as const),
  )("InvokeModelWithResponseStream: %s", async (_id, entry) => {
    const family = families.get(entry.family)!;
    const client = sdkClient(emulator, "h2");
    const result = await client.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: callableId(entry),
        contentType: "application/json",
        body: JSON.stringify(nativeChatBody(family, 500)),
      }),
    );
    const chunks = await collectStream(result.body!);
    expect(chunks.length).toBeGreaterThan(2);
    expect(streamedText(family, chunks)).toBe(EXPECTED_ANSWER);
    const metrics = chunks.at(-1)!["amazon-bedrock-invocationMetrics"] as Record<string, number>;
    expect(metrics.outputTokenCount).toBeGreaterThan(0);
    expect(metrics.inputTokenCount).toBeGreaterThan(0);
    for (const chunk of chunks) {
      expect(
        ajv.validate(family.nativeSchemas.chat_stream_chunk ?? {}, chunk),
        JSON.stringify(ajv.errors),
      ).toBe(true);
    }
    client.destroy();
  });

  it.each(converse.map((entry) => [entry.id, entry] as const))(
    "Converse and ConverseStream: %s",
    async (_id, entry) => {
      const client = sdkClient(emulator, "h2");
      const messages = [{ role: "user" as const, content: [{ text: USER_TEXT }] }];
      const unary = await client.send(new ConverseCommand({ modelId: callableId(entry), messages }));
      expect(unary.output?.message?.content).toEqual([{ text: EXPECTED_ANSWER }]);
      expect(unary.stopReason).toBe("end_turn");
      expect(unary.usage?.totalTokens).toBe(
        (unary.usage?.inputTokens ?? 0) + (unary.usage?.outputTokens ?? 0),
      );
      expect(unary.metrics?.latencyMs).toBeGreaterThanOrEqual(0);

      const stream = await client.send(new ConverseStreamCommand({ modelId: callableId(entry), messages }));
      const events: ConverseStreamOutput[] = [];
      for await (const event of stream.stream!) events.push(event);
      const text = events.map((event) => event.contentBlockDelta?.delta?.text ?? "").join("");
      expect(text).toBe(EXPECTED_ANSWER);
      expect(events.at(-2)?.messageStop?.stopReason).toBe("end_turn");
      expect(events.at(-1)?.metadata?.usage?.outputTokens).toBe(unary.usage?.outputTokens);
      client.destroy();
    },
  );

  it.each(converse.map((entry) => [entry.id, entry] as const))(
    "Converse tool calls and tool results: %s",
    async (_id, entry) => {
      const client = sdkClient(emulator, "http1");
      const toolConfig = {
        tools: [
          {
            toolSpec: {
              name: "get_weather",
              inputSchema: {
                json: {
                  type: "object",
                  properties: {
                    city: { type: "string" },
                    unit: { type: "string", enum: ["celsius", "fahrenheit"] },
                    days: { type: "integer" },
                    detailed: { type: "boolean" },
                    where: { type: "object", properties: { lat: { type: "number" } }, required: ["lat"] },
                    optional: { type: "string" },
                  },
                  required: ["city", "unit", "days", "detailed", "where"],
                },
              },
            },
          },
          { toolSpec: { name: "other_tool", inputSchema: { json: { type: "object", properties: {} } } } },
        ],
      } as ToolConfiguration;
      const first = await client.send(
        new ConverseCommand({
          modelId: callableId(entry),
          messages: [{ role: "user", content: [{ text: "Weather in Paris?" }] }],
          toolConfig,
        }),
      );
      expect(first.stopReason).toBe("tool_use");
      const toolUse = first.output?.message?.content?.[0]?.toolUse;
      expect(toolUse?.name).toBe("get_weather");
      expect(toolUse?.input).toEqual({
        city: "example",
        unit: "celsius",
        days: 1,
        detailed: true,
        where: { lat: 1 },
      });

      const forced = await client.send(
        new ConverseCommand({
          modelId: callableId(entry),
          messages: [{ role: "user", content: [{ text: "Use the other one" }] }],
          toolConfig: { ...toolConfig, toolChoice: { tool: { name: "other_tool" } } },
        }),
      );
      expect(forced.output?.message?.content?.[0]?.toolUse?.name).toBe("other_tool");

      const stream = await client.send(
        new ConverseStreamCommand({
          modelId: callableId(entry),
          messages: [{ role: "user", content: [{ text: "Weather in Paris?" }] }],
          toolConfig,
        }),
      );
      const events: ConverseStreamOutput[] = [];
      for await (const event of stream.stream!) events.push(event);
      expect(events[1]?.contentBlockStart?.start?.toolUse?.name).toBe("get_weather");
      const input = events.map((event) => event.contentBlockDelta?.delta?.toolUse?.input ?? "").join("");
      expect(JSON.parse(input)).toEqual(toolUse?.input);
      expect(events.find((event) => event.messageStop)?.messageStop?.stopReason).toBe("tool_use");

      const afterResult = await client.send(
        new ConverseCommand({
          modelId: callableId(entry),
          messages: [
            { role: "user", content: [{ text: "Weather in Paris?" }] },
            {
              role: "assistant",
              content: [{ toolUse: { toolUseId: toolUse!.toolUseId!, name: "get_weather", input: {} } }],
            },
            {
              role: "user",
              content: [{ toolResult: { toolUseId: toolUse!.toolUseId!, content: [{ text: "sunny" }] } }],
            },
          ],
          toolConfig,
        }),
      );
      expect(afterResult.stopReason).toBe("end_turn");
      expect(afterResult.output?.message?.content?.[0]?.text).toBe(
        'This is a synthesized reply to "Weather in Paris?".',
      );
      client.destroy();
    },
  );

  it.each(converse.map((entry) => [entry.id, entry] as const))(
    "Converse max tokens and guardrails: %s",
    async (_id, entry) => {
      const client = sdkClient(emulator, "http1");
      const short = await client.send(
        new ConverseCommand({
          modelId: callableId(entry),
          messages: [{ role: "user", content: [{ text: USER_TEXT }] }],
          inferenceConfig: { maxTokens: 2 },
        }),
      );
      expect(short.stopReason).toBe("max_tokens");
      expect(short.output?.message?.content?.[0]?.text).toBe("This is");

      const blocked = await client.send(
        new ConverseCommand({
          modelId: callableId(entry),
          messages: [{ role: "user", content: [{ text: "Please say BLOCKED things" }] }],
          guardrailConfig: { guardrailIdentifier: "gr-123", guardrailVersion: "1", trace: "enabled" },
        }),
      );
      expect(blocked.stopReason).toBe("guardrail_intervened");
      expect(blocked.output?.message?.content?.[0]?.text).toBe(
        "Sorry, the model cannot answer this question.",
      );
      expect(blocked.trace?.guardrail?.inputAssessment?.["gr-123"]?.topicPolicy?.topics?.[0]?.action).toBe(
        "BLOCKED",
      );

      const allowed = await client.send(
        new ConverseCommand({
          modelId: callableId(entry),
          messages: [{ role: "user", content: [{ text: "Harmless" }] }],
          guardrailConfig: { guardrailIdentifier: "gr-123", guardrailVersion: "1" },
        }),
      );
      expect(allowed.stopReason).toBe("end_turn");
      client.destroy();
    },
  );

  it.each(chatInvoke.map((entry) => [entry.id, entry] as const))(
    "InvokeModel guardrail intervention: %s",
    async (_id, entry) => {
      const family = families.get(entry.family)!;
      const client = sdkClient(emulator, "http1");
      const body = nativeChatBody(family, 500);
      const serialized = JSON.stringify(body).replaceAll(USER_TEXT, "Tell me BLOCKED things");
      const result = await client.send(
        new InvokeModelCommand({
          modelId: callableId(entry),
          contentType: "application/json",
          body: serialized,
          guardrailIdentifier: "gr-9",
          guardrailVersion: "DRAFT",
          trace: "ENABLED",
        }),
      );
      const answer = JSON.parse(new TextDecoder().decode(result.body));
      const guardrailPointer =
        family.descriptor.chat!.response.guardrail ?? "/amazon-bedrock-guardrailAction";
      expect(readPointer(answer, guardrailPointer)).toBe("INTERVENED");
      expect(JSON.stringify(answer)).toContain("Sorry, the model cannot answer this question.");
      expect(answer["amazon-bedrock-trace"]?.guardrail?.input?.["gr-9"]).toBeDefined();
      client.destroy();
    },
  );

  it.each(embeddings.map((entry) => [entry.id, entry] as const))("embeddings: %s", async (_id, entry) => {
    const family = families.get(entry.family)!;
    const mapping = family.descriptor.embeddings!;
    const client = sdkClient(emulator, "http1");
    const body = (buildValue(family.nativeSchemas.embeddings_request) ?? {}) as Record<string, unknown>;
    for (const [pointer, value] of Object.entries(mapping.request.constants ?? {}))
      writePointer(body, pointer, value);
    // Param defaults, as the runtime writes them.
    for (const rule of Object.values(mapping.request.params)) {
      if (rule.to && rule.default !== undefined && rule.policy !== "drop")
        writePointer(body, rule.to, rule.default);
    }
    const inputs = mapping.request.input.per_call === 1 ? "hello world" : ["hello world", "second text"];
    writePointer(body, mapping.request.input.to, inputs);
    const dimensionsRule = { ...mapping.request.params.dimensions, ...entry.params?.dimensions };
    const choices = entry.embedding?.dimensions ?? [];
    const wanted =
      choices.length > 1 && dimensionsRule.to && dimensionsRule.policy !== "drop" ? choices[0]! : undefined;
    if (wanted !== undefined) writePointer(body, dimensionsRule.to!, wanted);
    const call = async () =>
      JSON.parse(
        new TextDecoder().decode(
          (
            await client.send(
              new InvokeModelCommand({
                modelId: callableId(entry),
                contentType: "application/json",
                body: JSON.stringify(body),
              }),
            )
          ).body,
        ),
      );
    const answer = await call();
    expect(
      ajv.validate(family.nativeSchemas.embeddings_response ?? {}, answer),
      JSON.stringify(ajv.errors),
    ).toBe(true);
    const vectors = readPointer(answer, mapping.response.vectors[0]!) as number[] | number[][];
    const list = (mapping.request.input.per_call === 1 ? [vectors] : vectors) as number[][];
    expect(list).toHaveLength(Array.isArray(inputs) ? inputs.length : 1);
    const dimensions = wanted ?? entry.embedding?.default_dimensions ?? choices[0];
    for (const vector of list) expect(vector).toHaveLength(dimensions!);
    expect(list[0]).toEqual((await call()).embedding ?? list[0]); // deterministic
    if (typeof mapping.response.prompt_tokens === "string") {
      expect(readPointer(answer, mapping.response.prompt_tokens)).toBeGreaterThan(0);
    }
    client.destroy();
  });

  it.each(images.map((entry) => [entry.id, entry] as const))("images: %s", async (_id, entry) => {
    const family = families.get(entry.family)!;
    const mapping = family.descriptor.images!;
    const client = sdkClient(emulator, "http1");
    const body = (buildValue(family.nativeSchemas.images_request) ?? {}) as Record<string, unknown>;
    for (const [pointer, value] of Object.entries(mapping.request.constants ?? {}))
      writePointer(body, pointer, value);
    writePointer(
      body,
      mapping.request.prompt.to,
      mapping.request.prompt.form === "weighted" ? [{ text: "a cat", weight: 1 }] : "a cat",
    );
    const result = await client.send(
      new InvokeModelCommand({
        modelId: callableId(entry),
        contentType: "application/json",
        body: JSON.stringify(body),
      }),
    );
    const answer = JSON.parse(new TextDecoder().decode(result.body));
    const images = readPointer(answer, mapping.response.images);
    const list = (Array.isArray(images) ? images : [images]) as string[];
    expect(list.length).toBeGreaterThan(0);
    for (const image of list) expect(readPngSize(Buffer.from(image, "base64"))).toBeDefined();
    client.destroy();
  });

  it("counts tokens for Converse and InvokeModel inputs", async () => {
    const entry = converse.find((candidate) => !candidate.profileOnly) ?? converse[0]!;
    const client = sdkClient(emulator, "http1");
    const counted = await client.send(
      new CountTokensCommand({
        modelId: entry.id,
        input: { converse: { messages: [{ role: "user", content: [{ text: USER_TEXT }] }] } },
      }),
    );
    expect(counted.inputTokens).toBe(7);
    client.destroy();
  });

  it("lengthens streams to the requested chunk count (x-bedrock-forge-stream-chunks)", async () => {
    const entry = converse[0]!;
    const client = sdkClient(emulator, "http1");
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers["x-bedrock-forge-stream-chunks"] =
          "200";
        return next(args);
      },
      { step: "build" },
    );
    const stream = await client.send(
      new ConverseStreamCommand({
        modelId: callableId(entry),
        messages: [{ role: "user", content: [{ text: "long" }] }],
      }),
    );
    let deltas = 0;
    for await (const event of stream.stream!) if (event.contentBlockDelta) deltas++;
    expect(deltas).toBe(200);
    client.destroy();
  });
});
