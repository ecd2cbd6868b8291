/**
 * The compiled operation serde against its oracle, the SDK itself: the Bedrock Runtime client's own
 * restJson1 protocol (`client.config.protocol`, with the serde context runtime/lean-send.ts gives it) must
 * produce the same request and the same output for the same input and response. Inputs and response bodies
 * come from property tests derived from the SDK's schema and from every Converse/InvokeModel recording in
 * test/recordings (real Bedrock exchanges; each file names its source).
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as bedrock from "@aws-sdk/client-bedrock-runtime";
import { BedrockRuntimeClient, Converse$, InvokeModel$ } from "@aws-sdk/client-bedrock-runtime";
import { JsonShapeDeserializer2 } from "@smithy/core/protocols";
import { NormalizedSchema } from "@smithy/core/schema";
import { HttpResponse } from "@smithy/protocol-http";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileOperationSerde,
  numbersReviveUnchanged,
  type OperationSchemaArray,
  type OperationSerde,
  type SerdeEndpoint,
} from "../../runtime/operation-serde.js";
import { arbitraryFor, writeWireJson } from "./schema-arbitraries.js";

const client = new BedrockRuntimeClient({
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
});
const config = client.config as unknown as { protocol: Protocol } & Record<string, unknown>;
const protocol = config.protocol;

interface Protocol {
  serializeRequest(schema: object, input: unknown, context: object): Promise<SdkRequest>;
  deserializeResponse(schema: object, context: object, response: unknown): Promise<object>;
}
interface SdkRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: object;
  headers: Record<string, string>;
  body: unknown;
}

const endpoints: SerdeEndpoint[] = [
  { protocol: "https:", hostname: "bedrock-runtime.us-east-1.amazonaws.com", path: "/" },
  { protocol: "http:", hostname: "127.0.0.1", port: 4010, path: "/base/path" },
];

/** What lean-send.ts gives the protocol: the client's config with the endpoint resolved once. */
function contextFor(endpoint: SerdeEndpoint) {
  return { ...config, endpoint: async () => endpoint };
}

function schemaOf(operation: OperationSchemaArray) {
  const [, namespace, name, traits, input, output] = operation;
  return { namespace, name, traits, input, output };
}

const operations = [
  ["Converse", Converse$ as unknown as OperationSchemaArray],
  ["InvokeModel", InvokeModel$ as unknown as OperationSchemaArray],
] as const;

function compiled(operation: OperationSchemaArray): OperationSerde {
  const serde = compileOperationSerde(operation);
  if (!serde) throw new Error("expected the operation to compile");
  return serde;
}

/** A request's parts, with the body as bytes (or the string/undefined it was) and its class. */
function partsOf(request: SdkRequest) {
  const { body, ...rest } = request;
  return {
    ...rest,
    bodyClass: body == null ? String(body) : (Object.getPrototypeOf(body)?.constructor?.name ?? "none"),
    body:
      body instanceof Uint8Array
        ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("hex")
        : body,
  };
}

/** The outcome of a call that may throw: its value or the error's class. */
async function settle<T>(run: () => Promise<T> | T): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: (error as Error).constructor.name };
  }
}

async function expectSameRequest(operation: OperationSchemaArray, input: unknown, endpoint: SerdeEndpoint) {
  const serde = compiled(operation);
  const expected = await settle(() =>
    protocol.serializeRequest(schemaOf(operation), input, contextFor(endpoint)),
  );
  const actual = await settle(
    () => serde.serializeRequest(input as object, endpoint) as unknown as SdkRequest,
  );
  if ("error" in expected) expect(actual).toEqual(expected);
  else {
    expect("value" in actual, JSON.stringify(actual)).toBe(true);
    expect(partsOf((actual as { value: SdkRequest }).value)).toStrictEqual(partsOf(expected.value));
  }
}

function responseOf(status: number, headers: Record<string, string>, body: Uint8Array | undefined) {
  return new HttpResponse({ statusCode: status, headers: { ...headers }, body: body && Buffer.from(body) });
}

async function expectSameOutput(
  operation: OperationSchemaArray,
  status: number,
  headers: Record<string, string>,
  body: Uint8Array | undefined,
) {
  const serde = compiled(operation);
  const context = contextFor(endpoints[0]!);
  const expectedResponse = responseOf(status, headers, body);
  const actualResponse = responseOf(status, headers, body);
  const expected = await settle(() =>
    protocol.deserializeResponse(schemaOf(operation), context, expectedResponse),
  );
  const actual = await settle(() => serde.deserializeResponse(actualResponse));
  expect(actual).toStrictEqual(expected);
  expect(actualResponse.headers).toStrictEqual(expectedResponse.headers);
  if (body?.length) expect(actualResponse.body.constructor).toBe(expectedResponse.body.constructor);
}

const runs = { numRuns: 150 };

