import { readFile } from "node:fs/promises";
import path from "node:path";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { ChatMessage, GuardrailConfig } from "../runtime/index.js";
import { proxyConfigSchema } from "./config-schema.js";

/** One problem in a config, located by file, line, column and the field at fault. */
export interface ConfigProblem {
  readonly file: string;
  /** 1-based; absent for configs given as objects. */
  readonly line?: number;
  readonly column?: number;
  /** The field in dotted form, e.g. `model_list[1].litellm_params.temperature`. */
  readonly field: string;
  readonly message: string;
}

export function formatConfigProblem(problem: ConfigProblem): string {
  const where =
    problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  return `${where}: ${problem.field || "(config)"}: ${problem.message}`;
}

/** A config that cannot be served: every problem found, each with its location. */
export class ProxyConfigError extends Error {
  override readonly name = "ProxyConfigError";
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `invalid proxy config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems
        .map((problem) => `  ${formatConfigProblem(problem)}`)
        .join("\n")}`,
    );
    this.problems = problems;
  }
}

/** How a deployment reaches Bedrock: the runtime's connection options (never sent by clients unless allowed). */
export interface DeploymentConnection {
  readonly aws_access_key_id?: string;
  readonly aws_secret_access_key?: string;
  readonly aws_session_token?: string;
  readonly aws_region_name?: string;
  readonly aws_session_name?: string;
  readonly aws_profile_name?: string;
  readonly aws_role_name?: string;
  readonly aws_web_identity_token?: string;
  readonly aws_bedrock_runtime_endpoint?: string;
  readonly apiKey?: string;
  readonly extra_headers?: Readonly<Record<string, string>>;
  /** SDK retries inside this deployment (the proxy's default is 0: failover to the next deployment instead). */
  readonly num_retries: number;
}

/** One entry of `model_list`: a Bedrock model with its connection, behaviour and default params. */
export interface Deployment {
  /** `model_info.id`, else `<model_name>#<n>` (n counts entries of the same name from 1). */
  readonly id: string;
  readonly modelName: string;
  /** `litellm_params.model` as written (`bedrock/…`, a bare id or an ARN). */
  readonly model: string;
  /** The id or ARN sent to Bedrock instead of `model` (provisioned throughput, application profiles). */
  readonly modelId: string | undefined;
  readonly connection: DeploymentConnection;
  /** Milliseconds until a Bedrock call gives up (unary), and until a stream starts. */
  readonly timeoutMs: number | undefined;
  readonly streamTimeoutMs: number | undefined;
  readonly dropParams: boolean | undefined;
  readonly modifyParams: boolean | undefined;
  readonly userContinueMessage: ChatMessage | undefined;
  /** A guardrail the config enforces: clients cannot replace it. */
  readonly guardrailConfig: GuardrailConfig | undefined;
  /** Request params the config sets; request values override them. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Connection fields a client may send in the request body for this deployment. */
  readonly clientSideAuthParams: ReadonlySet<string>;
  /** LiteLLM's `weight`, `rpm` and `tpm`: the deployment's share of its model name's requests. */
  readonly shares: { readonly weight?: number; readonly rpm?: number; readonly tpm?: number };
}

/** A validated, resolved config: what the server runs on. Holds secrets; never log it. */
export interface ProxyConfig {
  /** The file it came from (as given), or `<inline config>`. */
  readonly source: string;
  readonly deployments: readonly Deployment[];
  /** Distinct model names in config order. */
  readonly modelNames: readonly string[];
  readonly masterKey: string | undefined;
  readonly dropParams: boolean;
  readonly modifyParams: boolean;
  /** Extra attempts after a failed one (failover); undefined means one attempt per deployment of the group. */
  readonly numRetries: number | undefined;
  readonly requestTimeoutMs: number;
  readonly maxRequestBytes: number;
  /** Clients may send `aws_*` credentials, endpoints and headers in request bodies (LiteLLM's switch). */
  readonly allowClientSideCredentials: boolean;
  /**
   * Model names to try, in order, when every deployment of a model name failed with an error another
   * model could avoid (throttling, timeouts, 5xx, unreachable, access or availability): LiteLLM's `fallbacks`.
   */
  readonly fallbacks: ReadonlyMap<string, readonly string[]>;
  /** Model names to try when the prompt does not fit the model's context window (`context_window_fallbacks`). */
  readonly contextWindowFallbacks: ReadonlyMap<string, readonly string[]>;
  /**
   * Cooldowns (`allowed_fails`, `cooldown_time`): a deployment with more than `allowedFails` failures in a
   * minute is left out for `cooldownMs`. Undefined when neither setting is given: no cooldowns.
   */
  readonly cooldown: { readonly allowedFails: number; readonly cooldownMs: number } | undefined;
  /** Settings that were accepted but are ignored, and other things an operator should know. */
  readonly warnings: readonly string[];
}

