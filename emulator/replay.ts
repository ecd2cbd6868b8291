/**
 * Replay: answering a request with a recorded fixture (its status, headers, body or stream events, and its
 * fault), and the error a replay-only emulator gives when no fixture matches.
 */
import { createError, EmulatorError, type ErrorName, errorMessages, errorNameForStatus } from "./errors.js";
import { encodeChunkFrame, encodeEventFrame, encodeExceptionFrame } from "./eventstream.js";
import {
  type Answer,
  controlHeaders,
  type EmulatorContext,
  EVENTSTREAM,
  type Exchange,
  type Json,
} from "./exchange.js";
import { parseFault } from "./faults.js";
import { type Fixture, type FixtureOperation, type LoadedFixture, operationOf } from "./fixtures.js";
import type { ResolvedModel } from "./models.js";
import { nativeRequestSchemaOf, nativeWordingOf, validateConverseModelFields } from "./native-request.js";
import { validateNativeBody } from "./validate.js";

/** Response headers a fixture may hold that describe a connection, not an answer. */
const HOP_BY_HOP = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "date"]);

export interface FixtureQuery {
  readonly operation: FixtureOperation;
  readonly modelId: string;
  readonly body: unknown;
  /** The fixture name a request pinned with the fixture control header. */
  readonly pinned?: string;
}

/** The fixture's recorded headers, completed with what Bedrock always sends. */
function recordedHeaders(fixture: Fixture, exchange: Exchange, streaming: boolean): Record<string, string> {
  const recorded: Record<string, string> = {};
  for (const [name, value] of Object.entries(fixture.http?.responseHeaders ?? {})) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) recorded[name] = value;
  }
  const has = (name: string) => Object.keys(recorded).some((key) => key.toLowerCase() === name);
  if (!has("x-amzn-requestid")) recorded["x-amzn-RequestId"] = exchange.requestId;
  if (!has("content-type")) recorded["Content-Type"] = streaming ? EVENTSTREAM : "application/json";
  if (fixture.operation === "error" && !has("x-amzn-errortype")) {
    // Some recordings lost the header; Bedrock always sends it, so it is rebuilt from the status.
    const status = fixture.http?.status ?? 400;
    recorded["x-amzn-ErrorType"] = new EmulatorError(errorNameForStatus(status), "").errorType;
  }
  return recorded;
}

function replayError(fixture: Fixture, exchange: Exchange, headers: Record<string, string>): Answer {
  const typeHeader = Object.entries(headers).find(([key]) => key.toLowerCase() === "x-amzn-errortype")?.[1];
  exchange.log.errorType = typeHeader?.split(":")[0];
  const status = fixture.http?.status ?? 400;
  return { kind: "json", status, headers, body: JSON.stringify(fixture.response ?? {}) };
}

function replayStream(fixture: Fixture, exchange: Exchange, headers: Record<string, string>): Answer {
  const frames = (fixture.events ?? []).map((event) => {
    if (event.messageType === "exception") {
      exchange.log.errorType = event.exceptionType;
      return encodeExceptionFrame(event.exceptionType ?? "internalServerException", event.payload ?? {});
    }
    if (event.eventType === "chunk") return encodeChunkFrame(event.chunk, event.payloadExtra);
    return encodeEventFrame(event.eventType ?? "chunk", event.payload ?? {});
  });
  return { kind: "stream", headers, frames };
}

/** The answer a fixture recorded (its fault, if any, becomes the exchange's). */
export function replayFixture(exchange: Exchange, loaded: LoadedFixture): Answer {
  const fixture = loaded.fixture;
  exchange.log.source = "fixture";
  exchange.log.fixture = loaded.name;
  if (fixture.fault) exchange.fault = parseFault(fixture.fault);
  const operation = operationOf(fixture);
  const streaming =
    fixture.operation !== "error" && (operation === "invoke-stream" || operation === "converse-stream");
  const headers = recordedHeaders(fixture, exchange, streaming);
  if (fixture.operation === "error") return replayError(fixture, exchange, headers);
  if (streaming) return replayStream(fixture, exchange, headers);
  return {
    kind: "json",
    status: fixture.http?.status ?? 200,
    headers,
    // The recorder keeps a body that is not JSON as its text.
    body: typeof fixture.response === "string" ? fixture.response : JSON.stringify(fixture.response),
  };
}

/** The replay-mode error for a request no fixture answers, naming the nearest fixtures. */
export function unmatchedFixtureError(context: EmulatorContext, query: FixtureQuery): EmulatorError {
  const nearest = context.fixtures.nearest(query);
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

/** The request body as a JSON object, or the error Bedrock answers for anything else. */
export function requireObject(parsed: unknown, errorName: ErrorName, message: string): Json {
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw createError(errorName, message);
  }
  return parsed as Json;
}

/** The kind of InvokeModel body a model takes, from its operations (the prefix of its native schemas' keys). */
export function invokeKindOf(
  model: ResolvedModel,
): "chat" | "embeddings" | "images" | "images_edit" | "rerank" {
  const operations = model.entry.operations;
  if (operations.includes("chat")) return "chat";
  if (operations.includes("embeddings")) return "embeddings";
  if (operations.includes("images")) return "images";
  if (operations.includes("images-edit")) return "images_edit";
  if (operations.includes("rerank")) return "rerank";
  return "chat";
}

/**
 * Checks a replayed body, when the id names a catalog model: an invoke body against the model's native
 * schema, a Converse body's additionalModelRequestFields against the same schema.
 */
export function validateReplayedBody(
  context: EmulatorContext,
  modelId: string,
  parsed: unknown,
  operation: FixtureOperation = "invoke",
): void {
  let model: ResolvedModel;
  try {
    model = context.registry.resolve(modelId);
  } catch {
    return;
  }
  if (operation === "converse" || operation === "converse-stream") {
    if (parsed !== null && typeof parsed === "object") validateConverseModelFields(model, parsed as Json);
    return;
  }
  if (operation === "count-tokens") return;
  const schema = nativeRequestSchemaOf(model, invokeKindOf(model));
  if (schema) {
    const body = requireObject(parsed, "ValidationException", errorMessages.malformedInput);
    validateNativeBody(schema, body, nativeWordingOf(model));
  }
}
