/**
 * Answers are checked against what the family's spec reads from them (the generated `response_reads`,
 * from the native response schemas): a body missing the field read, or holding it with another JSON type,
 * is a ResponseParseError naming the field and the model, for unary answers and every InvokeModel stream
 * chunk, through the real SDK and the emulator. Real recorded answers all pass.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Fixture } from "../../emulator/fixtures.js";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { encodePng } from "../../emulator/synthesize/png.js";
import { catalog, familyLoaders } from "../../generated/index.js";
import { describeRead } from "../../generator/response-reads.js";
import { checkAnswer } from "../../runtime/answer-check.js";
import type { AnswerCheck, CatalogEntry, FamilyDescriptor } from "../../runtime/descriptor.js";
import { type Bedrock, type ChatModelRef, createBedrock, ResponseParseError } from "../../runtime/index.js";
import { credentials, drain, failure } from "./live.js";

const recordingsRoot = path.join(import.meta.dirname, "..", "recordings");

async function descriptorOf(modelId: string): Promise<FamilyDescriptor> {
  const entry = (catalog as Record<string, CatalogEntry>)[modelId]!;
  const loader = familyLoaders[entry.family as keyof typeof familyLoaders];
  return (await loader()).descriptor;
}

let answer: unknown;
let emulator: Emulator;
let bedrock: Bedrock;

/** The recorded Messages-API stream Bedrock sent for anthropic.claude-v2 (otel-py), as fixture events. */
const claudeV2MessagesStream = JSON.parse(
  readFileSync(
    path.join(
      recordingsRoot,
      "anthropic-claude-messages",
      "otel-py_test_invoke_model_with_response_stream_no_content-anthropic.claude.json",
    ),
    "utf8",
  ),
) as Fixture;
const claudeV2MessagesAnswer = JSON.parse(
  readFileSync(
    path.join(
      recordingsRoot,
      "anthropic-claude-messages",
      "otel-py_test_invoke_model_no_content-anthropic.claude.json",
    ),
    "utf8",
  ),
) as Fixture;

beforeAll(async () => {
  emulator = await startEmulator({
    mode: "hybrid",
    respond: ({ operation }) => (operation === "invoke" ? answer : undefined),
    fixtures: [
      {
        name: "claude-v2-messages-stream",
        fixture: { ...claudeV2MessagesStream, modelId: "anthropic.claude-v2:1", request: {} },
      },
      {
        name: "llama-numbers-stream",
        fixture: {
          operation: "invoke-stream",
          modelId: "meta.llama3-8b-instruct-v1:0",
          request: {},
          events: [
            { messageType: "event", eventType: "chunk", chunk: { generation: "Hel", stop_reason: null } },
            { messageType: "event", eventType: "chunk", chunk: { generation: 42, stop_reason: null } },
          ],
        } as Fixture,
      },
    ],
  });
  bedrock = createBedrock({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials,
    num_retries: 0,
    allowRetired: true,
    onWarning: () => undefined,
  });
});
afterAll(() => emulator.close());

const hello = [{ role: "user" as const, content: "hi" }];

async function invokeFailure(model: string, body: unknown) {
  answer = body;
  return failure(
    bedrock.chat.completions.create({ model: `bedrock/invoke/${model}` as ChatModelRef, messages: hello }),
  );
}

