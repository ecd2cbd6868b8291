import type { FastifyRequest } from "fastify";
import { type LogSink, logLine } from "./log.js";
import { type MetricsSnapshot, recordRequest } from "./metrics.js";
import type { RequestContext } from "./request-context.js";

/** Writes the one log line (and the metrics) of each request, once. */
export interface RequestLogger {
  /** The line of a finished request; `extra` fields are added as they are (`stream_error_status` sets the level). */
  write(request: FastifyRequest, status: number, extra?: Record<string, unknown>): void;
  /** The line of a request whose client left before its answer (499). */
  writeClientGone(request: FastifyRequest): void;
}

/** Marks a request as ended by its client (the log says 499 `client_closed_request`). */
export function markClientGone(context: RequestContext): void {
  context.errorType = "api_error";
  context.errorCode = "client_closed_request";
}

/** Metrics are labelled by the config's name for the model (`modelLabel`), never by what a client sent. */
export function createRequestLogger(log: LogSink, metrics: MetricsSnapshot): RequestLogger {
  const write = (request: FastifyRequest, status: number, extra?: Record<string, unknown>) => {
    const context = request.forge;
    if (!context || context.logged) return;
    context.logged = true;
    // A stream that failed after its 200 is logged at the level of its error.
    const severity = typeof extra?.stream_error_status === "number" ? extra.stream_error_status : status;
    const fields = describeRequest(request, context, status);
    if (extra) Object.assign(fields, extra);
    log(logLine(severity >= 500 ? "error" : severity >= 400 ? "warn" : "info", "request", fields));
    const { usage, trace } = context;
    recordRequest(metrics, {
      path: request.routeOptions.url ?? "unmatched",
      model: context.modelLabel ?? "none",
      status: severity,
      seconds: (performance.now() - context.started) / 1000,
      promptTokens: usage?.prompt_tokens,
      completionTokens: usage?.completion_tokens,
      cost: usage?.cost,
      failedAttempts: trace?.failures,
      fallback: trace?.fallback,
    });
  };
  return {
    write,
    writeClientGone(request) {
      markClientGone(request.forge);
      write(request, 499);
    },
  };
}

/** The log line's fields, built field by field: one object per line (this runs for every request). */
function describeRequest(
  request: FastifyRequest,
  context: RequestContext,
  status: number,
): Record<string, unknown> {
  const { usage, trace } = context;
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
  if (context.notes) Object.assign(fields, context.notes);
  return fields;
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
