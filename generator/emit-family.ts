import type { FamilySpec, NativeSchemas } from "../generated/spec-types.js";
import {
  type DeclarationMaker,
  formatDeclarations,
  type ModuleSink,
  pascalCase,
  typesFromSchema,
} from "./emit-common.js";
import { printConstants, printTypeImport, printValue } from "./print-text.js";
import { responseReadsOf } from "./response-reads.js";

/** Names of the native body types, per key of `native`. */
const nativeTypeNames: Readonly<Record<keyof NativeSchemas, string>> = {
  chat_request: "ChatRequest",
  chat_response: "ChatResponse",
  chat_stream_chunk: "ChatStreamChunk",
  embeddings_request: "EmbeddingsRequest",
  embeddings_response: "EmbeddingsResponse",
  images_request: "ImagesRequest",
  images_response: "ImagesResponse",
  images_edit_request: "ImagesEditRequest",
  images_edit_response: "ImagesEditResponse",
  rerank_request: "RerankRequest",
  rerank_response: "RerankResponse",
};

export function paramsInterfaceName(family: string): string {
  return `${pascalCase(family)}Params`;
}

/** JSON Schema of the family's provider params, from which their TypeScript interface is made. */
function providerParamsSchema(family: FamilySpec): object {
  const properties: Record<string, object> = {};
  for (const [name, param] of Object.entries(family.params ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    properties[name] = param.description ? { ...param.schema, description: param.description } : param.schema;
  }
  return { type: "object", additionalProperties: false, properties };
}

/** The data of the family the runtime interprets: everything but models, native schemas and citations. */
export function descriptorOf(family: FamilySpec): Record<string, unknown> {
  const {
    models: _models,
    native: _native,
    sources: _sources,
    description: _description,
    ...descriptor
  } = family;
  const reads = responseReadsOf(family);
  return reads ? { ...descriptor, response_reads: reads } : descriptor;
}

/** Fills `file` with the family module the runtime loads: native body types, params interface and descriptor. */
export async function emitFamily(
  file: ModuleSink,
  family: FamilySpec,
  makeTypes: DeclarationMaker = typesFromSchema,
): Promise<void> {
  const native = family.native ?? {};
  const keys = (Object.keys(nativeTypeNames) as (keyof NativeSchemas)[]).filter((key) => native[key]);
  const declarations = await Promise.all([
    ...keys.map((key) => makeTypes(native[key] as object, nativeTypeNames[key])),
    makeTypes(providerParamsSchema(family), paramsInterfaceName(family.family)),
  ]);
  const documented = [
    ...keys.map((key, index) => [
      `/** Native ${key.replaceAll("_", " ")} body of ${family.title}. */`,
      declarations[index],
    ]),
    [
      `/** Provider-specific params of ${family.title}; each model accepts the ones its capabilities allow. */`,
      declarations[keys.length],
    ],
  ];
  file.addStatements(
    [
      printTypeImport(["FamilyDescriptor"], "../../runtime/descriptor.js"),
      `${formatDeclarations(documented.flat().join("\n"))}\n\n`,
      printConstants([
        {
          name: "descriptor",
          type: "FamilyDescriptor",
          docs: [`What the runtime needs to call ${family.title}: mappings, param rules, codecs.`],
          initializer: printValue(descriptorOf(family)),
        },
      ]),
    ].join(""),
  );
}

/**
 * Fills `file` with the family's native JSON Schemas (`generated/native-schemas/<family>.ts`). Only the
 * emulator loads them (to validate requests and complete answers); the runtime never does.
 */
export function emitNativeSchemas(file: ModuleSink, family: FamilySpec): void {
  file.addStatements(
    [
      printTypeImport(["NativeSchemaSet"], "../../runtime/descriptor.js"),
      "\n",
      printConstants([
        {
          name: "nativeSchemas",
          type: "NativeSchemaSet",
          docs: [
            `JSON Schemas of the native bodies of ${family.title}; the emulator validates requests with them.`,
          ],
          initializer: printValue(nativeSchemaSetOf(family)),
        },
      ]),
    ].join(""),
  );
}

/** The family's native schemas, with the models whose bodies differ from the family's under `models`. */
export function nativeSchemaSetOf(family: FamilySpec): Record<string, unknown> {
  const models = family.models
    .filter((model) => model.native !== undefined)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (models.length === 0) return { ...family.native };
  return { ...family.native, models: Object.fromEntries(models.map((model) => [model.id, model.native])) };
}
