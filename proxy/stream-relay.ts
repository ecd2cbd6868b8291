/**
 * Relays an opened upstream stream to the client as Server-Sent Events: the response is taken over from
 * fastify, items are written as they come (backpressure pauses the upstream read), and the request's
 * one log line is written when the stream ends — finished, failed (an error event, no `[DONE]`), or cut
 * short by the client, the deadline or shutdown. The wire format of the events is the route's.
 */
import type { OutgoingHttpHeaders } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type OpenedStream, outcomeOf, type PreparedRequest } from "./dispatch.js";
import { describeError, type OpenAIErrorBody } from "./errors.js";
import { logLine } from "./log.js";
import { markClientGone } from "./request-log.js";
import type { ProxyServices } from "./services.js";
import { ClientStalledError, SseWriter } from "./sse.js";

/** How a route writes its events. */
export interface StreamEncoding<T> {
  /** Writes one upstream item (or nothing); resolves when the socket can take more. */
  send(item: T, writer: SseWriter): Promise<void> | undefined;
  /** Writes the end of a stream that finished. */
  finish(writer: SseWriter): Promise<void>;
  /**
   * Writes the error event of a stream that failed after it started: `error` is OpenAI's body of it,
   * `cause` what ended the stream (the typed error), for APIs with their own error events.
   */
  fail(writer: SseWriter, error: OpenAIErrorBody, cause: unknown): void;
  /**
   * Writes a keep-alive event while the upstream is silent (for an API that has one: Anthropic's
   * `ping`), so that load balancers do not close a stream that is thinking.
   */
  keepAlive?(writer: SseWriter): void;
}

export async function relayStream<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  services: ProxyServices,
  prepared: PreparedRequest,
  opened: OpenedStream<T>,
  encoding: StreamEncoding<T>,
): Promise<void> {
  const { lifetime } = prepared;
  const context = request.forge;
  context.hijacked = true;
  reply.hijack();
  const writer = new SseWriter(reply.raw, {
    stallTimeoutMs: services.limits.clientReadTimeoutMs,
    signal: lifetime.signal,
  });
  writer.open({
    // What the request hooks set: the request id, CORS.
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    "x-bedrock-forge-deployment": opened.deployment.config.id,
    ...(services.lifecycle.draining ? { connection: "close" } : {}),
  });
  lifetime.touch();
  let streamError: ReturnType<typeof describeError> | undefined;
  const keepAlive = startKeepAlive(encoding, writer, services.limits.streamKeepAliveMs);
  try {
    let step = opened.first;
    while (!step.done) {
      await encoding.send(step.value, writer);
      lifetime.touch();
      if (lifetime.reason !== undefined) break;
      step = await opened.iterator.next();
    }
    if (lifetime.reason !== undefined) throw new Error(lifetime.reason);
    await encoding.finish(writer);
  } catch (error) {
    // A client that reads nothing is cut off; its upstream call is ended with it, freeing the socket.
    if (error instanceof ClientStalledError) lifetime.end("client_stalled");
    opened.abort();
    if (!lifetime.clientGone) {
      const cause = lifetime.explain(error);
      streamError = describeError(cause);
      reportStreamError(request, services, streamError, error);
      if (error instanceof ClientStalledError) writer.cut();
      else encoding.fail(writer, streamError.body, cause);
    }
  } finally {
    if (keepAlive) clearInterval(keepAlive);
    opened.release(streamError || lifetime.clientGone ? undefined : outcomeOf(context.usage));
    services.lifecycle.finish(lifetime);
    if (lifetime.clientGone) markClientGone(context);
    const extra = streamError ? { stream_error_status: streamError.status } : undefined;
    services.requestLog.write(request, lifetime.clientGone ? 499 : 200, extra);
  }
}

/**
 * Writes the encoding's keep-alive event whenever nothing was written for `intervalMs` (checked every
 * `intervalMs`; a client that is not reading gets none, its buffer is full already).
 */
function startKeepAlive<T>(
  encoding: StreamEncoding<T>,
  writer: SseWriter,
  intervalMs: number,
): NodeJS.Timeout | undefined {
  if (!encoding.keepAlive || intervalMs <= 0) return undefined;
  const timer = setInterval(() => {
    if (writer.closed || writer.backlogged) return;
    if (performance.now() - writer.lastWriteAt >= intervalMs) encoding.keepAlive?.(writer);
  }, intervalMs);
  timer.unref();
  return timer;
}

function reportStreamError(
  request: FastifyRequest,
  services: ProxyServices,
  described: ReturnType<typeof describeError>,
  error: unknown,
): void {
  const context = request.forge;
  context.errorType = described.body.error.type;
  context.errorCode = described.body.error.code ?? undefined;
  if (described.typed) return;
  services.log(
    logLine("error", "unhandled stream error", {
      request_id: context.id,
      error: (error as Error).name,
      detail: (error as Error).message,
    }),
  );
}
