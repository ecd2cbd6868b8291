/**
 * The lean call path (runtime/lean-send.ts): Converse and InvokeModel on a client bedrock-forge made skip
 * the SDK's per-call endpoint and auth resolution but must stay indistinguishable from `client.send`.
 *
 * A loopback stub plays Bedrock so each test decides status, headers and body. Error responses follow the
 * real wire format: `x-amzn-ErrorType: <Name>:<namespace>`, `x-amzn-RequestId`, a JSON body with `message`
 * (test/recordings/errors/dd-trace-py_meta_invoke_error.json, recorded from Bedrock); each exception's
 * status comes from the Bedrock Runtime service model (test/reference/bedrock-runtime-service-model.json).
 * Every behaviour is checked against facts (the SDK's exception classes, the model's statuses, the
 * headers' documented names) and against the SDK's own `send` on the same client.
 */
import { randomUUID } from "node:crypto";
import { getEventListeners } from "node:events";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import * as runtimeSdk from "@aws-sdk/client-bedrock-runtime";
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  InvokeModelCommand,
  type InvokeModelCommandInput,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { encodeChunkFrame, encodeEventFrame, encodeExceptionFrame } from "../../emulator/eventstream.js";
import type { Connection } from "../../runtime/connection.js";
import { BedrockCallError } from "../../runtime/index.js";
import { responseHeadersKey } from "../../runtime/instrument.js";
import { compiledSerdesReady } from "../../runtime/lean-send.js";
import { sendCommand } from "../../runtime/send.js";
import { clientFor } from "../../runtime/transport.js";
import { credentials, failure } from "./live.js";

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Never answer (the call must end by its signal). */
  readonly hang?: boolean;
}

let server: http.Server;
let url: string;
const received: Received[] = [];
let answers: ((request: Received) => Answer)[] = [];
let fallback: (request: Received) => Answer;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const pieces: Buffer[] = [];
    request.on("data", (piece: Buffer) => pieces.push(piece));
    request.on("end", () => {
      const seen = {
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(pieces),
      };
      received.push(seen);
      const answer = (answers.shift() ?? fallback)(seen);
      if (answer.hang) return;
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  answers = [];
  fallback = () => converseAnswer();
});

const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";

/** A Converse answer with a redacted reasoning block (a blob) and a tool call (a document) besides text. */
const converseBody = {
  output: {
    message: {
      role: "assistant",
      content: [
        { reasoningContent: { redactedContent: Buffer.from("redacted thinking").toString("base64") } },
        { text: "The sea is wide." },
        { toolUse: { toolUseId: "tooluse_1", name: "get_tide", input: { port: "Brest", days: [1, 2] } } },
      ],
    },
  },
  stopReason: "tool_use",
  usage: { inputTokens: 14, outputTokens: 20, totalTokens: 34 },
  metrics: { latencyMs: 120 },
  additionalModelResponseFields: { stop_sequence: null },
};

function converseAnswer(requestId: string = randomUUID()): Answer {
  return {
    status: 200,
    headers: { "content-type": "application/json", "x-amzn-requestid": requestId },
    body: JSON.stringify(converseBody),
  };
}

