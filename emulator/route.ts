/**
 * Transport, authentication and routing: one request from its arrival to its answer. The path names the
 * operation and the model; the signature (or API key) is checked; a fault header may answer first; then a
 * contract test's `respond` hook, a fixture, or synthesis answers. Every request is logged.
 */
import { randomUUID } from "node:crypto";
import type http2 from "node:http2";
import type { MantleBase } from "../runtime/mantle-base.js";
import { createError, EmulatorError, errorMessages } from "./errors.js";
import {
  type Answer,
  type AnyRequest,
  type AnyResponse,
  baseHeaders,
  controlHeaders,
  type EmulatorContext,
  type Exchange,
  type Json,
  jsonAnswer,
  latencyOf,
} from "./exchange.js";
import { parseFault } from "./faults.js";
import type { FixtureOperation } from "./fixtures.js";
import { answerMantle, MANTLE_SERVICE, mantleBaseOfPath, mantleFailureAnswer } from "./mantle.js";
import { replayFixture, requireObject, unmatchedFixtureError, validateReplayedBody } from "./replay.js";
import { synthesize } from "./synthesis.js";
import type { EmulatorRequest } from "./types.js";
import { bodyTooLargeError, validateInvokeHeaders } from "./validate.js";
import { abort, errorAnswer, writeAnswer } from "./write.js";

/** The operation of each path suffix (`/model/{modelId}/{suffix}`). */
const ROUTES: Readonly<Record<string, FixtureOperation>> = {
  invoke: "invoke",
  "invoke-with-response-stream": "invoke-stream",
  converse: "converse",
  "converse-stream": "converse-stream",
  "count-tokens": "count-tokens",
};

/**
 * InvokeModelWithBidirectionalStream (speech-to-speech, Amazon Nova Sonic): a full-duplex HTTP/2 event stream
 * that neither the runtime nor the emulator speaks; its path is recognized so the refusal says so.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithBidirectionalStream.html
 */
const BIDIRECTIONAL_SUFFIX = "invoke-with-bidirectional-stream";

/** The answer, or "hang" for a timeout fault (no answer until the client gives up). */
type Outcome = Answer | "hang";

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

/** The body as JSON, its raw text when it is not JSON, undefined when empty. */
function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return raw.toString("utf8");
  }
}

/** Reads the operation and model id from the path into the log; authenticates; refuses unknown operations. */
async function routeAndAuthenticate(
  context: EmulatorContext,
  exchange: Exchange,
  request: AnyRequest,
  raw: Buffer,
): Promise<{ operation: FixtureOperation; modelId: string } | { listed: string }> {
  const log = exchange.log;
  const method = request.method ?? "GET";
  const match = /^\/model\/([^/]+)\/([a-z-]+)$/.exec(log.path);
  const operation = match ? ROUTES[match[2]!] : undefined;
  if (match && operation) {
    log.operation = operation;
    try {
      log.modelId = decodeURIComponent(match[1]!);
    } catch {
      log.modelId = match[1]!;
    }
  }
  const url = request.url ?? "";
  const query = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
  log.auth = await context.authenticator.authenticate({
    method,
    path: log.path,
    query,
    headers: exchange.headers,
    body: raw,
  });
  const listed = context.controlPlane.answer({ method, path: log.path, query, headers: exchange.headers });
  if (listed !== undefined) return { listed };
  if (match?.[2] === BIDIRECTIONAL_SUFFIX) {
    throw createError(
      "UnknownOperationException",
      `bedrock-forge emulator: InvokeModelWithBidirectionalStream (${method} ${log.path}) is not emulated: bedrock-forge does not speak the bidirectional stream of speech-to-speech models yet`,
    );
  }
  if (!match || !operation || method !== "POST") {
    throw createError(
      "UnknownOperationException",
      `bedrock-forge emulator: unknown operation ${method} ${log.path}`,
    );
  }
  return { operation, modelId: log.modelId! };
}

/** A fault the request asked for in its header: an error now, a hang, or one that shapes the answer later. */
function applyFaultHeader(exchange: Exchange): "hang" | undefined {
  const header = exchange.headers[controlHeaders.fault];
  if (!header) return undefined;
  exchange.fault = parseFault(header);
  if (exchange.fault.kind === "timeout") return "hang";
  if (exchange.fault.kind === "error") {
    exchange.log.source = "fault";
    throw exchange.fault.error();
  }
  return undefined;
}

