import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type {
  ChatCompletionChunk,
  ChatCompletionStream,
  ChatCompletionStreamParams,
  Usage,
} from "../runtime/index.js";
import { createKeyCheck } from "./auth.js";
import { buildRuntimeRequest, type ClientParams, readClientParams } from "./body.js";
import { createProxyConfig, loadProxyConfig, type ProxyConfig } from "./config.js";
import { describeError, invalidRequest, ProxyError } from "./errors.js";
import { RequestLifetime } from "./lifetime.js";
import { jsonLineSink, type LogSink, logLine } from "./log.js";
import { emptySnapshot, type MetricsSnapshot, recordRequest, renderMetrics } from "./metrics.js";
import { type RequestKind, validateRequestBody } from "./request-schemas.js";
import {
  createRouteTrace,
  type FallbackChoice,
  type LiveDeployment,
  Router,
  type RouteTrace,
  unknownModel,
} from "./router.js";
import { costHeader, formatCost, SseWriter } from "./sse.js";

export interface ProxyOptions {
  /**
   * A `config.yaml` path, a LiteLLM-shaped config object (`{ model_list: [...] }`), or a config
   * already loaded with `loadProxyConfig`.
   */
  readonly config: string | Readonly<Record<string, unknown>> | ProxyConfig;
  /** Default 4000; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1 (loopback). Use 0.0.0.0 behind a load balancer. */
  readonly host?: string;
  /** Overrides `general_settings.master_key`. */
  readonly masterKey?: string;
  /** Body size limit in bytes (overrides `general_settings.max_request_size_mb`). */
  readonly maxRequestBytes?: number;
  /** Request deadline in milliseconds (overrides `litellm_settings.request_timeout`). */
  readonly requestTimeoutMs?: number;
  /** Where log lines go; JSON lines on stdout by default. */
  readonly log?: LogSink;
  /** Environment for `os.environ/` references (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where a relative config path is read from (default `process.cwd()`). */
  readonly cwd?: string;
  /**
   * What `GET /metrics` reports, given this process's own metrics: by default those alone; the workers
   * of `serve --workers` add up every worker's.
   */
  readonly aggregateMetrics?: (own: MetricsSnapshot) => Promise<MetricsSnapshot>;
}

export interface RunningProxy {
  /** `http://host:port`, the base URL for OpenAI clients is this plus `/v1`. */
  readonly url: string;
  readonly port: number;
  readonly modelNames: readonly string[];
  /**
   * Stops accepting requests and waits for in-flight ones up to `drainMs` (default 10 s); what is still
   * running then is cancelled (streams get an error event) and connections are closed.
   */
  close(options?: { drainMs?: number }): Promise<void>;
  /** This process's metrics so far (what `GET /metrics` renders, before any aggregation). */
  metrics(): MetricsSnapshot;
}

/** Per-request facts for the log line. */
interface RequestContext {
  readonly id: string;
  readonly started: number;
  model?: string;
  trace?: RouteTrace;
  stream?: boolean;
  usage?: Partial<Usage> & { cost?: number | null };
  errorType?: string;
  errorCode?: string;
  warnings?: string[];
  hijacked?: boolean;
  logged?: boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    forge: RequestContext;
  }
}

const defaultDrainMs = 10_000;

function isLoadedConfig(value: unknown): value is ProxyConfig {
  return (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as ProxyConfig).deployments) &&
    Array.isArray((value as ProxyConfig).modelNames)
  );
}

/** Starts the OpenAI-compatible proxy. Resolves once it listens; rejects with ProxyConfigError for a bad config. */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const log = options.log ?? jsonLineSink();
  const config = isLoadedConfig(options.config)
    ? options.config
    : typeof options.config === "string"
      ? await loadProxyConfig(options.config, { env: options.env, cwd: options.cwd })
      : createProxyConfig(options.config, { env: options.env });
  for (const warning of config.warnings) log(logLine("warn", warning));
  const proxy = createProxyServer(config, options, log);
  const host = options.host ?? "127.0.0.1";
  await proxy.app.listen({ port: options.port ?? 4000, host });
  const address = proxy.app.server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  log(
    logLine("info", "listening", {
      url,
      models: config.modelNames,
      deployments: config.deployments.length,
      config: config.source,
    }),
  );
  return {
    url,
    port: address.port,
    modelNames: config.modelNames,
    close: proxy.close,
    metrics: proxy.metrics,
  };
}

