/**
 * Replays one fixture over real HTTP for contract tests: the real AWS SDK (through the runtime's
 * client) sends the request, this server records the body it received and answers with the
 * fixture's response or its event-stream chunks, framed as Bedrock frames them.
 * It stands in until the emulator can replay fixtures itself.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { familyLoaders } from "../../generated/index.js";
import type { FamilyModule, NativeSchemaSet } from "../../runtime/descriptor.js";
import { createBedrock } from "../../runtime/index.js";

export interface Fixture {
  /** The family folder the fixture was loaded from. */
  readonly family: string;
  readonly source: string;
  readonly provenance: string;
  readonly operation: "invoke" | "invoke-stream";
  readonly modelId: string;
  readonly http: { readonly status: number; readonly responseHeaders: Readonly<Record<string, string>> };
  readonly request: Record<string, unknown> | null;
  readonly response?: unknown;
  readonly events?: readonly { readonly chunk?: Record<string, unknown> }[];
}

export function loadFixture(family: string, scenario: string): Fixture {
  const url = new URL(`../fixtures/${family}/${scenario}.json`, import.meta.url);
  return { ...(JSON.parse(readFileSync(url, "utf8")) as Omit<Fixture, "family">), family };
}

/** Headers Bedrock sends that the runtime reads (request id and token counts). */
function replayHeaders(fixture: Fixture): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(fixture.http.responseHeaders)) {
    const lower = name.toLowerCase();
    if (lower === "x-amzn-requestid" || lower.startsWith("x-amzn-bedrock-")) headers[lower] = value;
  }
  return headers;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function encodeChunk(chunk: Record<string, unknown>): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(chunk)).toString("base64");
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: "chunk" },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    body: fromUtf8(JSON.stringify({ bytes })),
  });
}

export interface Replay {
  /** A client of the runtime pointed at this server with synthetic credentials. */
  readonly bedrock: ReturnType<typeof createBedrock>;
  /** The JSON bodies the server received, in order. */
  readonly received: Record<string, unknown>[];
  /** The model ids (URL-decoded) of the requests received. */
  readonly modelIds: string[];
  close(): Promise<void>;
}

export interface ReplayOptions {
  /** Builds the response body from the request body instead of replaying the fixture's response. */
  readonly respond?: (body: Record<string, unknown>) => unknown;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });

/** The family's native request schema, as the emulator checks requests with it. */
async function requestValidator(family: string): Promise<ValidateFunction | undefined> {
  const load = (familyLoaders as Record<string, (() => Promise<FamilyModule>) | undefined>)[family];
  const schemas: NativeSchemaSet = load ? (await load()).nativeSchemas : {};
  const schema =
    schemas.chat_request ?? schemas.embeddings_request ?? schemas.images_request ?? schemas.rerank_request;
  return schema ? ajv.compile(schema) : undefined;
}

export async function replay(fixture: Fixture, options: ReplayOptions = {}): Promise<Replay> {
  const validate = await requestValidator(fixture.family);
  const received: Record<string, unknown>[] = [];
  const modelIds: string[] = [];
  const server = http.createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on("data", (part: Buffer) => parts.push(part));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(parts).toString("utf8") || "null") as Record<string, unknown>;
      received.push(body);
      const match = /^\/model\/([^/]+)\//.exec(request.url ?? "");
      modelIds.push(decodeURIComponent(match?.[1] ?? ""));
      if (validate && !validate(body)) {
        // Bedrock rejects a body that does not fit the model's schema with a ValidationException.
        response.writeHead(400, {
          "content-type": "application/json",
          "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        });
        response.end(
          JSON.stringify({ message: `Malformed input request: ${ajv.errorsText(validate.errors)}` }),
        );
        return;
      }
      const headers = replayHeaders(fixture);
      if (fixture.events) {
        response.writeHead(200, {
          ...headers,
          "content-type": "application/vnd.amazon.eventstream",
          "x-amzn-bedrock-content-type": "application/json",
        });
        for (const event of fixture.events) if (event.chunk) response.write(encodeChunk(event.chunk));
        response.end();
        return;
      }
      response.writeHead(fixture.http.status, { ...headers, "content-type": "application/json" });
      response.end(JSON.stringify(options.respond ? options.respond(body) : fixture.response));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const bedrock = createBedrock({
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${port}`,
    // AWS's documented example keys.
    credentials: {
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnfEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
    num_retries: 0,
  });
  return {
    bedrock,
    received,
    modelIds,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Collects a stream's chunks into the text, tool calls, finish reason and usage they add up to. */
export async function collectStream(
  stream: AsyncIterable<import("../../runtime/types.js").ChatCompletionChunk>,
) {
  let text = "";
  let finishReason: string | null = null;
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  const toolCalls: { id?: string; name?: string; arguments: string }[] = [];
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      if (choice.delta.content) text += choice.delta.content;
      for (const delta of choice.delta.tool_calls ?? []) {
        toolCalls[delta.index] ??= { arguments: "" };
        const call = toolCalls[delta.index]!;
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name = delta.function.name;
        if (delta.function?.arguments) call.arguments += delta.function.arguments;
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    if (chunk.usage)
      usage = { prompt_tokens: chunk.usage.prompt_tokens, completion_tokens: chunk.usage.completion_tokens };
  }
  return { text, toolCalls, finishReason, usage };
}
