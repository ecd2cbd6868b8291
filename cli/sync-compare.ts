/**
 * What `bedrock-forge sync` finds when it sets the catalog beside Bedrock's own lists for one Region: pure
 * functions over the catalog entries and the ListFoundationModels and ListInferenceProfiles answers.
 *
 * Wire facts these rules rest on (see emulator/control-plane.ts for their sources): a model Bedrock serves
 * only through profiles has `inferenceTypesSupported: ["INFERENCE_PROFILE"]`; provisioned-throughput variants
 * (`amazon.nova-lite-v1:0:24k`) list only `PROVISIONED`, and customization-only bases list no inference type
 * at all; a retired model disappears from the list (only ACTIVE and LEGACY appear); a system-defined profile id
 * is `<prefix>.<model id>`, and its `models[].modelArn` name the model in each Region it routes to.
 */
import type { FoundationModelSummary, InferenceProfileSummary } from "@aws-sdk/client-bedrock";
import type { Modality, Operation } from "../generated/spec-types.js";
import type { CatalogEntry } from "../runtime/descriptor.js";
import { type LifecycleState, lifecycleStateOf } from "../runtime/lifecycle.js";

/** A model Bedrock serves in the Region that the catalog lacks. */
export interface MissingModel {
  readonly id: string;
  readonly name: string | undefined;
  readonly provider: string | undefined;
  readonly inputModalities: readonly string[];
  readonly outputModalities: readonly string[];
  readonly inferenceTypes: readonly string[];
  readonly streaming: boolean | undefined;
  readonly status: string | undefined;
  /** Prefixes of the system-defined profiles that route to it (`us`, `global` …), sorted. */
  readonly profiles: readonly string[];
  /** YYYY-MM-DD, when Bedrock gives them. */
  readonly legacySince?: string;
  readonly endOfLife?: string;
}

/** A catalog model Bedrock marks LEGACY in the Region, with what each side says. */
export interface LegacyModel {
  readonly id: string;
  readonly legacySince?: string;
  readonly endOfLife?: string;
  /** The catalog's state of the model today. */
  readonly catalogState: LifecycleState;
  readonly catalogLegacySince?: string;
  readonly catalogEndOfLife?: string;
}

/** A model entry Bedrock lists that no on-demand call can reach, so `missing` leaves it out. */
export interface IgnoredModel {
  readonly id: string;
  readonly reason: "provisioned throughput only" | "customization only";
}

export interface SyncReport {
  readonly region: string;
  /** Bedrock serves these (on demand or through a system-defined profile); the catalog lacks them. */
  readonly missing: readonly MissingModel[];
  /** Catalog models Bedrock marks LEGACY here. */
  readonly legacy: readonly LegacyModel[];
  /** Catalog models listed for this Region (and not past their end of life) that Bedrock no longer lists. */
  readonly gone: readonly string[];
  /** Catalog models past their end of life that Bedrock still lists here. */
  readonly retiredButListed: readonly string[];
  /** Catalog models Bedrock serves here whose catalog entry does not list this Region. */
  readonly regions: { readonly missing: readonly string[] };
  /**
   * `missing`: system-defined profiles Bedrock lists here for catalog models whose catalog entry lacks the
   * prefix; `gone`: profiles the catalog implies (its prefix for a model served here, with Bedrock listing
   * other profiles of that prefix here) that Bedrock does not list.
   */
  readonly profiles: { readonly missing: readonly string[]; readonly gone: readonly string[] };
  /** Provisioned-only and customization-only entries, left out of `missing`. */
  readonly ignored: readonly IgnoredModel[];
  readonly counts: { readonly models: number; readonly profiles: number; readonly catalog: number };
}

