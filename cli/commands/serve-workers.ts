import cluster, { type Worker } from "node:cluster";
import { createProxyConfig, loadProxyConfig, ProxyConfigError } from "../../proxy/config.js";
import { jsonLineSink, logLine } from "../../proxy/log.js";
import { type MetricsSnapshot, mergeSnapshots } from "../../proxy/metrics.js";
import type { CommandIO } from "../command.js";
import type { ServeArgs } from "./serve.js";

/** What the primary and its workers tell each other over the cluster's channel. */
export const workerMessages = {
  /** primary → worker: stop accepting and drain (as SIGTERM would). */
  shutdown: "bedrock-forge:shutdown",
  /** worker → primary: `{ type, url }` once the worker listens. */
  listening: "bedrock-forge:listening",
  /** worker → primary: `{ type, id }`, every worker's metrics added up, please (a scrape of /metrics). */
  metricsRequest: "bedrock-forge:metrics-request",
  /** primary → worker: `{ type, id }`, send your metrics. */
  metricsCollect: "bedrock-forge:metrics-collect",
  /** worker → primary: `{ type, id, snapshot }`. */
  metricsSnapshot: "bedrock-forge:metrics-snapshot",
  /** primary → the asking worker: `{ type, id, snapshot }`, the sum. */
  metricsResult: "bedrock-forge:metrics-result",
} as const;

/** How long the primary waits for the workers' metrics before adding up those it has. */
const collectTimeoutMs = 1000;

/** A worker that dies sooner than this after the previous replacement is replaced after this delay. */
const restartBackoffMs = 1000;

/**
 * The primary of `serve --workers N`: checks the config once (a bad one stops everything before any
 * worker starts), forks N workers that share the port (Node's cluster: connections are handed out in
 * turn), replaces a worker that dies, and on SIGINT/SIGTERM (or `signal`) has every worker drain, then
 * exits 0 once all have. A second signal makes the workers stop at once. A worker that fails before it
 * listens stops the whole server with exit code 1.
 */
export async function runPrimary(parsed: ServeArgs, io: CommandIO, signal?: AbortSignal): Promise<number> {
  const { config } = parsed.options;
  try {
    if (typeof config === "string") await loadProxyConfig(config, { env: io.env, cwd: io.cwd });
    else createProxyConfig(config, { env: io.env });
  } catch (error) {
    if (error instanceof ProxyConfigError) {
      io.stderr.write(`bedrock-forge serve: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const log = jsonLineSink(io.stdout, { maxWrite: 4096 });
  const workers = new Set<Worker>();
  /** Workers that listen (and can answer for their metrics). */
  const readyWorkers = new Set<Worker>();
  let stopping = false;
  let failed = false;
  let lastRestart = 0;
  let listening = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const stopAll = (reason: string) => {
    if (stopping) {
      // A second signal: the workers stop at once (their own second-signal behaviour).
      for (const worker of workers) worker.process.kill("SIGTERM");
      return;
    }
    stopping = true;
    log(logLine("info", "stopping workers", { reason, workers: workers.size }));
    for (const worker of workers) if (worker.isConnected()) worker.send(workerMessages.shutdown);
    if (workers.size === 0) finish();
  };

  const fork = () => {
    const worker = cluster.fork(io.env);
    workers.add(worker);
    worker.on(
      "message",
      (message: { type?: string; url?: string; id?: number; snapshot?: MetricsSnapshot }) => {
        if (message?.type === workerMessages.metricsRequest && message.id !== undefined) {
          collectMetrics(worker, message.id);
          return;
        }
        if (
          message?.type === workerMessages.metricsSnapshot &&
          message.id !== undefined &&
          message.snapshot
        ) {
          collections.get(message.id)?.add(worker, message.snapshot);
          return;
        }
        if (message?.type !== workerMessages.listening || readyWorkers.has(worker)) return;
        readyWorkers.add(worker);
        listening++;
        if (listening === parsed.workers) {
          log(logLine("info", "workers listening", { url: message.url, workers: parsed.workers }));
        }
        if (stopping && worker.isConnected()) worker.send(workerMessages.shutdown);
      },
    );
    worker.on("exit", (code, exitSignal) => {
      workers.delete(worker);
      const ready = readyWorkers.delete(worker);
      if (stopping) {
        if (workers.size === 0) finish();
        return;
      }
      if (!ready) {
        log(
          logLine("error", "a worker stopped before it listened", {
            worker: worker.id,
            code,
            signal: exitSignal,
          }),
        );
        failed = true;
        stopAll("worker failed to start");
        return;
      }
      log(
        logLine("warn", "worker exited; starting another", { worker: worker.id, code, signal: exitSignal }),
      );
      const wait = Math.max(0, lastRestart + restartBackoffMs - Date.now());
      lastRestart = Date.now() + wait;
      setTimeout(() => {
        if (!stopping) fork();
      }, wait);
    });
  };

  /** Metrics collections in progress, by id: the snapshots received so far, finished when all are in. */
  const collections = new Map<number, { add(worker: Worker, snapshot: MetricsSnapshot): void }>();
  let nextCollection = 1;
  const collectMetrics = (asker: Worker, askerId: number) => {
    const id = nextCollection++;
    const expected = [...readyWorkers].filter((worker) => worker.isConnected());
    const received = new Map<Worker, MetricsSnapshot>();
    const finish = () => {
      clearTimeout(timer);
      collections.delete(id);
      if (asker.isConnected()) {
        asker.send({
          type: workerMessages.metricsResult,
          id: askerId,
          snapshot: mergeSnapshots([...received.values()]),
        });
      }
    };
    const timer = setTimeout(finish, collectTimeoutMs);
    collections.set(id, {
      add(worker, snapshot) {
        received.set(worker, snapshot);
        if (received.size >= expected.length) finish();
      },
    });
    for (const worker of expected) worker.send({ type: workerMessages.metricsCollect, id });
  };

  const onInterrupt = () => stopAll("SIGINT");
  const onTerminate = () => stopAll("SIGTERM");
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  signal?.addEventListener("abort", () => stopAll("abort"), { once: true });
  try {
    for (let index = 0; index < parsed.workers; index++) fork();
    await finished;
  } finally {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onTerminate);
  }
  log(logLine("info", "stopped", { workers: parsed.workers }));
  return failed ? 1 : 0;
}
