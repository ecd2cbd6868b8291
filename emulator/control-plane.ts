/**
 * Bedrock's control plane, as far as `bedrock-forge sync` reads it: ListFoundationModels
 * (`GET /foundation-models`), GetFoundationModel (`GET /foundation-models/{id}`), ListInferenceProfiles
 * (`GET /inference-profiles`, paged) and GetInferenceProfile (`GET /inference-profiles/{id}`), answered per
 * Region — the Region of the request's SigV4 credential scope — from control-plane data: derived from the
 * catalog by default, or given (an object or a JSON file) so a test can make Bedrock add, retire or
 * deprecate a model.
 *
 * Shapes and query parameters are the service model's as @aws-sdk/client-bedrock serializes them (restJson1;
 * its schema types every lifecycle and profile timestamp as a date-time string, so they are ISO 8601 strings
 * on the wire). Real answers (a scrape of ListFoundationModels in 17 Regions, 2026-10-07, in
 * github.com/YutaOkoshi/aws-bedrock-quick-reference data/models.json) show what the SDK's enums do not:
 * modalities SPEECH, AUDIO and VIDEO, the inference type INFERENCE_PROFILE, and provisioned-only or
 * customization-only entries (`amazon.nova-lite-v1:0:24k` with `["PROVISIONED"]`, `…:8k` with `[]`).
 */
import { readFile } from "node:fs/promises";
import { Ajv, type ErrorObject } from "ajv";
import { catalog } from "../generated/index.js";
import type { CatalogEntry } from "../runtime/descriptor.js";
import { lifecycleStateOf } from "../runtime/lifecycle.js";
import { createError, type EmulatorError } from "./errors.js";

/** One entry of ListFoundationModels' `modelSummaries` (FoundationModelSummary), as sent. */
export interface FoundationModelSummaryWire {
  modelArn: string;
  modelId: string;
  modelName?: string;
  providerName?: string;
  inputModalities?: string[];
  outputModalities?: string[];
  responseStreamingSupported?: boolean;
  customizationsSupported?: string[];
  inferenceTypesSupported?: string[];
  modelLifecycle?: FoundationModelLifecycleWire;
  /** Members the SDK does not model (real answers carry some) pass through untouched. */
  [member: string]: unknown;
}

export interface FoundationModelLifecycleWire {
  status: string;
  startOfLifeTime?: string;
  endOfLifeTime?: string;
  legacyTime?: string;
  publicExtendedAccessTime?: string;
}

/** One entry of ListInferenceProfiles' `inferenceProfileSummaries` (InferenceProfileSummary), as sent. */
export interface InferenceProfileSummaryWire {
  inferenceProfileName: string;
  inferenceProfileId: string;
  inferenceProfileArn: string;
  description?: string;
  createdAt?: string;
  updatedAt?: string;
  /** One per Region the profile routes to. */
  models: { modelArn: string }[];
  status: string;
  type: string;
}

/** What both list operations answer in one Region. */
export interface RegionListing {
  modelSummaries: FoundationModelSummaryWire[];
  inferenceProfileSummaries: InferenceProfileSummaryWire[];
}

/**
 * Control-plane data: per Region, the models and profiles Bedrock lists there. In a JSON file, each
 * Region's value may be pasted from `aws bedrock list-foundation-models` and `list-inference-profiles`
 * (timestamps as ISO strings or epoch seconds); `inferenceProfileSummaries` may be left out.
 */
export interface ControlPlaneData {
  /** Where the data comes from (kept for readers of a fixture file; not served). */
  source?: string;
  regions: Record<string, RegionListing>;
}

export interface ControlPlaneOptions {
  /** The data, or the path of a JSON file holding it. Default: derived from the catalog. */
  data?: ControlPlaneData | string;
  /** Page size of ListInferenceProfiles when the request gives no maxResults (default 100). */
  pageSize?: number;
  /**
   * Access key ids (or Bedrock API keys) whose requests the control plane refuses with
   * AccessDeniedException, as IAM does for a principal without `bedrock:List*` permissions.
   */
  deniedAccessKeys?: readonly string[];
  /** The Region of requests that carry no SigV4 scope (API keys, signatures not checked); default us-east-1. */
  defaultRegion?: string;
}

