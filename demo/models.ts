import { catalog, modelIds } from "../generated/catalog.js";
import { type CatalogEntry, lifecycleStateOf } from "../runtime/index.js";

/** What each demo section needs from a model, and the well-known ids it tries first. */
export interface DemoNeed {
  readonly label: string;
  readonly preferred: readonly string[];
  readonly fits: (entry: CatalogEntry) => boolean;
}

export const chatNeed: DemoNeed = {
  label: "chat model with streaming, tools and tool_choice",
  preferred: [
    "anthropic.claude-3-haiku-20240307-v1:0",
    "amazon.nova-micro-v1:0",
    "amazon.nova-lite-v1:0",
    "anthropic.claude-haiku-4-5-20251001-v1:0",
  ],
  fits: (entry) =>
    entry.operations.includes("chat") &&
    entry.operations.includes("chat-stream") &&
    entry.capabilities.includes("tools") &&
    entry.capabilities.includes("tool-choice"),
};

export const embeddingNeed: DemoNeed = {
  label: "text embedding model",
  preferred: ["amazon.titan-embed-text-v2:0", "cohere.embed-english-v3", "amazon.titan-embed-text-v1"],
  fits: (entry) => entry.operations.includes("embeddings") && entry.inputModalities.includes("text"),
};

export const imageNeed: DemoNeed = {
  label: "image generation model",
  preferred: [
    "amazon.titan-image-generator-v2:0",
    "amazon.nova-canvas-v1:0",
    "stability.stable-diffusion-xl-v1",
  ],
  fits: (entry) => entry.operations.includes("images"),
};

/** A model chosen for a section: the catalog entry and the id to send (a profile id where one is required). */
export interface DemoModel {
  readonly entry: CatalogEntry;
  readonly callId: string;
}

/** Cross-region profile prefixes to try for a region, best first. */
function profilePreference(region: string): string[] {
  if (region.startsWith("us-gov-")) return ["us-gov", "global"];
  if (region.startsWith("us-")) return ["us", "global"];
  if (region.startsWith("ca-")) return ["ca", "us", "global"];
  if (region.startsWith("eu-")) return ["eu", "global"];
  if (region === "ap-northeast-1" || region === "ap-northeast-3") return ["jp", "apac", "global"];
  if (region === "ap-southeast-2" || region === "ap-southeast-4") return ["au", "apac", "global"];
  if (region === "ap-south-1") return ["in", "apac", "global"];
  if (region.startsWith("ap-")) return ["apac", "global"];
  return ["global"];
}

/** The id to call a model by in a region: the base id, or the region's profile id when the model needs one. */
export function callIdFor(entry: CatalogEntry, region: string | undefined): string | undefined {
  if (!entry.profileOnly)
    return region === undefined || entry.regions.includes(region) ? entry.id : undefined;
  const prefix = region
    ? profilePreference(region).find((candidate) => (entry.profiles as readonly string[]).includes(candidate))
    : entry.profiles[0];
  return prefix ? `${prefix}.${entry.id}` : undefined;
}

function inputPrice(entry: CatalogEntry): number {
  const price = entry.price;
  return (
    price.input_per_mtok ?? price.embedding_per_mtok ?? price.images?.[0]?.usd ?? Number.POSITIVE_INFINITY
  );
}

/**
 * Picks a model for a section from the catalog: the first preferred id that fits, else the cheapest
 * model that fits (ties by id); models still active come before legacy ones, and retired models (which
 * the runtime refuses) are never picked. Live runs (`region` given) only consider models callable in
 * the region, directly or through a cross-region profile.
 */
export function pickModel(
  need: DemoNeed,
  options: { region?: string; override?: string } = {},
): DemoModel | undefined {
  const today = new Date().toISOString().slice(0, 10);
  const callable = (entry: CatalogEntry) =>
    need.fits(entry) &&
    lifecycleStateOf(entry.deprecated, today) !== "retired" &&
    callIdFor(entry, options.region) !== undefined;
  if (options.override !== undefined) {
    const entry = (catalog as Readonly<Record<string, CatalogEntry>>)[options.override];
    if (!entry)
      throw new Error(`${options.override} is not in the catalog (\`npm run cli -- models\` lists it)`);
    if (!need.fits(entry)) throw new Error(`${options.override} is not a ${need.label}`);
    return { entry, callId: callIdFor(entry, options.region) ?? entry.id };
  }
  const entries = modelIds.map((id) => catalog[id] as CatalogEntry);
  const pick = (usable: (entry: CatalogEntry) => boolean) =>
    need.preferred
      .map((id) => entries.find((entry) => entry.id === id))
      .find((entry): entry is CatalogEntry => entry !== undefined && usable(entry)) ??
    entries.filter(usable).sort((a, b) => inputPrice(a) - inputPrice(b) || a.id.localeCompare(b.id))[0];
  const chosen =
    pick((entry) => callable(entry) && lifecycleStateOf(entry.deprecated, today) === "active") ??
    pick(callable);
  return chosen ? { entry: chosen, callId: callIdFor(chosen, options.region)! } : undefined;
}
