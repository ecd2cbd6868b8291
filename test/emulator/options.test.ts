import { BedrockRuntimeClient, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterEach, describe, expect, it } from "vitest";
import { exampleCredentials, startEmulator } from "../../emulator/index.js";
import type { Emulator } from "../../emulator/types.js";

const model = "meta.llama3-8b-instruct-v1:0";
const fixture = {
  source: "test",
  provenance: "documented-example",
  operation: "invoke",
  modelId: model,
  http: { method: "POST", uri: "", status: 200, requestHeaders: {}, responseHeaders: {} },
  request: {},
  response: { generation: "Hi", prompt_token_count: 1, generation_token_count: 1, stop_reason: "stop" },
};

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function client(url: string) {
  return new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: url,
    credentials: exampleCredentials,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
}

async function invoke(url: string, body: unknown) {
  const output = await client(url).send(
    new InvokeModelCommand({
      modelId: model,
      body: JSON.stringify(body),
      contentType: "application/json",
      accept: "application/json",
    }),
  );
  return JSON.parse(Buffer.from(output.body!).toString("utf8"));
}

describe("emulator options for contract tests", () => {
  it("validateReplayed rejects a wrong body even when a fixture would answer it", async () => {
    emulator = await startEmulator({ mode: "replay", fixtures: [fixture as never], validateReplayed: true });
    await expect(invoke(emulator.url, { prompt: "x", max_gen_len: 5000 })).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("max_gen_len"),
    });
    expect(await invoke(emulator.url, { prompt: "x", max_gen_len: 5 })).toEqual(fixture.response);
  });

  it("validateReplayed checks the bodies respond answers too", async () => {
    emulator = await startEmulator({
      mode: "replay",
      validateReplayed: true,
      respond: () => ({ generation: "from code", stop_reason: "stop" }),
    });
    await expect(invoke(emulator.url, { prompt: "x", max_gen_len: 5000 })).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("max_gen_len"),
    });
    expect(await invoke(emulator.url, { prompt: "x", max_gen_len: 5 })).toEqual({
      generation: "from code",
      stop_reason: "stop",
    });
  });

  it("replays other bodies as they are without validateReplayed", async () => {
    emulator = await startEmulator({ mode: "replay", fixtures: [fixture as never] });
    expect(await invoke(emulator.url, { prompt: "x", max_gen_len: 5000 })).toEqual(fixture.response);
  });

  it("respond answers from code, before fixtures, and passes requests through when it returns undefined", async () => {
    emulator = await startEmulator({
      mode: "hybrid",
      fixtures: [fixture as never],
      respond: ({ body }) =>
        (body as { prompt: string }).prompt === "custom"
          ? { generation: "from code", stop_reason: "stop" }
          : undefined,
    });
    expect(await invoke(emulator.url, { prompt: "custom" })).toEqual({
      generation: "from code",
      stop_reason: "stop",
    });
    expect(await invoke(emulator.url, { prompt: "other" })).toEqual(fixture.response);
    expect(emulator.requests.map((request) => request.source)).toEqual(["respond", "fixture"]);
  });
});
