import type {
  ImageSizeMapping,
  ImagesMapping,
  ImagesResponseMapping,
  ParamTable,
} from "../generated/spec-types.js";
import { checkAnswer } from "./answer-check.js";
import { invokeRequestMetadata } from "./call-members.js";
import { computeImageCost, resolvePrice } from "./cost.js";
import type { CatalogEntry } from "./descriptor.js";
import { ContentFilterError, RequestValidationError, ResponseParseError } from "./errors.js";
import { resolveOperation } from "./families.js";
import type { ResolvedModel } from "./models.js";
import { applyBodyParams, paramTableFor } from "./params.js";
import { readPointer, writeConstants, writePointer } from "./pointer.js";
import { invokeJson, type OperationCall } from "./send.js";
import type { ImagesResponse } from "./types.js";

type ImagesCall = OperationCall;

/** Fields the images interpreter writes itself; the rest go through the spec's param table. */
const handledHere = new Set(["prompt", "negative_prompt", "size", "response_format"]);

function parseSize(size: string, model: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (!match)
    throw new RequestValidationError(`size must be "WIDTHxHEIGHT" (got ${JSON.stringify(size)})`, {
      param: "size",
      model,
    });
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** The allowed aspect ratio closest to a size (compared on a log scale, so 2:1 and 1:2 are equally far from 1:1). */
function nearestAspectRatio(width: number, height: number, ratios: readonly string[]): string {
  const target = Math.log(width / height);
  let best = ratios[0]!;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const ratio of ratios) {
    const [w, h] = ratio.split(":").map(Number) as [number, number];
    const distance = Math.abs(Math.log(w / h) - target);
    if (distance < bestDistance) {
      best = ratio;
      bestDistance = distance;
    }
  }
  return best;
}

/** Writes a size ("WxH", else the model's default size) as the family's width and height or nearest aspect ratio. */
export function writeSize(
  body: Record<string, unknown>,
  target: ImageSizeMapping,
  entry: CatalogEntry,
  size: string | undefined,
): void {
  const requested = size ?? entry.image?.default_size;
  if (requested === undefined) return;
  const { width, height } = parseSize(requested, entry.id);
  if ("aspect_ratio" in target) {
    const ratios = entry.image?.aspect_ratios ?? [];
    if (ratios.length === 0)
      throw new RequestValidationError(`${entry.id} lists no aspect ratios`, {
        param: "size",
        model: entry.id,
      });
    writePointer(body, target.aspect_ratio, nearestAspectRatio(width, height, ratios));
    return;
  }
  const sizes = entry.image?.sizes;
  if (sizes && sizes.length > 0 && !sizes.includes(`${width}x${height}`)) {
    throw new RequestValidationError(
      `size ${width}x${height} is not supported by ${entry.id}: use one of ${sizes.join(", ")}`,
      {
        param: "size",
        model: entry.id,
        code: "invalid_param_value",
      },
    );
  }
  writePointer(body, target.width, width);
  writePointer(body, target.height, height);
}

