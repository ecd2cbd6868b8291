/**
 * Request validation with Bedrock's wording.
 *
 * InvokeModel bodies are checked against the family's native request schema (from its spec) with ajv.
 * Bedrock validates them with a JSON-schema validator whose messages look like (real examples):
 *   Malformed input request: #: extraneous key [stream] is not permitted, please reformat your input and try again.
 *   Malformed input request: #: extraneous key [cache_control_injection_points] is not permitted, #: required key [requests] not found, please reformat your input and try again.
 *   Malformed input request: expected maxLength: 42000, actual: 46735, please reformat your input and try again.
 * (https://github.com/fumito-ito/AnthropicSwiftSDK/issues/19, https://github.com/BerriAI/litellm/issues/30314,
 * https://github.com/ryanadoty/Amazon-Bedrock-Amazon-RDS-POC/issues/9.)
 *
 * Converse bodies are checked against the request shapes of the service model (emulator/converse-shapes.ts)
 * with the AWS front end's constraint wording:
 *   1 validation error detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { RequestErrors } from "../generated/spec-types.js";
import { converseShapes, type ServiceShape } from "./converse-shapes.js";
import { createError, type EmulatorError } from "./errors.js";

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
addFormats(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

function everitTypeName(value: unknown): string {
  if (value === null) return "Null";
  if (Array.isArray(value)) return "JSONArray";
  switch (typeof value) {
    case "string":
      return "String";
    case "boolean":
      return "Boolean";
    case "number":
      return Number.isInteger(value) ? "Integer" : "BigDecimal";
    case "object":
      return "JSONObject";
    default:
      return typeof value;
  }
}

function schemaTypeName(type: unknown): string {
  const names: Record<string, string> = {
    string: "String",
    integer: "Integer",
    number: "Number",
    boolean: "Boolean",
    object: "JSONObject",
    array: "JSONArray",
    null: "Null",
  };
  if (Array.isArray(type)) return type.map((item) => names[String(item)] ?? String(item)).join(" or ");
  return names[String(type)] ?? String(type);
}

function renderValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** One ajv error in the wording of Bedrock's JSON-schema validator. */
function formatSchemaError(error: ErrorObject, body: unknown): string | undefined {
  const location = `#${error.instancePath}`;
  const value = readInstance(body, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `${location}: required key [${params.missingProperty}] not found`;
    case "additionalProperties":
      return `${location}: extraneous key [${params.additionalProperty}] is not permitted`;
    case "maximum":
      return `${location}: ${renderValue(value)} is not less or equal to ${params.limit}`;
    case "minimum":
      return `${location}: ${renderValue(value)} is not greater or equal to ${params.limit}`;
    case "exclusiveMaximum":
      return `${location}: ${renderValue(value)} is not less than ${params.limit}`;
    case "exclusiveMinimum":
      return `${location}: ${renderValue(value)} is not greater than ${params.limit}`;
    case "type":
      return `${location}: expected type: ${schemaTypeName(params.type)}, found: ${everitTypeName(value)}`;
    case "enum":
    case "const":
      return `${location}: ${renderValue(value)} is not a valid enum value`;
    case "minItems":
      return `${location}: expected minimum item count: ${params.limit}, found: ${Array.isArray(value) ? value.length : 0}`;
    case "maxItems":
      return `${location}: expected maximum item count: ${params.limit}, found: ${Array.isArray(value) ? value.length : 0}`;
    case "minLength":
      return `${location}: expected minLength: ${params.limit}, actual: ${typeof value === "string" ? value.length : 0}`;
    case "maxLength":
      return `${location}: expected maxLength: ${params.limit}, actual: ${typeof value === "string" ? value.length : 0}`;
    case "pattern":
      return `${location}: string [${renderValue(value)}] does not match pattern ${params.pattern}`;
    case "oneOf":
    case "anyOf":
      return `${location}: #: no subschema matched out of the total ${Array.isArray(error.schema) ? error.schema.length : 2} subschemas`;
    case "if":
      return undefined;
    default:
      return `${location}: ${error.message ?? error.keyword}`;
  }
}

