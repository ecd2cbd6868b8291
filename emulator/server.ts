/**
 * The emulator: Bedrock Runtime's HTTP API (InvokeModel, InvokeModelWithResponseStream, Converse,
 * ConverseStream, CountTokens) on one port for HTTP/1.1 and HTTP/2, with SigV4 checks, fixture replay,
 * spec-driven synthesis, request validation and fault injection.
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import type http2 from "node:http2";
import { setTimeout as sleep } from "node:timers/promises";
import type { CatalogEntry } from "../runtime/descriptor.js";
import { Authenticator, exampleCredentials } from "./auth.js";
import { createError, EmulatorError, errorMessages, errorNameForStatus, streamMemberOf } from "./errors.js";
import {
  corruptMessageCrc,
  encodeChunkFrame,
  encodeEventFrame,
  encodeExceptionFrame,
  paddingFor,
} from "./eventstream.js";
import { type Fault, parseFault, streamErrorMessage } from "./faults.js";
import { fillRequired } from "./fill.js";
import {
  collectFixtures,
  FixtureIndex,
  type FixtureOperation,
  type LoadedFixture,
  operationOf,
} from "./fixtures.js";
import { listenDual } from "./listen.js";
import { ModelRegistry, type ResolvedModel } from "./models.js";
import { buildConverseResponse, buildConverseStream } from "./synthesize/converse.js";
import { buildEmbeddingsResponse } from "./synthesize/embeddings.js";
import {
  converseGuardrailTrace,
  DEFAULT_BLOCKED_MESSAGE,
  DEFAULT_TRIGGER,
  type GuardrailRequest,
  invokeGuardrailFields,
} from "./synthesize/guardrail.js";
import { buildImagesResponse } from "./synthesize/images.js";
import {
  buildNativeChatResponse,
  buildNativeChatStream,
  readNativeChatView,
} from "./synthesize/native-chat.js";
import { type ChatPlan, planChat } from "./synthesize/plan.js";
import { buildRerankResponse } from "./synthesize/rerank.js";
import { countTokens } from "./synthesize/text.js";
import { type ChatView, readConverseView } from "./synthesize/view.js";
import type { Emulator, EmulatorOptions, EmulatorRequest } from "./types.js";
import { bodyTooLargeError, validateNativeBody, validateServiceBody } from "./validate.js";

type Json = Record<string, unknown>;
type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;
/** What both response classes offer, typed once (their `write` overloads do not unify). */
interface ResponseWriter {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean;
  end(chunk?: Uint8Array): unknown;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
}

/** Request headers that steer the emulator (never sent by real clients). */
export const controlHeaders = {
  fault: "x-bedrock-forge-fault",
  fixture: "x-bedrock-forge-fixture",
  streamChunks: "x-bedrock-forge-stream-chunks",
  latency: "x-bedrock-forge-latency-ms",
  chunkInterval: "x-bedrock-forge-chunk-interval-ms",
} as const;

const ROUTES: Record<string, FixtureOperation> = {
  invoke: "invoke",
  "invoke-with-response-stream": "invoke-stream",
  converse: "converse",
  "converse-stream": "converse-stream",
  "count-tokens": "count-tokens",
};

const EVENTSTREAM = "application/vnd.amazon.eventstream";
const DEFAULT_MAX_BODY = 25_000_000;
const HOP_BY_HOP = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "date"]);

/** An answer before it is written. */
type Answer =
  | { kind: "json"; status: number; headers: Record<string, string>; body: string }
  | { kind: "stream"; headers: Record<string, string>; frames: Uint8Array[] };

interface Exchange {
  readonly log: EmulatorRequest;
  readonly headers: Record<string, string>;
  readonly requestId: string;
  fault?: Fault;
  /** The emulator called `end()` on the response. */
  ended?: boolean;
  /** The emulator cut the connection on purpose (truncate faults). */
  serverAborted?: boolean;
}

function headerMap(request: AnyRequest): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : String(value);
  }
  return result;
}

