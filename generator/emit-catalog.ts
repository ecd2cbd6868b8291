import type { SourceFile } from "ts-morph";
import type { FamilySpec, ModelSpec, Operation, ParamTable } from "../generated/spec-types.js";
import { addConstants, writeValue } from "./emit-common.js";
import { paramsInterfaceName } from "./emit-family.js";
import { openAIParams, runtimeImageEditParams, runtimeRerankParams } from "./known-params.js";

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A catalog entry: the model's spec with the family's defaults resolved. */
export function catalogEntryOf(family: FamilySpec, model: ModelSpec): Record<string, unknown> {
  const operations = model.operations ?? family.operations;
  return {
    id: model.id,
    name: model.name,
    family: family.family,
    provider: family.provider,
    operations,
    routes: model.routes ?? family.routes,
    capabilities: [...(model.capabilities ?? [])].sort(byString),
    inputModalities: model.input_modalities ?? ["text"],
    outputModalities:
      model.output_modalities ??
      (operations.includes("embeddings")
        ? ["embedding"]
        : operations.includes("images") || operations.includes("images-edit")
          ? ["image"]
          : ["text"]),
    contextWindow: model.context_window,
    maxOutputTokens: model.max_output_tokens,
    regions: [...model.regions].sort(byString),
    profiles: [...(model.profiles ?? [])].sort(byString),
    profileOnly: model.profile_only ?? false,
    mantleBase: model.mantle_base,
    deprecated: model.deprecated,
    price: model.price,
    pricesAsOf: family.prices_as_of,
    params: model.params,
    embedding: model.embedding,
    image: model.image,
    rerank: model.rerank,
  };
}

/** Every imported-model route with the family that declares it, sorted by route. */
function importedRoutesOf(families: readonly FamilySpec[]): { route: string; family: FamilySpec }[] {
  return families
    .flatMap((family) => (family.imported?.routes ?? []).map((route) => ({ route, family })))
    .sort((a, b) => byString(a.route, b.route));
}

/** What the runtime needs to call an imported model of a family's format (its catalog entry is made from it). */
function importedFormatOf(family: FamilySpec): Record<string, unknown> {
  return {
    family: family.family,
    provider: family.provider,
    operations: family.operations,
    capabilities: [...(family.imported?.capabilities ?? [])].sort(byString),
  };
}

/** Names of the provider params a model accepts: those its capabilities and operations allow. */
export function providerParamsOf(family: FamilySpec, model: ModelSpec): string[] {
  const capabilities = model.capabilities ?? [];
  const operations: readonly Operation[] = model.operations ?? family.operations;
  return Object.entries(family.params ?? {})
    .filter(([, param]) => !param.requires || capabilities.includes(param.requires))
    .filter(
      ([, param]) =>
        !param.operations || param.operations.some((operation) => operations.includes(operation)),
    )
    .filter(([name]) => model.params?.[name]?.policy !== "reject")
    .map(([name]) => name)
    .sort(byString);
}

/** The param tables a model's requests go through: one per operation and route it offers. */
function paramTablesOf(family: FamilySpec, model: ModelSpec): (ParamTable | undefined)[] {
  const operations: readonly Operation[] = model.operations ?? family.operations;
  const routes = model.routes ?? family.routes;
  const tables: (ParamTable | undefined)[] = [];
  if (operations.includes("chat") || operations.includes("chat-stream")) {
    if (routes.includes("invoke")) tables.push(family.chat?.request.params);
    if (routes.includes("converse")) tables.push(family.converse?.params);
  }
  if (operations.includes("embeddings")) tables.push(family.embeddings?.request.params);
  if (operations.includes("images")) tables.push(family.images?.request.params);
  if (operations.includes("images-edit")) tables.push(family.images_edit?.request.params);
  if (operations.includes("rerank")) tables.push(family.rerank?.request.params);
  return tables;
}

/**
 * Provider params a model needs in every request: those every param table of the model marks
 * `required` (with the model's overlay), so that the generated types ask for them too.
 */
