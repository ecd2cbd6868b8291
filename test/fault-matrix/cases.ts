/**
 * The fault matrix (issue 12): every emulator fault (emulator/faults.ts) × unary and stream × retries on
 * and off, each with its defined outcome. Shared by the runtime's and the proxy's matrix tests.
 *
 * Where the outcomes come from:
 * - the exceptions, their HTTP status and messages: the Bedrock Runtime service model
 *   (test/reference/bedrock-runtime-service-model.json) as the emulator sends them;
 * - the OpenAI status and type of each: the mapping table in test/runtime/errors.test.ts;
 * - which failures the AWS SDK retries: @smithy/core's service-error-classification (throttling: status
 *   429 or a throttling name such as ThrottlingException; transient: status 500/502/503/504, names
 *   TimeoutError/RequestTimeout, codes ECONNRESET/EPIPE/ETIMEDOUT/ECONNREFUSED; and the service model's
 *   `retryable` trait, which ModelNotReadyException carries). ModelTimeoutException (408),
 *   AccessDeniedException, ServiceQuotaExceededException (400) and ValidationException are not retried;
 *   a stream that fails after its response started is not retried either (the call already returned);
 * - which failures the proxy fails over: throttling (429), timeouts (408), 5xx and unreachable
 *   endpoints, and, for a stream, only before its first chunk (proxy/README.md, "Load balancing and failover").
 */

export type Mode = "unary" | "stream";

export interface FaultOutcome {
  readonly status: number;
  readonly type: string;
  readonly code: string;
  /** Attempts with retries on (the runtime's SDK: 2 attempts; the proxy: failover to a second deployment). */
  readonly attemptsWithRetries: { readonly runtime: number; readonly proxy: number };
  /** The error comes after some chunks were delivered (a stream that started): never retried, never failed over. */
  readonly afterChunks?: boolean;
}

export interface FaultCase {
  /** The fault as the issue names it. */
  readonly fault: string;
  readonly mode: Mode;
  /** The emulator's fault header value (x-bedrock-forge-fault). */
  readonly header: string;
  readonly outcome: FaultOutcome;
}

const both = (runtime: number, proxy: number) => ({ runtime, proxy });

/** Errors Bedrock answers instead of a response: the same for unary calls and streams (before any event). */
const answeredErrors: readonly [string, string, FaultOutcome][] = [
  [
    "throttle",
    "throttle",
    { status: 429, type: "rate_limit_error", code: "ThrottlingException", attemptsWithRetries: both(2, 2) },
  ],
  [
    "5xx (500)",
    "500",
    { status: 500, type: "api_error", code: "InternalServerException", attemptsWithRetries: both(2, 2) },
  ],
  [
    "5xx (503)",
    "503",
    {
      status: 503,
      type: "service_unavailable_error",
      code: "ServiceUnavailableException",
      attemptsWithRetries: both(2, 2),
    },
  ],
  [
    "not-ready",
    "not-ready",
    {
      status: 503,
      type: "service_unavailable_error",
      code: "ModelNotReadyException",
      attemptsWithRetries: both(2, 2),
    },
  ],
  [
    "model timeout",
    "model-timeout",
    { status: 408, type: "timeout_error", code: "ModelTimeoutException", attemptsWithRetries: both(1, 2) },
  ],
  [
    "access denied",
    "access-denied",
    { status: 403, type: "permission_error", code: "AccessDeniedException", attemptsWithRetries: both(1, 1) },
  ],
  // ServiceQuotaExceededException is an HTTP 400 from Bedrock: not retried by the SDK; a 429 for OpenAI clients, failed over.
  [
    "quota",
    "quota",
    {
      status: 429,
      type: "rate_limit_error",
      code: "ServiceQuotaExceededException",
      attemptsWithRetries: both(1, 2),
    },
  ],
  [
    "context window",
    "context-window",
    {
      status: 400,
      type: "invalid_request_error",
      code: "context_length_exceeded",
      attemptsWithRetries: both(1, 1),
    },
  ],
  // No answer at all: the call's own timeout (300 ms here) ends it; the runtime's signal covers every SDK attempt.
  [
    "stall",
    "timeout",
    { status: 408, type: "timeout_error", code: "TimeoutError", attemptsWithRetries: both(1, 2) },
  ],
];

const connectionLost = { status: 502, type: "api_error", code: "connection_error" } as const;

export const faultCases: readonly FaultCase[] = [
  ...answeredErrors.flatMap(([fault, header, outcome]) =>
    (["unary", "stream"] as const).map((mode) => ({ fault, mode, header, outcome })),
  ),
  // The status line and headers, then the connection is cut (before any body byte or event).
  {
    fault: "reset",
    mode: "unary",
    header: "truncate-after:0",
    outcome: { ...connectionLost, attemptsWithRetries: both(2, 2) },
  },
  {
    fault: "reset",
    mode: "stream",
    header: "truncate-after:0",
    outcome: { ...connectionLost, attemptsWithRetries: both(2, 2) },
  },
  // Part of the body (10 bytes of the JSON answer; 2 events of the stream), then the connection is cut.
  {
    fault: "truncated body",
    mode: "unary",
    header: "truncate-after:10",
    outcome: { ...connectionLost, attemptsWithRetries: both(2, 2) },
  },
  {
    fault: "truncated body",
    mode: "stream",
    header: "truncate-after:2",
    outcome: { ...connectionLost, attemptsWithRetries: both(1, 1), afterChunks: true },
  },
  // Stream-only faults (the emulator applies them to event streams).
  {
    fault: "bad CRC",
    mode: "stream",
    header: "bad-crc",
    outcome: { status: 502, type: "api_error", code: "bad_response", attemptsWithRetries: both(1, 2) },
  },
  {
    fault: "mid-stream exception",
    mode: "stream",
    header: "stream-error-after:2",
    outcome: {
      status: 424,
      type: "api_error",
      code: "ModelStreamErrorException",
      attemptsWithRetries: both(1, 1),
      afterChunks: true,
    },
  },
];

/** A generous bound for one case, for liveness only (retry delays are at most 0.5 s here, timeouts 0.3 s). */
export const caseTimeBoundMs = 10_000;

/** The call timeout the stall fault runs into (milliseconds). */
export const stallTimeoutMs = 300;

/** A short name for a case, usable as a model name and a header value. */
export function caseId(testCase: FaultCase, retries: boolean): string {
  return `${testCase.header.replace(/[^a-z0-9]+/gi, "-")}-${testCase.mode}-${retries ? "retries" : "once"}`;
}
