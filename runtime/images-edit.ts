/**
 * OpenAI's `images.edit` over Bedrock's image-edit models (Stability AI's Image Services): the request's
 * images, mask, prompt and size go where the family's `images_edit` mapping says, every other field
 * through the mapping's param table. A family that writes no `n` makes one image per call, so `n` images
 * are `n` calls.
 */
import { runtimeImageEditParams } from "../generated/params.js";
import type { ImagesEditMapping } from "../generated/spec-types.js";
import { checkAnswer } from "./answer-check.js";
import { parseDataUrl } from "./chat/normalize.js";
import type { CatalogEntry } from "./descriptor.js";
import { RequestValidationError } from "./errors.js";
import { resolveOperation } from "./families.js";
import { priceImages, readImages, requireBase64Format, writeSize } from "./images.js";
import { applyBodyParams, paramTableFor } from "./params.js";
import { writeConstants, writePointer } from "./pointer.js";
import { invokeJson, type OperationCall } from "./send.js";
import type { BehaviourOptions, ImagesResponse } from "./types.js";

/** Fields this module writes or answers itself; the rest of a request goes through the param table. */
const handledHere: ReadonlySet<string> = new Set([...runtimeImageEditParams, "prompt", "stream"]);

/** OpenAI's limit on `n` for image edits ("between 1 and 10"), for families that make one image per call. */
const maxEditImages = 10;

type FetchImage = NonNullable<BehaviourOptions["fetchImage"]>;

/** The formats Stability's image services take (jpeg, png, webp), told apart by their first bytes. */
export function detectImageFormat(bytes: Uint8Array): "png" | "jpeg" | "webp" | undefined {
  const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (starts(0xff, 0xd8, 0xff)) return "jpeg";
  // RIFF....WEBP
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.subarray(8, 12)) === "WEBP")
    return "webp";
  return undefined;
}

function fail(message: string, param: string, model: string, code?: string): never {
  throw new RequestValidationError(message, { param, model, ...(code ? { code } : {}) });
}

/** Strict base64 (the standard alphabet, padded or not, whitespace ignored) decoded, or undefined. */
function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, "");
  if (compact === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) return undefined;
  return Buffer.from(compact, "base64");
}

/** The bytes of one input image given as bytes, a Blob, base64, a data URL or (with fetchImage) an http(s) URL. */
async function readImageBytes(
  value: unknown,
  param: string,
  model: string,
  fetchImage: FetchImage | undefined,
): Promise<Buffer> {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof Blob) return Buffer.from(await value.arrayBuffer());
  if (typeof value !== "string")
    fail(`${param} must be image bytes, base64 text or a data:image/…;base64 URL`, param, model);
  if (value.startsWith("data:")) {
    const data = parseDataUrl(value);
    if (!data?.mediaType.startsWith("image/"))
      fail(
        `${param} must be a data:image/…;base64 URL (got a ${data?.mediaType ?? "malformed"} data URL)`,
        param,
        model,
      );
    const bytes = decodeBase64(data.base64);
    if (!bytes) fail(`${param}: the data URL's base64 is not valid`, param, model);
    return bytes;
  }
  if (/^https?:\/\//i.test(value)) {
    if (!fetchImage) {
      fail(
        `${param}: an http(s) image URL is not fetched implicitly. Pass the image's bytes, base64 or a data: URL, or give a fetchImage function.`,
        param,
        model,
      );
    }
    return Buffer.from((await fetchImage(value)).bytes);
  }
  const bytes = decodeBase64(value);
  if (!bytes) fail(`${param} is not valid base64 (nor a data: or http(s) URL)`, param, model);
  return bytes;
}

/** One input image as the base64 a native body carries, refused unless it is a PNG, JPEG or WebP image. */
async function readInputImage(
  value: unknown,
  param: string,
  model: string,
  fetchImage: FetchImage | undefined,
): Promise<string> {
  const bytes = await readImageBytes(value, param, model, fetchImage);
  if (!detectImageFormat(bytes))
    fail(`${param} is not a PNG, JPEG or WebP image (${model} takes those)`, param, model, "invalid_image");
  return bytes.toString("base64");
}

