/**
 * The lean call path: Converse and InvokeModel, and their streaming forms (ConverseStream,
 * InvokeModelWithResponseStream), on a client bedrock-forge made, sent by the SDK's own parts without the
 * per-call work that gives the same answer every time. A stream's answer is read by the client's own
 * protocol, with an event-stream marshaller that splits and reads the events in one layer
 * (lean-event-stream.ts) once its reader is compiled.
 *
 * DESIGN. A unary `client.send` spends most of its CPU on work whose result depends only on the client's
 * configuration: endpoint rule evaluation (with a look-up of configured endpoint URLs), auth scheme
 * resolution, copies of the whole client configuration in the endpoint, serializer and deserializer
 * middlewares, and one async layer per middleware. Here that work is done once per client and operation
 * ({@link planFor}); every call then runs:
 *
 * - identity: the client's own identity provider for the selected scheme (its memoized credentials
 *   provider, refreshed as the SDK refreshes it; or the API key's token provider), once per call;
 * - serialization: the operation's serde compiled once from the SDK's own schema (operation-serde.ts; the
 *   client's protocol, `client.config.protocol`, where it declines): same bytes as the protocol;
 *   then the client stack's build step in its order (content length, extra headers, host) in one step;
 * - retries: the client's retry strategy (backoff, throttling delays, retry quota, `amz-sdk-request` and
 *   `amz-sdk-invocation-id`, the wait between attempts ended by the call's signal), driven by
 *   {@link sendAttempts} as the SDK's retry step drives it (a strategy without retry tokens keeps the SDK's
 *   step itself);
 * - signing on each attempt: the auth scheme's signer (the client's SigV4 signer with its clock-skew
 *   correction from the answer's Date, or the bearer token), called as the SDK's signing step calls it;
 * - the SDK's recursion-detection middleware (inside Lambda only: it adds nothing elsewhere);
 * - bedrock-forge's user-agent middleware (user-agent.ts) as on `send`;
 * - deserialization: the compiled serde for a 2xx answer, the client's protocol for errors (the SDK's
 *   exception classes, `$metadata`, `$response`);
 * - the client's request handler, with the call's abort signal.
 *
 * Measured (CPU per call against a request handler that answers at once, this 2-core machine under other
 * load): a Converse `client.send` on the same client (already with a cached middleware stack, user agent
 * and signer) 250–285 µs, this path with the SDK's middlewares for retries and signing 170–180 µs. A whole
 * chat call (`chat.completions.create`) then took 255–267 µs; with the retries and the signer driven
 * directly 223–225 µs, and with the compiled serde as well 178 µs. In `npm run bench:proxy` the proxy's CPU
 * per unary request went from 0.55× to 0.42–0.44× Portkey's and its throughput at concurrency 16 from
 * 1.98× to 2.3–2.9× (BENCHMARKS.md, bench/history/proxy.md).
 *
 * Kept on purpose: the SDK's serde rules (blobs as bytes, documents read with the SDK's number reviver,
 * members the schema does not know dropped, unknown union members as `$unknown`), which the compiled serde
 * reproduces and plain JSON.stringify/JSON.parse would not; the SDK's protocol for every error answer and
 * every event stream's exceptions and unknown events; and `@smithy/signature-v4` for signing (signer.ts
 * only makes its hashes natively).
 *
 * The caller cannot tell the two paths apart: same request bytes and signed headers, same answers and
 * errors, same retries; `test/runtime/lean-send.test.ts` holds both paths to that.
 * Only clients bedrock-forge created take this path (a caller's own client keeps its middleware stack,
 * with whatever the caller added to it).
 */

import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import type { HttpRequest, HttpResponse } from "@smithy/protocol-http";
import type {
  EndpointParameterInstructions,
  EndpointV2,
  HandlerExecutionContext,
  HttpAuthOption,
  HttpAuthScheme,
  HttpSigner,
  Identity,
  IdentityProvider,
} from "@smithy/types";
import {
  Converse$,
  ConverseCommand,
  ConverseStream$,
  ConverseStreamCommand,
  InvokeModel$,
  InvokeModelCommand,
  InvokeModelWithResponseStream$,
  InvokeModelWithResponseStreamCommand,
} from "./aws-sdk.js";
import { addExtraHeaders, keepResponseHeaders } from "./instrument.js";
import type { EventReader, OperationSerde } from "./operation-serde.js";

