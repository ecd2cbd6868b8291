import { openAIParams } from "../generated/params.js";
import type { FieldAdjustment, ParamRule, ParamTable, ProviderParam } from "../generated/spec-types.js";
import { connectionFields } from "./connection.js";
import type { CatalogEntry, FamilyDescriptor } from "./descriptor.js";
import { RequestValidationError } from "./errors.js";
import { bookkeepingNames, isBookkeepingField, refuseMisspelledParam } from "./param-policy.js";
import { readPointer, writePointer } from "./pointer.js";

export type ParamKind = "chat" | "embeddings" | "images" | "images-edit" | "rerank";

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
  // LiteLLM's text for blank assistant messages under modify_params, and its prompt-cache injection points
  // (runtime/chat/cache.ts): consumed by the chat normalizer, never sent.
  "assistant_continue_message",
  "cache_control_injection_points",
  "guardrailConfig",
  // Converse's top-level member, InvokeModel's X-Amzn-Bedrock-Request-Metadata header (call-members.ts).
  "requestMetadata",
  "fetchImage",
  "imageFetch",
  "onWarning",
  "allowRetired",
  "signal",
  "request_timeout",
  ...connectionFields,
]);

/** Params whose values the message codecs write (tools, tool choice, JSON mode): the table decides only whether they are allowed. */
export const codecParams: ReadonlySet<string> = new Set(["tools", "tool_choice", "response_format"]);

interface ApplyParamsOptions {
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
  if (rule.adjust && converted !== null && typeof converted === "object")
    converted = adjustFields(converted as Record<string, unknown>, rule.adjust);
  if (rule.as === "array" && !Array.isArray(converted)) converted = [converted];
  return converted;
}

/**
 * A copy of an object value with the spec's field adjustments applied: numbers raised to `at_least`,
 * strings rewritten through `map` (the caller's value is never changed).
 */
export function adjustFields(
  value: Record<string, unknown>,
  adjustments: Readonly<Record<string, FieldAdjustment>>,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [pointer, adjustment] of Object.entries(adjustments)) {
    const current = readPointer(value, pointer);
    let next = current;
    if (typeof current === "number" && adjustment.at_least !== undefined && current < adjustment.at_least)
      next = adjustment.at_least;
    if (typeof current === "string" && adjustment.map && Object.hasOwn(adjustment.map, current))
      next = adjustment.map[current];
    if (next === current) continue;
    copy ??= structuredClone(value);
    writePointer(copy, pointer, next);
  }
  return copy ?? value;
}

