/**
 * Bedrock call members that sit beside a request's model params: the guardrail configuration and the
 * invocation-log metadata. Both are checked before anything is sent, against the limits of the Bedrock
 * Runtime service model (GuardrailConfiguration, RequestMetadata), so a malformed value fails with an
 * error naming it instead of Bedrock's ValidationException after a round trip.
 */
import { RequestValidationError } from "./errors.js";
import type { GuardrailConfig } from "./types.js";

function failGuardrail(detail: string, model: string | undefined): never {
  throw new RequestValidationError(
    `guardrailConfig ${detail}. It takes {guardrailIdentifier, guardrailVersion, trace?, streamProcessingMode?}.`,
    { param: "guardrailConfig", model },
  );
}

const guardrailKeys = new Set(["guardrailIdentifier", "guardrailVersion", "trace", "streamProcessingMode"]);
const guardrailTraces = ["enabled", "disabled", "enabled_full"];
const streamProcessingModes = ["sync", "async"];
/** GuardrailVersion in the service model: a version number or DRAFT. */
const guardrailVersionPattern = /^(?:[1-9][0-9]{0,7}|DRAFT)$/;

/**
 * Checks a guardrailConfig (LiteLLM refuses a malformed one with a 400 naming guardrailConfig): an object
 * with a guardrail identifier and version as strings, a known trace setting and no other keys. InvokeModel
 * needs the version whenever an identifier is given.
 */
export function checkGuardrailConfig(value: unknown, model?: string): GuardrailConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    failGuardrail(`must be an object, got ${JSON.stringify(value)}`, model);
  const config = value as Record<string, unknown>;
  const unknown = Object.keys(config).filter((key) => !guardrailKeys.has(key));
  if (unknown.length > 0) failGuardrail(`has unknown keys: ${unknown.join(", ")}`, model);
  const { guardrailIdentifier, guardrailVersion, trace, streamProcessingMode } = config;
  if (typeof guardrailIdentifier !== "string" || guardrailIdentifier === "")
    failGuardrail("needs guardrailIdentifier, the guardrail's id or ARN, as a string", model);
  if (typeof guardrailVersion !== "string" || !guardrailVersionPattern.test(guardrailVersion)) {
    failGuardrail(
      `needs guardrailVersion as a string: a version number or "DRAFT" (got ${JSON.stringify(guardrailVersion)})`,
      model,
    );
  }
  if (trace !== undefined && !guardrailTraces.includes(trace as string))
    failGuardrail(`trace must be one of ${guardrailTraces.join(", ")} (got ${JSON.stringify(trace)})`, model);
  if (streamProcessingMode !== undefined && !streamProcessingModes.includes(streamProcessingMode as string)) {
    failGuardrail(
      `streamProcessingMode must be sync or async (got ${JSON.stringify(streamProcessingMode)})`,
      model,
    );
  }
  return value as GuardrailConfig;
}

function failMetadata(detail: string, model: string | undefined): never {
  throw new RequestValidationError(`requestMetadata ${detail}`, { param: "requestMetadata", model });
}

/** RequestMetadata in the service model: at most 16 pairs; keys 1-256 and values 0-256 of these characters. */
const metadataMaxItems = 16;
const metadataMaxLength = 256;
const metadataCharacters = /^[a-zA-Z0-9\s:_@$#=/+,\-.]*$/;
const allowedCharacters = "letters, digits, whitespace and : _ @ $ # = / + , - .";

function describeKey(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

/**
 * Checks Converse's `requestMetadata` (key-value pairs for filtering invocation logs) and returns it, or
 * undefined when absent or empty: the service model allows no empty map, and an empty one filters nothing.
 */
export function readRequestMetadata(value: unknown, model?: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    failMetadata(`must be an object of string keys and values, got ${JSON.stringify(value)}`, model);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  if (entries.length > metadataMaxItems)
    failMetadata(`can hold a maximum of ${metadataMaxItems} items (got ${entries.length})`, model);
  for (const [key, entry] of entries) {
    if (key.length === 0 || key.length > metadataMaxLength) {
      failMetadata(
        `key length must be 1-${metadataMaxLength} characters (got ${key.length === 0 ? "an empty key" : `${key.length} characters in ${describeKey(key)}`})`,
        model,
      );
    }
    if (typeof entry !== "string") failMetadata(`value of ${describeKey(key)} must be a string`, model);
    if (entry.length > metadataMaxLength) {
      failMetadata(
        `value length of ${describeKey(key)} must be at most ${metadataMaxLength} characters (got ${entry.length})`,
        model,
      );
    }
    if (!metadataCharacters.test(key) || !metadataCharacters.test(entry)) {
      failMetadata(
        `pair ${describeKey(key)} has characters Bedrock refuses; keys and values take ${allowedCharacters}`,
        model,
      );
    }
  }
  return value as Record<string, string>;
}

/**
 * InvokeModel's `requestMetadata`: the same pairs as a JSON string, which the SDK sends in the
 * X-Amzn-Bedrock-Request-Metadata header (service model: InvokeModelRequest.requestMetadata).
 */
export function invokeRequestMetadata(value: unknown, model?: string): { requestMetadata?: string } {
  const metadata = readRequestMetadata(value, model);
  return metadata ? { requestMetadata: JSON.stringify(metadata) } : {};
}