/**
 * The SDK's own CommonJS modules, taken from the require cache the client package has already filled.
 * Imported as ES modules instead, Node would parse each of these large files again for its export names:
 * about 40 ms more on a cold start, measured here.
 */
const requireSdk = createRequire(import.meta.url);
const { NormalizedSchema } = requireSdk("@smithy/core/schema") as typeof import("@smithy/core/schema");
const { getRecursionDetectionPlugin } = requireSdk(
  "@aws-sdk/core/client",
) as typeof import("@aws-sdk/core/client");
const { getEndpointFromInstructions, toEndpointV1 } = requireSdk(
  "@smithy/core/endpoints",
) as typeof import("@smithy/core/endpoints");
const {
  getRetryAfterHint,
  getRetryPlugin,
  INVOCATION_ID_HEADER,
  isServerError,
  isThrottlingError,
  isTransientError,
  REQUEST_HEADER,
} = requireSdk("@smithy/core/retry") as typeof import("@smithy/core/retry");
/** The handler context's key for Smithy's per-call context (`SMITHY_CONTEXT_KEY` of @smithy/types). */
const SMITHY_CONTEXT_KEY = "__smithy_context";

/** A middleware of any step, as the SDK's plugins add them (`(next, context) => handler`). */
type AnyMiddleware = (next: AnyHandler, context: HandlerExecutionContext) => AnyHandler;
type AnyHandler = (args: Record<string, unknown>) => Promise<{ output: unknown; response: unknown }>;

/** An operation's schema as the SDK exports it: `[9, namespace, name, traits, input, output]`. */
type OperationSchemaArray = readonly [9, string, string, unknown, unknown, unknown];

interface LeanOperation {
  /** The operation's name, from its schema. */
  readonly name: string;
  readonly command: CommandClass;
  readonly schema: OperationSchemaArray;
  /**
   * The answer (or the request) is an event stream, as the SDK tells from the schema: the client's protocol
   * reads it, with the lean event-stream marshaller once ready, and the request handler is told so, as
   * `send` tells it.
   */
  readonly eventStream: boolean;
}

/** A command class of the client, with the endpoint parameters it declares. */
type CommandClass = (abstract new (
  ...args: never[]
) => object) & {
  getEndpointParameterInstructions(): EndpointParameterInstructions;
};

/** A command class and its operation's schema, with what the schema says of it. */
function leanOperation(command: LeanOperation["command"], exported: unknown): LeanOperation {
  const schema = exported as OperationSchemaArray;
  const [, , name, , input, output] = schema;
  const eventStream = Boolean(
    NormalizedSchema.of(input as never).getEventStreamMember() ||
      NormalizedSchema.of(output as never).getEventStreamMember(),
  );
  return { name, command, schema, eventStream };
}

const operations: readonly LeanOperation[] = [
  leanOperation(ConverseCommand, Converse$),
  leanOperation(InvokeModelCommand, InvokeModel$),
  leanOperation(ConverseStreamCommand, ConverseStream$),
  leanOperation(InvokeModelWithResponseStreamCommand, InvokeModelWithResponseStream$),
];

/** The lean operation a command is an instance of, if any. */
export function leanOperationOf(command: object): LeanOperation | undefined {
  for (const operation of operations) if (command instanceof operation.command) return operation;
  return undefined;
}

/** bedrock-forge's own user-agent middleware (build step, last), when the client has it. */
export interface ForgeMiddlewares {
  readonly userAgent?: AnyMiddleware | undefined;
}

/** What a call needs that depends only on the client and the operation: resolved once. */
interface Plan {
  readonly endpoint: EndpointV2;
  readonly customEndpoint: boolean;
  readonly authOption: HttpAuthOption;
  readonly identityProvider: IdentityProvider<Identity>;
  readonly signer: HttpSigner;
  /** Build-step middlewares, outermost first (recursion detection inside Lambda, the user agent). */
  readonly middlewares: readonly AnyMiddleware[];
  readonly serializer: AnyMiddleware;
  /** The response's deserializer (the client's protocol), for one attempt's response. */
  readonly deserialize: (response: HttpResponse) => Promise<{ output: unknown; response: unknown }>;
  /**
   * The SDK's retry middleware, only for a retry strategy of the SDK's first interface (without retry
   * tokens); a client's default strategy is retried by {@link sendAttempts} itself.
   */
  readonly legacyRetry: AnyMiddleware | undefined;
}

