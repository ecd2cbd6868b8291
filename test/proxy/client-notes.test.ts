/**
 * What clients send along (`metadata`, `user`, `tags`, `store: false`, `service_tier`), the `model` an
 * answer names, and LiteLLM's custom prices.
 *
 * Sources: the fields are OpenAI's Chat Completions params (`metadata`: up to 16 pairs, keys up to 64
 * and values up to 512 characters; `store`, `user`, `service_tier`,
 * https://platform.openai.com/docs/api-reference/chat/create) and LiteLLM's request `tags`
 * (docs.litellm.ai "Tag Based Routing"); custom prices are LiteLLM's `input_cost_per_token` /
 * `output_cost_per_token` in `litellm_params` or `model_info` (docs.litellm.ai "Custom Pricing").
 */
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readClientNotes, summarizeMetadata } from "../../proxy/client-notes.js";
import { priceTokens, readChatUsage, readMessagesUsage, readResponsesUsage } from "../../proxy/usage.js";
import { claude, type Harness, paramsFor, postRaw, startHarness, titanEmbed, waitFor } from "./helpers.js";

const inputPrice = 0.001;
const outputPrice = 0.002;

describe("bookkeeping fields and prices, unit by unit", () => {
  it("keeps at most 16 metadata entries, keys cut at 64 and values at 512 characters", () => {
    const metadata: Record<string, unknown> = {};
    for (let index = 0; index < 20; index++) metadata[`key${index}`] = `value${index}`;
    metadata.key0 = "x".repeat(600);
    const summary = summarizeMetadata(metadata);
    expect(Object.keys(summary)).toHaveLength(17);
    expect(summary["…"]).toBe("more entries not logged");
    expect(summary.key0).toHaveLength(513);
    expect(summarizeMetadata({ ["k".repeat(100)]: { nested: [1, 2] } })).toEqual({
      [`${"k".repeat(64)}…`]: '{"nested":[1,2]}',
    });
  });

  it("refuses store: true and reads nothing when no bookkeeping is sent", () => {
    expect(() => readClientNotes({ store: true })).toThrow(/store: true is not supported/);
    expect(readClientNotes({ store: false, model: "m" })).toBeUndefined();
    expect(readClientNotes({ user: "u-1", tags: ["a", "b"], service_tier: "auto" })).toEqual({
      user: "u-1",
      tags: ["a", "b"],
      service_tier: "auto",
    });
  });

  it.each([
    // OpenAI: prompt_tokens includes cached tokens.
    [
      "chat",
      readChatUsage({
        prompt_tokens: 100,
        completion_tokens: 10,
        prompt_tokens_details: { cached_tokens: 40 },
      }),
      { input: 60, output: 10, cacheRead: 40, cacheWrite: 0 },
    ],
    [
      "responses",
      readResponsesUsage({
        input_tokens: 100,
        output_tokens: 10,
        input_tokens_details: { cached_tokens: 40 },
      }),
      { input: 60, output: 10, cacheRead: 40, cacheWrite: 0 },
    ],
    // Anthropic: input_tokens excludes cache reads and writes.
    [
      "messages",
      readMessagesUsage({
        input_tokens: 60,
        output_tokens: 10,
        cache_read_input_tokens: 40,
        cache_creation_input_tokens: 5,
      }),
      { input: 60, output: 10, cacheRead: 40, cacheWrite: 5 },
    ],
  ])("reads %s usage in one form", (_api, counts, expected) => {
    expect(counts).toMatchObject(expected);
  });

  it("prices cache tokens at the input price unless priced apart", () => {
    const counts = { input: 60, output: 10, cacheRead: 40, cacheWrite: 0, cost: null };
    expect(priceTokens(counts, { inputPerToken: 0.001, outputPerToken: 0.002 })).toBeCloseTo(0.12, 12);
    expect(
      priceTokens(counts, { inputPerToken: 0.001, outputPerToken: 0.002, cacheReadPerToken: 0.0001 }),
    ).toBeCloseTo(0.06 + 0.02 + 0.004, 12);
  });
});