describe("a unary chat answer without the field its spec reads", () => {
  // The answer field of each family with an InvokeModel chat route (its spec's chat.response.text or content).
  it.each([
    ["anthropic.claude-3-haiku-20240307-v1:0", "/content"],
    ["anthropic.claude-v2:1", "/completion"],
    ["amazon.nova-micro-v1:0", "/output/message/content"],
    ["amazon.titan-text-express-v1", "/results/0/outputText"],
    ["meta.llama3-8b-instruct-v1:0", "/generation"],
    ["us.meta.llama4-scout-17b-instruct-v1:0", "/generation"],
    ["mistral.mistral-7b-instruct-v0:2", "/outputs/0/text"],
    ["mistral.mistral-large-2402-v1:0", "/choices/0/message"],
    ["cohere.command-r-v1:0", "/text"],
    ["ai21.jamba-1-5-mini-v1:0", "/choices/0/message"],
    ["us.deepseek.r1-v1:0", "/choices/0/text"],
    ["openai.gpt-oss-20b-1:0", "/choices/0/message"],
  ])("%s: %s", async (model, field) => {
    const error = await invokeFailure(model, { unexpected: true });
    expect(ResponseParseError.isInstance(error)).toBe(true);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).toContain(model);
    expect(error.message).toContain("its members are unexpected");
  });

  it("Claude 2 answered in the Messages shape (recorded, otel-py) is refused, not empty text", async () => {
    const error = await invokeFailure("anthropic.claude-v2:1", claudeV2MessagesAnswer.response);
    expect(ResponseParseError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      "the anthropic.claude-v2:1 response has no /completion (the answer text, string); its members are id, type, role, model, content, stop_reason, stop_sequence, usage",
    );
  });

  it("a field of another JSON type than the schema's is refused, naming both", async () => {
    const error = await invokeFailure("meta.llama3-8b-instruct-v1:0", {
      generation: "ok",
      stop_reason: 3,
    });
    expect(error.message).toBe(
      "the meta.llama3-8b-instruct-v1:0 response has /stop_reason (the stop reason) as integer where null or string is expected",
    );
    expect(error.field).toBe("/stop_reason");
  });

  it("an answer with what the spec reads still passes", async () => {
    answer = { generation: "fine", stop_reason: "stop", prompt_token_count: 3, generation_token_count: 1 };
    const completion = await bedrock.chat.completions.create({
      model: "bedrock/invoke/meta.llama3-8b-instruct-v1:0",
      messages: hello,
    });
    expect(completion.choices[0]!.message.content).toBe("fine");
  });
});

describe("InvokeModel stream chunks", () => {
  it("a Claude 2 text stream answered with Messages events (recorded) fails at the first chunk", async () => {
    const stream = await bedrock.chat.completions.create(
      { model: "bedrock/invoke/anthropic.claude-v2:1", messages: hello, stream: true },
      { headers: { "x-bedrock-forge-fixture": "claude-v2-messages-stream" } },
    );
    const { chunks, error } = await drain(stream);
    expect(chunks).toEqual([]);
    expect(ResponseParseError.isInstance(error)).toBe(true);
    expect(error?.message).toBe(
      "a anthropic.claude-v2:1 stream chunk holds none of the fields read from it (/completion, /stop_reason, /amazon-bedrock-invocationMetrics/outputTokenCount, /amazon-bedrock-invocationMetrics/inputTokenCount); its members are type, message",
    );
  });

  it("a chunk whose text is not a string fails, after the chunks before it", async () => {
    const stream = await bedrock.chat.completions.create(
      { model: "bedrock/invoke/meta.llama3-8b-instruct-v1:0", messages: hello, stream: true },
      { headers: { "x-bedrock-forge-fixture": "llama-numbers-stream" } },
    );
    const { chunks, error } = await drain(stream);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content).join("")).toBe("Hel");
    expect(error?.message).toBe(
      "a meta.llama3-8b-instruct-v1:0 stream chunk has /generation (the text) as integer where string is expected",
    );
  });
});

