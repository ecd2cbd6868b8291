import { openAIParams } from "../generated/params.js";
import type { ParamRule, ParamTable, ProviderParam } from "../generated/spec-types.js";
import { connectionFields } from "./connection.js";
import type { CatalogEntry } from "./descriptor.js";
import { RequestValidationError } from "./errors.js";
import { writePointer } from "./pointer.js";

export type ParamKind = "chat" | "embeddings" | "images" | "rerank";

/**
 * Request fields that are not model params: the runtime handles them itself (connection, behaviour,
 * the conversation). Everything else in a request goes through the spec's param table.
 */
export const runtimeFields: ReadonlySet<string> = new Set([
  "model",
  "model_id",
  "messages",
  "input",
  "prompt",
  "stream",
  "stream_options",
  "encoding_format",
  "response_format_images",
  "concurrency",
  "drop_params",
  "modify_params",
  "user_continue_message",
  "guardrailConfig",
  "fetchImage",
  "onWarning",
  "signal",
  ...connectionFields,
]);

/** Params whose values the message codecs write (tools, tool choice, JSON mode): the table decides only whether they are allowed. */
export const codecParams: ReadonlySet<string> = new Set([
  "tools",
  "tool_choice",
  "response_format",
  "parallel_tool_calls",
]);

export interface ApplyParamsOptions {
  readonly kind: ParamKind;
  readonly entry: CatalogEntry | undefined;
  /** Display name of the model in messages. */
  readonly model: string;
  readonly table: ParamTable;
  readonly providerParams: Readonly<Record<string, ProviderParam>>;
  /** Where undeclared provider params go: `""` (the native body root) or `/additionalModelRequestFields`. */
  readonly passthroughBase: string;
  readonly dropParams: boolean;
  readonly warn: (message: string) => void;
}

export interface AppliedParams {
  /** Codec params the table allowed, with their values. */
  readonly codec: Readonly<Record<string, unknown>>;
  /** Names dropped by policy or drop_params. */
  readonly dropped: readonly string[];
}

const mergedTables = new WeakMap<ParamTable, Map<string, ParamTable>>();

/** The family's table with the model's overlays merged over it (cached per model). */
export function paramTableFor(familyTable: ParamTable, entry: CatalogEntry | undefined): ParamTable {
  const overlays = entry?.params;
  if (!overlays || !entry) return familyTable;
  let perModel = mergedTables.get(familyTable);
  if (!perModel) {
    perModel = new Map();
    mergedTables.set(familyTable, perModel);
  }
  let merged = perModel.get(entry.id);
  if (!merged) {
    const result: Record<string, ParamRule> = { ...familyTable };
    for (const [name, overlay] of Object.entries(overlays))
      result[name] = { ...familyTable[name], ...overlay };
    merged = result;
    perModel.set(entry.id, merged);
  }
  return merged;
}

function describeValue(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

/** Validates one mapped value against its rule and returns what is written to the native body. */
function convertValue(name: string, value: unknown, rule: ParamRule, model: string): unknown {
  if (rule.allowed && !rule.allowed.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    throw new RequestValidationError(
      `${name}=${describeValue(value)} is not supported by ${model}: allowed values are ${rule.allowed.map(describeValue).join(", ")}`,
      { param: name, model, code: "invalid_param_value" },
    );
  }
  if (rule.min !== undefined || rule.max !== undefined) {
    if (typeof value !== "number" || Number.isNaN(value)) {
      throw new RequestValidationError(
        `${name} must be a number for ${model} (got ${describeValue(value)})`,
        {
          param: name,
          model,
          code: "invalid_param_value",
        },
      );
    }
    if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max)) {
      const range =
        rule.min !== undefined && rule.max !== undefined
          ? `between ${rule.min} and ${rule.max}`
          : rule.min !== undefined
            ? `at least ${rule.min}`
            : `at most ${rule.max}`;
      throw new RequestValidationError(`${name}=${value} is out of range for ${model}: it must be ${range}`, {
        param: name,
        model,
        code: "invalid_param_value",
      });
    }
  }
  let converted = value;
  if (rule.values) {
    const key = String(value);
    if (!Object.hasOwn(rule.values, key)) {
      throw new RequestValidationError(
        `${name}=${describeValue(value)} is not supported by ${model}: use one of ${Object.keys(rule.values).map(describeValue).join(", ")}`,
        { param: name, model, code: "invalid_param_value" },
      );
    }
    converted = structuredClone((rule.values as Record<string, unknown>)[key]);
  }
  if (rule.as === "array" && !Array.isArray(converted)) converted = [converted];
  return converted;
}