interface ClientConfig {
  readonly region: () => Promise<string>;
  readonly isCustomEndpoint?: boolean;
  readonly httpAuthSchemes: readonly HttpAuthScheme[];
  readonly httpAuthSchemeProvider: (parameters: { operation: string; region: string }) => HttpAuthOption[];
  readonly authSchemePreference?: () => Promise<string[]>;
  readonly credentials?: IdentityProvider<Identity>;
  readonly token?: IdentityProvider<Identity>;
  readonly logger?: unknown;
  readonly retryStrategy: () => Promise<RetryStrategyV2 | object>;
  readonly maxAttempts: () => Promise<number>;
  readonly requestHandler: {
    handle(
      request: unknown,
      options?: { abortSignal?: AbortSignal; isEventStream?: boolean },
    ): Promise<{ response: unknown }>;
  };
}

const plans = new WeakMap<BedrockRuntimeClient, Map<string, Promise<Plan>>>();

/** The middlewares an SDK plugin adds, in the order it adds them. */
function middlewaresOf(plugin: { applyToStack(stack: never): void }): AnyMiddleware[] {
  const added: AnyMiddleware[] = [];
  const collector = {
    add: (middleware: AnyMiddleware) => added.push(middleware),
    addRelativeTo: (middleware: AnyMiddleware) => added.push(middleware),
  } as never;
  plugin.applyToStack(collector);
  return added;
}

/**
 * The auth options in the order the client's `authSchemePreference` asks (preferred schemes first, the
 * rest after), as the SDK's auth scheme middleware orders them.
 */
function orderAuthOptions(
  options: readonly HttpAuthOption[],
  preference: readonly string[],
): HttpAuthOption[] {
  const preferred: HttpAuthOption[] = [];
  for (const name of preference)
    for (const option of options) if (option.schemeId.split("#")[1] === name) preferred.push(option);
  for (const option of options)
    if (!preferred.some((chosen) => chosen.schemeId === option.schemeId)) preferred.push(option);
  return preferred;
}

/** The identity provider the client configured for an auth scheme (credentials for SigV4, token for bearer). */
function identityProviderFor(
  config: ClientConfig,
  scheme: HttpAuthScheme,
): IdentityProvider<Identity> | undefined {
  return scheme.identityProvider({
    getIdentityProvider: (schemeId: string) =>
      schemeId === "aws.auth#sigv4"
        ? config.credentials
        : schemeId === "smithy.api#httpBearerAuth"
          ? config.token
          : undefined,
  } as never);
}

/**
 * The SDK's content-length step: the body's length when the request has a body and no content-length
 * header yet (a body whose length cannot be told is sent without one).
 */
function setContentLength(request: HttpRequest, bodyLength: (body: unknown) => number | undefined): void {
  if (!request.body) return;
  for (const name in request.headers) if (name.toLowerCase() === "content-length") return;
  try {
    const length = bodyLength(request.body);
    if (length != null) request.headers["content-length"] = String(length);
  } catch {
    // As in the SDK: no content-length when the body's length cannot be computed.
  }
}

/**
 * The SDK's recursion-detection step only ever adds headers inside AWS Lambda (the function's X-Ray
 * trace id, or the trace context of Lambda's invoke store), so it runs only there.
 */
function insideLambda(): boolean {
  return process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined || "awslambda" in globalThis;
}

/** The response headers' request id, as the SDK reads it for `$metadata` when an error lacks one. */
function headerMatching(headers: Record<string, string>, pattern: RegExp): string | undefined {
  for (const name in headers) if (pattern.test(name)) return headers[name];
  return undefined;
}

/**
 * Per operation, what is compiled from the SDK's schema once ready, and its loading: the request and
 * answer serde (`undefined` if the compiler declined it), or for a streaming operation the reader of its
 * events and the lean event-stream marshaller's module.
 */
interface CompiledSerdeState {
  serde?: OperationSerde | undefined;
  events?: { read: EventReader; marshaller: typeof import("./lean-event-stream.js") } | undefined;
  loading?: Promise<void>;
}

