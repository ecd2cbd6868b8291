/**
 * The native request a model takes: its family's schema, widened by the fields the model's spec entry adds
 * (`native.chat_request_properties`), and how Bedrock words a body that fails it (`native.request_errors`).
 */
import type { Json } from "./exchange.js";
import type { ResolvedModel } from "./models.js";
import { type NativeWording, validateAdditionalModelFields } from "./validate.js";

export type NativeRequestKind = "chat" | "embeddings" | "images" | "images_edit" | "rerank";

const widened = new Map<string, object>();

/** The JSON Schema of the model's native request body of `kind`, or undefined when the family has none. */
export function nativeRequestSchemaOf(model: ResolvedModel, kind: NativeRequestKind): object | undefined {
  const base = model.schemas[`${kind}_request`];
  const extra = kind === "chat" ? model.schemas.models?.[model.baseId]?.chat_request_properties : undefined;
  if (!base || !extra) return base;
  let schema = widened.get(model.baseId);
  if (!schema) {
    const properties = (base.properties ?? {}) as Record<string, unknown>;
    schema = { ...base, properties: { ...properties, ...extra } };
    widened.set(model.baseId, schema);
  }
  return schema;
}

/** How Bedrock words schema failures of the model's native body (default: its JSON-schema validator). */
export function nativeWordingOf(model: ResolvedModel): NativeWording {
  return model.schemas.models?.[model.baseId]?.request_errors ?? "bedrock";
}

/**
 * The fields a Converse body adds to the native body Bedrock builds: `additionalModelRequestFields`, and for
 * models that validate like Anthropic's API (Claude 4 and later) Converse's structured output, which becomes
 * the Messages body's `output_config.format` (Claude Sonnet 5 answers a ConverseStream `outputConfig.textFormat`
 * with "The model returned the following errors: output_config.format: Extra inputs are not permitted",
 * https://github.com/presenton/presenton/issues/939). Older and other models take `outputConfig` as is
 * (recorded for Claude 3 Sonnet, Mistral, Qwen: test/recordings/converse/*native_output*).
 */
function modelFieldsOf(body: Json, wording: NativeWording): unknown {
  const extra = body.additionalModelRequestFields;
  const textFormat = (body.outputConfig as Json | undefined)?.textFormat;
  if (textFormat === undefined || textFormat === null || wording !== "anthropic") return extra;
  const fields: Json = extra !== null && typeof extra === "object" ? { ...(extra as Json) } : {};
  const outputConfig = fields.output_config;
  fields.output_config = {
    ...(outputConfig !== null && typeof outputConfig === "object" ? (outputConfig as Json) : {}),
    format: { type: "json_schema", schema: {} },
  };
  return fields;
}

/**
 * Checks what a Converse body hands to the model against the model's native request schema (see
 * validateAdditionalModelFields and modelFieldsOf).
 */
export function validateConverseModelFields(model: ResolvedModel, body: Json): void {
  const schema = nativeRequestSchemaOf(model, "chat");
  if (!schema) return;
  const wording = nativeWordingOf(model);
  const fields = modelFieldsOf(body, wording);
  if (fields !== undefined && fields !== null) validateAdditionalModelFields(schema, fields, wording);
}