/** A control-plane request as the server's router sees it. */
export interface ControlPlaneRequest {
  readonly method: string;
  /** The raw path, without the query. */
  readonly path: string;
  readonly query: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ControlPlane {
  /** The JSON body of the answer (status 200), or undefined when the request is not a control-plane one. */
  answer(request: ControlPlaneRequest): string | undefined;
}

/** AWS's documented example account id, in the ARNs of derived profiles. */
const EXAMPLE_ACCOUNT = "123456789012";
const DEFAULT_PAGE_SIZE = 100;
/** ListInferenceProfiles' maxResults range (API reference: "Minimum value of 1. Maximum value of 1000."). */
const MAX_RESULTS_LIMIT = 1000;

/**
 * Filter values the emulator accepts: the SDK's enums plus the values real answers carry (see the header).
 * What real Bedrock does with a value outside its enum here is unknown; the emulator refuses it.
 */
const filterValues = {
  byOutputModality: ["TEXT", "IMAGE", "EMBEDDING", "SPEECH", "AUDIO", "VIDEO"],
  byInferenceType: ["ON_DEMAND", "PROVISIONED", "INFERENCE_PROFILE"],
  byCustomizationType: ["FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"],
  typeEquals: ["SYSTEM_DEFINED", "APPLICATION"],
} as const;

/**
 * `providerName` of each catalog provider, as ListFoundationModels writes it (the 2026-10-07 scrape named in
 * the header; `stability` is not in the part read and keeps its brand name). Others: the id prefix, capitalized.
 */
const providerNames: Readonly<Record<string, string>> = {
  ai21: "AI21 Labs",
  amazon: "Amazon",
  anthropic: "Anthropic",
  cohere: "Cohere",
  deepseek: "DeepSeek",
  google: "Google",
  luma: "Luma AI",
  meta: "Meta",
  minimax: "MiniMax",
  mistral: "Mistral AI",
  moonshot: "Moonshot AI",
  moonshotai: "Moonshot AI",
  nvidia: "NVIDIA",
  openai: "OpenAI",
  qwen: "Qwen",
  stability: "Stability AI",
};

/** Catalog modalities as ListFoundationModels names them; `document` has no counterpart there. */
const wireModalities: Readonly<Record<string, string | undefined>> = {
  text: "TEXT",
  image: "IMAGE",
  video: "VIDEO",
  audio: "AUDIO",
  speech: "SPEECH",
  embedding: "EMBEDDING",
};

/** The display label of a profile prefix in derived profile names (`US Anthropic Claude Sonnet 5`). */
const prefixLabels: Readonly<Record<string, string>> = {
  us: "US",
  "us-gov": "US-GOV",
  eu: "EU",
  apac: "APAC",
  jp: "JP",
  au: "AU",
  ca: "CA",
  in: "IN",
  global: "Global",
};

/** The AWS partition of a Region: `aws-us-gov` for GovCloud, else `aws`. */
export function partitionOf(region: string): string {
  return region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** The foundation-model ARN of a model id in a Region (`arn:aws:bedrock:us-east-1::foundation-model/…`). */
export function foundationModelArn(region: string, modelId: string): string {
  return `arn:${partitionOf(region)}:bedrock:${region}::foundation-model/${modelId}`;
}

/**
 * Whether a cross-region profile prefix is offered to callers in a Region: its geography (`us` in the
 * commercial US Regions, `eu` in Europe, `apac` in Asia Pacific, `global` everywhere but GovCloud; `jp`, `au`,
 * `ca` and `in` in their countries' Regions). An approximation for derived data: real profiles of one
 * prefix may have fewer source Regions.
 */
export function prefixServesRegion(prefix: string, region: string): boolean {
  const gov = region.startsWith("us-gov-");
  switch (prefix) {
    case "us":
      return region.startsWith("us-") && !gov;
    case "us-gov":
      return gov;
    case "eu":
      return region.startsWith("eu-");
    case "apac":
      return region.startsWith("ap-");
    case "jp":
      return region === "ap-northeast-1" || region === "ap-northeast-3";
    case "au":
      return region === "ap-southeast-2" || region === "ap-southeast-4";
    case "ca":
      return region.startsWith("ca-");
    case "in":
      return region === "ap-south-1" || region === "ap-south-2";
    case "global":
      return !gov;
    default:
      return false;
  }
}

/** A catalog day (YYYY-MM-DD) as the date-time string the control plane sends. */
function toTimestamp(day: string): string {
  return `${day}T00:00:00Z`;
}

/** `providerName` for a model id's provider prefix. */
export function providerNameOf(modelId: string): string {
  const provider = modelId.slice(0, modelId.indexOf("."));
  return providerNames[provider] ?? provider.charAt(0).toUpperCase() + provider.slice(1);
}

/** The FoundationModelSummary Bedrock would list for a catalog model in a Region. */
function summarizeModel(entry: CatalogEntry, region: string, today: string): FoundationModelSummaryWire {
  const state = lifecycleStateOf(entry.deprecated, today);
  const profiled = entry.profiles.some((prefix) => prefixServesRegion(prefix, region));
  const inferenceTypes = entry.profileOnly ? ["INFERENCE_PROFILE"] : ["ON_DEMAND"];
  if (!entry.profileOnly && profiled) inferenceTypes.push("INFERENCE_PROFILE");
  const lifecycle: FoundationModelLifecycleWire = { status: state === "legacy" ? "LEGACY" : "ACTIVE" };
  if (entry.deprecated?.legacy_since) lifecycle.legacyTime = toTimestamp(entry.deprecated.legacy_since);
  if (entry.deprecated?.end_of_life) lifecycle.endOfLifeTime = toTimestamp(entry.deprecated.end_of_life);
  const toWire = (modalities: readonly string[]) =>
    modalities.map((modality) => wireModalities[modality]).filter((value) => value !== undefined);
  return {
    modelArn: foundationModelArn(region, entry.id),
    modelId: entry.id,
    modelName: entry.name,
    providerName: providerNameOf(entry.id),
    inputModalities: toWire(entry.inputModalities),
    outputModalities: toWire(entry.outputModalities),
    responseStreamingSupported: entry.operations.includes("chat-stream"),
    customizationsSupported: [],
    inferenceTypesSupported: inferenceTypes,
    modelLifecycle: lifecycle,
  };
}

/** The system-defined profile `prefix.model` as Bedrock would list it to a caller in `region`. */
function summarizeProfile(entry: CatalogEntry, prefix: string, region: string): InferenceProfileSummaryWire {
  const id = `${prefix}.${entry.id}`;
  const routes = entry.regions.filter((candidate) => prefixServesRegion(prefix, candidate));
  if (!routes.includes(region)) routes.unshift(region);
  return {
    inferenceProfileName: `${prefixLabels[prefix] ?? prefix.toUpperCase()} ${providerNameOf(entry.id)} ${entry.name}`,
    inferenceProfileId: id,
    inferenceProfileArn: `arn:${partitionOf(region)}:bedrock:${region}:${EXAMPLE_ACCOUNT}:inference-profile/${id}`,
    description: `Routes requests to ${entry.name} in ${routes.join(", ")}.`,
    models: routes.map((route) => ({ modelArn: foundationModelArn(route, entry.id) })),
    status: "ACTIVE",
    type: "SYSTEM_DEFINED",
  };
}

/**
 * The control-plane data the catalog implies on a day: in each Region a catalog model names, its models
 * that have not reached their end of life (LEGACY once their legacy date has passed) and their
 * system-defined profiles whose geography covers the Region. So `sync` against the default emulator finds
 * nothing missing or gone.
 */
export function deriveControlPlaneData(
  entries: readonly CatalogEntry[] = Object.values(catalog),
  today: string = new Date().toISOString().slice(0, 10),
): ControlPlaneData {
  const sorted = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const regions = [...new Set(sorted.flatMap((entry) => entry.regions))].sort();
  const data: ControlPlaneData = {
    source: "derived from the bedrock-forge catalog (generated/catalog.ts)",
    regions: {},
  };
  for (const region of regions) {
    const listed = sorted.filter(
      (entry) => entry.regions.includes(region) && lifecycleStateOf(entry.deprecated, today) !== "retired",
    );
    data.regions[region] = {
      modelSummaries: listed.map((entry) => summarizeModel(entry, region, today)),
      inferenceProfileSummaries: listed.flatMap((entry) =>
        [...entry.profiles]
          .sort()
          .filter((prefix) => prefixServesRegion(prefix, region))
          .map((prefix) => summarizeProfile(entry, prefix, region)),
      ),
    };
  }
  return data;
}

// ------------------------------------------------------------------------------------------------------
// Loading and checking data

const timestampSchema = { type: ["string", "number"] };
const stringList = { type: "array", items: { type: "string" } };

/** The JSON Schema of control-plane data (members the SDK does not model are allowed in model summaries). */
const dataSchema = {
  type: "object",
  required: ["regions"],
  additionalProperties: false,
  properties: {
    source: { type: "string" },
    regions: {
      type: "object",
      propertyNames: { pattern: "^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$" },
      additionalProperties: {
        type: "object",
        required: ["modelSummaries"],
        additionalProperties: false,
        properties: {
          modelSummaries: {
            type: "array",
            items: {
              type: "object",
              required: ["modelArn", "modelId"],
              properties: {
                modelArn: { type: "string", minLength: 1 },
                modelId: { type: "string", minLength: 1 },
                modelName: { type: "string" },
                providerName: { type: "string" },
                inputModalities: stringList,
                outputModalities: stringList,
                responseStreamingSupported: { type: "boolean" },
                customizationsSupported: stringList,
                inferenceTypesSupported: stringList,
                modelLifecycle: {
                  type: "object",
                  required: ["status"],
                  additionalProperties: false,
                  properties: {
                    status: { enum: ["ACTIVE", "LEGACY"] },
                    startOfLifeTime: timestampSchema,
                    endOfLifeTime: timestampSchema,
                    legacyTime: timestampSchema,
                    publicExtendedAccessTime: timestampSchema,
                  },
                },
              },
            },
          },
          inferenceProfileSummaries: {
            type: "array",
            items: {
              type: "object",
              required: [
                "inferenceProfileName",
                "inferenceProfileId",
                "inferenceProfileArn",
                "models",
                "status",
                "type",
              ],
              additionalProperties: false,
              properties: {
                inferenceProfileName: { type: "string" },
                inferenceProfileId: { type: "string", minLength: 1 },
                inferenceProfileArn: { type: "string" },
                description: { type: "string" },
                createdAt: timestampSchema,
                updatedAt: timestampSchema,
                models: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["modelArn"],
                    additionalProperties: false,
                    properties: { modelArn: { type: "string" } },
                  },
                },
                status: { type: "string" },
                type: { enum: ["SYSTEM_DEFINED", "APPLICATION"] },
              },
            },
          },
        },
      },
    },
  },
} as const;