function createProxyServer(config: ProxyConfig, options: ProxyOptions, log: LogSink) {
  const masterKey = options.masterKey ?? config.masterKey;
  const checkKey = masterKey !== undefined ? createKeyCheck(masterKey) : undefined;
  if (!checkKey) {
    log(
      logLine("warn", "no master key: the proxy is open, every client can call every model", {
        hint: "set general_settings.master_key (or LITELLM_MASTER_KEY) to require Authorization: Bearer <key>",
      }),
    );
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? config.requestTimeoutMs;
  const router = new Router(config, (message) => log(logLine("warn", message)), options.env ?? process.env);
  const inFlight = new Set<RequestLifetime>();
  const startedAt = Math.floor(Date.now() / 1000);
  let draining = false;

  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: options.maxRequestBytes ?? config.maxRequestBytes,
    // Longer than the idle timeout of common load balancers (60 s), so they never reuse a closed socket.
    keepAliveTimeout: 72_000,
    requestTimeout: 0,
    // Requests that still arrive while draining (on kept-alive connections) get an OpenAI-shaped 503 below.
    return503OnClosing: false,
    forceCloseConnections: "idle",
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
  });
  app.decorateRequest("forge", null as unknown as RequestContext);

  // OpenAI clients send JSON; curl's -d sends form content types: every body is read as JSON.
  // (fastify's own text/plain parser would otherwise keep such a body a string)
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser("*", { parseAs: "string" }, app.getDefaultJsonParser("error", "error"));

  // Hooks are callback-style: no promise per hook per request.
  app.addHook("onRequest", (request, reply, done) => {
    request.forge = { id: request.id, started: performance.now() };
    reply.header("x-request-id", request.id);
    const health = request.url.startsWith("/health/");
    if (draining && !health) {
      done(
        new ProxyError("The proxy is shutting down; retry the request", {
          status: 503,
          type: "service_unavailable_error",
          code: "server_shutting_down",
        }),
      );
      return;
    }
    if (checkKey && !health) {
      try {
        checkKey(request.headers.authorization);
      } catch (error) {
        done(error as Error);
        return;
      }
    }
    done();
  });

  // While draining, answers tell clients and load balancers not to reuse the connection (set where
  // answers are made, so that no onSend hook runs for every request).
  const closeIfDraining = (reply: FastifyReply) => {
    if (draining) reply.header("connection", "close");
  };

  app.addHook("onResponse", (request, reply, done) => {
    if (draining) setImmediate(() => app.server.closeIdleConnections());
    if (!request.forge.hijacked) writeRequestLog(request, reply.statusCode);
    done();
  });

  function markClientGone(context: RequestContext) {
    context.errorType = "api_error";
    context.errorCode = "client_closed_request";
  }

  /** The log line of a request whose client left before its answer (499). */
  function logClientGone(request: FastifyRequest) {
    markClientGone(request.forge);
    writeRequestLog(request, 499);
  }

  function writeRequestLog(request: FastifyRequest, status: number, extra?: Record<string, unknown>) {
    const context = request.forge;
    if (!context || context.logged) return;
    context.logged = true;
    const usage = context.usage;
    const trace = context.trace;
    // A stream that failed after its 200 is logged at the level of its error.
    const severity = typeof extra?.stream_error_status === "number" ? extra.stream_error_status : status;
    // Built field by field: one object per line (this runs for every request).
    const fields: Record<string, unknown> = {
      request_id: context.id,
      method: request.method,
      path: routePath(request),
      status,
      latency_ms: Math.round((performance.now() - context.started) * 100) / 100,
    };
    if (context.model !== undefined) fields.model = context.model;
    if (trace?.deployment !== undefined) {
      fields.deployment = trace.deployment;
      fields.attempts = trace.attempts;
    }
    if (trace && trace.failures.length > (status < 400 ? 0 : 1)) fields.failovers = trace.failures;
    if (trace?.fallback !== undefined) fields.fallback = trace.fallback;
    if (context.stream !== undefined) fields.stream = context.stream;
    if (usage) {
      fields.prompt_tokens = usage.prompt_tokens;
      fields.completion_tokens = usage.completion_tokens;
      fields.total_tokens = usage.total_tokens;
      fields.cost_usd = usage.cost ?? null;
    }
    if (context.errorCode !== undefined) {
      fields.error_type = context.errorType;
      fields.error_code = context.errorCode;
    }
    if (context.warnings && context.warnings.length > 0) fields.warnings = context.warnings;
    if (extra) Object.assign(fields, extra);
    log(logLine(severity >= 500 ? "error" : severity >= 400 ? "warn" : "info", "request", fields));
    recordRequest(metrics, {
      path: request.routeOptions.url ?? "unmatched",
      model: context.model !== undefined && modelNames.has(context.model) ? context.model : "none",
      status: typeof extra?.stream_error_status === "number" ? extra.stream_error_status : status,
      seconds: (performance.now() - context.started) / 1000,
      promptTokens: usage?.prompt_tokens,
      completionTokens: usage?.completion_tokens,
      cost: usage?.cost,
      failedAttempts: trace?.failures,
      fallback: trace?.fallback,
    });
  }

  app.setErrorHandler(async (error, request, reply) => {
    const mapped = mapFrameworkError(error);
    const { status, body, typed } = describeError(mapped);
    if (request.forge) {
      request.forge.errorType = body.error.type;
      request.forge.errorCode = body.error.code ?? undefined;
    }
    if (!typed) {
      log(
        logLine("error", "unhandled error", {
          request_id: request.id,
          error: (error as Error).name,
          detail: (error as Error).message,
        }),
      );
    }
    closeIfDraining(reply);
    if (status === 401) reply.header("www-authenticate", "Bearer");
    if (status === 429) reply.header("retry-after", "1");
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const error = new ProxyError(`Unknown request URL: ${request.method} ${request.url.split("?")[0]}`, {
      status: 404,
      type: "invalid_request_error",
      code: "unknown_url",
    });
    request.forge.errorType = error.type;
    request.forge.errorCode = error.code;
    return reply.code(404).send(describeError(error).body);
  });

  // ------------------------------------------------------------------------------------------
  // Health and models
  // ------------------------------------------------------------------------------------------

  const metrics = emptySnapshot();
  const modelNames = new Set(config.modelNames);
  const ownMetrics = () => {
    metrics.inFlight = inFlight.size;
    return metrics;
  };
  app.get("/metrics", async (_request, reply) => {
    const snapshot = options.aggregateMetrics ? await options.aggregateMetrics(ownMetrics()) : ownMetrics();
    return reply.type("text/plain; version=0.0.4; charset=utf-8").send(renderMetrics(snapshot));
  });

  const liveness = async () => "I'm alive!";
  app.get("/health/liveliness", liveness);
  app.get("/health/liveness", liveness);
  app.get("/health/readiness", async (_request, reply) => {
    if (draining) return reply.code(503).send({ status: "draining" });
    return { status: "healthy", models: config.modelNames.length, deployments: config.deployments.length };
  });

  const modelObject = (id: string) => ({ id, object: "model", created: startedAt, owned_by: "bedrock" });
  const listModels = async () => ({ object: "list", data: config.modelNames.map(modelObject) });
  const getModel = async (request: FastifyRequest<{ Params: { model: string } }>) => {
    router.deploymentsOf(request.params.model);
    return modelObject(request.params.model);
  };
  for (const prefix of ["/v1", ""]) {
    app.get(`${prefix}/models`, listModels);
    app.get(`${prefix}/models/:model`, getModel);
  }

  // ------------------------------------------------------------------------------------------
  // Model endpoints
  // ------------------------------------------------------------------------------------------

  interface Prepared {
    readonly modelName: string;
    readonly client: ClientParams;
    readonly lifetime: RequestLifetime;
    readonly fallback: FallbackChoice;
  }

  /** LiteLLM's per-request `fallbacks` (model names of this proxy) and `disable_fallbacks`. */
  function readFallbackChoice(body: Record<string, unknown>): FallbackChoice {
    const { fallbacks, disable_fallbacks: disabled } = body;
    if (disabled !== undefined && disabled !== null && typeof disabled !== "boolean")
      throw invalidRequest("disable_fallbacks must be a boolean", "disable_fallbacks");
    if (fallbacks === undefined || fallbacks === null) return { disabled: disabled === true };
    if (!Array.isArray(fallbacks) || !fallbacks.every((name) => typeof name === "string"))
      throw invalidRequest("fallbacks must be a list of model names of this proxy", "fallbacks");
    const unknown = fallbacks.find((name) => !config.modelNames.includes(name));
    if (unknown !== undefined) throw unknownModel(unknown, config.modelNames, "fallbacks");
    return { fallbacks, disabled: disabled === true };
  }

  function prepare(kind: RequestKind, request: FastifyRequest, reply: FastifyReply): Prepared {
    const body = request.body as Record<string, unknown>;
    const problem = validateRequestBody(kind, body);
    if (problem) throw problem;
    const modelName = body.model as string;
    request.forge.model = modelName;
    const fallback = readFallbackChoice(body);
    // Checked against every deployment a fallback may reach, not only the requested model's.
    const client = readClientParams(
      body,
      router.reachableDeployments(modelName, fallback),
      config.allowClientSideCredentials,
    );
    // Everything that can refuse the request is done: from here on the request is in flight.
    const timeoutMs = Math.min(requestTimeoutMs, client.timeoutMs ?? Number.POSITIVE_INFINITY);
    const lifetime = new RequestLifetime(reply.raw, timeoutMs);
    inFlight.add(lifetime);
    request.forge.trace = createRouteTrace();
    return { modelName, client, lifetime, fallback };
  }

  function finish(lifetime: RequestLifetime) {
    lifetime.dispose();
    inFlight.delete(lifetime);
    if (draining) setImmediate(() => app.server.closeIdleConnections());
  }

  function warningsOf(request: FastifyRequest) {
    return (message: string) => {
      request.forge.warnings ??= [];
      request.forge.warnings.push(message);
    };
  }

  /** The deployment's own per-call timeout; the request deadline is enforced by the lifetime's signal. */
  function attemptTimeout(deployment: LiveDeployment, stream: boolean): number | undefined {
    return stream ? deployment.config.streamTimeoutMs : deployment.config.timeoutMs;
  }

  async function unary(
    kind: RequestKind,
    request: FastifyRequest,
    reply: FastifyReply,
    call: (
      deployment: LiveDeployment,
      body: Record<string, unknown>,
      signal: AbortSignal,
      timeout: number | undefined,
    ) => Promise<unknown>,
  ) {
    const prepared = prepare(kind, request, reply);
    const { lifetime } = prepared;
    const onWarning = warningsOf(request);
    request.forge.stream = kind === "chat" ? false : undefined;
    try {
      const { value, deployment } = await router.route(
        prepared.modelName,
        (deployment) =>
          call(
            deployment,
            buildRuntimeRequest(deployment.config, prepared.client, { onWarning }),
            lifetime.signal,
            attemptTimeout(deployment, false),
          ),
        {
          canRetry: () => lifetime.reason === undefined,
          trace: request.forge.trace!,
          fallback: prepared.fallback,
        },
      );
      const usage = (value as { usage?: RequestContext["usage"] }).usage;
      request.forge.usage = usage;
      if (typeof usage?.cost === "number") reply.header(costHeader, formatCost(usage.cost));
      reply.header("x-bedrock-forge-deployment", deployment.config.id);
      closeIfDraining(reply);
      return value;
    } catch (error) {
      const explained = lifetime.explain(error);
      // Nobody is left to answer: log now, the reply is discarded.
      if (lifetime.clientGone) logClientGone(request);
      throw explained;
    } finally {
      finish(lifetime);
    }
  }

  async function streamChat(request: FastifyRequest, reply: FastifyReply) {
    const prepared = prepare("chat", request, reply);
    const { lifetime } = prepared;
    const context = request.forge;
    context.stream = true;
    const onWarning = warningsOf(request);
    const body = request.body as { stream_options?: { include_usage?: boolean } | null };
    const includeUsage = body.stream_options?.include_usage === true;
    interface Opened {
      stream: ChatCompletionStream;
      iterator: AsyncIterator<ChatCompletionChunk>;
      first: IteratorResult<ChatCompletionChunk>;
    }
    let opened: Opened;
    let deployment: LiveDeployment;
    try {
      // Failover is allowed until the first chunk is in hand: nothing has been sent to the client yet.
      ({ value: opened, deployment } = await router.route(
        prepared.modelName,
        async (candidate): Promise<Opened> => {
          const stream = await candidate.bedrock.chat.completions.create(
            buildRuntimeRequest(candidate.config, prepared.client, {
              onWarning,
              stream: true,
              // Usage is always asked for (the log line and the cost need it) and passed on only when the client asked.
              stream_options: { include_usage: true },
            }) as unknown as ChatCompletionStreamParams,
            {
              signal: lifetime.signal,
              timeout: attemptTimeout(candidate, true),
            },
          );
          const iterator = stream[Symbol.asyncIterator]();
          try {
            return { stream, iterator, first: await iterator.next() };
          } catch (error) {
            stream.abort();
            throw error;
          }
        },
        { canRetry: () => lifetime.reason === undefined, trace: context.trace!, fallback: prepared.fallback },
      ));
    } catch (error) {
      finish(lifetime);
      if (lifetime.clientGone) logClientGone(request);
      throw lifetime.explain(error);
    }

    context.hijacked = true;
    reply.hijack();
    const writer = new SseWriter(reply.raw);
    writer.open({
      "x-request-id": context.id,
      "x-bedrock-forge-deployment": deployment.config.id,
      ...(draining ? { connection: "close" } : {}),
    });
    lifetime.touch();
    let streamError: ReturnType<typeof describeError> | undefined;
    try {
      let step = opened.first;
      while (!step.done) {
        const chunk = step.value;
        if (chunk.choices.length === 0 && chunk.usage) {
          context.usage = chunk.usage;
          if (includeUsage) await writer.send(chunk);
        } else {
          await writer.send(chunk);
        }
        lifetime.touch();
        if (lifetime.reason !== undefined) break;
        step = await opened.iterator.next();
      }
      if (lifetime.reason !== undefined) throw new Error(lifetime.reason);
      await writer.done(context.usage?.cost);
    } catch (error) {
      opened.stream.abort();
      if (!lifetime.clientGone) {
        streamError = describeError(lifetime.explain(error));
        context.errorType = streamError.body.error.type;
        context.errorCode = streamError.body.error.code ?? undefined;
        if (!streamError.typed) {
          log(
            logLine("error", "unhandled stream error", {
              request_id: context.id,
              error: (error as Error).name,
              detail: (error as Error).message,
            }),
          );
        }
        writer.fail(streamError.body);
      }
    } finally {
      finish(lifetime);
      if (lifetime.clientGone) markClientGone(context);
      writeRequestLog(request, lifetime.clientGone ? 499 : 200, {
        ...(streamError ? { stream_error_status: streamError.status } : {}),
      });
    }
  }

  async function chatCompletions(request: FastifyRequest, reply: FastifyReply) {
    const body = request.body as { stream?: unknown } | null;
    if (body && typeof body === "object" && body.stream === true) return streamChat(request, reply);
    return unary("chat", request, reply, (deployment, runtimeBody, signal, timeout) =>
      deployment.bedrock.chat.completions.create(runtimeBody as never, { signal, timeout }),
    );
  }

  async function embeddings(request: FastifyRequest, reply: FastifyReply) {
    return unary("embeddings", request, reply, (deployment, runtimeBody, signal, timeout) =>
      deployment.bedrock.embeddings.create(runtimeBody as never, { signal, timeout }),
    );
  }

  async function images(request: FastifyRequest, reply: FastifyReply) {
    return unary("images", request, reply, (deployment, runtimeBody, signal, timeout) =>
      deployment.bedrock.images.generate(runtimeBody as never, { signal, timeout }),
    );
  }

  /** Cohere's rerank API, as LiteLLM's proxy serves it at /rerank and /v1/rerank. */
  async function rerank(request: FastifyRequest, reply: FastifyReply) {
    return unary("rerank", request, reply, (deployment, runtimeBody, signal, timeout) =>
      deployment.bedrock.rerank.create(runtimeBody as never, { signal, timeout }),
    );
  }

  for (const prefix of ["/v1", ""]) {
    app.post(`${prefix}/chat/completions`, chatCompletions);
    app.post(`${prefix}/embeddings`, embeddings);
    app.post(`${prefix}/images/generations`, images);
    app.post(`${prefix}/rerank`, rerank);
  }

  let closing: Promise<void> | undefined;
  let stopWaiting: (() => void) | undefined;
  function close(closeOptions: { drainMs?: number } = {}): Promise<void> {
    const drainMs = closeOptions.drainMs ?? defaultDrainMs;
    if (closing) {
      // A second call (a second signal) may shorten the drain.
      const stop = stopWaiting;
      if (stop) setTimeout(stop, drainMs).unref();
      return closing;
    }
    draining = true;
    closing = (async () => {
      const closed = app.close();
      if (inFlight.size === 0) app.server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<"deadline">((resolve) => {
        stopWaiting = () => resolve("deadline");
        timer = setTimeout(stopWaiting, drainMs);
      });
      const outcome = await Promise.race([closed.then(() => "drained" as const), deadline]);
      clearTimeout(timer);
      stopWaiting = undefined;
      if (outcome === "deadline") {
        const cancelled = inFlight.size;
        for (const lifetime of inFlight) lifetime.end("shutdown");
        log(
          logLine("warn", "drain deadline passed: cancelling in-flight requests", {
            cancelled,
            drain_ms: drainMs,
          }),
        );
        // Give cancelled requests a moment to write their error, then cut what is left.
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 250))]);
        app.server.closeAllConnections();
        await closed;
      }
      log(logLine("info", "stopped"));
    })();
    return closing;
  }

  return { app, close, metrics: ownMetrics };
}

