import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { invalidRequest, type ProxyError } from "./errors.js";

/**
 * JSON Schemas of the request bodies: OpenAI's fields with their types. Fields beyond OpenAI's
 * (what `extra_body` sends: `top_k`, `guardrailConfig`, provider params) are allowed and reach the
 * runtime, which applies each model's param policy. `null` is accepted where OpenAI clients send it
 * for "not given".
 */

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: "null" }] });

/** Longest model name a request may carry: it goes into log lines and error messages. */
export const maxModelNameLength = 256;

const modelName = { type: "string", minLength: 1, maxLength: maxModelNameLength } as const;

/**
 * What clients send for their own bookkeeping, on every route: logged (bounded), never sent to
 * Bedrock (client-notes.ts). `metadata` is an object in OpenAI's and Anthropic's APIs (and LiteLLM's).
 */
const bookkeeping = {
  metadata: nullable({ type: "object" }),
  user: nullable({ type: "string" }),
  tags: nullable({ type: "array", items: { type: "string" } }),
  store: nullable({ type: "boolean" }),
  service_tier: nullable({ type: "string" }),
} as const;

const textPart = {
  type: "object",
  required: ["type"],
  properties: { type: { type: "string" } },
} as const;

const toolCall = {
  type: "object",
  required: ["id", "function"],
  properties: {
    id: { type: "string" },
    type: { const: "function" },
    function: {
      type: "object",
      required: ["name", "arguments"],
      properties: { name: { type: "string" }, arguments: { type: "string" } },
    },
  },
} as const;

const message = {
  type: "object",
  required: ["role"],
  properties: {
    role: { enum: ["system", "developer", "user", "assistant", "tool"] },
    content: { anyOf: [{ type: "string" }, { type: "array", items: textPart }, { type: "null" }] },
    name: { type: "string" },
    tool_call_id: { type: "string" },
    tool_calls: nullable({ type: "array", items: toolCall }),
  },
  allOf: [
    {
      if: { properties: { role: { const: "tool" } } },
      // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword, not a promise
      then: { required: ["tool_call_id", "content"] },
    },
    {
      if: { properties: { role: { enum: ["system", "developer", "user"] } } },
      // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword, not a promise
      then: { required: ["content"] },
    },
  ],
} as const;

const tool = {
  type: "object",
  required: ["type", "function"],
  properties: {
    type: { const: "function" },
    function: {
      type: "object",
      required: ["name"],
      properties: {
        name: { type: "string", minLength: 1 },
        description: { type: "string" },
        parameters: { type: "object" },
        strict: nullable({ type: "boolean" }),
      },
    },
  },
} as const;

const stopSchema = nullable({
  anyOf: [{ type: "string" }, { type: "array", items: { type: "string" }, maxItems: 16 }],
});

export const chatRequestSchema = {
  type: "object",
  required: ["model", "messages"],
  properties: {
    ...bookkeeping,
    model: modelName,
    messages: { type: "array", minItems: 1, items: message },
    stream: nullable({ type: "boolean" }),
    stream_options: nullable({
      type: "object",
      properties: { include_usage: nullable({ type: "boolean" }) },
    }),
    max_tokens: nullable({ type: "integer", minimum: 1 }),
    max_completion_tokens: nullable({ type: "integer", minimum: 1 }),
    temperature: nullable({ type: "number", minimum: 0 }),
    top_p: nullable({ type: "number", minimum: 0, maximum: 1 }),
    top_k: nullable({ type: "integer", minimum: 0 }),
    n: nullable({ type: "integer", minimum: 1 }),
    stop: stopSchema,
    seed: nullable({ type: "integer" }),
    presence_penalty: nullable({ type: "number" }),
    frequency_penalty: nullable({ type: "number" }),
    logprobs: nullable({ type: "boolean" }),
    top_logprobs: nullable({ type: "integer", minimum: 0 }),
    tools: nullable({ type: "array", items: tool }),
    tool_choice: nullable({
      anyOf: [
        { enum: ["auto", "required", "none"] },
        {
          type: "object",
          required: ["type", "function"],
          properties: {
            type: { const: "function" },
            function: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
          },
        },
      ],
    }),
    parallel_tool_calls: nullable({ type: "boolean" }),
    response_format: nullable({
      type: "object",
      required: ["type"],
      properties: { type: { enum: ["text", "json_object", "json_schema"] } },
    }),
    reasoning_effort: nullable({ enum: ["minimal", "low", "medium", "high"] }),
    guardrailConfig: nullable({
      type: "object",
      required: ["guardrailIdentifier", "guardrailVersion"],
      properties: {
        guardrailIdentifier: { type: "string", minLength: 1 },
        guardrailVersion: { type: "string", minLength: 1 },
        trace: { enum: ["enabled", "disabled", "enabled_full"] },
      },
    }),
    drop_params: nullable({ type: "boolean" }),
    modify_params: nullable({ type: "boolean" }),
    timeout: nullable({ type: "number", exclusiveMinimum: 0 }),
  },
} as const;

