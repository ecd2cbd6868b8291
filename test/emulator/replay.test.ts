import {
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LoadedFixture, loadFixtureDir, operationOf } from "../../emulator/fixtures.js";
import { startEmulator } from "../../emulator/server.js";
import type { Emulator } from "../../emulator/types.js";
import { decodeEvents, json, modelPath, rawRequest, rejectionOf, sdkClient, withHeaders } from "./helpers.js";

const RECORDINGS = new URL("../recordings", import.meta.url).pathname;
const FIXTURES = new URL("../fixtures", import.meta.url).pathname;
/** New Relic's converse mocks do not store the model; their tests call this one. */
const DEFAULT_MODEL = "anthropic.claude-3-sonnet-20240229-v1:0";

const recordings = loadFixtureDir(RECORDINGS);
const fixtures = loadFixtureDir(FIXTURES);

function expectedErrorType(fixture: LoadedFixture["fixture"]): string {
  const header = Object.entries(fixture.http?.responseHeaders ?? {}).find(
    ([name]) => name.toLowerCase() === "x-amzn-errortype",
  );
  // Recordings that lost the header: a 400 from Bedrock is a ValidationException.
  return header ? header[1].split(":")[0]! : "ValidationException";
}

function requestBody(loaded: LoadedFixture): string {
  const { fixture } = loaded;
  if (fixture.request !== null && fixture.request !== undefined) return JSON.stringify(fixture.request);
  if (fixture.requestPromptPrefix) return JSON.stringify({ prompt: fixture.requestPromptPrefix });
  return "{}";
}