function readInstance(body: unknown, pointer: string): unknown {
  let current = body;
  if (!pointer) return current;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Compiles a schema once (schemas are the generated constants, or per-model merges the caller keeps). */
function compileOnce(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** The errors worth reporting: those inside a failed oneOf/anyOf branch are reported once, as the branch failure. */
function reportableErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const branchFailures = errors.filter((error) => error.keyword === "oneOf" || error.keyword === "anyOf");
  const insideBranch = (error: ErrorObject) =>
    branchFailures.some(
      (branch) =>
        error !== branch &&
        error.schemaPath.startsWith(branch.schemaPath.replace(/\/(oneOf|anyOf)$/, "")) &&
        /\/(oneOf|anyOf)\/\d+/.test(error.schemaPath),
    );
  return errors.filter((error) => !insideBranch(error));
}

/** The messages of Bedrock's JSON-schema validator, each once, in ajv's order. */
function schemaMessages(errors: readonly ErrorObject[], body: unknown): string[] {
  const messages: string[] = [];
  for (const error of reportableErrors(errors)) {
    const message = formatSchemaError(error, body);
    if (message && !messages.includes(message)) messages.push(message);
  }
  return messages;
}

/** A JSON pointer as Anthropic's validation prints a location: `messages.0.content`. */
function dottedPath(pointer: string, key?: string): string {
  const segments = pointer
    .split("/")
    .slice(1)
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (key !== undefined) segments.push(key);
  return segments.join(".");
}

const pydanticTypeNames: Readonly<Record<string, string>> = {
  string: "a valid string",
  integer: "a valid integer",
  number: "a valid number",
  boolean: "a valid boolean",
  object: "a valid dictionary",
  array: "a valid list",
  null: "None",
};

function quoteChoices(values: readonly unknown[]): string {
  const quoted = values.map((value) => (typeof value === "string" ? `'${value}'` : JSON.stringify(value)));
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}

/**
 * One ajv error as Anthropic's request validation words it (Claude 4 and later on Bedrock), e.g.
 * `output_config.effort: Extra inputs are not permitted` (https://github.com/anthropics/claude-code-action/issues/1005),
 * `guardrails: Extra inputs are not permitted` (https://github.com/BerriAI/litellm/issues/13825). The other
 * keywords follow the same validator's standard sentences ("Field required", "Input should be ...").
 */
function formatAnthropicError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const at = dottedPath(error.instancePath);
  switch (error.keyword) {
    case "additionalProperties":
      return `${dottedPath(error.instancePath, String(params.additionalProperty))}: Extra inputs are not permitted`;
    case "required":
      return `${dottedPath(error.instancePath, String(params.missingProperty))}: Field required`;
    case "type": {
      const types = String(params.type).split(",");
      return `${at}: Input should be ${types.map((type) => pydanticTypeNames[type] ?? type).join(" or ")}`;
    }
    case "enum":
      return `${at}: Input should be ${quoteChoices(params.allowedValues as unknown[])}`;
    case "const":
      return `${at}: Input should be ${quoteChoices([params.allowedValue])}`;
    case "maximum":
      return `${at}: Input should be less than or equal to ${params.limit}`;
    case "minimum":
      return `${at}: Input should be greater than or equal to ${params.limit}`;
    case "minItems":
      return `${at}: List should have at least ${params.limit} item${params.limit === 1 ? "" : "s"} after validation`;
    case "minLength":
      return `${at}: String should have at least ${params.limit} character${params.limit === 1 ? "" : "s"}`;
    default:
      return `${at}: ${error.message ?? error.keyword}`;
  }
}

/**
 * The message of a native body that failed its schema, in the model's wording. `bedrock-claude` adds the
 * failure of Claude's text-completion form before the others when the body is a Messages body, with no
 * separator, as Bedrock answers Claude 3 InvokeModel calls (real:
 * `Malformed input request: #: subject must not be valid against schema {"required":["messages"]}#: extraneous key [stream] is not permitted#: extraneous key [model] is not permitted, please reformat your input and try again.`,
 * https://github.com/fumito-ito/AnthropicSwiftSDK/issues/19, https://github.com/sigoden/aichat/issues/543).
 */