/** Merges `source` into `target`: objects key by key, anything else replaces what was there. */
function mergeInto(target: Record<string, unknown>, source: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) mergeInto(existing, value);
    else target[key] = structuredClone(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The object that holds the field at `pointer` (created on the way), for rules that spread sibling fields. */
function parentObject(body: Record<string, unknown>, pointer: string): Record<string, unknown> {
  const parent = pointer.slice(0, pointer.lastIndexOf("/"));
  if (parent === "") return body;
  const existing = readPointer(body, parent);
  if (isPlainObject(existing)) return existing;
  const created: Record<string, unknown> = {};
  writePointer(body, parent, created);
  return created;
}

/** The warnings each receiver has had: a client's own `onWarning` hears of a dropped param even when another client already did. */
let warnedBy = new WeakMap<(message: string) => void, Set<string>>();

/** Forgets the drops already told, so a test can observe them again (as forgetLifecycleWarnings). */
export function forgetDroppedParamWarnings(): void {
  warnedBy = new WeakMap();
}

/** Warns once per receiver for a model and param, so a proxy's log does not fill with the same line. */
function warnOnce(warn: (message: string) => void, key: string, message: string): void {
  let warned = warnedBy.get(warn);
  if (!warned) {
    warned = new Set();
    warnedBy.set(warn, warned);
  }
  if (warned.has(key)) return;
  if (warned.size > 10_000) warned.clear();
  warned.add(key);
  warn(message);
}

/** One application of a param table: where values go and what was written, kept for the codecs or dropped. */
interface ParamRun {
  readonly options: ApplyParamsOptions;
  readonly body: Record<string, unknown>;
  readonly written: Set<string>;
  readonly codec: Record<string, unknown>;
  readonly dropped: string[];
}

function dropParam(run: ParamRun, name: string, why: string): void {
  const { model, warn } = run.options;
  run.dropped.push(name);
  warnOnce(warn, `${model}\u0000${name}`, `bedrock-forge: dropping ${name} for ${model}: ${why}`);
}

/** Every name a request may use for this table: a misspelling of one of them is refused. */
function knownNames(options: ApplyParamsOptions): Iterable<string> {
  return [
    ...Object.keys(options.table),
    ...Object.keys(options.providerParams),
    ...openAIParams[options.kind],
    ...runtimeFields,
    ...bookkeepingNames,
  ];
}

/**
 * A param the table does not list. An OpenAI param is unsupported (refused, or dropped with a warning
 * under drop_params); a near-miss of a known name is refused; anything else is a provider-specific param
 * and is passed through, as LiteLLM does.
 */
function applyUndeclaredParam(run: ParamRun, name: string, value: unknown): void {
  const { options } = run;
  const { model } = options;
  if (openAIParams[options.kind].includes(name)) {
    if (value === null) return;
    if (options.dropParams) {
      dropParam(run, name, "the model does not support it (drop_params)");
      return;
    }
    throw new RequestValidationError(
      `${name} is not supported by ${model}. Remove it, or set drop_params: true to drop unsupported params.`,
      { param: name, model, code: "unsupported_param" },
    );
  }
  if (!Object.hasOwn(options.providerParams, name)) refuseMisspelledParam(name, knownNames(options), model);
  if (options.kind === "embeddings" && !Object.hasOwn(options.providerParams, name)) {
    refuseUnknownEmbeddingParam(run, name);
    return;
  }
  writePointer(run.body, `${options.passthroughBase}/${name}`, value);
}

/**
 * Embedding bodies are closed: Bedrock answers an unknown key with "extraneous key [x] is not permitted",
 * and LiteLLM's Cohere request keeps only the fields Cohere defines. An undeclared param is refused before
 * the call (dropped with a warning under drop_params), naming the params the model takes.
 */
function refuseUnknownEmbeddingParam(run: ParamRun, name: string): void {
  const { options } = run;
  if (options.dropParams) {
    dropParam(run, name, "embedding bodies take no undeclared fields (drop_params)");
    return;
  }
  const taken = [...new Set([...openAIParams.embeddings, ...Object.keys(options.table)])]
    .filter((param) => options.table[param]?.policy !== "reject")
    .sort();
  throw new RequestValidationError(
    `${name} is not a param of ${options.model}: an embedding body takes only its own fields (${taken.join(", ")}), and Bedrock refuses any other. Remove it, or set drop_params: true to drop it.`,
    { param: name, model: options.model, code: "unsupported_param" },
  );
}

/** A param the table refuses: allowed values pass, an OpenAI param is dropped under drop_params (as LiteLLM does). */
function applyRejectRule(run: ParamRun, name: string, value: unknown, rule: ParamRule): void {
  const { options } = run;
  if (rule.allowed?.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) return;
  if (options.dropParams && openAIParams[options.kind].includes(name)) {
    dropParam(run, name, `${rule.reason ?? "the model does not support it"} (drop_params)`);
    return;
  }
  throw new RequestValidationError(
    `${name} is not supported by ${options.model}${rule.reason ? `: ${rule.reason}` : ""}${openAIParams[options.kind].includes(name) ? ". Remove it, or set drop_params: true to drop unsupported params." : ""}`,
    { param: name, model: options.model, code: "unsupported_param" },
  );
}

/** A param needs a capability the model lacks (thinking, reasoning_effort): refused, or dropped under drop_params. */
function lacksCapability(run: ParamRun, name: string, rule: ParamRule | undefined): boolean {
  const { options } = run;
  const requires = options.providerParams[name]?.requires ?? rule?.requires;
  if (!requires || !options.entry || options.entry.capabilities.includes(requires)) return false;
  if (options.dropParams) {
    dropParam(run, name, `it needs the ${requires} capability`);
    return true;
  }
  throw new RequestValidationError(
    `${name} is not supported by ${options.model}: it needs the ${requires} capability, which this model does not have. Set drop_params: true to drop it.`,
    { param: name, model: options.model, code: "unsupported_param" },
  );
}

function applyParam(run: ParamRun, name: string, value: unknown): void {
  const { options } = run;
  const rule = options.table[name];
  if (
    !rule &&
    !Object.hasOwn(options.providerParams, name) &&
    isBookkeepingField(name, options.kind, options.model)
  )
    return;
  if (lacksCapability(run, name, rule)) return;
  if (!rule) {
    applyUndeclaredParam(run, name, value);
    return;
  }
  const policy = rule.policy ?? "map";
  if (policy === "reject") {
    applyRejectRule(run, name, value, rule);
    return;
  }
  if (policy === "drop") {
    if (rule.allowed) convertValue(name, value, { allowed: rule.allowed }, options.model);
    else dropParam(run, name, rule.reason ?? "the model ignores it");
    return;
  }
  if (policy === "passthrough") {
    writePointer(run.body, `${options.passthroughBase}/${name}`, value);
    return;
  }
  const converted = convertValue(name, value, rule, options.model);
  if (codecParams.has(name)) {
    run.codec[name] = value;
    return;
  }
  // A value the spec maps to null writes nothing (reasoning_effort "none").
  if (converted === null && rule.values) return;
  if (rule.spread) mergeInto(parentObject(run.body, rule.to!), converted as Record<string, unknown>);
  else writePointer(run.body, rule.to!, converted);
  run.written.add(rule.to!);
}

/** Writes the defaults of mapped rules whose target no param wrote (clamped to the rule's maximum). */
function writeDefaults(run: ParamRun): void {
  for (const rule of Object.values(run.options.table)) {
    if (
      rule.default === undefined ||
      !rule.to ||
      run.written.has(rule.to) ||
      (rule.policy && rule.policy !== "map")
    )
      continue;
    let value = rule.default;
    const base = rule.default_above ? readPointer(run.body, rule.default_above) : undefined;
    if (typeof value === "number" && typeof base === "number") value += base;
    if (typeof value === "number" && rule.max !== undefined && value > rule.max) value = rule.max;
    writePointer(run.body, rule.to, structuredClone(value));
    run.written.add(rule.to);
  }
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
 * with a warning under drop_params. Bookkeeping fields (metadata, tags, LiteLLM's own keys …) are
 * dropped; a misspelled known param is refused; other undeclared provider params are passed through
 * as LiteLLM does.
 */
export function applyParams(
  request: Readonly<Record<string, unknown>>,
  body: Record<string, unknown>,
  options: ApplyParamsOptions,
): AppliedParams {
  checkRequiredParams(request, options.table, options.model);
  const run: ParamRun = { options, body, written: new Set(), codec: {}, dropped: [] };
  for (const name in request) {
    const value = request[name];
    if (value === undefined || runtimeFields.has(name)) continue;
    applyParam(run, name, value);
  }
  writeDefaults(run);
  return { codec: run.codec, dropped: run.dropped };
}

/** Applies a family's param table to an InvokeModel body: undeclared provider params go to the body's root. */
export function applyBodyParams(
  request: Readonly<Record<string, unknown>>,
  body: Record<string, unknown>,
  call: { readonly dropParams: boolean; readonly warn: (message: string) => void },
  target: { readonly kind: ParamKind; readonly entry: CatalogEntry; readonly descriptor: FamilyDescriptor },
  table: ParamTable,
): AppliedParams {
  return applyParams(request, body, {
    kind: target.kind,
    entry: target.entry,
    model: target.entry.id,
    table,
    providerParams: target.descriptor.params ?? {},
    passthroughBase: "",
    dropParams: call.dropParams,
    warn: call.warn,
  });
}