/** A contract test's own answer to a unary request, if it gives one (the request is still checked). */
function answerFromHook(
  context: EmulatorContext,
  exchange: Exchange,
  operation: FixtureOperation,
  modelId: string,
  body: unknown,
): Answer | undefined {
  const respond = context.options.respond;
  if (!respond || (operation !== "invoke" && operation !== "converse" && operation !== "count-tokens")) {
    return undefined;
  }
  if (context.options.validateReplayed && context.validate) {
    validateReplayedBody(context, modelId, body, operation);
  }
  const custom = respond({ operation, modelId, body });
  if (custom === undefined) return undefined;
  exchange.log.source = "respond";
  return jsonAnswer(exchange, custom);
}

/** The answer of a matching fixture; in replay mode (or when pinned) an error when none matches. */
function answerFromFixtures(
  context: EmulatorContext,
  exchange: Exchange,
  operation: FixtureOperation,
  modelId: string,
  body: unknown,
): Outcome | undefined {
  const pinned = exchange.headers[controlHeaders.fixture];
  if (context.mode === "synthesize" || (context.fixtures.size === 0 && !pinned)) return undefined;
  const query = { operation, modelId, body: body ?? {}, ...(pinned ? { pinned } : {}) };
  const found = context.fixtures.find(query);
  if (!found) {
    if (context.mode === "replay" || pinned) throw unmatchedFixtureError(context, query);
    return undefined;
  }
  if (context.options.validateReplayed && context.validate) {
    validateReplayedBody(context, modelId, body, operation);
  }
  const answer = replayFixture(exchange, found);
  if (exchange.fault?.kind === "timeout") return "hang";
  if (exchange.fault?.kind === "error") throw exchange.fault.error();
  return answer;
}

/** Checks what synthesis needs of a body (JSON object; InvokeModel: the JSON content type), then synthesizes. */
function answerBySynthesis(
  context: EmulatorContext,
  exchange: Exchange,
  operation: FixtureOperation,
  modelId: string,
  body: unknown,
): Answer {
  exchange.log.source = "synthesized";
  let object: Json;
  if (operation === "invoke" || operation === "invoke-stream") {
    const contentType = (exchange.headers["content-type"] ?? "").trim().toLowerCase();
    // "You must specify application/json" (service model, InvokeModel contentType); Bedrock rejects other
    // types, even with a charset parameter (https://github.com/tedder/requests-aws4auth/issues/71).
    if (contentType && contentType !== "application/json") {
      throw createError("ValidationException", errorMessages.contentType);
    }
    object = requireObject(body, "ValidationException", errorMessages.malformedInput);
  } else {
    object = requireObject(
      body,
      "SerializationException",
      "bedrock-forge emulator: the request body is not a JSON object",
    );
  }
  return synthesize(context, exchange, operation, modelId, object);
}

/** A request on a bedrock-mantle chat path: authenticated for `bedrock-mantle`, faults applied, then answered. */
async function answerMantleRequest(
  context: EmulatorContext,
  exchange: Exchange,
  request: AnyRequest,
  raw: Buffer,
  base: MantleBase,
): Promise<Outcome> {
  const url = request.url ?? "";
  const method = request.method ?? "GET";
  exchange.log.auth = await context.authenticator.authenticate(
    {
      method,
      path: exchange.log.path,
      query: url.includes("?") ? url.slice(url.indexOf("?") + 1) : "",
      headers: exchange.headers,
      body: raw,
    },
    MANTLE_SERVICE,
  );
  if (applyFaultHeader(exchange) === "hang") return "hang";
  const body = parseBody(raw);
  exchange.log.body = body;
  return answerMantle(context, exchange, method, base, body);
}

