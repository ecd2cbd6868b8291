/**
 * `bedrock.rerank.create` through the real AWS SDK against the emulator: the native bodies the runtime
 * sends for each rerank family, the Cohere-shaped results it reads back, cost from the catalog, and the
 * request errors raised before any call. Expected scores are the emulator's documented rule (the share of
 * the query's distinct words a document contains), worked out by hand here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/index.js";
import type { Emulator } from "../../emulator/types.js";
import {
  BedrockCallError,
  createBedrock,
  ModelNotSupportedError,
  RequestValidationError,
  uncheckedModel,
} from "../../runtime/index.js";

const credentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

const query = "capital of France";
// Query words {capital, of, france}: 2/3, 3/3, 1/3 and 0/3 of them.
const documents = [
  "Berlin is the capital of Germany.",
  "Paris is the capital of France.",
  "France exports wine.",
  "Bananas are yellow.",
];

let emulator: Emulator;
let bedrock: ReturnType<typeof createBedrock>;

beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize" });
  bedrock = createBedrock({
    region: "us-west-2",
    endpoint: emulator.url,
    credentials,
    num_retries: 0,
    onWarning: () => {},
  });
});

afterAll(async () => {
  await emulator?.close();
});

const lastRequest = () => emulator.requests.at(-1)!;

describe("rerank through the runtime and the emulator", () => {
  it("Cohere Rerank 3.5: api_version 2, the query and texts, top_n; results most relevant first", async () => {
    const result = await bedrock.rerank.create({
      model: "cohere.rerank-v3-5:0",
      query,
      documents,
      top_n: 3,
    });
    expect(lastRequest().modelId).toBe("cohere.rerank-v3-5:0");
    expect(lastRequest().body).toEqual({ query, documents, api_version: 2, top_n: 3 });
    expect(result).toEqual({
      id: lastRequest().id,
      // Each result carries its document unless return_documents is false (LiteLLM back-fills it).
      results: [
        { index: 1, relevance_score: 1, document: { text: documents[1] } },
        { index: 0, relevance_score: 0.6667, document: { text: documents[0] } },
        { index: 2, relevance_score: 0.3333, document: { text: documents[2] } },
      ],
      model: "cohere.rerank-v3-5:0",
      meta: { billed_units: { search_units: 1 } },
      usage: { search_units: 1, cost: 0.002 },
    });
  });

  it("Amazon Rerank 1.0: no api_version; every document back without top_n", async () => {
    const result = await bedrock.rerank.create({
      model: "amazon.rerank-v1:0",
      query,
      documents,
      return_documents: false,
    });
    expect(lastRequest().body).toEqual({ query, documents });
    expect(result.results).toEqual([
      { index: 1, relevance_score: 1 },
      { index: 0, relevance_score: 0.6667 },
      { index: 2, relevance_score: 0.3333 },
      { index: 3, relevance_score: 0 },
    ]);
    expect(result.usage).toEqual({ search_units: 1, cost: 0.001 });
  });

  it("takes top_n: null as not given (LiteLLM's rerank() sends None)", async () => {
    const result = await bedrock.rerank.create({
      model: "cohere.rerank-v3-5:0",
      query,
      documents,
      top_n: null,
    } as never);
    expect(lastRequest().body).toEqual({ query, documents, api_version: 2 });
    expect(result.results).toHaveLength(documents.length);
  });

  it("sends {text} objects as their text and answers return_documents from the request", async () => {
    const result = await bedrock.rerank.create({
      model: "cohere.rerank-v3-5:0",
      query,
      documents: [{ text: documents[0]! }, documents[1]!],
      top_n: 1,
      return_documents: true,
    });
    expect(lastRequest().body).toEqual({
      query,
      documents: [documents[0], documents[1]],
      api_version: 2,
      top_n: 1,
    });
    expect(result.results).toEqual([
      { index: 1, relevance_score: 1, document: { text: "Paris is the capital of France." } },
    ]);
  });

  it("maps max_tokens_per_doc for Cohere", async () => {
    await bedrock.rerank.create({
      model: "cohere.rerank-v3-5:0",
      query,
      documents,
      max_tokens_per_doc: 512,
    });
    expect(lastRequest().body).toEqual({ query, documents, api_version: 2, max_tokens_per_doc: 512 });
  });

  it("bills one query per started block of 100 documents", async () => {
    const many = Array.from({ length: 150 }, (_, index) => `document ${index} about France`);
    const cohere = await bedrock.rerank.create({
      model: "cohere.rerank-v3-5:0",
      query,
      documents: many,
      top_n: 2,
    });
    expect(cohere.meta.billed_units.search_units).toBe(2);
    expect(cohere.usage).toEqual({ search_units: 2, cost: 0.004 });
    expect(cohere.results.map((result) => result.index)).toEqual([0, 1]);
    const amazon = await bedrock.rerank.create({
      model: "amazon.rerank-v1:0",
      query,
      documents: many.slice(0, 100),
      top_n: 1,
    });
    expect(amazon.usage).toEqual({ search_units: 1, cost: 0.001 });
  });

  it("accepts bedrock/ names and sends model_id as the wire id", async () => {
    const arn = "arn:aws:bedrock:us-west-2::foundation-model/cohere.rerank-v3-5:0";
    const result = await bedrock.rerank.create({
      model: "bedrock/cohere.rerank-v3-5:0",
      model_id: arn,
      query,
      documents,
      top_n: 1,
    });
    expect(lastRequest().modelId).toBe(arn);
    expect(result.model).toBe("cohere.rerank-v3-5:0");
    expect(result.usage.cost).toBe(0.002);
  });

  it("uses per-request aws_* credentials (and fails with Bedrock's error for wrong ones)", async () => {
    const plain = createBedrock({ region: "us-west-2", endpoint: emulator.url, num_retries: 0 });
    const result = await plain.rerank.create({
      model: "amazon.rerank-v1:0",
      query,
      documents,
      top_n: 1,
      aws_access_key_id: credentials.accessKeyId,
      aws_secret_access_key: credentials.secretAccessKey,
    });
    expect(result.results).toEqual([{ index: 1, relevance_score: 1, document: { text: documents[1] } }]);
    const error = await plain.rerank
      .create({
        model: "amazon.rerank-v1:0",
        query,
        documents,
        aws_access_key_id: credentials.accessKeyId,
        aws_secret_access_key: "not-the-secret",
      })
      .catch((caught: unknown) => caught);
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect((error as BedrockCallError).awsErrorName).toBe("InvalidSignatureException");
  });

  it("maps Bedrock errors (a throttled call) to the typed error", async () => {
    const error = await bedrock.rerank
      .create({
        model: "cohere.rerank-v3-5:0",
        query,
        documents,
        extra_headers: { "x-bedrock-forge-fault": "throttle" },
      })
      .catch((caught: unknown) => caught);
    expect(BedrockCallError.isInstance(error)).toBe(true);
    expect((error as BedrockCallError).status).toBe(429);
    expect((error as BedrockCallError).awsErrorName).toBe("ThrottlingException");
  });
});

describe("rerank request errors, raised before any call", () => {
  const tooMany = Array.from({ length: 1001 }, (_, index) => `document ${index}`);
  const cases: readonly {
    readonly name: string;
    readonly body: Record<string, unknown>;
    readonly param: string;
    readonly message: RegExp;
  }[] = [
    {
      name: "an empty query",
      body: { model: "cohere.rerank-v3-5:0", query: "  ", documents },
      param: "query",
      message: /query must be a non-empty string/,
    },
    {
      name: "a missing query",
      body: { model: "cohere.rerank-v3-5:0", documents },
      param: "query",
      message: /query must be a non-empty string/,
    },
    {
      name: "no documents",
      body: { model: "cohere.rerank-v3-5:0", query, documents: [] },
      param: "documents",
      message: /documents must be a non-empty list/,
    },
    {
      name: "an empty document",
      body: { model: "amazon.rerank-v1:0", query, documents: ["a", ""] },
      param: "documents[1]",
      message: /documents\[1\] is empty/,
    },
    {
      name: "a document that is neither a string nor {text}",
      body: { model: "amazon.rerank-v1:0", query, documents: ["a", { title: "b" }] },
      param: "documents[1]",
      message: /documents\[1\] must be a string or an object with a string `text`/,
    },
    {
      name: "too many documents",
      body: { model: "cohere.rerank-v3-5:0", query, documents: tooMany },
      param: "documents",
      message: /1001 documents are too many for cohere\.rerank-v3-5:0: it reranks at most 1000 per request/,
    },
    {
      name: "top_n of 0",
      body: { model: "cohere.rerank-v3-5:0", query, documents, top_n: 0 },
      param: "top_n",
      message: /top_n=0 is out of range for 4 documents: it must be an integer from 1 to 4/,
    },
    {
      name: "top_n above the number of documents",
      body: { model: "amazon.rerank-v1:0", query, documents, top_n: 5 },
      param: "top_n",
      message: /top_n=5 is out of range for 4 documents/,
    },
    {
      name: "a fractional top_n",
      body: { model: "amazon.rerank-v1:0", query, documents, top_n: 1.5 },
      param: "top_n",
      message: /top_n=1\.5 is out of range/,
    },
    {
      name: "return_documents that is not a boolean",
      body: { model: "amazon.rerank-v1:0", query, documents, return_documents: "yes" },
      param: "return_documents",
      message: /return_documents must be true or false/,
    },
    {
      name: "max_tokens_per_doc for Amazon Rerank (rejected by its spec)",
      body: { model: "amazon.rerank-v1:0", query, documents, max_tokens_per_doc: 512 },
      param: "max_tokens_per_doc",
      message: /max_tokens_per_doc is not supported by amazon\.rerank-v1:0: Amazon Rerank 1\.0 has no/,
    },
    {
      name: "max_tokens_per_doc above Cohere's range",
      body: { model: "cohere.rerank-v3-5:0", query, documents, max_tokens_per_doc: 5000 },
      param: "max_tokens_per_doc",
      message:
        /max_tokens_per_doc=5000 is out of range for cohere\.rerank-v3-5:0: it must be between 1 and 4096/,
    },
    {
      name: "rank_fields for Cohere with api_version 2",
      body: { model: "cohere.rerank-v3-5:0", query, documents, rank_fields: ["text"] },
      param: "rank_fields",
      message: /rank_fields is not supported by cohere\.rerank-v3-5:0/,
    },
  ];

  it.each(cases)("$name", async ({ body, param, message }) => {
    const before = emulator.requests.length;
    const error = await bedrock.rerank.create(body as never).catch((caught: unknown) => caught);
    expect(RequestValidationError.isInstance(error), String(error)).toBe(true);
    expect((error as RequestValidationError).param).toBe(param);
    expect((error as RequestValidationError).status).toBe(400);
    expect((error as Error).message).toMatch(message);
    expect(emulator.requests.length).toBe(before);
  });

  it("refuses a model without the rerank operation, and rerank models for chat", async () => {
    const before = emulator.requests.length;
    const notRerank = await bedrock.rerank
      .create({ model: uncheckedModel("cohere.embed-english-v3"), query, documents })
      .catch((caught: unknown) => caught);
    expect(notRerank).toBeInstanceOf(ModelNotSupportedError);
    expect((notRerank as Error).message).toBe(
      "cohere.embed-english-v3 does not support rerank (it supports: embeddings)",
    );
    const notChat = await bedrock.chat.completions
      .create({ model: uncheckedModel("cohere.rerank-v3-5:0"), messages: [{ role: "user", content: "Hi" }] })
      .catch((caught: unknown) => caught);
    expect(notChat).toBeInstanceOf(ModelNotSupportedError);
    expect((notChat as Error).message).toBe(
      "cohere.rerank-v3-5:0 does not support chat (it supports: rerank)",
    );
    expect(emulator.requests.length).toBe(before);
  });
});