const warned = new Set<string>();

/** Warns once per process for a model and param, so a proxy's log does not fill with the same line. */
function warnOnce(warn: (message: string) => void, key: string, message: string): void {
  if (warned.has(key)) return;
  if (warned.size > 10_000) warned.clear();
  warned.add(key);
  warn(message);
}

/**
 * Refuses a request that lacks a param the spec marks `required: true` for the model (a null value is
 * missing too), before anything is sent.
 */
export function checkRequiredParams(
  request: Readonly<Record<string, unknown>>,
  table: ParamTable,
  model: string,
): void {
  for (const [name, rule] of Object.entries(table)) {
    if (rule.required && (request[name] === undefined || request[name] === null)) {
      throw new RequestValidationError(
        `${name} is required by ${model}${rule.reason ? `: ${rule.reason}` : ""}`,
        { param: name, model, code: "missing_required_parameter" },
      );
    }
  }
}

/**
 * Applies the spec's param policy to a request, writing mapped values into `body`. OpenAI params
 * the table does not list are unsupported: an error naming the param and the model, or dropped
 * with a warning under drop_params. Undeclared provider params are passed through as LiteLLM does.
 */
export function applyParams(
  request: Readonly<Record<string, unknown>>,
  body: Record<string, unknown>,
  options: ApplyParamsOptions,
): AppliedParams {
  const { table, model, kind } = options;
  checkRequiredParams(request, table, model);
  const known = openAIParams[kind];
  const written = new Set<string>();
  const codec: Record<string, unknown> = {};
  const dropped: string[] = [];
  const drop = (name: string, why: string) => {
    dropped.push(name);
    warnOnce(options.warn, `${model}\u0000${name}`, `bedrock-forge: dropping ${name} for ${model}: ${why}`);
  };

  for (const name in request) {
    const value = request[name];
    if (value === undefined || runtimeFields.has(name)) continue;
    const rule = table[name];
    // A provider param, or a mapping, may need a capability the model lacks (thinking, reasoning_effort).
    const requires = options.providerParams[name]?.requires ?? rule?.requires;
    if (requires && options.entry && !options.entry.capabilities.includes(requires)) {
      if (options.dropParams) {
        drop(name, `it needs the ${requires} capability`);
        continue;
      }
      throw new RequestValidationError(
        `${name} is not supported by ${model}: it needs the ${requires} capability, which this model does not have. Set drop_params: true to drop it.`,
        { param: name, model, code: "unsupported_param" },
      );
    }
    if (!rule) {
      if (known.includes(name)) {
        if (value === null) continue;
        if (options.dropParams) {
          drop(name, "the model does not support it (drop_params)");
          continue;
        }
        throw new RequestValidationError(
          `${name} is not supported by ${model}. Remove it, or set drop_params: true to drop unsupported params.`,
          { param: name, model, code: "unsupported_param" },
        );
      }
      writePointer(body, `${options.passthroughBase}/${name}`, value);
      continue;
    }
    const policy = rule.policy ?? "map";
    if (policy === "reject") {
      if (rule.allowed?.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) continue;
      throw new RequestValidationError(
        `${name} is not supported by ${model}${rule.reason ? `: ${rule.reason}` : ""}`,
        { param: name, model, code: "unsupported_param" },
      );
    }
    if (policy === "drop") {
      if (rule.allowed) convertValue(name, value, { allowed: rule.allowed }, model);
      else drop(name, rule.reason ?? "the model ignores it");
      continue;
    }
    if (policy === "passthrough") {
      writePointer(body, `${options.passthroughBase}/${name}`, value);
      continue;
    }
    const converted = convertValue(name, value, rule, model);
    if (codecParams.has(name)) {
      codec[name] = value;
      continue;
    }
    writePointer(body, rule.to!, converted);
    written.add(rule.to!);
  }

  for (const rule of Object.values(table)) {
    if (
      rule.default === undefined ||
      !rule.to ||
      written.has(rule.to) ||
      (rule.policy && rule.policy !== "map")
    )
      continue;
    let value = rule.default;
    if (typeof value === "number" && rule.max !== undefined && value > rule.max) value = rule.max;
    writePointer(body, rule.to, structuredClone(value));
    written.add(rule.to);
  }
  return { codec, dropped };
}
