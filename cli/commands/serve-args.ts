import { quickConfig } from "../../proxy/config.js";
import type { ProxyOptions } from "../../proxy/server.js";
import {
  parseCommandArgs,
  parseNonNegativeInteger,
  parsePositiveInteger,
  parsePositiveNumber,
} from "../args.js";
import type { CommandIO } from "../command.js";
import { UsageError } from "../command.js";
import { checkRegionOption } from "../regions.js";

export const serveHelp = `Usage: bedrock-forge serve --config config.yaml [options]
       bedrock-forge serve --model <bedrock model id> [options]

Runs an OpenAI-compatible HTTP server in front of Bedrock: /v1/chat/completions (with SSE streaming),
/v1/responses (OpenAI's Responses API), /v1/messages and /v1/messages/count_tokens (Anthropic's Messages
API), /v1/embeddings, /v1/images/generations, /v1/rerank, /v1/models, /metrics (Prometheus), /health,
/health/liveliness and /health/readiness.
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

The master key comes from general_settings.master_key or LITELLM_MASTER_KEY (clients send it as
Authorization: Bearer, x-api-key or api-key); without one the server is open, but answers only requests
addressed to a loopback name or to general_settings.allowed_hosts.
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
