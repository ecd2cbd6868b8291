import { RequestValidationError } from "./errors.js";

/**
 * A stream of events over one HTTP request: iterable once with `for await`; breaking out of the loop,
 * `abort()` or the caller's signal cancels the request. Errors of the underlying call are thrown from
 * the iterator as the project's typed errors (the generator maps them).
 */
export class AbortableEventStream<T> implements AsyncIterable<T> {
  private consumed = false;

  constructor(
    private readonly events: AsyncGenerator<T>,
    readonly controller: AbortController,
    private readonly what: string,
  ) {}

  abort(): void {
    this.controller.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.consumed) throw new RequestValidationError(`${this.what} can be iterated only once`);
    this.consumed = true;
    const events = this.events;
    const controller = this.controller;
    return {
      next: () => events.next(),
      return: async (value?: unknown) => {
        controller.abort();
        await events.return(undefined).catch(() => undefined);
        return { done: true, value: value as T };
      },
      throw: (error?: unknown) => {
        controller.abort();
        return events.throw(error);
      },
    };
  }
}

/** A controller for a streamed call, and the signal that fires when it or the caller's signal does. */
export function linkAbortSignal(outer: AbortSignal | undefined): {
  controller: AbortController;
  signal: AbortSignal;
} {
  const controller = new AbortController();
  return { controller, signal: outer ? AbortSignal.any([controller.signal, outer]) : controller.signal };
}