/** An error as Bedrock sends it (see the file's header for the source of the format). */
function errorAnswer(name: string, status: number, extra: Record<string, unknown> = {}): Answer {
  return {
    status,
    headers: {
      "content-type": "application/json",
      "x-amzn-errortype": `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      "x-amzn-requestid": `req-${name}`,
    },
    body: JSON.stringify({ message: `${name} from the stub`, ...extra }),
  };
}

function connection(extra: Partial<Connection> = {}): Connection {
  return { region: "us-east-1", endpoint: url, credentials, maxAttempts: 1, ...extra };
}

const converseInput: ConverseCommandInput = {
  modelId: MODEL,
  system: [{ text: "Answer briefly." }],
  messages: [
    {
      role: "user",
      content: [
        { text: "What is in this picture?" },
        { image: { format: "png", source: { bytes: new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]) } } },
      ],
    },
  ],
  inferenceConfig: { maxTokens: 256, temperature: 0.5, stopSequences: ["\n\nHuman:"] },
  toolConfig: {
    tools: [
      {
        toolSpec: {
          name: "get_tide",
          description: "Tide times",
          inputSchema: { json: { type: "object", properties: { port: { type: "string" } } } },
        },
      },
    ],
    toolChoice: { auto: {} },
  },
  additionalModelRequestFields: { top_k: 5 },
  requestMetadata: { team: "forge" },
};

const invokeInput: InvokeModelCommandInput = {
  modelId:
    "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
  body: JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 10, messages: [] }),
  contentType: "application/json",
  accept: "application/json",
  trace: "ENABLED",
  guardrailIdentifier: "gr-abc123",
  guardrailVersion: "2",
  performanceConfigLatency: "optimized",
  serviceTier: "priority",
};

/** Headers that differ between any two calls (time, ids, the signature over them). */
const perCallHeaders = new Set(["x-amz-date", "amz-sdk-invocation-id", "authorization"]);

function stableHeaders(headers: http.IncomingHttpHeaders): Record<string, unknown> {
  const stable: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) if (!perCallHeaders.has(name)) stable[name] = value;
  // The signature differs with the date and ids; what was signed, and for whom, must not.
  stable["authorization (without signature)"] = headers.authorization?.replace(/Signature=\w+/, "");
  return stable;
}

/** The same command sent by the SDK (`client.send`) and by bedrock-forge (`sendCommand`, the lean path). */
async function bothPaths<T>(
  client: BedrockRuntimeClient,
  make: () => object,
  options: Parameters<typeof sendCommand>[2] = {},
): Promise<{ sdk: T; lean: T; sdkRequest: Received; leanRequest: Received }> {
  const sdk = (await client.send(make() as never)) as T;
  const sdkRequest = received.at(-1)!;
  const lean = (await sendCommand(client, make(), options, MODEL)) as T;
  const leanRequest = received.at(-1)!;
  return { sdk, lean, sdkRequest, leanRequest };
}

describe("the lean path is taken, and is the SDK's call to the byte", () => {
  // From its second call an operation's serde is compiled from the SDK's schema: compared from here on.
  beforeAll(async () => {
    const client = await clientFor(connection());
    fallback = () => converseAnswer();
    for (let call = 0; call < 2; call++) {
      await sendCommand(client, new ConverseCommand(converseInput), {}, MODEL);
      await sendCommand(client, new InvokeModelCommand(invokeInput), {}, MODEL);
    }
    await compiledSerdesReady();
  });

  it("once compiled, a call's request and answer no longer go through the client's protocol; an error answer still does", async () => {
    const client = await clientFor(connection());
    const protocol = (client.config as unknown as { protocol: Record<string, (...args: never[]) => unknown> })
      .protocol;
    const serialize = vi.spyOn(protocol, "serializeRequest");
    const deserialize = vi.spyOn(protocol, "deserializeResponse");
    try {
      for (const make of [
        () => new ConverseCommand(converseInput),
        () => new InvokeModelCommand(invokeInput),
      ])
        await sendCommand(client, make(), {}, MODEL);
      expect(serialize).not.toHaveBeenCalled();
      expect(deserialize).not.toHaveBeenCalled();
      fallback = () => errorAnswer("ValidationException", 400);
      await failure(sendCommand(client, new ConverseCommand(converseInput), {}, MODEL));
      expect(serialize).not.toHaveBeenCalled();
      expect(deserialize).toHaveBeenCalledTimes(1);
    } finally {
      serialize.mockRestore();
      deserialize.mockRestore();
    }
  });

  it("sendCommand on the runtime's own client does not go through client.send for Converse and InvokeModel", async () => {
    const client = await clientFor(connection());
    const send = vi.spyOn(client, "send");
    try {
      await sendCommand(client, new ConverseCommand(converseInput), {}, MODEL);
      fallback = () => ({ status: 200, headers: { "content-type": "application/json" }, body: "{}" });
      await sendCommand(client, new InvokeModelCommand(invokeInput), {}, MODEL);
      expect(send).not.toHaveBeenCalled();
      expect(received).toHaveLength(2);
    } finally {
      send.mockRestore();
    }
  });

  it("Converse: same method, path, body bytes and signed headers; same output", async () => {
    const client = await clientFor(connection());
    fallback = () => converseAnswer("req-same");
    const { sdk, lean, sdkRequest, leanRequest } = await bothPaths<runtimeSdk.ConverseCommandOutput>(
      client,
      () => new ConverseCommand(converseInput),
    );
    expect(leanRequest.method).toBe("POST");
    // The model id is a URI label: encoded once on the wire (the service model's `/model/{modelId}/converse`).
    expect(leanRequest.url).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    expect(leanRequest.url).toBe(sdkRequest.url);
    expect(leanRequest.body.equals(sdkRequest.body)).toBe(true);
    // Blobs travel base64-encoded in the JSON body.
    expect(JSON.parse(leanRequest.body.toString()).messages[0].content[1].image.source.bytes).toBe(
      Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]).toString("base64"),
    );
    expect(stableHeaders(leanRequest.headers)).toEqual(stableHeaders(sdkRequest.headers));
    expect(leanRequest.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-date/,
    );
    expect(leanRequest.headers["amz-sdk-request"]).toBe("attempt=1; max=1");
    expect(lean).toEqual(sdk);
    // Blobs in the answer are bytes, documents are plain JSON, as the SDK's deserializer gives them.
    const blocks = lean.output?.message?.content ?? [];
    expect(blocks[0]?.reasoningContent?.redactedContent).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(blocks[0]!.reasoningContent!.redactedContent!).toString()).toBe("redacted thinking");
    expect(blocks[2]?.toolUse?.input).toEqual({ port: "Brest", days: [1, 2] });
    expect(lean.$metadata).toMatchObject({ httpStatusCode: 200, requestId: "req-same", attempts: 1 });
    expect((lean as unknown as Record<symbol, unknown>)[responseHeadersKey]).toMatchObject({
      "x-amzn-requestid": "req-same",
    });
  });

  it("InvokeModel: guardrail, trace, performance-config and service-tier headers; the body as bytes", async () => {
    const client = await clientFor(connection());
    fallback = () => ({
      status: 200,
      headers: {
        "content-type": "application/json",
        "x-amzn-requestid": "req-invoke",
        "x-amzn-bedrock-performanceconfig-latency": "optimized",
        "x-amzn-bedrock-service-tier": "priority",
        "x-amzn-bedrock-input-token-count": "12",
      },
      body: '{"content":[{"type":"text","text":"hi"}]}',
    });
    const { sdk, lean, sdkRequest, leanRequest } = await bothPaths<runtimeSdk.InvokeModelCommandOutput>(
      client,
      () => new InvokeModelCommand(invokeInput),
    );
    expect(leanRequest.url).toBe(`/model/${encodeURIComponent(invokeInput.modelId!)}/invoke`);
    expect(leanRequest.url).toBe(sdkRequest.url);
    expect(leanRequest.body.toString()).toBe(invokeInput.body);
    // Header names from the service model's InvokeModel bindings.
    expect(leanRequest.headers).toMatchObject({
      "content-type": "application/json",
      accept: "application/json",
      "x-amzn-bedrock-trace": "ENABLED",
      "x-amzn-bedrock-guardrailidentifier": "gr-abc123",
      "x-amzn-bedrock-guardrailversion": "2",
      "x-amzn-bedrock-performanceconfig-latency": "optimized",
      "x-amzn-bedrock-service-tier": "priority",
    });
    expect(stableHeaders(leanRequest.headers)).toEqual(stableHeaders(sdkRequest.headers));
    expect(lean).toEqual(sdk);
    expect(lean.body.transformToString()).toBe('{"content":[{"type":"text","text":"hi"}]}');
    expect(lean).toMatchObject({ contentType: "application/json", performanceConfigLatency: "optimized" });
  });

  it("extra headers are sent and signed, before the user agent and host the SDK adds", async () => {
    const client = await clientFor(connection());
    const headers = { "X-Forge-Trace": "abc", "anthropic-beta": "context-1m-2025-08-07" };
    const { sdkRequest, leanRequest } = await bothPaths(client, () => new ConverseCommand(converseInput), {
      headers,
    });
    // On `send`, the SDK reads extra headers from the command: give it the same ones to compare.
    expect(leanRequest.headers["x-forge-trace"]).toBe("abc");
    expect(leanRequest.headers.authorization).toMatch(/SignedHeaders=[^,]*anthropic-beta[^,]*x-forge-trace/);
    expect(leanRequest.headers["user-agent"]).toBe(sdkRequest.headers["user-agent"]);
    expect(leanRequest.headers.host).toBe(new URL(url).host);
  });

  it("a Bedrock API key is sent as a bearer token, without SigV4", async () => {
    const apiKey = "ABSKQmVkcm9ja0ZvcmdlVGVzdEtleUVYQU1QTEU=";
    const client = await clientFor(connection({ credentials: undefined, apiKey }));
    const { sdkRequest, leanRequest } = await bothPaths(client, () => new ConverseCommand(converseInput));
    expect(leanRequest.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(leanRequest.headers["x-amz-date"]).toBeUndefined();
    expect(stableHeaders(leanRequest.headers)).toEqual(stableHeaders(sdkRequest.headers));
  });

  it("credentials are asked of the provider as the SDK asks: refreshed when about to expire, else reused", async () => {
    let issued = 0;
    // Expiring within the SDK's five-minute refresh window: asked again for every call.
    const expiring = vi.fn(async () => ({
      accessKeyId: `AKIDFORGEREFRESH${String(++issued).padStart(4, "0")}`,
      secretAccessKey: "forge/refresh/secret/EXAMPLE",
      expiration: new Date(Date.now() + 60_000),
    }));
    const latestKey = () => `AKIDFORGEREFRESH${String(issued).padStart(4, "0")}`;
    const usedKey = () => /Credential=(\w+)\//.exec(received.at(-1)!.headers.authorization!)?.[1];
    const client = await clientFor(connection({ credentials: expiring }));
    // The first call of a client also resolves what the client caches; count from the second.
    await client.send(new ConverseCommand(converseInput));
    let before = expiring.mock.calls.length;
    await client.send(new ConverseCommand(converseInput));
    const sdkCalls = expiring.mock.calls.length - before;
    const sdkKey = usedKey();
    expect(sdkCalls).toBeGreaterThan(0);
    expect(sdkKey).toBe(latestKey());
    before = expiring.mock.calls.length;
    await sendCommand(client, new ConverseCommand(converseInput), {}, MODEL);
    expect(expiring.mock.calls.length - before).toBe(sdkCalls);
    expect(usedKey()).toBe(latestKey());
    expect(usedKey()).not.toBe(sdkKey);

    const lasting = vi.fn(async () => ({
      accessKeyId: "AKIDFORGELASTING0001",
      secretAccessKey: "forge/lasting/secret/EXAMPLE",
      expiration: new Date(Date.now() + 3_600_000),
    }));
    const other = await clientFor(connection({ credentials: lasting }));
    await sendCommand(other, new ConverseCommand(converseInput), {}, MODEL);
    await sendCommand(other, new ConverseCommand(converseInput), {}, MODEL);
    expect(lasting).toHaveBeenCalledTimes(1);
    expect(usedKey()).toBe("AKIDFORGELASTING0001");
  });
});

/** Converse's and InvokeModel's errors with their HTTP status, from the service model. */
const serviceModel = JSON.parse(
  readFileSync(new URL("../reference/bedrock-runtime-service-model.json", import.meta.url), "utf8"),
) as {
  operations: Record<string, { errors: { shape: string }[] }>;
  shapes: Record<string, { error?: { httpStatusCode: number } }>;
};
const errorRows = ["Converse", "InvokeModel"].flatMap((operation) =>
  serviceModel.operations[operation]!.errors.map(({ shape }) => ({
    operation,
    name: shape,
    status: serviceModel.shapes[shape]!.error!.httpStatusCode,
  })),
);

describe("errors are the SDK's exceptions, as `send` gives them", () => {
  it("the table covers both operations' errors", () => {
    expect(errorRows.length).toBeGreaterThanOrEqual(19);
    expect(errorRows).toContainEqual({ operation: "Converse", name: "ThrottlingException", status: 429 });
    expect(errorRows).toContainEqual({ operation: "InvokeModel", name: "ModelErrorException", status: 424 });
  });

  it.each(errorRows)("$operation: $name (HTTP $status)", async ({ operation, name, status }) => {
    const client = await clientFor(connection());
    const extra = name === "ModelErrorException" ? { originalStatusCode: 500, resourceName: "claude" } : {};
    const make = () =>
      operation === "Converse" ? new ConverseCommand(converseInput) : new InvokeModelCommand(invokeInput);
    fallback = () => errorAnswer(name, status, extra);
    const sdkError = await failure(client.send(make() as never));
    const leanError = await failure(sendCommand(client, make(), {}, MODEL));
    // sendCommand maps the SDK's exception to bedrock-forge's error, keeping it as the cause.
    expect(BedrockCallError.isInstance(leanError)).toBe(true);
    const cause = leanError.cause as Error & Record<string, unknown>;
    const exceptionClass = (runtimeSdk as unknown as Record<string, new (...args: never[]) => Error>)[name]!;
    expect(cause).toBeInstanceOf(exceptionClass);
    expect(cause).toMatchObject({
      name,
      message: `${name} from the stub`,
      $fault: status >= 500 ? "server" : "client",
      $metadata: { httpStatusCode: status, requestId: `req-${name}`, attempts: 1 },
      ...extra,
    });
    expect(leanError).toMatchObject({ awsErrorName: name, awsStatus: status, requestId: `req-${name}` });
    // The same exception as the SDK's own `send` gives, field for field.
    expect(cause.constructor).toBe(sdkError.constructor);
    expect({ ...cause }).toEqual({ ...sdkError });
    expect(cause.message).toBe(sdkError.message);
  });

  it("an error named in the body (`__type`) rather than the header is read the same way", async () => {
    const client = await clientFor(connection());
    fallback = () => ({
      status: 400,
      headers: { "content-type": "application/json", "x-amzn-requestid": "req-body-type" },
      body: JSON.stringify({ __type: "com.amazon.bedrock#ValidationException", message: "bad body" }),
    });
    const error = await failure(sendCommand(client, new ConverseCommand(converseInput), {}, MODEL));
    expect(error.cause).toBeInstanceOf(runtimeSdk.ValidationException);
    expect(error).toMatchObject({
      awsErrorName: "ValidationException",
      status: 400,
      requestId: "req-body-type",
    });
  });

  it("an answer that is not JSON is a deserialization error with the response's metadata", async () => {
    const client = await clientFor(connection());
    fallback = () => ({
      status: 200,
      headers: { "content-type": "application/json", "x-amzn-requestid": "req-garbled" },
      body: "<html>not json</html>",
    });
    const sdkError = await failure(client.send(new ConverseCommand(converseInput)));
    const leanError = await failure(sendCommand(client, new ConverseCommand(converseInput), {}, MODEL));
    const cause = leanError.cause as Error & Record<string, unknown>;
    expect(cause.message).toBe(sdkError.message);
    expect(cause.$metadata).toEqual(sdkError.$metadata);
    expect(cause.$metadata).toMatchObject({ httpStatusCode: 200, requestId: "req-garbled" });
  });
});

describe("event streams (ConverseStream, InvokeModelWithResponseStream) take the lean path too", () => {
  // Event names and fields as Bedrock streams them (the ConverseStream events of the service model; the
  // recordings under test/recordings/converse-stream). Frames are encoded with @smithy/eventstream-codec.
  const converseEvents = [
    encodeEventFrame("messageStart", { role: "assistant" }),
    encodeEventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "The sea" } }),
    encodeEventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: " is wide." } }),
    encodeEventFrame("contentBlockStop", { contentBlockIndex: 0 }),
    encodeEventFrame("messageStop", { stopReason: "end_turn" }),
    encodeEventFrame("metadata", {
      usage: { inputTokens: 5, outputTokens: 4, totalTokens: 9 },
      metrics: { latencyMs: 80 },
    }),
  ];
  const streamAnswer = (frames: readonly Uint8Array[]): Answer => ({
    status: 200,
    headers: { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": "req-stream" },
    body: Buffer.concat(frames),
  });

  interface StreamOutput {
    readonly stream?: AsyncIterable<unknown>;
    readonly body?: AsyncIterable<unknown>;
    readonly $metadata?: object;
  }

  /** Every event of a stream, and the error that ended it, if one did. */
  async function drain(stream: AsyncIterable<unknown> | undefined) {
    const events: unknown[] = [];
    try {
      for await (const event of stream ?? []) events.push(event);
    } catch (error) {
      const failure = error as Error;
      return { events, error: { name: failure.name, message: failure.message } };
    }
    return { events, error: undefined };
  }

  // From an operation's second call its events are read by the lean marshaller: compared from here on.
  beforeAll(async () => {
    const client = await clientFor(connection());
    for (let call = 0; call < 2; call++) {
      fallback = () => streamAnswer(converseEvents);
      await drain(
        ((await sendCommand(client, new ConverseStreamCommand(converseInput), {}, MODEL)) as StreamOutput)
          .stream,
      );
      fallback = () => streamAnswer([encodeChunkFrame({ type: "message_stop" })]);
      await drain(
        (
          (await sendCommand(
            client,
            new InvokeModelWithResponseStreamCommand(invokeInput),
            {},
            MODEL,
          )) as StreamOutput
        ).body,
      );
    }
    await compiledSerdesReady();
  });

  it("neither goes through client.send; the requests and the events are the SDK's", async () => {
    const client = await clientFor(connection());
    const marshaller = (client.config as unknown as { eventStreamMarshaller: { deserialize: () => unknown } })
      .eventStreamMarshaller;
    const cases = [
      {
        make: () => new ConverseStreamCommand(converseInput),
        url: `/model/${encodeURIComponent(MODEL)}/converse-stream`,
        frames: converseEvents,
        fails: undefined,
      },
      {
        make: () => new InvokeModelWithResponseStreamCommand(invokeInput),
        url: `/model/${encodeURIComponent(invokeInput.modelId!)}/invoke-with-response-stream`,
        frames: [
          encodeChunkFrame({ type: "message_start", message: { role: "assistant" } }),
          encodeChunkFrame({ type: "message_stop" }),
        ],
        fails: undefined,
      },
      {
        // A stream that fails after its start: the SDK's exception class, thrown by the iteration.
        make: () => new ConverseStreamCommand(converseInput),
        url: `/model/${encodeURIComponent(MODEL)}/converse-stream`,
        frames: [
          ...converseEvents.slice(0, 2),
          encodeExceptionFrame("modelStreamErrorException", {
            message: "The model stream failed",
            originalStatusCode: 500,
          }),
        ],
        fails: "ModelStreamErrorException",
      },
    ];
    for (const { make, url, frames, fails } of cases) {
      fallback = () => streamAnswer(frames);
      // ConverseStream's events are its output's `stream`, InvokeModelWithResponseStream's its `body`.
      const sdkOutput = (await client.send(make() as never)) as StreamOutput;
      const sdk = await drain(sdkOutput.stream ?? sdkOutput.body);
      const sdkRequest = received.at(-1)!;
      const send = vi.spyOn(client, "send");
      // The lean path reads the events itself (lean-event-stream.ts), not through the client's marshaller.
      const sdkReading = vi.spyOn(marshaller, "deserialize");
      let leanOutput: StreamOutput;
      try {
        leanOutput = (await sendCommand(client, make(), { streaming: true }, MODEL)) as typeof leanOutput;
        expect(send).not.toHaveBeenCalled();
        expect(sdkReading).not.toHaveBeenCalled();
      } finally {
        send.mockRestore();
        sdkReading.mockRestore();
      }
      const lean = await drain(leanOutput.stream ?? leanOutput.body);
      const leanRequest = received.at(-1)!;
      expect(leanRequest.url).toBe(url);
      expect(leanRequest.url).toBe(sdkRequest.url);
      expect(leanRequest.body.equals(sdkRequest.body)).toBe(true);
      expect(stableHeaders(leanRequest.headers)).toEqual(stableHeaders(sdkRequest.headers));
      expect(lean.events).toEqual(sdk.events);
      expect(lean.events.length).toBeGreaterThan(1);
      expect(lean.error).toEqual(sdk.error);
      expect(lean.error?.name).toBe(fails);
      expect(leanOutput.$metadata).toMatchObject({
        httpStatusCode: 200,
        requestId: "req-stream",
        attempts: 1,
      });
    }
  });
});

/**
 * A Converse call that took `attempts` attempts of at most `max`: each numbered in `amz-sdk-request`, all
 * under one `amz-sdk-invocation-id`, as the SDK's retry step sends them.
 */
async function converseRetried(client: BedrockRuntimeClient, attempts: number, max: number) {
  const output = (await sendCommand(
    client,
    new ConverseCommand(converseInput),
    {},
    MODEL,
  )) as runtimeSdk.ConverseCommandOutput;
  expect(received.map((request) => request.headers["amz-sdk-request"])).toEqual(
    Array.from({ length: attempts }, (_, index) => `attempt=${index + 1}; max=${max}`),
  );
  expect(new Set(received.map((request) => request.headers["amz-sdk-invocation-id"])).size).toBe(1);
  return output;
}

describe("retries are the client's retry strategy", () => {
  it("5xx and throttling are retried with the same invocation id, attempts counted; then the answer", async () => {
    const client = await clientFor(connection({ maxAttempts: 3 }));
    answers = [
      () => errorAnswer("ServiceUnavailableException", 503),
      () => errorAnswer("ThrottlingException", 429),
    ];
    const output = await converseRetried(client, 3, 3);
    expect(output.$metadata.attempts).toBe(3);
    // The SDK's backoff waited between attempts (base delay 100 ms, throttling 500 ms, with jitter).
    expect(output.$metadata.totalRetryDelay).toBeGreaterThan(0);
  });

  it("a clock-skew rejection corrects the client's clock and is retried, and a Date on an answer keeps it corrected, as with send", async () => {
    // The SDK's clock-skew error codes include InvalidSignatureException (@smithy/service-error-classification
    // CLOCK_SKEW_ERROR_CODES); its signer then takes the server's time from the answer's Date header.
    const ahead = 2 * 60 * 60 * 1000;
    const serverDate = () => new Date(Date.now() + ahead).toUTCString();
    const skewed = (): Answer => {
      const answer = errorAnswer("InvalidSignatureException", 403);
      return { ...answer, headers: { ...answer.headers, date: serverDate() } };
    };
    const answered = (): Answer => {
      const answer = converseAnswer();
      return { ...answer, headers: { ...answer.headers, date: serverDate() } };
    };
    const signedAt = (request: Received) => {
      const stamp = String(request.headers["x-amz-date"]);
      return Date.parse(
        `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
      );
    };
    const run = async (
      send: (client: BedrockRuntimeClient) => Promise<unknown>,
      maxAttempts: number,
      script: (() => Answer)[],
    ) => {
      const client = await clientFor(connection({ maxAttempts }));
      received.length = 0;
      answers = [...script];
      const first = (await send(client)) as runtimeSdk.ConverseCommandOutput;
      await send(client);
      return {
        attempts: first.$metadata.attempts,
        offsets: received.map((request) => signedAt(request) - Date.now()),
      };
    };
    const viaSdk = (client: BedrockRuntimeClient) => client.send(new ConverseCommand(converseInput));
    const viaLean = (client: BedrockRuntimeClient) =>
      sendCommand(client, new ConverseCommand(converseInput), {}, MODEL);
    // Signed on the local clock, then on the server's: two hours ahead (to the second, give or take).
    const expectOffsets = (offsets: number[], expected: number[]) => {
      expect(offsets).toHaveLength(expected.length);
      offsets.forEach((offset, index) => expect(Math.abs(offset - expected[index]!)).toBeLessThan(60_000));
    };
    for (const [send, maxAttempts] of [
      [viaSdk, 3],
      [viaLean, 4],
    ] as const) {
      // A rejection for skew: the clock is corrected from its Date and the request sent again.
      const rejected = await run(send, maxAttempts, [skewed, answered, answered]);
      expect(rejected.attempts).toBe(2);
      expectOffsets(rejected.offsets, [0, ahead, ahead]);
      // An answer's Date alone: the next call is signed on the server's clock.
      const accepted = await run(send, maxAttempts + 10, [answered, answered]);
      expect(accepted.attempts).toBe(1);
      expectOffsets(accepted.offsets, [0, ahead]);
    }
  });

  it("a retry strategy of the SDK's first interface (no retry tokens) still retries, through the SDK's own retry step", async () => {
    const { DeprecatedStandardRetryStrategy } = await import("@smithy/core/retry");
    const client = await clientFor(connection({ maxAttempts: 7 }));
    const config = client.config as unknown as { retryStrategy: () => Promise<object> };
    const strategy = new DeprecatedStandardRetryStrategy(async () => 3);
    config.retryStrategy = async () => strategy;
    answers = [() => errorAnswer("ServiceUnavailableException", 503)];
    const output = await converseRetried(client, 2, 3);
    expect(output.$metadata.attempts).toBe(2);
  });

  it("the last failure is thrown when attempts run out; client errors are not retried", async () => {
    const client = await clientFor(connection({ maxAttempts: 2 }));
    fallback = () => errorAnswer("InternalServerException", 500);
    const error = await failure(sendCommand(client, new ConverseCommand(converseInput), {}, MODEL));
    expect(received).toHaveLength(2);
    expect(error).toMatchObject({ awsErrorName: "InternalServerException", status: 500, retryable: true });
    expect((error.cause as { $metadata: { attempts: number } }).$metadata.attempts).toBe(2);

    received.length = 0;
    fallback = () => errorAnswer("AccessDeniedException", 403);
    await failure(sendCommand(client, new InvokeModelCommand(invokeInput), {}, MODEL));
    expect(received).toHaveLength(1);
  });
});