function nativeBodyMessage(errors: readonly ErrorObject[], body: unknown, wording: NativeWording): string {
  if (wording === "anthropic") {
    const first = reportableErrors(errors).find((error) => error.keyword !== "if");
    return first ? formatAnthropicError(first) : "Invalid request body";
  }
  const messages = schemaMessages(errors, body);
  const messagesBody =
    body !== null && typeof body === "object" && (body as Record<string, unknown>).messages !== undefined;
  const listed =
    wording === "bedrock-claude" && messagesBody
      ? `#: subject must not be valid against schema {"required":["messages"]}${messages.join("")}`
      : messages.join(", ");
  return `Malformed input request: ${listed}, please reformat your input and try again.`;
}

/** How a model words schema failures of its native body (the spec's `request_errors`), and where the body came from. */
export type NativeWording = RequestErrors;

/**
 * Validates an InvokeModel body against a native request schema; throws Bedrock's ValidationException in
 * the model's wording (default: Bedrock's JSON-schema validator).
 */
export function validateNativeBody(schema: object, body: unknown, wording: NativeWording = "bedrock"): void {
  const validate = compileOnce(schema);
  if (validate(body)) return;
  throw createError("ValidationException", nativeBodyMessage(validate.errors ?? [], body, wording));
}

const partialSchemas = new WeakMap<object, object>();

/** The schema without the top level's required members: the fields a Converse request adds to the body Bedrock builds. */
function partialSchemaOf(schema: object): object {
  let partial = partialSchemas.get(schema);
  if (!partial) {
    const { required: _required, ...rest } = schema as Record<string, unknown>;
    partial = rest;
    partialSchemas.set(schema, partial);
  }
  return partial;
}

/**
 * Checks Converse's `additionalModelRequestFields` as Bedrock does: they join the native body it builds for
 * the model, so a field that body cannot hold fails the model's own schema, and the error comes back
 * behind "The model returned the following errors: ". Real answers:
 * `The model returned the following errors: Malformed input request: #: extraneous key [chat_id] is not permitted, please reformat your input and try again.`
 * (Claude 3.5 Sonnet v2, https://github.com/BerriAI/litellm/issues/7416),
 * `The model returned the following errors: guardrails: Extra inputs are not permitted` (Claude Sonnet 4,
 * https://github.com/BerriAI/litellm/issues/13825), and Nova's
 * `The model returned the following errors: Malformed input request: #/toolConfig/tools/1/toolSpec/inputSchema/json: extraneous key [definitions] is not permitted, please reformat your input and try again.`
 * (https://github.com/zed-industries/zed/issues/31815).
 */
export function validateAdditionalModelFields(
  schema: object,
  fields: unknown,
  wording: NativeWording = "bedrock",
): void {
  const validate = compileOnce(partialSchemaOf(schema));
  if (validate(fields)) return;
  // The Converse form of a Claude 3 call is checked as a Messages body only: no text-completion preamble.
  const message = nativeBodyMessage(
    validate.errors ?? [],
    fields,
    wording === "bedrock-claude" ? "bedrock" : wording,
  );
  throw createError("ValidationException", `The model returned the following errors: ${message}`);
}

// ---------------------------------------------------------------------------------------------------------
// Converse

export interface ConverseValidationOptions {
  /** Reject members the service model does not define (Bedrock may ignore them silently). Default true. */
  readonly rejectUnknownMembers: boolean;
}

interface Violation {
  readonly value: unknown;
  readonly path: string;
  readonly constraint: string;
}

function renderCoralValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "object") return `'${JSON.stringify(value)}'`;
  return `'${String(value)}'`;
}

function serializationError(message: string): EmulatorError {
  return createError("SerializationException", message);
}

function jsonKindOf(value: unknown): string {
  if (value === null) return "VALUE_NULL";
  if (Array.isArray(value)) return "START_ARRAY";
  switch (typeof value) {
    case "string":
      return "VALUE_STRING";
    case "number":
      return Number.isInteger(value) ? "VALUE_NUMBER_INT" : "VALUE_NUMBER_FLOAT";
    case "boolean":
      return value ? "VALUE_TRUE" : "VALUE_FALSE";
    default:
      return "START_OBJECT";
  }
}