describe("compileOperationSerde", () => {
  it("compiles Converse and InvokeModel, and declines event streams", () => {
    expect(compileOperationSerde(Converse$ as unknown as OperationSchemaArray)).toBeDefined();
    expect(compileOperationSerde(InvokeModel$ as unknown as OperationSchemaArray)).toBeDefined();
    expect(compileOperationSerde(bedrock.ConverseStream$ as unknown as OperationSchemaArray)).toBeUndefined();
    expect(
      compileOperationSerde(bedrock.InvokeModelWithResponseStream$ as unknown as OperationSchemaArray),
    ).toBeUndefined();
  });

  describe.each(operations)("%s", (_name, operation) => {
    const input = NormalizedSchema.of(operation[4] as never);
    const output = NormalizedSchema.of(operation[5] as never);

    it.each([false, true])(
      "serializes any input from the schema as the SDK's protocol does (path, headers, body bytes; values of other types: %s)",
      async (mismatches) => {
        const inputs = arbitraryFor(input, { side: "input", depth: 6, mismatches });
        await fc.assert(
          fc.asyncProperty(inputs, fc.constantFrom(...endpoints), async (value, endpoint) => {
            await expectSameRequest(operation, value, endpoint);
          }),
          runs,
        );
      },
    );

    it.each([false, true])(
      "deserializes any 2xx answer from the schema as the SDK's protocol does (values of other types: %s)",
      async (mismatches) => {
        const bodies = arbitraryFor(output, { side: "wire", depth: 6, mismatches });
        const headers = fc.record(
          {
            "x-amzn-requestid": fc.uuid(),
            "Content-Type": fc.constantFrom("application/json", "text/plain"),
            "x-amzn-bedrock-performanceconfig-latency": fc.constantFrom("standard", "optimized"),
            "X-Amzn-Bedrock-Service-Tier": fc.constantFrom("default", "priority"),
            "x-amz-cf-id": fc.string(),
          },
          { requiredKeys: [] },
        );
        await fc.assert(
          fc.asyncProperty(bodies, headers, fc.constantFrom(200, 201), async (body, header, status) => {
            const text =
              typeof body === "object" && body !== null ? writeWireJson(body) : (JSON.stringify(body) ?? "");
            await expectSameOutput(operation, status, header as Record<string, string>, Buffer.from(text));
          }),
          runs,
        );
      },
    );
  });

  // Wire facts these cases encode come from the SDK's JsonShapeDeserializer2 (@smithy/core 3.41): a union
  // answer naming one member the schema lacks becomes `$unknown` (`__type` does not count), and its
  // document walk redefines a `__proto__` key before reading it.
  it.each([
    [
      "a union member the schema lacks, beside __type",
      '{"output":{"message":{"role":"assistant","content":[{"__type":"x","newBlock":{"a":[1,2]}}]}},"stopReason":"end_turn"}',
    ],
    [
      "two union members the schema lacks",
      '{"output":{"message":{"role":"assistant","content":[{"p":1,"q":2}]}}}',
    ],
    [
      "a known union member that is null beside an unknown one",
      '{"output":{"message":{"content":[{"text":null,"newBlock":true}]}}}',
    ],
    [
      "a document with a __proto__ key",
      '{"output":{"message":{"content":[{"toolUse":{"toolUseId":"t","name":"n","input":{"__proto__":{"polluted":1},"b":[{"__proto__":2}]}}}]}}}',
    ],
    [
      "a document key written with an escape",
      '{"additionalModelResponseFields":{"\\u005f_proto__":{"x":1},"k\\u00e9":"v"}}',
    ],
    [
      "a structure with __type and keys the schema lacks",
      '{"__type":"T","usage":{"__type":"U","inputTokens":1,"extra":2},"metrics":{"latencyMs":"NaN"}}',
    ],
    [
      "an image blob",
      '{"output":{"message":{"content":[{"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}}]}}}',
    ],
    ["a number body", "42"],
  ])("reads %s as the SDK does", async (_case, text) => {
    await expectSameOutput(
      Converse$ as unknown as OperationSchemaArray,
      200,
      { "x-amzn-requestid": "r" },
      Buffer.from(text),
    );
  });

  it("answers an empty body and a missing body as the SDK does", async () => {
    for (const [, operation] of operations) {
      await expectSameOutput(operation, 200, { "x-amzn-requestid": "r1" }, new Uint8Array());
      await expectSameOutput(operation, 200, {}, undefined);
    }
  });

  it("refuses an error response and a body that is not whole, naming the problem", () => {
    const serde = compiled(Converse$ as unknown as OperationSchemaArray);
    expect(() => serde.deserializeResponse(responseOf(400, {}, Buffer.from("{}")))).toThrow(
      /2xx responses only; got HTTP 400/,
    );
    const streamed = new HttpResponse({ statusCode: 200, headers: {}, body: { pipe() {} } });
    expect(() => serde.deserializeResponse(streamed)).toThrow(/whole response body as a Uint8Array/);
  });

  it("gives the label error the SDK gives when modelId is missing", async () => {
    const serde = compiled(Converse$ as unknown as OperationSchemaArray);
    expect(() => serde.serializeRequest({ messages: [] }, endpoints[0]!)).toThrow(
      "No value provided for input HTTP label: modelId.",
    );
    await expect(
      protocol.serializeRequest(schemaOf(Converse$ as never), { messages: [] }, contextFor(endpoints[0]!)),
    ).rejects.toThrow("No value provided for input HTTP label: modelId.");
  });
});