const validateData = new Ajv({ allErrors: false, strict: false, allowUnionTypes: true }).compile(dataSchema);

/** One ajv error as `regions["us-east-1"].modelSummaries[3].modelId must be string`. */
function describeDataError(error: ErrorObject): string {
  const location = error.instancePath
    .split("/")
    .slice(1)
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((segment, index) =>
      /^\d+$/.test(segment) ? `[${segment}]` : index === 1 ? `["${segment}"]` : `.${segment}`,
    )
    .join("")
    .replace(/^\./, "");
  const where = location || "the top level";
  if (error.propertyName !== undefined)
    return `${where}: "${error.propertyName}" is not a Region name (like us-east-1)`;
  if (error.keyword === "additionalProperties")
    return `${where}: unknown member "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  return `${where} ${error.message}`;
}

/** A timestamp from a data file (ISO string or epoch seconds) as the ISO string the wire carries. */
function normalizeTimestamp(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new Error(`"${String(value)}" is not a timestamp`);
  return date.toISOString().replace(/\.000Z$/, "Z");
}

/** Checks control-plane data and returns a copy with every timestamp as an ISO string; throws naming what is wrong. */
export function checkControlPlaneData(value: unknown, origin = "control-plane data"): ControlPlaneData {
  if (!validateData(value)) {
    throw new Error(`${origin}: ${describeDataError(validateData.errors![0]!)}`);
  }
  const data = structuredClone(value) as unknown as ControlPlaneData;
  for (const [region, listing] of Object.entries(data.regions)) {
    listing.inferenceProfileSummaries ??= [];
    const fix = (target: Record<string, unknown>, key: string, where: string) => {
      try {
        const normalized = normalizeTimestamp(target[key]);
        if (normalized !== undefined) target[key] = normalized;
      } catch (error) {
        throw new Error(`${origin}: regions["${region}"].${where}.${key}: ${(error as Error).message}`);
      }
    };
    listing.modelSummaries.forEach((summary, index) => {
      const lifecycle = summary.modelLifecycle as Record<string, unknown> | undefined;
      if (!lifecycle) return;
      for (const key of ["startOfLifeTime", "endOfLifeTime", "legacyTime", "publicExtendedAccessTime"])
        fix(lifecycle, key, `modelSummaries[${index}].modelLifecycle`);
    });
    listing.inferenceProfileSummaries.forEach((summary, index) => {
      for (const key of ["createdAt", "updatedAt"])
        fix(summary as unknown as Record<string, unknown>, key, `inferenceProfileSummaries[${index}]`);
    });
  }
  return data;
}

/** Reads control-plane data from a JSON file; errors name the file and what is wrong in it. */
export async function readControlPlaneFile(file: string): Promise<ControlPlaneData> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new Error(`control-plane data ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`control-plane data ${file} is not JSON: ${(error as Error).message}`);
  }
  return checkControlPlaneData(parsed, `control-plane data ${file}`);
}

