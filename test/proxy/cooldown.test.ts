/**
 * Cooldowns (LiteLLM's `allowed_fails` and `cooldown_time`): a deployment that keeps failing is left out
 * of its model name's turns for a while, so later requests do not pay for its failures; when every
 * deployment of a name is cooling down the answer is a 429 at once (which fallbacks take), and a cooled
 * deployment is tried again once its time is up. Through the proxy, the openai client and the emulator.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseProxyConfig } from "../../proxy/config.js";
import { claude, type Harness, paramsFor, startHarness } from "./helpers.js";

const hello = [{ role: "user" as const, content: "hello" }];
const cooldownSeconds = 1.5;

describe("cooldowns", () => {
  let harness: Harness;
  let client: OpenAI;

  beforeAll(async () => {
    harness = await startHarness((emulator) => {
      const throttled = paramsFor(emulator, claude, {
        extra_headers: { "x-bedrock-forge-fault": "throttle" },
      });
      return {
        model_list: [
          { model_name: "flaky", litellm_params: throttled, model_info: { id: "bad" } },
          { model_name: "flaky", litellm_params: paramsFor(emulator, claude), model_info: { id: "good" } },
          { model_name: "down", litellm_params: throttled, model_info: { id: "down-1" } },
          { model_name: "down-with-fallback", litellm_params: throttled, model_info: { id: "down-2" } },
          {
            model_name: "healthy",
            litellm_params: paramsFor(emulator, claude),
            model_info: { id: "healthy-1" },
          },
        ],
        router_settings: {
          allowed_fails: 1,
          cooldown_time: cooldownSeconds,
          fallbacks: [{ "down-with-fallback": ["healthy"] }],
        },
      };
    });
    client = harness.client();
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** Throttled calls the emulator answered for a deployment of the harness (its fault header marks them). */
  const throttledCalls = () =>
    harness.emulator.requests.filter((request) => request.headers["x-bedrock-forge-fault"] === "throttle")
      .length;

  const servedBy = async (model: string) => {
    const { response } = await client.chat.completions.create({ model, messages: hello }).withResponse();
    return response.headers.get("x-bedrock-forge-deployment");
  };

  it("leaves a failing deployment out of the turns once it failed more than allowed_fails times", async () => {
    const before = throttledCalls();
    // bad, good, bad, good …: bad fails on its turns 1 and 2 (more than 1 failure) and cools down.
    for (let index = 0; index < 4; index++) expect(await servedBy("flaky")).toBe("good");
    expect(throttledCalls() - before).toBe(2);
    expect(harness.logs.some((line) => /bad: cooling down/.test(line.msg))).toBe(true);
    // While it cools down, its turns go straight to the healthy one: no more failed attempts.
    for (let index = 0; index < 4; index++) expect(await servedBy("flaky")).toBe("good");
    expect(throttledCalls() - before).toBe(2);
    expect(harness.requestLogs().at(-1)).toMatchObject({ attempts: 1 });
    // Once the cooldown is over, it is tried again.
    await new Promise((resolve) => setTimeout(resolve, cooldownSeconds * 1000 + 100));
    for (let index = 0; index < 2; index++) expect(await servedBy("flaky")).toBe("good");
    expect(throttledCalls() - before).toBe(3);
  });

  it("answers 429 at once when every deployment of a name is cooling down, and fallbacks take it", async () => {
    for (const model of ["down", "down-with-fallback"]) {
      for (let index = 0; index < 2; index++) {
        const error = await client.chat.completions
          .create({ model, messages: hello })
          .catch((caught) => caught);
        if (model === "down") expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      }
    }
    const before = harness.emulator.requests.length;
    const error = await client.chat.completions
      .create({ model: "down", messages: hello })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe("no_deployments_available");
    expect(harness.emulator.requests.length).toBe(before);
    // The same 429 moves a request with fallbacks on to them, without calling the cooled deployment.
    expect(await servedBy("down-with-fallback")).toBe("healthy-1");
    expect(harness.emulator.requests.length).toBe(before + 1);
  });
});

describe("cooldown settings", () => {
  const base = `model_list:\n  - model_name: a\n    litellm_params: { model: bedrock/${claude}, aws_region_name: us-east-1 }\n`;

  it("are off unless configured, and take the other's default when only one is given", () => {
    expect(parseProxyConfig(base, "config.yaml", { env: {} }).cooldown).toBeUndefined();
    expect(
      parseProxyConfig(`${base}router_settings:\n  allowed_fails: 3\n`, "config.yaml", { env: {} }).cooldown,
    ).toEqual({ allowedFails: 3, cooldownMs: 5000 });
    expect(
      parseProxyConfig(`${base}litellm_settings:\n  cooldown_time: 30\n`, "config.yaml", { env: {} })
        .cooldown,
    ).toEqual({ allowedFails: 0, cooldownMs: 30_000 });
  });
});
