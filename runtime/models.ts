import { catalog, importedFormats, isModelId } from "../generated/catalog.js";
import type { Operation, ProfilePrefix, Route } from "../generated/spec-types.js";
import { describeUnknownModel } from "./catalog-suggest.js";
import type { CatalogEntry } from "./descriptor.js";
import { ModelNotSupportedError } from "./errors.js";
import {
  type ImportedModelRoute,
  importedModelEntry,
  readImportedModelReference,
} from "./imported-models.js";
import { checkLifecycle, type LifecycleOptions } from "./lifecycle.js";

/**
 * The routes a caller can force with `bedrock/converse/`, `bedrock/invoke/` or `bedrock/mantle/` (LiteLLM's
 * `bedrock_mantle/` too), and a chat call can take.
 */
export type ChatRoute = Extract<Route, "invoke" | "converse" | "mantle">;

const profilePrefixes: readonly ProfilePrefix[] = [
  "us",
  "eu",
  "apac",
  "jp",
  "au",
  "ca",
  "in",
  "us-gov",
  "global",
];

/** A model reference resolved against the catalog. */
export interface ResolvedModel {
  /** The catalog entry, or undefined for a model the catalog does not know (Converse still works). */
  readonly entry: CatalogEntry | undefined;
  /** What is sent to Bedrock as the model id (a base id, a profile id or an ARN). */
  readonly wireModelId: string;
  /** The name results report as `model` (the caller's reference without `bedrock/` and a route). */
  readonly displayName: string;
  /** The route the caller forced with `bedrock/converse/`, `bedrock/invoke/` or `bedrock/mantle/`. */
  readonly forcedRoute: ChatRoute | undefined;
  /** The cross-region profile the call runs under, for pricing. */
  readonly profile: ProfilePrefix | undefined;
  /** The region an ARN names, when it names one (or the Region segment of an imported-model route). */
  readonly arnRegion: string | undefined;
  /** The imported-model route (`bedrock/llama/<arn>` …) that declared the model's format, if any. */
  readonly importedRoute?: ImportedModelRoute;
}

const cache = new Map<string, ResolvedModel>();

/** Splits `prefix.base-id` when `prefix` is a cross-region profile prefix and the rest is in the catalog. */
function splitProfile(id: string): { profile: ProfilePrefix; base: string } | undefined {
  const dot = id.indexOf(".");
  if (dot <= 0) return undefined;
  // `us-gov.` contains a dash, so compare whole prefixes rather than splitting on the first dot only.
  for (const profile of profilePrefixes) {
    if (id.startsWith(`${profile}.`) && isModelId(id.slice(profile.length + 1))) {
      return { profile, base: id.slice(profile.length + 1) };
    }
  }
  return undefined;
}

/** Reads the catalog entry named by a plain id, a profile id or an ARN. */
function lookup(reference: string): {
  entry: CatalogEntry | undefined;
  profile: ProfilePrefix | undefined;
  arnRegion: string | undefined;
} {
  if (isModelId(reference)) return { entry: catalog[reference], profile: undefined, arnRegion: undefined };
  const profiled = splitProfile(reference);
  if (profiled)
    return {
      entry: catalog[profiled.base as keyof typeof catalog],
      profile: profiled.profile,
      arnRegion: undefined,
    };
  const arn = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]*):[0-9]*:([a-z-]+)\/(.+)$/.exec(reference);
  if (arn) {
    const [, region, resourceType, resource] = arn as unknown as [string, string, string, string];
    if (resourceType === "foundation-model" || resourceType === "inference-profile") {
      const inner = lookup(resource);
      return { ...inner, arnRegion: region || undefined };
    }
    return { entry: undefined, profile: undefined, arnRegion: region || undefined };
  }
  return { entry: undefined, profile: undefined, arnRegion: undefined };
}

/** A `route/…` left after `bedrock/` that is not converse, invoke or an imported-model route: refused, never sent to Bedrock as a model id. */
function refuseUnknownRoute(reference: string, model: string): void {
  const slash = reference.indexOf("/");
  if (slash < 0 || reference.startsWith("arn:")) return;
  const route = reference.slice(0, slash);
  throw new ModelNotSupportedError(
    `${model}: ${route}/ is not a route (bedrock/converse/…, bedrock/invoke/… and bedrock/mantle/… are, and LiteLLM's imported-model routes ${Object.keys(importedFormats).sort().join("/, ")}/), and a Bedrock model id has no "/"`,
    { model },
  );
}

/**
 * An imported model named by one of LiteLLM's routes (`llama/<arn>`, `openai/<region>/<arn>` …): called through
 * InvokeModel in the route's format, on the bare ARN, in the route's or the ARN's Region.
 */