const encodingFormats = ["float", "base64", "int8", "uint8", "binary", "ubinary"];

export const embeddingsRequestSchema = {
  type: "object",
  required: ["model", "input"],
  properties: {
    ...bookkeeping,
    model: modelName,
    input: {
      anyOf: [
        { type: "string" },
        { type: "array", minItems: 1, items: { type: ["string", "object", "integer", "array"] } },
        { type: "object", required: ["type"] },
      ],
    },
    dimensions: nullable({ type: "integer", minimum: 1 }),
    // OpenAI's float and base64, and the vector types Titan V2 and Cohere answer (a name or a list), as LiteLLM takes them.
    encoding_format: nullable({
      anyOf: [{ enum: encodingFormats }, { type: "array", minItems: 1, items: { enum: encodingFormats } }],
    }),
    input_type: nullable({ type: "string" }),
    drop_params: nullable({ type: "boolean" }),
    timeout: nullable({ type: "number", exclusiveMinimum: 0 }),
  },
} as const;

export const imagesRequestSchema = {
  type: "object",
  required: ["model", "prompt"],
  properties: {
    ...bookkeeping,
    model: modelName,
    prompt: { type: "string", minLength: 1 },
    n: nullable({ type: "integer", minimum: 1, maximum: 10 }),
    size: nullable({ type: "string", pattern: "^[0-9]+x[0-9]+$" }),
    quality: nullable({ type: "string" }),
    style: nullable({ type: "string" }),
    response_format: nullable({ const: "b64_json" }),
    seed: nullable({ type: "integer" }),
    negative_prompt: nullable({ type: "string" }),
    cfg_scale: nullable({ type: "number" }),
    steps: nullable({ type: "integer", minimum: 1 }),
    drop_params: nullable({ type: "boolean" }),
    timeout: nullable({ type: "number", exclusiveMinimum: 0 }),
  },
} as const;

/** An input image of an edit: base64, a data or http(s) URL, or an uploaded file (multipart bodies). */
const editImage = { anyOf: [{ type: "string", minLength: 1 }, { type: "object" }] } as const;

/**
 * OpenAI's images.edit body, after the route read it (a multipart/form-data upload, or JSON whose
 * `images: [{image_url}]` became `image`): one image or a list, an optional mask and prompt (some
 * models take none; the runtime refuses a missing one where the model needs it).
 */
export const imagesEditRequestSchema = {
  type: "object",
  required: ["model", "image"],
  properties: {
    ...bookkeeping,
    model: modelName,
    image: { anyOf: [editImage, { type: "array", minItems: 1, maxItems: 16, items: editImage }] },
    mask: nullable(editImage),
    prompt: nullable({ type: "string" }),
    n: nullable({ type: "integer", minimum: 1, maximum: 10 }),
    size: nullable({ type: "string", pattern: "^[0-9]+x[0-9]+$" }),
    response_format: nullable({ const: "b64_json" }),
    stream: nullable({ type: "boolean" }),
    seed: nullable({ type: "integer" }),
    negative_prompt: nullable({ type: "string" }),
    output_format: nullable({ type: "string" }),
    output_compression: nullable({ type: "integer", minimum: 0, maximum: 100 }),
    partial_images: nullable({ type: "integer", minimum: 0 }),
    drop_params: nullable({ type: "boolean" }),
    timeout: nullable({ type: "number", exclusiveMinimum: 0 }),
  },
} as const;

