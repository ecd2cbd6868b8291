/**
 * What makes a LiteLLM `config.yaml` load unchanged: LiteLLM's key names and where they may sit, the
 * `os.environ/` references and the `environment_variables` section, settings shared by two sections,
 * keys that are accepted and ignored, `LITELLM_MASTER_KEY`, and PyYAML's leniency about a closing
 * bracket. Checking the values is config-validate.ts's business; building the config is config.ts's.
 */
import {
  parseYamlSource,
  type YamlLimits,
  type YamlReadProblem,
  type YamlSource,
} from "../shared/yaml-source.js";
import type { ConfigSource, Segment } from "./config-location.js";
import { problemAt } from "./config-location.js";
import type { ConfigProblem } from "./config-types.js";

const environmentPrefix = "os.environ/";

/** `litellm_params` keys that say how a deployment connects (folded into its runtime client, never model params). */
export const connectionParams: ReadonlySet<string> = new Set([
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_region_name",
  "aws_session_name",
  "aws_profile_name",
  "aws_role_name",
  "aws_web_identity_token",
  "aws_bedrock_runtime_endpoint",
  "api_base",
  "api_key",
  "extra_headers",
  "num_retries",
  "timeout",
  "stream_timeout",
]);

/** `litellm_params` keys that shape how the proxy serves a deployment (not model params either). */
export const behaviourParams: ReadonlySet<string> = new Set([
  "weight",
  "rpm",
  "tpm",
  "drop_params",
  "modify_params",
  "user_continue_message",
  "guardrailConfig",
  "configurable_clientside_auth_params",
  "model",
  "model_id",
  "max_parallel_requests",
  "input_cost_per_token",
  "output_cost_per_token",
  "cache_read_input_token_cost",
  "cache_creation_input_token_cost",
]);

/** LiteLLM router and bookkeeping keys that are not model params: accepted and ignored. */
export const ignoredLitellmParams: ReadonlySet<string> = new Set([
  "order",
  "input_cost_per_second",
  "output_cost_per_second",
  "mock_response",
  "tags",
  "use_in_pass_through",
  "custom_llm_provider",
  "region_name",
  "merge_reasoning_content_in_choices",
]);

/** The settings of each section bedrock-forge acts on; the others are reported as ignored. */
const supportedSettings: Readonly<Record<string, ReadonlySet<string>>> = {
  litellm_settings: new Set([
    "drop_params",
    "modify_params",
    "num_retries",
    "request_timeout",
    "fallbacks",
    "context_window_fallbacks",
    "allowed_fails",
    "cooldown_time",
  ]),
  router_settings: new Set([
    "num_retries",
    "timeout",
    "routing_strategy",
    "routing_strategy_args",
    "model_group_alias",
    "fallbacks",
    "context_window_fallbacks",
    "allowed_fails",
    "cooldown_time",
  ]),
  general_settings: new Set([
    "master_key",
    "max_request_size_mb",
    "allow_client_side_credentials",
    "client_endpoint_hosts",
    "forward_credentials_to_client_endpoints",
    "max_embedding_inputs",
    "client_read_timeout",
    "headers_timeout",
    "body_timeout",
    "stream_keepalive_interval",
    "litellm_key_header_name",
    "cors_allowed_origins",
    "allowed_hosts",
  ]),
  environment_variables: new Set(),
};

/** Warnings for sections and settings that are accepted but not used. */
export function describeIgnoredSettings(root: Readonly<Record<string, unknown>>, file: string): string[] {
  const warnings: string[] = [];
  for (const key of Object.keys(root)) {
    if (key === "model_list") continue;
    const known = supportedSettings[key];
    if (!known) {
      warnings.push(`${file}: ${key} is not used by bedrock-forge and is ignored`);
      continue;
    }
    const section = root[key];
    if (key === "environment_variables" || !section || typeof section !== "object") continue;
    for (const setting of Object.keys(section)) {
      if (!known.has(setting)) warnings.push(`${file}: ${key}.${setting} is not supported and is ignored`);
    }
  }
  return warnings;
}

/** The settings sections, each an object (an absent or null section is empty). */
export interface SettingsSections {
  readonly litellm: Readonly<Record<string, unknown>>;
  readonly router: Readonly<Record<string, unknown>>;
  readonly general: Readonly<Record<string, unknown>>;
}

export function readSections(root: Readonly<Record<string, unknown>>): SettingsSections {
  return {
    litellm: (root.litellm_settings ?? {}) as Record<string, unknown>,
    router: (root.router_settings ?? {}) as Record<string, unknown>,
    general: (root.general_settings ?? {}) as Record<string, unknown>,
  };
}

/**
 * A setting LiteLLM reads from `litellm_settings` or `router_settings` (possibly under another name
 * there, as `request_timeout` / `timeout`): the `litellm_settings` value wins when both give one.
 */
