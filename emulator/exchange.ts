/**
 * What the parts of the emulator pass each other while answering one request: the exchange (its log entry,
 * headers and fault), the answer before it is written, and the context resolved once from the options.
 */

import type http from "node:http";
import type http2 from "node:http2";
import type { Authenticator } from "./auth.js";
import type { ControlPlane } from "./control-plane.js";
import type { Fault } from "./faults.js";
import type { FixtureIndex } from "./fixtures.js";
import type { ModelRegistry } from "./models.js";
import type { EmulatorMode, EmulatorOptions, EmulatorRequest } from "./types.js";

export type Json = Record<string, unknown>;
export type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

/** Request headers that steer the emulator (never sent by real clients). */
export const controlHeaders = {
  fault: "x-bedrock-forge-fault",
  fixture: "x-bedrock-forge-fixture",
  streamChunks: "x-bedrock-forge-stream-chunks",
  latency: "x-bedrock-forge-latency-ms",
  chunkInterval: "x-bedrock-forge-chunk-interval-ms",
} as const;

export const EVENTSTREAM = "application/vnd.amazon.eventstream";

/** An answer before it is written. */
export type Answer =
  | { kind: "json"; status: number; headers: Record<string, string>; body: string }
  | { kind: "stream"; headers: Record<string, string>; frames: Uint8Array[] };

export interface Exchange {
  readonly log: EmulatorRequest;
  readonly headers: Record<string, string>;
  readonly requestId: string;
  fault?: Fault;
  /** The emulator called `end()` on the response. */
  ended?: boolean;
  /** The emulator cut the connection on purpose (truncate faults). */
  serverAborted?: boolean;
}

/** Everything request handling needs, resolved once when the emulator starts. */
export interface EmulatorContext {
  readonly options: EmulatorOptions;
  readonly mode: EmulatorMode;
  readonly registry: ModelRegistry;
  readonly fixtures: FixtureIndex;
  readonly authenticator: Authenticator;
  readonly maxBodyBytes: number;
  readonly validate: boolean;
  /** Word in the last user text that makes a guardrail intervene. */
  readonly trigger: string;
  readonly blockedMessage: string;
  readonly padding: boolean;
  /** The request log (oldest first) and how many entries it keeps. */
  readonly requests: EmulatorRequest[];
  readonly maxLogged: number;
  /** Responses held open by a timeout fault, cut when the emulator closes. */
  readonly hanging: Set<AnyResponse>;
  /** The control plane's model and profile lists (for `bedrock-forge sync`). */
  readonly controlPlane: ControlPlane;
}

/** A non-negative integer from a header or option value (undefined when absent or not a number). */
export function positiveInteger(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? Math.floor(number) : undefined;
}

/** Milliseconds between stream frames: the control header, else the option. */
export function chunkIntervalOf(context: EmulatorContext, exchange: Exchange): number {
  return (
    positiveInteger(exchange.headers[controlHeaders.chunkInterval]) ?? context.options.chunkIntervalMs ?? 0
  );
}

/** Milliseconds before the answer: the control header, else the option. */
export function latencyOf(context: EmulatorContext, headers: Record<string, string>): number {
  return positiveInteger(headers[controlHeaders.latency]) ?? context.options.latencyMs ?? 0;
}

export function baseHeaders(exchange: Exchange, contentType: string): Record<string, string> {
  return { "Content-Type": contentType, "x-amzn-RequestId": exchange.requestId };
}

/** A 200 JSON answer with the base headers (and any extra ones). */
export function jsonAnswer(
  exchange: Exchange,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): Answer {
  return {
    kind: "json",
    status: 200,
    headers: { ...baseHeaders(exchange, "application/json"), ...extraHeaders },
    body: JSON.stringify(body),
  };
}
