import { parseArgs } from "node:util";
import { ProxyConfigError, quickConfig } from "../../proxy/config.js";
import { jsonLineSink } from "../../proxy/log.js";
import { type ProxyOptions, startProxy } from "../../proxy/server.js";
import type { Command, CommandIO } from "../command.js";
import { UsageError } from "../command.js";

export const serveHelp = `Usage: bedrock-forge serve --config config.yaml [options]
       bedrock-forge serve --model <bedrock model id> [options]

Runs an OpenAI-compatible HTTP server in front of Bedrock: /v1/chat/completions (with SSE streaming),
/v1/embeddings, /v1/images/generations, /v1/rerank, /v1/models, /health/liveliness and /health/readiness.
The config is LiteLLM's config.yaml (model_list, litellm_settings, general_settings). Logs are JSON
lines on stdout. SIGTERM or Ctrl+C stops accepting requests and drains the ones in flight.

Options:
  --config FILE             LiteLLM-style config.yaml.
  --model ID                Serve one model without a config file (bedrock/ prefix optional); credentials
                            and region come from the environment (AWS_REGION, AWS_PROFILE, ...).
  --region REGION           With --model: the AWS region.
  --endpoint URL            With --model: the Bedrock Runtime endpoint (e.g. a local emulator).
  --port N                  Port (default 4000; 0 picks a free one).
  --host HOST               Interface (default 127.0.0.1; 0.0.0.0 to accept remote clients).
  --drain-ms N              How long shutdown waits for in-flight requests (default 10000).
  --max-body-mb N           Request body limit in MiB (default general_settings.max_request_size_mb or 10).
  --request-timeout S       Request deadline in seconds (default litellm_settings.request_timeout or 600).
  -h, --help                Show this help.

The master key comes from general_settings.master_key or LITELLM_MASTER_KEY; without one the server is open.
`;

export interface ServeArgs {
  readonly options: ProxyOptions;
  readonly drainMs: number;
}

function positiveNumber(name: string, value: string | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || (integer && !Number.isInteger(number)))
    throw new UsageError(`--${name} needs a non-negative ${integer ? "integer" : "number"}, got "${value}"`);
  return number;
}

/** Parses the serve flags into proxy options. */
export function parseServeArgs(
  argv: readonly string[],
  io: Pick<CommandIO, "env" | "cwd">,
): ServeArgs | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: "string" },
        model: { type: "string" },
        region: { type: "string" },
        endpoint: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        "drain-ms": { type: "string" },
        "max-body-mb": { type: "string" },
        "request-timeout": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  const configFile = values.config as string | undefined;
  const model = values.model as string | undefined;
  if ((configFile === undefined) === (model === undefined)) {
    throw new UsageError("give either --config FILE or --model ID");
  }
  if (configFile !== undefined && (values.region !== undefined || values.endpoint !== undefined)) {
    throw new UsageError("--region and --endpoint go with --model; with --config set them in litellm_params");
  }
  const maxBodyMb = positiveNumber("max-body-mb", values["max-body-mb"] as string | undefined);
  const requestTimeout = positiveNumber("request-timeout", values["request-timeout"] as string | undefined);
  const port = positiveNumber("port", values.port as string | undefined, true);
  const options: ProxyOptions = {
    config:
      configFile !== undefined
        ? configFile
        : quickConfig(model!, {
            region: values.region as string | undefined,
            endpoint: values.endpoint as string | undefined,
          }),
    port: port ?? 4000,
    host: (values.host as string | undefined) ?? "127.0.0.1",
    env: io.env,
    cwd: io.cwd,
    ...(maxBodyMb !== undefined ? { maxRequestBytes: Math.round(maxBodyMb * 1024 * 1024) } : {}),
    ...(requestTimeout !== undefined ? { requestTimeoutMs: Math.round(requestTimeout * 1000) } : {}),
  };
  return {
    options,
    drainMs: positiveNumber("drain-ms", values["drain-ms"] as string | undefined, true) ?? 10_000,
  };
}

/** Resolves with the first SIGINT or SIGTERM (or when the signal aborts). */
function untilStopped(signal?: AbortSignal): Promise<string> {
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
    signal?.addEventListener("abort", stop("abort"), { once: true });
  });
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
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  try {
    proxy = await startProxy({ ...parsed.options, log: jsonLineSink(io.stdout) });
  } catch (error) {
    if (error instanceof ProxyConfigError) {
      io.stderr.write(`bedrock-forge serve: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
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
