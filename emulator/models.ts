/**
 * Model resolution as Bedrock does it: a base model id, its foundation-model ARN, a cross-region
 * inference profile id (`us.`, `eu.`, `global.` ...) or its ARN, or an id the caller registers
 * (provisioned throughput / application inference profile ARNs). The catalog decides; ids are never
 * guessed from substrings.
 */
import {
  catalog,
  familyLoaders,
  type ImportedModelRoute,
  importedFormats,
  isImportedModelRoute,
} from "../generated/index.js";
import { nativeSchemaLoaders } from "../generated/native-schemas/index.js";
import type { CatalogEntry, FamilyModule, NativeSchemaSet } from "../runtime/descriptor.js";
import { importedModelEntry } from "../runtime/imported-models.js";
import { createError, errorMessages } from "./errors.js";

/** A request's model, resolved to its catalog entry and family. */
export interface ResolvedModel {
  /** The id as it arrived (URL-decoded). */
  readonly requestedId: string;
  readonly baseId: string;
  readonly entry: CatalogEntry;
  readonly family: FamilyModule;
  /** JSON Schemas of the family's native bodies. */
  readonly schemas: NativeSchemaSet;
  /** The inference profile prefix when called through one. */
  readonly profile?: string;
  /** True when the id names a provisioned/application profile the caller registered. */
  readonly registered: boolean;
}

const FOUNDATION_MODEL_ARN = /^arn:aws(?:-[^:]+)?:bedrock:[a-z0-9-]*::foundation-model\/(.+)$/;
const INFERENCE_PROFILE_ARN = /^arn:aws(?:-[^:]+)?:bedrock:[a-z0-9-]*:\d{12}:inference-profile\/(.+)$/;

/** Strips ARN wrappers and a profile prefix, for comparing ids of models outside the catalog too. */
export function normalizeModelId(id: string): string {
  const unwrapped = FOUNDATION_MODEL_ARN.exec(id)?.[1] ?? INFERENCE_PROFILE_ARN.exec(id)?.[1] ?? id;
  return unwrapped.replace(/^(us-gov|us|eu|apac|jp|au|ca|in|global)\./, "");
}

export class ModelRegistry {
  private constructor(
    private readonly families: ReadonlyMap<string, FamilyModule>,
    private readonly schemas: ReadonlyMap<string, NativeSchemaSet>,
    private readonly registered: ReadonlyMap<string, string>,
    private readonly enforceProfileOnly: boolean,
    private readonly imported: ReadonlyMap<string, ImportedModelRoute>,
  ) {}

  /** Loads every family module and native schema set of the catalog once, so request handling never waits on an import. */
  static async load(options: {
    models?: Readonly<Record<string, string>>;
    importedModels?: Readonly<Record<string, string>>;
    enforceProfileOnly?: boolean;
  }): Promise<ModelRegistry> {
    const families = new Map<string, FamilyModule>();
    const schemas = new Map<string, NativeSchemaSet>();
    await Promise.all([
      ...Object.entries(familyLoaders).map(async ([family, load]) => {
        families.set(family, await load());
      }),
      ...Object.entries(nativeSchemaLoaders).map(async ([family, load]) => {
        schemas.set(family, await load());
      }),
    ]);
    const registered = new Map<string, string>();
    for (const [id, base] of Object.entries(options.models ?? {})) {
      if (!Object.hasOwn(catalog, base)) {
        throw new Error(`emulator option models: "${id}" maps to "${base}", which is not a catalog model id`);
      }
      registered.set(id, base);
    }
    const imported = new Map<string, ImportedModelRoute>();
    for (const [id, route] of Object.entries(options.importedModels ?? {})) {
      if (!isImportedModelRoute(route)) {
        throw new Error(
          `emulator option importedModels: "${id}" names "${route}", which is not an imported-model route (${Object.keys(importedFormats).sort().join(", ")})`,
        );
      }
      imported.set(id, route);
    }
    return new ModelRegistry(families, schemas, registered, options.enforceProfileOnly ?? true, imported);
  }

  /** The family module of a catalog entry. */
  familyOf(entry: CatalogEntry): FamilyModule {
    const family = this.families.get(entry.family);
    if (!family) throw new Error(`no generated module for family ${entry.family}`);
    return family;
  }

  /** Every catalog entry. */
  entries(): CatalogEntry[] {
    return Object.values(catalog);
  }

  /** Resolves a model id or returns undefined when the catalog does not know it. */
  find(requestedId: string): ResolvedModel | undefined {
    const route = this.imported.get(requestedId);
    if (route) return this.buildImported(requestedId, route);
    const registeredBase = this.registered.get(requestedId);
    if (registeredBase) return this.build(requestedId, registeredBase, undefined, true);
    const foundation = FOUNDATION_MODEL_ARN.exec(requestedId)?.[1];
    const id = foundation ?? INFERENCE_PROFILE_ARN.exec(requestedId)?.[1] ?? requestedId;
    if (Object.hasOwn(catalog, id)) return this.build(requestedId, id, undefined, false);
    const dot = id.indexOf(".");
    if (dot > 0) {
      const prefix = id.slice(0, dot);
      const base = id.slice(dot + 1);
      const entry = (catalog as Record<string, CatalogEntry>)[base];
      if (entry && (entry.profiles as readonly string[]).includes(prefix)) {
        return this.build(requestedId, base, prefix, false);
      }
    }
    return undefined;
  }

  /**
   * Resolves a model id for an on-demand call; throws Bedrock's ValidationException for unknown ids and
   * for profile-only models called by their bare id.
   */
  resolve(requestedId: string): ResolvedModel {
    const resolved = this.find(requestedId);
    if (!resolved) throw createError("ValidationException", errorMessages.invalidModel);
    if (this.enforceProfileOnly && resolved.entry.profileOnly && !resolved.profile && !resolved.registered) {
      // Real message: https://github.com/strands-agents/harness-sdk/issues/38 (typographic apostrophe as sent).
      throw createError(
        "ValidationException",
        `Invocation of model ID ${resolved.baseId} with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.`,
      );
    }
    return resolved;
  }

  /** An imported model: the entry of its route's format, as the runtime makes it. */
  private buildImported(requestedId: string, route: ImportedModelRoute): ResolvedModel {
    const entry = importedModelEntry(route, requestedId);
    return {
      requestedId,
      baseId: requestedId,
      entry,
      family: this.familyOf(entry),
      schemas: this.schemas.get(entry.family) ?? {},
      registered: true,
    };
  }

  private build(requestedId: string, baseId: string, profile: string | undefined, registered: boolean) {
    const entry = (catalog as Record<string, CatalogEntry>)[baseId]!;
    const resolved: ResolvedModel = {
      requestedId,
      baseId,
      entry,
      family: this.familyOf(entry),
      schemas: this.schemas.get(entry.family) ?? {},
      registered,
      ...(profile ? { profile } : {}),
    };
    return resolved;
  }
}
