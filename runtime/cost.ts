import type { ImagePrice, Price, PriceFields, ProfilePrefix } from "../generated/spec-types.js";
import type { CatalogEntry } from "./descriptor.js";

/** The model's price with the override for its region or cross-region profile applied (profile wins over region). */
export function resolvePrice(
  entry: CatalogEntry,
  profile: ProfilePrefix | undefined,
  region: string | undefined,
): PriceFields {
  const price: Price = entry.price;
  const { overrides, ...base } = price as Price & { overrides?: Price["overrides"] };
  let resolved: PriceFields = base;
  for (const override of overrides ?? []) {
    if (override.region && override.region === region && !override.profile)
      resolved = { ...resolved, ...stripKeys(override) };
  }
  for (const override of overrides ?? []) {
    const regionMatches = !override.region || override.region === region;
    if (override.profile && override.profile === profile && regionMatches)
      resolved = { ...resolved, ...stripKeys(override) };
  }
  return resolved;
}

function stripKeys(override: object): PriceFields {
  const {
    region: _region,
    profile: _profile,
    ...fields
  } = override as PriceFields & { region?: string; profile?: string };
  return fields;
}

/** USD rounded to 1e-10, so sums of small prices do not print float noise. */
function roundUsd(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

interface TokenCounts {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens?: number;
  readonly cacheWriteTokens?: number;
}

/** Cost of a chat call in USD; `null` when the catalog has no token prices for the model. */
export function computeChatCost(price: PriceFields | undefined, tokens: TokenCounts): number | null {
  if (!price || (price.input_per_mtok === undefined && price.output_per_mtok === undefined)) return null;
  const input = price.input_per_mtok ?? 0;
  const cacheRead = price.cache_read_per_mtok ?? input;
  const cacheWrite = price.cache_write_per_mtok ?? input;
  const total =
    tokens.inputTokens * input +
    (tokens.cacheReadTokens ?? 0) * cacheRead +
    (tokens.cacheWriteTokens ?? 0) * cacheWrite +
    tokens.outputTokens * (price.output_per_mtok ?? 0);
  return roundUsd(total / 1_000_000);
}

/**
 * Cost of an embeddings call in USD: tokens, plus input images for multimodal models, plus the InvokeModel
 * requests without an image for models Bedrock bills per request (TwelveLabs Marengo's texts).
 */
export function computeEmbeddingCost(
  price: PriceFields | undefined,
  tokens: number,
  images = 0,
  textRequests = 0,
): number | null {
  if (!price) return null;
  const perToken = price.embedding_per_mtok ?? price.input_per_mtok;
  if (perToken === undefined && price.per_image === undefined && price.per_request === undefined) return null;
  return roundUsd(
    (tokens * (perToken ?? 0)) / 1_000_000 +
      images * (price.per_image ?? 0) +
      textRequests * (price.per_request ?? 0),
  );
}

function pixels(size: string): number {
  const [width, height] = size.split("x").map(Number);
  return (width ?? 0) * (height ?? 0);
}

/**
 * Price of one generated image: the entry matching quality and size (an `up_to` size covers every
 * smaller image), preferring exact sizes, then the smallest covering size.
 */
function imagePrice(
  price: PriceFields | undefined,
  request: { size?: string; quality?: string; steps?: number },
): number | null {
  const table = price?.images;
  if (!table || table.length === 0) return null;
  const size = request.size;
  const candidates = table.filter((entry: ImagePrice) => {
    if (entry.quality !== undefined && entry.quality !== (request.quality ?? "standard")) return false;
    if (entry.steps_over !== undefined && !((request.steps ?? 0) > entry.steps_over)) return false;
    if (entry.size === undefined || size === undefined) return true;
    return entry.up_to ? pixels(size) <= pixels(entry.size) : entry.size === size;
  });
  if (candidates.length === 0) {
    const fallback = table.filter(
      (entry) =>
        entry.steps_over === undefined && (entry.quality ?? "standard") === (request.quality ?? "standard"),
    );
    return fallback.length > 0 ? Math.max(...fallback.map((entry) => entry.usd)) : null;
  }
  const score = (entry: ImagePrice) =>
    (entry.steps_over !== undefined ? 0 : 4) + (entry.size === size && !entry.up_to ? 0 : entry.size ? 1 : 2);
  const best = [...candidates].sort(
    (a, b) => score(a) - score(b) || pixels(a.size ?? "0x0") - pixels(b.size ?? "0x0"),
  )[0]!;
  return best.usd;
}

export function computeImageCost(
  price: PriceFields | undefined,
  count: number,
  request: { size?: string; quality?: string; steps?: number },
): number | null {
  const each = imagePrice(price, request);
  return each === null ? null : roundUsd(each * count);
}

/** Cost of a rerank call in USD: the per-query price times the queries billed (`null` without a per-query price). */
export function computeRerankCost(price: PriceFields | undefined, searchUnits: number): number | null {
  if (price?.per_query === undefined) return null;
  return roundUsd(price.per_query * searchUnits);
}
