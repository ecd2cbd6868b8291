import { parseArgs } from "node:util";
import { type RecorderOptions, startRecorder } from "../../emulator/recorder.js";
import { explainParseError } from "../args.js";
import type { Command, CommandIO } from "../command.js";
import { UsageError } from "../command.js";
import { checkRegionOption } from "../regions.js";
import { untilStopped } from "../signals.js";

export const recordHelp = `Usage: bedrock-forge record --upstream URL --out DIR [options]

Runs a recording proxy: point a Bedrock client at it, and each request is re-signed with the recorder's
own credentials, forwarded to the upstream endpoint, streamed back, and written to DIR as a fixture
(the shape of the emulator's fixtures). Authorization, security tokens and cookies are never written.
Stays up until Ctrl+C (SIGINT) or SIGTERM.

Options:
  --upstream URL           Endpoint to forward to (e.g. https://bedrock-runtime.us-east-1.amazonaws.com).
  --out DIR                Folder for the fixtures.
  --port N                 Port (default 4011; 0 picks a free one).
  --host HOST              Interface (default 127.0.0.1).
  --region REGION          Signing region (default: the client's, else the upstream host's, else us-east-1).
  --access-key-id ID       Signing credentials (default: the AWS SDK's default credential chain).
  --secret-access-key KEY
  --session-token TOKEN
  --scrub-account-ids      Replace account ids inside ARNs by 123456789012.
  -h, --help               Show this help.
`;

const recordOptions = {
  upstream: { type: "string" },
  out: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  region: { type: "string" },
  "access-key-id": { type: "string" },
  "secret-access-key": { type: "string" },
  "session-token": { type: "string" },
  "scrub-account-ids": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export function parseRecordArgs(argv: readonly string[]): RecorderOptions | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: recordOptions,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(explainParseError(error, recordOptions));
  }
  if (values.help) return "help";
  const upstream = values.upstream as string | undefined;
  const outDir = values.out as string | undefined;
  if (!upstream || !outDir) throw new UsageError("--upstream and --out are required");
  try {
    new URL(upstream);
  } catch {
    throw new UsageError(`--upstream is not a URL: ${upstream}`);
  }
  const port = values.port === undefined ? 4011 : Number(values.port);
  if (!Number.isInteger(port) || port < 0) throw new UsageError(`--port needs a non-negative integer`);
  const accessKeyId = values["access-key-id"] as string | undefined;
  const secretAccessKey = values["secret-access-key"] as string | undefined;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new UsageError("--access-key-id and --secret-access-key go together");
  }
  const options: RecorderOptions = {
    upstream,
    outDir,
    port,
    host: (values.host as string | undefined) ?? "127.0.0.1",
    scrubAccountIds: Boolean(values["scrub-account-ids"]),
  };
  checkRegionOption(values.region as string | undefined);
  if (values.region) options.region = values.region as string;
  if (accessKeyId && secretAccessKey) {
    const sessionToken = values["session-token"] as string | undefined;
    options.credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  return options;
}

/** Runs `bedrock-forge record`; `signal` stops it (tests), otherwise SIGINT/SIGTERM do. */
export async function runRecord(
  argv: readonly string[],
  io: CommandIO,
  signal?: AbortSignal,
): Promise<number> {
  const options = parseRecordArgs(argv);
  if (options === "help") {
    io.stdout.write(recordHelp);
    return 0;
  }
  const recorder = await startRecorder(options);
  io.stdout.write(
    `bedrock-forge recorder listening on ${recorder.url}, forwarding to ${options.upstream}, writing to ${options.outDir}\n` +
      `Point your client at it with AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${recorder.url}\nPress Ctrl+C to stop.\n`,
  );
  await untilStopped(signal);
  await recorder.close();
  io.stdout.write(`bedrock-forge recorder stopped (${recorder.recorded.length} fixtures written)\n`);
  return 0;
}

export const recordCommand: Command = {
  name: "record",
  summary: "Record Bedrock exchanges through a re-signing proxy into fixture files",
  help: recordHelp,
  run: (argv, io) => runRecord(argv, io),
};