export interface CompareInput {
  readonly region: string;
  readonly entries: readonly CatalogEntry[];
  readonly models: readonly FoundationModelSummary[];
  readonly profiles: readonly InferenceProfileSummary[];
  /** The day (YYYY-MM-DD, UTC) the catalog's lifecycle dates are judged by. */
  readonly today: string;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A timestamp as the catalog's YYYY-MM-DD. */
function toDay(value: Date | undefined): string | undefined {
  return value && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : undefined;
}

/** The model id inside a foundation-model ARN (`arn:aws:bedrock:us-east-1::foundation-model/ID`). */
export function modelIdOfArn(arn: string): string | undefined {
  return /:foundation-model\/(.+)$/.exec(arn)?.[1];
}

/**
 * The prefix and base model of a system-defined profile: the model named by its `models[].modelArn`, the
 * prefix the part of the id before `.<model id>`; undefined when the id is not `<prefix>.<model id>`.
 */
export function splitProfileId(
  profile: InferenceProfileSummary,
): { prefix: string; modelId: string } | undefined {
  const id = profile.inferenceProfileId ?? "";
  for (const model of profile.models ?? []) {
    const modelId = modelIdOfArn(model.modelArn ?? "");
    if (modelId && id.endsWith(`.${modelId}`) && id.length > modelId.length + 1) {
      const prefix = id.slice(0, id.length - modelId.length - 1);
      if (!prefix.includes(".")) return { prefix, modelId };
    }
  }
  const dot = id.indexOf(".");
  return dot > 0 && id.indexOf(".", dot + 1) > 0
    ? { prefix: id.slice(0, dot), modelId: id.slice(dot + 1) }
    : undefined;
}

/** Compares the catalog with Bedrock's lists for one Region. */
export function compareCatalog(input: CompareInput): SyncReport {
  const { region, entries, today } = input;
  const catalog = new Map(entries.map((entry) => [entry.id, entry]));
  const profiles = input.profiles.filter(
    (profile) =>
      (profile.type ?? "SYSTEM_DEFINED") === "SYSTEM_DEFINED" && (profile.status ?? "ACTIVE") === "ACTIVE",
  );
  // Model id → prefixes of the system-defined profiles that route to it from this Region.
  const profilePrefixes = new Map<string, Set<string>>();
  const listedProfileIds = new Set<string>();
  for (const profile of profiles) {
    const split = splitProfileId(profile);
    if (!split) continue;
    listedProfileIds.add(`${split.prefix}.${split.modelId}`);
    const set = profilePrefixes.get(split.modelId) ?? new Set<string>();
    set.add(split.prefix);
    profilePrefixes.set(split.modelId, set);
  }
  const prefixesHere = new Set([...profilePrefixes.values()].flatMap((set) => [...set]));

  const listed = new Map<string, FoundationModelSummary>();
  for (const model of input.models) if (model.modelId) listed.set(model.modelId, model);
  const stateOf = (entry: CatalogEntry) => lifecycleStateOf(entry.deprecated, today);

  const missing: MissingModel[] = [];
  const ignored: IgnoredModel[] = [];
  const served = new Set<string>();
  for (const [id, model] of listed) {
    // Real answers carry INFERENCE_PROFILE, which the SDK's InferenceType enum lacks.
    const types: readonly string[] = model.inferenceTypesSupported ?? [];
    const viaProfile = profilePrefixes.has(id);
    if (!types.includes("ON_DEMAND") && !types.includes("INFERENCE_PROFILE") && !viaProfile) {
      if (!catalog.has(id))
        ignored.push({
          id,
          reason: types.length === 0 ? "customization only" : "provisioned throughput only",
        });
      continue;
    }
    served.add(id);
    if (catalog.has(id)) continue;
    const lifecycle = model.modelLifecycle;
    const legacySince = toDay(lifecycle?.legacyTime);
    const endOfLife = toDay(lifecycle?.endOfLifeTime);
    missing.push({
      id,
      name: model.modelName,
      provider: model.providerName,
      inputModalities: model.inputModalities ?? [],
      outputModalities: model.outputModalities ?? [],
      inferenceTypes: types,
      streaming: model.responseStreamingSupported,
      status: lifecycle?.status,
      profiles: [...(profilePrefixes.get(id) ?? [])].sort(byText),
      ...(legacySince ? { legacySince } : {}),
      ...(endOfLife ? { endOfLife } : {}),
    });
  }

  const legacy: LegacyModel[] = [];
  for (const [id, model] of listed) {
    const entry = catalog.get(id);
    if (!entry || model.modelLifecycle?.status !== "LEGACY") continue;
    const legacySince = toDay(model.modelLifecycle.legacyTime);
    const endOfLife = toDay(model.modelLifecycle.endOfLifeTime);
    legacy.push({
      id,
      ...(legacySince ? { legacySince } : {}),
      ...(endOfLife ? { endOfLife } : {}),
      catalogState: stateOf(entry),
      ...(entry.deprecated?.legacy_since ? { catalogLegacySince: entry.deprecated.legacy_since } : {}),
      ...(entry.deprecated?.end_of_life ? { catalogEndOfLife: entry.deprecated.end_of_life } : {}),
    });
  }

  const gone: string[] = [];
  const retiredButListed: string[] = [];
  const regionsMissing: string[] = [];
  const profilesGone: string[] = [];
  for (const entry of entries) {
    const retired = stateOf(entry) === "retired";
    if (retired) {
      if (served.has(entry.id)) retiredButListed.push(entry.id);
      continue;
    }
    if (entry.regions.includes(region) && !listed.has(entry.id)) gone.push(entry.id);
    if (served.has(entry.id) && !entry.regions.includes(region)) regionsMissing.push(entry.id);
    // The profiles the catalog implies here: for a model listed for (or served in) this Region, each of its
    // prefixes that Bedrock offers here at all.
    if (entry.regions.includes(region) || served.has(entry.id)) {
      for (const prefix of entry.profiles) {
        const id = `${prefix}.${entry.id}`;
        if (prefixesHere.has(prefix) && !listedProfileIds.has(id)) profilesGone.push(id);
      }
    }
  }
  const profilesMissing: string[] = [];
  for (const [modelId, prefixes] of profilePrefixes) {
    const entry = catalog.get(modelId);
    if (!entry) continue;
    for (const prefix of prefixes)
      if (!(entry.profiles as readonly string[]).includes(prefix))
        profilesMissing.push(`${prefix}.${modelId}`);
  }

  return {
    region,
    missing: missing.sort((a, b) => byText(a.id, b.id)),
    legacy: legacy.sort((a, b) => byText(a.id, b.id)),
    gone: gone.sort(byText),
    retiredButListed: retiredButListed.sort(byText),
    regions: { missing: regionsMissing.sort(byText) },
    profiles: { missing: profilesMissing.sort(byText), gone: profilesGone.sort(byText) },
    ignored: ignored.sort((a, b) => byText(a.id, b.id)),
    counts: { models: input.models.length, profiles: profiles.length, catalog: entries.length },
  };
}

// ------------------------------------------------------------------------------------------------------
// Where a missing model goes

/** The family a missing model is scaffolded into, and the catalog model it is copied from. */
export type FamilyChoice =
  | { readonly family: string; readonly like: string }
  | { readonly family?: undefined; readonly reason: string };

/** Bedrock's input modalities as the catalog's (SPEECH input is what the catalog calls audio or speech). */
const catalogModalities: Readonly<Record<string, readonly Modality[]>> = {
  TEXT: ["text"],
  IMAGE: ["image"],
  VIDEO: ["video"],
  AUDIO: ["audio", "speech"],
  SPEECH: ["speech", "audio"],
};

/** The catalog operation that produces an output modality. */
const operationsByOutput: Readonly<Record<string, Operation>> = {
  TEXT: "chat",
  IMAGE: "images",
  EMBEDDING: "embeddings",
};

/** Bedrock's input modalities as catalog ones, for a scaffolded entry: the first catalog name of each. */
export function toCatalogModalities(modalities: readonly string[]): Modality[] {
  const result: Modality[] = [];
  for (const modality of modalities) {
    const mapped = catalogModalities[modality]?.[0];
    if (mapped && !result.includes(mapped)) result.push(mapped);
  }
  return result;
}

/** Levenshtein distance, for picking the catalog id closest to a new one. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

function providerOf(id: string): string {
  return id.slice(0, id.indexOf("."));
}

/**
 * The family a missing model belongs in, from its provider (the id's prefix) and modalities: a family of the
 * same provider whose models have the operation its output needs (TEXT → chat, IMAGE → images, EMBEDDING →
 * embeddings) and, between them, take every input modality it lists. The model copied is the current
 * (not retired) one of those families that takes all its inputs, with the closest id. A model with another
 * output (SPEECH, VIDEO), of a provider the catalog lacks, or with inputs no such family takes, gets a reason.
 */
export function chooseFamily(
  model: MissingModel,
  entries: readonly CatalogEntry[],
  today: string,
): FamilyChoice {
  const outputs = model.outputModalities;
  if (outputs.length === 0) return { reason: "Bedrock lists no output modality for it" };
  const unsupported = outputs.filter((modality) => !operationsByOutput[modality]);
  if (unsupported.length > 0)
    return { reason: `no catalog operation produces ${unsupported.join(" or ")} output` };
  const operation = outputs.includes("EMBEDDING")
    ? "embeddings"
    : outputs.includes("IMAGE")
      ? "images"
      : operationsByOutput[outputs[0]!]!;
  const provider = providerOf(model.id);
  const candidates = entries.filter(
    (entry) =>
      providerOf(entry.id) === provider &&
      entry.operations.includes(operation) &&
      lifecycleStateOf(entry.deprecated, today) !== "retired",
  );
  if (candidates.length === 0)
    return {
      reason: `the catalog has no current ${operation} model of provider "${provider}" to copy; a new family needs a spec written by hand (bedrock-forge scaffold ${model.id} --like <model> --family <name>)`,
    };
  const unknownInputs = model.inputModalities.filter((modality) => !catalogModalities[modality]);
  if (unknownInputs.length > 0)
    return { reason: `the catalog has no modality for its ${unknownInputs.join(", ")} input` };
  const takes = (modalities: readonly Modality[], input: string) =>
    catalogModalities[input]!.some((modality) => modalities.includes(modality));
  const familyInputs = new Map<string, Set<Modality>>();
  for (const entry of candidates) {
    const set = familyInputs.get(entry.family) ?? new Set<Modality>();
    for (const modality of entry.inputModalities) set.add(modality);
    familyInputs.set(entry.family, set);
  }
  const families = [...familyInputs]
    .filter(([, inputs]) => model.inputModalities.every((input) => takes([...inputs], input)))
    .map(([family]) => family);
  if (families.length === 0)
    return {
      reason: `no ${provider} ${operation} family in the catalog takes ${model.inputModalities.join(", ")} input`,
    };
  const ranked = candidates
    .filter((entry) => families.includes(entry.family))
    .map((entry) => ({
      entry,
      coversInputs: model.inputModalities.every((input) => takes(entry.inputModalities, input)),
      distance: editDistance(model.id, entry.id),
    }))
    .sort(
      (a, b) =>
        Number(b.coversInputs) - Number(a.coversInputs) ||
        a.distance - b.distance ||
        byText(a.entry.id, b.entry.id),
    );
  const best = ranked[0]!.entry;
  return { family: best.family, like: best.id };
}