function readList(body: unknown, pointer: string | undefined): unknown[] {
  if (!pointer) return [];
  const value = readPointer(body, pointer);
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The prompt, or a request error naming it. */
function readPrompt(request: Readonly<Record<string, unknown>>, model: string): string {
  const prompt = request.prompt;
  if (typeof prompt !== "string" || prompt.trim() === "") {
    throw new RequestValidationError("prompt must be a non-empty string", { param: "prompt", model });
  }
  return prompt;
}

/** Bedrock returns image bytes: `b64_json` is the only response format. */
export function requireBase64Format(request: Readonly<Record<string, unknown>>, model: string): void {
  const format = request.response_format as string | undefined;
  if (format !== undefined && format !== "b64_json") {
    throw new RequestValidationError(
      `response_format "${format}" is not supported: Bedrock returns image bytes, so results are b64_json`,
      { param: "response_format", model, code: "unsupported_param" },
    );
  }
}

/** How many images were asked for (`n`), checked against the model's limit. */
function readImageCount(request: Readonly<Record<string, unknown>>, entry: CatalogEntry): number {
  const count = (request.n as number | undefined) ?? 1;
  const maxImages = entry.image?.max_images;
  if (!Number.isInteger(count) || count < 1 || (maxImages !== undefined && count > maxImages)) {
    throw new RequestValidationError(
      `n=${count} is not supported by ${entry.id}: use 1 to ${maxImages ?? 1}`,
      {
        param: "n",
        model: entry.id,
        code: "invalid_param_value",
      },
    );
  }
  return count;
}

type ImagesRequestMapping = ImagesMapping["request"];

/** The task a request names, for a family with several task types. */
function readTask(
  request: Readonly<Record<string, unknown>>,
  mapping: ImagesRequestMapping,
  model: string,
): string | undefined {
  const tasks = mapping.tasks;
  if (!tasks) return undefined;
  const names = Object.keys(tasks.objects);
  const task = request[tasks.param] ?? tasks.default;
  if (typeof task !== "string" || !names.includes(task)) {
    throw new RequestValidationError(
      `${tasks.param} must be one of ${names.join(", ")} for ${model} (got ${JSON.stringify(task)})`,
      { param: tasks.param, model, code: "invalid_param_value" },
    );
  }
  return task;
}

/** The request mapping for a task: the prompt pointers moved from the default task's object to the task's. */
function mappingForTask(mapping: ImagesRequestMapping, task: string | undefined): ImagesRequestMapping {
  const tasks = mapping.tasks;
  if (!tasks || task === undefined) return mapping;
  const from = tasks.objects[tasks.default]!;
  const to = tasks.objects[task]!;
  if (from === to) return mapping;
  const move = (pointer: string) =>
    pointer.startsWith(`${from}/`) ? to + pointer.slice(from.length) : pointer;
  return {
    ...mapping,
    prompt: { ...mapping.prompt, to: move(mapping.prompt.to) },
    ...(mapping.negative_prompt?.to
      ? { negative_prompt: { ...mapping.negative_prompt, to: move(mapping.negative_prompt.to) } }
      : {}),
  };
}

/** True when the body already has a size (from the caller's config object). */
function setsSize(body: Record<string, unknown>, mapping: ImagesMapping): boolean {
  const target = mapping.request.size;
  return "aspect_ratio" in target
    ? readPointer(body, target.aspect_ratio) !== undefined
    : readPointer(body, target.width) !== undefined || readPointer(body, target.height) !== undefined;
}

function lastSegment(pointer: string): string {
  return pointer.slice(pointer.lastIndexOf("/") + 1);
}

/**
 * A native config object the caller passed whole (LiteLLM's imageGenerationConfig): written before the mapped
 * params and size (which win over it), with the chosen task's params object inside it moved beside the prompt.
 * Inside that task object the caller's fields win over the prompt written there, as LiteLLM spreads them
 * (amazon_nova_canvas_transformation.py: `{"text": text, **params}`).
 */
function mergeCallerConfig(
  body: Record<string, unknown>,
  request: Readonly<Record<string, unknown>>,
  mapping: ImagesRequestMapping,
  task: string | undefined,
  model: string,
): void {
  const config = mapping.config;
  const given = config ? request[config.param] : undefined;
  if (!config || given === undefined || given === null) return;
  if (typeof given !== "object" || Array.isArray(given)) {
    throw new RequestValidationError(`${config.param} must be an object`, { param: config.param, model });
  }
  const taskObjects = new Map(
    Object.entries(mapping.tasks?.objects ?? {}).map(([name, pointer]) => [
      lastSegment(pointer),
      { name, pointer },
    ]),
  );
  const target = { ...((readPointer(body, config.to) as Record<string, unknown> | undefined) ?? {}) };
  for (const [key, value] of Object.entries(given as Record<string, unknown>)) {
    const taskObject = taskObjects.get(key);
    if (!taskObject) {
      if (!(key in target)) target[key] = value;
      continue;
    }
    if (taskObject.name !== task) {
      throw new RequestValidationError(
        `${config.param}.${key} belongs to the ${taskObject.name} task; set ${mapping.tasks!.param}: "${taskObject.name}" (the request's task is ${task})`,
        { param: config.param, model },
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new RequestValidationError(`${config.param}.${key} must be an object`, {
        param: config.param,
        model,
      });
    }
    const placed = (readPointer(body, taskObject.pointer) as Record<string, unknown> | undefined) ?? {};
    writePointer(body, taskObject.pointer, { ...placed, ...(value as Record<string, unknown>) });
  }
  writePointer(body, config.to, target);
}

/**
 * Refuses params the table writes into another task's object (Nova Canvas's style lives in textToImageParams,
 * so it cannot go with COLOR_GUIDED_GENERATION): Bedrock takes only the chosen task's object.
 */
function checkParamsFitTask(
  params: Readonly<Record<string, unknown>>,
  table: ParamTable,
  mapping: ImagesRequestMapping,
  task: string | undefined,
  model: string,
): void {
  const tasks = mapping.tasks;
  if (!tasks || task === undefined) return;
  const own = tasks.objects[task]!;
  for (const [name, value] of Object.entries(params)) {
    const target = table[name]?.to;
    if (value === undefined || value === null || target === undefined) continue;
    const owner = Object.entries(tasks.objects).find(
      ([, pointer]) => pointer !== own && (target === pointer || target.startsWith(`${pointer}/`)),
    );
    if (owner) {
      throw new RequestValidationError(
        `${name} is only for the ${owner[0]} task (the request's ${tasks.param} is ${task})`,
        { param: name, model, code: "unsupported_param" },
      );
    }
  }
}

/** Writes the prompt and the negative prompt: weighted text prompts, or fields of their own. */
function writePrompts(
  body: Record<string, unknown>,
  mapping: ImagesMapping,
  entry: CatalogEntry,
  text: string,
  negative: string | undefined,
): void {
  // LiteLLM sends SDXL prompts on one line.
  const prompt = mapping.request.prompt.single_line ? text.replace(/\r\n|\r|\n/g, " ") : text;
  if (mapping.request.prompt.form === "weighted") {
    const prompts: { text: string; weight: number }[] = [{ text: prompt, weight: 1 }];
    if (negative) prompts.push({ text: negative, weight: -1 });
    writePointer(body, mapping.request.prompt.to, prompts);
    return;
  }
  writePointer(body, mapping.request.prompt.to, prompt);
  if (negative === undefined) return;
  if (!mapping.request.negative_prompt?.to) {
    throw new RequestValidationError(`negative_prompt is not supported by ${entry.id}`, {
      param: "negative_prompt",
      model: entry.id,
      code: "unsupported_param",
    });
  }
  writePointer(body, mapping.request.negative_prompt.to, negative);
}

/** The images of one native answer, or a ContentFilterError when the provider filtered them. */
export function readImages(
  response: unknown,
  mapping: ImagesResponseMapping,
  model: string,
): ImagesResponse["data"] {
  const error = mapping.error ? readPointer(response, mapping.error) : undefined;
  if (typeof error === "string" && error !== "")
    throw new ContentFilterError(`${model} did not return an image: ${error}`);
  const reasons = readList(response, mapping.finish_reasons);
  const success = mapping.success_values;
  const blocked = success ? reasons.find((reason) => !success.includes(reason as string | null)) : undefined;
  if (blocked !== undefined)
    throw new ContentFilterError(`${model} did not return an image: ${String(blocked)}`);
  const images = readList(response, mapping.images);
  const seeds = readList(response, mapping.seeds);
  if (images.length === 0)
    throw new ResponseParseError(`the ${model} response has no images at ${mapping.images}`);
  return images.map((image, index) => {
    const seed = seeds[index];
    return { b64_json: String(image), ...(typeof seed === "number" ? { seed } : {}) };
  });
}

/** The size the body asks for as "WxH", for families that take width and height (also from a caller's config). */
function readBodySize(body: Readonly<Record<string, unknown>>, target: ImageSizeMapping): string | undefined {
  if ("aspect_ratio" in target) return undefined;
  const width = readPointer(body, target.width);
  const height = readPointer(body, target.height);
  return typeof width === "number" && typeof height === "number" ? `${width}x${height}` : undefined;
}

/**
 * The cost of the images, priced by what the body asks for (a caller's config object may set the size and
 * quality); prices are listed by the native quality name, so OpenAI's `hd` is looked up as the value it maps to.
 */
export function priceImages(
  call: ImagesCall,
  resolved: ResolvedModel,
  entry: CatalogEntry,
  table: ParamTable,
  images: number,
  sent?: { readonly body: Readonly<Record<string, unknown>>; readonly size: ImageSizeMapping },
): number | null {
  const { request } = call;
  const price = resolvePrice(entry, resolved.profile, resolved.arnRegion ?? call.region);
  const quality = request.quality as string | undefined;
  const sentQuality = sent && table.quality?.to ? readPointer(sent.body, table.quality.to) : undefined;
  const nativeQuality =
    quality !== undefined
      ? (table.quality?.values as Record<string, unknown> | undefined)?.[quality]
      : sentQuality;
  return computeImageCost(price, images, {
    size:
      (sent ? readBodySize(sent.body, sent.size) : undefined) ??
      (request.size as string | undefined) ??
      entry.image?.default_size,
    quality: typeof nativeQuality === "string" ? nativeQuality : quality,
    steps: request.steps as number | undefined,
  });
}

/** Generates images with an image model; results are base64 (`data[].b64_json`) with the cost per image. */
export async function generateImages(call: ImagesCall): Promise<ImagesResponse> {
  const { request } = call;
  const { resolved, entry, descriptor } = await resolveOperation(request, call.region, "images", call);
  const mapping = descriptor.images!;
  const prompt = readPrompt(request, entry.id);
  requireBase64Format(request, entry.id);
  const table = paramTableFor(mapping.request.params, entry);
  const count = readImageCount(request, entry);
  // Families that make one image per call (no `n` rule) get n calls.
  const calls = table.n ? 1 : count;

  const task = readTask(request, mapping.request, entry.id);
  const requestMapping = mappingForTask(mapping.request, task);
  const body: Record<string, unknown> = {};
  writeConstants(body, mapping.request.constants);
  if (task !== undefined) writePointer(body, mapping.request.tasks!.to, task);
  writePrompts(
    body,
    { ...mapping, request: requestMapping },
    entry,
    prompt,
    request.negative_prompt as string | undefined,
  );
  mergeCallerConfig(body, request, requestMapping, task, entry.id);
  // The model's default size does not replace a size the caller's config object sets.
  if (request.size !== undefined || !setsSize(body, mapping))
    writeSize(body, mapping.request.size, entry, request.size as string | undefined);
  const ownParams = [mapping.request.tasks?.param, mapping.request.config?.param];
  const params = Object.fromEntries(
    Object.entries(request).filter(
      ([name]) => !handledHere.has(name) && !ownParams.includes(name) && !(name === "n" && calls > 1),
    ),
  );
  checkParamsFitTask(params, table, mapping.request, task, entry.id);
  applyBodyParams(params, body, call, { kind: "images", entry, descriptor }, table);

  const metadata = invokeRequestMetadata(request.requestMetadata, entry.id);
  const responses = await Promise.all(
    Array.from({ length: calls }, async () => {
      const answer = await invokeJson(call.client, call.options, {
        modelId: resolved.wireModelId,
        body,
        model: entry.id,
        what: `the ${entry.id} image response`,
        ...metadata,
      });
      checkAnswer(answer.body, descriptor.response_reads?.images, `the ${entry.id} image response`, entry.id);
      return answer.body;
    }),
  );
  const data = responses.flatMap((response) => readImages(response, mapping.response, entry.id));
  return {
    created: Math.floor(Date.now() / 1000),
    data,
    model: resolved.displayName,
    usage: {
      images: data.length,
      cost: priceImages(call, resolved, entry, table, data.length, { body, size: mapping.request.size }),
    },
  };
}
