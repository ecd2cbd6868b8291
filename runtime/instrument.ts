import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";

/** Bedrock's response headers, captured for families whose usage comes from them. */
export const responseHeadersKey = Symbol.for("bedrock-forge.response-headers");

/**
 * Per-call transport options carried on the command object itself. The SDK passes the command as the
 * first middleware's arguments and every step spreads them on, so the client-level middlewares below
 * read them there: no per-command middleware and no `send` options, which lets the client cache its
 * resolved middleware stack (`cacheMiddleware: true`).
 */
export const callOptionsKey = Symbol.for("bedrock-forge.call-options");

/** The abort signal of one call, set on the signed HTTP request for `SignalledHttpHandler`. */
export const requestSignalKey = Symbol.for("bedrock-forge.request-signal");

export interface CarriedCallOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

type Carrier = { readonly [callOptionsKey]?: CarriedCallOptions };

const instrumented = new WeakSet<BedrockRuntimeClient>();

/**
 * Clients bedrock-forge made itself: their request handler reads the abort signal from the request
 * and their middleware stack is cached. `retries`: whether the client may retry (and wait between
 * attempts, a wait the SDK cannot cut short without the signal in its context).
 */
const signalCarriers = new WeakMap<BedrockRuntimeClient, { readonly retries: boolean }>();

export function markCarriesSignal(client: BedrockRuntimeClient, retries: boolean): void {
  signalCarriers.set(client, { retries });
}

/** How a client takes a call's abort signal: undefined means through `send` options. */
export function signalCarrier(client: BedrockRuntimeClient): { readonly retries: boolean } | undefined {
  return signalCarriers.get(client);
}

/** Adds the call's extra headers (carried on the arguments) to the request, lower-cased. */
export function addExtraHeaders(args: Arguments): void {
  const headers = (args as Carrier)[callOptionsKey]?.headers;
  if (headers) {
    const request = args.request as { headers?: Record<string, string> };
    if (request.headers) for (const name in headers) request.headers[name.toLowerCase()] = headers[name]!;
  }
}

/** Keeps a response's headers on the command output (non-enumerable, under `responseHeadersKey`). */
export function keepResponseHeaders(result: { output: unknown; response: unknown }): void {
  const headers = (result.response as { headers?: Record<string, string> } | undefined)?.headers;
  if (headers && result.output && typeof result.output === "object") {
    Object.defineProperty(result.output, responseHeadersKey, { value: headers, enumerable: false });
  }
}

/** The call's extra headers, added in the build step (before signing, so they are signed). */
const extraHeadersMiddleware = (next: Handler) => (args: Arguments) => {
  addExtraHeaders(args);
  return next(args);
};

/**
 * Outermost in the deserialize step: the call's abort signal onto the signed request, and each
 * response's headers kept on the command output.
 */
const responseHeadersMiddleware = (next: Handler) => async (args: Arguments) => {
  const signal = (args as Carrier)[callOptionsKey]?.signal;
  if (signal && args.request && typeof args.request === "object")
    (args.request as Record<symbol, unknown>)[requestSignalKey] = signal;
  const result = await next(args);
  keepResponseHeaders(result);
  return result;
};

type Arguments = { request?: unknown; input?: unknown } & Record<string | symbol, unknown>;
type Handler = (args: Arguments) => Promise<{ output: unknown; response: unknown }>;

/** bedrock-forge's user-agent middleware of a client it instrumented, for the lean call path (lean-send.ts). */
export interface ClientMiddlewares {
  userAgent?: (next: Handler, context: object) => Handler;
}

const clientMiddlewares = new WeakMap<BedrockRuntimeClient, ClientMiddlewares>();

/** The middlewares `instrumentClient` (and `useCachedUserAgent`) gave a client, if it was instrumented. */
export function middlewaresOfClient(client: BedrockRuntimeClient): ClientMiddlewares | undefined {
  return clientMiddlewares.get(client);
}

/**
 * Adds bedrock-forge's client-level middlewares. Idempotent.
 * - build: the call's extra headers, added before signing (so they are signed);
 * - deserialize (outermost): the call's abort signal onto the signed request, and each response's
 *   headers kept on the command output.
 */
export function instrumentClient(client: BedrockRuntimeClient): BedrockRuntimeClient {
  if (instrumented.has(client)) return client;
  instrumented.add(client);
  clientMiddlewares.set(client, {});
  client.middlewareStack.add(extraHeadersMiddleware as never, {
    step: "build",
    name: "bedrockForgeExtraHeaders",
  });
  client.middlewareStack.add(responseHeadersMiddleware as never, {
    step: "deserialize",
    name: "bedrockForgeResponseHeaders",
    priority: "high",
  });
  return client;
}
