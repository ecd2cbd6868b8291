/**
 * The emulator's rerank answers, called with the raw AWS SDK as any Bedrock client would: each rerank
 * model's native answer synthesized from its spec (relevance = the share of the query's distinct words a
 * document contains, sorted, cut to top_n), request validation against the spec's native schema, fixture
 * replay, and the operations a rerank model does not offer.
 */
import {
  ConverseCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { Ajv } from "ajv";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/server.js";
import { rankDocuments, relevanceScore, wordsOf } from "../../emulator/synthesize/rerank.js";
import type { Emulator } from "../../emulator/types.js";
import { catalog, familyLoaders } from "../../generated/index.js";
import { nativeSchemaLoaders } from "../../generated/native-schemas/index.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";
import { writePointer } from "../../runtime/pointer.js";
import { rejectionOf, sdkClient } from "./helpers.js";

const COHERE = "cohere.rerank-v3-5:0";
const AMAZON = "amazon.rerank-v1:0";
const query = "What is the capital of France?";
// Query words {what, is, the, capital, of, france}.
const documents = [
  "Berlin is the capital of Germany.", // is, the, capital, of: 4/6
  "Paris is the capital of France.", // is, the, capital, of, france: 5/6
  "Bananas are yellow.", // none
  "What is France famous for?", // what, is, france: 3/6
];

describe("relevance scores", () => {
  it("scores the share of the query's distinct words a document contains, case-folded", () => {
    expect([...wordsOf("Capital, capital CAPITAL of D.C.")]).toEqual(["capital", "of", "d", "c"]);
    expect(documents.map((document) => relevanceScore(query, document))).toEqual([0.6667, 0.8333, 0, 0.5]);
    expect(relevanceScore("", "anything")).toBe(0);
    expect(relevanceScore("Ünïcode wörds", "WÖRDS only")).toBe(0.5);
  });

  it("ranks most relevant first, ties in document order, cut to top_n", () => {
    expect(rankDocuments(query, documents)).toEqual([
      { index: 1, score: 0.8333 },
      { index: 0, score: 0.6667 },
      { index: 3, score: 0.5 },
      { index: 2, score: 0 },
    ]);
    expect(rankDocuments("a b", ["b", "a", "c"], 2)).toEqual([
      { index: 0, score: 0.5 },
      { index: 1, score: 0.5 },
    ]);
  });

  it("always returns a permutation of the documents, sorted, with scores in [0, 1]", () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string(), { minLength: 1, maxLength: 20 }), (text, texts) => {
        const ranked = rankDocuments(text, texts);
        expect(ranked.map((item) => item.index).sort((a, b) => a - b)).toEqual(
          texts.map((_, index) => index),
        );
        for (const [position, item] of ranked.entries()) {
          expect(item.score).toBeGreaterThanOrEqual(0);
          expect(item.score).toBeLessThanOrEqual(1);
          const next = ranked[position + 1];
          if (next)
            expect(item.score > next.score || (item.score === next.score && item.index < next.index)).toBe(
              true,
            );
        }
      }),
    );
  });
});