/** The request's images, exactly as many as the family has places for. */
async function readInputImages(
  request: Readonly<Record<string, unknown>>,
  mapping: ImagesEditMapping,
  model: string,
  fetchImage: FetchImage | undefined,
): Promise<string[]> {
  const given = request.image;
  if (given === undefined || given === null)
    fail("image is required: the image to edit", "image", model, "missing_required_parameter");
  const list = Array.isArray(given) ? given : [given];
  const places = mapping.request.images.to;
  if (list.length !== places.length) {
    const fields = places.map((pointer) => pointer.slice(1)).join(", then ");
    fail(
      `${model} takes exactly ${places.length} image${places.length === 1 ? "" : "s"} (${fields}); got ${list.length}`,
      "image",
      model,
      "invalid_param_value",
    );
  }
  return Promise.all(
    list.map((value, index) =>
      readInputImage(value, Array.isArray(given) ? `image[${index}]` : "image", model, fetchImage),
    ),
  );
}

const droppedPrompts = new Set<string>();

/** Writes the prompt where the family takes one; a family without one drops it with a warning (once per model). */
function writeEditPrompt(
  body: Record<string, unknown>,
  mapping: ImagesEditMapping,
  call: OperationCall,
  model: string,
): void {
  const prompt = call.request.prompt;
  if (prompt !== undefined && prompt !== null && typeof prompt !== "string")
    fail("prompt must be a string", "prompt", model);
  const text = typeof prompt === "string" && prompt.trim() !== "" ? prompt : undefined;
  const target = mapping.request.prompt;
  if (!target) {
    if (text !== undefined && !droppedPrompts.has(model)) {
      if (droppedPrompts.size > 1000) droppedPrompts.clear();
      droppedPrompts.add(model);
      call.warn(`bedrock-forge: dropping prompt for ${model}: the model takes no prompt`);
    }
    return;
  }
  if (text === undefined) {
    if (target.required)
      fail(
        `prompt must be a non-empty string: ${model} needs one`,
        "prompt",
        model,
        "missing_required_parameter",
      );
    return;
  }
  writePointer(body, target.to, text);
}

/** Writes the mask where the family takes one; a mask for a family without one is refused. */
async function writeMask(
  body: Record<string, unknown>,
  mapping: ImagesEditMapping,
  request: Readonly<Record<string, unknown>>,
  model: string,
  fetchImage: FetchImage | undefined,
): Promise<void> {
  const mask = request.mask;
  const target = mapping.request.mask;
  if (mask === undefined || mask === null) {
    if (target?.required) fail(`mask is required by ${model}`, "mask", model, "missing_required_parameter");
    return;
  }
  if (!target)
    fail(`mask is not supported by ${model}: it takes no mask`, "mask", model, "unsupported_param");
  writePointer(body, target.to, await readInputImage(mask, "mask", model, fetchImage));
}

/** The negative prompt, where the family takes one. */
function writeNegativePrompt(
  body: Record<string, unknown>,
  mapping: ImagesEditMapping,
  request: Readonly<Record<string, unknown>>,
  model: string,
): void {
  const negative = request.negative_prompt;
  if (negative === undefined || negative === null) return;
  if (typeof negative !== "string") fail("negative_prompt must be a string", "negative_prompt", model);
  const target = mapping.request.negative_prompt;
  if (!target)
    fail(`negative_prompt is not supported by ${model}`, "negative_prompt", model, "unsupported_param");
  writePointer(body, target.to, negative);
}