describe("embeddings, images and rerank answers", () => {
  it("embeddings without vectors name the pointers and the model", async () => {
    answer = { embeddings_missing: [] };
    const error = await failure(
      bedrock.embeddings.create({ model: "amazon.titan-embed-text-v2:0", input: "hello" }),
    );
    expect(ResponseParseError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(
      /^the amazon\.titan-embed-text-v2:0 embeddings response holds none of the fields read from it \(\/embedding/,
    );
  });

  it("a rerank answer without results", async () => {
    answer = { id: "x" };
    const error = await failure(
      bedrock.rerank.create({ model: "cohere.rerank-v3-5:0", query: "q", documents: ["a", "b"] }),
    );
    expect(ResponseParseError.isInstance(error)).toBe(true);
    expect(error.field).toBe("/results");
    expect(error.message).toContain("cohere.rerank-v3-5:0");
  });

  it("an image answer whose images are not strings", async () => {
    answer = { images: [7] };
    const error = await failure(
      bedrock.images.generate({ model: "amazon.titan-image-generator-v2:0", prompt: "a cat" }),
    );
    expect(ResponseParseError.isInstance(error)).toBe(true);
    expect(error.message).toContain("as integer where string is expected");
  });

  it("an image-edit answer whose images are not strings", async () => {
    answer = { images: [7], finish_reasons: [null] };
    const error = await failure(
      bedrock.images.edit({
        model: "stability.stable-image-inpaint-v1:0",
        image: encodePng(8, 8, 1),
        prompt: "a cat",
      }),
    );
    expect(ResponseParseError.isInstance(error)).toBe(true);
    expect(error.message).toContain("stability.stable-image-inpaint-v1:0");
    expect(error.message).toContain("as integer where string is expected");
  });
});

/** Recorded InvokeModel answers and stream chunks of catalog models, with the check of their kind. */
async function recordedAnswers(): Promise<[string, AnswerCheck | undefined, unknown][]> {
  const cases: [string, AnswerCheck | undefined, unknown][] = [];
  for (const folder of readdirSync(recordingsRoot).sort()) {
    if (!/^[a-z0-9-]+$/.test(folder) || folder === "errors" || folder.startsWith("converse")) continue;
    for (const file of readdirSync(path.join(recordingsRoot, folder)).sort()) {
      if (!file.endsWith(".json")) continue;
      const recording = JSON.parse(readFileSync(path.join(recordingsRoot, folder, file), "utf8")) as Fixture;
      if (recording.operation !== "invoke" && recording.operation !== "invoke-stream") continue;
      const id = String(recording.modelId).replace(/^(us|eu|apac|global)\./, "");
      const entry = (catalog as Record<string, CatalogEntry>)[id];
      // anthropic.claude-v2 also answers Messages bodies: those recordings are not text-completion answers.
      const request = recording.request as Record<string, unknown> | null;
      if (!entry || (entry.family === "anthropic-claude-text" && request?.messages !== undefined)) continue;
      const reads = (await descriptorOf(id)).response_reads;
      const kind = entry.operations.includes("chat")
        ? "chat"
        : (entry.operations.find((operation) => operation !== "chat-stream") as "embeddings");
      if (recording.operation === "invoke")
        cases.push([`${folder}/${file}`, reads?.[kind], recording.response]);
      else
        (recording.events ?? []).forEach((event, index) => {
          if (event.chunk) cases.push([`${folder}/${file} chunk ${index}`, reads?.chat_stream, event.chunk]);
        });
    }
  }
  return cases;
}

describe("real answers pass", async () => {
  const cases = await recordedAnswers();
  it("covers the recorded families", () => {
    expect(cases.length).toBeGreaterThan(300);
    expect(cases.every(([, check]) => check !== undefined)).toBe(true);
  });
  it.each(cases.map(([name, check, body]) => ({ name, check, body })))("$name", ({ name, check, body }) => {
    expect(() => checkAnswer(body, check, name, "recorded")).not.toThrow();
  });
});

describe("checkAnswer (properties)", () => {
  const check: AnswerCheck = {
    reads: [
      { pointer: "/results/0/outputText", what: "the answer text", types: ["string"], required: true },
      { pointer: "/usage/tokens", what: "the token count", types: ["integer"], required: false },
    ],
  };
  const json = fc.jsonValue();

  it("accepts any body holding a string at the required pointer and no token count of another type", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.string(), json),
        fc.option(fc.nat()),
        (text, extra, tokens) => {
          const body = {
            ...extra,
            results: [{ outputText: text }],
            ...(tokens === null ? {} : { usage: { tokens } }),
          };
          expect(() => checkAnswer(body, check, "the answer", "m")).not.toThrow();
        },
      ),
    );
  });

  it("refuses any body without a string there, naming the pointer", () => {
    fc.assert(
      fc.property(
        json.filter((value) => typeof value !== "string"),
        (value) => {
          const body = { results: [{ outputText: value }] };
          let thrown: unknown;
          try {
            checkAnswer(body, check, "the answer", "m");
          } catch (error) {
            thrown = error;
          }
          expect(ResponseParseError.isInstance(thrown)).toBe(true);
          expect((thrown as ResponseParseError).field).toBe("/results/0/outputText");
        },
      ),
    );
  });
});

describe("describeRead (the generator's reading of a response schema)", () => {
  const schema = {
    type: "object",
    required: ["results", "stop"],
    properties: {
      results: {
        type: "array",
        items: {
          type: "object",
          required: ["text"],
          properties: { text: { type: "string" }, n: { type: "integer" } },
        },
      },
      stop: { type: ["string", "null"] },
      usage: { type: "object", required: ["input"], properties: { input: { type: "integer" } } },
      content: { oneOf: [{ type: "string" }, { type: "array" }] },
      free: {},
    },
  };
  it.each([
    ["/results/0/text", true, ["string"]],
    ["/results/0/n", false, ["integer"]],
    ["/stop", true, ["null", "string"]],
    ["/usage/input", false, ["integer"]],
    ["/content", false, ["array", "string"]],
    ["/free", false, undefined],
    ["/nowhere", false, undefined],
  ])("%s: required %s, types %j", (pointer, required, types) => {
    const read = describeRead(schema, pointer, "x");
    expect(read.required).toBe(required);
    expect(read.types).toEqual(types);
  });
});