async function answerFor(
  context: EmulatorContext,
  exchange: Exchange,
  request: AnyRequest,
  raw: Buffer,
): Promise<Outcome> {
  const mantleBase = mantleBaseOfPath(exchange.log.path);
  if (mantleBase) return answerMantleRequest(context, exchange, request, raw, mantleBase);
  const routed = await routeAndAuthenticate(context, exchange, request, raw);
  if ("listed" in routed)
    return {
      kind: "json",
      status: 200,
      headers: baseHeaders(exchange, "application/json"),
      body: routed.listed,
    };
  const { operation, modelId } = routed;
  if (applyFaultHeader(exchange) === "hang") return "hang";
  if (context.validate && (operation === "invoke" || operation === "invoke-stream")) {
    validateInvokeHeaders(exchange.headers);
  }
  const body = parseBody(raw);
  exchange.log.body = body;
  return (
    answerFromHook(context, exchange, operation, modelId, body) ??
    answerFromFixtures(context, exchange, operation, modelId, body) ??
    answerBySynthesis(context, exchange, operation, modelId, body)
  );
}

/** Adds a request to the log, dropping the oldest entries past the limit. */
function logRequest(context: EmulatorContext, entry: EmulatorRequest): void {
  const { requests, maxLogged } = context;
  requests.push(entry);
  if (requests.length > maxLogged + Math.ceil(maxLogged / 10))
    requests.splice(0, requests.length - maxLogged);
}

/** Starts the exchange of a request: its log entry, which resolves `done` when the response closes. */
function openExchange(
  context: EmulatorContext,
  request: AnyRequest,
  response: AnyResponse,
  protocol: "http/1.1" | "h2",
): Exchange {
  const headers = headerMap(request);
  const url = request.url ?? "/";
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const log: EmulatorRequest = {
    id: randomUUID(),
    receivedAt: new Date(),
    protocol,
    method: request.method ?? "GET",
    path: url.includes("?") ? url.slice(0, url.indexOf("?")) : url,
    headers,
    framesSent: 0,
    clientClosed: false,
    completed: false,
    done,
  };
  logRequest(context, log);
  const exchange: Exchange = { log, headers, requestId: log.id };
  // HTTP/1.1 emits "finish" only once the whole response went out.
  if (protocol === "http/1.1") response.on("finish", () => (log.completed = true));
  response.on("close", () => {
    context.hanging.delete(response);
    if (protocol === "h2") {
      // The HTTP/2 compatibility layer emits "finish" even for a reset stream: a response is complete
      // when the emulator ended it and the stream closed without an error code.
      const stream = (response as http2.Http2ServerResponse).stream as http2.ServerHttp2Stream | undefined;
      log.completed = Boolean(exchange.ended) && (stream?.rstCode ?? 0) === 0;
    }
    if (!log.completed && !exchange.serverAborted) log.clientClosed = true;
    resolveDone();
  });
  return exchange;
}

/** The error answer of a failed request (anything but an EmulatorError is an InternalServerException). */
function failureAnswer(exchange: Exchange, error: unknown, protocol: "http/1.1" | "h2"): Answer {
  const log = exchange.log;
  const emulatorError =
    error instanceof EmulatorError
      ? error
      : createError(
          "InternalServerException",
          `bedrock-forge emulator: ${(error as Error)?.message ?? error}`,
        );
  log.source = error instanceof EmulatorError ? (log.source ?? "error") : "error";
  const answer = errorAnswer(exchange, emulatorError);
  if (
    emulatorError.message.startsWith("1 validation error detected: Value at 'body'") &&
    protocol === "http/1.1"
  ) {
    answer.headers.Connection = "close";
  }
  return answer;
}

/** Answers one request on either protocol. */
export async function handleRequest(
  context: EmulatorContext,
  request: AnyRequest,
  response: AnyResponse,
  protocol: "http/1.1" | "h2",
): Promise<void> {
  const exchange = openExchange(context, request, response, protocol);
  let answer: Answer;
  try {
    const outcome = await answerFor(
      context,
      exchange,
      request,
      await readBody(request, context.maxBodyBytes),
    );
    if (outcome === "hang") {
      exchange.log.source = exchange.log.source ?? "fault";
      context.hanging.add(response);
      return;
    }
    answer = outcome;
  } catch (error) {
    answer = mantleBaseOfPath(exchange.log.path)
      ? mantleFailureAnswer(exchange, error)
      : failureAnswer(exchange, error, protocol);
  }
  try {
    // An error answer is sent whole, except under a truncate fault.
    if (answer.kind === "json" && answer.status >= 400 && exchange.fault?.kind !== "truncate") {
      exchange.fault = undefined;
    }
    await writeAnswer(context, response, exchange, answer, latencyOf(context, exchange.headers));
  } catch {
    abort(response, exchange);
  }
}