/**
 * The route a request matched, as logged. POST routes have no parameters, so their path is the route;
 * only GET routes (`/v1/models/:model`) ask fastify for the pattern (a getter that builds an object).
 */
function routePath(request: FastifyRequest): string {
  if (request.method === "GET") {
    const pattern = request.routeOptions.url;
    if (pattern !== undefined) return pattern;
  }
  const url = request.url;
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/** Fastify's own errors (body parsing, limits) in OpenAI's terms. */
function mapFrameworkError(error: unknown): unknown {
  if (ProxyError.isInstance(error)) return error;
  const framework = error as { code?: string; statusCode?: number; message?: string };
  switch (framework.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ProxyError("The request body is larger than this proxy accepts", {
        status: 413,
        type: "invalid_request_error",
        code: "request_too_large",
      });
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ProxyError(
        `We could not parse the JSON body of your request: ${framework.message ?? "invalid JSON"}`,
        { status: 400, type: "invalid_request_error", code: "invalid_json" },
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ProxyError("Send the body as JSON (Content-Type: application/json)", {
        status: 415,
        type: "invalid_request_error",
        code: "unsupported_media_type",
      });
    default:
      break;
  }
  if (error instanceof SyntaxError || (framework.statusCode === 400 && framework.code?.startsWith("FST_"))) {
    return new ProxyError(`We could not parse the JSON body of your request: ${framework.message}`, {
      status: 400,
      type: "invalid_request_error",
      code: "invalid_json",
    });
  }
  if (typeof framework.statusCode === "number" && framework.statusCode >= 400 && framework.statusCode < 500) {
    return new ProxyError(framework.message ?? "Bad request", {
      status: framework.statusCode,
      type: "invalid_request_error",
      code: framework.code ?? "invalid_request",
    });
  }
  return error;
}
