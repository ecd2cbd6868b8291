/**
 * The runtime's public API against the emulator, for every catalog model: what the demo and users'
 * offline tests do. Expectations are the emulator's documented answers, written here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/server.js";
import { readPngSize } from "../../emulator/synthesize/png.js";
import type { Emulator } from "../../emulator/types.js";
import { catalog } from "../../generated/index.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";
import { createBedrock } from "../../runtime/index.js";
import { credentials } from "./helpers.js";

const entries = Object.values(catalog) as CatalogEntry[];
const modelOf = (entry: CatalogEntry) => (entry.profileOnly ? `${entry.profiles[0]}.${entry.id}` : entry.id);
/**
 * Params a family requires in every request (`required: true` in its spec), with a value for the test:
 * TwelveLabs Pegasus analyses a video given as mediaSource.
 */
const requiredParams: Readonly<Record<string, Record<string, unknown>>> = {
  "twelvelabs-pegasus": { mediaSource: { base64String: "AAAAGGZ0eXBtcDQy" } },
};

describe("the runtime against the emulator", () => {
  let emulator: Emulator;
  let bedrock: ReturnType<typeof createBedrock>;
  beforeAll(async () => {
    emulator = await startEmulator({ mode: "synthesize" });
    bedrock = createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials });
  });
  afterAll(() => emulator.close());

  const chat = entries.filter((entry) => entry.operations.includes("chat"));
  it.each(chat.map((entry) => [entry.id, entry] as const))("chat: %s", async (_id, entry) => {
    const model = modelOf(entry);
    // biome-ignore lint/suspicious/noExplicitAny: the model list is dynamic, so the typed overloads do not apply
    const completion: any = await bedrock.chat.completions.create({
      model,
      messages: [{ role: "user", content: "Hello emulator" }],
      max_tokens: 100,
      ...requiredParams[entry.family],
    } as never);
    expect(completion.choices[0].message.content).toContain(
      'This is a synthesized reply to "Hello emulator".',
    );
    expect(completion.choices[0].finish_reason).toBe("stop");
    expect(completion.usage.completion_tokens).toBeGreaterThan(0);
    if (entry.operations.includes("chat-stream")) {
      let text = "";
      let finish: string | undefined;
      // biome-ignore lint/suspicious/noExplicitAny: as above
      const stream: any = await bedrock.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Hello stream" }],
        max_tokens: 100,
        stream: true,
        ...requiredParams[entry.family],
      } as never);
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(text).toContain('This is a synthesized reply to "Hello stream".');
      expect(finish).toBe("stop");
    }
    if (entry.capabilities.includes("tools")) {
      const before = emulator.requests.length;
      const request = bedrock.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Look it up" }],
        max_tokens: 100,
        tools: [
          {
            type: "function",
            function: {
              name: "lookup",
              parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
            },
          },
        ],
      } as never);
      // biome-ignore lint/suspicious/noExplicitAny: as above
      const called: any = await request;
      expect(emulator.requests.length).toBe(before + 1);
      expect(called.choices[0].finish_reason).toBe("tool_calls");
      expect(called.choices[0].message.tool_calls[0].function.name).toBe("lookup");
      expect(JSON.parse(called.choices[0].message.tool_calls[0].function.arguments)).toEqual({
        q: "example",
      });
    }
  });

  const embeddings = entries.filter((entry) => entry.operations.includes("embeddings"));
  it.each(embeddings.map((entry) => [entry.id, entry] as const))("embeddings: %s", async (_id, entry) => {
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const result: any = await bedrock.embeddings.create({
      model: modelOf(entry),
      input: ["one", "two"],
    } as never);
    expect(result.data).toHaveLength(2);
    expect(result.data[0].embedding).toHaveLength(
      entry.embedding?.default_dimensions ?? entry.embedding!.dimensions[0]!,
    );
    expect(result.data[0].embedding).not.toEqual(result.data[1].embedding);
  });

  const images = entries.filter((entry) => entry.operations.includes("images"));
  it.each(images.map((entry) => [entry.id, entry] as const))("images: %s", async (_id, entry) => {
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const result: any = await bedrock.images.generate({
      model: modelOf(entry),
      prompt: "a lighthouse",
    } as never);
    expect(result.data.length).toBeGreaterThan(0);
    expect(readPngSize(Buffer.from(result.data[0].b64_json, "base64"))).toBeDefined();
  });

  const rerankers = entries.filter((entry) => entry.operations.includes("rerank"));
  it.each(rerankers.map((entry) => [entry.id, entry] as const))("rerank: %s", async (_id, entry) => {
    const result = await bedrock.rerank.create({
      model: modelOf(entry),
      query: "lighthouse keeper",
      documents: ["a lighthouse", "a lighthouse keeper", "a kettle"],
      top_n: 2,
      return_documents: true,
    } as never);
    expect(result.results).toEqual([
      { index: 1, relevance_score: 1, document: { text: "a lighthouse keeper" } },
      { index: 0, relevance_score: 0.5, document: { text: "a lighthouse" } },
    ]);
    expect(result.usage.search_units).toBe(1);
    expect(result.usage.cost).toBeGreaterThan(0);
  });
});
