/** Fills required members a synthesized body lacks, from the family's native response schema. */
import { buildValue } from "./synthesize/tools.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Adds each required property the value lacks (built from its schema) and recurses into present objects
 * and array items, so synthesized bodies always satisfy the spec's response schema.
 */
export function fillRequired(value: unknown, schemaInput: unknown, depth = 0): void {
  if (!isObject(schemaInput) || depth > 16) return;
  const schema = schemaInput;
  if (isObject(value)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    for (const name of required) if (value[name] === undefined) value[name] = buildValue(properties[name]);
    for (const [name, propertySchema] of Object.entries(properties)) {
      if (value[name] !== undefined) fillRequired(value[name], propertySchema, depth + 1);
    }
  } else if (Array.isArray(value) && isObject(schema.items)) {
    for (const item of value) fillRequired(item, schema.items, depth + 1);
  }
}
