import type { ServerResponse } from "node:http";
import { ProxyError } from "./errors.js";

type EndReason = "client_closed" | "client_stalled" | "deadline" | "shutdown";

/** The abort reason the proxy gives the runtime, so a cancelled call can be told from a Bedrock failure. */
class RequestEnded extends Error {
  override readonly name = "RequestEnded";
  constructor(readonly reason: EndReason) {
    super(`request ended: ${reason}`);
  }
}

/**
 * Everything that can end a request early, folded into one AbortSignal handed to the runtime: the
 * client disconnecting (the upstream Bedrock call is aborted at once), a client that stopped reading a
 * stream, the request deadline, and shutdown after the drain deadline. For streams the deadline covers the time to the first chunk and
 * then the longest silence between chunks.
 */
export class RequestLifetime {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private ended: EndReason | undefined;
  private readonly onClose: () => void;

  constructor(
    private readonly response: ServerResponse,
    readonly timeoutMs: number,
  ) {
    this.onClose = () => {
      if (!response.writableFinished) this.end("client_closed");
    };
    response.on("close", this.onClose);
    this.timer = setTimeout(() => this.end("deadline"), timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the request was cut short, if it was. */
  get reason(): EndReason | undefined {
    return this.ended;
  }

  get clientGone(): boolean {
    return this.ended === "client_closed";
  }

  end(reason: EndReason): void {
    if (this.ended) return;
    this.ended = reason;
    if (this.timer) clearTimeout(this.timer);
    this.controller.abort(new RequestEnded(reason));
  }

  /** A chunk went out: the deadline now measures silence (the idle timeout of a stream). */
  touch(): void {
    this.timer?.refresh();
  }

  /**
   * The error to report: a cancelled call becomes what cancelled it (a 408 for the deadline, a 503 at
   * shutdown, 499 when the client left), anything else is returned as is.
   */
  explain(error: unknown): unknown {
    switch (this.ended) {
      case "deadline":
        return new ProxyError(`The request did not complete within ${this.timeoutMs} ms`, {
          status: 408,
          type: "timeout_error",
          code: "request_timeout",
        });
      case "shutdown":
        return new ProxyError("The proxy is shutting down; retry the request", {
          status: 503,
          type: "service_unavailable_error",
          code: "server_shutting_down",
        });
      case "client_stalled":
        return new ProxyError("The client did not read the stream in time; it was cut off", {
          status: 408,
          type: "timeout_error",
          code: "client_read_timeout",
        });
      case "client_closed":
        return new ProxyError("The client closed the request", {
          status: 499,
          type: "api_error",
          code: "client_closed_request",
        });
      default:
        return error;
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.response.off("close", this.onClose);
  }
}
