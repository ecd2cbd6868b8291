import { type FamilyId, familyLoaders } from "../generated/index.js";
import type { FamilyModule } from "./descriptor.js";
import { ModelNotSupportedError } from "./errors.js";

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
