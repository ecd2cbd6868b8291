import { exampleCredentials } from "../emulator/auth.js";
import type { Bedrock } from "../runtime/index.js";
import { UsageError } from "./command.js";
import { checkRegionOption, explainUnknownRegion } from "./regions.js";

/** AWS's documented example keys: the emulator accepts them, real AWS never does. */
export { exampleCredentials } from "../emulator/auth.js";

/** A running emulator: its `http://127.0.0.1:port` URL, and how to stop it. */
export interface RunningEmulator {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the built-in Bedrock emulator on a free loopback port, synthesizing family-native answers
 * for every catalog model. Loaded on demand, so commands that never go offline do not pay for it.
 */
export async function startBuiltInEmulator(): Promise<RunningEmulator> {
  const { startEmulator } = await import("../emulator/index.js");
  return startEmulator({ port: 0, host: "127.0.0.1", mode: "synthesize" });
}

export interface ConnectionFlags {
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly offline?: boolean;
}

export interface Connected {
  readonly bedrock: Bedrock;
  /** Stops the emulator when one was started. */
  close(): Promise<void>;
}

/** The region a live call would use, from the flag or the environment (profiles may still add one). */
export function regionFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || env.AWS_REGION_NAME || undefined;
}

/**
 * Builds the client a command calls Bedrock through: the built-in emulator with `--offline`,
 * otherwise Bedrock (or `--endpoint`) with the region, profile and the SDK's default credential chain.
 */
export async function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Promise<Connected> {
  checkRegionOption(flags.region);
  // Loaded here so commands that never call Bedrock (models, scaffold, --help) start without the AWS SDK.
  const { createBedrock } = await import("../runtime/index.js");
  if (flags.offline) {
    if (flags.endpoint !== undefined)
      throw new UsageError("--offline starts its own emulator; do not combine it with --endpoint");
    if (flags.profile !== undefined)
      throw new UsageError("--offline uses the emulator's example keys; do not combine it with --profile");
    const emulator = await startBuiltInEmulator();
    const bedrock = createBedrock({
      endpoint: emulator.url,
      region: flags.region ?? "us-east-1",
      credentials: exampleCredentials,
    });
    return { bedrock, close: () => emulator.close() };
  }
  const region = flags.region ?? regionFromEnvironment(env);
  const bedrock = createBedrock({
    ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
  });
  return { bedrock, close: async () => {} };
}

/** Adds what to do next to the SDK's terse messages about a missing or misspelt region, or credentials. */
export function explainFailure(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  const unknownRegion = explainUnknownRegion(message);
  if (unknownRegion) return `${message}\n${unknownRegion}`;
  if (/region is missing/i.test(message))
    return `${message}\nSet a region: --region us-east-1, AWS_REGION, or a profile with a region. Or try it offline: --offline.`;
  if (/could not load credentials|credential.*provider|no credentials/i.test(message))
    return `${message}\nSet AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile, or AWS_BEARER_TOKEN_BEDROCK), or try it offline: --offline.`;
  if (/ECONNREFUSED/.test(message))
    return `${message}\nNothing answered at the endpoint. Is the emulator (\`bedrock-forge emulate\`) or your endpoint running?`;
  return message;
}
