/**
 * The emulator synthesizes answers for the December 2026 families on InvokeModel too (the runtime's default is
 * Converse where a model has it, which test/emulator/runtime.test.ts covers for every model): each model with
 * the invoke route answers a chat and a stream in its family's native shape, read back by the runtime. The
 * emulator checks every body against the family's native request schema first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/server.js";
import type { Emulator } from "../../emulator/types.js";
import { catalog } from "../../generated/index.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";
import { createBedrock } from "../../runtime/index.js";
import { credentials } from "./helpers.js";

const families = new Set([
  "qwen",
  "moonshot-kimi",
  "moonshotai-kimi",
  "deepseek-v3",
  "writer-palmyra",
  "twelvelabs-pegasus",
]);
/** Params a family requires in every request (`required: true` in its spec). */
const requiredParams: Readonly<Record<string, Record<string, unknown>>> = {
  "twelvelabs-pegasus": { mediaSource: { base64String: "AAAAGGZ0eXBtcDQy" } },
};
const entries = (Object.values(catalog) as CatalogEntry[]).filter(
  (entry) => families.has(entry.family) && entry.routes.includes("invoke"),
);
const modelOf = (entry: CatalogEntry) =>
  `bedrock/invoke/${entry.profileOnly ? `${entry.profiles[0]}.${entry.id}` : entry.id}`;

describe("InvokeModel answers of the new families, synthesized", () => {
  let emulator: Emulator;
  let bedrock: ReturnType<typeof createBedrock>;
  beforeAll(async () => {
    emulator = await startEmulator({ mode: "synthesize" });
    bedrock = createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials, num_retries: 0 });
  });
  afterAll(() => emulator.close());

  it("covers a model of each family", () => {
    expect(new Set(entries.map((entry) => entry.family))).toEqual(families);
  });

  it.each(entries.map((entry) => [entry.id, entry] as const))("%s", async (_id, entry) => {
    const request = {
      model: modelOf(entry),
      messages: [{ role: "user", content: "Hello invoke" }],
      max_tokens: 100,
      ...requiredParams[entry.family],
    };
    // biome-ignore lint/suspicious/noExplicitAny: the model list is dynamic, so the typed overloads do not apply
    const completion: any = await bedrock.chat.completions.create(request as never);
    expect(emulator.requests.at(-1)?.operation).toBe("invoke");
    expect(completion.choices[0].message.content).toContain('This is a synthesized reply to "Hello invoke".');
    expect(completion.choices[0].finish_reason).toBe("stop");
    expect(completion.usage.completion_tokens).toBeGreaterThan(0);
    let text = "";
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const stream: any = await bedrock.chat.completions.create({ ...request, stream: true } as never);
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(emulator.requests.at(-1)?.operation).toBe("invoke-stream");
    expect(text).toContain('This is a synthesized reply to "Hello invoke".');
  });
});
