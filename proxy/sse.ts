import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

export const costHeader = "x-bedrock-forge-cost-usd";

/** A cost as a plain decimal string (no exponent), e.g. `0.000325`. */
export function formatCost(cost: number): string {
  if (cost === 0) return "0";
  return cost.toFixed(12).replace(/0+$/, "").replace(/\.$/, "");
}

/** A client that did not take the stream's data within the client read timeout: it is cut off. */
export class ClientStalledError extends Error {
  override readonly name = "ClientStalledError";
  constructor(readonly waitedMs: number) {
    super(`the client read nothing for ${waitedMs} ms while the stream waited to write`);
  }
}

export interface SseWriterOptions {
  /** How long one write may wait for the client to take data (backpressure) before the stream gives up. */
  readonly stallTimeoutMs: number;
  /** Ends any wait at once (the request ended: client gone, deadline, shutdown). */
  readonly signal?: AbortSignal;
}

/**
 * Writes Server-Sent Events as OpenAI sends them: `data: {json}\n\n` per chunk, `data: [DONE]\n\n` on
 * success, or one `data: {"error": …}\n\n` event when the stream fails (and no `[DONE]`, so no client
 * mistakes a broken stream for a finished one). Respects backpressure: a slow client slows the read
 * of the Bedrock stream instead of growing a buffer, and a client that takes nothing for
 * `stallTimeoutMs` makes the write fail with ClientStalledError (the upstream call can then be ended and
 * its socket freed).
 */
export class SseWriter {
  /** Events written this turn of the event loop, sent together in one write at its end. */
  private pending = "";
  private flushScheduled = false;
  /** Set while the socket is full: the wait for the client to take data (rejects when it stalled). */
  private drained: Promise<void> | undefined;
  /** When the last event was written (`performance.now()`), for keep-alives. */
  lastWriteAt = performance.now();

  constructor(
    private readonly response: ServerResponse,
    private readonly options: SseWriterOptions,
  ) {}

  /**
   * Sends the status and headers. The connection is kept alive or closed as the client asked (a client
   * that sent `Connection: close` gets it back, and the socket is closed after the stream).
   */
  open(headers: Readonly<OutgoingHttpHeaders>): void {
    const response = this.response;
    response.socket?.setNoDelay(true);
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
      // The cost is known only at the end: it is sent as a trailer (and in the usage chunk).
      trailer: costHeader,
      ...headers,
    });
  }

  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  /** The client has not taken what was written so far (the socket's buffer is full). */
  get backlogged(): boolean {
    return this.drained !== undefined || this.response.writableNeedDrain;
  }

  /** Writes one event; resolves when the socket can take more. */
  async send(data: unknown): Promise<void> {
    await this.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  /** Writes one named event (`event: <name>` then its data), as the Responses and Messages APIs stream. */
  async sendEvent(name: string, data: unknown): Promise<void> {
    await this.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Writes OpenAI's `[DONE]` and ends the stream, with the cost as a trailer. */
  async done(cost: number | null | undefined): Promise<void> {
    await this.write("data: [DONE]\n\n");
    this.end(cost);
  }

  /** Ends a stream whose API has no `[DONE]` (Responses, Messages: their last event says it), with the cost as a trailer. */
  end(cost: number | null | undefined): void {
    this.flush();
    if (this.closed) return;
    if (typeof cost === "number") this.response.addTrailers({ [costHeader]: formatCost(cost) });
    this.response.end();
  }

  /** Writes the error event and ends the response; a client that is not reading is cut off instead. */
  fail(error: unknown): void {
    this.finishWith(`data: ${JSON.stringify(error)}\n\n`);
  }

  /** Writes a named error event (`event: error`) and ends the response, as `fail` does. */
  failEvent(name: string, error: unknown): void {
    this.finishWith(`event: ${name}\ndata: ${JSON.stringify(error)}\n\n`);
  }

  private finishWith(text: string): void {
    if (this.closed) return;
    this.pending += text;
    this.flush();
    this.response.end();
    if (this.response.writableNeedDrain) this.response.destroy();
  }

  /** Drops the connection (a client that does not read gets no goodbye). */
  cut(): void {
    this.pending = "";
    this.response.destroy();
  }

  /**
   * Events that are ready together (Bedrock often delivers several in one read) leave in one write at the
   * end of this turn of the event loop. The writer batches them itself rather than corking the response:
   * on Node 24 (seen on 24.21) a write to a corked response returns true whatever is buffered and never
   * asks for `drain`, so a client that read nothing had the whole stream buffered in the proxy's memory.
   * Resolves when the socket can take more: the wait starts with the write that filled it and is handed
   * to every later event until the client has taken the data.
   */
  private write(text: string): Promise<void> | undefined {
    if (this.closed) return undefined;
    this.lastWriteAt = performance.now();
    this.pending += text;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return this.drained;
  }

  private flush(): void {
    this.flushScheduled = false;
    const text = this.pending;
    this.pending = "";
    if (text === "" || this.closed) return;
    if (this.response.write(text) || this.drained) return;
    const wait = this.waitForDrain();
    this.drained = wait;
    // Cleared once the client has read; a stall stays in place, so the next event fails with it.
    wait.then(
      () => {
        if (this.drained === wait) this.drained = undefined;
      },
      () => undefined,
    );
  }

  /** Resolves when the client took the data (or the response closed, or the request ended); rejects when it stalled. */
  private waitForDrain(): Promise<void> {
    const { response } = this;
    const { stallTimeoutMs, signal } = this.options;
    return new Promise((resolve, reject) => {
      const settle = (stalled: boolean) => {
        clearTimeout(timer);
        response.off("drain", onDrain);
        response.off("close", onDrain);
        signal?.removeEventListener("abort", onDrain);
        if (stalled) reject(new ClientStalledError(stallTimeoutMs));
        else resolve();
      };
      const onDrain = () => settle(false);
      const timer = setTimeout(() => settle(true), stallTimeoutMs);
      response.on("drain", onDrain);
      response.on("close", onDrain);
      if (signal?.aborted) onDrain();
      else signal?.addEventListener("abort", onDrain);
    });
  }
}
