/**
 * Embeddings for any family with an `embeddings` mapping: deterministic vectors (the same text always
 * gives the same vector) of the requested dimensions, unit-normalized when the request asks for it or
 * when the family normalizes by default (a `normalize` param the model accepts, default true, as Titan
 * V2 documents), written at the first `embeddings.response.vectors` pointer: one vector for `per_call: 1`,
 * a list of vectors otherwise. The input token count goes to `prompt_tokens`.
 */
import { createHash } from "node:crypto";
import type { CatalogEntry, FamilyDescriptor } from "../../runtime/descriptor.js";
import { readPointer, writePointer } from "../../runtime/pointer.js";
import { countTokens } from "./text.js";

type Json = Record<string, unknown>;

/** A deterministic vector for a text (values in [-1, 1], 6 significant digits). */
export function embedText(text: string, dimensions: number, normalize: boolean): number[] {
  const vector: number[] = new Array(dimensions);
  let block = Buffer.alloc(0);
  let counter = 0;
  for (let index = 0; index < dimensions; index++) {
    const offset = (index * 4) % 32;
    if (offset === 0) block = createHash("sha256").update(`${counter++}:${text}`).digest();
    vector[index] = block.readInt32BE(offset) / 0x80000000;
  }
  if (normalize) {
    const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
    for (let index = 0; index < dimensions; index++) vector[index] = vector[index]! / norm;
  }
  return vector.map((value) => Number(value.toPrecision(6)));
}

function isPointer(source: unknown): source is string {
  return typeof source === "string" && source.startsWith("/");
}

/** The effective policy of a param for a model (the model's params overlay the family's). */
function paramRule(descriptor: FamilyDescriptor, entry: CatalogEntry, name: string) {
  const family = descriptor.embeddings?.request.params[name];
  const model = entry.params?.[name];
  if (!family && !model) return undefined;
  return { ...family, ...model };
}

export interface EmbeddingsAnswer {
  readonly body: Json;
  readonly inputTokens: number;
}

/** The InvokeModel answer of an embeddings model. */
export function buildEmbeddingsResponse(
  body: Json,
  descriptor: FamilyDescriptor,
  entry: CatalogEntry,
): EmbeddingsAnswer {
  const mapping = descriptor.embeddings!;
  const rawInput = readPointer(body, mapping.request.input.to);
  const rawImage = mapping.request.image ? readPointer(body, mapping.request.image.to) : undefined;
  let inputs: string[] = Array.isArray(rawInput)
    ? rawInput.map(String)
    : rawInput !== undefined
      ? [String(rawInput)]
      : [];
  if (inputs.length === 0 && rawImage !== undefined) {
    inputs = Array.isArray(rawImage) ? rawImage.map(String) : [String(rawImage)];
  }
  if (inputs.length === 0) inputs = [""];

  const dimensionsRule = paramRule(descriptor, entry, "dimensions");
  const requested =
    dimensionsRule?.to && dimensionsRule.policy !== "drop" && dimensionsRule.policy !== "reject"
      ? readPointer(body, dimensionsRule.to)
      : undefined;
  const dimensions =
    typeof requested === "number" && requested > 0
      ? requested
      : (entry.embedding?.default_dimensions ?? entry.embedding?.dimensions[0] ?? 1024);

  const normalizeRule = paramRule(descriptor, entry, "normalize");
  let normalize = false;
  if (normalizeRule && normalizeRule.policy !== "drop" && normalizeRule.policy !== "reject") {
    const asked = normalizeRule.to ? readPointer(body, normalizeRule.to) : undefined;
    normalize = typeof asked === "boolean" ? asked : normalizeRule.default !== false;
  }

  const vectors = inputs.map((text) => embedText(text, dimensions, normalize));
  const response: Json = {};
  writePointer(
    response,
    mapping.response.vectors[0]!,
    mapping.request.input.per_call === 1 ? vectors[0] : vectors,
  );
  const inputTokens = inputs.reduce((sum, text) => sum + Math.max(1, countTokens(text)), 0);
  if (isPointer(mapping.response.prompt_tokens))
    writePointer(response, mapping.response.prompt_tokens, inputTokens);
  return { body: response, inputTokens };
}
