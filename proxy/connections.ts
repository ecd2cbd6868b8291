/**
 * Connections of clients that send slowly or not at all: the headers and the whole request must arrive
 * within the config's `headers_timeout` and `body_timeout` (Node's own timers, checked every second),
 * and a connection whose request was answered before its body arrived (a 401, a 413) is closed instead
 * of being read to the end.
 */
import http from "node:http";
import type { Socket } from "node:net";
import type { FastifyRequest } from "fastify";
import type { ClientLimits } from "./config-types.js";
import type { OpenAIErrorBody } from "./errors.js";

/** How often Node checks its request timers: often enough that a timeout is kept to within a second. */
const timeoutCheckIntervalMs = 1000;

/** How long a client has to read an answer sent before its body arrived, before the connection is cut. */
const answeredGraceMs = 1000;

/** The fastify (node:http) options that bound how long a client may take to send its request. */
export function requestTimeoutOptions(limits: ClientLimits): {
  readonly requestTimeout: number;
  readonly http: http.ServerOptions;
} {
  // Node refuses a headers timeout longer than the request timeout (which includes the headers).
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.bodyTimeoutMs);
  return {
    requestTimeout: limits.bodyTimeoutMs,
    http: { headersTimeout, connectionsCheckingInterval: Math.min(timeoutCheckIntervalMs, headersTimeout) },
  };
}

function errorBody(message: string, type: string, code: string): OpenAIErrorBody {
  return { error: { message, type, param: null, code } };
}

/**
 * Answers a request Node could not read (fastify's `clientErrorHandler`): too slow (408), headers too
 * large (431) or malformed (400), in OpenAI's error shape, and closes the connection.
 */
export function answerClientError(limits: ClientLimits) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (error.code === "ECONNRESET" || socket.destroyed) return;
    let status = 400;
    let body = errorBody("The request could not be read as HTTP", "invalid_request_error", "bad_request");
    if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
      status = 408;
      body = errorBody(
        `The request did not arrive within ${limits.bodyTimeoutMs} ms (headers within ${Math.min(limits.headersTimeoutMs, limits.bodyTimeoutMs)} ms)`,
        "timeout_error",
        "request_receive_timeout",
      );
    } else if (error.code === "HPE_HEADER_OVERFLOW") {
      status = 431;
      body = errorBody("The request headers are too large", "invalid_request_error", "headers_too_large");
    }
    if (socket.writable) {
      const text = JSON.stringify(body);
      socket.write(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
      );
    }
    socket.destroy(error);
  };
}

/** The answer went out before the request's body was read: the client is told the connection closes. */
export function isAnsweredEarly(request: FastifyRequest): boolean {
  return !request.raw.complete;
}

/**
 * Closes the connection of a request answered before its body arrived: the answer is followed by the
 * end of the connection, and whatever the client still sends is not read beyond a short grace (which
 * lets it read the answer before the socket is cut).
 */
export function closeAnsweredConnection(request: FastifyRequest): void {
  const socket = request.raw.socket;
  if (!socket || socket.destroyed) return;
  socket.end();
  const timer = setTimeout(() => socket.destroy(), answeredGraceMs);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}
