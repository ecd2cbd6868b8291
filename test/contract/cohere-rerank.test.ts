/**
 * Cohere Rerank's fixture (a verbatim recorded call) through the runtime, the real AWS SDK and the emulator
 * replaying it: the runtime must send exactly the recorded body and read the recorded answer.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/index.js";
import type { Emulator } from "../../emulator/types.js";
import { BedrockCallError, createBedrock } from "../../runtime/index.js";
import { loadFixture } from "./fixture-replay.js";

const fixture = loadFixture("cohere-rerank", "rerank");
const request = fixture.request as { query: string; documents: string[]; top_n: number };
let emulator: Emulator;
let bedrock: ReturnType<typeof createBedrock>;

beforeAll(async () => {
  emulator = await startEmulator({
    mode: "replay",
    fixtures: [path.join(import.meta.dirname, "../fixtures/cohere-rerank")],
  });
  bedrock = createBedrock({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: {
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
    num_retries: 0,
  });
});

afterAll(async () => {
  await emulator?.close();
});

describe("cohere-rerank contract", () => {
  it("sends api_version 2 with the query, texts and top_n; reads index and score in ranked order", async () => {
    const result = await bedrock.rerank.create({
      model: "cohere.rerank-v3-5:0",
      query: "What is the capital of the United States?",
      documents: request.documents,
      top_n: 3,
      // The scores and order are what this contract checks; the back-filled texts are the runtime's own.
      return_documents: false,
    });
    expect(emulator.requests.at(-1)?.source).toBe("fixture");
    expect(emulator.requests.at(-1)?.body).toEqual(fixture.request);
    expect(result).toEqual({
      id: "de4d85e7-fe35-4809-bda9-7675d0eb091f",
      results: [
        { index: 2, relevance_score: 0.8742601 },
        { index: 0, relevance_score: 0.1728413 },
        { index: 4, relevance_score: 0.10793502 },
      ],
      model: "cohere.rerank-v3-5:0",
      meta: { billed_units: { search_units: 1 } },
      usage: { search_units: 1, cost: 0.002 },
    });
  });

  it("returns the documents' texts with return_documents, without sending the flag", async () => {
    const result = await bedrock.rerank.create({
      model: "cohere.rerank-v3-5:0",
      query: request.query,
      documents: request.documents.map((text) => ({ text })),
      top_n: 3,
      return_documents: true,
    });
    expect(emulator.requests.at(-1)?.body).toEqual(fixture.request);
    expect(result.results.map((item) => item.document?.text.slice(0, 20))).toEqual([
      "Washington, D.C. (al",
      "Carson City is the c",
      "Capital punishment h",
    ]);
  });

  it("gets no recorded answer for a different body (the replay checks what was sent)", async () => {
    const error = await bedrock.rerank
      .create({ model: "cohere.rerank-v3-5:0", query: request.query, documents: request.documents, top_n: 2 })
      .catch((caught: unknown) => caught);
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect((error as BedrockCallError).awsErrorName).toBe("ValidationException");
  });
});
