/**
 * How long a call may take. Two units, each where its own ecosystem uses it:
 *
 * - `timeout` (and its alias `request_timeout`) in a request or in `createBedrock` options are
 *   **seconds**, as LiteLLM reads them (`completion(timeout=…)`; LiteLLM defaults it to 600).
 * - `timeout` in the per-call options (`create(body, { timeout })`) is **milliseconds**, as in
 *   openai-node's request options (its `DEFAULT_TIMEOUT` is 600000).
 *
 * A call without any timeout gets 10 minutes, the default of both. For a stream the timeout bounds the
 * wait for the response to start and then every wait for the next event (time the caller spends on a
 * chunk does not count), so a server that goes silent ends the call with a 408 timeout error.
 */
import { RequestValidationError } from "./errors.js";
import type { RequestOptions } from "./types.js";

/** Ten minutes: LiteLLM's and openai-node's default timeout. */
const defaultTimeoutMilliseconds = 600_000;

/**
 * The longest timeout in seconds that can be meant: Bedrock inference calls run at most 60 minutes
 * (https://docs.aws.amazon.com/nova/latest/nova2-userguide/important-timeout-configuration.html).
 * A larger number of seconds is almost always a number of milliseconds.
 */
const maximumTimeoutSeconds = 3600;

/** Request and client fields whose value is a timeout in seconds (LiteLLM's names). */
const timeoutSecondsFields = ["timeout", "request_timeout"] as const;

/** A LiteLLM-style timeout in seconds, checked, as milliseconds (`undefined` when not given). */
function readTimeoutSeconds(value: unknown, param: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RequestValidationError(
      `${param} must be a number of seconds greater than 0 (got ${JSON.stringify(value)}); leave it out for the default of ${defaultTimeoutMilliseconds / 1000} s`,
      { param, code: "invalid_param_value" },
    );
  }
  if (value > maximumTimeoutSeconds) {
    throw new RequestValidationError(
      `${param}=${value} is in seconds (LiteLLM's unit): that is longer than any Bedrock call can run (${maximumTimeoutSeconds} s). For ${value} milliseconds write ${param}: ${value / 1000}, or pass { timeout: ${value} } in the call options (milliseconds, as in openai-node).`,
      { param, code: "invalid_param_value" },
    );
  }
  return Math.round(value * 1000);
}

/** The per-call options' timeout in milliseconds, checked (`undefined` when not given). */
function readTimeoutMilliseconds(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RequestValidationError(
      `the call option timeout must be a number of milliseconds greater than 0 (got ${JSON.stringify(value)})`,
      { param: "timeout", code: "invalid_param_value" },
    );
  }
  return value;
}

/** The first timeout in seconds a side gives (`timeout`, else `request_timeout`), as milliseconds. */
export function readSideTimeout(side: Readonly<Record<string, unknown>>): number | undefined {
  for (const field of timeoutSecondsFields) {
    const milliseconds = readTimeoutSeconds(side[field], field);
    if (milliseconds !== undefined) return milliseconds;
  }
  return undefined;
}

/**
 * A call's timeout in milliseconds: the call options' (milliseconds), else the request's (seconds),
 * else the client's (seconds, read once by `createBedrock`), else the default.
 */
export function resolveCallTimeout(
  requestOptions: RequestOptions,
  request: Readonly<Record<string, unknown>>,
  clientTimeout: number | undefined,
): number {
  return (
    readTimeoutMilliseconds(requestOptions.timeout) ??
    readSideTimeout(request) ??
    clientTimeout ??
    defaultTimeoutMilliseconds
  );
}