/** Every non-streaming Converse and InvokeModel exchange recorded from real Bedrock (test/recordings). */
function recordings(): { file: string; recording: Recording }[] {
  const root = join(import.meta.dirname, "../recordings");
  const found: { file: string; recording: Recording }[] = [];
  for (const family of readdirSync(root, { withFileTypes: true })) {
    if (!family.isDirectory()) continue;
    for (const file of readdirSync(join(root, family.name))) {
      if (!file.endsWith(".json")) continue;
      const recording = JSON.parse(readFileSync(join(root, family.name, file), "utf8")) as Recording;
      if (recording.operation === "converse" || recording.operation === "invoke")
        found.push({ file: `${family.name}/${file}`, recording });
    }
  }
  return found;
}

interface Recording {
  operation: string;
  modelId: string;
  http?: {
    status?: number;
    requestHeaders?: Record<string, string>;
    responseHeaders?: Record<string, string>;
  };
  request: unknown;
  response: unknown;
}

/** The Converse input a recorded request body stands for, read from the wire by the SDK's own reader. */
async function converseInputOf(recording: Recording): Promise<object> {
  const reader = new JsonShapeDeserializer2({
    timestampFormat: { useTrait: true, default: 7 },
    httpBindings: true,
    jsonName: true,
  });
  const read = (await reader.read(Converse$[4] as never, JSON.stringify(recording.request))) as object;
  return { ...read, modelId: recording.modelId };
}

describe("recorded Bedrock exchanges", () => {
  const all = recordings();

  it("has Converse and InvokeModel recordings to check", () => {
    expect(all.filter((r) => r.recording.operation === "converse").length).toBeGreaterThan(20);
    expect(all.filter((r) => r.recording.operation === "invoke").length).toBeGreaterThan(20);
  });

  it.each(all.map((r) => [r.file, r.recording] as const))(
    "%s: same request and output as the SDK",
    async (_file, recording) => {
      const operation = (recording.operation === "converse"
        ? Converse$
        : InvokeModel$) as unknown as OperationSchemaArray;
      if (recording.request !== null) {
        const input =
          recording.operation === "converse"
            ? await converseInputOf(recording)
            : {
                modelId: recording.modelId,
                body: Buffer.from(JSON.stringify(recording.request)),
                contentType: "application/json",
                accept: "application/json",
              };
        for (const endpoint of endpoints) await expectSameRequest(operation, input, endpoint);
      }
      const status = recording.http?.status ?? 200;
      if (status < 300 && recording.response !== undefined)
        await expectSameOutput(
          operation,
          status,
          recording.http?.responseHeaders ?? { "x-amzn-requestid": "recorded" },
          Buffer.from(JSON.stringify(recording.response)),
        );
    },
  );
});

describe("numbers the SDK's reviver would change (Node 22+, where JSON.parse gives revivers the source text)", () => {
  /** The SDK's own reading of a document: JSON.parse with its number reviver, then its document reader. */
  const readDocument = (text: string) =>
    new JsonShapeDeserializer2({ timestampFormat: { useTrait: true, default: 7 }, jsonName: true }).read(
      15,
      text,
    );

  it.each([
    ['{"usage":{"inputTokens":14,"outputTokens":20},"latencyMs":120,"t":-3.25}', true],
    ['{"requestId":"6e7a0c2e-4000-8000-a1b2-000000000000"}', true],
    ['{"x":1.50}', false],
    ['{"x":1e5}', false],
    ['{"x":-0}', false],
    ['{"x":9007199254740993}', false],
    ['{"x":9007199254740992}', false],
    ['{"version":"v2.10","id":"tooluse_6e7a0c2e"}', true],
    // A number standing alone in a string that is not JavaScript's text for it: a false alarm, on purpose.
    ['{"note":"about 1.50 dollars"}', false],
  ])("%s: unchanged is %s", (text, unchanged) => {
    expect(numbersReviveUnchanged(text)).toBe(unchanged);
  });

  const numberText = fc.oneof(
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
    fc
      .tuple(fc.integer({ min: -999, max: 999 }), fc.nat({ max: 99_999 }), fc.nat({ max: 3 }))
      .map(([whole, fraction, zeros]) => `${whole}.${fraction}${"0".repeat(zeros)}`),
    fc
      .tuple(fc.integer({ min: -99, max: 99 }), fc.integer({ min: -30, max: 30 }))
      .map(([m, e]) => `${m}e${e}`),
  );

  it("when the check says unchanged, the SDK's reading is plain JSON.parse's; on Node 22+ the check is not vacuous", async () => {
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(numberText, { maxLength: 6 }), async (numbers) => {
        const text = `{"values":[${numbers.join(",")}],"nested":{"n":${numbers[0] ?? 0}}}`;
        const sdk = await readDocument(text);
        if (numbersReviveUnchanged(text)) expect(sdk).toStrictEqual(JSON.parse(text));
        else changed++;
      }),
      { numRuns: 400 },
    );
    expect(changed).toBeGreaterThan(0);
  });
});
