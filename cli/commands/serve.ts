import cluster from "node:cluster";
import { ProxyConfigError, quickConfig } from "../../proxy/config.js";
import { jsonLineSink, type LogSink } from "../../proxy/log.js";
import type { MetricsSnapshot } from "../../proxy/metrics.js";
import { type ProxyOptions, type RunningProxy, startProxy } from "../../proxy/server.js";
import {
  parseCommandArgs,
  parseNonNegativeInteger,
  parsePositiveInteger,
  parsePositiveNumber,
} from "../args.js";
import type { Command, CommandIO } from "../command.js";
import { UsageError } from "../command.js";
import { startOfflineBackend } from "../offline-proxy.js";
import { checkRegionOption } from "../regions.js";
import { untilStopped } from "../signals.js";
import { runPrimary, workerMessages } from "./serve-workers.js";

export const serveHelp = `Usage: bedrock-forge serve --config config.yaml [options]
       bedrock-forge serve --model <bedrock model id> [options]

Runs an OpenAI-compatible HTTP server in front of Bedrock: /v1/chat/completions (with SSE streaming),
/v1/embeddings, /v1/images/generations, /v1/rerank, /v1/models, /metrics (Prometheus), /health/liveliness
and /health/readiness.
The config is LiteLLM's config.yaml (model_list, litellm_settings, general_settings). Logs are JSON
lines on stdout. SIGTERM or Ctrl+C stops accepting requests and drains the ones in flight.

Options:
  --config FILE             LiteLLM-style config.yaml.
  --model ID                Serve one model without a config file (bedrock/ prefix optional); credentials
                            and region come from the environment (AWS_REGION, AWS_PROFILE, ...).
  --region REGION           With --model: the AWS region.
  --endpoint URL            With --model: the Bedrock Runtime endpoint (e.g. a local emulator).
  --offline                 Start the built-in Bedrock emulator and point every deployment at it (signed
                            with AWS's example keys): synthetic answers, no AWS account, no network.
  --port N                  Port (default 4000; 0 picks a free one).
  --host HOST               Interface (default 127.0.0.1; 0.0.0.0 to accept remote clients).
  --drain-ms N              How long shutdown waits for in-flight requests (default 10000).
  --max-body-mb N           Request body limit in MiB (default general_settings.max_request_size_mb or 10).
  --request-timeout S       Request deadline in seconds (default litellm_settings.request_timeout or 600).
  --workers N               Processes sharing the port (default 1; LiteLLM's --num_workers also works).
                            Each is a whole proxy; a worker that dies is replaced; SIGTERM drains them all.
  -h, --help                Show this help.

The master key comes from general_settings.master_key or LITELLM_MASTER_KEY; without one the server is open.
`;

export interface ServeArgs {
  readonly options: ProxyOptions;
  readonly drainMs: number;
  /** Processes serving the port (`--workers`), 1 for this process alone. */
  readonly workers: number;
  /** `--offline`: every deployment goes to a built-in emulator. */
  readonly offline: boolean;
}

/** Parses the serve flags into proxy options. */
export function parseServeArgs(
  argv: readonly string[],
  io: Pick<CommandIO, "env" | "cwd">,
): ServeArgs | "help" {
  const { values } = parseCommandArgs(argv, {
    config: { type: "string" },
    model: { type: "string" },
    region: { type: "string" },
    endpoint: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    "drain-ms": { type: "string" },
    "max-body-mb": { type: "string" },
    "request-timeout": { type: "string" },
    workers: { type: "string" },
    num_workers: { type: "string" },
    offline: { type: "boolean" },
  });
  if (values.help) return "help";
  const configFile = values.config;
  const model = values.model;
  if ((configFile === undefined) === (model === undefined)) {
    throw new UsageError("give either --config FILE or --model ID");
  }
  if (configFile !== undefined && (values.region !== undefined || values.endpoint !== undefined)) {
    throw new UsageError("--region and --endpoint go with --model; with --config set them in litellm_params");
  }
  checkRegionOption(values.region);
  if (values.endpoint !== undefined && !/^https?:\/\/[^/]/.test(values.endpoint)) {
    throw new UsageError(`--endpoint must be an http(s) URL, not "${values.endpoint}"`);
  }
  const maxBodyMb = parsePositiveNumber(values["max-body-mb"], "max-body-mb");
  const requestTimeout = parsePositiveNumber(values["request-timeout"], "request-timeout");
  const port = parseNonNegativeInteger(values.port, "port");
  const options: ProxyOptions = {
    config:
      configFile !== undefined
        ? configFile
        : quickConfig(model!, {
            region: values.region,
            endpoint: values.endpoint,
          }),
    port: port ?? 4000,
    host: values.host ?? "127.0.0.1",
    env: io.env,
    cwd: io.cwd,
    ...(maxBodyMb !== undefined ? { maxRequestBytes: Math.round(maxBodyMb * 1024 * 1024) } : {}),
    ...(requestTimeout !== undefined ? { requestTimeoutMs: Math.round(requestTimeout * 1000) } : {}),
  };
  if (values.workers !== undefined && values.num_workers !== undefined) {
    throw new UsageError("give --workers or --num_workers, not both");
  }
  const workersFlag = values.workers !== undefined ? "workers" : "num_workers";
  const workers = parsePositiveInteger(values[workersFlag], workersFlag) ?? 1;
  const offline = values.offline === true;
  if (offline && values.endpoint !== undefined)
    throw new UsageError("--offline starts its own emulator; do not combine it with --endpoint");
  if (offline && workers > 1)
    throw new UsageError("--offline serves from one process with its emulator; drop --workers");
  return {
    options,
    drainMs: parseNonNegativeInteger(values["drain-ms"], "drain-ms") ?? 10_000,
    workers,
    offline,
  };
}

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
