import cluster, { type Worker } from "node:cluster";
import { createProxyConfig, loadProxyConfig, ProxyConfigError } from "../../proxy/config.js";
import { jsonLineSink, type LogSink, logLine } from "../../proxy/log.js";
import { type MetricsSnapshot, mergeSnapshots } from "../../proxy/metrics.js";
import type { CommandIO } from "../command.js";
import type { ServeArgs } from "./serve-args.js";

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

/** The primary's state: its workers, which of them listen, and whether it is stopping. */
interface Primary {
  readonly parsed: ServeArgs;
  readonly io: CommandIO;
  readonly log: LogSink;
  readonly workers: Set<Worker>;
  /** Workers that listen (and can answer for their metrics). */
  readonly readyWorkers: Set<Worker>;
  /** Metrics collections in progress, by id. */
  readonly collections: Map<number, MetricsCollection>;
  nextCollection: number;
  stopping: boolean;
  failed: boolean;
  lastRestart: number;
  listening: number;
  /** Resolves the primary's wait once the last worker has exited while stopping. */
  readonly finish: () => void;
}

/** The snapshots of one metrics collection received so far; it ends when all are in or it times out. */
interface MetricsCollection {
  add(worker: Worker, snapshot: MetricsSnapshot): void;
}

/** A message from a worker (see `workerMessages`). */
interface WorkerMessage {
  readonly type?: string;
  readonly url?: string;
  readonly id?: number;
  readonly snapshot?: MetricsSnapshot;
}

/**
 * The primary of `serve --workers N`: checks the config once (a bad one stops everything before any
 * worker starts), forks N workers that share the port (Node's cluster: connections are handed out in
 * turn), replaces a worker that dies, and on SIGINT/SIGTERM (or `signal`) has every worker drain, then
 * exits 0 once all have. A second signal makes the workers stop at once. A worker that fails before it
 * listens stops the whole server with exit code 1.
 */
export async function runPrimary(parsed: ServeArgs, io: CommandIO, signal?: AbortSignal): Promise<number> {
  const refused = await checkConfigOnce(parsed, io);
  if (refused !== undefined) return refused;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const primary: Primary = {
    parsed,
    io,
    log: jsonLineSink(io.stdout, { maxWrite: 4096 }),
    workers: new Set(),
    readyWorkers: new Set(),
    collections: new Map(),
    nextCollection: 1,
    stopping: false,
    failed: false,
    lastRestart: 0,
    listening: 0,
    finish: () => finish(),
  };
  const stopListening = listenForStopSignals(primary, signal);
  try {
    for (let index = 0; index < parsed.workers; index++) forkWorker(primary);
    await finished;
  } finally {
    stopListening();
  }
  primary.log(logLine("info", "stopped", { workers: parsed.workers }));
  return primary.failed ? 1 : 0;
}