export const rerankRequestSchema = {
  type: "object",
  required: ["model", "query", "documents"],
  properties: {
    ...bookkeeping,
    model: modelName,
    query: { type: "string", minLength: 1 },
    documents: {
      type: "array",
      minItems: 1,
      items: {
        anyOf: [
          { type: "string" },
          { type: "object", required: ["text"], properties: { text: { type: "string" } } },
        ],
      },
    },
    top_n: nullable({ type: "integer", minimum: 1 }),
    return_documents: nullable({ type: "boolean" }),
    max_tokens_per_doc: nullable({ type: "integer", minimum: 1 }),
    drop_params: nullable({ type: "boolean" }),
    timeout: nullable({ type: "number", exclusiveMinimum: 0 }),
  },
} as const;

/**
 * OpenAI's Responses API (https://platform.openai.com/docs/api-reference/responses/create): the types of
 * the fields; their meaning and what a model can do with them is the runtime's to check.
 */
export const responsesRequestSchema = {
  type: "object",
  required: ["model", "input"],
  properties: {
    model: modelName,
    ...bookkeeping,
    input: {
      anyOf: [{ type: "string" }, { type: "array", items: { type: "object" } }],
    },
    instructions: nullable({ type: "string" }),
    stream: nullable({ type: "boolean" }),
    max_output_tokens: nullable({ type: "integer", minimum: 1 }),
    temperature: nullable({ type: "number", minimum: 0 }),
    top_p: nullable({ type: "number", minimum: 0, maximum: 1 }),
    tools: nullable({ type: "array", items: { type: "object", required: ["type"] } }),
    tool_choice: nullable({ anyOf: [{ type: "string" }, { type: "object", required: ["type"] }] }),
    text: nullable({ type: "object" }),
    reasoning: nullable({ type: "object" }),
    parallel_tool_calls: nullable({ type: "boolean" }),
    previous_response_id: nullable({ type: "string" }),
    drop_params: nullable({ type: "boolean" }),
    timeout: nullable({ type: "number", exclusiveMinimum: 0 }),
  },
} as const;

/** Anthropic's Messages request (https://docs.anthropic.com/en/api/messages), without `max_tokens`. */
const anthropicMessageFields = {
  model: modelName,
  ...bookkeeping,
  messages: {
    type: "array",
    minItems: 1,
    items: {
      type: "object",
      required: ["role", "content"],
      properties: {
        role: { enum: ["user", "assistant"] },
        content: {
          anyOf: [{ type: "string" }, { type: "array", items: { type: "object", required: ["type"] } }],
        },
      },
    },
  },
  system: nullable({
    anyOf: [{ type: "string" }, { type: "array", items: { type: "object", required: ["type"] } }],
  }),
  temperature: nullable({ type: "number", minimum: 0 }),
  top_p: nullable({ type: "number", minimum: 0, maximum: 1 }),
  top_k: nullable({ type: "integer", minimum: 0 }),
  stop_sequences: nullable({ type: "array", items: { type: "string" } }),
  tools: nullable({ type: "array", items: { type: "object", required: ["name"] } }),
  tool_choice: nullable({ type: "object", required: ["type"] }),
  thinking: nullable({ type: "object", required: ["type"] }),
  drop_params: nullable({ type: "boolean" }),
  timeout: nullable({ type: "number", exclusiveMinimum: 0 }),
} as const;

export const messagesRequestSchema = {
  type: "object",
  required: ["model", "messages", "max_tokens"],
  properties: {
    ...anthropicMessageFields,
    max_tokens: { type: "integer", minimum: 1 },
    stream: nullable({ type: "boolean" }),
  },
} as const;

/** `POST /v1/messages/count_tokens`: a Messages request without `max_tokens` (https://docs.anthropic.com/en/api/messages-count-tokens). */
export const countTokensRequestSchema = {
  type: "object",
  required: ["model", "messages"],
  properties: { ...anthropicMessageFields, max_tokens: nullable({ type: "integer", minimum: 1 }) },
} as const;