describe("replaying every recorded exchange", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ mode: "replay", fixtures: [RECORDINGS, FIXTURES] });
  });
  afterAll(() => emulator.close());

  it("loads every recording and fixture file", () => {
    expect(recordings.length).toBeGreaterThan(200);
    expect(fixtures.length).toBeGreaterThan(50);
    expect(emulator.fixtures).toHaveLength(recordings.length + fixtures.length);
  });

  const all = [
    ...recordings.map((loaded) => ({ ...loaded, name: `recordings/${loaded.name}` })),
    ...fixtures.map((loaded) => ({ ...loaded, name: `fixtures/${loaded.name}` })),
  ];
  // Names as the emulator knows them (relative to the folder each was loaded from).
  const pinOf = (name: string) => name.replace(/^(recordings|fixtures)\//, "");

  it.each(all.map((loaded) => [loaded.name, loaded] as const))(
    "raw HTTP, bytes as recorded: %s",
    async (_name, loaded) => {
      const { fixture } = loaded;
      const operation = operationOf(fixture);
      const response = await rawRequest(emulator, modelPath(fixture.modelId ?? DEFAULT_MODEL, operation), {
        body: requestBody(loaded),
        headers: { "x-bedrock-forge-fixture": pinOf(loaded.name) },
      });
      expect(response.status).toBe(fixture.http?.status ?? 200);
      const requestId = Object.entries(fixture.http?.responseHeaders ?? {}).find(
        ([name]) => name.toLowerCase() === "x-amzn-requestid",
      )?.[1];
      if (requestId) expect(response.headers["x-amzn-requestid"]).toBe(requestId);
      if (fixture.operation === "error") {
        expect(String(response.headers["x-amzn-errortype"]).split(":")[0]).toBe(expectedErrorType(fixture));
        expect(json(response)).toEqual(fixture.response);
      } else if (fixture.events) {
        expect(response.headers["content-type"]).toBe("application/vnd.amazon.eventstream");
        expect(decodeEvents(response.body)).toEqual(fixture.events);
      } else {
        expect(json(response)).toEqual(fixture.response);
      }
    },
  );

  // Fixtures another fixture cannot shadow: matched by their request alone, without pinning.
  const signature = (loaded: LoadedFixture) =>
    JSON.stringify([operationOf(loaded.fixture), loaded.fixture.modelId, loaded.fixture.request]);
  const counts = new Map<string, number>();
  for (const loaded of all) counts.set(signature(loaded), (counts.get(signature(loaded)) ?? 0) + 1);
  const unique = all.filter(
    (loaded) =>
      loaded.fixture.request !== null && loaded.fixture.modelId && counts.get(signature(loaded)) === 1,
  );

  it.each(unique.map((loaded) => [loaded.name, loaded] as const))(
    "matched by its request alone: %s",
    async (_name, loaded) => {
      const { fixture } = loaded;
      await rawRequest(emulator, modelPath(fixture.modelId!, operationOf(fixture)), {
        body: requestBody(loaded),
      });
      expect(emulator.requests.at(-1)?.fixture).toBe(pinOf(loaded.name));
    },
  );

  it.each(all.map((loaded, index) => [loaded.name, loaded, index] as const))(
    "through the SDK: %s",
    async (_name, loaded, index) => {
      const { fixture } = loaded;
      const client = withHeaders(sdkClient(emulator, index % 2 === 0 ? "h2" : "http1"), {
        "x-bedrock-forge-fixture": pinOf(loaded.name),
      });
      const modelId = fixture.modelId ?? DEFAULT_MODEL;
      const messages = [{ role: "user" as const, content: [{ text: "replay" }] }];
      const call = async () => {
        switch (operationOf(fixture)) {
          case "invoke": {
            const result = await client.send(
              new InvokeModelCommand({ modelId, contentType: "application/json", body: requestBody(loaded) }),
            );
            return JSON.parse(new TextDecoder().decode(result.body));
          }
          case "invoke-stream": {
            const result = await client.send(
              new InvokeModelWithResponseStreamCommand({
                modelId,
                contentType: "application/json",
                body: requestBody(loaded),
              }),
            );
            const chunks: unknown[] = [];
            for await (const event of result.body!)
              chunks.push(JSON.parse(new TextDecoder().decode(event.chunk!.bytes)));
            return chunks;
          }
          case "converse": {
            const result = await client.send(new ConverseCommand({ modelId, messages }));
            return { stopReason: result.stopReason, totalTokens: result.usage?.totalTokens };
          }
          case "converse-stream": {
            const result = await client.send(new ConverseStreamCommand({ modelId, messages }));
            const events: unknown[] = [];
            for await (const event of result.stream!) events.push(event);
            return events;
          }
          case "count-tokens": {
            const result = await client.send(
              new CountTokensCommand({ modelId, input: { converse: { messages } } }),
            );
            return { inputTokens: result.inputTokens };
          }
        }
      };
      try {
        if (fixture.operation === "error") {
          const error = await rejectionOf(call());
          expect(error.name).toBe(expectedErrorType(fixture));
          expect(error.$metadata?.httpStatusCode).toBe(fixture.http?.status);
          return;
        }
        const result = await call();
        switch (operationOf(fixture)) {
          case "invoke":
            expect(result).toEqual(fixture.response);
            break;
          case "invoke-stream":
            expect(result).toEqual(fixture.events!.map((event) => event.chunk));
            break;
          case "converse": {
            // The SDK keeps only the members its model knows, so the check is on a few of them.
            const response = fixture.response as { stopReason: string; usage: { totalTokens: number } };
            expect(result).toEqual({
              stopReason: response.stopReason,
              totalTokens: response.usage.totalTokens,
            });
            break;
          }
          case "converse-stream":
            expect(result).toHaveLength(fixture.events!.length);
            break;
          case "count-tokens":
            expect(result).toEqual(fixture.response);
            break;
        }
      } finally {
        client.destroy();
      }
    },
  );

  it("answers an unmatched request with the nearest fixtures", async () => {
    const response = await rawRequest(
      emulator,
      modelPath("anthropic.claude-3-sonnet-20240229-v1:0", "converse"),
      {
        body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "never recorded" }] }] }),
      },
    );
    expect(response.status).toBe(400);
    expect(response.headers["x-amzn-errortype"]).toMatch(/^ValidationException:/);
    const message = String(json(response).message);
    expect(message).toMatch(
      /^bedrock-forge emulator \(replay mode\): no fixture matches this request for converse anthropic\.claude-3-sonnet-20240229-v1:0\. Nearest fixtures: /,
    );
    expect(message).toMatch(
      /converse\/[^ ]+\.json \(converse anthropic\.claude-3-sonnet-20240229-v1:0, body similarity [\d.]+\)/,
    );
  });

  it("answers an unknown pinned fixture with the nearest fixtures", async () => {
    const response = await rawRequest(emulator, modelPath(DEFAULT_MODEL, "invoke"), {
      body: "{}",
      headers: { "x-bedrock-forge-fixture": "nope.json" },
    });
    expect(response.status).toBe(400);
    expect(String(json(response).message)).toMatch(
      /fixture "nope\.json" \(pinned by x-bedrock-forge-fixture\) was not found/,
    );
  });
});