/** The size as the family's aspect ratio or width and height; without a size mapping the output follows the input. */
function writeEditSize(
  body: Record<string, unknown>,
  mapping: ImagesEditMapping,
  call: OperationCall,
  entry: CatalogEntry,
): void {
  const size = call.request.size;
  if (size === undefined || size === null) return;
  if (typeof size !== "string") fail('size must be a string like "1024x1024"', "size", entry.id);
  if (mapping.request.size) {
    writeSize(body, mapping.request.size, entry, size);
    return;
  }
  const message = `size is not supported by ${entry.id}: the result's size follows the input image`;
  if (!call.dropParams)
    fail(
      `${message}. Remove it, or set drop_params: true to drop unsupported params.`,
      "size",
      entry.id,
      "unsupported_param",
    );
  call.warn(`bedrock-forge: dropping size for ${entry.id}: ${message} (drop_params)`);
}

/** Every `any_of_params` group needs one of its params in the request. */
function requireOneOfEachGroup(
  request: Readonly<Record<string, unknown>>,
  mapping: ImagesEditMapping,
  model: string,
): void {
  for (const group of mapping.request.any_of_params ?? []) {
    if (group.some((name) => request[name] !== undefined && request[name] !== null)) continue;
    fail(
      `${model} needs at least one of ${group.join(", ")}`,
      group[0]!,
      model,
      "missing_required_parameter",
    );
  }
}

/** How many images were asked for (`n`): 1 to the model's `max_images`, else OpenAI's 10. */
function readEditCount(request: Readonly<Record<string, unknown>>, entry: CatalogEntry): number {
  const count = request.n ?? 1;
  const limit = entry.image?.max_images ?? maxEditImages;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > limit)
    fail(
      `n=${String(count)} is not supported by ${entry.id}: use 1 to ${limit}`,
      "n",
      entry.id,
      "invalid_param_value",
    );
  return count;
}

/** Edits images with an image-edit model; results are base64 (`data[].b64_json`) with the cost per image. */
export async function editImages(call: OperationCall): Promise<ImagesResponse> {
  const { request } = call;
  const { resolved, entry, descriptor } = await resolveOperation(request, call.region, "images-edit", call);
  const mapping = descriptor.images_edit!;
  const model = entry.id;
  if (request.stream === true)
    fail(
      `streaming image edits are not supported: ${model} returns whole images`,
      "stream",
      model,
      "unsupported_param",
    );
  requireBase64Format(request, model);
  const table = paramTableFor(mapping.request.params, entry);
  const count = readEditCount(request, entry);
  // Families that make one image per call (no `n` rule) get n calls.
  const calls = table.n ? 1 : count;
  const fetchImage = request.fetchImage as FetchImage | undefined;

  const body: Record<string, unknown> = {};
  writeConstants(body, mapping.request.constants);
  const images = await readInputImages(request, mapping, model, fetchImage);
  mapping.request.images.to.forEach((pointer, index) => writePointer(body, pointer, images[index]));
  await writeMask(body, mapping, request, model, fetchImage);
  writeEditPrompt(body, mapping, call, model);
  writeNegativePrompt(body, mapping, request, model);
  writeEditSize(body, mapping, call, entry);
  requireOneOfEachGroup(request, mapping, model);
  const params = Object.fromEntries(
    Object.entries(request).filter(([name]) => !handledHere.has(name) && !(name === "n" && calls > 1)),
  );
  applyBodyParams(params, body, call, { kind: "images-edit", entry, descriptor }, table);

  const responses = await Promise.all(
    Array.from({ length: calls }, async () => {
      const answer = await invokeJson(call.client, call.options, {
        modelId: resolved.wireModelId,
        body,
        model,
        what: `the ${model} image response`,
      });
      checkAnswer(answer.body, descriptor.response_reads?.images_edit, `the ${model} image response`, model);
      return answer.body;
    }),
  );
  const data = responses.flatMap((response) => readImages(response, mapping.response, model));
  return {
    created: Math.floor(Date.now() / 1000),
    data,
    model: resolved.displayName,
    usage: { images: data.length, cost: priceImages(call, resolved, entry, table, data.length) },
  };
}