function readBody(request: AnyRequest, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(bodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners("data");
        reject(bodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function positiveInteger(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? Math.floor(number) : undefined;
}

/** Starts an emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const mode = options.mode ?? "hybrid";
  const registry = await ModelRegistry.load({
    ...(options.models ? { models: options.models } : {}),
    enforceProfileOnly: options.enforceProfileOnly ?? true,
  });
  const fixtures = new FixtureIndex(collectFixtures(options.fixtures ?? []));
  const authenticator = new Authenticator({
    credentials: options.credentials ?? [exampleCredentials],
    apiKeys: options.apiKeys ?? [],
    verifySignature: options.verifySignature ?? true,
    ...(options.now ? { now: options.now } : {}),
  });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const validate = options.validate ?? true;
  const trigger = options.guardrailTrigger ?? DEFAULT_TRIGGER;
  const blockedMessage = options.guardrailBlockedMessage ?? DEFAULT_BLOCKED_MESSAGE;
  const padding = options.padding ?? true;
  const requests: EmulatorRequest[] = [];
  const maxLogged = options.maxLoggedRequests ?? 10_000;
  const hanging = new Set<AnyResponse>();

  // ----------------------------------------------------------------------------------------------------
  // Writing answers

  function baseHeaders(exchange: Exchange, contentType: string): Record<string, string> {
    return { "Content-Type": contentType, "x-amzn-RequestId": exchange.requestId };
  }

  function errorAnswer(exchange: Exchange, error: EmulatorError): Answer {
    exchange.log.errorType = error.errorName;
    return {
      kind: "json",
      status: error.status,
      headers: { ...baseHeaders(exchange, "application/json"), "x-amzn-ErrorType": error.errorType },
      body: JSON.stringify(error.body),
    };
  }

  async function write(target: AnyResponse, exchange: Exchange, answer: Answer, latencyMs: number) {
    const response = target as unknown as ResponseWriter;
    const log = exchange.log;
    if (latencyMs > 0) await sleep(latencyMs);
    if (response.destroyed || response.writableEnded) return;
    if (answer.kind === "json") {
      log.status = answer.status;
      const bytes = Buffer.from(answer.body, "utf8");
      const fault = exchange.fault;
      if (fault?.kind === "truncate") {
        response.writeHead(answer.status, { ...answer.headers, "Content-Length": String(bytes.length) });
        await flush(response, bytes.subarray(0, Math.min(fault.after, bytes.length)));
        abort(target, exchange);
        return;
      }
      response.writeHead(answer.status, { ...answer.headers, "Content-Length": String(bytes.length) });
      exchange.ended = true;
      response.end(bytes);
      return;
    }
    log.status = 200;
    response.writeHead(200, answer.headers);
    const interval =
      positiveInteger(exchange.headers[controlHeaders.chunkInterval]) ?? options.chunkIntervalMs ?? 0;
    const fault = exchange.fault;
    let frames = answer.frames;
    if (fault?.kind === "bad-crc" && frames.length > 0)
      frames = [corruptMessageCrc(frames[0]!), ...frames.slice(1)];
    let cut: "none" | "error" | "truncate" = "none";
    if (fault?.kind === "stream-error" && fault.after < frames.length) {
      frames = frames.slice(0, fault.after);
      cut = "error";
    } else if (fault?.kind === "stream-error") cut = "error";
    if (fault?.kind === "truncate") {
      if (fault.after < frames.length) {
        frames = frames.slice(0, fault.after);
        cut = "truncate";
      }
    }
    if (interval === 0) {
      if (frames.length > 0) {
        const all = Buffer.concat(frames);
        if (cut === "truncate") await flush(response, all);
        else response.write(all);
      }
      log.framesSent += frames.length;
    } else {
      for (const [index, frame] of frames.entries()) {
        if (index > 0) await sleep(interval);
        if (response.destroyed || response.writableEnded) return;
        if (cut === "truncate" && index === frames.length - 1) await flush(response, frame);
        else response.write(frame);
        log.framesSent++;
      }
    }
    if (cut === "truncate") {
      abort(target, exchange);
      return;
    }
    if (cut === "error" && fault?.kind === "stream-error") {
      if (interval > 0 && frames.length > 0) await sleep(interval);
      if (response.destroyed) return;
      // ConverseStream's union has no modelTimeoutException: a model timeout arrives there as a
      // modelStreamErrorException carrying the timeout message (as reported for Bedrock streams, e.g.
      // "modelStreamErrorException: Model has timed out in processing the request. Try your request again.").
      const errorName =
        fault.errorName === "ModelTimeoutException" && log.operation === "converse-stream"
          ? "ModelStreamErrorException"
          : fault.errorName;
      const member = streamMemberOf(errorName);
      const body: Json = { message: streamErrorMessage(fault.errorName) };
      if (errorName === "ModelStreamErrorException") {
        body.originalStatusCode = fault.errorName === "ModelTimeoutException" ? 408 : 500;
        body.originalMessage = "The model encountered an error while streaming.";
      }
      log.errorType = errorName;
      response.write(encodeExceptionFrame(member, body));
      log.framesSent++;
    }
    exchange.ended = true;
    response.end();
  }

  /** Writes and waits until the bytes are handed to the socket (so a following cut keeps them). */
  function flush(response: ResponseWriter, bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      response.write(bytes, () => resolve());
    });
  }

  /** Cuts the connection mid-response (HTTP/1.1: the socket; HTTP/2: the stream, with RST_STREAM). */
  function abort(response: AnyResponse, exchange?: Exchange): void {
    if (exchange) exchange.serverAborted = true;
    const stream = (response as http2.Http2ServerResponse).stream as http2.ServerHttp2Stream | undefined;
    if (stream && typeof stream.close === "function") stream.close(2 /* NGHTTP2_INTERNAL_ERROR */);
    else (response as http.ServerResponse).socket?.destroy();
  }

  // ----------------------------------------------------------------------------------------------------
  // Replay

  function replay(exchange: Exchange, loaded: LoadedFixture): Answer {
    const fixture = loaded.fixture;
    exchange.log.source = "fixture";
    exchange.log.fixture = loaded.name;
    if (fixture.fault) exchange.fault = parseFault(fixture.fault);
    const recorded: Record<string, string> = {};
    for (const [name, value] of Object.entries(fixture.http?.responseHeaders ?? {})) {
      if (!HOP_BY_HOP.has(name.toLowerCase())) recorded[name] = value;
    }
    const has = (name: string) => Object.keys(recorded).some((key) => key.toLowerCase() === name);
    if (!has("x-amzn-requestid")) recorded["x-amzn-RequestId"] = exchange.requestId;
    const operation = operationOf(fixture);
    const streaming =
      fixture.operation !== "error" && (operation === "invoke-stream" || operation === "converse-stream");
    if (!has("content-type")) recorded["Content-Type"] = streaming ? EVENTSTREAM : "application/json";
    if (fixture.operation === "error") {
      const status = fixture.http?.status ?? 400;
      if (!has("x-amzn-errortype")) {
        // Some recordings lost the header; Bedrock always sends it, so it is rebuilt from the status.
        recorded["x-amzn-ErrorType"] = new EmulatorError(errorNameForStatus(status), "").errorType;
      }
      const typeHeader = Object.entries(recorded).find(
        ([key]) => key.toLowerCase() === "x-amzn-errortype",
      )?.[1];
      exchange.log.errorType = typeHeader?.split(":")[0];
      return { kind: "json", status, headers: recorded, body: JSON.stringify(fixture.response ?? {}) };
    }
    if (streaming) {
      const frames = (fixture.events ?? []).map((event) => {
        if (event.messageType === "exception") {
          exchange.log.errorType = event.exceptionType;
          return encodeExceptionFrame(event.exceptionType ?? "internalServerException", event.payload ?? {});
        }
        if (event.eventType === "chunk") return encodeChunkFrame(event.chunk, event.payloadExtra);
        return encodeEventFrame(event.eventType ?? "chunk", event.payload ?? {});
      });
      return { kind: "stream", headers: recorded, frames };
    }
    return {
      kind: "json",
      status: fixture.http?.status ?? 200,
      headers: recorded,
      // The recorder keeps a body that is not JSON as its text.
      body: typeof fixture.response === "string" ? fixture.response : JSON.stringify(fixture.response),
    };
  }

  function unmatched(query: {
    operation: FixtureOperation;
    modelId: string;
    body: unknown;
    pinned?: string;
  }) {
    const nearest = fixtures.nearest(query);
    const list = nearest.length
      ? nearest
          .map(
            (item) =>
              `${item.name} (${item.operation} ${item.modelId ?? "any model"}, body similarity ${item.similarity})`,
          )
          .join("; ")
      : "no fixtures are loaded";
    const what = query.pinned
      ? `fixture "${query.pinned}" (pinned by ${controlHeaders.fixture}) was not found`
      : "no fixture matches this request";
    return createError(
      "ValidationException",
      `bedrock-forge emulator (replay mode): ${what} for ${query.operation} ${query.modelId}. Nearest fixtures: ${list}`,
    );
  }

  // ----------------------------------------------------------------------------------------------------
  // Synthesis

  function chunkCount(exchange: Exchange): number | undefined {
    return positiveInteger(exchange.headers[controlHeaders.streamChunks]) ?? options.streamChunks;
  }

  function metricsFor(plan: ChatPlan | undefined, exchange: Exchange) {
    const latency = positiveInteger(exchange.headers[controlHeaders.latency]) ?? options.latencyMs ?? 0;
    const interval =
      positiveInteger(exchange.headers[controlHeaders.chunkInterval]) ?? options.chunkIntervalMs ?? 0;
    const firstByteLatency = Math.max(1, latency);
    return {
      firstByteLatency,
      invocationLatency: firstByteLatency + interval * Math.max(0, (plan?.pieces.length ?? 1) - 1),
    };
  }

  /** The request body as a JSON object, or the error Bedrock answers for anything else. */
  function requireObject(parsed: unknown, onError: () => EmulatorError): Json {
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw onError();
    return parsed as Json;
  }

  /** Checks a replayed invoke body against the native schema of the model's family, when the id names a catalog model. */
  function validateReplayedBody(modelId: string, parsed: unknown): void {
    let model: ResolvedModel;
    try {
      model = registry.resolve(modelId);
    } catch {
      return;
    }
    const schema = model.schemas[`${invokeKind(model)}_request`];
    if (schema)
      validateNativeBody(
        schema,
        requireObject(parsed, () => createError("ValidationException", errorMessages.malformedInput)),
      );
  }

  function invokeKind(model: ResolvedModel): "chat" | "embeddings" | "images" | "rerank" {
    const operations = model.entry.operations;
    if (operations.includes("chat")) return "chat";
    if (operations.includes("embeddings")) return "embeddings";
    if (operations.includes("images")) return "images";
    if (operations.includes("rerank")) return "rerank";
    return "chat";
  }

  function invokeGuardrail(exchange: Exchange): GuardrailRequest | undefined {
    const identifier = exchange.headers["x-amzn-bedrock-guardrailidentifier"];
    if (!identifier) return undefined;
    const trace = (exchange.headers["x-amzn-bedrock-trace"] ?? "").toUpperCase();
    return {
      identifier,
      version: exchange.headers["x-amzn-bedrock-guardrailversion"] ?? "DRAFT",
      trace: trace === "ENABLED" || trace === "ENABLED_FULL",
    };
  }

  function converseGuardrail(body: Json): GuardrailRequest | undefined {
    const config = body.guardrailConfig as Json | undefined;
    if (!config || typeof config.guardrailIdentifier !== "string") return undefined;
    const trace = String(config.trace ?? "disabled").toLowerCase();
    return {
      identifier: config.guardrailIdentifier,
      version: String(config.guardrailVersion ?? "DRAFT"),
      trace: trace === "enabled" || trace === "enabled_full",
    };
  }

  function blocks(guardrail: GuardrailRequest | undefined, view: ChatView): boolean {
    return guardrail !== undefined && view.lastUserText.includes(trigger);
  }

  function synthesizeInvoke(
    exchange: Exchange,
    operation: FixtureOperation,
    model: ResolvedModel,
    body: Json,
  ): Answer {
    const { entry, family, schemas } = model;
    if (!entry.routes.includes("invoke")) {
      throw createError(
        "ValidationException",
        `bedrock-forge emulator: the ${entry.family} spec has no InvokeModel mapping for ${entry.id}; call it through Converse`,
      );
    }
    const kind = invokeKind(model);
    const streaming = operation === "invoke-stream";
    if (streaming && (kind !== "chat" || !entry.operations.includes("chat-stream"))) {
      throw createError("ValidationException", errorMessages.unsupportedStreaming);
    }
    const schema = schemas[`${kind}_request`];
    if (validate && schema) validateNativeBody(schema, body);
    const descriptor = family.descriptor;
    if (kind === "embeddings") {
      if (!descriptor.embeddings) throw noMapping(entry, "embeddings");
      const answer = buildEmbeddingsResponse(body, descriptor, entry);
      fillRequired(answer.body, schemas.embeddings_response);
      return {
        kind: "json",
        status: 200,
        headers: {
          ...baseHeaders(exchange, "application/json"),
          "X-Amzn-Bedrock-Invocation-Latency": String(metricsFor(undefined, exchange).invocationLatency),
          "X-Amzn-Bedrock-Input-Token-Count": String(answer.inputTokens),
        },
        body: JSON.stringify(answer.body),
      };
    }
    if (kind === "images") {
      if (!descriptor.images) throw noMapping(entry, "images");
      const answer = buildImagesResponse(body, descriptor, entry, {
        ...(options.maxImagePixels ? { maxPixels: options.maxImagePixels } : {}),
      });
      fillRequired(answer, schemas.images_response);
      return {
        kind: "json",
        status: 200,
        headers: {
          ...baseHeaders(exchange, "application/json"),
          "X-Amzn-Bedrock-Invocation-Latency": String(metricsFor(undefined, exchange).invocationLatency),
        },
        body: JSON.stringify(answer),
      };
    }
    if (kind === "rerank") {
      if (!descriptor.rerank) throw noMapping(entry, "rerank");
      const answer = buildRerankResponse(body, descriptor, entry);
      fillRequired(answer, schemas.rerank_response);
      return {
        kind: "json",
        status: 200,
        headers: {
          ...baseHeaders(exchange, "application/json"),
          "X-Amzn-Bedrock-Invocation-Latency": String(metricsFor(undefined, exchange).invocationLatency),
        },
        body: JSON.stringify(answer),
      };
    }
    if (!descriptor.chat) throw noMapping(entry, "chat");
    const view = readNativeChatView(body, descriptor);
    const guardrail = invokeGuardrail(exchange);
    const blocked = blocks(guardrail, view);
    const count = chunkCount(exchange);
    const plan = planChat(view, {
      modelId: entry.id,
      ...(count !== undefined ? { chunkCount: count } : {}),
      ...(blocked ? { blockedMessage } : {}),
    });
    const context = {
      descriptor,
      modelId: entry.id,
      created: Math.floor(Date.now() / 1000),
      metrics: metricsFor(plan, exchange),
      streamChunkSchema: schemas.chat_stream_chunk,
      ...(blocked && guardrail ? { guardrail: invokeGuardrailFields(guardrail, view.lastUserText) } : {}),
    };
    if (!streaming) {
      const responseBody = buildNativeChatResponse(plan, context, view.lastUserText);
      fillRequired(responseBody, schemas.chat_response);
      const headers: Record<string, string> = {
        ...baseHeaders(exchange, "application/json"),
        "X-Amzn-Bedrock-Invocation-Latency": String(context.metrics.invocationLatency),
        "X-Amzn-Bedrock-Output-Token-Count": String(plan.outputTokens),
        "X-Amzn-Bedrock-Input-Token-Count": String(plan.inputTokens),
      };
      const usage = descriptor.chat.response.usage;
      if (usage.cache_read_tokens) headers["X-Amzn-Bedrock-Cache-Read-Input-Token-Count"] = "0";
      if (usage.cache_write_tokens) headers["X-Amzn-Bedrock-Cache-Write-Input-Token-Count"] = "0";
      return { kind: "json", status: 200, headers, body: JSON.stringify(responseBody) };
    }
    const chunks = buildNativeChatStream(plan, context, view.lastUserText);
    return {
      kind: "stream",
      headers: { ...baseHeaders(exchange, EVENTSTREAM), "X-Amzn-Bedrock-Content-Type": "application/json" },
      frames: chunks.map((chunk, index) =>
        encodeChunkFrame(chunk, padding ? { p: paddingFor(index) } : undefined),
      ),
    };
  }

  function noMapping(entry: CatalogEntry, operation: string): EmulatorError {
    return createError(
      "ValidationException",
      `bedrock-forge emulator: the ${entry.family} spec has no ${operation} mapping for ${entry.id}`,
    );
  }

  function synthesizeConverse(
    exchange: Exchange,
    operation: FixtureOperation,
    model: ResolvedModel,
    body: Json,
  ): Answer {
    const { entry } = model;
    if (!entry.routes.includes("converse") || !entry.operations.includes("chat")) {
      throw createError("ValidationException", errorMessages.converseUnsupported);
    }
    const streaming = operation === "converse-stream";
    if (streaming && !entry.operations.includes("chat-stream")) {
      throw createError("ValidationException", errorMessages.unsupportedStreaming);
    }
    if (validate) {
      validateServiceBody(streaming ? "ConverseStreamRequest" : "ConverseRequest", body, {
        rejectUnknownMembers: options.rejectUnknownConverseMembers ?? true,
      });
    }
    const view = readConverseView(body);
    const guardrail = converseGuardrail(body);
    const blocked = blocks(guardrail, view);
    const count = chunkCount(exchange);
    const plan = planChat(view, {
      modelId: entry.id,
      ...(count !== undefined ? { chunkCount: count } : {}),
      ...(blocked ? { blockedMessage } : {}),
    });
    const trace = blocked && guardrail ? converseGuardrailTrace(guardrail, view.lastUserText) : undefined;
    const context = { latencyMs: metricsFor(plan, exchange).invocationLatency, ...(trace ? { trace } : {}) };
    if (!streaming) {
      return {
        kind: "json",
        status: 200,
        headers: baseHeaders(exchange, "application/json"),
        body: JSON.stringify(buildConverseResponse(plan, context)),
      };
    }
    const events = buildConverseStream(plan, context);
    return {
      kind: "stream",
      headers: baseHeaders(exchange, EVENTSTREAM),
      frames: events.map((event, index) =>
        encodeEventFrame(
          event.eventType,
          padding ? { ...event.payload, p: paddingFor(index) } : event.payload,
        ),
      ),
    };
  }

  function synthesizeCountTokens(exchange: Exchange, model: ResolvedModel, body: Json): Answer {
    if (model.profile || model.registered || !model.entry.operations.includes("chat")) {
      // Recorded: count-tokens through a `us.` profile id answers this (recordings/errors/pydantic-ai_test_anthropic_bedrock_count_tokens_error.json).
      throw createError("ValidationException", errorMessages.countTokensUnsupported);
    }
    if (validate) {
      validateServiceBody("CountTokensRequest", body, {
        rejectUnknownMembers: options.rejectUnknownConverseMembers ?? true,
      });
    }
    const input = (body.input ?? {}) as Json;
    let text = "";
    if (input.converse && typeof input.converse === "object") {
      text = readConverseView(input.converse as Json).inputText;
    } else if (input.invokeModel && typeof input.invokeModel === "object") {
      const encoded = (input.invokeModel as Json).body;
      let native: Json = {};
      try {
        native = JSON.parse(Buffer.from(String(encoded ?? ""), "base64").toString("utf8")) as Json;
      } catch {
        throw createError("ValidationException", errorMessages.malformedInput);
      }
      const descriptor = model.family.descriptor;
      text = descriptor.chat ? readNativeChatView(native, descriptor).inputText : JSON.stringify(native);
    }
    return {
      kind: "json",
      status: 200,
      headers: baseHeaders(exchange, "application/json"),
      body: JSON.stringify({ inputTokens: Math.max(1, countTokens(text)) }),
    };
  }

  // ----------------------------------------------------------------------------------------------------
  // The request pipeline

  async function answerFor(
    exchange: Exchange,
    request: AnyRequest,
    raw: Buffer,
    path: string,
  ): Promise<Answer | "hang"> {
    const log = exchange.log;
    const method = request.method ?? "GET";
    const match = /^\/model\/([^/]+)\/([a-z-]+)$/.exec(path);
    const operation = match ? ROUTES[match[2]!] : undefined;
    if (match && operation) {
      log.operation = operation;
      try {
        log.modelId = decodeURIComponent(match[1]!);
      } catch {
        log.modelId = match[1]!;
      }
    }
    const query = (request.url ?? "").includes("?")
      ? (request.url ?? "").slice((request.url ?? "").indexOf("?") + 1)
      : "";
    log.auth = await authenticator.authenticate({
      method,
      path,
      query,
      headers: exchange.headers,
      body: raw,
    });
    if (!match || !operation || method !== "POST") {
      throw createError(
        "UnknownOperationException",
        "bedrock-forge emulator: unknown operation " + `${method} ${path}`,
      );
    }
    const modelId = log.modelId!;

    const faultHeader = exchange.headers[controlHeaders.fault];
    if (faultHeader) {
      exchange.fault = parseFault(faultHeader);
      if (exchange.fault.kind === "timeout") return "hang";
      if (exchange.fault.kind === "error") {
        log.source = "fault";
        throw exchange.fault.error();
      }
    }

    // Parsed once: the raw text when it is not JSON, undefined when empty.
    let parsed: unknown;
    if (raw.length > 0) {
      try {
        parsed = JSON.parse(raw.toString("utf8"));
      } catch {
        parsed = raw.toString("utf8");
      }
    }
    log.body = parsed;

    if (
      options.respond &&
      (operation === "invoke" || operation === "converse" || operation === "count-tokens")
    ) {
      // A contract test's own answer still gets the request checked, as a replayed fixture does.
      if (options.validateReplayed && validate && operation === "invoke")
        validateReplayedBody(modelId, parsed);
      const custom = options.respond({ operation, modelId, body: parsed });
      if (custom !== undefined) {
        log.source = "respond";
        return {
          kind: "json",
          status: 200,
          headers: baseHeaders(exchange, "application/json"),
          body: JSON.stringify(custom),
        };
      }
    }

    const pinned = exchange.headers[controlHeaders.fixture];
    if (mode !== "synthesize" && (fixtures.size > 0 || pinned)) {
      const query = { operation, modelId, body: parsed ?? {}, ...(pinned ? { pinned } : {}) };
      const found = fixtures.find(query);
      if (
        found &&
        options.validateReplayed &&
        validate &&
        (operation === "invoke" || operation === "invoke-stream")
      ) {
        validateReplayedBody(modelId, parsed);
      }
      if (found) {
        const answer = replay(exchange, found);
        if (exchange.fault?.kind === "timeout") return "hang";
        if (exchange.fault?.kind === "error") throw exchange.fault.error();
        return answer;
      }
      if (mode === "replay" || pinned) throw unmatched(query);
    }

    log.source = "synthesized";
    if (operation === "invoke" || operation === "invoke-stream") {
      const contentType = (exchange.headers["content-type"] ?? "").trim().toLowerCase();
      // "You must specify application/json" (service model, InvokeModel contentType); Bedrock rejects other
      // types, even with a charset parameter (https://github.com/tedder/requests-aws4auth/issues/71).
      if (contentType && contentType !== "application/json") {
        throw createError("ValidationException", errorMessages.contentType);
      }
      const body = requireObject(parsed, () =>
        createError("ValidationException", errorMessages.malformedInput),
      );
      const model = registry.resolve(modelId);
      return synthesizeInvoke(exchange, operation, model, body);
    }
    const body = requireObject(parsed, () =>
      createError("SerializationException", "bedrock-forge emulator: the request body is not a JSON object"),
    );
    const model = registry.resolve(modelId);
    if (operation === "count-tokens") return synthesizeCountTokens(exchange, model, body);
    return synthesizeConverse(exchange, operation, model, body);
  }

  async function handle(request: AnyRequest, response: AnyResponse, protocol: "http/1.1" | "h2") {
    const requestId = randomUUID();
    const headers = headerMap(request);
    const url = request.url ?? "/";
    const path = url.includes("?") ? url.slice(0, url.indexOf("?")) : url;
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const log: EmulatorRequest = {
      id: requestId,
      receivedAt: new Date(),
      protocol,
      method: request.method ?? "GET",
      path,
      headers,
      framesSent: 0,
      clientClosed: false,
      completed: false,
      done,
    };
    requests.push(log);
    if (requests.length > maxLogged + Math.ceil(maxLogged / 10))
      requests.splice(0, requests.length - maxLogged);
    const exchange: Exchange = { log, headers, requestId };
    if (protocol === "http/1.1") {
      // HTTP/1.1 emits "finish" only once the whole response went out.
      response.on("finish", () => {
        log.completed = true;
      });
    }
    response.on("close", () => {
      hanging.delete(response);
      if (protocol === "h2") {
        // The HTTP/2 compatibility layer emits "finish" even for a reset stream: a response is complete
        // when the emulator ended it and the stream closed without an error code.
        const stream = (response as http2.Http2ServerResponse).stream as http2.ServerHttp2Stream | undefined;
        log.completed = Boolean(exchange.ended) && (stream?.rstCode ?? 0) === 0;
      }
      if (!log.completed && !exchange.serverAborted) log.clientClosed = true;
      resolveDone();
    });

    const latencyMs = positiveInteger(headers[controlHeaders.latency]) ?? options.latencyMs ?? 0;
    let answer: Answer;
    try {
      const raw = await readBody(request, maxBodyBytes);
      const result = await answerFor(exchange, request, raw, path);
      if (result === "hang") {
        log.source = log.source ?? "fault";
        hanging.add(response);
        return;
      }
      answer = result;
    } catch (error) {
      const emulatorError =
        error instanceof EmulatorError
          ? error
          : createError(
              "InternalServerException",
              `bedrock-forge emulator: ${(error as Error)?.message ?? error}`,
            );
      if (!(error instanceof EmulatorError)) log.source = "error";
      else log.source = log.source ?? "error";
      answer = errorAnswer(exchange, emulatorError);
      if (
        emulatorError.message.startsWith("1 validation error detected: Value at 'body'") &&
        protocol === "http/1.1"
      ) {
        answer.headers.Connection = "close";
      }
    }
    try {
      if (answer.kind === "json" && answer.status >= 400 && exchange.fault?.kind !== "truncate") {
        exchange.fault = undefined;
      }
      await write(response, exchange, answer, latencyMs);
    } catch {
      abort(response, exchange);
    }
  }

  const server = await listenDual(
    (request, response, protocol) => {
      void handle(request, response, protocol);
    },
    { port: options.port ?? 0, host: options.host ?? "127.0.0.1" },
  );
  const host = server.host.includes(":") ? `[${server.host}]` : server.host;
  return {
    url: `http://${host}:${server.port}`,
    port: server.port,
    host: server.host,
    requests,
    fixtures: fixtures.fixtures,
    close: async () => {
      for (const response of hanging) abort(response);
      await server.close();
    },
  };
}
