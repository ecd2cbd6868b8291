/**
 * Converse's native structured output, as LiteLLM sends it for models that have it (its cost map's
 * supports_native_structured_output; tests/test_litellm/llms/bedrock/chat/test_converse_transformation.py
 * test_translate_response_format_native_output_config, test_output_config_applies_additional_properties):
 * `outputConfig.textFormat` with the schema as a JSON string, every object closed with
 * `additionalProperties: false` (Bedrock's structured output needs closed objects), and no JSON tool. On
 * InvokeModel the Claude models with it get the closed schema in output_config.format (LiteLLM's
 * anthropic_claude3_transformation.py). https://docs.aws.amazon.com/bedrock/latest/userguide/structured-output.html
 */
import type { OutputConfig } from "@aws-sdk/client-bedrock-runtime";
import type { CatalogEntry } from "../descriptor.js";

export interface JsonSchemaFormat {
  readonly type: "json_schema";
  readonly json_schema: {
    readonly name?: string;
    readonly description?: string;
    readonly schema?: Readonly<Record<string, unknown>>;
  };
}

/** Keywords whose values are schemas, or lists or maps of schemas. */
const schemaKeywords = ["items", "additionalItems", "not", "if", "then", "else", "contains"];
const schemaListKeywords = ["anyOf", "oneOf", "allOf", "prefixItems"];
const schemaMapKeywords = ["properties", "patternProperties", "$defs", "definitions"];

function isObjectSchema(schema: Readonly<Record<string, unknown>>): boolean {
  const type = schema.type;
  return type === "object" || (Array.isArray(type) && type.includes("object")) || "properties" in schema;
}

/**
 * A copy of a JSON Schema with `additionalProperties: false` on every object schema that does not set it,
 * at any depth (properties, items, combinators, definitions).
 */
export function closeObjectSchemas(schema: unknown): unknown {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const source = schema as Readonly<Record<string, unknown>>;
  const closed: Record<string, unknown> = { ...source };
  for (const keyword of schemaKeywords) {
    if (keyword in source) closed[keyword] = closeObjectSchemas(source[keyword]);
  }
  for (const keyword of schemaListKeywords) {
    const list = source[keyword];
    if (Array.isArray(list)) closed[keyword] = list.map(closeObjectSchemas);
  }
  for (const keyword of schemaMapKeywords) {
    const map = source[keyword];
    if (map !== null && typeof map === "object" && !Array.isArray(map)) {
      closed[keyword] = Object.fromEntries(
        Object.entries(map).map(([name, member]) => [name, closeObjectSchemas(member)]),
      );
    }
  }
  if (isObjectSchema(source) && !("additionalProperties" in source)) closed.additionalProperties = false;
  return closed;
}

/** The response_format a model answers natively on Converse: a json_schema with a schema, on a model with the capability. */
export function nativeJsonSchema(
  responseFormat: unknown,
  entry: CatalogEntry | undefined,
): JsonSchemaFormat | undefined {
  if (!entry?.capabilities.includes("structured-output")) return undefined;
  const format = responseFormat as Partial<JsonSchemaFormat> | undefined;
  if (format?.type !== "json_schema" || !format.json_schema?.schema) return undefined;
  return format as JsonSchemaFormat;
}

/** Converse's outputConfig for a json_schema response_format. */
export function buildOutputConfig(format: JsonSchemaFormat): OutputConfig {
  const { name, description, schema } = format.json_schema;
  return {
    textFormat: {
      type: "json_schema",
      structure: {
        jsonSchema: {
          schema: JSON.stringify(closeObjectSchemas(schema)),
          ...(name ? { name } : {}),
          ...(description ? { description } : {}),
        },
      },
    },
  };
}

/** InvokeModel's output_config.format (the Anthropic Messages body) for a json_schema response_format. */
export function buildOutputFormat(format: JsonSchemaFormat): { type: "json_schema"; schema: unknown } {
  return { type: "json_schema", schema: closeObjectSchemas(format.json_schema.schema) };
}