const compiledSerdes = new Map<string, CompiledSerdeState>();

/**
 * The operation's compiled parts (operation-serde.ts), once per process, for a call about to be
 * serialized; empty until they are ready. Loading the module and compiling Converse's schema take about
 * 10 ms, which a process making one call (a script, a CLI command) would only lose, on that very call. So
 * the first call of an operation uses the client's protocol, the second starts loading and compiling in
 * the background, and calls use the compiled parts once they are ready.
 */
function compiledSerdeOf(operation: LeanOperation): CompiledSerdeState {
  const state = compiledSerdes.get(operation.name);
  if (!state) {
    const created: CompiledSerdeState = {};
    compiledSerdes.set(operation.name, created);
    return created;
  }
  state.loading ??= loadCompiled(operation, state)
    // An SDK whose serde internals changed past what the compiler knows: its own protocol serves on.
    .catch(() => {});
  return state;
}

async function loadCompiled(operation: LeanOperation, state: CompiledSerdeState): Promise<void> {
  const { compileEventReader, compileOperationSerde } = await import("./operation-serde.js");
  if (!operation.eventStream) {
    state.serde = compileOperationSerde(operation.schema);
    return;
  }
  const read = compileEventReader(operation.schema);
  if (read) state.events = { read, marshaller: await import("./lean-event-stream.js") };
}

/** Resolves once every operation serde being loaded is compiled (or declined): for tests. */
export async function compiledSerdesReady(): Promise<void> {
  await Promise.all([...compiledSerdes.values()].map((state) => state.loading));
}

/**
 * Serializer and deserializer for the operation: the serde compiled from the SDK's schema
 * (operation-serde.ts, held to the client's protocol by its tests) for requests and 2xx answers; the
 * client's protocol itself for error answers and any operation the compiler declines, called as the SDK's
 * schema serde middlewares call it, with one serde context per plan instead of a copy of the whole client
 * configuration per call and middleware (the protocol reads only `endpoint`, `streamCollector` and the
 * codecs from it). A deserialization error keeps the raw response (`$response`) and gets `$metadata`
 * when the protocol gave it none, as on `send`.
 */
function serdeSteps(
  client: BedrockRuntimeClient,
  operation: LeanOperation,
  endpoint: EndpointV2,
): Pick<Plan, "serializer" | "deserialize"> {
  const [, namespace, name, traits, input, output] = operation.schema;
  const schema = { namespace, name, traits, input, output };
  const config = client.config as unknown as { protocol: Protocol } & Record<string, unknown>;
  const endpointV1 = toEndpointV1(endpoint);
  const serdeContext = { ...config, endpoint: async () => endpointV1 };
  const protocol = config.protocol;
  const bodyLength = config.bodyLengthChecker as (body: unknown) => number | undefined;
  let streamProtocol: Protocol | undefined;
  const serializer: AnyMiddleware = (next) => async (args) => {
    const compiled = compiledSerdeOf(operation).serde;
    const request = compiled
      ? compiled.serializeRequest(args.input as object, endpointV1)
      : ((await protocol.serializeRequest(schema, args.input, serdeContext)) as HttpRequest);
    const built = { ...args, request };
    // The build step of the client's stack, in its order: content length, extra headers, host.
    setContentLength(request, bodyLength);
    addExtraHeaders(built);
    if (!request.headers.host)
      request.headers.host = request.port != null ? `${request.hostname}:${request.port}` : request.hostname;
    return next(built);
  };
  const deserialize = async (response: HttpResponse) => {
    const state = compiledSerdes.get(operation.name);
    const compiled = state?.serde;
    const events = state?.events;
    // An event stream's events are read by the lean marshaller once it is ready (lean-event-stream.ts).
    if (events && !streamProtocol)
      streamProtocol = events.marshaller.withEventStreamMarshaller(
        protocol,
        events.marshaller.leanEventStreamMarshaller(
          config.eventStreamMarshaller as never,
          config as never,
          events.read,
        ),
      );
    let result: { output: unknown; response: unknown };
    try {
      const output =
        compiled && response.statusCode < 300
          ? await compiled.deserializeResponse(response)
          : await ((events && streamProtocol) || protocol).deserializeResponse(
              schema,
              serdeContext,
              response,
            );
      result = { response, output };
    } catch (error) {
      throw decorateDeserializationError(error, response);
    }
    keepResponseHeaders(result);
    return result;
  };
  return { serializer, deserialize };
}

