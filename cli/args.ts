import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./command.js";
import { suggestCorrection } from "./suggest.js";

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** Options every command that calls Bedrock accepts. */
export const connectionOptions = {
  endpoint: { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
  offline: { type: "boolean" },
} as const satisfies OptionsConfig;

/** The help lines of `connectionOptions`, shared by the commands' help texts. */
export const connectionHelp = `Connection:
  --region REGION     AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or your profile's region).
  --profile NAME      A profile from ~/.aws/config or ~/.aws/credentials (SSO profiles too).
  --endpoint URL      Bedrock Runtime endpoint, e.g. a running \`bedrock-forge emulate\` or a VPC endpoint.
  --offline           Start the built-in emulator for this call: no AWS account, no network.`;

type HelpOption = { help: { type: "boolean"; short: "h" } };

type CommandParseConfig<O extends OptionsConfig> = {
  args: string[];
  options: O & HelpOption;
  strict: true;
  allowPositionals: boolean;
};

/**
 * `node:util` parseArgs with the CLI's conventions: strict, `-h/--help` built in, and every parse
 * failure turned into a UsageError (exit code 2 with the command's help).
 */
export function parseCommandArgs<const O extends OptionsConfig>(
  argv: readonly string[],
  options: O,
  { positionals = false }: { positionals?: boolean } = {},
): ReturnType<typeof parseArgs<CommandParseConfig<O>>> {
  const config: CommandParseConfig<O> = {
    args: [...argv],
    options: { ...options, help: { type: "boolean", short: "h" } } as O & HelpOption,
    strict: true,
    allowPositionals: positionals,
  };
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(explainParseError(error, config.options));
  }
}

/**
 * parseArgs' message for bad arguments, first line only; an unknown long option gets the command's
 * nearest one: `Unknown option '--offlne' (did you mean --offline?)`.
 */
export function explainParseError(error: unknown, options: OptionsConfig): string {
  const message = ((error as Error)?.message ?? String(error)).split("\n")[0]!;
  if ((error as { code?: string })?.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return message;
  const given = /^Unknown option '--([^'=]+)/.exec(message)?.[1];
  const suggestion = given === undefined ? undefined : suggestCorrection(given, Object.keys(options));
  // The suggestion replaces node's advice about positionals that start with "-": a typo is likelier.
  return suggestion === undefined ? message : `Unknown option '--${given}' (did you mean --${suggestion}?)`;
}

/** Parses a positive integer option, or fails with a usage error naming it. */
export function parsePositiveInteger(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--${option} must be a positive integer, not "${value}"`);
  return Number(value);
}

/** Parses a number option that must be above 0 (sizes, durations), or fails with a usage error naming it. */
export function parsePositiveNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = value.trim() === "" ? Number.NaN : Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new UsageError(`--${option} must be a number above 0, not "${value}"`);
  return number;
}

/** Parses a non-negative integer option (seeds may be 0). */
export function parseNonNegativeInteger(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value))
    throw new UsageError(`--${option} must be a non-negative integer, not "${value}"`);
  return Number(value);
}

/** Parses `--size WxH`. */
export function parseSize(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*x[1-9][0-9]*$/.test(value))
    throw new UsageError(`--size must look like 1024x1024 (width x height), not "${value}"`);
  return value;
}

/**
 * Reads `--param key=value` pairs into request fields. Values are JSON when they parse as JSON
 * (`top_k=5`, `stop=["\n"]`, `thinking={"type":"enabled","budget_tokens":1024}`), else strings.
 * Dotted keys build nested objects: `guardrailConfig.guardrailVersion=DRAFT`.
 */
export function parseParams(
  pairs: readonly string[] | undefined,
  reserved: readonly string[] = ["model", "messages", "stream", "input", "prompt"],
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new UsageError(`--param takes key=value, not "${pair}"`);
    const key = pair.slice(0, equals);
    const root = key.split(".")[0]!;
    if (reserved.includes(root))
      throw new UsageError(`--param ${root} is set by the command itself (use its own flags instead)`);
    const raw = pair.slice(equals + 1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(key))
      throw new UsageError(`--param key "${key}" is not a param name`);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: the value is the string as written.
    }
    const path = key.split(".");
    let target = params;
    for (const segment of path.slice(0, -1)) {
      const next = target[segment];
      if (next === undefined) target[segment] = {};
      else if (typeof next !== "object" || next === null || Array.isArray(next))
        throw new UsageError(`--param ${key}: ${segment} is already set to a non-object value`);
      target = target[segment] as Record<string, unknown>;
    }
    target[path.at(-1)!] = value;
  }
  return params;
}