export interface LoadConfigOptions {
  /** Where `os.environ/NAME` references are looked up (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A relative `file` is read from here (default `process.cwd()`); messages show the path as given. */
  readonly cwd?: string;
}

/** Default request deadline: 10 minutes (long generations stream well within it). */
export const defaultRequestTimeoutMs = 600_000;
/** Default body limit: 10 MiB, enough for a few inline images. */
export const defaultMaxRequestBytes = 10 * 1024 * 1024;

const environmentPrefix = "os.environ/";

/** Connection field names in `litellm_params`, folded into the deployment's runtime client. */
const connectionFields = new Set([
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

const behaviourFields = new Set([
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
]);

/** LiteLLM router and bookkeeping keys that are not model params: accepted and ignored. */
const ignoredLitellmParams = new Set([
  "max_parallel_requests",
  "order",
  "input_cost_per_token",
  "output_cost_per_token",
  "input_cost_per_second",
  "output_cost_per_second",
  "mock_response",
  "tags",
  "use_in_pass_through",
  "custom_llm_provider",
  "region_name",
  "merge_reasoning_content_in_choices",
]);

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
    "fallbacks",
    "context_window_fallbacks",
    "allowed_fails",
    "cooldown_time",
  ]),
  general_settings: new Set(["master_key", "max_request_size_mb", "allow_client_side_credentials"]),
  environment_variables: new Set(),
};

let compiledSchema: ReturnType<Ajv2020["compile"]> | undefined;

function validateSchema(data: unknown): ErrorObject[] {
  if (!compiledSchema) {
    // Types are coerced so that `os.environ/` values (always strings) can fill numeric and boolean fields.
    const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: true, allowUnionTypes: true });
    compiledSchema = ajv.compile(proxyConfigSchema);
  }
  return compiledSchema(data) ? [] : [...(compiledSchema.errors ?? [])];
}

// ---------------------------------------------------------------------------------------------
// Locations
// ---------------------------------------------------------------------------------------------

type Segment = string | number;

/** `["model_list", 0, "litellm_params"]` → `model_list[0].litellm_params`. */
export function formatField(segments: readonly Segment[]): string {
  let field = "";
  for (const segment of segments) {
    if (typeof segment === "number") field += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) field += field === "" ? segment : `.${segment}`;
    else field += `[${JSON.stringify(segment)}]`;
  }
  return field;
}

function pointerToSegments(pointer: string): Segment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

interface SourceMap {
  readonly file: string;
  readonly document?: Document.Parsed;
  readonly lineCounter?: LineCounter;
}

/**
 * The position of the node at a path: the key when `atKey` (for unknown or misnamed fields), else the
 * value; for a path past the document (a missing field), its nearest existing parent.
 */
function locate(
  source: SourceMap,
  segments: readonly Segment[],
  atKey = false,
): { line?: number; column?: number } {
  if (!source.document || !source.lineCounter) return {};
  let node: Node | null = source.document.contents;
  let keyNode: Node | null = null;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) break;
      keyNode = isScalar(pair.key) ? pair.key : null;
      node = (pair.value as Node | null) ?? keyNode;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) break;
      keyNode = null;
      node = item;
    } else {
      break;
    }
  }
  const target = atKey ? (keyNode ?? node) : (node ?? keyNode);
  const offset = target?.range?.[0] ?? 0;
  const position = source.lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

