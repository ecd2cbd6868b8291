import type { ServerResponse } from "node:http";

export const costHeader = "x-bedrock-forge-cost-usd";

/** A cost as a plain decimal string (no exponent), e.g. `0.000325`. */
export function formatCost(cost: number): string {
  if (cost === 0) return "0";
  return cost.toFixed(12).replace(/0+$/, "").replace(/\.$/, "");
}

/**
 * Writes Server-Sent Events as OpenAI sends them: `data: {json}\n\n` per chunk, `data: [DONE]\n\n` on
 * success, or one `data: {"error": …}\n\n` event when the stream fails (and no `[DONE]`, so no client
 * mistakes a broken stream for a finished one). Respects backpressure: a slow client slows the read
 * of the Bedrock stream instead of growing a buffer.
 */
export class SseWriter {
  private corked = false;

  constructor(private readonly response: ServerResponse) {}

  open(headers: Readonly<Record<string, string>>): void {
    const response = this.response;
    response.socket?.setNoDelay(true);
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      // The cost is known only at the end: it is sent as a trailer (and in the usage chunk).
      trailer: costHeader,
      ...headers,
    });
  }

  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  /** Writes one event; resolves when the socket can take more. */
  async send(data: unknown): Promise<void> {
    await this.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  async done(cost: number | null | undefined): Promise<void> {
    await this.write("data: [DONE]\n\n");
    if (typeof cost === "number") this.response.addTrailers({ [costHeader]: formatCost(cost) });
    this.uncorkAll();
    this.response.end();
  }

  fail(error: unknown): void {
    if (this.closed) return;
    this.response.write(`data: ${JSON.stringify(error)}\n\n`);
    this.uncorkAll();
    this.response.end();
  }

  /**
   * Sends what the cork holds before the response ends: on Node 24 (seen on 24.21), `end()` on a corked
   * response drops the corked events, so a stream ended in the same turn as its last events lost them.
   */
  private uncorkAll(): void {
    while (this.response.writableCorked > 0) this.response.uncork();
  }

  /**
   * Events that are ready together (Bedrock often delivers several in one read) leave in one write:
   * the socket is corked for the rest of this turn of the event loop.
   */
  private write(text: string): Promise<void> | undefined {
    const response = this.response;
    if (this.closed) return undefined;
    if (!this.corked) {
      this.corked = true;
      response.cork();
      setImmediate(() => {
        this.corked = false;
        response.uncork();
      });
    }
    if (response.write(text)) return undefined;
    return new Promise((resolve) => {
      const finish = () => {
        response.off("drain", finish);
        response.off("close", finish);
        resolve();
      };
      response.on("drain", finish);
      response.on("close", finish);
    });
  }
}
