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

/**
 * Validates an InvokeModel body against a native request schema; throws Bedrock's ValidationException.
 * Errors inside a failed oneOf/anyOf branch are reported once, as the branch failure.
 */
export function validateNativeBody(schema: object, body: unknown): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(body)) return;
  const errors = validate.errors ?? [];
  const branchFailures = errors.filter((error) => error.keyword === "oneOf" || error.keyword === "anyOf");
  const insideBranch = (error: ErrorObject) =>
    branchFailures.some(
      (branch) =>
        error !== branch &&
        error.schemaPath.startsWith(branch.schemaPath.replace(/\/(oneOf|anyOf)$/, "")) &&
        /\/(oneOf|anyOf)\/\d+/.test(error.schemaPath),
    );
  const messages: string[] = [];
  for (const error of errors) {
    if (insideBranch(error)) continue;
    const message = formatSchemaError(error, body);
    if (message && !messages.includes(message)) messages.push(message);
  }
  throw createError(
    "ValidationException",
    `Malformed input request: ${messages.join(", ")}, please reformat your input and try again.`,
  );
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

/** The max-length violation Bedrock sends for an oversized InvokeModel body (a real message). */
export function bodyTooLargeError(limit: number): EmulatorError {
  // https://github.com/langchain-ai/langchain-aws/issues/419
  return createError(
    "ValidationException",
    `1 validation error detected: Value at 'body' failed to satisfy constraint: Member must have length less than or equal to ${limit}`,
  );
}
