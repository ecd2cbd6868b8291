/**
 * Models of Bedrock Custom Model Import, called by LiteLLM's routes: `bedrock/<route>/<model ARN>` or
 * `bedrock/<route>/<region>/<model ARN>` (https://docs.litellm.ai/docs/providers/bedrock_imported). The route
 * is the caller's declaration of the model's wire format (a spec's `imported` section names the routes of its
 * family); nothing is guessed from the ARN. The catalog cannot list such a model, so its entry is made here:
 * the format's family and capabilities, InvokeModel only, no limits and no price (its cost is unknown).
 */
import { type ImportedModelRoute, importedFormats, isImportedModelRoute } from "../generated/catalog.js";
import type { CatalogEntry } from "./descriptor.js";
import { isRegionName, readArnRegion } from "./model-region.js";

export type { ImportedModelRoute };
export { isImportedModelRoute };

/** An imported-model reference taken apart. */
export interface ImportedModelReference {
  readonly route: ImportedModelRoute;
  /** The ARN (or id) invoked, without the route and Region segments. */
  readonly modelId: string;
  /** The Region the route names, else the ARN's. */
  readonly region: string | undefined;
}

/**
 * Reads `<route>/[<region>/]<model>` (after `bedrock/`), or undefined when the first segment is not an
 * imported-model route. The model is everything after the route (and Region) segment, slashes included.
 */
export function readImportedModelReference(reference: string): ImportedModelReference | undefined {
  const slash = reference.indexOf("/");
  if (slash <= 0) return undefined;
  const route = reference.slice(0, slash);
  if (!isImportedModelRoute(route)) return undefined;
  let rest = reference.slice(slash + 1);
  let region: string | undefined;
  const next = rest.indexOf("/");
  if (next > 0 && isRegionName(rest.slice(0, next))) {
    region = rest.slice(0, next);
    rest = rest.slice(next + 1);
  }
  return { route, modelId: rest, region: region ?? readArnRegion(rest) };
}

const entries = new Map<string, CatalogEntry>();

/** The catalog entry of an imported model of a route's format (cached per route and model). */
export function importedModelEntry(route: ImportedModelRoute, modelId: string): CatalogEntry {
  const key = `${route}\u0000${modelId}`;
  let entry = entries.get(key);
  if (!entry) {
    const format = importedFormats[route];
    const region = readArnRegion(modelId);
    entry = {
      id: modelId,
      name: `${modelId} (imported, ${route} format)`,
      family: format.family,
      provider: format.provider,
      operations: format.operations,
      routes: ["invoke"],
      capabilities: format.capabilities,
      inputModalities: format.capabilities.includes("vision") ? ["text", "image"] : ["text"],
      outputModalities: ["text"],
      regions: region ? [region] : [],
      profiles: [],
      profileOnly: false,
      price: {},
    };
    if (entries.size > 4096) entries.clear();
    entries.set(key, entry);
  }
  return entry;
}
