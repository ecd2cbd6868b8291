/**
 * Writing answers on HTTP/1.1 and HTTP/2 responses: JSON bodies, event-stream frames paced by the chunk
 * interval, and the faults that change what goes out (truncated bodies and streams, an exception frame
 * mid-stream, a cut connection).
 */
import type http from "node:http";
import type http2 from "node:http2";
import { setTimeout as sleep } from "node:timers/promises";
import type { EmulatorError } from "./errors.js";
import {
  type Answer,
  type AnyResponse,
  baseHeaders,
  chunkIntervalOf,
  type EmulatorContext,
  type Exchange,
} from "./exchange.js";
import { applyStreamFault, streamErrorFrame } from "./faults.js";

/** What both response classes offer, typed once (their `write` overloads do not unify). */
interface ResponseWriter {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean;
  end(chunk?: Uint8Array): unknown;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
}

/** The JSON answer of an error, in Bedrock's shape (the error type also in `x-amzn-ErrorType`). */
export function errorAnswer(exchange: Exchange, error: EmulatorError): Answer & { kind: "json" } {
  exchange.log.errorType = error.errorName;
  return {
    kind: "json",
    status: error.status,
    headers: { ...baseHeaders(exchange, "application/json"), "x-amzn-ErrorType": error.errorType },
    body: JSON.stringify(error.body),
  };
}

/** Writes and waits until the bytes are handed to the socket (so a following cut keeps them). */
function flush(response: ResponseWriter, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    response.write(bytes, () => resolve());
  });
}

/** Cuts the connection mid-response (HTTP/1.1: the socket; HTTP/2: the stream, with RST_STREAM). */
export function abort(response: AnyResponse, exchange?: Exchange): void {
  if (exchange) exchange.serverAborted = true;
  const stream = (response as http2.Http2ServerResponse).stream as http2.ServerHttp2Stream | undefined;
  if (stream && typeof stream.close === "function") stream.close(2 /* NGHTTP2_INTERNAL_ERROR */);
  else (response as http.ServerResponse).socket?.destroy();
}

async function writeJson(target: AnyResponse, exchange: Exchange, answer: Answer & { kind: "json" }) {
  const response = target as unknown as ResponseWriter;
  exchange.log.status = answer.status;
  const bytes = Buffer.from(answer.body, "utf8");
  response.writeHead(answer.status, { ...answer.headers, "Content-Length": String(bytes.length) });
  const fault = exchange.fault;
  if (fault?.kind === "truncate") {
    await flush(response, bytes.subarray(0, Math.min(fault.after, bytes.length)));
    abort(target, exchange);
    return;
  }
  exchange.ended = true;
  response.end(bytes);
}

/** Sends frames: all at once without an interval, else one by one (the last one flushed before a cut). */
async function sendFrames(
  response: ResponseWriter,
  exchange: Exchange,
  frames: readonly Uint8Array[],
  interval: number,
  cut: boolean,
): Promise<boolean> {
  if (interval === 0) {
    if (frames.length > 0) {
      const all = Buffer.concat(frames);
      if (cut) await flush(response, all);
      else response.write(all);
    }
    exchange.log.framesSent += frames.length;
    return true;
  }
  for (const [index, frame] of frames.entries()) {
    if (index > 0) await sleep(interval);
    if (response.destroyed || response.writableEnded) return false;
    if (cut && index === frames.length - 1) await flush(response, frame);
    else response.write(frame);
    exchange.log.framesSent++;
  }
  return true;
}

async function writeStream(
  target: AnyResponse,
  exchange: Exchange,
  answer: Answer & { kind: "stream" },
  interval: number,
) {
  const response = target as unknown as ResponseWriter;
  const log = exchange.log;
  log.status = 200;
  response.writeHead(200, answer.headers);
  const fault = exchange.fault;
  const { frames, ending } = applyStreamFault(answer.frames, fault);
  if (!(await sendFrames(response, exchange, frames, interval, ending === "cut"))) return;
  if (ending === "cut") {
    abort(target, exchange);
    return;
  }
  if (ending === "exception" && fault?.kind === "stream-error") {
    if (interval > 0 && frames.length > 0) await sleep(interval);
    if (response.destroyed) return;
    const { frame, errorName } = streamErrorFrame(fault.errorName, log.operation);
    log.errorType = errorName;
    response.write(frame);
    log.framesSent++;
  }
  exchange.ended = true;
  response.end();
}

/** Writes an answer after the exchange's latency, unless the client already left. */
export async function writeAnswer(
  context: EmulatorContext,
  target: AnyResponse,
  exchange: Exchange,
  answer: Answer,
  latencyMs: number,
): Promise<void> {
  const response = target as unknown as ResponseWriter;
  if (latencyMs > 0) await sleep(latencyMs);
  if (response.destroyed || response.writableEnded) return;
  if (answer.kind === "json") await writeJson(target, exchange, answer);
  else await writeStream(target, exchange, answer, chunkIntervalOf(context, exchange));
}