interface Protocol {
  serializeRequest(schema: object, input: unknown, context: object): Promise<unknown>;
  deserializeResponse(schema: object, context: object, response: unknown): Promise<unknown>;
}

/** What the SDK's deserializer middleware adds to an error: the raw response, and metadata if missing. */
function decorateDeserializationError(error: unknown, response: HttpResponse): unknown {
  if (!error || typeof error !== "object") return error;
  Object.defineProperty(error, "$response", { value: response, enumerable: false, configurable: false });
  if (!("$metadata" in error)) {
    const failure = error as Error & { $metadata?: object };
    failure.message += `\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.`;
    const headers = (response?.headers ?? {}) as Record<string, string>;
    failure.$metadata = {
      httpStatusCode: response?.statusCode,
      requestId: headerMatching(headers, /^x-[\w-]+-request-?id$/),
      extendedRequestId: headerMatching(headers, /^x-[\w-]+-id-2$/),
      cfId: headerMatching(headers, /^x-[\w-]+-cf-id$/),
    };
  }
  return error;
}

/** The operation's endpoint and auth scheme, resolved once as the SDK resolves them on every call. */
async function createPlan(
  client: BedrockRuntimeClient,
  operation: LeanOperation,
  forge: ForgeMiddlewares,
): Promise<Plan> {
  const config = client.config as unknown as ClientConfig;
  const endpoint = await getEndpointFromInstructions(
    {},
    { getEndpointParameterInstructions: () => operation.command.getEndpointParameterInstructions() },
    { ...(client.config as object) } as never,
  );
  const region = await config.region();
  if (!region) throw new Error("expected `region` to be configured for `aws.auth#sigv4`");
  const options = orderAuthOptions(
    config.httpAuthSchemeProvider({ operation: operation.name, region }),
    (await config.authSchemePreference?.()) ?? [],
  );
  const failures: string[] = [];
  for (const option of options) {
    const scheme = config.httpAuthSchemes.find((candidate) => candidate.schemeId === option.schemeId);
    if (!scheme) {
      failures.push(`HttpAuthScheme \`${option.schemeId}\` was not enabled for this service.`);
      continue;
    }
    const identityProvider = identityProviderFor(config, scheme);
    if (!identityProvider) {
      failures.push(`HttpAuthScheme \`${option.schemeId}\` did not have an IdentityProvider configured.`);
      continue;
    }
    const strategy = await config.retryStrategy();
    return {
      endpoint,
      customEndpoint: config.isCustomEndpoint === true,
      authOption: option,
      identityProvider,
      signer: scheme.signer,
      ...serdeSteps(client, operation, endpoint),
      middlewares: [
        ...(insideLambda() ? middlewaresOf(getRecursionDetectionPlugin(client.config as never)) : []),
        ...(forge.userAgent ? [forge.userAgent] : []),
      ],
      legacyRetry: hasRetryTokens(strategy)
        ? undefined
        : middlewaresOf(getRetryPlugin(client.config as never))[0],
    };
  }
  throw new Error(failures.join("\n"));
}

function planFor(
  client: BedrockRuntimeClient,
  operation: LeanOperation,
  forge: ForgeMiddlewares,
): Promise<Plan> {
  let byOperation = plans.get(client);
  if (!byOperation) {
    byOperation = new Map();
    plans.set(client, byOperation);
  }
  let plan = byOperation.get(operation.name);
  if (!plan) {
    plan = createPlan(client, operation, forge);
    plan.catch(() => byOperation.delete(operation.name));
    byOperation.set(operation.name, plan);
  }
  return plan;
}

/**
 * One call of a lean operation: the SDK's output object (as `client.send` gives it) or the SDK's error.
 * `carried` holds bedrock-forge's per-call options, as the command object does on `send`.
 */
