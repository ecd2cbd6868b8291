/** Tool-call arguments built from a tool's JSON Schema, deterministically. */

type Schema = Record<string, unknown>;

function asSchema(value: unknown): Schema {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Schema) : {};
}

function firstType(schema: Schema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((item) => item !== "null") as string | undefined;
  return typeof type === "string" ? type : undefined;
}

/**
 * A value satisfying the schema's required parts: string → a word, enum → its first value, const → it,
 * number/integer → 1 (or the minimum), boolean → true, object → its required properties (recursively),
 * array → one item when minItems asks for it.
 */
export function buildValue(schemaInput: unknown, depth = 0): unknown {
  const schema = asSchema(schemaInput);
  if (depth > 8) return null;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ("default" in schema) return schema.default;
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const options = schema[key];
    const isObject = firstType(schema) === "object" || schema.properties !== undefined;
    if (Array.isArray(options) && options.length > 0 && isObject) {
      // Branches of an object schema constrain it (e.g. anyOf: [{required: [a]}, {required: [b]}]):
      // merge the first branch in and build the object.
      const branch = asSchema(options[0]);
      const { [key]: _branches, ...rest } = schema;
      return buildValue(
        {
          ...rest,
          type: "object",
          properties: { ...asSchema(schema.properties), ...asSchema(branch.properties) },
          required: [
            ...(Array.isArray(schema.required) ? schema.required : []),
            ...(Array.isArray(branch.required) ? branch.required : []),
          ],
        },
        depth + 1,
      );
    }
    if (Array.isArray(options) && options.length > 0) {
      const preferred = options.find((option) => firstType(asSchema(option)) !== "null") ?? options[0];
      return buildValue(preferred, depth + 1);
    }
  }
  const type = firstType(schema) ?? (schema.properties ? "object" : "string");
  switch (type) {
    case "string":
      return typeof schema.format === "string" && schema.format === "date" ? "2024-01-01" : "example";
    case "integer":
    case "number":
      return typeof schema.minimum === "number" && schema.minimum > 1 ? schema.minimum : 1;
    case "boolean":
      return true;
    case "null":
      return null;
    case "array": {
      const minItems = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: minItems }, () => buildValue(schema.items, depth + 1));
    }
    default: {
      const result: Record<string, unknown> = {};
      const properties = asSchema(schema.properties);
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      for (const name of required) result[name] = buildValue(properties[name], depth + 1);
      return result;
    }
  }
}

/** Arguments for a tool call from the tool's input schema (always an object). */
export function buildToolArguments(schema: unknown): Record<string, unknown> {
  const value = buildValue(schema);
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
