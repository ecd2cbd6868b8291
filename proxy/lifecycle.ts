import type { FastifyInstance, FastifyReply } from "fastify";
import type { RequestLifetime } from "./lifetime.js";
import { type LogSink, logLine } from "./log.js";

const defaultDrainMs = 10_000;

/**
 * The server's life: the model requests in flight, and draining at shutdown. Closing stops accepting
 * requests, waits for those in flight up to `drainMs`, then cancels what is left (streams get an error
 * event) and closes every connection.
 */
export class ServerLifecycle {
  readonly inFlight = new Set<RequestLifetime>();
  private isDraining = false;
  private closing: Promise<void> | undefined;
  private stopWaiting: (() => void) | undefined;
  private app: FastifyInstance | undefined;

  constructor(private readonly log: LogSink) {}

  get draining(): boolean {
    return this.isDraining;
  }

  attach(app: FastifyInstance): void {
    this.app = app;
  }

  /** While draining, answers tell clients and load balancers not to reuse the connection. */
  closeIfDraining(reply: FastifyReply): void {
    if (this.draining) reply.header("connection", "close");
  }

  /** A request is in flight until `finish`. */
  track(lifetime: RequestLifetime): void {
    this.inFlight.add(lifetime);
  }

  finish(lifetime: RequestLifetime): void {
    lifetime.dispose();
    this.inFlight.delete(lifetime);
    this.closeIdleWhenDraining();
  }

  /** While draining, kept-alive connections are closed as soon as they are idle. */
  closeIdleWhenDraining(): void {
    const app = this.app;
    if (this.draining && app) setImmediate(() => app.server.closeIdleConnections());
  }

  close(options: { drainMs?: number } = {}): Promise<void> {
    const drainMs = options.drainMs ?? defaultDrainMs;
    if (this.closing) {
      // A second call (a second signal) may shorten the drain.
      const stop = this.stopWaiting;
      if (stop) setTimeout(stop, drainMs).unref();
      return this.closing;
    }
    this.isDraining = true;
    this.closing = this.drain(drainMs);
    return this.closing;
  }

  private async drain(drainMs: number): Promise<void> {
    const app = this.app!;
    const closed = app.close();
    if (this.inFlight.size === 0) app.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"deadline">((resolve) => {
      this.stopWaiting = () => resolve("deadline");
      timer = setTimeout(this.stopWaiting, drainMs);
    });
    const outcome = await Promise.race([closed.then(() => "drained" as const), deadline]);
    clearTimeout(timer);
    this.stopWaiting = undefined;
    if (outcome === "deadline") await this.cancelInFlight(closed, drainMs);
    this.log(logLine("info", "stopped"));
  }

  /** Ends every request still in flight, gives them a moment to write their error, then cuts what is left. */
  private async cancelInFlight(closed: Promise<unknown>, drainMs: number): Promise<void> {
    const cancelled = this.inFlight.size;
    for (const lifetime of this.inFlight) lifetime.end("shutdown");
    this.log(
      logLine("warn", "drain deadline passed: cancelling in-flight requests", {
        cancelled,
        drain_ms: drainMs,
      }),
    );
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 250))]);
    this.app!.server.closeAllConnections();
    await closed;
  }
}