function resolveImportedModel(
  reference: string,
  model: string,
  modelId: string | undefined,
  forcedRoute: ChatRoute | undefined,
): ResolvedModel | undefined {
  const imported = readImportedModelReference(reference);
  if (!imported) return undefined;
  if (imported.modelId.trim() === "") {
    throw new ModelNotSupportedError(
      `${model}: the ${imported.route}/ route needs the model's ARN after it`,
      {
        model,
      },
    );
  }
  if (forcedRoute === "converse") {
    throw new ModelNotSupportedError(
      `${model}: ${imported.route}/ names an InvokeModel format; an imported model that supports Converse is called as bedrock/converse/${imported.modelId}`,
      { model },
    );
  }
  return {
    entry: importedModelEntry(imported.route, imported.modelId),
    wireModelId: modelId ?? imported.modelId,
    displayName: imported.modelId,
    forcedRoute: "invoke",
    profile: undefined,
    arnRegion: imported.region,
    importedRoute: imported.route,
  };
}

/** A catalog id, profile id or ARN (or an id the catalog does not know, which Converse may still take). */
function resolveCatalogModel(
  reference: string,
  model: string,
  modelId: string | undefined,
  forcedRoute: ChatRoute | undefined,
): ResolvedModel {
  refuseUnknownRoute(reference, model);
  const found = lookup(reference);
  const wire = modelId === undefined ? reference : lookup(modelId);
  return {
    entry: found.entry,
    wireModelId: modelId ?? reference,
    displayName: reference,
    forcedRoute,
    profile: found.profile ?? (typeof wire === "object" ? wire.profile : undefined),
    arnRegion: found.arnRegion ?? (typeof wire === "object" ? wire.arnRegion : undefined),
  };
}

/**
 * Resolves what a caller wrote in `model` (and `model_id`) to a catalog entry and the id sent to
 * Bedrock. Accepts base ids, `bedrock/` and `bedrock/converse/` / `bedrock/invoke/` prefixes,
 * cross-region profile ids, ARNs, and LiteLLM's imported-model routes before an ARN (their format's entry).
 * The catalog (or the route) decides; ids are never guessed from substrings.
 */
export function resolveModel(model: string, modelId?: string): ResolvedModel {
  const key = modelId === undefined ? model : `${model}\u0000${modelId}`;
  const cached = cache.get(key);
  if (cached) return cached;
  if (typeof model !== "string" || model.trim() === "") {
    throw new ModelNotSupportedError(
      "`model` is required: a Bedrock model id such as anthropic.claude-3-haiku-20240307-v1:0",
    );
  }
  let reference = model.trim();
  let forcedRoute: ChatRoute | undefined;
  // LiteLLM's bedrock_mantle provider names the same route as bedrock/mantle/.
  if (reference.startsWith("bedrock_mantle/"))
    reference = `mantle/${reference.slice("bedrock_mantle/".length)}`;
  else if (reference.startsWith("bedrock/")) reference = reference.slice("bedrock/".length);
  if (reference.startsWith("mantle/")) {
    forcedRoute = "mantle";
    reference = reference.slice("mantle/".length);
  } else if (reference.startsWith("converse/")) {
    forcedRoute = "converse";
    reference = reference.slice("converse/".length);
  } else if (reference.startsWith("invoke/")) {
    forcedRoute = "invoke";
    reference = reference.slice("invoke/".length);
  }
  const resolved =
    (forcedRoute === "mantle" ? undefined : resolveImportedModel(reference, model, modelId, forcedRoute)) ??
    resolveCatalogModel(reference, model, modelId, forcedRoute);
  if (cache.size > 4096) cache.clear();
  cache.set(key, resolved);
  return resolved;
}

/** Geography of a region's cross-region profiles, most specific first (AWS names them by the source region). */
function profilesForRegion(region: string): ProfilePrefix[] {
  if (region.startsWith("us-gov-")) return ["us-gov"];
  if (region.startsWith("us-")) return ["us"];
  if (region.startsWith("eu-")) return ["eu"];
  if (region.startsWith("ca-")) return ["ca", "us"];
  if (region === "ap-northeast-1" || region === "ap-northeast-3") return ["jp", "apac"];
  if (region === "ap-southeast-2" || region === "ap-southeast-4") return ["au", "apac"];
  // India's profiles (`in.`) are called from Mumbai and route to Mumbai and Hyderabad (ListInferenceProfiles,
  // 2026-10-07, which lists them as sourced from ap-south-1; Hyderabad was not listed as a source).
  if (region === "ap-south-1") return ["in", "apac"];
  if (region.startsWith("ap-")) return ["apac"];
  return [];
}

