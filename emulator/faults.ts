/**
 * Fault injection, per request (header `x-bedrock-forge-fault`) or per fixture (`"fault"`):
 *
 * | fault | effect |
 * | --- | --- |
 * | `throttle` | 429 ThrottlingException |
 * | `500` | 500 InternalServerException |
 * | `503` | 503 ServiceUnavailableException |
 * | `timeout` | no answer at all; the connection stays open until the client gives up |
 * | `model-timeout` | 408 ModelTimeoutException |
 * | `not-ready` | 429 ModelNotReadyException |
 * | `access-denied` | 403 AccessDeniedException |
 * | `quota` | 400 ServiceQuotaExceededException |
 * | `context-window` | 400 ValidationException "Input is too long for requested model." |
 * | `stream-error-after:N[:name]` | a stream sends N events, then an exception frame (default modelStreamErrorException; name is e.g. `throttling`, `internal`, `validation`, `model-timeout`, `unavailable`) |
 * | `truncate-after:N` | a stream sends N events (a unary answer N bytes), then the connection is cut |
 * | `bad-crc` | the first stream frame has a wrong message CRC |
 */
import { createError, type EmulatorError, type ErrorName, errorMessages, streamMemberOf } from "./errors.js";
import { corruptMessageCrc, encodeExceptionFrame } from "./eventstream.js";
import type { FixtureOperation } from "./fixtures.js";

export type Fault =
  | { readonly kind: "error"; readonly error: () => EmulatorError }
  | { readonly kind: "timeout" }
  | { readonly kind: "stream-error"; readonly after: number; readonly errorName: ErrorName }
  | { readonly kind: "truncate"; readonly after: number }
  | { readonly kind: "bad-crc" };

const STREAM_ERRORS: Record<string, ErrorName> = {
  "model-stream": "ModelStreamErrorException",
  throttle: "ThrottlingException",
  throttling: "ThrottlingException",
  internal: "InternalServerException",
  "500": "InternalServerException",
  validation: "ValidationException",
  "context-window": "ValidationException",
  "model-timeout": "ModelTimeoutException",
  unavailable: "ServiceUnavailableException",
  "503": "ServiceUnavailableException",
};

/** The message each in-stream exception carries. */
export function streamErrorMessage(name: ErrorName): string {
  switch (name) {
    case "ThrottlingException":
      // Reported in-stream wording: https://github.com/aws-samples/aws-genai-llm-chatbot/issues/220
      return "Too many requests, please wait before trying again. You have sent too many requests. Wait before trying again.";
    case "InternalServerException":
      return errorMessages.internal;
    case "ValidationException":
      return errorMessages.inputTooLong;
    case "ModelTimeoutException":
      return errorMessages.modelTimeout;
    case "ServiceUnavailableException":
      return errorMessages.serviceUnavailable;
    default:
      return errorMessages.modelStreamError;
  }
}

/** Parses a fault name; throws a ValidationException-shaped EmulatorError for unknown names. */
export function parseFault(value: string): Fault {
  const fault = value.trim().toLowerCase();
  const [name, argument, extra] = fault.split(":");
  const count = (text: string | undefined) => {
    const number = Number(text);
    if (!Number.isInteger(number) || number < 0) throw unknownFault(value);
    return number;
  };
  switch (name) {
    case "throttle":
      return { kind: "error", error: () => createError("ThrottlingException", errorMessages.throttling) };
    case "500":
      return { kind: "error", error: () => createError("InternalServerException", errorMessages.internal) };
    case "503":
      return {
        kind: "error",
        error: () => createError("ServiceUnavailableException", errorMessages.serviceUnavailable),
      };
    case "timeout":
      return { kind: "timeout" };
    case "model-timeout":
      return { kind: "error", error: () => createError("ModelTimeoutException", errorMessages.modelTimeout) };
    case "not-ready":
      return {
        kind: "error",
        error: () => createError("ModelNotReadyException", errorMessages.modelNotReady),
      };
    case "access-denied":
      return { kind: "error", error: () => createError("AccessDeniedException", errorMessages.accessDenied) };
    case "quota":
      return {
        kind: "error",
        error: () => createError("ServiceQuotaExceededException", errorMessages.quota),
      };
    case "context-window":
      return { kind: "error", error: () => createError("ValidationException", errorMessages.inputTooLong) };
    case "stream-error-after": {
      const errorName = extra === undefined ? "ModelStreamErrorException" : STREAM_ERRORS[extra];
      if (!errorName) throw unknownFault(value);
      return { kind: "stream-error", after: count(argument), errorName };
    }
    case "truncate-after":
      return { kind: "truncate", after: count(argument) };
    case "bad-crc":
      return { kind: "bad-crc" };
    default:
      throw unknownFault(value);
  }
}

function unknownFault(value: string): EmulatorError {
  return createError(
    "ValidationException",
    `bedrock-forge emulator: unknown fault "${value}" (known: throttle, 500, 503, timeout, model-timeout, not-ready, access-denied, quota, context-window, stream-error-after:N, truncate-after:N, bad-crc)`,
  );
}

/** How a stream ends under a fault: as usual, with an exception frame, or cut mid-stream. */
export type StreamEnding = "complete" | "exception" | "cut";

/** The frames a stream sends under a fault (a bad CRC, or only the first N), and how it then ends. */
export function applyStreamFault(
  frames: readonly Uint8Array[],
  fault: Fault | undefined,
): { frames: Uint8Array[]; ending: StreamEnding } {
  let sent = [...frames];
  if (fault?.kind === "bad-crc" && sent.length > 0) sent = [corruptMessageCrc(sent[0]!), ...sent.slice(1)];
  if (fault?.kind === "stream-error") return { frames: sent.slice(0, fault.after), ending: "exception" };
  if (fault?.kind === "truncate" && fault.after < sent.length) {
    return { frames: sent.slice(0, fault.after), ending: "cut" };
  }
  return { frames: sent, ending: "complete" };
}

/** The exception frame a `stream-error-after` fault ends a stream with, and the exception's name. */
export function streamErrorFrame(
  errorName: ErrorName,
  operation: FixtureOperation | undefined,
): { frame: Uint8Array; errorName: string } {
  // ConverseStream's union has no modelTimeoutException: a model timeout arrives there as a
  // modelStreamErrorException carrying the timeout message (as reported for Bedrock streams, e.g.
  // "modelStreamErrorException: Model has timed out in processing the request. Try your request again.").
  const sentName =
    errorName === "ModelTimeoutException" && operation === "converse-stream"
      ? "ModelStreamErrorException"
      : errorName;
  const body: Record<string, unknown> = { message: streamErrorMessage(errorName) };
  if (sentName === "ModelStreamErrorException") {
    body.originalStatusCode = errorName === "ModelTimeoutException" ? 408 : 500;
    body.originalMessage = "The model encountered an error while streaming.";
  }
  return { frame: encodeExceptionFrame(streamMemberOf(sentName), body), errorName: sentName };
}
