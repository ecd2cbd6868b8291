import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, paramsFor, startHarness } from "./helpers.js";

const model = "cohere.rerank-v3-5:0";
const documents = [
  "Carson City is the capital city of the American state of Nevada.",
  "Washington, D.C. is the capital of the United States.",
  "Capital punishment has existed in the United States since before it was a country.",
];

describe("POST /v1/rerank and /rerank", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [{ model_name: "reranker", litellm_params: paramsFor(emulator, model) }],
    }));
  });
  afterAll(async () => harness?.close());

  it.each(["/v1/rerank", "/rerank"])("ranks documents in Cohere's shape with the cost (%s)", async (path) => {
    const response = await fetch(`${harness.proxy.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "reranker",
        query: "What is the capital of the United States?",
        documents,
        top_n: 2,
        return_documents: true,
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      results: { index: number; relevance_score: number; document?: { text: string } }[];
      usage: { search_units: number; cost: number };
    };
    expect(body.results).toHaveLength(2);
    expect(body.results[0]!.relevance_score).toBeGreaterThanOrEqual(body.results[1]!.relevance_score);
    expect(body.results[0]!.document?.text).toBe(documents[body.results[0]!.index]);
    expect(body.usage).toEqual({ search_units: 1, cost: 0.002 });
    expect(response.headers.get("x-bedrock-forge-cost-usd")).toBe("0.002");
    const sent = harness.emulator.requests.at(-1)!;
    expect(sent.body).toMatchObject({
      query: "What is the capital of the United States?",
      documents,
      top_n: 2,
      api_version: 2,
    });
  });

  it.each([
    [{ model: "reranker", documents }, "query is required"],
    [{ model: "reranker", query: "q", documents: [] }, "documents"],
    [{ model: "reranker", query: "q", documents: [42] }, "documents[0]"],
    [{ model: "reranker", query: "q", documents, top_n: 0 }, "top_n"],
  ])("rejects %j with a 400 naming the field", async (request, field) => {
    const response = await fetch(`${harness.proxy.url}/v1/rerank`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toContain(field);
  });
});