export function requiredProviderParamsOf(family: FamilySpec, model: ModelSpec): string[] {
  const tables = paramTablesOf(family, model);
  if (tables.length === 0) return [];
  return providerParamsOf(family, model).filter((name) =>
    tables.every((table) => ({ ...table?.[name], ...model.params?.[name] }).required === true),
  );
}

/** The id unions emitted per operation, so each client method accepts only the models that offer it. */
const operationIdUnions: readonly { name: string; operation: Operation }[] = [
  { name: "ChatModelId", operation: "chat" },
  { name: "EmbeddingModelId", operation: "embeddings" },
  { name: "ImageModelId", operation: "images" },
  { name: "ImageEditModelId", operation: "images-edit" },
  { name: "RerankModelId", operation: "rerank" },
];

/** A model of the catalog with the family whose spec declares it. */
interface CatalogModel {
  readonly family: FamilySpec;
  readonly model: ModelSpec;
}

/** A TypeScript union of string literals, or `never` when there are none. */
function unionOf(values: readonly string[]): string {
  return values.length ? values.map((value) => JSON.stringify(value)).join(" | ") : "never";
}

/** `generated/catalog.ts`: the model id types, the per-model param types, the catalog and its lookups. */
export function emitCatalog(file: SourceFile, families: readonly FamilySpec[]): void {
  const sorted = [...families].sort((a, b) => byString(a.family, b.family));
  const models = sorted
    .flatMap((family) => family.models.map((model) => ({ family, model })))
    .sort((a, b) => byString(a.model.id, b.model.id));

  // Statements of a kind are added together: every insertion re-parses the file, which grows large.
  addCatalogImports(file, sorted);
  addCatalogTypeAliases(file, sorted, models);
  addCatalogInterfaces(file, models);
  addCatalogConstants(file, sorted, models);
  addCatalogFunctions(file);
}

/** Imports the runtime's descriptor types and each family's params interface. */
function addCatalogImports(file: SourceFile, sorted: readonly FamilySpec[]): void {
  file.addImportDeclarations([
    {
      isTypeOnly: true,
      moduleSpecifier: "../runtime/descriptor.js",
      namedImports: ["CatalogEntry", "ImportedFormat"],
    },
    ...sorted.map((family) => ({
      isTypeOnly: true,
      moduleSpecifier: `./families/${family.family}.js`,
      namedImports: [paramsInterfaceName(family.family)],
    })),
  ]);
}

/** Adds the id unions: families, models, imported-model routes and the models of each operation. */
function addCatalogTypeAliases(
  file: SourceFile,
  sorted: readonly FamilySpec[],
  models: readonly CatalogModel[],
): void {
  file.addTypeAliases([
    {
      isExported: true,
      name: "FamilyId",
      docs: ["Every model family with a spec."],
      type: unionOf(sorted.map((family) => family.family)),
    },
    {
      isExported: true,
      name: "ModelId",
      docs: ["Every base model id in the catalog."],
      type: unionOf(models.map(({ model }) => model.id)),
    },
    {
      isExported: true,
      name: "ImportedModelRoute",
      docs: [
        "LiteLLM's routes for Bedrock Custom Model Import (`bedrock/<route>/<model ARN>`), one per imported-model format.",
      ],
      type: unionOf(importedRoutesOf(sorted).map(({ route }) => route)),
    },
    ...operationIdUnions.map(({ name, operation }) => ({
      isExported: true,
      name,
      docs: [`Base model ids of the catalog that offer the \`${operation}\` operation.`],
      type: unionOf(
        models
          .filter(({ family, model }) => (model.operations ?? family.operations).includes(operation))
          .map(({ model }) => model.id),
      ),
    })),
  ]);
}

