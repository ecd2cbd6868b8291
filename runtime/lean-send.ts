/**
 * The lean call path: Converse and InvokeModel on a client bedrock-forge made, sent by the SDK's own parts
 * without the per-call work that gives the same answer every time.
 *
 * DESIGN. A unary `client.send` spends most of its CPU on work whose result depends only on the client's
 * configuration: endpoint rule evaluation (with a look-up of configured endpoint URLs), auth scheme
 * resolution, copies of the whole client configuration in the endpoint, serializer and deserializer
 * middlewares, and one async layer per middleware. Here that work is done once per client and operation
 * ({@link planFor}); every call then runs:
 *
 * - identity: the client's own identity provider for the selected scheme (its memoized credentials
 *   provider, refreshed as the SDK refreshes it; or the API key's token provider), once per call;
 * - serialization: the client's protocol (`client.config.protocol`, schema-based restJson1): same bytes;
 *   then the client stack's build step in its order (content length, extra headers, host) in one step;
 * - the SDK's own middlewares, taken from its plugins: retry (the client's retry strategy: backoff,
 *   throttling delays, retry quota, `amz-sdk-request` and `amz-sdk-invocation-id`, the wait between
 *   attempts ended by the call's signal), signing (the client's SigV4 signer with clock-skew correction, or
 *   the bearer token), recursion detection (inside Lambda only: it adds nothing elsewhere);
 * - bedrock-forge's user-agent middleware (user-agent.ts) as on `send`;
 * - deserialization: the client's protocol again (the SDK's exception classes, `$metadata`, `$response`);
 * - the client's request handler, with the call's abort signal.
 *
 * Measured (CPU per Converse call against a request handler that answers at once, p25 of 30 rounds of
 * 1000 calls, this 2-core machine under other load): `client.send` on the same client (already with a
 * cached middleware stack, user agent and signer) 250–285 µs, this path 170–180 µs, about 30% less. What is
 * left is the SDK's parts themselves: SigV4 signing about 45 µs, the protocol's serde about 25 µs, the
 * retry step about 15 µs. In `npm run bench:proxy` the proxy's CPU per unary request went from 0.55× to
 * 0.47–0.52× Portkey's, its throughput at concurrency 16 from 1.98× to 2.02–2.35×, and its added unary p50
 * from 0.57× to 0.51–0.52× (three runs; absolute times on this machine vary by 30% between runs).
 *
 * Kept on purpose: the SDK's schema serde (blobs as bytes, documents read with the SDK's number reviver,
 * unknown union members as `$unknown`) rather than JSON.stringify/JSON.parse, which would save about 20 µs
 * a call but could differ from `send` on such answers; and `@smithy/signature-v4` for signing.
 *
 * The caller cannot tell the two paths apart: same request bytes and signed headers, same answers and
 * errors, same retries; `test/runtime/lean-send.test.ts` holds both paths to that.
 * Only clients bedrock-forge created take this path (a caller's own client keeps its middleware stack,
 * with whatever the caller added to it).
 */

import { createRequire } from "node:module";
import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import type { HttpRequest, HttpResponse } from "@smithy/protocol-http";
import type {
  EndpointV2,
  HandlerExecutionContext,
  HttpAuthOption,
  HttpAuthScheme,
  HttpSigner,
  Identity,
  IdentityProvider,
} from "@smithy/types";
import { Converse$, ConverseCommand, InvokeModel$, InvokeModelCommand } from "./aws-sdk.js";
import { addExtraHeaders, keepResponseHeaders } from "./instrument.js";

/**
 * The SDK's own CommonJS modules, taken from the require cache the client package has already filled.
 * Imported as ES modules instead, Node would parse each of these large files again for its export names:
 * about 40 ms more on a cold start, measured here.
 */
const requireSdk = createRequire(import.meta.url);
const { getRecursionDetectionPlugin } = requireSdk(
  "@aws-sdk/core/client",
) as typeof import("@aws-sdk/core/client");
const { httpSigningMiddleware } = requireSdk("@smithy/core") as typeof import("@smithy/core");
const { getEndpointFromInstructions, toEndpointV1 } = requireSdk(
  "@smithy/core/endpoints",
) as typeof import("@smithy/core/endpoints");
const { getRetryPlugin } = requireSdk("@smithy/core/retry") as typeof import("@smithy/core/retry");
/** The handler context's key for Smithy's per-call context (`SMITHY_CONTEXT_KEY` of @smithy/types). */
const SMITHY_CONTEXT_KEY = "__smithy_context";