export async function sendLean(
  client: BedrockRuntimeClient,
  operation: LeanOperation,
  input: object,
  carried: Record<symbol, unknown>,
  signal: AbortSignal | undefined,
  forge: ForgeMiddlewares,
): Promise<unknown> {
  const plan = await planFor(client, operation, forge);
  const config = client.config as unknown as ClientConfig;
  const smithyContext: Record<string, unknown> = {
    service: "AmazonBedrockFrontendService",
    operation: operation.name,
    operationSchema: operation.schema,
    ...(plan.customEndpoint ? { features: { ENDPOINT_OVERRIDE: "N" } } : {}),
    ...(signal ? { abortSignal: signal } : {}),
  };
  const authScheme = plan.endpoint.properties?.authSchemes as
    | readonly {
        signingRegion?: string;
        signingName?: string;
        signingRegionSet?: string[];
        properties?: object;
      }[]
    | undefined;
  const context = {
    logger: config.logger,
    clientName: "BedrockRuntimeClient",
    commandName: `${operation.name}Command`,
    endpointV2: plan.endpoint,
    authSchemes: authScheme,
    ...(authScheme?.[0]
      ? { signing_region: authScheme[0].signingRegion, signing_service: authScheme[0].signingName }
      : {}),
    [SMITHY_CONTEXT_KEY]: smithyContext,
  } as unknown as HandlerExecutionContext;
  // The auth option's properties for this call, as the SDK's auth scheme and endpoint middlewares set them.
  const option = plan.authOption;
  const extracted = option.propertiesExtractor?.(config as never, context) ?? {};
  const first = authScheme?.[0];
  const signingProperties = {
    ...option.signingProperties,
    ...extracted.signingProperties,
    ...(first
      ? {
          signing_region: first.signingRegion,
          signingRegion: first.signingRegion,
          signing_service: first.signingName,
          signingName: first.signingName,
          signingRegionSet: first.signingRegionSet,
          ...first.properties,
        }
      : {}),
  };
  const identityProperties = { ...option.identityProperties, ...extracted.identityProperties };
  smithyContext.selectedHttpAuthScheme = {
    httpAuthOption: { ...option, identityProperties, signingProperties },
    identity: await plan.identityProvider(identityProperties),
    signer: plan.signer,
  };
  const { identity, signer } = smithyContext.selectedHttpAuthScheme as {
    identity: Identity;
    signer: HttpSigner;
  };
  // As `send` calls the handler: the call's signal, and whether the answer is an event stream.
  const handlerOptions =
    signal || operation.eventStream
      ? {
          ...(signal ? { abortSignal: signal } : {}),
          ...(operation.eventStream ? { isEventStream: true } : {}),
        }
      : undefined;
  /** One attempt: signed as the SDK's signing step signs (clock skew noted from the answer), sent, read. */
  const attempt: AnyHandler = async (args) => {
    const signed = await signer.sign(args.request as HttpRequest, identity, signingProperties);
    let result: { output: unknown; response: unknown };
    try {
      const { response } = await config.requestHandler.handle(signed, handlerOptions);
      result = await plan.deserialize(response as HttpResponse);
    } catch (error) {
      throw signer.errorHandler
        ? failWith(signer.errorHandler(signingProperties) as (error: unknown) => unknown, error)
        : error;
    }
    signer.successHandler?.(result.response as HttpResponse, signingProperties);
    return result;
  };
  let handler: AnyHandler = plan.legacyRetry
    ? plan.legacyRetry(attempt, context)
    : (args) => sendAttempts(config, args.request as HttpRequest, () => attempt(args), signal);
  for (let index = plan.middlewares.length - 1; index >= 0; index--)
    handler = plan.middlewares[index]!(handler, context);
  handler = plan.serializer(handler, context);
  const { output } = await handler({ input, ...carried });
  return output;
}

/** What a signer's error handler makes of a failure: it notes clock skew, then throws (as the SDK's do). */
function failWith(handle: (error: unknown) => unknown, error: unknown): unknown {
  try {
    handle(error);
  } catch (thrown) {
    return thrown;
  }
  return error;
}

/** A retry strategy with retry tokens (the SDK's `RetryStrategyV2`: standard and adaptive modes). */
interface RetryStrategyV2 {
  readonly mode?: string;
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, info: object): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
  readonly $retryLog?: { readonly acquisitionDelay?: number };
}

function hasRetryTokens(strategy: object): strategy is RetryStrategyV2 {
  const candidate = strategy as Partial<RetryStrategyV2>;
  return (
    typeof candidate.acquireInitialRetryToken === "function" &&
    typeof candidate.refreshRetryTokenForRetry === "function" &&
    typeof candidate.recordSuccess === "function"
  );
}