describe("bookkeeping fields, model names and custom prices through the proxy", () => {
  let harness: Harness;
  let client: OpenAI;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        { model_name: "team-claude", litellm_params: paramsFor(emulator, claude) },
        {
          model_name: "priced-claude",
          litellm_params: paramsFor(emulator, claude, {
            input_cost_per_token: inputPrice,
            output_cost_per_token: outputPrice,
          }),
        },
        {
          model_name: "priced-embed",
          litellm_params: paramsFor(emulator, titanEmbed),
          model_info: { input_cost_per_token: inputPrice },
        },
      ],
    }));
    client = harness.client();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("accepts metadata, user, tags, store: false and service_tier, logs them and sends none to Bedrock", async () => {
    const before = harness.emulator.requests.length;
    const completion = await client.chat.completions.create({
      model: "team-claude",
      messages: [{ role: "user", content: "hi" }],
      metadata: { team: "search", ticket: "T-1" },
      user: "user-42",
      store: false,
      service_tier: "auto",
      // LiteLLM's request tags, as an extra body field.
      ...({ tags: ["batch", "nightly"] } as object),
    });
    expect(completion.object).toBe("chat.completion");
    const sent = harness.emulator.requests.slice(before);
    expect(sent).toHaveLength(1);
    const body = JSON.stringify(sent[0]!.body);
    for (const field of ["metadata", "user-42", "nightly", "service_tier", "store", "T-1"])
      expect(body).not.toContain(field);
    await waitFor(() => harness.requestLogs().some((line) => line.user === "user-42"));
    const line = harness.requestLogs().find((entry) => entry.user === "user-42")!;
    expect(line).toMatchObject({
      metadata: { team: "search", ticket: "T-1" },
      tags: ["batch", "nightly"],
      service_tier: "auto",
    });
  });

  it.each([
    [{ store: true }, 400, "store", "unsupported_param"],
    [{ metadata: "team=search" }, 400, "metadata", "invalid_type"],
    [{ tags: "batch" }, 400, "tags", "invalid_type"],
  ])("refuses %j", async (extra, status, param, code) => {
    const answer = await postRaw(
      `${harness.proxy.url}/v1/chat/completions`,
      JSON.stringify({ model: "team-claude", messages: [{ role: "user", content: "hi" }], ...extra }),
    );
    expect(answer.status).toBe(status);
    expect((answer.json as { error: object }).error).toMatchObject({ param, code });
  });

  it("names the model the client asked for in every answer and every stream chunk", async () => {
    const completion = await client.chat.completions.create({
      model: "team-claude",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.model).toBe("team-claude");
    const stream = await client.chat.completions.create({
      model: "team-claude",
      messages: [{ role: "user", content: "tell me a story" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const models = new Set<string>();
    let chunks = 0;
    for await (const chunk of stream) {
      models.add(chunk.model);
      chunks++;
    }
    expect(chunks).toBeGreaterThan(2);
    expect([...models]).toEqual(["team-claude"]);
    const embedding = await client.embeddings.create({ model: "priced-embed", input: "hello" });
    expect(embedding.model).toBe("priced-embed");
  });

  it("prices an answer with the deployment's own prices, in usage, the header, the log and the metrics", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "priced-claude", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    const usage = data.usage as OpenAI.CompletionUsage & { cost: number };
    const expected = usage.prompt_tokens * inputPrice + usage.completion_tokens * outputPrice;
    expect(usage.cost).toBeCloseTo(expected, 12);
    expect(Number(response.headers.get("x-bedrock-forge-cost-usd"))).toBeCloseTo(expected, 12);
    const metrics = await (await fetch(`${harness.proxy.url}/metrics`)).text();
    const line = metrics
      .split("\n")
      .find((entry) => entry.startsWith('bedrock_forge_cost_usd_total{model="priced-claude"}'));
    expect(Number(line?.split(" ")[1])).toBeCloseTo(expected, 12);
  });

  it("prices a stream's usage chunk and its cost trailer with the deployment's prices", async () => {
    const stream = await client.chat.completions.create({
      model: "priced-claude",
      messages: [{ role: "user", content: "tell me a story" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: (OpenAI.CompletionUsage & { cost: number }) | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage as typeof usage;
    expect(usage!.cost).toBeCloseTo(
      usage!.prompt_tokens * inputPrice + usage!.completion_tokens * outputPrice,
      12,
    );
  });

  it("prices embeddings with an input price from model_info", async () => {
    const embedding = await client.embeddings.create({
      model: "priced-embed",
      input: ["hello there", "bye"],
    });
    const usage = embedding.usage as OpenAI.Embeddings.CreateEmbeddingResponse.Usage & { cost: number };
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.cost).toBeCloseTo(usage.prompt_tokens * inputPrice, 12);
  });
});