export function readSharedSetting<T>(
  sections: SettingsSections,
  litellmName: string,
  routerName = litellmName,
): T | undefined {
  return (sections.litellm[litellmName] ?? sections.router[routerName]) as T | undefined;
}

/** The sections fallback lists may sit in, in the order their lists are joined. */
export const fallbackSections = ["litellm_settings", "router_settings"] as const;

/** The master key: `general_settings.master_key`, else the `LITELLM_MASTER_KEY` variable. */
export function readMasterKey(
  sections: SettingsSections,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const fromEnvironment = env.LITELLM_MASTER_KEY;
  return (
    (sections.general.master_key as string | undefined) ??
    (fromEnvironment === undefined || fromEnvironment === "" ? undefined : fromEnvironment)
  );
}

/**
 * Replaces every `os.environ/NAME` string of the config in place. The `environment_variables` section is
 * visible to the references, as LiteLLM exports it first; a variable that is set nowhere is a problem at
 * its line.
 */
export function substituteEnvironment(
  root: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  source: ConfigSource,
): ConfigProblem[] {
  const declared = root.environment_variables;
  const fileEnvironment: Record<string, string> = {};
  if (declared && typeof declared === "object" && !Array.isArray(declared)) {
    for (const [name, value] of Object.entries(declared)) {
      if (value !== null && value !== undefined) fileEnvironment[name] = String(value);
    }
  }
  const problems: ConfigProblem[] = [];
  const lookup = (name: string) => fileEnvironment[name] ?? env[name];
  substituteValue(root, [], lookup, source, problems);
  return problems;
}

function substituteValue(
  value: unknown,
  segments: Segment[],
  lookup: (name: string) => string | undefined,
  source: ConfigSource,
  problems: ConfigProblem[],
): unknown {
  if (typeof value === "string") {
    if (!value.startsWith(environmentPrefix)) return value;
    const name = value.slice(environmentPrefix.length);
    const resolved = lookup(name);
    if (resolved === undefined) {
      problems.push(problemAt(source, segments, `environment variable ${name} is not set`));
      return value;
    }
    return resolved;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      value[index] = substituteValue(item, [...segments, index], lookup, source, problems);
    });
    return value;
  }
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      record[key] = substituteValue(record[key], [...segments, key], lookup, source, problems);
    }
  }
  return value;
}

/** How large and deep a config file may be: configs are small; a larger one is a mistake or an attack. */
export const configLimits: YamlLimits = { maxBytes: 4 * 1024 * 1024, maxDepth: 64 };

/**
 * Parses config YAML keeping positions. LiteLLM reads its config with PyYAML, which accepts a flow
 * mapping whose closing `}` sits left of its key (LiteLLM's own guardrail example does this); the YAML
 * 1.2 parser here does not. Such a closing line is indented to match the lines before it and the text is
 * parsed again: line numbers do not change. `relaxed` lists the lines so treated.
 */
export function parseLiteLlmYaml(
  file: string,
  text: string,
): { source: YamlSource; relaxed: number[] } | { problem: YamlReadProblem } {
  const relaxed: number[] = [];
  let current = text;
  for (let round = 0; ; round++) {
    const parsed = parseYamlSource(file, current, configLimits);
    if ("source" in parsed) return { source: parsed.source, relaxed };
    const bad = parsed.problem;
    const fixed = round < 20 ? indentClosingBracket(current, bad) : undefined;
    if (fixed === undefined) return { problem: bad };
    relaxed.push(bad.line);
    current = fixed;
  }
}

/** The text with the closing bracket line a BAD_INDENT problem points at re-indented, or undefined. */
function indentClosingBracket(text: string, problem: YamlReadProblem): string | undefined {
  if (problem.code !== "BAD_INDENT") return undefined;
  const lines = text.split("\n");
  const lineIndex = problem.line - 1;
  const closing = lines[lineIndex];
  if (closing === undefined || !/^\s*[}\]]\s*,?\s*(#.*)?$/.test(closing)) return undefined;
  let previous = lineIndex - 1;
  while (previous >= 0 && lines[previous]!.trim() === "") previous--;
  const indent = previous >= 0 ? /^\s*/.exec(lines[previous]!)![0] : "";
  const fixed = indent + closing.trimStart();
  if (fixed === closing) return undefined;
  lines[lineIndex] = fixed;
  return lines.join("\n");
}

/** A config for one model without a file (`serve --model`): credentials and region from the environment. */
export function quickConfig(
  model: string,
  options: { region?: string; endpoint?: string } = {},
): Record<string, unknown> {
  const bare = model.startsWith("bedrock/") ? model.slice("bedrock/".length) : model;
  return {
    model_list: [
      {
        model_name: bare,
        litellm_params: {
          model: `bedrock/${bare}`,
          ...(options.region ? { aws_region_name: options.region } : {}),
          ...(options.endpoint ? { aws_bedrock_runtime_endpoint: options.endpoint } : {}),
        },
      },
    ],
  };
}
