import cluster from "node:cluster";
import { ProxyConfigError } from "../../proxy/config.js";
import { jsonLineSink, type LogSink } from "../../proxy/log.js";
import type { MetricsSnapshot } from "../../proxy/metrics.js";
import { type ProxyOptions, type RunningProxy, startProxy } from "../../proxy/server.js";
import type { Command, CommandIO } from "../command.js";
import { startOfflineBackend } from "../offline-proxy.js";
import { untilStopped } from "../signals.js";
import { parseServeArgs, type ServeArgs, serveHelp } from "./serve-args.js";
import { runPrimary, workerMessages } from "./serve-workers.js";

/** Runs `bedrock-forge serve`; `signal` stops it (tests), otherwise SIGINT/SIGTERM do. */
export async function runServe(
  argv: readonly string[],
  io: CommandIO,
  signal?: AbortSignal,
): Promise<number> {
  const parsed = parseServeArgs(argv, io);
  if (parsed === "help") {
    io.stdout.write(serveHelp);
    return 0;
  }
  if (parsed.workers > 1 && cluster.isPrimary) return runPrimary(parsed, io, signal);
  if (cluster.isWorker) return runWorker(parsed, io);
  if (parsed.offline) return serveOffline(parsed, io, signal);
  return serve(parsed, io, jsonLineSink(io.stdout), signal);
}

/** `serve --offline`: the proxy over a built-in emulator (cli/offline-proxy.ts), stopped together. */
async function serveOffline(parsed: ServeArgs, io: CommandIO, signal?: AbortSignal): Promise<number> {
  const offline = await startOfflineBackend(parsed.options);
  if (offline instanceof ProxyConfigError) {
    io.stderr.write(`bedrock-forge serve: ${offline.message}\n`);
    return 1;
  }
  try {
    io.stderr.write(
      `bedrock-forge serve: offline: every deployment goes to the built-in emulator at ${offline.emulator.url} (synthetic answers, AWS's example keys)\n`,
    );
    const options = { ...parsed.options, config: offline.config };
    return await serve({ ...parsed, options }, io, jsonLineSink(io.stdout), signal);
  } finally {
    await offline.emulator.close();
  }
}

/** One worker of `serve --workers`: a whole proxy whose log lines name it, stopped by the primary. */
async function runWorker(parsed: ServeArgs, io: CommandIO): Promise<number> {
  const worker = cluster.worker!;
  const sink = jsonLineSink(io.stdout, { maxWrite: 4096 });
  const stop = new AbortController();
  let running: RunningProxy | undefined;
  const metricsWaiters = new Map<number, (snapshot: MetricsSnapshot) => void>();
  let nextMetricsRequest = 1;
  const onMessage = (message: unknown) => {
    if (message === workerMessages.shutdown) {
      stop.abort("stopped by the primary");
      return;
    }
    const typed = message as { type?: string; id?: number; snapshot?: MetricsSnapshot };
    if (typed?.type === workerMessages.metricsCollect && running) {
      process.send?.({ type: workerMessages.metricsSnapshot, id: typed.id, snapshot: running.metrics() });
    } else if (typed?.type === workerMessages.metricsResult && typed.id !== undefined && typed.snapshot) {
      metricsWaiters.get(typed.id)?.(typed.snapshot);
    }
  };
  /** Every worker's metrics added up by the primary; this worker's own when the primary does not answer. */
  const aggregateMetrics = (own: MetricsSnapshot) =>
    new Promise<MetricsSnapshot>((resolve) => {
      const id = nextMetricsRequest++;
      const done = (snapshot: MetricsSnapshot) => {
        clearTimeout(timer);
        metricsWaiters.delete(id);
        resolve(snapshot);
      };
      const timer = setTimeout(() => done(own), metricsTimeoutMs);
      metricsWaiters.set(id, done);
      process.send?.({ type: workerMessages.metricsRequest, id });
    });
  process.on("message", onMessage);
  try {
    return await serve(
      parsed,
      io,
      // The listening line also names the process, for whoever supervises the workers.
      (line) =>
        sink(
          line.msg === "listening"
            ? { ...line, worker: worker.id, pid: process.pid }
            : { ...line, worker: worker.id },
        ),
      stop.signal,
      {
        aggregateMetrics,
        onStarted: (proxy) => {
          running = proxy;
          process.send?.({ type: workerMessages.listening, url: proxy.url });
        },
      },
    );
  } finally {
    process.off("message", onMessage);
    // Leaves the cluster; the process then ends with its exit code once its last handles close.
    worker.disconnect();
  }
}

/** How long a worker waits for the primary's sum of every worker's metrics. */
const metricsTimeoutMs = 2000;

async function serve(
  parsed: ServeArgs,
  io: CommandIO,
  log: LogSink,
  signal?: AbortSignal,
  worker?: {
    readonly aggregateMetrics: ProxyOptions["aggregateMetrics"];
    readonly onStarted: (proxy: RunningProxy) => void;
  },
): Promise<number> {
  let proxy: RunningProxy;
  try {
    proxy = await startProxy({ ...parsed.options, log, aggregateMetrics: worker?.aggregateMetrics });
  } catch (error) {
    if (error instanceof ProxyConfigError) {
      io.stderr.write(`bedrock-forge serve: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  worker?.onStarted(proxy);
  const reason = await untilStopped(signal);
  // A second signal while draining stops at once.
  const force = () => void proxy.close({ drainMs: 0 });
  process.once("SIGINT", force);
  process.once("SIGTERM", force);
  io.stderr.write(`bedrock-forge serve: ${reason}, draining (up to ${parsed.drainMs} ms)\n`);
  await proxy.close({ drainMs: parsed.drainMs });
  process.off("SIGINT", force);
  process.off("SIGTERM", force);
  return 0;
}

export const serveCommand: Command = {
  name: "serve",
  summary: "Run an OpenAI-compatible proxy for Bedrock from a LiteLLM config.yaml (or one --model)",
  help: serveHelp,
  run: (argv, io) => runServe(argv, io),
};
