/**
 * Checks a native answer (or stream chunk) against the fields the runtime reads from it: a field a valid
 * answer always has must be there, every field read must have a JSON type the family's native response
 * schema allows, and an answer must hold at least one of the fields its kind is read for. The table comes
 * from the generator (`response_reads` of the family descriptor), so a check is a few pointer reads.
 */
import type { AnswerCheck, FieldRead } from "./descriptor.js";
import { ResponseParseError } from "./errors.js";
import { readPointer } from "./pointer.js";

/** The JSON type name of a value as JSON Schema names it. */
function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function allowsType(types: readonly string[], value: unknown): boolean {
  const type = jsonTypeOf(value);
  return types.includes(type) || (type === "integer" && types.includes("number"));
}

/** The answer's top-level members, to show what came instead. */
function describeMembers(body: unknown): string {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return `it is ${jsonTypeOf(body)}`;
  const names = Object.keys(body);
  if (names.length === 0) return "it is an empty object";
  const shown = names.slice(0, 8).join(", ");
  return `its members are ${shown}${names.length > 8 ? ", ..." : ""}`;
}

function describeTypes(types: readonly string[] | undefined): string {
  return types ? `, ${types.join(" or ")}` : "";
}

function missingField(read: FieldRead, body: unknown, subject: string, model: string): ResponseParseError {
  return new ResponseParseError(
    `${subject} has no ${read.pointer} (${read.what}${describeTypes(read.types)}); ${describeMembers(body)}`,
    { field: read.pointer, model },
  );
}

function wrongType(read: FieldRead, value: unknown, subject: string, model: string): ResponseParseError {
  return new ResponseParseError(
    `${subject} has ${read.pointer} (${read.what}) as ${jsonTypeOf(value)} where ${read.types!.join(" or ")} is expected`,
    { field: read.pointer, model },
  );
}

function checkRead(read: FieldRead, body: unknown, subject: string, model: string): boolean {
  const value = readPointer(body, read.pointer);
  if (value === undefined) {
    if (read.required) throw missingField(read, body, subject, model);
    return false;
  }
  if (!read.types) return true;
  // A `*` pointer reads every element: each present one must have an allowed type.
  const values = read.pointer.includes("/*") && Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (item !== undefined && !allowsType(read.types, item)) throw wrongType(read, item, subject, model);
  }
  return true;
}

/**
 * Throws a ResponseParseError naming the field and the model when `body` is not an answer the spec can
 * read. `subject` names the answer in messages ("the anthropic.claude-v2 response"); without a check
 * (a descriptor generated before checks existed) nothing is checked.
 */
export function checkAnswer(
  body: unknown,
  check: AnswerCheck | undefined,
  subject: string,
  model: string,
): void {
  if (!check) return;
  for (const read of check.reads) checkRead(read, body, subject, model);
  const someOf = check.someOf;
  if (!someOf || someOf.length === 0) return;
  for (const pointer of someOf) if (readPointer(body, pointer) !== undefined) return;
  throw new ResponseParseError(
    `${subject} holds none of the fields read from it (${someOf.join(", ")}); ${describeMembers(body)}`,
    { field: someOf[0], model },
  );
}