describe("rerank models in the emulator", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ mode: "synthesize" });
  });
  afterAll(() => emulator.close());

  async function invoke(modelId: string, body: unknown) {
    const client = sdkClient(emulator, "http1");
    try {
      const output = await client.send(
        new InvokeModelCommand({ modelId, body: JSON.stringify(body), contentType: "application/json" }),
      );
      return JSON.parse(Buffer.from(output.body!).toString("utf8")) as Record<string, unknown>;
    } finally {
      client.destroy();
    }
  }

  async function invokeError(modelId: string, body: unknown) {
    const client = sdkClient(emulator, "http1");
    try {
      return await rejectionOf(
        client.send(
          new InvokeModelCommand({ modelId, body: JSON.stringify(body), contentType: "application/json" }),
        ),
      );
    } finally {
      client.destroy();
    }
  }

  it("answers Cohere Rerank in its recorded shape, honouring top_n", async () => {
    const answer = await invoke(COHERE, { query, documents, api_version: 2, top_n: 2 });
    expect(answer).toEqual({
      results: [
        { index: 1, relevance_score: 0.8333 },
        { index: 0, relevance_score: 0.6667 },
      ],
    });
    expect(emulator.requests.at(-1)?.source).toBe("synthesized");
  });

  it("answers Amazon Rerank with every document when there is no top_n", async () => {
    const answer = await invoke(AMAZON, { query, documents });
    expect(answer).toEqual({
      results: [
        { index: 1, relevance_score: 0.8333 },
        { index: 0, relevance_score: 0.6667 },
        { index: 3, relevance_score: 0.5 },
        { index: 2, relevance_score: 0 },
      ],
    });
  });

  it("gives every rerank model of the catalog an answer that fits its spec's response schema", async () => {
    const rerankers = (Object.values(catalog) as CatalogEntry[]).filter((entry) =>
      entry.operations.includes("rerank"),
    );
    expect(rerankers.map((entry) => entry.id).sort()).toEqual([AMAZON, COHERE]);
    const ajv = new Ajv({ strict: false });
    for (const entry of rerankers) {
      const family = await familyLoaders[entry.family as keyof typeof familyLoaders]();
      const mapping = family.descriptor.rerank!;
      // The test's own small encoder: constants, query and documents at the spec's pointers.
      const body: Record<string, unknown> = {};
      for (const [pointer, value] of Object.entries(mapping.request.constants ?? {}))
        writePointer(body, pointer, value);
      writePointer(body, mapping.request.query.to, query);
      writePointer(body, mapping.request.documents.to, documents);
      const answer = await invoke(entry.id, body);
      const schemas = await nativeSchemaLoaders[entry.family as keyof typeof nativeSchemaLoaders]();
      expect(ajv.validate(schemas.rerank_response!, answer), entry.id).toBe(true);
      expect((answer.results as unknown[]).length, entry.id).toBe(documents.length);
    }
  });

  it.each([
    [
      "Cohere without api_version",
      COHERE,
      { query, documents },
      "Malformed input request: #: required key [api_version] not found, please reformat your input and try again.",
    ],
    [
      "Amazon with Cohere's api_version",
      AMAZON,
      { query, documents, api_version: 2 },
      "Malformed input request: #: extraneous key [api_version] is not permitted, please reformat your input and try again.",
    ],
    [
      "no documents",
      AMAZON,
      { query, documents: [] },
      "Malformed input request: #/documents: expected minimum item count: 1, found: 0, please reformat your input and try again.",
    ],
    [
      "a document that is an object",
      COHERE,
      { query, documents: [{ text: "x" }], api_version: 2 },
      "Malformed input request: #/documents/0: expected type: String, found: JSONObject, please reformat your input and try again.",
    ],
    [
      "top_n of 0",
      AMAZON,
      { query, documents, top_n: 0 },
      "Malformed input request: #/top_n: 0 is not greater or equal to 1, please reformat your input and try again.",
    ],
  ])("validates the body against the spec's schema: %s", async (_name, modelId, body, message) => {
    const error = await invokeError(modelId, body);
    expect(error.name).toBe("ValidationException");
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(message);
  });

  it("refuses streaming and Converse for rerank models", async () => {
    const client = sdkClient(emulator, "http1");
    const stream = await rejectionOf(
      client.send(
        new InvokeModelWithResponseStreamCommand({
          modelId: COHERE,
          body: JSON.stringify({ query, documents, api_version: 2 }),
          contentType: "application/json",
        }),
      ),
    );
    expect(stream.message).toBe("The model is unsupported for streaming.");
    const converse = await rejectionOf(
      client.send(
        new ConverseCommand({ modelId: AMAZON, messages: [{ role: "user", content: [{ text: "hi" }] }] }),
      ),
    );
    expect(converse.message).toBe(
      "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
    );
    client.destroy();
  });
});

describe("rerank fixtures in hybrid mode", () => {
  it("replays the recorded Cohere answer for the recorded body and synthesizes others", async () => {
    const emulator = await startEmulator({
      fixtures: [new URL("../fixtures/cohere-rerank", import.meta.url).pathname],
    });
    try {
      const client = sdkClient(emulator, "http1");
      const recorded = (await import("../fixtures/cohere-rerank/rerank.json", { with: { type: "json" } }))
        .default;
      const output = await client.send(
        new InvokeModelCommand({
          modelId: COHERE,
          body: JSON.stringify(recorded.request),
          contentType: "application/json",
        }),
      );
      expect(JSON.parse(Buffer.from(output.body!).toString("utf8"))).toEqual(recorded.response);
      expect(output.$metadata.requestId).toBe("de4d85e7-fe35-4809-bda9-7675d0eb091f");
      const other = await client.send(
        new InvokeModelCommand({
          modelId: COHERE,
          body: JSON.stringify({ query, documents, api_version: 2, top_n: 1 }),
          contentType: "application/json",
        }),
      );
      expect(JSON.parse(Buffer.from(other.body!).toString("utf8"))).toEqual({
        results: [{ index: 1, relevance_score: 0.8333 }],
      });
      expect(emulator.requests.map((request) => request.source)).toEqual(["fixture", "synthesized"]);
      client.destroy();
    } finally {
      await emulator.close();
    }
  });
});
