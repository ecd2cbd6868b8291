import net from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { claude, type Harness, paramsFor, startHarness } from "./helpers.js";

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const hello = [{ role: "user" as const, content: "hello" }];

describe("load balancing and failover", () => {
  let harness: Harness;
  let backup: Emulator;
  let client: OpenAI;

  /** Requests the backup emulator saw (the healthy second deployment of each group). */
  const backupCalls = () => backup.requests.length;

  beforeAll(async () => {
    backup = await startEmulator({ port: 0, host: "127.0.0.1" });
    const dead = `http://127.0.0.1:${await deadPort()}`;
    harness = await startHarness((emulator) => {
      const fault = (name: string, extra: Record<string, unknown> = {}) =>
        paramsFor(emulator, claude, { extra_headers: { "x-bedrock-forge-fault": name }, ...extra });
      const healthy = paramsFor(backup, claude);
      const pair = (name: string, first: Record<string, unknown>) => [
        { model_name: name, litellm_params: first, model_info: { id: `${name}-primary` } },
        { model_name: name, litellm_params: healthy, model_info: { id: `${name}-backup` } },
      ];
      return {
        model_list: [
          { model_name: "balanced", litellm_params: paramsFor(emulator, claude), model_info: { id: "one" } },
          { model_name: "balanced", litellm_params: paramsFor(backup, claude), model_info: { id: "two" } },
          {
            model_name: "weighted",
            litellm_params: paramsFor(emulator, claude, { weight: 3 }),
            model_info: { id: "heavy" },
          },
          {
            model_name: "weighted",
            litellm_params: paramsFor(backup, claude, { weight: 1 }),
            model_info: { id: "light" },
          },
          {
            model_name: "by-rpm",
            litellm_params: paramsFor(emulator, claude, { rpm: 100 }),
            model_info: { id: "slow" },
          },
          {
            model_name: "by-rpm",
            litellm_params: paramsFor(backup, claude, { rpm: 300 }),
            model_info: { id: "fast" },
          },
          ...pair("throttled", fault("throttle")),
          ...pair("dead", { ...paramsFor(emulator, claude), aws_bedrock_runtime_endpoint: dead }),
          ...pair("hangs", fault("timeout", { timeout: 0.3 })),
          ...pair("server-error", fault("500")),
          ...pair("bad-request", fault("context-window")),
          ...pair("breaks-midstream", fault("stream-error-after:2")),
          ...pair("breaks-at-once", fault("stream-error-after:0:throttling")),
          { model_name: "all-throttled", litellm_params: fault("throttle"), model_info: { id: "t1" } },
          { model_name: "all-throttled", litellm_params: fault("throttle"), model_info: { id: "t2" } },
        ],
      };
    });
    client = harness.client();
  });

  afterAll(async () => {
    await harness?.close();
    await backup?.close();
  });

  it("spreads requests over the deployments of a model name in turn", async () => {
    const served: string[] = [];
    for (let index = 0; index < 4; index++) {
      const { response } = await client.chat.completions
        .create({ model: "balanced", messages: hello })
        .withResponse();
      served.push(response.headers.get("x-bedrock-forge-deployment")!);
    }
    expect(served).toEqual(["one", "two", "one", "two"]);
  });

  it("spreads requests in proportion to weight, else rpm (LiteLLM's simple-shuffle keys), evenly interleaved", async () => {
    const served = async (model: string, count: number) => {
      const ids: string[] = [];
      for (let index = 0; index < count; index++) {
        const { response } = await client.chat.completions.create({ model, messages: hello }).withResponse();
        ids.push(response.headers.get("x-bedrock-forge-deployment")!);
      }
      return ids;
    };
    expect(await served("weighted", 8)).toEqual([
      "heavy",
      "heavy",
      "light",
      "heavy",
      "heavy",
      "heavy",
      "light",
      "heavy",
    ]);
    const byRpm = await served("by-rpm", 8);
    expect(byRpm.filter((id) => id === "fast")).toHaveLength(6);
    expect(byRpm.filter((id) => id === "slow")).toHaveLength(2);
    // The weights are not request params: Bedrock never sees them.
    expect(JSON.stringify(backup.requests.at(-1)!.body)).not.toMatch(/weight|rpm/);
  });

  for (const [group, why] of [
    ["throttled", "throttling (429)"],
    ["server-error", "a 500"],
    ["dead", "an endpoint that refuses connections"],
    ["hangs", "a deployment timeout"],
  ] as const) {
    it(`fails over to the next deployment on ${why}`, async () => {
      const before = backupCalls();
      const { data, response } = await client.chat.completions
        .create({ model: group, messages: hello })
        .withResponse();
      expect(data.choices[0]!.message.content).toMatch(/\S/);
      expect(response.headers.get("x-bedrock-forge-deployment")).toBe(`${group}-backup`);
      expect(backupCalls()).toBe(before + 1);
      const line = harness.requestLogs().at(-1)!;
      expect(line).toEqual(
        expect.objectContaining({
          status: 200,
          deployment: `${group}-backup`,
          attempts: 2,
          failovers: [expect.objectContaining({ deployment: `${group}-primary` })],
        }),
      );
    });
  }

  it("does not fail over on a client error (400)", async () => {
    const before = backupCalls();
    const error = await client.chat.completions
      .create({ model: "bad-request", messages: hello })
      .catch((caught) => caught);
    expect(error.status).toBe(400);
    expect(backupCalls()).toBe(before);
  });

  it("answers the last error when every deployment throttles", async () => {
    const error = await client.chat.completions
      .create({ model: "all-throttled", messages: hello })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(harness.requestLogs().at(-1)).toEqual(
      expect.objectContaining({
        status: 429,
        attempts: 2,
        failovers: [expect.anything(), expect.anything()],
      }),
    );
  });

  it("fails over a stream that has not sent anything yet", async () => {
    const before = backupCalls();
    const stream = await client.chat.completions.create({
      model: "throttled",
      messages: hello,
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toMatch(/\S/);
    expect(backupCalls()).toBe(before + 1);

    // The primary answered 200, then a throttling exception as its first event: nothing was sent to the client yet.
    const again = await client.chat.completions.create({
      model: "breaks-at-once",
      messages: hello,
      stream: true,
    });
    let more = "";
    for await (const chunk of again) more += chunk.choices[0]?.delta.content ?? "";
    expect(more).toMatch(/\S/);
    expect(backupCalls()).toBe(before + 2);
  });

  it("never fails over once a stream has started sending", async () => {
    const before = backupCalls();
    const stream = await client.chat.completions.create({
      model: "breaks-midstream",
      messages: hello,
      stream: true,
    });
    let chunks = 0;
    const error = await (async () => {
      for await (const _chunk of stream) chunks++;
    })().catch((caught) => caught);
    expect(chunks).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(backupCalls()).toBe(before);
  });
});

describe("num_retries", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        {
          model_name: "pair",
          litellm_params: paramsFor(emulator, claude, {
            extra_headers: { "x-bedrock-forge-fault": "throttle" },
          }),
        },
        { model_name: "pair", litellm_params: paramsFor(emulator, claude) },
      ],
      litellm_settings: { num_retries: 0 },
    }));
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("limits the attempts: num_retries 0 means no failover", async () => {
    const error = await harness
      .client()
      .chat.completions.create({ model: "pair", messages: hello })
      .catch((caught) => caught);
    expect(error.status).toBe(429);
    expect(harness.emulator.requests).toHaveLength(1);
  });
});