describe("fixture matching rules", () => {
  const base = {
    source: "test",
    provenance: "documented-example",
    http: { status: 200, responseHeaders: { "Content-Type": "application/json" } },
  };
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({
      mode: "hybrid",
      fixtures: [
        {
          name: "subset",
          fixture: {
            ...base,
            operation: "invoke",
            modelId: "meta.llama3-8b-instruct-v1:0",
            request: { prompt: "subset" },
            response: { generation: "from subset" },
          },
        },
        {
          name: "exact",
          fixture: {
            ...base,
            operation: "invoke",
            modelId: "meta.llama3-8b-instruct-v1:0",
            request: { prompt: "exact" },
            match: "exact",
            response: { generation: "from exact" },
          },
        },
        {
          name: "profile",
          fixture: {
            ...base,
            operation: "converse",
            modelId: "us.meta.llama3-1-70b-instruct-v1:0",
            request: null,
            response: {
              output: { message: { role: "assistant", content: [{ text: "recorded" }] } },
              stopReason: "end_turn",
              usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
              metrics: { latencyMs: 1 },
            },
          },
        },
        {
          name: "prefix",
          fixture: {
            ...base,
            operation: "invoke",
            modelId: null,
            request: null,
            requestPromptPrefix: "Tell me about",
            response: { generation: "from prefix" },
          },
        },
      ],
    });
  });
  afterAll(() => emulator.close());

  const invoke = (body: unknown) =>
    rawRequest(emulator, modelPath("meta.llama3-8b-instruct-v1:0", "invoke"), { body: JSON.stringify(body) });

  it("subset: every fixture field equal in the request, extra request fields allowed", async () => {
    expect(json(await invoke({ prompt: "subset", max_gen_len: 20 }))).toEqual({ generation: "from subset" });
    expect(emulator.requests.at(-1)?.source).toBe("fixture");
  });

  it("exact: the whole body must be equal", async () => {
    expect(json(await invoke({ prompt: "exact" }))).toEqual({ generation: "from exact" });
    const synthesized = json(await invoke({ prompt: "exact", max_gen_len: 20 }));
    expect(synthesized.generation).toMatch(/^This is a synthesized reply/);
    expect(emulator.requests.at(-1)?.source).toBe("synthesized");
  });

  it("a profile id fixture answers the base model id, and the other way round", async () => {
    const messages = [{ role: "user", content: [{ text: "anything" }] }];
    for (const id of ["meta.llama3-1-70b-instruct-v1:0", "us.meta.llama3-1-70b-instruct-v1:0"]) {
      const response = await rawRequest(emulator, modelPath(id, "converse"), {
        body: JSON.stringify({ messages }),
      });
      expect(emulator.requests.at(-1)?.fixture).toBe("profile");
      expect(response.status).toBe(200);
    }
  });

  it("a prompt prefix fixture (New Relic's mocks) matches prompts that start with it, for any model", async () => {
    expect(json(await invoke({ prompt: "Tell me about Paris" }))).toEqual({ generation: "from prefix" });
    const other = json(await invoke({ prompt: "Something else" }));
    expect(other.generation).toMatch(/^This is a synthesized reply/);
  });

  it("synthesize mode ignores fixtures", async () => {
    const synthesizing = await startEmulator({ mode: "synthesize", fixtures: emulator.fixtures });
    try {
      const response = await rawRequest(synthesizing, modelPath("meta.llama3-8b-instruct-v1:0", "invoke"), {
        body: JSON.stringify({ prompt: "subset" }),
      });
      expect(json(response).generation).toMatch(/^This is a synthesized reply/);
    } finally {
      await synthesizing.close();
    }
  });
});
