/**
 * fast-check arbitraries derived from an SDK schema (the @smithy/core `NormalizedSchema` of a shape), for
 * holding a serde to the SDK's own protocol: inputs as a caller gives them (bytes for blobs, `$unknown` for
 * union members the schema does not know, documents with nested values and big numbers), and response
 * bodies as JSON text on the wire (base64 blobs, union members the schema does not know, numbers too big
 * for a double). Both add what the schema does not name (extra keys, null and undefined members) and,
 * now and then, a value of the wrong type.
 */

import { NumericValue } from "@smithy/core/serde";
import fc from "fast-check";

type Schema = import("@smithy/core/schema").NormalizedSchema;

/** A number written into wire JSON as this exact text (big integers, long decimals, exponents). */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** JSON text of a wire value, with {@link RawNumber}s written as their text. */
export function writeWireJson(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(writeWireJson).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${JSON.stringify(key)}:${writeWireJson(item)}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.constantFrom("", "\u2028", '"\\', "\u0000\u001f\u007f", "\ud800", "héllo wörld 🌊"),
);
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("__type", "$unknown", "toString", "a b"));
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e21, 5e-324, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Number.POSITIVE_INFINITY),
);
const bytes = fc.uint8Array({ maxLength: 40 });
const rawNumber = fc
  .oneof(
    fc.bigInt().map((value) => new RawNumber(value.toString())),
    fc.constantFrom(
      "12345678901234567890123",
      "0.1000000000000000055511151231257827",
      "1e400",
      "-2.5E+30",
      "1.0",
    ),
    fc.integer().map((value) => new RawNumber(`${value}.000`)),
  )
  .map((value) => (value instanceof RawNumber ? value : new RawNumber(value)));

/** A document as a caller gives it: JSON values, bytes, dates, bigints, NumericValues, nested. */
const inputDocument: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.bigInt(),
    bytes,
    fc.date(),
    fc.constantFrom(
      new NumericValue("1.50", "bigDecimal"),
      new NumericValue("12345678901234567890", "bigDecimal"),
    ),
    fc.array(fc.oneof(tie("value"), fc.constant(undefined)), { maxLength: 4 }),
    fc.dictionary(key, fc.oneof(tie("value"), fc.constant(undefined)), { maxKeys: 4 }),
  ),
})).value;

/** A document as it arrives on the wire, numbers too big for a double included. */
const wireDocument: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    rawNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
  ),
})).value;

const anything = fc.oneof(
  text,
  number,
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(key, text, { maxKeys: 2 }),
);

function kindOf(schema: Schema): string {
  const raw = schema.getSchema() as unknown;
  if (schema.isStructSchema()) return schema.isUnionSchema() ? "union" : "struct";
  if (schema.isListSchema()) return "list";
  if (schema.isMapSchema()) return "map";
  return { 0: "string", 1: "number", 2: "boolean", 15: "document", 21: "blob" }[raw as number] ?? "other";
}

export interface ArbitraryOptions {
  /** Generate the SDK's input shape (bytes, `$unknown`) or the wire's JSON (base64, unknown keys). */
  readonly side: "input" | "wire";
  /** How many levels of nested structure to generate before members are left out. */
  readonly depth: number;
  /** Whether a value may now and then be of another type than its schema says. */
  readonly mismatches: boolean;
}

/** Values for one shape (see {@link ArbitraryOptions}). */
export function arbitraryFor(schema: Schema, options: ArbitraryOptions): fc.Arbitrary<unknown> {
  const typed = typedArbitraryFor(schema, options);
  return options.mismatches
    ? fc.oneof({ weight: 20, arbitrary: typed }, { weight: 1, arbitrary: anything })
    : typed;
}

function typedArbitraryFor(schema: Schema, options: ArbitraryOptions): fc.Arbitrary<unknown> {
  const kind = kindOf(schema);
  const deeper = { ...options, depth: options.depth - 1 };
  switch (kind) {
    case "string":
      return text;
    case "number":
      return options.side === "input"
        ? number
        : fc.oneof(
            fc.integer(),
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.constantFrom("NaN", "-Infinity"),
          );
    case "boolean":
      return fc.boolean();
    case "document":
      return options.side === "input" ? inputDocument : wireDocument;
    case "blob":
      return options.side === "input"
        ? fc.oneof(bytes, text)
        : bytes.map((value) => Buffer.from(value).toString("base64"));
    case "list":
      if (options.depth <= 0) return fc.constant([]);
      return fc.array(
        fc.oneof({ weight: 8, arbitrary: arbitraryFor(schema.getValueSchema(), deeper) }, fc.constant(null)),
        {
          maxLength: 3,
        },
      );
    case "map":
      if (options.depth <= 0) return fc.constant({});
      return fc.dictionary(key, arbitraryFor(schema.getValueSchema(), deeper), { maxKeys: 3 });
    case "struct":
    case "union":
      return structArbitraryFor(schema, kind === "union", options);
    default:
      throw new Error(`no arbitrary for ${schema.getName(true)} (${kind})`);
  }
}

function structArbitraryFor(
  schema: Schema,
  union: boolean,
  options: ArbitraryOptions,
): fc.Arbitrary<unknown> {
  const deeper = { ...options, depth: options.depth - 1 };
  const members = [...schema.structIterator()];
  const extra = fc.dictionary(key, anything, { maxKeys: 2 });
  if (options.depth <= 0) return fc.constant({});
  if (union) {
    const known = members.map(([name, member]) =>
      arbitraryFor(member, deeper).map((value) => ({
        [(member.getMergedTraits().jsonName as string) ?? name]: value,
      })),
    );
    const unknown =
      options.side === "input"
        ? fc.tuple(fc.string({ maxLength: 8 }), inputDocument).map((entry) => ({ $unknown: entry }))
        : fc.tuple(fc.string({ maxLength: 8 }), wireDocument).map(([name, value]) => ({ [name]: value }));
    return fc.oneof(
      { weight: 6, arbitrary: fc.oneof(...known) },
      unknown,
      fc.tuple(fc.oneof(...known), extra).map(([a, b]) => ({ ...b, ...a })),
    );
  }
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, member] of members) {
    const wireName = options.side === "wire" ? ((member.getMergedTraits().jsonName as string) ?? name) : name;
    model[wireName] = fc.oneof(
      { weight: 10, arbitrary: arbitraryFor(member, deeper) },
      fc.constant(null),
      fc.constant(undefined),
    );
  }
  return fc
    .tuple(fc.record(model, { requiredKeys: [] }), fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, extra))
    .map(([known, more]) => ({ ...more, ...known }));
}
