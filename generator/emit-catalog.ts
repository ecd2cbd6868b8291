import type { FamilySpec, ModelSpec, Operation, ParamTable } from "../generated/spec-types.js";
import type { ModuleSink } from "./emit-common.js";
import { paramsInterfaceName } from "./emit-family.js";
import { openAIParams, runtimeImageEditParams, runtimeRerankParams } from "./known-params.js";
import {
  printConstants,
  printFunction,
  printInterface,
  printReExport,
  printTypeAlias,
  printTypeImport,
  printValue,
} from "./print-text.js";

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
export function emitCatalog(file: ModuleSink, families: readonly FamilySpec[]): void {
  const sorted = [...families].sort((a, b) => byString(a.family, b.family));
  const models = sorted
    .flatMap((family) => family.models.map((model) => ({ family, model })))
    .sort((a, b) => byString(a.model.id, b.model.id));
  // Groups of statements are separated by a blank line.
  file.addStatements(
    [
      printCatalogImports(sorted),
      printCatalogTypeAliases(sorted, models),
      printCatalogInterfaces(models),
      printCatalogConstants(sorted, models),
      printCatalogFunctions(),
    ].join("\n"),
  );
}

/** Imports the runtime's descriptor types and each family's params interface. */
function printCatalogImports(sorted: readonly FamilySpec[]): string {
  return [
    printTypeImport(["CatalogEntry", "ImportedFormat"], "../runtime/descriptor.js"),
    ...sorted.map((family) =>
      printTypeImport([paramsInterfaceName(family.family)], `./families/${family.family}.js`),
    ),
  ].join("");
}