function problemAt(source: SourceMap, segments: readonly Segment[], message: string, atKey = false) {
  return { file: source.file, ...locate(source, segments, atKey), field: formatField(segments), message };
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

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

/** Parses config text (YAML or JSON); `file` is only used in messages. */
export function parseProxyConfig(text: string, file: string, options: LoadConfigOptions = {}): ProxyConfig {
  const { document, lineCounter, relaxed } = parseYaml(text);
  if (document.errors.length > 0) {
    // Later syntax errors are mostly echoes of the first one.
    const error = document.errors[0]!;
    const position = lineCounter.linePos(error.pos[0]);
    throw new ProxyConfigError([
      {
        file,
        line: position.line,
        column: position.col,
        field: "",
        message: `YAML: ${error.message.split("\n")[0]}`,
      },
    ]);
  }
  const data = document.toJS({ maxAliasCount: 100 }) as unknown;
  const config = resolveProxyConfig(data, { file, document, lineCounter }, options);
  for (const line of relaxed) {
    (config.warnings as string[]).push(
      `${file}:${line}: the closing bracket of a flow collection is indented less than YAML allows; read as PyYAML (LiteLLM) reads it`,
    );
  }
  return config;
}

/**
 * Parses YAML keeping positions. LiteLLM reads its config with PyYAML, which accepts a flow mapping
 * whose closing `}` sits left of its key (LiteLLM's own guardrail example does this); the YAML 1.2
 * parser here does not. Such a closing line is indented to match the lines before it and the text is
 * parsed again: line numbers do not change.
 */
function parseYaml(text: string): { document: Document.Parsed; lineCounter: LineCounter; relaxed: number[] } {
  const relaxed: number[] = [];
  let source = text;
  for (let round = 0; ; round++) {
    const lineCounter = new LineCounter();
    const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const bad = document.errors[0];
    if (bad?.code !== "BAD_INDENT" || round >= 20) return { document, lineCounter, relaxed };
    const lines = source.split("\n");
    const lineIndex = lineCounter.linePos(bad.pos[0]).line - 1;
    const closing = lines[lineIndex];
    if (closing === undefined || !/^\s*[}\]]\s*,?\s*(#.*)?$/.test(closing)) {
      return { document, lineCounter, relaxed };
    }
    let previous = lineIndex - 1;
    while (previous >= 0 && lines[previous]!.trim() === "") previous--;
    const indent = previous >= 0 ? /^\s*/.exec(lines[previous]!)![0] : "";
    const fixed = indent + closing.trimStart();
    if (fixed === closing) return { document, lineCounter, relaxed };
    lines[lineIndex] = fixed;
    relaxed.push(lineIndex + 1);
    source = lines.join("\n");
  }
}

/** Validates a LiteLLM-shaped config object (programmatic use); problems name the field. */
export function createProxyConfig(config: unknown, options: LoadConfigOptions = {}): ProxyConfig {
  return resolveProxyConfig(structuredClone(config), { file: "<inline config>" }, options);
}

function resolveProxyConfig(data: unknown, source: SourceMap, options: LoadConfigOptions): ProxyConfig {
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
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];

  // `environment_variables` are visible to `os.environ/` references, as LiteLLM exports them first.
  const declared = root.environment_variables;
  const fileEnvironment: Record<string, string> = {};
  if (declared && typeof declared === "object" && !Array.isArray(declared)) {
    for (const [name, value] of Object.entries(declared)) {
      if (value !== null && value !== undefined) fileEnvironment[name] = String(value);
    }
  }
  const env = options.env ?? process.env;
  substituteEnvironment(root, [], (name) => fileEnvironment[name] ?? env[name], source, problems);
  if (problems.length > 0) throw new ProxyConfigError(problems);

  for (const error of validateSchema(root)) problems.push(describeSchemaError(error, source));
  if (problems.length > 0) throw new ProxyConfigError(dedupe(problems));

  for (const key of Object.keys(root)) {
    if (key === "model_list") continue;
    const known = supportedSettings[key];
    if (!known) {
      warnings.push(`${source.file}: ${key} is not used by bedrock-forge and is ignored`);
      continue;
    }
    const section = root[key];
    if (key === "environment_variables" || !section || typeof section !== "object") continue;
    for (const setting of Object.keys(section)) {
      if (!known.has(setting))
        warnings.push(`${source.file}: ${key}.${setting} is not supported and is ignored`);
    }
  }

  const litellm = (root.litellm_settings ?? {}) as Record<string, unknown>;
  const router = (root.router_settings ?? {}) as Record<string, unknown>;
  const general = (root.general_settings ?? {}) as Record<string, unknown>;
  const modelList = root.model_list as Record<string, unknown>[];
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
    const deployment = readDeployment(
      item.litellm_params as Record<string, unknown>,
      { id, modelName, path: ["model_list", index, "litellm_params"] },
      source,
      problems,
      warnings,
    );
    if (deployment) deployments.push(deployment);
  });
  const modelNames = new Set(deployments.map((deployment) => deployment.modelName));
  const fallbacks = readFallbacks("fallbacks", { litellm, router }, modelNames, source, problems);
  const contextWindowFallbacks = readFallbacks(
    "context_window_fallbacks",
    { litellm, router },
    modelNames,
    source,
    problems,
  );
  if (problems.length > 0) throw new ProxyConfigError(problems);

  const numRetries = (litellm.num_retries ?? router.num_retries) as number | undefined;
  const requestTimeout = (litellm.request_timeout ?? router.timeout) as number | undefined;
  const maxRequestMb = general.max_request_size_mb as number | undefined;
  return {
    source: source.file,
    deployments,
    modelNames: [...new Set(deployments.map((deployment) => deployment.modelName))],
    masterKey: (general.master_key as string | undefined) ?? nonEmpty(env.LITELLM_MASTER_KEY),
    dropParams: (litellm.drop_params as boolean | undefined) ?? false,
    modifyParams: (litellm.modify_params as boolean | undefined) ?? false,
    numRetries,
    requestTimeoutMs:
      requestTimeout !== undefined ? Math.round(requestTimeout * 1000) : defaultRequestTimeoutMs,
    maxRequestBytes:
      maxRequestMb !== undefined ? Math.round(maxRequestMb * 1024 * 1024) : defaultMaxRequestBytes,
    allowClientSideCredentials: (general.allow_client_side_credentials as boolean | undefined) ?? false,
    fallbacks,
    contextWindowFallbacks,
    cooldown: readCooldown(litellm, router),
    warnings,
  };
}

