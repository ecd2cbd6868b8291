/**
 * Amazon Rerank's fixture (the documented InvokeModel shape) through the runtime, the real AWS SDK and the
 * emulator replaying it: the runtime must send exactly the documented body and read the documented answer.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/index.js";
import type { Emulator } from "../../emulator/types.js";
import { createBedrock } from "../../runtime/index.js";
import { loadFixture } from "./fixture-replay.js";

const fixture = loadFixture("amazon-rerank", "rerank");
let emulator: Emulator;
let bedrock: ReturnType<typeof createBedrock>;

beforeAll(async () => {
  emulator = await startEmulator({
    mode: "replay",
    fixtures: [path.join(import.meta.dirname, "../fixtures/amazon-rerank")],
  });
  bedrock = createBedrock({
    region: "us-west-2",
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

describe("amazon-rerank contract", () => {
  it("sends the query, texts and top_n (no api_version); reads index and score in ranked order", async () => {
    const result = await bedrock.rerank.create({
      model: "amazon.rerank-v1:0",
      query: "How do I rotate an access key?",
      documents: [
        "Amazon S3 stores objects in buckets.",
        {
          text: "To rotate an access key, create a second key, update your applications, then deactivate and delete the first key.",
        },
        "Access keys are long-term credentials for an IAM user.",
      ],
      top_n: 2,
      // The scores and order are what this contract checks; the back-filled texts are the runtime's own.
      return_documents: false,
    });
    expect(emulator.requests.at(-1)?.source).toBe("fixture");
    expect(emulator.requests.at(-1)?.body).toEqual(fixture.request);
    expect(result).toEqual({
      id: "00000000-0000-4000-8000-000000000000",
      results: [
        { index: 1, relevance_score: 0.9137 },
        { index: 2, relevance_score: 0.3062 },
      ],
      model: "amazon.rerank-v1:0",
      meta: { billed_units: { search_units: 1 } },
      usage: { search_units: 1, cost: 0.001 },
    });
  });
});
