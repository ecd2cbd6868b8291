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

function normalizeInputs(input: unknown, model: string): InputItem[] {
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
      return { text: item };
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

function readVectors(body: unknown, mapping: EmbeddingsMapping, expected: number): number[][] {
  for (const pointer of mapping.response.vectors) {
    const value = readPointer(body, pointer);
    if (!Array.isArray(value) || value.length === 0) continue;
    if (typeof value[0] === "number") return [value as number[]];
    if (Array.isArray(value[0])) return value as number[][];
  }
  throw new ResponseParseError(
    `the embeddings response has no vectors at ${mapping.response.vectors.join(" or ")} (expected ${expected})`,
  );
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

/** OpenAI's `encoding_format`: float vectors, or base64 of little-endian float32s. */
function readEncoding(request: Readonly<Record<string, unknown>>, model: string): "float" | "base64" {
  const encoding = (request.encoding_format as string | undefined) ?? "float";
  if (encoding !== "float" && encoding !== "base64") {
    throw new RequestValidationError(
      `encoding_format must be "float" or "base64" (got ${JSON.stringify(encoding)})`,
      { param: "encoding_format", model },
    );
  }
  return encoding;
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
  readonly vectors: number[][];
  readonly tokens: number;
  readonly images: number;
}

/** The OpenAI-shaped list of every batch's vectors, in input order, with the tokens and images counted. */
function collectEmbeddings(
  batches: readonly Batch[],
  results: readonly BatchResult[],
  encoding: "float" | "base64",
): { data: CreateEmbeddingResponse["data"]; tokens: number; images: number } {
  const data: CreateEmbeddingResponse["data"] = [];
  let tokens = 0;
  let images = 0;
  results.forEach((result, batchIndex) => {
    tokens += result.tokens;
    images += result.images;
    result.vectors.forEach((vector, offset) => {
      data.push({
        object: "embedding",
        index: batches[batchIndex]!.start + offset,
        embedding: encoding === "base64" ? toBase64Floats(vector) : vector,
      });
    });
  });
  return { data, tokens, images };
}

/** Embeds one input or many, split into calls by the family's per-call limit and sent with a concurrency bound. */
export async function createEmbeddings(call: EmbeddingsCall): Promise<CreateEmbeddingResponse> {
  const { request } = call;
  const { resolved, entry, descriptor } = await resolveOperation(request, call.region, "embeddings", call);
  const mapping = descriptor.embeddings!;
  const items = normalizeInputs(request.input, entry.id);
  requireSupportedDimensions(request, entry);
  const encoding = readEncoding(request, entry.id);
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
    const vectors = readVectors(answer.body, mapping, batch.items.length);
    if (vectors.length !== batch.items.length) {
      throw new ResponseParseError(
        `${entry.id} returned ${vectors.length} vectors for ${batch.items.length} inputs`,
      );
    }
    return { vectors, tokens: readInputTokens(answer, mapping), images: batch.items[0]!.image ? 1 : 0 };
  });

  const { data, tokens, images } = collectEmbeddings(batches, results, encoding);
  const price = resolvePrice(entry, resolved.profile, resolved.arnRegion ?? call.region);
  return {
    object: "list",
    data,
    model: resolved.displayName,
    usage: {
      prompt_tokens: tokens,
      total_tokens: tokens,
      cost: computeEmbeddingCost(price, tokens, images, batches.length - images),
    },
  };
}
