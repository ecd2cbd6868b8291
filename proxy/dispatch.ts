/**
 * Routing a validated request to the deployments of its model name: everything that can refuse the
 * request first (body schema, fallbacks, what the client may set), then the call through the router
 * (round robin, failover, fallbacks) under one lifetime (client gone, deadline, shutdown). Route
 * modules call `runUnary` for a JSON answer and `openStream` for a stream.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { anthropicDefaults, buildRuntimeRequest, type ClientParams, readClientParams } from "./body.js";
import { checkClientEndpoint, identitylessClient } from "./client-endpoint.js";
import { readClientNotes } from "./client-notes.js";
import { invalidRequest } from "./errors.js";
import { RequestLifetime } from "./lifetime.js";
import { logLine } from "./log.js";
import type { RequestContext } from "./request-context.js";
import { maxModelNameLength, type RequestKind, validateRequestBody } from "./request-schemas.js";
import {
  type CallOutcome,
  createRouteTrace,
  type FallbackChoice,
  type LiveDeployment,
  type ModelTarget,
  type Routed,
  type Router,
  unknownModel,
} from "./router.js";
import type { ProxyServices } from "./services.js";
import { costHeader, formatCost } from "./sse.js";
import { applyPrices, chatUsageAccess, describeUsage, type UsageAccess } from "./usage.js";

/** A request that passed every check and is now in flight. */
export interface PreparedRequest {
  readonly kind: RequestKind;
  /** The model name as the client sent it (answers echo it). */
  readonly modelName: string;
  /** What the name resolved to: a model name, an alias or a wildcard pattern of the config. */
  readonly target: ModelTarget;
  readonly body: Readonly<Record<string, unknown>>;
  readonly client: ClientParams;
  readonly lifetime: RequestLifetime;
  readonly fallback: FallbackChoice;
  /** Collects the runtime's warnings (dropped params) for the log line. */
  readonly onWarning: (message: string) => void;
  /** The client chose the endpoint: the call goes out with the request's own credentials only. */
  readonly withoutDeploymentIdentity: boolean;
}

/** A route's own check of a body that passed its schema (a limit of the proxy's); throws to refuse it. */
export type BodyCheck = (body: Readonly<Record<string, unknown>>, services: ProxyServices) => void;

/** One attempt's runtime call on a deployment, with the request built for it. */
export type DeploymentCall<T> = (
  deployment: LiveDeployment,
  runtimeRequest: Record<string, unknown>,
  options: { readonly signal: AbortSignal; readonly timeout: number | undefined },
) => Promise<T>;

/** How many model names a request's own `fallbacks` may list. */
const maxFallbacks = 16;

/** LiteLLM's per-request `fallbacks` (model names of this proxy) and `disable_fallbacks`. */
function readFallbackChoice(body: Readonly<Record<string, unknown>>, router: Router): FallbackChoice {
  const { fallbacks, disable_fallbacks: disabled } = body;
  if (disabled !== undefined && disabled !== null && typeof disabled !== "boolean")
    throw invalidRequest("disable_fallbacks must be a boolean", "disable_fallbacks");
  if (fallbacks === undefined || fallbacks === null) return { disabled: disabled === true };
  if (!Array.isArray(fallbacks) || !fallbacks.every((name) => typeof name === "string"))
    throw invalidRequest("fallbacks must be a list of model names of this proxy", "fallbacks");
  if (fallbacks.length > maxFallbacks)
    throw invalidRequest(`fallbacks may name at most ${maxFallbacks} model names`, "fallbacks");
  const tooLong = fallbacks.findIndex((name) => name.length > maxModelNameLength);
  if (tooLong !== -1) {
    throw invalidRequest(
      `fallbacks[${tooLong}] is longer than ${maxModelNameLength} characters`,
      `fallbacks[${tooLong}]`,
    );
  }
  const unknown = fallbacks.find((name) => !router.serves(name));
  if (unknown !== undefined) throw unknownModel(unknown, router.modelNames, "fallbacks");
  return { fallbacks, disabled: disabled === true };
}

