/**
 * Resolves with what stopped a long-running command: the first SIGINT or SIGTERM, or `signal` (tests,
 * the primary of `serve --workers`) — also when `signal` had already fired before the call.
 */
export function untilStopped(signal?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const stop = (name: string) => () => {
      process.off("SIGINT", onInterrupt);
      process.off("SIGTERM", onTerminate);
      resolve(name);
    };
    const onInterrupt = stop("SIGINT");
    const onTerminate = stop("SIGTERM");
    process.once("SIGINT", onInterrupt);
    process.once("SIGTERM", onTerminate);
    if (!signal) return;
    const onAbort = () => stop(typeof signal.reason === "string" ? signal.reason : "abort")();
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}