/**
 * The attempts of one call under the client's retry strategy, as the SDK's retry step makes them: one
 * invocation id, `amz-sdk-request: attempt=n; max=m` on each attempt, the strategy's token bucket, backoff
 * and retry-after hints, `$metadata.attempts` and `totalRetryDelay` on the answer or the last failure, and
 * the call's signal ending any wait. Here rather than through the SDK's middleware, which makes an `Error`
 * and races every token acquisition against the signal on each call (a twentieth of a Converse call's
 * CPU); a standard-mode token is handed out at once, so only other modes race it. Request bodies on this
 * path are strings or bytes, never streams, so every attempt may be retried.
 */
async function sendAttempts(
  config: ClientConfig,
  request: HttpRequest,
  attempt: () => Promise<{ output: unknown; response: unknown }>,
  signal: AbortSignal | undefined,
): Promise<{ output: unknown; response: unknown }> {
  const strategy = (await config.retryStrategy()) as RetryStrategyV2;
  const maxAttempts = await config.maxAttempts();
  // The token scope the SDK's step uses: a partition id and long polling, neither set for Bedrock Runtime.
  const acquired = strategy.acquireInitialRetryToken("");
  let token = await (strategy.mode === "standard" ? acquired : untilAborted(acquired, signal));
  let attempts = 0;
  let totalRetryDelay = 0;
  request.headers[INVOCATION_ID_HEADER] = randomUUID();
  for (;;) {
    try {
      request.headers[REQUEST_HEADER] = `attempt=${attempts + 1}; max=${maxAttempts}`;
      const result = await attempt();
      strategy.recordSuccess(token);
      const metadata = (result.output as { $metadata: Record<string, unknown> }).$metadata;
      metadata.attempts = attempts + 1;
      metadata.totalRetryDelay = totalRetryDelay;
      return result;
    } catch (error) {
      const failure = asSdkError(error);
      try {
        if (signal?.aborted) throw failure;
        token = await untilAborted(strategy.refreshRetryTokenForRetry(token, retryErrorInfo(error)), signal);
      } catch (refreshError) {
        if (refreshError !== failure && signal?.aborted && isAbortError(refreshError)) throw refreshError;
        failure.$metadata ??= {};
        failure.$metadata.attempts = attempts + 1;
        failure.$metadata.totalRetryDelay = totalRetryDelay;
        throw failure;
      }
      attempts = token.getRetryCount();
      const delay = token.getRetryDelay();
      totalRetryDelay += (token.$retryLog?.acquisitionDelay ?? 0) + delay;
      if (delay > 0) await untilAborted(new Promise((resolve) => setTimeout(resolve, delay)), signal);
    }
  }
}

/** How the SDK's retry step describes a failure to the strategy. */
function retryErrorInfo(error: unknown): object {
  const failure = error as Parameters<typeof isThrottlingError>[0] & { $response?: unknown };
  const errorType = isThrottlingError(failure)
    ? "THROTTLING"
    : isTransientError(failure)
      ? "TRANSIENT"
      : isServerError(failure)
        ? "SERVER_ERROR"
        : "CLIENT_ERROR";
  const retryAfterHint = getRetryAfterHint(failure.$response as never);
  return retryAfterHint ? { error, errorType, retryAfterHint } : { error, errorType };
}

type SdkError = Error & { $metadata?: Record<string, unknown> };

/** A thrown value as an Error, as the SDK's retry step wraps one. */
function asSdkError(error: unknown): SdkError {
  if (error instanceof Error) return error;
  if (error instanceof Object) return Object.assign(new Error(), error);
  if (typeof error === "string") return new Error(error);
  return new Error(`AWS SDK error wrapper for ${error}`);
}

function isAbortError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
}

/** `promise`, or the SDK's AbortError as soon as the call's signal fires (as the SDK's retry step races). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(sdkAbortError(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener("abort", onAbort!));
}

/** The SDK's abort error for a signal: its reason as the cause, or as the message. */
function sdkAbortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error)
    return Object.assign(new Error("Request aborted"), { name: "AbortError", cause: reason });
  return Object.assign(new Error(reason ? String(reason) : "Request aborted"), { name: "AbortError" });
}