function collectWarnings(context: RequestContext): (message: string) => void {
  return (message) => {
    context.warnings ??= [];
    context.warnings.push(message);
  };
}

/**
 * Checks a request and puts it in flight: after this nothing refuses it any more. What the client may set
 * is checked against every deployment a fallback may reach, not only the requested model name's.
 */
export function prepareRequest(
  kind: RequestKind,
  request: FastifyRequest,
  reply: FastifyReply,
  services: ProxyServices,
  checkBody?: BodyCheck,
): PreparedRequest {
  const body = request.body as Record<string, unknown>;
  const problem = validateRequestBody(kind, body);
  if (problem) throw problem;
  checkBody?.(body, services);
  const modelName = body.model as string;
  const context = request.forge;
  context.model = modelName;
  context.notes = readClientNotes(body);
  const { config, router } = services;
  const target = router.resolve(modelName);
  context.modelLabel = target.label;
  const fallback = readFallbackChoice(body, router);
  const reachable = router.reachableDeployments(target, fallback);
  const client = readClientParams(body, reachable, config.allowClientSideCredentials);
  const { withoutDeploymentIdentity } = checkClientEndpoint(client.params, config.clientEndpoints);
  const timeoutMs = Math.min(services.limits.requestTimeoutMs, client.timeoutMs ?? Number.POSITIVE_INFINITY);
  const lifetime = new RequestLifetime(reply.raw, timeoutMs);
  services.lifecycle.track(lifetime);
  context.trace = createRouteTrace();
  const onWarning = collectWarnings(context);
  return { kind, modelName, target, body, client, lifetime, fallback, onWarning, withoutDeploymentIdentity };
}

/** The deployment with a runtime client that knows nothing of its credentials (for a client-chosen endpoint). */
function withoutIdentity(deployment: LiveDeployment, services: ProxyServices): LiveDeployment {
  const { config, log } = services;
  const bedrock = identitylessClient(deployment.config, {
    dropParams: config.dropParams,
    modifyParams: config.modifyParams,
    onWarning: (message) => log(logLine("warn", message)),
  });
  return { ...deployment, bedrock };
}

/** The deployment's own per-call timeout; the request deadline is enforced by the lifetime's signal. */
function attemptTimeout(deployment: LiveDeployment, stream: boolean): number | undefined {
  return stream ? deployment.config.streamTimeoutMs : deployment.config.timeoutMs;
}

/**
 * Routes a prepared request: `call` runs on the model name's deployments in turn (failover, fallbacks)
 * with the runtime request built for each, until one answers.
 */
export function routePrepared<T>(
  prepared: PreparedRequest,
  request: FastifyRequest,
  services: ProxyServices,
  call: DeploymentCall<T>,
  options: { readonly stream: boolean; readonly extra?: Readonly<Record<string, unknown>> },
): Promise<Routed<T>> {
  const { lifetime, client, onWarning } = prepared;
  const anthropic = prepared.kind === "messages" || prepared.kind === "count_tokens";
  return services.router.route(
    prepared.target,
    (deployment) =>
      call(
        prepared.withoutDeploymentIdentity ? withoutIdentity(deployment, services) : deployment,
        buildRuntimeRequest(
          deployment.config,
          client,
          { onWarning, ...options.extra },
          anthropic ? anthropicDefaults(deployment.config) : deployment.config.defaults,
        ),
        { signal: lifetime.signal, timeout: attemptTimeout(deployment, options.stream) },
      ),
    {
      canRetry: () => lifetime.reason === undefined,
      trace: request.forge.trace!,
      fallback: prepared.fallback,
      stream: options.stream,
    },
  );
}

/** How a route answers a unary request, beyond running it. */
export interface UnaryOptions<T> {
  /** The route's own check of the body (a limit of the proxy's). */
  readonly checkBody?: BodyCheck;
  /** How the answer's usage is read and repriced; Chat Completions' shape by default. */
  readonly usage?: UsageAccess<T>;
}

