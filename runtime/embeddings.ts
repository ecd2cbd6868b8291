import type { EmbeddingsMapping } from "../generated/spec-types.js";
import { checkAnswer } from "./answer-check.js";
import { invokeRequestMetadata } from "./call-members.js";
import { parseDataUrl } from "./chat/normalize.js";
import { computeEmbeddingCost, resolvePrice } from "./cost.js";
import type { CatalogEntry } from "./descriptor.js";
import { RequestValidationError, ResponseParseError } from "./errors.js";
import { resolveOperation } from "./families.js";
import { applyBodyParams, paramTableFor } from "./params.js";
import { readPointer, writeConstants, writePointer } from "./pointer.js";
import { type InvokeAnswer, invokeJson, type OperationCall } from "./send.js";
import type { CreateEmbeddingResponse, EmbeddingImageInput } from "./types.js";

type EmbeddingsCall = OperationCall;

interface InputItem {
  readonly text?: string;
  /** Base64 image data and its media type. */
  readonly image?: { base64: string; mediaType: string };
}

/**
 * A string input that is a base64 image data URL, for a model that embeds images: LiteLLM sends it as the
 * image (Titan Multimodal's `inputImage`, tests/llm_translation/test_bedrock_completion.py
 * test_bedrock_image_embedding_transformation). Otherwise a string is text.
 */
function readImageDataUrl(item: string, takesImages: boolean): InputItem | undefined {
  if (!takesImages || !item.startsWith("data:image/")) return undefined;
  const data = parseDataUrl(item);
  return data ? { image: { base64: data.base64, mediaType: data.mediaType } } : undefined;
}

function normalizeInputs(input: unknown, model: string, takesImages: boolean): InputItem[] {
  const list = Array.isArray(input) ? input : [input];
  if (list.length === 0)
    throw new RequestValidationError("input must not be empty", { param: "input", model });
  return list.map((item, index) => {
    const param = Array.isArray(input) ? `input[${index}]` : "input";
    if (typeof item === "string") {
      if (item === "")
        throw new RequestValidationError(`${param} is an empty string; Bedrock rejects empty texts`, {
          param,
          model,
        });
      return readImageDataUrl(item, takesImages) ?? { text: item };
    }
    if (item && typeof item === "object" && (item as EmbeddingImageInput).type === "image_url") {
      const image = item as EmbeddingImageInput;
      const url = typeof image.image_url === "string" ? image.image_url : image.image_url?.url;
      const data = typeof url === "string" ? parseDataUrl(url) : undefined;
      if (!data?.mediaType.startsWith("image/")) {
        throw new RequestValidationError(`${param}.image_url must be a data:image/…;base64 URL`, {
          param,
          model,
        });
      }
      return {
        image: { base64: data.base64, mediaType: data.mediaType },
        ...(image.text ? { text: image.text } : {}),
      };
    }
    if (typeof item === "number" || (Array.isArray(item) && typeof item[0] === "number")) {
      throw new RequestValidationError(
        `${param}: token arrays are not supported by Bedrock embedding models; pass text`,
        { param, model },
      );
    }
    throw new RequestValidationError(`${param} must be a string or {type: "image_url", image_url}`, {
      param,
      model,
    });
  });
}

/** An input with both an image and a text, for a model that embeds one or the other per call. */
function refuseTextBesideImage(
  input: unknown,
  items: readonly InputItem[],
  mapping: EmbeddingsMapping,
  model: string,
): void {
  if (mapping.request.image?.with_text !== false) return;
  const index = items.findIndex((item) => item.image && item.text !== undefined);
  if (index < 0) return;
  const param = Array.isArray(input) ? `input[${index}]` : "input";
  throw new RequestValidationError(
    `${param} has a text beside its image; ${model} embeds a text or an image per input: pass them as two inputs`,
    { param, model },
  );
}

/** Runs `work` over items with at most `limit` in flight, keeping results in order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  });
  await Promise.all(workers);
  return results;
}

function toBase64Floats(vector: readonly number[]): string {
  const floats = new Float32Array(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString("base64");
}

/** One vector (a list of numbers) or a list of them, as a list of vectors; undefined for anything else. */
function asVectorList(value: unknown): number[][] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (typeof value[0] === "number") return [value as number[]];
  if (Array.isArray(value[0])) return value as number[][];
  return undefined;
}

