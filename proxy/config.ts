import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ChatMessage, GuardrailConfig } from "../runtime/index.js";
import { readYamlData } from "../shared/yaml-source.js";
import { clientEndpointFields } from "./client-fields.js";
import {
  behaviourParams,
  connectionParams,
  describeIgnoredSettings,
  ignoredLitellmParams,
  parseLiteLlmYaml,
  readMasterKey,
  readSections,
  readSharedSetting,
  type SettingsSections,
  substituteEnvironment,
} from "./config-litellm.js";
import { type ConfigSource, formatField, problemAt, type Segment } from "./config-location.js";
import {
  type AccessPolicy,
  type ClientLimits,
  type ConfigProblem,
  type Deployment,
  type DeploymentConnection,
  defaultClientLimits,
  defaultMaxParallelRequests,
  defaultMaxRequestBytes,
  defaultRequestTimeoutMs,
  type LoadConfigOptions,
  type ProxyConfig,
  ProxyConfigError,
} from "./config-types.js";
import {
  checkDeploymentParams,
  readAliases,
  readFallbacks,
  readRouting,
  textParam,
  validateConfigSchema,
} from "./config-validate.js";
import type { TokenPrices } from "./usage.js";

export { quickConfig } from "./config-litellm.js";
export { formatField } from "./config-location.js";
export {
  type AccessPolicy,
  type ClientEndpointPolicy,
  type ClientLimits,
  type ConfigProblem,
  type Deployment,
  type DeploymentConnection,
  defaultMaxRequestBytes,
  defaultRequestTimeoutMs,
  formatConfigProblem,
  type LoadConfigOptions,
  type ProxyConfig,
  ProxyConfigError,
} from "./config-types.js";

/** Reads, validates and resolves a `config.yaml`; throws ProxyConfigError naming file, line and field. */
export async function loadProxyConfig(file: string, options: LoadConfigOptions = {}): Promise<ProxyConfig> {
  let text: string;
  try {
    text = await readFile(path.resolve(options.cwd ?? process.cwd(), file), "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(error);
    throw new ProxyConfigError([{ file, field: "", message: `cannot read the config: ${reason}` }]);
  }
  return parseProxyConfig(text, file, options);
}

/** Parses config text (YAML or JSON); `file` is only used in messages. Stops at the first YAML syntax error. */
export function parseProxyConfig(text: string, file: string, options: LoadConfigOptions = {}): ProxyConfig {
  const parsed = parseLiteLlmYaml(file, text);
  if ("problem" in parsed) {
    const { line, column, message } = parsed.problem;
    throw new ProxyConfigError([{ file, line, column, field: "", message }]);
  }
  const read = readYamlData(parsed.source);
  if ("problem" in read) {
    const { line, column, message } = read.problem;
    throw new ProxyConfigError([{ file, line, column, field: "", message }]);
  }
  const config = resolveProxyConfig(read.data, { file, yaml: parsed.source }, options);
  for (const line of parsed.relaxed) {
    (config.warnings as string[]).push(
      `${file}:${line}: the closing bracket of a flow collection is indented less than YAML allows; read as PyYAML (LiteLLM) reads it`,
    );
  }
  return config;
}

/** Validates a LiteLLM-shaped config object (programmatic use); problems name the field. */
export function createProxyConfig(config: unknown, options: LoadConfigOptions = {}): ProxyConfig {
  return resolveProxyConfig(structuredClone(config), { file: "<inline config>" }, options);
}

/** Substitutes the environment, validates, and builds the config the server runs on; throws every problem found. */
function resolveProxyConfig(data: unknown, source: ConfigSource, options: LoadConfigOptions): ProxyConfig {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ProxyConfigError([
      {
        file: source.file,
        line: 1,
        column: 1,
        field: "",
        message: "the config must be a mapping with model_list",
      },
    ]);
  }
  const root = data as Record<string, unknown>;
  const env = options.env ?? process.env;
  const unset = substituteEnvironment(root, env, source);
  if (unset.length > 0) throw new ProxyConfigError(unset);
  const invalid = validateConfigSchema(root, source);
  if (invalid.length > 0) throw new ProxyConfigError(invalid);

  const warnings = describeIgnoredSettings(root, source.file);
  const sections = readSections(root);
  const problems: ConfigProblem[] = [];
  const deployments = readDeployments(
    root.model_list as Record<string, unknown>[],
    source,
    problems,
    warnings,
  );
  const modelNames = new Set(deployments.map((deployment) => deployment.modelName));
  const fallbacks = readFallbacks("fallbacks", sections, modelNames, source, problems);
  const contextWindowFallbacks = readFallbacks(
    "context_window_fallbacks",
    sections,
    modelNames,
    source,
    problems,
  );
  const routing = readRouting(sections, source, problems, warnings);
  const aliases = readAliases(sections, modelNames, source, problems);
  if (problems.length > 0) throw new ProxyConfigError(problems);
  warnings.push(...describeClosedEndpoints(sections, deployments, source.file));
  return {
    source: source.file,
    deployments,
    modelNames: [...modelNames],
    masterKey: readMasterKey(sections, env),
    dropParams: (sections.litellm.drop_params as boolean | undefined) ?? false,
    modifyParams: (sections.litellm.modify_params as boolean | undefined) ?? false,
    numRetries: readSharedSetting<number>(sections, "num_retries"),
    requestTimeoutMs:
      secondsToMs(readSharedSetting<number>(sections, "request_timeout", "timeout")) ??
      defaultRequestTimeoutMs,
    maxRequestBytes:
      mebibytesToBytes(sections.general.max_request_size_mb as number | undefined) ?? defaultMaxRequestBytes,
    allowClientSideCredentials:
      (sections.general.allow_client_side_credentials as boolean | undefined) ?? false,
    fallbacks,
    contextWindowFallbacks,
    cooldown: readCooldown(sections),
    clientEndpoints: {
      hosts: (sections.general.client_endpoint_hosts as string[] | undefined) ?? [],
      forwardCredentials:
        (sections.general.forward_credentials_to_client_endpoints as boolean | undefined) ?? false,
    },
    clientLimits: readClientLimits(sections),
    routing,
    aliases,
    access: readAccessPolicy(sections, env),
    warnings,
  };
}