const profiledCache = new Map<string, ResolvedModel>();

/**
 * The id an on-demand call sends. A model Bedrock serves only through cross-region inference profiles
 * (`profile_only`), named by its bare id, is sent as the profile of the caller's region (`us.` for
 * us-east-1 …, else `global.`), as Bedrock would otherwise reject it; a model without such a profile
 * is a clear error before any call. Profile ids, ARNs and `model_id` are sent as given. The catalog's
 * lifecycle data applies first: a model past its end of life is refused (unless `allowRetired`), a legacy
 * one warned about once per process.
 */
export function onDemandModel(
  resolved: ResolvedModel,
  region: string | undefined,
  lifecycle: LifecycleOptions = {},
): ResolvedModel {
  const entry = resolved.entry;
  if (entry) checkLifecycle(entry, lifecycle);
  if (!entry?.profileOnly || resolved.wireModelId !== entry.id) return resolved;
  const key = `${entry.id}\u0000${region ?? ""}`;
  const cached = profiledCache.get(key);
  if (cached) return cached;
  const candidates = [...(region ? profilesForRegion(region) : []), "global" as const];
  const profile = candidates.find((candidate) => entry.profiles.includes(candidate));
  if (!profile) {
    throw new ModelNotSupportedError(
      `${entry.id} is served only through cross-region inference profiles (${entry.profiles.map((prefix) => `${prefix}.${entry.id}`).join(", ")}); none fits the region ${region ?? "(none set)"}. Name a profile id as the model.`,
      { model: entry.id },
    );
  }
  const profiled: ResolvedModel = { ...resolved, wireModelId: `${profile}.${entry.id}`, profile };
  profiledCache.set(key, profiled);
  return profiled;
}

/**
 * Picks the Bedrock API for a chat call: the forced route, else Converse where the catalog lists it, else
 * InvokeModel, else bedrock-mantle (a model served there alone). `bedrock/mantle/` is taken for any model:
 * bedrock-mantle serves models the catalog lists on other routes too, and it answers for the ones it does not.
 */
export function chooseChatRoute(resolved: ResolvedModel): ChatRoute {
  const { entry, forcedRoute } = resolved;
  if (forcedRoute === "mantle") return "mantle";
  if (!entry) {
    if (forcedRoute === "invoke") {
      throw new ModelNotSupportedError(
        `${describeUnknownModel(resolved.displayName)} Without a catalog entry there is no InvokeModel adapter: call it through Converse (bedrock/converse/${resolved.displayName}), or name its base model in \`model\` and the ARN in \`model_id\`.`,
        { model: resolved.displayName },
      );
    }
    return "converse";
  }
  if (forcedRoute) {
    if (!entry.routes.includes(forcedRoute)) {
      throw new ModelNotSupportedError(
        `${entry.id} does not support the ${forcedRoute} route (it supports: ${entry.routes.join(", ")})`,
        { model: entry.id },
      );
    }
    return forcedRoute;
  }
  if (entry.routes.includes("converse")) return "converse";
  if (entry.routes.includes("mantle") && !entry.routes.includes("invoke")) return "mantle";
  return "invoke";
}

/**
 * Refuses a model Bedrock serves only over InvokeModelWithBidirectionalStream (speech-to-speech, Amazon Nova
 * Sonic): the runtime does not speak that stream, so no call to it can be made, whatever the operation.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithBidirectionalStream.html
 */
function refuseBidirectionalOnly(entry: CatalogEntry): void {
  if (!entry.routes.includes("bidirectional-stream")) return;
  throw new ModelNotSupportedError(
    `${entry.id} is a ${entry.operations.join(", ")} model that Bedrock serves only over InvokeModelWithBidirectionalStream, which bedrock-forge does not speak yet; nothing was sent`,
    { model: entry.id },
  );
}

/** Fails with a clear error when the model does not offer an operation. */
export function requireOperation(resolved: ResolvedModel, operation: Operation): CatalogEntry {
  const { entry } = resolved;
  if (!entry) {
    throw new ModelNotSupportedError(
      `${describeUnknownModel(resolved.displayName)} ${operation} needs a catalog model (for an ARN, name the base model in \`model\` and the ARN in \`model_id\`).`,
      { model: resolved.displayName },
    );
  }
  refuseBidirectionalOnly(entry);
  if (!entry.operations.includes(operation)) {
    throw new ModelNotSupportedError(
      `${entry.id} does not support ${operation} (it supports: ${entry.operations.join(", ")})`,
      { model: entry.id },
    );
  }
  return entry;
}
