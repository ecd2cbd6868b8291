import type {
  Capability,
  Deprecation,
  FamilySpec,
  Modality,
  ModelNative,
  ModelSpec,
  NativeSchemas,
  Operation,
  ParamTable,
  Price,
  ProfilePrefix,
  Route,
} from "../generated/spec-types.js";

/** One field the runtime reads from a native answer, with what the family's native response schema says of it. */
export interface FieldRead {
  /** JSON pointer into the answer (or chunk); `*` reads every element. */
  readonly pointer: string;
  /** What the field is to the runtime ("the answer text", "the stop reason"...), for error messages. */
  readonly what: string;
  /** JSON types the schema allows there (`integer`, `number`, `string`, `null`...); absent when open. */
  readonly types?: readonly string[];
  /** True when every valid answer has the field. */
  readonly required: boolean;
}

/** The check of one kind of answer: its reads, and pointers of which a valid answer holds at least one. */
export interface AnswerCheck {
  readonly reads: readonly FieldRead[];
  readonly someOf?: readonly string[];
}

/** The checks of a family's answers, derived by the generator from its mappings and native response schemas. */
export interface ResponseReads {
  readonly chat?: AnswerCheck;
  /** Each InvokeModel stream chunk. */
  readonly chat_stream?: AnswerCheck;
  readonly embeddings?: AnswerCheck;
  readonly images?: AnswerCheck;
  readonly images_edit?: AnswerCheck;
  readonly rerank?: AnswerCheck;
}

/** The part of a family spec the runtime interprets (generated into `generated/families/<family>.ts`). */
export type FamilyDescriptor = Omit<FamilySpec, "models" | "native" | "sources" | "description"> & {
  /** What the runtime reads from answers and what the native response schemas say of it (generated). */
  readonly response_reads?: ResponseReads;
};

/**
 * The JSON Schemas of a family's native bodies (`generated/native-schemas/<family>.ts`), and how the
 * request of each model listed under `models` differs from the family's.
 */
export type NativeSchemaSet = NativeSchemas & { readonly models?: Readonly<Record<string, ModelNative>> };

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
  /** The bedrock-mantle base path that serves the model (route `mantle`): `v1` or `openai/v1`. */
  readonly mantleBase?: "v1" | "openai/v1";
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
