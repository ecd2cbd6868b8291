import type { FastifyInstance, FastifyRequest } from "fastify";
import { isAnsweredEarly } from "./connections.js";
import { describeAnthropicError, describeError, type ErrorShape, ProxyError } from "./errors.js";
import type { ServerLifecycle } from "./lifecycle.js";
import { type LogSink, logLine } from "./log.js";

/** A route's own error shape (`config: { errorShape }` when it is registered); OpenAI's by default. */
export function errorShapeOf(request: FastifyRequest): ErrorShape {
  const config = request.routeOptions.config as { errorShape?: ErrorShape } | undefined;
  return config?.errorShape ?? "openai";
}

/**
 * Every error a route throws becomes its API's error body (OpenAI's, or Anthropic's for the Messages
 * routes) with its status; an error of unknown kind is a 500 without details (logged with them).
 * Unknown URLs are a 404 in OpenAI's shape.
 */
export function installErrorHandlers(app: FastifyInstance, lifecycle: ServerLifecycle, log: LogSink): void {
  app.setErrorHandler(async (error, request, reply) => {
    const mapped = mapFrameworkError(error);
    const described = describeError(mapped);
    const { body, typed } = described;
    let status = described.status;
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
    lifecycle.closeIfDraining(reply);
    // Answered before its body arrived (a 401, a 413): the connection is closed after the answer.
    if (isAnsweredEarly(request)) reply.header("connection", "close");
    if (status === 401) reply.header("www-authenticate", "Bearer");
    if (status === 429) {
      const seconds = mapped instanceof ProxyError ? mapped.retryAfterSeconds : undefined;
      reply.header("retry-after", String(seconds ?? 1));
    }
    if (errorShapeOf(request) === "anthropic") {
      const anthropic = describeAnthropicError(typed ? mapped : new Error(body.error.message));
      status = anthropic.status;
      reply.header("request-id", request.id);
      return reply
        .code(status)
        .send({ ...anthropic.body, request_id: anthropic.body.request_id ?? request.id });
    }
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler(async (request, reply) => {
    // The path as sent, cut short: it goes into the answer.
    const path = request.url.split("?")[0]!.slice(0, 256);
    const error = new ProxyError(`Unknown request URL: ${request.method} ${path}`, {
      status: 404,
      type: "invalid_request_error",
      code: "unknown_url",
    });
    request.forge.errorType = error.type;
    request.forge.errorCode = error.code;
    return reply.code(404).send(describeError(error).body);
  });
}

/** Fastify's own errors (body parsing, limits) in OpenAI's terms. */
export function mapFrameworkError(error: unknown): unknown {
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
      return invalidJson(framework.message ?? "invalid JSON");
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
    return invalidJson(framework.message);
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

function invalidJson(detail: string | undefined): ProxyError {
  return new ProxyError(`We could not parse the JSON body of your request: ${detail}`, {
    status: 400,
    type: "invalid_request_error",
    code: "invalid_json",
  });
}
