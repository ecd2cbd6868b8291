import { parseArgs } from "node:util";
import { exampleCredentials } from "../../emulator/auth.js";
import { startEmulator } from "../../emulator/server.js";
import type { EmulatorMode, EmulatorOptions } from "../../emulator/types.js";
import { explainParseError } from "../args.js";
import type { Command, CommandIO } from "../command.js";
import { UsageError } from "../command.js";
import { untilStopped } from "../signals.js";

export const emulateHelp = `Usage: bedrock-forge emulate [options]

Runs a local Amazon Bedrock Runtime: InvokeModel, InvokeModelWithResponseStream, Converse, ConverseStream
and CountTokens over HTTP/1.1 and HTTP/2 with SigV4 checks, answering from fixtures or synthesizing
family-native answers for every catalog model. Stays up until Ctrl+C (SIGINT) or SIGTERM.

Options:
  --port N                 Port (default 4010; 0 picks a free one).
  --host HOST              Interface (default 127.0.0.1).
  --fixtures DIR           Fixture folder, read recursively (repeatable).
  --mode MODE              replay | synthesize | hybrid (default hybrid: a matching fixture, else synthesize).
  --latency-ms N           Delay before every answer.
  --chunk-interval-ms N    Delay between stream frames.
  --stream-chunks N        Text pieces per synthesized stream (header x-bedrock-forge-stream-chunks overrides).
  --access-key-id ID       Accepted access key (with --secret-access-key; default AWS's example keys).
  --secret-access-key KEY  Its secret.
  --api-key KEY            Accept this Bedrock API key as a bearer token (repeatable).
  --model ID=BASE          Map a provisioned / application-profile id or ARN to a catalog model (repeatable).
  --control-plane FILE     Serve ListFoundationModels / ListInferenceProfiles from this JSON file (the shape of
                           emulator/README.md's control plane) instead of lists derived from the catalog.
  --no-verify              Do not check signatures.
  --no-validate            Do not validate request bodies (native schemas, Converse shapes).
  -h, --help               Show this help.

Request headers for tests: x-bedrock-forge-fault (throttle | 500 | 503 | timeout | model-timeout | not-ready |
access-denied | quota | context-window | stream-error-after:N | truncate-after:N | bad-crc),
x-bedrock-forge-fixture (replay a fixture by name), x-bedrock-forge-stream-chunks, x-bedrock-forge-latency-ms.
`;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new UsageError(`--${name} needs a non-negative integer, got "${value}"`);
  return number;
}

const emulateOptions = {
  port: { type: "string" },
  host: { type: "string" },
  fixtures: { type: "string", multiple: true },
  mode: { type: "string" },
  "latency-ms": { type: "string" },
  "chunk-interval-ms": { type: "string" },
  "stream-chunks": { type: "string" },
  "access-key-id": { type: "string" },
  "secret-access-key": { type: "string" },
  "api-key": { type: "string", multiple: true },
  model: { type: "string", multiple: true },
  "control-plane": { type: "string" },
  "no-verify": { type: "boolean" },
  "no-validate": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parses the emulate flags into emulator options. */
export function parseEmulateArgs(argv: readonly string[]): EmulatorOptions | "help" {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: emulateOptions,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(explainParseError(error, emulateOptions));
  }
  if (values.help) return "help";
  const mode = (values.mode as string | undefined) ?? "hybrid";
  if (!["replay", "synthesize", "hybrid"].includes(mode))
    throw new UsageError(`--mode must be replay, synthesize or hybrid`);
  const accessKeyId = values["access-key-id"] as string | undefined;
  const secretAccessKey = values["secret-access-key"] as string | undefined;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new UsageError("--access-key-id and --secret-access-key go together");
  }
  const models: Record<string, string> = {};
  for (const pair of (values.model as string[] | undefined) ?? []) {
    const separator = pair.lastIndexOf("=");
    if (separator <= 0) throw new UsageError(`--model needs ID=BASE, got "${pair}"`);
    models[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  const options: EmulatorOptions = {
    port: integer("port", values.port as string | undefined) ?? 4010,
    host: (values.host as string | undefined) ?? "127.0.0.1",
    mode: mode as EmulatorMode,
    fixtures: (values.fixtures as string[] | undefined) ?? [],
    verifySignature: !values["no-verify"],
    validate: !values["no-validate"],
    models,
  };
  const latency = integer("latency-ms", values["latency-ms"] as string | undefined);
  if (latency !== undefined) options.latencyMs = latency;
  const interval = integer("chunk-interval-ms", values["chunk-interval-ms"] as string | undefined);
  if (interval !== undefined) options.chunkIntervalMs = interval;
  const chunks = integer("stream-chunks", values["stream-chunks"] as string | undefined);
  if (chunks !== undefined) options.streamChunks = chunks;
  if (accessKeyId && secretAccessKey) options.credentials = [{ accessKeyId, secretAccessKey }];
  const apiKeys = values["api-key"] as string[] | undefined;
  if (apiKeys?.length) options.apiKeys = apiKeys;
  const controlPlane = values["control-plane"] as string | undefined;
  if (controlPlane !== undefined) options.controlPlane = { data: controlPlane };
  return options;
}

/** Runs `bedrock-forge emulate`; `signal` stops it (tests), otherwise SIGINT/SIGTERM do. */
export async function runEmulate(
  argv: readonly string[],
  io: CommandIO,
  signal?: AbortSignal,
): Promise<number> {
  const options = parseEmulateArgs(argv);
  if (options === "help") {
    io.stdout.write(emulateHelp);
    return 0;
  }
  const emulator = await startEmulator(options);
  const credentials = options.credentials?.[0] ?? exampleCredentials;
  io.stdout.write(
    `bedrock-forge emulator listening on ${emulator.url} (mode ${options.mode}, ${emulator.fixtures.length} fixtures, ` +
      `${options.verifySignature === false ? "signatures not checked" : "SigV4 checked"})\n` +
      `Point the AWS SDK at it with:\n` +
      `  AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${emulator.url} AWS_REGION=us-east-1 \\\n` +
      `  AWS_ACCESS_KEY_ID=${credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}\n` +
      `Compare the catalog with its control plane: bedrock-forge sync --endpoint ${emulator.url} --region us-east-1\n` +
      `Press Ctrl+C to stop.\n`,
  );
  await untilStopped(signal);
  await emulator.close();
  io.stdout.write("bedrock-forge emulator stopped\n");
  return 0;
}

export const emulateCommand: Command = {
  name: "emulate",
  summary: "Run a local Bedrock Runtime emulator (fixtures replay, synthesized answers, SigV4, faults)",
  help: emulateHelp,
  run: (argv, io) => runEmulate(argv, io),
};