export type RequestKind =
  | "chat"
  | "embeddings"
  | "images"
  | "images-edit"
  | "rerank"
  | "responses"
  | "messages"
  | "count_tokens";

const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
const validators: Record<RequestKind, ValidateFunction> = {
  chat: ajv.compile(chatRequestSchema),
  embeddings: ajv.compile(embeddingsRequestSchema),
  images: ajv.compile(imagesRequestSchema),
  "images-edit": ajv.compile(imagesEditRequestSchema),
  rerank: ajv.compile(rerankRequestSchema),
  responses: ajv.compile(responsesRequestSchema),
  messages: ajv.compile(messagesRequestSchema),
  count_tokens: ajv.compile(countTokensRequestSchema),
};

/** `/messages/0/role` → `messages[0].role`. */
function fieldOf(instancePath: string, extra?: string): string {
  const segments = instancePath === "" ? [] : instancePath.slice(1).split("/");
  if (extra !== undefined) segments.push(extra);
  let field = "";
  for (const raw of segments) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    field += /^\d+$/.test(segment) ? `[${segment}]` : field === "" ? segment : `.${segment}`;
  }
  return field;
}

const typeNames: Readonly<Record<string, string>> = {
  integer: "an integer",
  number: "a number",
  string: "a string",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
  null: "null",
};

/** The most useful error of a failed validation: the deepest one, preferring missing fields and wrong types. */
function pickError(errors: readonly ErrorObject[]): ErrorObject {
  const ranked = errors.filter((error) => error.keyword !== "anyOf" && error.keyword !== "if");
  const pool = ranked.length > 0 ? ranked : errors;
  let best = pool[0]!;
  for (const error of pool) {
    const depth = error.instancePath.split("/").length;
    const bestDepth = best.instancePath.split("/").length;
    if (depth > bestDepth || (depth === bestDepth && best.keyword === "type" && error.keyword === "required"))
      best = error;
  }
  return best;
}

/** The types an `anyOf` branch list allows at a path, for a message like "must be a string or an array". */
function allowedTypes(errors: readonly ErrorObject[], instancePath: string): string[] {
  const types = new Set<string>();
  for (const error of errors) {
    if (error.instancePath !== instancePath) continue;
    if (error.keyword === "type") {
      const wanted = (error.params as { type: string | string[] }).type;
      for (const type of Array.isArray(wanted) ? wanted : [wanted]) types.add(type);
    }
  }
  return [...types];
}

function describe(errors: readonly ErrorObject[]): ProxyError {
  const error = pickError(errors);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "required") {
    const field = fieldOf(error.instancePath, params.missingProperty as string);
    return invalidRequest(`${field} is required`, field, "missing_required_parameter");
  }
  const field = fieldOf(error.instancePath);
  switch (error.keyword) {
    case "type": {
      const types = allowedTypes(errors, error.instancePath).filter((type) => type !== "null");
      const wanted = (types.length > 0 ? types : [params.type as string])
        .map((type) => typeNames[type] ?? type)
        .join(" or ");
      return invalidRequest(`${field} must be ${wanted}`, field, "invalid_type");
    }
    case "enum":
      return invalidRequest(
        `${field} must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`,
        field,
        "invalid_value",
      );
    case "const":
      return invalidRequest(
        `${field} must be ${JSON.stringify(params.allowedValue)}`,
        field,
        "invalid_value",
      );
    default:
      return invalidRequest(
        `${field || "body"} ${error.message ?? "is invalid"}`,
        field || undefined,
        "invalid_value",
      );
  }
}

/** Checks a request body; the error names the first field at fault (`messages[0].role`). */
export function validateRequestBody(kind: RequestKind, body: unknown): ProxyError | undefined {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return invalidRequest("the request body must be a JSON object", undefined, "invalid_body");
  }
  const validate = validators[kind];
  if (validate(body)) return undefined;
  return describe(validate.errors ?? []);
}