/** Where a walk is, and what it collects. */
interface Walk {
  readonly path: string;
  readonly violations: Violation[];
  readonly options: ConverseValidationOptions;
}

/** The JSON kind of a value as the service names it in conversion errors (`NUMBER_INT`, `START_OBJECT`...). */
function kindName(value: unknown): string {
  return jsonKindOf(value).replace("VALUE_", "").replace("START_", "");
}

function walkStructure(shape: ServiceShape, value: unknown, walk: Walk): void {
  const { path, violations, options } = walk;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw serializationError(`Unexpected ${jsonKindOf(value)} at '${path || "body"}'; expected a structure.`);
  }
  const record = value as Record<string, unknown>;
  const members = shape.members ?? {};
  for (const name of shape.required ?? []) {
    if (record[name] === undefined || record[name] === null) {
      violations.push({
        value: null,
        path: path ? `${path}.${name}` : name,
        constraint: "Member must not be null",
      });
    }
  }
  for (const [name, memberValue] of Object.entries(record)) {
    const memberShape = members[name];
    const memberPath = path ? `${path}.${name}` : name;
    if (!memberShape) {
      if (options.rejectUnknownMembers) {
        throw createError(
          "ValidationException",
          `bedrock-forge emulator: unknown member '${memberPath}' (the service model defines no such member; Bedrock may ignore it silently, so the emulator rejects it to catch misspelled fields)`,
        );
      }
      continue;
    }
    walkShape(memberShape, memberValue, memberPath, violations, options);
  }
}

function walkList(shape: ServiceShape, value: unknown, walk: Walk): void {
  const { path, violations, options } = walk;
  if (!Array.isArray(value)) {
    throw serializationError(`Unexpected ${jsonKindOf(value)} at '${path || "body"}'; expected a list.`);
  }
  checkLength(value.length, shape, value, path, violations);
  value.forEach((item, index) => {
    walkShape(shape.member!, item, `${path}.${index + 1}.member`, violations, options);
  });
}