function findVectors(body: unknown, mapping: EmbeddingsMapping): number[][] | undefined {
  for (const pointer of mapping.response.vectors) {
    const vectors = asVectorList(readPointer(body, pointer));
    if (vectors) return vectors;
  }
  return undefined;
}

function noVectorsError(mapping: EmbeddingsMapping, expected: number): ResponseParseError {
  return new ResponseParseError(
    `the embeddings response has no vectors at ${mapping.response.vectors.join(" or ")} (expected ${expected})`,
  );
}

/** Vectors by type (`response.by_type`: Titan's embeddingsByType, Cohere's embeddings object), in answer order. */
function readVectorsByType(body: unknown, mapping: EmbeddingsMapping): Map<string, number[][]> | undefined {
  const pointer = mapping.response.by_type;
  const value = pointer ? readPointer(body, pointer) : undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const byType = new Map<string, number[][]>();
  for (const [type, vectors] of Object.entries(value)) {
    const list = asVectorList(vectors);
    if (list) byType.set(type, list);
  }
  return byType.size > 0 ? byType : undefined;
}

/** `dimensions`, when given, must be one the model offers. */
function requireSupportedDimensions(request: Readonly<Record<string, unknown>>, entry: CatalogEntry): void {
  const dimensions = request.dimensions as number | undefined;
  if (dimensions !== undefined && entry.embedding && !entry.embedding.dimensions.includes(dimensions)) {
    throw new RequestValidationError(
      `dimensions=${dimensions} is not supported by ${entry.id}: use ${entry.embedding.dimensions.join(", ")}`,
      { param: "dimensions", model: entry.id, code: "invalid_param_value" },
    );
  }
}

type VectorType = NonNullable<NonNullable<CatalogEntry["embedding"]>["types"]>[number];

/** What `encoding_format` asks for. */
interface Encoding {
  /** Vector types to ask the model for, in order (empty: the model's default floats). */
  readonly types: readonly VectorType[];
  /** Float vectors go back as base64 of little-endian float32s (OpenAI's `base64`). */
  readonly base64: boolean;
}

/**
 * `encoding_format` as OpenAI and LiteLLM take it: `float`; `base64` (OpenAI's encoding of float32 vectors,
 * which the openai client asks for by default); or, for models that answer other vector types, a type name
 * (int8, uint8, binary, ubinary) or a list of formats, as LiteLLM passes to Cohere's `embedding_types`
 * (litellm/llms/bedrock/embed/cohere_transformation.py: a string is wrapped in a list, base64 asks for float).
 */
function readEncoding(request: Readonly<Record<string, unknown>>, entry: CatalogEntry): Encoding {
  const given = request.encoding_format;
  if (given === undefined || given === null) return { types: [], base64: false };
  const offered = entry.embedding?.types ?? [];
  const formats = Array.isArray(given) ? given : [given];
  const allowed = ["float", "base64", ...offered.filter((type) => type !== "float")];
  const types: VectorType[] = [];
  let base64 = false;
  for (const format of formats) {
    if (format === "base64") base64 = true;
    const type = format === "base64" ? "float" : format;
    if (typeof type !== "string" || (type !== "float" && !offered.includes(type as VectorType))) {
      throw new RequestValidationError(
        `encoding_format ${JSON.stringify(format)} is not supported by ${entry.id}: use ${allowed.map((name) => `"${name}"`).join(", ")}${offered.length > 0 ? " (or a list of them)" : ""}`,
        { param: "encoding_format", model: entry.id, code: "invalid_param_value" },
      );
    }
    if (!types.includes(type as VectorType)) types.push(type as VectorType);
  }
  if (formats.length === 0) {
    throw new RequestValidationError("encoding_format must not be an empty list", {
      param: "encoding_format",
      model: entry.id,
    });
  }
  return { types, base64 };
}

/**
 * Writes the vector types `encoding_format` asks for where the family takes them (unless the request named
 * them itself, e.g. `embedding_types`): LiteLLM sends float as `["float"]` to Titan V2 and Cohere.
 */
function writeVectorTypes(
  body: Record<string, unknown>,
  encoding: Encoding,
  mapping: EmbeddingsMapping,
  entry: CatalogEntry,
): void {
  const target = mapping.request.types?.to;
  if (!target || !entry.embedding?.types || encoding.types.length === 0) return;
  if (readPointer(body, target) !== undefined) return;
  writePointer(body, target, [...encoding.types]);
}