/** A config that lets clients set an endpoint but names no host they may use: every such request is refused. */
function describeClosedEndpoints(
  sections: SettingsSections,
  deployments: readonly Deployment[],
  file: string,
): string[] {
  const hosts = sections.general.client_endpoint_hosts as string[] | undefined;
  if (hosts !== undefined && hosts.length > 0) return [];
  const everywhere = sections.general.allow_client_side_credentials === true;
  const opened = deployments.filter((deployment) =>
    clientEndpointFields.some((field) => deployment.clientSideAuthParams.has(field)),
  );
  if (!everywhere && opened.length === 0) return [];
  const where = everywhere
    ? "allow_client_side_credentials"
    : `${opened[0]!.id}'s configurable_clientside_auth_params`;
  return [
    `${file}: ${where} lets clients choose an endpoint, but general_settings.client_endpoint_hosts names no host: such requests are refused`,
  ];
}

/**
 * The key header, CORS origins and allowed hosts. The origins may also come from LiteLLM's
 * `LITELLM_CORS_ORIGINS` (comma-separated); unlike LiteLLM, whose default is any origin, CORS is off
 * unless one of them names origins.
 */
function readAccessPolicy(
  sections: SettingsSections,
  env: Readonly<Record<string, string | undefined>>,
): AccessPolicy {
  const general = sections.general;
  const fromEnvironment = env.LITELLM_CORS_ORIGINS?.split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  return {
    keyHeaderName: general.litellm_key_header_name as string | undefined,
    corsOrigins: (general.cors_allowed_origins as string[] | undefined) ?? fromEnvironment ?? [],
    allowedHosts: (general.allowed_hosts as string[] | undefined) ?? [],
  };
}

function readClientLimits(sections: SettingsSections): ClientLimits {
  const general = sections.general;
  const seconds = (name: string) => secondsToMs(general[name] as number | undefined);
  return {
    clientReadTimeoutMs: seconds("client_read_timeout") ?? defaultClientLimits.clientReadTimeoutMs,
    headersTimeoutMs: seconds("headers_timeout") ?? defaultClientLimits.headersTimeoutMs,
    bodyTimeoutMs: seconds("body_timeout") ?? defaultClientLimits.bodyTimeoutMs,
    maxEmbeddingInputs:
      (general.max_embedding_inputs as number | undefined) ?? defaultClientLimits.maxEmbeddingInputs,
    streamKeepAliveMs: seconds("stream_keepalive_interval") ?? defaultClientLimits.streamKeepAliveMs,
  };
}

function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

function mebibytesToBytes(mebibytes: number | undefined): number | undefined {
  return mebibytes === undefined ? undefined : Math.round(mebibytes * 1024 * 1024);
}

/** Default cooldown settings when only one of the two is given. */
const defaultAllowedFails = 0;
const defaultCooldownSeconds = 5;

function readCooldown(sections: SettingsSections): ProxyConfig["cooldown"] {
  const allowedFails = readSharedSetting<number>(sections, "allowed_fails");
  const seconds = readSharedSetting<number>(sections, "cooldown_time");
  if (allowedFails === undefined && seconds === undefined) return undefined;
  return {
    allowedFails: allowedFails ?? defaultAllowedFails,
    cooldownMs: Math.round((seconds ?? defaultCooldownSeconds) * 1000),
  };
}