/** A Converse call's error when the caller's signal fires once the stub has its first request. */
async function converseAbortedOnceSent(client: BedrockRuntimeClient, options: { timeout?: number } = {}) {
  const controller = new AbortController();
  const call = sendCommand(
    client,
    new ConverseCommand(converseInput),
    { ...options, signal: controller.signal },
    MODEL,
  );
  await vi.waitFor(() => expect(received).toHaveLength(1));
  controller.abort();
  return failure(call);
}

describe("abort and timeout", () => {
  it("the caller's signal ends a call Bedrock never answers, and closes its connection", async () => {
    const client = await clientFor(connection());
    fallback = () => ({ status: 200, hang: true });
    const closed = new Promise<void>((resolve) =>
      server.once("request", (request) => request.socket.once("close", resolve)),
    );
    expect(await converseAbortedOnceSent(client)).toMatchObject({ awsErrorName: "AbortError" });
    await closed;
  });

  it("a timeout ends the call with a 408 naming it", async () => {
    const client = await clientFor(connection());
    fallback = () => ({ status: 200, hang: true });
    const error = await failure(
      sendCommand(client, new InvokeModelCommand(invokeInput), { timeout: 100 }, MODEL),
    );
    expect(error).toMatchObject({ status: 408, type: "timeout_error" });
    expect(error.message).toMatch(/100 ms/);
  });

  it("with both a signal and a timeout: the signal still ends the call, the timeout still names itself, and the signal is let go after", async () => {
    const client = await clientFor(connection());
    fallback = () => ({ status: 200, hang: true });
    expect(await converseAbortedOnceSent(client, { timeout: 60_000 })).toMatchObject({
      awsErrorName: "AbortError",
    });

    const timedOut = await failure(
      sendCommand(
        client,
        new ConverseCommand(converseInput),
        { signal: new AbortController().signal, timeout: 100 },
        MODEL,
      ),
    );
    expect(timedOut).toMatchObject({ status: 408, type: "timeout_error" });

    fallback = () => converseAnswer();
    const kept = new AbortController();
    await sendCommand(
      client,
      new ConverseCommand(converseInput),
      { signal: kept.signal, timeout: 60_000 },
      MODEL,
    );
    // The unary call linked the caller's signal to its timeout with a listener, removed when it ended.
    expect(getEventListeners(kept.signal, "abort")).toHaveLength(0);
  });

  it("an abort while waiting to retry ends the call, and no further attempt is made", async () => {
    const client = await clientFor(connection({ maxAttempts: 5 }));
    fallback = () => errorAnswer("ThrottlingException", 429);
    expect(await converseAbortedOnceSent(client)).toMatchObject({ awsErrorName: "AbortError" });
    const attempts = received.length;
    // Longer than the SDK's first throttling backoff could be (500 ms base, jittered): nothing else is sent.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(received).toHaveLength(attempts);
  });
});
