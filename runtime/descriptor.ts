import type {
  Capability,
  Deprecation,
  FamilySpec,
  Modality,
  ModelSpec,
  NativeSchemas,
  Operation,
  ParamTable,
  Price,
  ProfilePrefix,
  Route,
} from "../generated/spec-types.js";

/** The part of a family spec the runtime interprets (generated into `generated/families/<family>.ts`). */
export type FamilyDescriptor = Omit<FamilySpec, "models" | "native" | "sources" | "description">;

/** The JSON Schemas of a family's native bodies (`generated/native-schemas/<family>.ts`). */
export type NativeSchemaSet = NativeSchemas;

/** One model of the catalog, with the family's defaults resolved. */
export interface CatalogEntry {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly provider: string;
  readonly operations: readonly Operation[];
  readonly routes: readonly Route[];
  readonly capabilities: readonly Capability[];
  readonly inputModalities: readonly Modality[];
  readonly outputModalities: readonly Modality[];
  readonly contextWindow?: number;
  readonly maxOutputTokens?: number;
  readonly regions: readonly string[];
  readonly profiles: readonly ProfilePrefix[];
  readonly profileOnly: boolean;
  readonly deprecated?: Deprecation;
  readonly price: Price;
  readonly pricesAsOf?: string;
  readonly params?: ParamTable;
  readonly embedding?: ModelSpec["embedding"];
  readonly image?: ModelSpec["image"];
  readonly rerank?: ModelSpec["rerank"];
}

/**
 * A wire format of Bedrock Custom Model Import, as a spec's `imported` section declares it: the catalog
 * entry of an imported model (which the catalog cannot list) is made from it, with no price.
 */
export interface ImportedFormat {
  readonly family: string;
  readonly provider: string;
  readonly operations: readonly Operation[];
  readonly capabilities: readonly Capability[];
}

/**
 * A family module as generated: loaded on first use, never up front. Its native JSON Schemas are in
 * `generated/native-schemas/`, which only the emulator loads.
 */
export interface FamilyModule {
  readonly descriptor: FamilyDescriptor;
}