/** The type of a model's provider params: its family's params interface narrowed to what it accepts. */
function modelParamsTypeOf(family: FamilySpec, model: ModelSpec): string {
  const names = providerParamsOf(family, model);
  const required = requiredProviderParamsOf(family, model);
  const optional = names.filter((name) => !required.includes(name));
  const params = paramsInterfaceName(family.family);
  const parts = [
    ...(optional.length ? [`Pick<${params}, ${unionOf(optional)}>`] : []),
    ...(required.length ? [`Required<Pick<${params}, ${unionOf(required)}>>`] : []),
  ];
  return parts.length ? parts.join(" & ") : "Record<never, never>";
}

/** Adds `ModelAliases` (profile id → base id) and `ModelParams` (model id → its params type). */
function addCatalogInterfaces(file: SourceFile, models: readonly CatalogModel[]): void {
  const aliases = models
    .flatMap(({ model }) =>
      (model.profiles ?? []).map((profile) => ({ alias: `${profile}.${model.id}`, id: model.id })),
    )
    .sort((a, b) => byString(a.alias, b.alias));
  file.addInterfaces([
    {
      isExported: true,
      name: "ModelAliases",
      docs: ["Cross-region inference profile ids and the base model each one runs."],
      properties: aliases.map(({ alias, id }) => ({ name: JSON.stringify(alias), type: JSON.stringify(id) })),
    },
    {
      isExported: true,
      name: "ModelParams",
      docs: ["The provider-specific params each model accepts, typed from its family's spec."],
      properties: models.map(({ family, model }) => ({
        name: JSON.stringify(model.id),
        type: modelParamsTypeOf(family, model),
      })),
    },
  ]);
}

/** Adds the data: `catalog`, `importedFormats` and `modelIds`. */
function addCatalogConstants(
  file: SourceFile,
  sorted: readonly FamilySpec[],
  models: readonly CatalogModel[],
): void {
  addConstants(file, [
    {
      name: "catalog",
      type: "Readonly<Record<ModelId, CatalogEntry>>",
      docs: ["Every model: family, routes, capabilities, limits, regions, profiles and prices."],
      initializer: (writer) =>
        writeValue(
          writer,
          Object.fromEntries(models.map(({ family, model }) => [model.id, catalogEntryOf(family, model)])),
        ),
    },
    {
      name: "importedFormats",
      type: "Readonly<Record<ImportedModelRoute, ImportedFormat>>",
      docs: [
        "The wire format each imported-model route names: its family, and what such a model is taken to accept.",
      ],
      initializer: (writer) =>
        writeValue(
          writer,
          Object.fromEntries(
            importedRoutesOf(sorted).map(({ route, family }) => [route, importedFormatOf(family)]),
          ),
        ),
    },
    {
      name: "modelIds",
      type: "readonly ModelId[]",
      docs: ["Model ids in sorted order."],
      initializer: (writer) =>
        writeValue(
          writer,
          models.map(({ model }) => model.id),
        ),
    },
  ]);
}

/** Adds the lookups over the catalog: `isModelId`, `isImportedModelRoute` and `getModel`. */
function addCatalogFunctions(file: SourceFile): void {
  file.addFunctions([
    {
      isExported: true,
      name: "isModelId",
      docs: ["True when `id` is a base model id of the catalog."],
      parameters: [{ name: "id", type: "string" }],
      returnType: "id is ModelId",
      statements: "return Object.hasOwn(catalog, id);",
    },
    {
      isExported: true,
      name: "isImportedModelRoute",
      docs: ["True when `route` is one of LiteLLM's imported-model routes."],
      parameters: [{ name: "route", type: "string" }],
      returnType: "route is ImportedModelRoute",
      statements: "return Object.hasOwn(importedFormats, route);",
    },
    {
      isExported: true,
      name: "getModel",
      docs: ["The catalog entry of a base model id."],
      parameters: [{ name: "id", type: "ModelId" }],
      returnType: "CatalogEntry",
      statements: "return catalog[id];",
    },
  ]);
}