interface Batch {
  readonly items: InputItem[];
  /** Index of the batch's first input in the request. */
  readonly start: number;
}

/** Texts are batched up to the family's per-call limit; an input with an image is a call of its own. */
function splitIntoBatches(items: readonly InputItem[], perCall: number): Batch[] {
  const batches: Batch[] = [];
  items.forEach((item, index) => {
    const last = batches[batches.length - 1];
    if (!item.image && last && !last.items[0]!.image && last.items.length < perCall) last.items.push(item);
    else batches.push({ items: [item], start: index });
  });
  return batches;
}

/**
 * The native body of one batch: the request's params (in `template`) with the batch's texts and image. A
 * call with an image also gets the image's own constants (Marengo names the input type in the body).
 */
function buildBatchBody(template: Record<string, unknown>, batch: Batch, mapping: EmbeddingsMapping) {
  const body = structuredClone(template);
  const perCall = mapping.request.input.per_call;
  const texts = batch.items.map((item) => item.text).filter((text): text is string => text !== undefined);
  if (texts.length > 0) writePointer(body, mapping.request.input.to, perCall === 1 ? texts[0] : texts);
  const image = batch.items[0]!.image;
  if (image && mapping.request.image) {
    writeConstants(body, mapping.request.image.constants);
    const encoded =
      mapping.request.image.encoding === "base64"
        ? image.base64
        : `data:${image.mediaType};base64,${image.base64}`;
    writePointer(
      body,
      mapping.request.image.to,
      mapping.request.image.encoding === "data-uri-list" ? [encoded] : encoded,
    );
  }
  return body;
}

/** Input tokens of one answer: the body field the spec names, else Bedrock's token-count header. */
function readInputTokens(answer: InvokeAnswer, mapping: EmbeddingsMapping): number {
  const source = mapping.response.prompt_tokens;
  const headers = answer.headers;
  const fromBody =
    typeof source === "string"
      ? readPointer(answer.body, source)
      : source
        ? headers?.[source.header]
        : undefined;
  return Number(fromBody ?? headers?.["x-amzn-bedrock-input-token-count"] ?? 0) || 0;
}

interface BatchResult {
  /** The answer's vectors (floats), one per input; undefined when it answers by type only. */
  readonly vectors: number[][] | undefined;
  /** The answer's vectors by type, when it answers so. */
  readonly byType: Map<string, number[][]> | undefined;
  readonly tokens: number;
  readonly images: number;
}

/** Reads one batch's answer; every list of vectors it holds must have one vector per input. */
function readBatchAnswer(
  answer: InvokeAnswer,
  mapping: EmbeddingsMapping,
  batch: Batch,
  model: string,
): BatchResult {
  const expected = batch.items.length;
  const vectors = findVectors(answer.body, mapping);
  const byType = readVectorsByType(answer.body, mapping);
  if (!vectors && !byType) throw noVectorsError(mapping, expected);
  for (const [type, list] of [["float", vectors] as const, ...(byType ?? [])]) {
    if (list && list.length !== expected)
      throw new ResponseParseError(`${model} returned ${list.length} ${type} vectors for ${expected} inputs`);
  }
  return {
    vectors,
    byType,
    tokens: readInputTokens(answer, mapping),
    images: batch.items.filter((item) => item.image).length,
  };
}

/**
 * The vector types listed one entry per type and input (each with its `type`, as LiteLLM lists Cohere's
 * embeddings_by_type answers: tests/test_litellm/llms/bedrock/embed/test_bedrock_embedding.py
 * test_bedrock_cohere_v4_embedding_response_parsing): when the caller asked for a type other than floats, or
 * the answer holds several types. Undefined: plain float vectors, as OpenAI lists them.
 */
function listedTypes(results: readonly BatchResult[], encoding: Encoding): string[] | undefined {
  const answered = results.find((result) => result.byType)?.byType;
  if (!answered) return undefined;
  const askedOther = encoding.types.some((type) => type !== "float");
  if (!askedOther && answered.size < 2) return undefined;
  return encoding.types.length > 0 ? [...encoding.types] : [...answered.keys()];
}