/** Default cooldown settings when only one of the two is given. */
const defaultAllowedFails = 0;
const defaultCooldownSeconds = 5;

function readCooldown(
  litellm: Record<string, unknown>,
  router: Record<string, unknown>,
): ProxyConfig["cooldown"] {
  const allowedFails = (litellm.allowed_fails ?? router.allowed_fails) as number | undefined;
  const seconds = (litellm.cooldown_time ?? router.cooldown_time) as number | undefined;
  if (allowedFails === undefined && seconds === undefined) return undefined;
  return {
    allowedFails: allowedFails ?? defaultAllowedFails,
    cooldownMs: Math.round((seconds ?? defaultCooldownSeconds) * 1000),
  };
}

/**
 * One kind of LiteLLM fallback list, from litellm_settings and router_settings together (in that order):
 * every name, on either side, must be a model name of the config; a model name never falls back to itself.
 */
function readFallbacks(
  key: "fallbacks" | "context_window_fallbacks",
  sections: { readonly litellm: Record<string, unknown>; readonly router: Record<string, unknown> },
  modelNames: ReadonlySet<string>,
  source: SourceMap,
  problems: ConfigProblem[],
): ReadonlyMap<string, readonly string[]> {
  const result = new Map<string, string[]>();
  for (const [section, settings] of [
    ["litellm_settings", sections.litellm],
    ["router_settings", sections.router],
  ] as const) {
    const list = settings[key] as Record<string, string[]>[] | null | undefined;
    list?.forEach((entry, index) => {
      for (const [from, targets] of Object.entries(entry)) {
        const at: Segment[] = [section, key, index, from];
        if (!modelNames.has(from)) {
          problems.push(problemAt(source, at, `unknown model_name ${from} (not in model_list)`, true));
          continue;
        }
        const chain = result.get(from) ?? [];
        targets.forEach((target, position) => {
          if (!modelNames.has(target)) {
            problems.push(
              problemAt(source, [...at, position], `unknown model_name ${target} (not in model_list)`),
            );
          } else if (target === from) {
            problems.push(problemAt(source, [...at, position], `${from} cannot fall back to itself`));
          } else if (!chain.includes(target)) {
            chain.push(target);
          }
        });
        result.set(from, chain);
      }
    });
  }
  return result;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = formatConfigProblem(problem);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Replaces every `os.environ/NAME` string in place; a variable that is not set is a problem at its line. */
function substituteEnvironment(
  value: unknown,
  segments: Segment[],
  lookup: (name: string) => string | undefined,
  source: SourceMap,
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
      value[index] = substituteEnvironment(item, [...segments, index], lookup, source, problems);
    });
    return value;
  }
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      record[key] = substituteEnvironment(record[key], [...segments, key], lookup, source, problems);
    }
  }
  return value;
}