/** `generated/params.ts`: the request params every caller may send, per operation. */
export function emitParams(file: SourceFile): void {
  addConstants(file, [
    {
      name: "openAIParams",
      type: 'Readonly<Record<"chat" | "embeddings" | "images" | "images-edit" | "rerank", readonly string[]>>',
      docs: [
        "OpenAI's request params (plus bedrock-forge's common image and embedding params, and Cohere's rerank params), per operation.",
      ],
      initializer: (writer) => writeValue(writer, openAIParams),
    },
    {
      name: "runtimeImageEditParams",
      type: "readonly string[]",
      docs: [
        "Images-edit fields the runtime writes from the images_edit mapping or answers itself (no param table names them).",
      ],
      initializer: (writer) => writeValue(writer, runtimeImageEditParams),
    },
    {
      name: "runtimeRerankParams",
      type: "readonly string[]",
      docs: ["Rerank params the runtime answers itself (no spec maps them)."],
      initializer: (writer) => writeValue(writer, runtimeRerankParams),
    },
  ]);
}

/** `generated/index.ts`: the catalog plus lazy loaders of the family modules. */
export function emitIndex(file: SourceFile, families: readonly FamilySpec[]): void {
  const sorted = [...families].sort((a, b) => byString(a.family, b.family));
  file.addImportDeclarations([
    { isTypeOnly: true, moduleSpecifier: "../runtime/descriptor.js", namedImports: ["FamilyModule"] },
    { isTypeOnly: true, moduleSpecifier: "./catalog.js", namedImports: ["FamilyId"] },
  ]);
  file.addExportDeclarations([
    {
      moduleSpecifier: "./catalog.js",
      namedExports: [
        "catalog",
        "getModel",
        "importedFormats",
        "isImportedModelRoute",
        "isModelId",
        "modelIds",
      ],
    },
    {
      isTypeOnly: true,
      moduleSpecifier: "./catalog.js",
      namedExports: [
        "ChatModelId",
        "EmbeddingModelId",
        "FamilyId",
        "ImageEditModelId",
        "ImageModelId",
        "ImportedModelRoute",
        "ModelAliases",
        "ModelId",
        "ModelParams",
        "RerankModelId",
      ],
    },
    {
      moduleSpecifier: "./params.js",
      namedExports: ["openAIParams", "runtimeImageEditParams", "runtimeRerankParams"],
    },
  ]);
  addConstants(file, [
    {
      name: "familyLoaders",
      type: "Readonly<Record<FamilyId, () => Promise<FamilyModule>>>",
      docs: ["Loads a family module on first use, so importing the package builds no adapter up front."],
      initializer: (writer) => {
        writer.write("{").newLine();
        writer.indent(() => {
          for (const family of sorted) {
            writer.writeLine(
              `${JSON.stringify(family.family)}: () => import("./families/${family.family}.js"),`,
            );
          }
        });
        writer.write("}");
      },
    },
  ]);
}

/** `generated/native-schemas/index.ts`: lazy loaders of the families' native schemas, for the emulator only. */
export function emitNativeSchemaIndex(file: SourceFile, families: readonly FamilySpec[]): void {
  const sorted = [...families].sort((a, b) => byString(a.family, b.family));
  file.addImportDeclarations([
    { isTypeOnly: true, moduleSpecifier: "../../runtime/descriptor.js", namedImports: ["NativeSchemaSet"] },
    { isTypeOnly: true, moduleSpecifier: "../catalog.js", namedImports: ["FamilyId"] },
  ]);
  addConstants(file, [
    {
      name: "nativeSchemaLoaders",
      type: "Readonly<Record<FamilyId, () => Promise<NativeSchemaSet>>>",
      docs: [
        "Loads a family's native JSON Schemas. The emulator imports this module; the runtime never does, so its users never load the schemas.",
      ],
      initializer: (writer) => {
        writer.write("{").newLine();
        writer.indent(() => {
          for (const family of sorted) {
            writer.writeLine(
              `${JSON.stringify(family.family)}: async () => (await import("./${family.family}.js")).nativeSchemas,`,
            );
          }
        });
        writer.write("}");
      },
    },
  ]);
}