// ------------------------------------------------------------------------------------------------------
// Answering

/** The access key id and Region of a SigV4 `Authorization` header, or the bearer key. */
function readCaller(headers: Readonly<Record<string, string>>): { key?: string; region?: string } {
  const authorization = headers.authorization ?? "";
  const credential = /Credential=([^/\s,]+)\/\d{8}\/([^/\s,]+)\//.exec(authorization);
  if (credential) return { key: credential[1]!, region: credential[2]! };
  const bearer = /^bearer\s+(.+)$/i.exec(authorization.trim());
  return bearer ? { key: bearer[1]!.trim() } : {};
}

/** AWS's validation wording for an enum member (`1 validation error detected: Value 'X' at 'typeEquals' …`). */
function enumError(member: string, value: string, allowed: readonly string[]): EmulatorError {
  return createError(
    "ValidationException",
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(", ")}]`,
  );
}

/** The model id inside a foundation-model ARN, or the identifier itself. */
function modelIdOf(identifier: string): string {
  return /:foundation-model\/(.+)$/.exec(identifier)?.[1] ?? identifier;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** An opaque page token: the offset of the next page and the filter it was issued for. */
function encodePageToken(offset: number, type: string): string {
  return Buffer.from(JSON.stringify({ offset, type }), "utf8").toString("base64url");
}

function decodePageToken(token: string, type: string, total: number): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      offset?: unknown;
      type?: unknown;
    };
    if (
      typeof parsed.offset === "number" &&
      Number.isInteger(parsed.offset) &&
      parsed.offset > 0 &&
      parsed.offset <= total &&
      parsed.type === type
    )
      return parsed.offset;
  } catch {
    // Falls through to the error below.
  }
  throw createError(
    "ValidationException",
    `bedrock-forge emulator: nextToken "${token}" was not issued for this ListInferenceProfiles request`,
  );
}

/** The IAM refusal of an action (wording as reported for ListFoundationModels in aws-samples/dify-self-hosted-on-aws#74). */
function accessDenied(action: string): EmulatorError {
  return createError(
    "AccessDeniedException",
    `User: arn:aws:iam::${EXAMPLE_ACCOUNT}:user/example is not authorized to perform: bedrock:${action} because no identity-based policy allows the bedrock:${action} action`,
  );
}

/** What answering needs besides the request: the data (derived on first use) and the checked options. */
interface ControlPlaneState {
  readonly readData: () => ControlPlaneData;
  readonly pageSize: number;
  readonly denied: ReadonlySet<string>;
  readonly defaultRegion: string;
}

/** Builds the control plane of an emulator; reads a data file once, up front. */
export async function createControlPlane(
  options: ControlPlaneOptions = {},
  now: () => number = Date.now,
): Promise<ControlPlane> {
  // Given data is checked up front; the catalog's is derived on the first control-plane request, so an
  // emulator that only serves the runtime API never pays for it.
  let data: ControlPlaneData | undefined =
    options.data === undefined
      ? undefined
      : typeof options.data === "string"
        ? await readControlPlaneFile(options.data)
        : checkControlPlaneData(options.data, "emulator option controlPlane.data");
  const readData = (): ControlPlaneData =>
    (data ??= deriveControlPlaneData(Object.values(catalog), new Date(now()).toISOString().slice(0, 10)));
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_RESULTS_LIMIT)
    throw new Error(
      `emulator option controlPlane.pageSize must be an integer from 1 to ${MAX_RESULTS_LIMIT}`,
    );
  const state: ControlPlaneState = {
    readData,
    pageSize,
    denied: new Set(options.deniedAccessKeys ?? []),
    defaultRegion: options.defaultRegion ?? "us-east-1",
  };
  return { answer: (request) => answerRequest(state, request) };
}

/** The JSON body answering a control-plane request, or undefined when the request is not one. */
function answerRequest(state: ControlPlaneState, request: ControlPlaneRequest): string | undefined {
  if (request.method !== "GET") return undefined;
  const query = new URLSearchParams(request.query);
  if (request.path === "/foundation-models")
    return listFoundationModels(listingFor(state, request.headers, "ListFoundationModels"), query);
  if (request.path === "/inference-profiles")
    return listInferenceProfiles(
      listingFor(state, request.headers, "ListInferenceProfiles"),
      query,
      state.pageSize,
    );
  const single = /^\/(foundation-models|inference-profiles)\/([^/]+)$/.exec(request.path);
  if (!single) return undefined;
  const identifier = decodeSegment(single[2]!);
  if (single[1] === "foundation-models")
    return getFoundationModel(listingFor(state, request.headers, "GetFoundationModel"), identifier);
  return getInferenceProfile(listingFor(state, request.headers, "GetInferenceProfile"), identifier);
}

/** The listing of the caller's Region, after refusing a denied caller and a Region the endpoint does not serve. */
function listingFor(
  state: ControlPlaneState,
  headers: Readonly<Record<string, string>>,
  action: string,
): RegionListing {
  const caller = readCaller(headers);
  if (caller.key !== undefined && state.denied.has(caller.key)) throw accessDenied(action);
  const region = caller.region ?? state.defaultRegion;
  const listing = state.readData().regions[region];
  if (!listing) {
    // AWS's wording for a credential scope naming a Region the endpoint does not serve (reported e.g. in
    // github.com/joona/aws-es-curl/issues/15 and aws/aws-sdk-java#1097), status 403.
    throw createError(
      "InvalidSignatureException",
      `Credential should be scoped to a valid region, not '${region}'. `,
    );
  }
  return listing;
}

/** The ListFoundationModels answer: the Region's models that pass the query's filters. */
function listFoundationModels(listing: RegionListing, query: URLSearchParams): string {
  let models = listing.modelSummaries;
  const provider = query.get("byProvider");
  if (provider !== null)
    models = models.filter((model) => model.providerName?.toLowerCase() === provider.toLowerCase());
  const checks = [
    ["byOutputModality", (model: FoundationModelSummaryWire) => model.outputModalities],
    ["byInferenceType", (model: FoundationModelSummaryWire) => model.inferenceTypesSupported],
    ["byCustomizationType", (model: FoundationModelSummaryWire) => model.customizationsSupported],
  ] as const;
  for (const [member, read] of checks) {
    const value = query.get(member);
    if (value === null) continue;
    const allowed: readonly string[] = filterValues[member];
    if (!allowed.includes(value)) throw enumError(member, value, allowed);
    models = models.filter((model) => read(model)?.includes(value));
  }
  return JSON.stringify({ modelSummaries: models });
}

/** The page size a ListInferenceProfiles query asks for, or `pageSize` when it gives no maxResults. */
function readPageLimit(query: URLSearchParams, pageSize: number): number {
  const rawMax = query.get("maxResults");
  if (rawMax === null) return pageSize;
  const max = Number(rawMax);
  if (!Number.isInteger(max) || max < 1)
    throw createError(
      "ValidationException",
      `1 validation error detected: Value '${rawMax}' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  if (max > MAX_RESULTS_LIMIT)
    throw createError(
      "ValidationException",
      `1 validation error detected: Value '${rawMax}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_RESULTS_LIMIT}`,
    );
  return max;
}

