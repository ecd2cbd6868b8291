/**
 * The proxy's fastify instance: body parsing, the request hooks (request id, draining, the master key,
 * the log line), error answers, and every route module. `startProxy` (server.ts) listens on it.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { createCorsPolicy, createHostCheck, createKeyCheck } from "./auth.js";
import type { ClientLimits, ProxyConfig } from "./config-types.js";
import {
  answerClientError,
  closeAnsweredConnection,
  isAnsweredEarly,
  requestTimeoutOptions,
} from "./connections.js";
import { invalidRequest, ProxyError } from "./errors.js";
import { installErrorHandlers } from "./framework-errors.js";
import { findExcessiveNesting, maxJsonDepth } from "./json-depth.js";
import { ServerLifecycle } from "./lifecycle.js";
import { type LogSink, logLine } from "./log.js";
import { emptySnapshot, type MetricsSnapshot } from "./metrics.js";
import type { ProxyOptions } from "./options.js";
import type { RequestContext } from "./request-context.js";
import { createRequestLogger } from "./request-log.js";
import { Router } from "./router.js";
import { isHealthPath } from "./routes/health.js";
import { routeModules } from "./routes/index.js";
import type { ProxyServices } from "./services.js";

export interface ProxyServer {
  readonly app: FastifyInstance;
  close(options?: { drainMs?: number }): Promise<void>;
  metrics(): MetricsSnapshot;
}

export function createProxyServer(config: ProxyConfig, options: ProxyOptions, log: LogSink): ProxyServer {
  const lifecycle = new ServerLifecycle(log);
  const metrics = emptySnapshot();
  const ownMetrics = () => {
    metrics.inFlight = lifecycle.inFlight.size;
    return metrics;
  };
  const services: ProxyServices = {
    config,
    router: new Router(
      config,
      (message) => log(logLine("warn", message)),
      options.env ?? process.env,
      options.clock,
    ),
    limits: {
      requestTimeoutMs: options.requestTimeoutMs ?? config.requestTimeoutMs,
      clientReadTimeoutMs: config.clientLimits.clientReadTimeoutMs,
      maxEmbeddingInputs: config.clientLimits.maxEmbeddingInputs,
      streamKeepAliveMs: config.clientLimits.streamKeepAliveMs,
    },
    lifecycle,
    requestLog: createRequestLogger(log, metrics),
    log,
    ownMetrics,
    aggregateMetrics: options.aggregateMetrics,
    startedAt: Math.floor(Date.now() / 1000),
  };
  const app = createFastify(options.maxRequestBytes ?? config.maxRequestBytes, config.clientLimits);
  lifecycle.attach(app);
  installRequestHooks(app, services, options.masterKey ?? config.masterKey);
  installErrorHandlers(app, lifecycle, log);
  for (const register of routeModules) register(app, services);
  return { app, close: (closeOptions) => lifecycle.close(closeOptions), metrics: ownMetrics };
}

function createFastify(bodyLimit: number, limits: ClientLimits): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit,
    // `/v1/chat/completions/` is `/v1/chat/completions`, as LiteLLM's (FastAPI's) routes answer both.
    routerOptions: { ignoreTrailingSlash: true },
    // Longer than the idle timeout of common load balancers (60 s), so they never reuse a closed socket.
    keepAliveTimeout: 72_000,
    // The headers and the whole request must arrive in time; answering (a stream) has no such limit here.
    ...requestTimeoutOptions(limits),
    clientErrorHandler: answerClientError(limits),
    // Requests that still arrive while draining (on kept-alive connections) get an OpenAI-shaped 503.
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
  const parseJson = app.getDefaultJsonParser("error", "error");
  const parseBody: typeof parseJson = (request, body, done) => {
    const deep = findExcessiveNesting(body as string, maxJsonDepth);
    if (deep === undefined) return parseJson(request, body, done);
    done(
      invalidRequest(
        `The JSON body nests deeper than ${maxJsonDepth} levels (at character ${deep}); this proxy does not read such bodies`,
        undefined,
        "json_too_deep",
      ),
      undefined,
    );
  };
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser("application/json", { parseAs: "string" }, parseBody);
  app.addContentTypeParser("*", { parseAs: "string" }, parseBody);
  return app;
}

/** Callback-style hooks (no promise per hook per request): the request's context, draining, who may call, the log line. */
function installRequestHooks(
  app: FastifyInstance,
  services: ProxyServices,
  masterKey: string | undefined,
): void {
  const { lifecycle, requestLog, log, config } = services;
  const { access } = config;
  const checkKey = masterKey !== undefined ? createKeyCheck(masterKey, access.keyHeaderName) : undefined;
  const checkHost = masterKey === undefined ? createHostCheck(access.allowedHosts) : undefined;
  const cors = access.corsOrigins.length > 0 ? createCorsPolicy(access.corsOrigins) : undefined;
  if (!checkKey) {
    log(
      logLine("warn", "no master key: the proxy is open, every client can call every model", {
        hint: "set general_settings.master_key (or LITELLM_MASTER_KEY) to require a key; until then only requests addressed to a loopback name or to general_settings.allowed_hosts are answered",
      }),
    );
  }
  app.addHook("onRequest", (request, reply, done) => {
    request.forge = { id: request.id, started: performance.now() };
    reply.header("x-request-id", request.id);
    const health = isHealthPath(request.url);
    try {
      if (checkHost && !health) checkHost(request.headers.host);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (cors) {
      const allowed = cors.allowOrigin(request.headers.origin);
      if (allowed !== undefined) {
        // A preflight is answered here, without a key: browsers never send credentials with it.
        if (request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined) {
          reply
            .code(204)
            .headers(cors.preflightHeaders(allowed, request.headers["access-control-request-headers"]))
            .send();
          return;
        }
        reply.headers(cors.responseHeaders(allowed));
      }
    }
    if (lifecycle.draining && !health) {
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
        checkKey(request.headers);
      } catch (error) {
        done(error as Error);
        return;
      }
    }
    done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    lifecycle.closeIdleWhenDraining();
    if (isAnsweredEarly(request)) closeAnsweredConnection(request);
    if (!request.forge.hijacked) requestLog.write(request, reply.statusCode);
    done();
  });
}