/** Every entry of `model_list` as a deployment, with its id (`model_info.id`, else `<model_name>#<n>`). */
function readDeployments(
  modelList: readonly Record<string, unknown>[],
  source: ConfigSource,
  problems: ConfigProblem[],
  warnings: string[],
): Deployment[] {
  const deployments: Deployment[] = [];
  const counts = new Map<string, number>();
  const ids = new Set<string>();
  modelList.forEach((item, index) => {
    const modelName = item.model_name as string;
    const count = (counts.get(modelName) ?? 0) + 1;
    counts.set(modelName, count);
    const infoId = (item.model_info as { id?: unknown } | undefined)?.id;
    const id = infoId !== undefined ? String(infoId) : `${modelName}#${count}`;
    if (ids.has(id)) {
      problems.push(
        problemAt(source, ["model_list", index, "model_info", "id"], `duplicate deployment id ${id}`),
      );
    }
    ids.add(id);
    const params = item.litellm_params as Record<string, unknown>;
    const at: Segment[] = ["model_list", index, "litellm_params"];
    const found = checkDeploymentParams(params, at, source);
    problems.push(...found);
    if (found.length > 0) return;
    for (const name of Object.keys(params)) {
      if (ignoredLitellmParams.has(name)) {
        warnings.push(
          `${source.file}: ${formatField([...at, name])} is a LiteLLM router setting and is ignored`,
        );
      }
    }
    const info = (item.model_info ?? {}) as Record<string, unknown>;
    deployments.push(buildDeployment(params, info, id, modelName));
  });
  return deployments;
}

/** Request params a deployment sets: every `litellm_params` key that is not about connecting or serving. */
function readDefaults(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (connectionParams.has(name) || behaviourParams.has(name) || ignoredLitellmParams.has(name)) continue;
    defaults[name] = value;
  }
  return defaults;
}

function readConnection(params: Readonly<Record<string, unknown>>): DeploymentConnection {
  const text = (name: string) => textParam(params, name);
  return {
    aws_access_key_id: text("aws_access_key_id"),
    aws_secret_access_key: text("aws_secret_access_key"),
    aws_session_token: text("aws_session_token"),
    aws_region_name: text("aws_region_name"),
    aws_session_name: text("aws_session_name"),
    aws_profile_name: text("aws_profile_name"),
    aws_role_name: text("aws_role_name"),
    aws_web_identity_token: text("aws_web_identity_token"),
    aws_bedrock_runtime_endpoint: text("aws_bedrock_runtime_endpoint") ?? text("api_base"),
    apiKey: text("api_key"),
    extra_headers: params.extra_headers as Record<string, string> | undefined,
    num_retries: (params.num_retries as number | undefined) ?? 0,
  };
}

/** A checked `litellm_params` as the deployment the router serves. */
function buildDeployment(
  params: Readonly<Record<string, unknown>>,
  info: Readonly<Record<string, unknown>>,
  id: string,
  modelName: string,
): Deployment {
  const seconds = (name: string) => secondsToMs(params[name] as number | undefined);
  return {
    id,
    modelName,
    model: params.model as string,
    modelId: params.model_id as string | undefined,
    connection: readConnection(params),
    timeoutMs: seconds("timeout"),
    streamTimeoutMs: seconds("stream_timeout") ?? seconds("timeout"),
    dropParams: params.drop_params as boolean | undefined,
    modifyParams: params.modify_params as boolean | undefined,
    userContinueMessage: params.user_continue_message as ChatMessage | undefined,
    guardrailConfig: params.guardrailConfig as GuardrailConfig | undefined,
    defaults: readDefaults(params),
    clientSideAuthParams: new Set((params.configurable_clientside_auth_params as string[] | undefined) ?? []),
    shares: {
      weight: params.weight as number | undefined,
      rpm: params.rpm as number | undefined,
      tpm: params.tpm as number | undefined,
    },
    limits: {
      rpm: (params.rpm ?? info.rpm) as number | undefined,
      tpm: (params.tpm ?? info.tpm) as number | undefined,
    },
    maxParallelRequests: (params.max_parallel_requests as number | undefined) ?? defaultMaxParallelRequests,
    prices: readPrices(params, info),
  };
}

/**
 * LiteLLM's custom prices, from litellm_params or else model_info (docs.litellm.ai "Custom Pricing").
 * A per-token price left out is 0 (an embedding model needs only its input price); cache tokens are at
 * the input price unless priced apart.
 */
function readPrices(
  params: Readonly<Record<string, unknown>>,
  info: Readonly<Record<string, unknown>>,
): TokenPrices | undefined {
  const price = (name: string) => (params[name] ?? info[name]) as number | undefined;
  const input = price("input_cost_per_token");
  const output = price("output_cost_per_token");
  if (input === undefined && output === undefined) return undefined;
  return {
    inputPerToken: input ?? 0,
    outputPerToken: output ?? 0,
    ...(price("cache_read_input_token_cost") !== undefined
      ? { cacheReadPerToken: price("cache_read_input_token_cost") }
      : {}),
    ...(price("cache_creation_input_token_cost") !== undefined
      ? { cacheWritePerToken: price("cache_creation_input_token_cost") }
      : {}),
  };
}