/**
 * A unary request end to end: checked, routed, answered with the runtime's JSON (the cost and the
 * deployment in headers, `model` echoing the name the client asked for, the deployment's own prices
 * applied), or failed with what ended it (the client leaving, the deadline, shutdown).
 */
export async function runUnary<T extends object>(
  kind: RequestKind,
  request: FastifyRequest,
  reply: FastifyReply,
  services: ProxyServices,
  call: DeploymentCall<T>,
  options: UnaryOptions<T> = {},
): Promise<T> {
  const prepared = prepareRequest(kind, request, reply, services, options.checkBody);
  const { lifetime } = prepared;
  if (kind === "chat" || kind === "responses" || kind === "messages") request.forge.stream = false;
  let release: Routed<T>["release"] | undefined;
  let outcome: CallOutcome | undefined;
  try {
    const routed = await routePrepared(prepared, request, services, call, { stream: false });
    const { value, deployment } = routed;
    release = routed.release;
    const counts = applyPrices(
      value,
      (options.usage ?? chatUsageAccess) as UsageAccess<T>,
      deployment.config.prices,
    );
    if (counts) {
      request.forge.usage = describeUsage(counts);
      outcome = outcomeOf(request.forge.usage);
      if (typeof counts.cost === "number") reply.header(costHeader, formatCost(counts.cost));
    }
    echoModel(value, prepared.modelName);
    reply.header("x-bedrock-forge-deployment", deployment.config.id);
    services.lifecycle.closeIfDraining(reply);
    return value;
  } catch (error) {
    const explained = lifetime.explain(error);
    // Nobody is left to answer: log now, the reply is discarded.
    if (lifetime.clientGone) services.requestLog.writeClientGone(request);
    throw explained;
  } finally {
    release?.(outcome);
    services.lifecycle.finish(lifetime);
  }
}

/** What a finished call tells the router (its tokens), from the request's usage. */
export function outcomeOf(usage: RequestContext["usage"]): CallOutcome | undefined {
  if (!usage || usage.total_tokens === undefined) return undefined;
  return { totalTokens: usage.total_tokens, completionTokens: usage.completion_tokens };
}

/** Sets an answer's `model` to the name the client asked for (the runtime names the Bedrock model). */
export function echoModel(value: object, modelName: string): void {
  if (typeof (value as { model?: unknown }).model === "string")
    (value as { model: string }).model = modelName;
}

/** A stream whose first item is in hand (failover is over: something can be sent to the client). */
export interface OpenedStream<T> {
  readonly deployment: LiveDeployment;
  readonly iterator: AsyncIterator<T>;
  readonly first: IteratorResult<T>;
  /** Aborts the upstream call. */
  abort(): void;
  /** Ends the stream's hold on its deployment (its `max_parallel_requests` count), with its usage when it finished. */
  release(outcome?: CallOutcome): void;
}

/**
 * Opens a stream on the model name's deployments: failover and fallbacks are allowed until the first
 * item is in hand, since nothing has been sent to the client yet. On failure the lifetime is finished
 * and what ended the request is thrown.
 */
export async function openStream<T>(
  prepared: PreparedRequest,
  request: FastifyRequest,
  services: ProxyServices,
  start: DeploymentCall<{ readonly stream: AsyncIterable<T>; abort(): void }>,
  extra: Readonly<Record<string, unknown>>,
): Promise<OpenedStream<T>> {
  const { lifetime } = prepared;
  try {
    const { value, deployment, release } = await routePrepared(
      prepared,
      request,
      services,
      async (deployment, runtimeRequest, options) => {
        const started = await start(deployment, runtimeRequest, options);
        const iterator = started.stream[Symbol.asyncIterator]();
        try {
          return { iterator, first: await iterator.next(), abort: () => started.abort() };
        } catch (error) {
          started.abort();
          throw error;
        }
      },
      { stream: true, extra },
    );
    return { deployment, release, ...value };
  } catch (error) {
    services.lifecycle.finish(lifetime);
    if (lifetime.clientGone) services.requestLog.writeClientGone(request);
    throw lifetime.explain(error);
  }
}