function describeSchemaError(error: ErrorObject, source: SourceMap): ConfigProblem {
  const segments = pointerToSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return problemAt(
        source,
        [...segments, params.missingProperty as string],
        `${params.missingProperty as string} is required`,
      );
    case "additionalProperties":
      return problemAt(
        source,
        [...segments, params.additionalProperty as string],
        `unknown field ${params.additionalProperty as string}`,
        true,
      );
    case "enum":
      return problemAt(
        source,
        segments,
        `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`,
      );
    case "const":
      return problemAt(source, segments, `must be ${JSON.stringify(params.allowedValue)}`);
    default:
      return problemAt(source, segments, error.message ?? `fails ${error.keyword}`);
  }
}

function readDeployment(
  params: Record<string, unknown>,
  names: { id: string; modelName: string; path: Segment[] },
  source: SourceMap,
  problems: ConfigProblem[],
  warnings: string[],
): Deployment | undefined {
  const field = (name: string) => [...names.path, name];
  const model = params.model as string;
  const slash = model.indexOf("/");
  if (slash > 0 && !model.startsWith("bedrock/") && !model.startsWith("arn:")) {
    problems.push(
      problemAt(
        source,
        field("model"),
        `provider ${model.slice(0, slash)} is not Bedrock; bedrock-forge serves bedrock/ models only`,
      ),
    );
    return undefined;
  }
  const defaults: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (connectionFields.has(name) || behaviourFields.has(name)) continue;
    if (ignoredLitellmParams.has(name)) {
      warnings.push(`${source.file}: ${formatField(field(name))} is a LiteLLM router setting and is ignored`);
      continue;
    }
    if (name.startsWith("aws_")) {
      problems.push(
        problemAt(
          source,
          field(name),
          `unknown AWS setting ${name} (supported: ${[...connectionFields].filter((known) => known.startsWith("aws_")).join(", ")})`,
          true,
        ),
      );
      continue;
    }
    defaults[name] = value;
  }
  const text = (name: string): string | undefined => {
    const value = params[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const endpoint = text("aws_bedrock_runtime_endpoint") ?? text("api_base");
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    problems.push(
      problemAt(
        source,
        field(text("aws_bedrock_runtime_endpoint") ? "aws_bedrock_runtime_endpoint" : "api_base"),
        "must be an http(s) URL",
      ),
    );
  }
  if ((text("aws_access_key_id") === undefined) !== (text("aws_secret_access_key") === undefined)) {
    const missing = text("aws_access_key_id") === undefined ? "aws_access_key_id" : "aws_secret_access_key";
    problems.push(
      problemAt(source, field(missing), "aws_access_key_id and aws_secret_access_key must be given together"),
    );
  }
  if (text("aws_web_identity_token") !== undefined && text("aws_role_name") === undefined) {
    problems.push(
      problemAt(
        source,
        field("aws_web_identity_token"),
        "aws_web_identity_token needs aws_role_name (the role to assume)",
      ),
    );
  }
  const allowed = (params.configurable_clientside_auth_params as string[] | undefined) ?? [];
  const connection: DeploymentConnection = {
    aws_access_key_id: text("aws_access_key_id"),
    aws_secret_access_key: text("aws_secret_access_key"),
    aws_session_token: text("aws_session_token"),
    aws_region_name: text("aws_region_name"),
    aws_session_name: text("aws_session_name"),
    aws_profile_name: text("aws_profile_name"),
    aws_role_name: text("aws_role_name"),
    aws_web_identity_token: text("aws_web_identity_token"),
    aws_bedrock_runtime_endpoint: endpoint,
    apiKey: text("api_key"),
    extra_headers: params.extra_headers as Record<string, string> | undefined,
    num_retries: (params.num_retries as number | undefined) ?? 0,
  };
  const seconds = (name: string) =>
    params[name] === undefined ? undefined : Math.round((params[name] as number) * 1000);
  return {
    id: names.id,
    modelName: names.modelName,
    model,
    modelId: params.model_id as string | undefined,
    connection,
    timeoutMs: seconds("timeout"),
    streamTimeoutMs: seconds("stream_timeout") ?? seconds("timeout"),
    dropParams: params.drop_params as boolean | undefined,
    modifyParams: params.modify_params as boolean | undefined,
    userContinueMessage: params.user_continue_message as ChatMessage | undefined,
    guardrailConfig: params.guardrailConfig as GuardrailConfig | undefined,
    defaults,
    clientSideAuthParams: new Set(allowed),
    shares: {
      weight: params.weight as number | undefined,
      rpm: params.rpm as number | undefined,
      tpm: params.tpm as number | undefined,
    },
  };
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
