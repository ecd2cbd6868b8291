/**
 * Images for any family with an `images` or `images_edit` mapping: `n` valid PNGs of the requested
 * width × height (or of the requested aspect ratio at a small base size; an edit's input size), base64 at
 * the response mapping's `images`, with seeds and finish reasons where the family writes them (`*`
 * segments write one element per image).
 *
 * Pixel cap: images above `maxPixels` (default 1024 × 1024) are scaled down keeping the aspect ratio, so
 * a 2048 × 2048 request gets a 1024 × 1024 PNG. Aspect-ratio requests use a 64-pixel base for the short side.
 */
import type { ImagesResponseMapping } from "../../generated/spec-types.js";
import type { CatalogEntry, FamilyDescriptor } from "../../runtime/descriptor.js";
import { readPointer, writePointer } from "../../runtime/pointer.js";
import { encodePng, readPngSize } from "./png.js";
import { digest } from "./text.js";

type Json = Record<string, unknown>;

export const DEFAULT_MAX_IMAGE_PIXELS = 1024 * 1024;
const ASPECT_BASE = 64;

function numberAt(body: Json, pointer: string | undefined): number | undefined {
  if (!pointer) return undefined;
  const value = readPointer(body, pointer);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function parseSize(size: string | undefined): { width: number; height: number } | undefined {
  const match = size ? /^(\d+)x(\d+)$/.exec(size) : null;
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

/** Writes one value per image: at `pointer` as a list, or per element when the pointer has a `*`. */
function writeEach(target: Json, pointer: string, values: unknown[]): void {
  const star = pointer.indexOf("/*");
  if (star < 0) {
    writePointer(target, pointer, values);
    return;
  }
  const prefix = pointer.slice(0, star);
  const suffix = pointer.slice(star + 2);
  if (!Array.isArray(readPointer(target, prefix))) writePointer(target, prefix, []);
  values.forEach((value, index) => {
    if (suffix) writePointer(target, `${prefix}/${index}${suffix}`, value);
    else writePointer(target, `${prefix}/${index}`, value);
  });
}

export interface ImagesOptions {
  readonly maxPixels?: number;
}

/** Width and height scaled down, keeping the aspect ratio, to at most `maxPixels` pixels. */
function capPixels(width: number, height: number, maxPixels: number): { width: number; height: number } {
  let w = Math.max(1, Math.floor(width));
  let h = Math.max(1, Math.floor(height));
  if (w * h > maxPixels) {
    const scale = Math.sqrt(maxPixels / (w * h));
    w = Math.max(1, Math.floor(w * scale));
    h = Math.max(1, Math.floor(h * scale));
  }
  return { width: w, height: h };
}

/** An aspect ratio "A:B" at the base size for its short side. */
function sizeOfAspectRatio(ratio: unknown): { width: number; height: number } | undefined {
  const match = typeof ratio === "string" ? /^(\d+):(\d+)$/.exec(ratio) : null;
  if (!match) return undefined;
  const a = Number(match[1]);
  const b = Number(match[2]);
  const scale = ASPECT_BASE / Math.min(a, b);
  return { width: Math.round(a * scale), height: Math.round(b * scale) };
}

/** `count` PNGs of the size with their seeds and finish reasons, where the response mapping puts them. */
function writeImagesAnswer(
  mapping: ImagesResponseMapping,
  size: { width: number; height: number },
  seeds: readonly number[],
): Json {
  const images = seeds.map((seed) => encodePng(size.width, size.height, seed).toString("base64"));
  const response: Json = {};
  writeEach(response, mapping.images, images);
  if (mapping.seeds) writeEach(response, mapping.seeds, [...seeds]);
  if (mapping.finish_reasons) {
    const values = mapping.success_values;
    const success = values && values.length > 0 ? values[0] : "SUCCESS";
    writeEach(
      response,
      mapping.finish_reasons,
      seeds.map(() => success),
    );
  }
  return response;
}

/** The seeds of `count` images: from the requested seed on, else derived from what the request says. */
function seedsFor(requested: number | undefined, text: string, count: number): number[] {
  return Array.from({ length: count }, (_, index) =>
    requested !== undefined ? requested + index : Number.parseInt(digest([text, index], 8), 16) % 4294967295,
  );
}

/** The InvokeModel answer of an image model. */
export function buildImagesResponse(
  body: Json,
  descriptor: FamilyDescriptor,
  entry: CatalogEntry,
  options: ImagesOptions = {},
): Json {
  const mapping = descriptor.images!;
  const prompt = readPointer(body, mapping.request.prompt.to);
  const promptText = typeof prompt === "string" ? prompt : JSON.stringify(prompt ?? "");
  const defaults = parseSize(entry.image?.default_size) ?? { width: 1024, height: 1024 };

  let size = defaults;
  const target = mapping.request.size;
  if ("width" in target) {
    size = {
      width: numberAt(body, target.width) ?? defaults.width,
      height: numberAt(body, target.height) ?? defaults.height,
    };
  } else {
    size = sizeOfAspectRatio(readPointer(body, target.aspect_ratio)) ?? size;
  }
  const params = mapping.request.params;
  const count = Math.max(1, Math.min(10, Math.floor(numberAt(body, params.n?.to) ?? 1)));
  const seeds = seedsFor(numberAt(body, params.seed?.to), promptText, count);
  return writeImagesAnswer(
    mapping.response,
    capPixels(size.width, size.height, options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS),
    seeds,
  );
}

/**
 * The InvokeModel answer of an image-edit model: one PNG as large as the first input image (when it is a
 * PNG; else the model's default size or 1024 × 1024), at the requested aspect ratio for families that map
 * one, with the requested seed.
 */
export function buildImagesEditResponse(
  body: Json,
  descriptor: FamilyDescriptor,
  entry: CatalogEntry,
  options: ImagesOptions = {},
): Json {
  const mapping = descriptor.images_edit!;
  const first = readPointer(body, mapping.request.images.to[0]!);
  const input = typeof first === "string" ? readPngSize(Buffer.from(first, "base64")) : undefined;
  let size = input ?? parseSize(entry.image?.default_size) ?? { width: 1024, height: 1024 };
  const target = mapping.request.size;
  if (target && "aspect_ratio" in target)
    size = sizeOfAspectRatio(readPointer(body, target.aspect_ratio)) ?? size;
  else if (target) {
    size = {
      width: numberAt(body, target.width) ?? size.width,
      height: numberAt(body, target.height) ?? size.height,
    };
  }
  const prompt = mapping.request.prompt ? readPointer(body, mapping.request.prompt.to) : undefined;
  const text = `${typeof prompt === "string" ? prompt : ""}\u0000${typeof first === "string" ? first.slice(0, 256) : ""}`;
  const params = mapping.request.params;
  const count = Math.max(1, Math.min(10, Math.floor(numberAt(body, params.n?.to) ?? 1)));
  const seeds = seedsFor(numberAt(body, params.seed?.to), text, count);
  return writeImagesAnswer(
    mapping.response,
    capPixels(size.width, size.height, options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS),
    seeds,
  );
}