/** The ListInferenceProfiles answer: one page of the Region's profiles of the queried type. */
function listInferenceProfiles(listing: RegionListing, query: URLSearchParams, pageSize: number): string {
  const type = query.get("type");
  if (type !== null && !filterValues.typeEquals.includes(type as never))
    throw enumError("typeEquals", type, filterValues.typeEquals);
  const limit = readPageLimit(query, pageSize);
  const profiles = listing.inferenceProfileSummaries.filter(
    (profile) => type === null || profile.type === type,
  );
  const token = query.get("nextToken");
  const start = token === null ? 0 : decodePageToken(token, type ?? "", profiles.length);
  const page = profiles.slice(start, start + limit);
  const next = start + limit < profiles.length ? encodePageToken(start + limit, type ?? "") : undefined;
  return JSON.stringify({
    inferenceProfileSummaries: page,
    ...(next !== undefined ? { nextToken: next } : {}),
  });
}

/** The GetFoundationModel answer for a model id or foundation-model ARN listed in the Region. */
function getFoundationModel(listing: RegionListing, identifier: string): string {
  const id = modelIdOf(identifier);
  const model = listing.modelSummaries.find((candidate) => candidate.modelId === id);
  if (!model)
    throw createError(
      "ResourceNotFoundException",
      `bedrock-forge emulator: no foundation model ${id} is listed in this Region`,
    );
  return JSON.stringify({ modelDetails: model });
}

/** The GetInferenceProfile answer for a profile id or ARN listed in the Region. */
function getInferenceProfile(listing: RegionListing, identifier: string): string {
  const profile = listing.inferenceProfileSummaries.find(
    (candidate) =>
      candidate.inferenceProfileId === identifier || candidate.inferenceProfileArn === identifier,
  );
  if (!profile)
    throw createError(
      "ResourceNotFoundException",
      `bedrock-forge emulator: no inference profile ${identifier} is listed in this Region`,
    );
  return JSON.stringify(profile);
}