function walkMap(shape: ServiceShape, value: unknown, walk: Walk): void {
  const { path, violations, options } = walk;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw serializationError(`Unexpected ${jsonKindOf(value)} at '${path || "body"}'; expected a map.`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  checkLength(entries.length, shape, value, path, violations);
  for (const [key, entryValue] of entries) {
    walkShape(shape.key!, key, `${path}.key`, violations, options);
    walkShape(shape.value!, entryValue, `${path}.${key}`, violations, options);
  }
}

function checkString(shape: ServiceShape, value: unknown, { path, violations }: Walk): void {
  if (typeof value !== "string") {
    throw serializationError(
      `${kindName(value)} can not be converted to a ${shape.type === "blob" ? "Blob" : "String"}`,
    );
  }
  if (shape.enum && !shape.enum.includes(value)) {
    violations.push({
      value,
      path,
      constraint: `Member must satisfy enum value set: [${shape.enum.join(", ")}]`,
    });
  }
  checkLength(value.length, shape, value, path, violations);
}

function checkNumber(shape: ServiceShape, value: unknown, { path, violations }: Walk): void {
  const integral = shape.type === "integer" || shape.type === "long";
  if (typeof value !== "number" || (integral && !Number.isInteger(value))) {
    throw serializationError(
      `${kindName(value)} can not be converted to ${integral ? "an Integer" : "a Float"}`,
    );
  }
  if (shape.min !== undefined && value < shape.min) {
    violations.push({
      value,
      path,
      constraint: `Member must have value greater than or equal to ${shape.min}`,
    });
  }
  if (shape.max !== undefined && value > shape.max) {
    violations.push({ value, path, constraint: `Member must have value less than or equal to ${shape.max}` });
  }
}

function checkBoolean(_shape: ServiceShape, value: unknown): void {
  if (typeof value !== "boolean") {
    throw serializationError(`${kindName(value)} can not be converted to a Boolean`);
  }
}

/** The check of each shape type; `document` members hold any JSON and have none. */
const shapeCheckers: Readonly<Record<string, (shape: ServiceShape, value: unknown, walk: Walk) => void>> = {
  structure: walkStructure,
  list: walkList,
  map: walkMap,
  string: checkString,
  blob: checkString,
  integer: checkNumber,
  long: checkNumber,
  float: checkNumber,
  double: checkNumber,
  boolean: checkBoolean,
};

function walkShape(
  shapeName: string,
  value: unknown,
  path: string,
  violations: Violation[],
  options: ConverseValidationOptions,
): void {
  const shape: ServiceShape | undefined = converseShapes[shapeName];
  if (!shape || value === null || value === undefined) return;
  shapeCheckers[shape.type]?.(shape, value, { path, violations, options });
}

function checkLength(
  length: number,
  shape: ServiceShape,
  value: unknown,
  path: string,
  violations: Violation[],
) {
  if (shape.min !== undefined && length < shape.min) {
    violations.push({
      value,
      path,
      constraint: `Member must have length greater than or equal to ${shape.min}`,
    });
  }
  if (shape.max !== undefined && length > shape.max) {
    violations.push({
      value,
      path,
      constraint: `Member must have length less than or equal to ${shape.max}`,
    });
  }
}

/** Validates a Converse / ConverseStream / CountTokens body; throws ValidationException or SerializationException. */
export function validateServiceBody(
  rootShape: "ConverseRequest" | "ConverseStreamRequest" | "CountTokensRequest",
  body: unknown,
  options: ConverseValidationOptions,
): void {
  const violations: Violation[] = [];
  walkShape(rootShape, body, "", violations, options);
  throwViolations(violations);
}

/** Throws the AWS front end's ValidationException listing the violations, if there are any. */
function throwViolations(violations: readonly Violation[]): void {
  if (violations.length === 0) return;
  const details = violations
    .map((violation) => {
      const value = typeof violation.value === "object" && violation.value !== null ? null : violation.value;
      return `Value ${renderCoralValue(value)} at '${violation.path}' failed to satisfy constraint: ${violation.constraint}`;
    })
    .join("; ");
  const count = violations.length;
  throw createError(
    "ValidationException",
    `${count} validation error${count === 1 ? "" : "s"} detected: ${details}`,
  );
}

/**
 * InvokeModel's members sent as headers that take a fixed set of values (service model: `Trace`,
 * `PerformanceConfigLatency`, `ServiceTierType`), by lower-cased header name.
 */
const invokeHeaderEnums: Readonly<Record<string, { member: string; values: readonly string[] }>> = {
  "x-amzn-bedrock-trace": { member: "trace", values: ["ENABLED", "DISABLED", "ENABLED_FULL"] },
  "x-amzn-bedrock-performanceconfig-latency": {
    member: "performanceConfigLatency",
    values: ["standard", "optimized"],
  },
  "x-amzn-bedrock-service-tier": {
    member: "serviceTier",
    values: ["priority", "default", "flex", "reserved"],
  },
};

/**
 * Checks the header members of an InvokeModel / InvokeModelWithResponseStream request as the AWS front end
 * does, e.g. `1 validation error detected: Value 'VERBOSE' at 'trace' failed to satisfy constraint: Member
 * must satisfy enum value set: [ENABLED, DISABLED, ENABLED_FULL]` (the same wording as body members).
 */
export function validateInvokeHeaders(headers: Readonly<Record<string, string>>): void {
  const violations: Violation[] = [];
  for (const [header, { member, values }] of Object.entries(invokeHeaderEnums)) {
    const value = headers[header];
    if (value !== undefined && !values.includes(value)) {
      violations.push({
        value,
        path: member,
        constraint: `Member must satisfy enum value set: [${values.join(", ")}]`,
      });
    }
  }
  throwViolations(violations);
}

/** The max-length violation Bedrock sends for an oversized InvokeModel body (a real message). */
export function bodyTooLargeError(limit: number): EmulatorError {
  // https://github.com/langchain-ai/langchain-aws/issues/419
  return createError(
    "ValidationException",
    `1 validation error detected: Value at 'body' failed to satisfy constraint: Member must have length less than or equal to ${limit}`,
  );
}