/** A middleware of any step, as the SDK's plugins add them (`(next, context) => handler`). */
type AnyMiddleware = (next: AnyHandler, context: HandlerExecutionContext) => AnyHandler;
type AnyHandler = (args: Record<string, unknown>) => Promise<{ output: unknown; response: unknown }>;

/** An operation's schema as the SDK exports it: `[9, namespace, name, traits, input, output]`. */
type OperationSchemaArray = readonly [9, string, string, unknown, unknown, unknown];

interface LeanOperation {
  readonly name: "Converse" | "InvokeModel";
  readonly command: typeof ConverseCommand | typeof InvokeModelCommand;
  readonly schema: OperationSchemaArray;
}

const operations = [
  { name: "Converse", command: ConverseCommand, schema: Converse$ as unknown as OperationSchemaArray },
  {
    name: "InvokeModel",
    command: InvokeModelCommand,
    schema: InvokeModel$ as unknown as OperationSchemaArray,
  },
] as const satisfies readonly LeanOperation[];

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
  /** Build and finalize-step middlewares, outermost first, then the deserializers. */
  readonly middlewares: readonly AnyMiddleware[];
  readonly serializer: AnyMiddleware;
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
  readonly requestHandler: {
    handle(request: unknown, options?: { abortSignal?: AbortSignal }): Promise<{ response: unknown }>;
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
 * Serializer and deserializer for the operation: the client's protocol, called as the SDK's schema serde
 * middlewares call it, with one serde context per plan instead of a copy of the whole client
 * configuration per call and middleware (the protocol reads only `endpoint`, `streamCollector` and the
 * codecs from it). A deserialization error keeps the raw response (`$response`) and gets `$metadata`
 * when the protocol gave it none, as on `send`.
 */
function serdeMiddlewares(
  client: BedrockRuntimeClient,
  operation: LeanOperation,
  endpoint: EndpointV2,
): [AnyMiddleware, AnyMiddleware] {
  const [, namespace, name, traits, input, output] = operation.schema;
  const schema = { namespace, name, traits, input, output };
  const config = client.config as unknown as { protocol: Protocol } & Record<string, unknown>;
  const endpointV1 = toEndpointV1(endpoint);
  const serdeContext = { ...config, endpoint: async () => endpointV1 };
  const protocol = config.protocol;
  const bodyLength = config.bodyLengthChecker as (body: unknown) => number | undefined;
  const serializer: AnyMiddleware = (next) => async (args) => {
    const request = (await protocol.serializeRequest(schema, args.input, serdeContext)) as HttpRequest;
    const built = { ...args, request };
    // The build step of the client's stack, in its order: content length, extra headers, host.
    setContentLength(request, bodyLength);
    addExtraHeaders(built);
    if (!request.headers.host)
      request.headers.host = request.port != null ? `${request.hostname}:${request.port}` : request.hostname;
    return next(built);
  };
  const deserializer: AnyMiddleware = (next) => async (args) => {
    const { response } = await next(args);
    let result: { output: unknown; response: unknown };
    try {
      result = { response, output: await protocol.deserializeResponse(schema, serdeContext, response) };
    } catch (error) {
      throw decorateDeserializationError(error, response as HttpResponse);
    }
    keepResponseHeaders(result);
    return result;
  };
  return [serializer, deserializer];
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
    const serde = serdeMiddlewares(client, operation, endpoint);
    return {
      endpoint,
      customEndpoint: config.isCustomEndpoint === true,
      authOption: option,
      identityProvider,
      signer: scheme.signer,
      serializer: serde[0]!,
      middlewares: [
        ...(insideLambda() ? middlewaresOf(getRecursionDetectionPlugin(client.config as never)) : []),
        ...(forge.userAgent ? [forge.userAgent] : []),
        ...middlewaresOf(getRetryPlugin(client.config as never)),
        httpSigningMiddleware(client.config) as unknown as AnyMiddleware,
        serde[1]!,
      ],
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
 * One Converse or InvokeModel call on the lean path: the SDK's output object (as `client.send` gives
 * it) or the SDK's error. `args` carries the command input and bedrock-forge's per-call options, as the
 * command object does on `send`.
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
  let handler: AnyHandler = (args) =>
    config.requestHandler.handle(args.request, signal ? { abortSignal: signal } : undefined) as never;
  for (let index = plan.middlewares.length - 1; index >= 0; index--)
    handler = plan.middlewares[index]!(handler, context);
  handler = plan.serializer(handler, context);
  const { output } = await handler({ input, ...carried });
  return output;
}
