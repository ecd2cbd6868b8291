/**
 * Images for any family with an `images` mapping: `n` valid PNGs of the requested width × height (or of
 * the requested aspect ratio at a small base size), base64 at `images.response.images`, with seeds and
 * finish reasons where the family writes them (`*` segments write one element per image).
 *
 * Pixel cap: images above `maxPixels` (default 1024 × 1024) are scaled down keeping the aspect ratio, so
 * a 2048 × 2048 request gets a 1024 × 1024 PNG. Aspect-ratio requests use a 64-pixel base for the short side.
 */
import type { CatalogEntry, FamilyDescriptor } from "../../runtime/descriptor.js";
import { readPointer, writePointer } from "../../runtime/pointer.js";
import { encodePng } from "./png.js";
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

  let width = defaults.width;
  let height = defaults.height;
  const size = mapping.request.size;
  if ("width" in size) {
    width = numberAt(body, size.width) ?? width;
    height = numberAt(body, size.height) ?? height;
  } else {
    const ratio = readPointer(body, size.aspect_ratio);
    const match = typeof ratio === "string" ? /^(\d+):(\d+)$/.exec(ratio) : null;
    if (match) {
      const a = Number(match[1]);
      const b = Number(match[2]);
      const scale = ASPECT_BASE / Math.min(a, b);
      width = Math.round(a * scale);
      height = Math.round(b * scale);
    }
  }
  width = Math.max(1, Math.floor(width));
  height = Math.max(1, Math.floor(height));
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  if (width * height > maxPixels) {
    const scale = Math.sqrt(maxPixels / (width * height));
    width = Math.max(1, Math.floor(width * scale));
    height = Math.max(1, Math.floor(height * scale));
  }

  const params = mapping.request.params;
  const count = Math.max(1, Math.min(10, Math.floor(numberAt(body, params.n?.to) ?? 1)));
  const requestedSeed = numberAt(body, params.seed?.to);
  const seeds = Array.from({ length: count }, (_, index) =>
    requestedSeed !== undefined
      ? requestedSeed + index
      : Number.parseInt(digest([promptText, index], 8), 16) % 4294967295,
  );
  const images = seeds.map((seed) => encodePng(width, height, seed).toString("base64"));

  const response: Json = {};
  writeEach(response, mapping.response.images, images);
  if (mapping.response.seeds) writeEach(response, mapping.response.seeds, seeds);
  if (mapping.response.finish_reasons) {
    const values = mapping.response.success_values;
    const success = values && values.length > 0 ? values[0] : "SUCCESS";
    writeEach(
      response,
      mapping.response.finish_reasons,
      seeds.map(() => success),
    );
  }
  return response;
}