/** The OpenAI-shaped list of every batch's vectors, in input order (by type first when typed), with the tokens and images counted. */
function collectEmbeddings(
  batches: readonly Batch[],
  results: readonly BatchResult[],
  encoding: Encoding,
  model: string,
): { data: CreateEmbeddingResponse["data"]; tokens: number; images: number } {
  const data: CreateEmbeddingResponse["data"] = [];
  const types = listedTypes(results, encoding);
  const encode = (vector: number[], type: string) =>
    encoding.base64 && type === "float" ? toBase64Floats(vector) : vector;
  for (const type of types ?? ["float"]) {
    results.forEach((result, batchIndex) => {
      const vectors = types ? result.byType?.get(type) : (result.vectors ?? result.byType?.get("float"));
      if (!vectors) throw new ResponseParseError(`${model} answered no ${type} vectors`);
      vectors.forEach((vector, offset) => {
        const index = batches[batchIndex]!.start + offset;
        data.push(
          types
            ? { object: "embedding", index, embedding: encode(vector, type), type }
            : { object: "embedding", index, embedding: encode(vector, type) },
        );
      });
    });
  }
  let tokens = 0;
  let images = 0;
  for (const result of results) {
    tokens += result.tokens;
    images += result.images;
  }
  return { data, tokens, images };
}

/** The usage of an embeddings call; images embedded are counted as LiteLLM counts them (`image_count`). */
function buildEmbeddingUsage(
  tokens: number,
  images: number,
  cost: number | null,
): CreateEmbeddingResponse["usage"] {
  return {
    prompt_tokens: tokens,
    total_tokens: tokens,
    cost,
    ...(images > 0 ? { prompt_tokens_details: { image_count: images } } : {}),
  };
}

/**
 * Request fields LiteLLM strips from embedding bodies: `cache_control_injection_points` belongs to chat
 * (test_bedrock_embedding_strips_cache_control_injection_points; Bedrock answers "extraneous key
 * [cache_control_injection_points] is not permitted").
 */
function withoutChatOnlyFields(
  request: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  if (request.cache_control_injection_points === undefined) return request;
  const { cache_control_injection_points: _chatOnly, ...rest } = request;
  return rest;
}

/** Embeds one input or many, split into calls by the family's per-call limit and sent with a concurrency bound. */
export async function createEmbeddings(call: EmbeddingsCall): Promise<CreateEmbeddingResponse> {
  const request = withoutChatOnlyFields(call.request);
  const { resolved, entry, descriptor } = await resolveOperation(request, call.region, "embeddings", call);
  const mapping = descriptor.embeddings!;
  const items = normalizeInputs(request.input, entry.id, mapping.request.image !== undefined);
  requireSupportedDimensions(request, entry);
  const encoding = readEncoding(request, entry);
  if (items.some((item) => item.image) && !mapping.request.image) {
    throw new RequestValidationError(
      `${entry.id} embeds text only; image inputs need a multimodal embedding model`,
      {
        param: "input",
        model: entry.id,
      },
    );
  }
  refuseTextBesideImage(request.input, items, mapping, entry.id);
  const batches = splitIntoBatches(items, mapping.request.input.per_call);
  const template: Record<string, unknown> = {};
  writeConstants(template, mapping.request.constants);
  applyBodyParams(
    request,
    template,
    call,
    { kind: "embeddings", entry, descriptor },
    paramTableFor(mapping.request.params, entry),
  );
  writeVectorTypes(template, encoding, mapping, entry);

  const metadata = invokeRequestMetadata(request.requestMetadata, entry.id);
  const concurrency = Math.max(1, Math.min(64, (request.concurrency as number | undefined) ?? 8));
  const results = await mapBounded(batches, concurrency, async (batch): Promise<BatchResult> => {
    const answer = await invokeJson(call.client, call.options, {
      modelId: resolved.wireModelId,
      body: buildBatchBody(template, batch, mapping),
      model: entry.id,
      what: `the ${entry.id} embeddings response`,
      ...metadata,
    });
    checkAnswer(
      answer.body,
      descriptor.response_reads?.embeddings,
      `the ${entry.id} embeddings response`,
      entry.id,
    );
    return readBatchAnswer(answer, mapping, batch, entry.id);
  });

  const { data, tokens, images } = collectEmbeddings(batches, results, encoding, entry.id);
  const price = resolvePrice(entry, resolved.profile, resolved.arnRegion ?? call.region);
  return {
    object: "list",
    data,
    model: resolved.displayName,
    usage: buildEmbeddingUsage(
      tokens,
      images,
      computeEmbeddingCost(price, tokens, images, batches.length - images),
    ),
  };
}
