import { type FamilyId, familyLoaders } from "../generated/index.js";
import type { Operation } from "../generated/spec-types.js";
import type { CatalogEntry, FamilyDescriptor, FamilyModule } from "./descriptor.js";
import { ModelNotSupportedError } from "./errors.js";
import type { LifecycleOptions } from "./lifecycle.js";
import { onDemandModel, type ResolvedModel, requireOperation, resolveModel } from "./models.js";

const loaded = new Map<string, FamilyModule>();
const loading = new Map<string, Promise<FamilyModule>>();

/** The generated module of a family, imported on first use and kept. */
export function loadFamily(family: string): Promise<FamilyModule> | FamilyModule {
  const ready = loaded.get(family);
  if (ready) return ready;
  let pending = loading.get(family);
  if (!pending) {
    const loader = familyLoaders[family as FamilyId];
    if (!loader) throw new ModelNotSupportedError(`no adapter is generated for the family ${family}`);
    pending = loader().then((module) => {
      loaded.set(family, module);
      loading.delete(family);
      return module;
    });
    loading.set(family, pending);
  }
  return pending;
}

/**
 * The model of a non-chat operation call (embeddings, images, rerank): resolved against the catalog, sent
 * as the region's profile where it needs one, offering the operation, with its family's descriptor.
 */
export async function resolveOperation(
  request: Readonly<Record<string, unknown>>,
  region: string | undefined,
  operation: Operation,
  lifecycle: LifecycleOptions = {},
): Promise<{ resolved: ResolvedModel; entry: CatalogEntry; descriptor: FamilyDescriptor }> {
  const resolved = onDemandModel(
    resolveModel(request.model as string, request.model_id as string | undefined),
    region,
    lifecycle,
  );
  const entry = requireOperation(resolved, operation);
  const { descriptor } = await loadFamily(entry.family);
  return { resolved, entry, descriptor };
}