/** Loads the config as a worker would; a bad one is reported here, once, and the exit code returned. */
async function checkConfigOnce(parsed: ServeArgs, io: CommandIO): Promise<number | undefined> {
  const { config } = parsed.options;
  try {
    if (typeof config === "string") await loadProxyConfig(config, { env: io.env, cwd: io.cwd });
    else createProxyConfig(config, { env: io.env });
    return undefined;
  } catch (error) {
    if (error instanceof ProxyConfigError) {
      io.stderr.write(`bedrock-forge serve: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** SIGINT, SIGTERM and `signal` stop the workers; returns what removes the process signal listeners. */
function listenForStopSignals(primary: Primary, signal: AbortSignal | undefined): () => void {
  const onInterrupt = () => stopWorkers(primary, "SIGINT");
  const onTerminate = () => stopWorkers(primary, "SIGTERM");
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  signal?.addEventListener("abort", () => stopWorkers(primary, "abort"), { once: true });
  return () => {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onTerminate);
  };
}

/** Has every worker drain; a second call (a second signal) makes them stop at once, as their own second signal does. */
function stopWorkers(primary: Primary, reason: string): void {
  if (primary.stopping) {
    for (const worker of primary.workers) worker.process.kill("SIGTERM");
    return;
  }
  primary.stopping = true;
  primary.log(logLine("info", "stopping workers", { reason, workers: primary.workers.size }));
  for (const worker of primary.workers) if (worker.isConnected()) worker.send(workerMessages.shutdown);
  if (primary.workers.size === 0) primary.finish();
}

function forkWorker(primary: Primary): void {
  const worker = cluster.fork(primary.io.env);
  primary.workers.add(worker);
  worker.on("message", (message: WorkerMessage) => handleWorkerMessage(primary, worker, message));
  worker.on("exit", (code, exitSignal) => handleWorkerExit(primary, worker, code, exitSignal));
}

function handleWorkerMessage(primary: Primary, worker: Worker, message: WorkerMessage): void {
  if (message?.type === workerMessages.metricsRequest && message.id !== undefined) {
    collectMetrics(primary, worker, message.id);
  } else if (
    message?.type === workerMessages.metricsSnapshot &&
    message.id !== undefined &&
    message.snapshot
  ) {
    primary.collections.get(message.id)?.add(worker, message.snapshot);
  } else if (message?.type === workerMessages.listening && !primary.readyWorkers.has(worker)) {
    markListening(primary, worker, message.url);
  }
}

/** A worker listens: counted once; the first time all do, one line says so. One that listens while stopping is stopped. */
function markListening(primary: Primary, worker: Worker, url: string | undefined): void {
  primary.readyWorkers.add(worker);
  primary.listening++;
  if (primary.listening === primary.parsed.workers) {
    primary.log(logLine("info", "workers listening", { url, workers: primary.parsed.workers }));
  }
  if (primary.stopping && worker.isConnected()) worker.send(workerMessages.shutdown);
}

/**
 * A worker exited: while stopping, the last one ends the primary; one that never listened fails the whole
 * server; any other is replaced (at most one replacement per `restartBackoffMs`).
 */
function handleWorkerExit(primary: Primary, worker: Worker, code: number, exitSignal: string): void {
  primary.workers.delete(worker);
  const ready = primary.readyWorkers.delete(worker);
  if (primary.stopping) {
    if (primary.workers.size === 0) primary.finish();
    return;
  }
  const fields = { worker: worker.id, code, signal: exitSignal };
  if (!ready) {
    primary.log(logLine("error", "a worker stopped before it listened", fields));
    primary.failed = true;
    stopWorkers(primary, "worker failed to start");
    return;
  }
  primary.log(logLine("warn", "worker exited; starting another", fields));
  const wait = Math.max(0, primary.lastRestart + restartBackoffMs - Date.now());
  primary.lastRestart = Date.now() + wait;
  setTimeout(() => {
    if (!primary.stopping) forkWorker(primary);
  }, wait);
}

/**
 * Asks every listening worker for its metrics and sends their sum to the asking worker, once all have
 * answered or after `collectTimeoutMs` with those that did.
 */
function collectMetrics(primary: Primary, asker: Worker, askerId: number): void {
  const id = primary.nextCollection++;
  const expected = [...primary.readyWorkers].filter((worker) => worker.isConnected());
  const received = new Map<Worker, MetricsSnapshot>();
  const finish = () => {
    clearTimeout(timer);
    primary.collections.delete(id);
    if (!asker.isConnected()) return;
    const snapshot = mergeSnapshots([...received.values()]);
    asker.send({ type: workerMessages.metricsResult, id: askerId, snapshot });
  };
  const timer = setTimeout(finish, collectTimeoutMs);
  primary.collections.set(id, {
    add(worker, snapshot) {
      received.set(worker, snapshot);
      if (received.size >= expected.length) finish();
    },
  });
  for (const worker of expected) worker.send({ type: workerMessages.metricsCollect, id });
}