/** The id unions: families, models, imported-model routes and the models of each operation. */
function printCatalogTypeAliases(sorted: readonly FamilySpec[], models: readonly CatalogModel[]): string {
  return [
    {
      name: "FamilyId",
      doc: "Every model family with a spec.",
      type: unionOf(sorted.map((family) => family.family)),
    },
    {
      name: "ModelId",
      doc: "Every base model id in the catalog.",
      type: unionOf(models.map(({ model }) => model.id)),
    },
    {
      name: "ImportedModelRoute",
      doc: "LiteLLM's routes for Bedrock Custom Model Import (`bedrock/<route>/<model ARN>`), one per imported-model format.",
      type: unionOf(importedRoutesOf(sorted).map(({ route }) => route)),
    },
    ...operationIdUnions.map(({ name, operation }) => ({
      name,
      doc: `Base model ids of the catalog that offer the \`${operation}\` operation.`,
      type: unionOf(
        models
          .filter(({ family, model }) => (model.operations ?? family.operations).includes(operation))
          .map(({ model }) => model.id),
      ),
    })),
  ]
    .map(printTypeAlias)
    .join("");
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

/** `ModelAliases` (profile id → base id) and `ModelParams` (model id → its params type). */
function printCatalogInterfaces(models: readonly CatalogModel[]): string {
  const aliases = models
    .flatMap(({ model }) =>
      (model.profiles ?? []).map((profile) => ({ alias: `${profile}.${model.id}`, id: model.id })),
    )
    .sort((a, b) => byString(a.alias, b.alias));
  return [
    printInterface({
      name: "ModelAliases",
      doc: "Cross-region inference profile ids and the base model each one runs.",
      properties: aliases.map(({ alias, id }) => ({ name: JSON.stringify(alias), type: JSON.stringify(id) })),
    }),
    printInterface({
      name: "ModelParams",
      doc: "The provider-specific params each model accepts, typed from its family's spec.",
      properties: models.map(({ family, model }) => ({
        name: JSON.stringify(model.id),
        type: modelParamsTypeOf(family, model),
      })),
    }),
  ].join("\n");
}

/** The data: `catalog`, `importedFormats` and `modelIds`. */
function printCatalogConstants(sorted: readonly FamilySpec[], models: readonly CatalogModel[]): string {
  return printConstants([
    {
      name: "catalog",
      type: "Readonly<Record<ModelId, CatalogEntry>>",
      docs: ["Every model: family, routes, capabilities, limits, regions, profiles and prices."],
      initializer: printValue(
        Object.fromEntries(models.map(({ family, model }) => [model.id, catalogEntryOf(family, model)])),
      ),
    },
    {
      name: "importedFormats",
      type: "Readonly<Record<ImportedModelRoute, ImportedFormat>>",
      docs: [
        "The wire format each imported-model route names: its family, and what such a model is taken to accept.",
      ],
      initializer: printValue(
        Object.fromEntries(
          importedRoutesOf(sorted).map(({ route, family }) => [route, importedFormatOf(family)]),
        ),
      ),
    },
    {
      name: "modelIds",
      type: "readonly ModelId[]",
      docs: ["Model ids in sorted order."],
      initializer: printValue(models.map(({ model }) => model.id)),
    },
  ]);
}

/** The lookups over the catalog: `isModelId`, `isImportedModelRoute` and `getModel`. */
function printCatalogFunctions(): string {
  return [
    printFunction({
      name: "isModelId",
      doc: "True when `id` is a base model id of the catalog.",
      parameters: "id: string",
      returnType: "id is ModelId",
      statement: "return Object.hasOwn(catalog, id);",
    }),
    printFunction({
      name: "isImportedModelRoute",
      doc: "True when `route` is one of LiteLLM's imported-model routes.",
      parameters: "route: string",
      returnType: "route is ImportedModelRoute",
      statement: "return Object.hasOwn(importedFormats, route);",
    }),
    printFunction({
      name: "getModel",
      doc: "The catalog entry of a base model id.",
      parameters: "id: ModelId",
      returnType: "CatalogEntry",
      statement: "return catalog[id];",
    }),
  ].join("\n");
}

/** `generated/params.ts`: the request params every caller may send, per operation. */
export function emitParams(file: ModuleSink): void {
  file.addStatements(
    printConstants([
      {
        name: "openAIParams",
        type: 'Readonly<Record<"chat" | "embeddings" | "images" | "images-edit" | "rerank", readonly string[]>>',
        docs: [
          "OpenAI's request params (plus bedrock-forge's common image and embedding params, and Cohere's rerank params), per operation.",
        ],
        initializer: printValue(openAIParams),
      },
      {
        name: "runtimeImageEditParams",
        type: "readonly string[]",
        docs: [
          "Images-edit fields the runtime writes from the images_edit mapping or answers itself (no param table names them).",
        ],
        initializer: printValue(runtimeImageEditParams),
      },
      {
        name: "runtimeRerankParams",
        type: "readonly string[]",
        docs: ["Rerank params the runtime answers itself (no spec maps them)."],
        initializer: printValue(runtimeRerankParams),
      },
    ]),
  );
}

/** An object literal of one `"key": value,` line per entry, each line as given. */
function printLines(lines: readonly string[]): string {
  return `{\n${lines.map((line) => `  ${line}\n`).join("")}}`;
}

/** `generated/index.ts`: the catalog plus lazy loaders of the family modules. */
export function emitIndex(file: ModuleSink, families: readonly FamilySpec[]): void {
  const sorted = [...families].sort((a, b) => byString(a.family, b.family));
  file.addStatements(
    [
      printTypeImport(["FamilyModule"], "../runtime/descriptor.js"),
      printTypeImport(["FamilyId"], "./catalog.js"),
      "\n",
      printReExport(
        ["catalog", "getModel", "importedFormats", "isImportedModelRoute", "isModelId", "modelIds"],
        "./catalog.js",
      ),
      printReExport(
        [
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
        "./catalog.js",
        true,
      ),
      printReExport(["openAIParams", "runtimeImageEditParams", "runtimeRerankParams"], "./params.js"),
      "\n",
      printConstants([
        {
          name: "familyLoaders",
          type: "Readonly<Record<FamilyId, () => Promise<FamilyModule>>>",
          docs: ["Loads a family module on first use, so importing the package builds no adapter up front."],
          initializer: printLines(
            sorted.map(
              (family) => `${JSON.stringify(family.family)}: () => import("./families/${family.family}.js"),`,
            ),
          ),
        },
      ]),
    ].join(""),
  );
}

/** `generated/native-schemas/index.ts`: lazy loaders of the families' native schemas, for the emulator only. */
export function emitNativeSchemaIndex(file: ModuleSink, families: readonly FamilySpec[]): void {
  const sorted = [...families].sort((a, b) => byString(a.family, b.family));
  file.addStatements(
    [
      printTypeImport(["NativeSchemaSet"], "../../runtime/descriptor.js"),
      printTypeImport(["FamilyId"], "../catalog.js"),
      "\n",
      printConstants([
        {
          name: "nativeSchemaLoaders",
          type: "Readonly<Record<FamilyId, () => Promise<NativeSchemaSet>>>",
          docs: [
            "Loads a family's native JSON Schemas. The emulator imports this module; the runtime never does, so its users never load the schemas.",
          ],
          initializer: printLines(
            sorted.map(
              (family) =>
                `${JSON.stringify(family.family)}: async () => (await import("./${family.family}.js")).nativeSchemas,`,
            ),
          ),
        },
      ]),
    ].join(""),
  );
}
