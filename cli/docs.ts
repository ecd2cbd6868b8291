// Keeps the generated parts of README.md and CONTRIBUTING.md in sync with the catalog and the spec
// schema: `npm run docs` rewrites them, `npm run docs -- --check` (run by the tests) fails when stale.
import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { catalogEntries, modelsMarkdown } from "./catalog-view.js";

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

type JsonSchema = {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly title?: string;
  readonly $ref?: string;
  readonly enum?: readonly unknown[];
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
};

/**
 * Descriptions for fields the schema leaves undescribed, keyed `Definition.path`. A test fails when a
 * key no longer names an undescribed schema field, so these cannot drift from the schema: once the
 * schema describes a field, its entry here must go.
 */
export const supplementalDescriptions: Readonly<Record<string, string>> = {
  "FamilySpec.title": "Human-readable family name, shown in generated code and docs.",
  "FamilySpec.description": "What the family's wire format looks like, in prose.",
  "FamilySpec.operations": "What the family's models can do; models may narrow it.",
  "FamilySpec.embeddings": "The embeddings operation over InvokeModel.",
  "FamilySpec.images": "The images operation over InvokeModel.",
  "ProviderParam.requires": "Only models with this capability accept the param.",
  "ChatMapping.request": "How the native request body is built.",
  "ChatMapping.response": "How the native response body is read.",
  "ChatMapping.stream": "How InvokeModelWithResponseStream chunks are read.",
  "ChatResponseMapping.finish_reason": "Where the stop reason is read and how it maps to finish_reason.",
  "ChatResponseMapping.usage": "Where the token counts are read.",
  "ChatStreamMapping.finish_reason": "Where a chunk's stop reason is read (default: the response's).",
  "ChatStreamMapping.usage":
    "Where the stream's token counts are read (usually the invocation metrics chunk).",
  "EmbeddingsMapping.request": "How the native request body is built.",
  "EmbeddingsMapping.request.image.encoding":
    "base64: the bare base64 string; data-uri: a data: URL; data-uri-list: a list of data: URLs.",
  "EmbeddingsMapping.response": "How vectors and token counts are read.",
  "ImagesMapping.request": "How the native request body is built.",
  "ImagesMapping.response": "How images, seeds and finish reasons are read.",
  "Model.deprecated": "Legacy and end-of-life dates, from AWS's model lifecycle page.",
  "ParamRule.min": "Smallest value accepted; smaller values are a request error.",
  "ParamRule.max": "Largest value accepted; larger values are a request error.",
  "ParamRule.allowed": "The only values accepted.",
  "PromptTemplate.user": "Template of a user turn.",
  "PromptTemplate.assistant":
    "Template of an assistant turn (a final assistant turn is written without its suffix: the pre-fill).",
  "PromptTemplate.end": "Written once at the very end of the prompt.",
  "FinishReasonMap.from": "Where the native stop reason is read.",
  "FinishReasonMap.default": "finish_reason for native values the map does not list.",
  "UsageMap.prompt_tokens": "Where the input token count is read (body pointer or response header).",
  "UsageMap.completion_tokens": "Where the output token count is read.",
  "UsageMap.cache_read_tokens": "Where the prompt-cache read token count is read.",
  "UsageMap.cache_write_tokens": "Where the prompt-cache write token count is read.",
  "ChatRequestMapping.template": "template codec: how the conversation is rendered into one prompt string.",
  "ChatRequestMapping.tool_choice": "Where tool_choice goes on invoke.",
  "ChatRequestMapping.params": "Where each request param goes, or its drop/reject policy.",
  "ChatResponseMapping.id": "Pointer to the response id, used as the completion id.",
  "ChatStreamMapping.text": "flat codec: pointer to each chunk's text.",
  "ConverseMapping.params":
    "Where each request param goes in the Converse request (inferenceConfig, additionalModelRequestFields).",
  "EmbeddingsMapping.request.constants": "Fixed native fields, keyed by JSON pointer.",
  "EmbeddingsMapping.request.input": "Where the input texts go.",
  "EmbeddingsMapping.request.params": "Where each embeddings param goes, or its drop/reject policy.",
  "EmbeddingsMapping.response.prompt_tokens":
    "Where the input token count is read (body pointer or response header).",
  "ImagesMapping.request.constants": "Fixed native fields, keyed by JSON pointer (e.g. taskType).",
  "ImagesMapping.request.prompt": "Where the prompt goes, and in which form.",
  "ImagesMapping.request.negative_prompt":
    "Where negative_prompt goes (absent: a request error, unless the prompt form is weighted).",
  "ImagesMapping.request.params": "Where each image param goes, or its drop/reject policy.",
  "ImagesResponseMapping.seeds": "Pointer to the seeds of the images, reported per image.",
  "ImagesResponseMapping.finish_reasons":
    "Pointer to the per-image finish reasons (checked against success_values).",
  "NativeSchemas.chat_request": "JSON Schema of the InvokeModel chat request body.",
  "NativeSchemas.chat_response": "JSON Schema of the InvokeModel chat response body.",
  "NativeSchemas.chat_stream_chunk": "JSON Schema of one InvokeModelWithResponseStream chunk.",
  "NativeSchemas.embeddings_request": "JSON Schema of the embeddings request body.",
  "NativeSchemas.embeddings_response": "JSON Schema of the embeddings response body.",
  "NativeSchemas.images_request": "JSON Schema of the image generation request body.",
  "NativeSchemas.images_response": "JSON Schema of the image generation response body.",
  "ImagePrice.up_to": "The price covers every image up to `size` pixels.",
  "ImagePrice.quality": "The quality this price applies to (standard when absent).",
  "ImagePrice.usd": "USD per generated image.",
  "PriceFields.cache_read_per_mtok": "USD per million prompt-cache read tokens.",
  "PriceFields.cache_write_per_mtok": "USD per million prompt-cache write tokens.",
  "PriceOverride.region": "The region this price applies to.",
  "PriceOverride.profile": "The cross-region profile this price applies to (wins over a region).",
  "Deprecation.legacy_since": "Date the model became legacy on Bedrock.",
  "Deprecation.end_of_life": "Date Bedrock stops serving the model.",
  "Deprecation.replacement": "The model id AWS recommends instead.",
  "Deprecation.note": "Anything else users should know.",
  "Model.name": "Display name.",
  "Model.context_window": "Input plus output tokens the model can attend to.",
  "Model.max_output_tokens": "Most tokens one response can have.",
  "Model.input_modalities": "What the model reads (text, image, document …).",
  "Model.output_modalities": "What the model writes.",
  "Model.capabilities": "Features the model has; params and checks key on them.",
  "Model.regions": "AWS regions with on-demand access to the base id.",
  "Model.profiles": "Cross-region inference profile prefixes the model has.",
  "Model.price": "On-demand prices (USD), with overrides per region or profile.",
  "Model.params": "Overlays on the family's param rules for this model only.",
  "Model.embedding": "Embedding models: output dimensions and input limits.",
  "Model.embedding.dimensions": "Output dimensions the model offers.",
  "Model.embedding.default_dimensions": "Dimensions returned when the caller asks for none.",
  "Model.embedding.max_input_chars": "Longest input text, in characters.",
  "Model.image": "Image models: sizes or aspect ratios, and how many images per call.",
  "Model.image.sizes": "Sizes (WxH) the model accepts.",
  "Model.image.aspect_ratios": "Aspect ratios the model accepts (size is mapped to the nearest).",
  "Model.image.default_size": "Size used when the caller gives none (also for pricing).",
  "Model.image.max_images": "Most images one call can make (n).",
};

/** The schema's description of a field, else the supplement, else the referenced definition's. */
function describeField(
  key: string,
  field: JsonSchema,
  definitions: Readonly<Record<string, JsonSchema>>,
): string {
  if (field.description) return field.description;
  const supplement = supplementalDescriptions[key];
  if (supplement) return supplement;
  const reference = field.$ref ?? field.items?.$ref;
  return reference ? (definitions[reference.split("/").at(-1)!]?.description ?? "") : "";
}

function anchorOf(name: string): string {
  return `spec-${name.toLowerCase()}`;
}

/** A schema's type in a few words: `string`, `Route[]`, `map of ParamRule`, `"a" \| "b"`. */
export function describeType(schema: JsonSchema): string {
  if (schema.$ref) {
    const name = schema.$ref.split("/").at(-1)!;
    return `[${name}](#${anchorOf(name)})`;
  }
  if (schema.enum) return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(" \\| ");
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) return variants.map(describeType).join(" or ");
  const type = schema.type;
  if (type === "array") return schema.items ? `${describeType(schema.items)} list` : "list";
  if (type === "object" || (type === undefined && (schema.properties || schema.additionalProperties))) {
    if (typeof schema.additionalProperties === "object" && !schema.properties)
      return `map of ${describeType(schema.additionalProperties)}`;
    return "object";
  }
  if (Array.isArray(type)) return type.join(" or ");
  if (type === undefined) return "any";
  const details = [
    schema.format,
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : undefined,
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : undefined,
  ].filter(Boolean);
  return details.length > 0 ? `${type} (${details.join(", ")})` : String(type);
}

function cell(text: string | undefined): string {
  return (text ?? "").replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** Every field of an object, nested inline objects flattened into dotted names. */
export function schemaFields(
  schema: JsonSchema,
  prefix = "",
): { path: string; field: JsonSchema; required: boolean }[] {
  const fields: { path: string; field: JsonSchema; required: boolean }[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    fields.push({ path, field, required: required.has(name) });
    if (field.properties && !field.$ref) fields.push(...schemaFields(field, `${path}.`));
    if (field.type === "array" && field.items?.properties && !field.items.$ref)
      fields.push(...schemaFields(field.items, `${path}[].`));
  }
  return fields;
}

function objectTable(
  schema: JsonSchema,
  name: string,
  definitions: Readonly<Record<string, JsonSchema>>,
): string[] {
  const rows = schemaFields(schema).map(
    ({ path, field, required }) =>
      `| \`${path}\` | ${describeType(field)} | ${required ? "yes" : ""} | ${cell(describeField(`${name}.${path}`, field, definitions))} |`,
  );
  for (const part of schema.allOf ?? [])
    if (part.$ref) rows.push(`| … | all fields of ${describeType(part)} | | |`);
  if (rows.length === 0) return [];
  return ["| field | type | required | description |", "|---|---|---|---|", ...rows];
}

/** The spec format reference, in Markdown, from `specs/schema/family.schema.json`'s titles and descriptions. */
export function specFormatMarkdown(schema: JsonSchema): string {
  const lines: string[] = [
    `Generated from \`specs/schema/family.schema.json\` by \`npm run docs\`; the schema is the authority.`,
    "",
    `#### <a id="${anchorOf("FamilySpec")}"></a>FamilySpec (the whole file)`,
    "",
    cell(schema.description),
    "",
    ...objectTable(schema, "FamilySpec", schema.$defs ?? {}),
  ];
  for (const [name, definition] of Object.entries(schema.$defs ?? {})) {
    lines.push("", `#### <a id="${anchorOf(name)}"></a>${name}`, "");
    const table = objectTable(definition, name, schema.$defs ?? {});
    const summary = [
      definition.description ? cell(definition.description) : undefined,
      table.length === 0 ? `Type: ${describeType(definition)}.` : undefined,
    ].filter(Boolean);
    if (summary.length > 0) lines.push(summary.join(" "), "");
    if (definition.pattern) lines.push(`Pattern: \`${definition.pattern}\``, "");
    if (table.length > 0) lines.push(...table);
    else if (lines.at(-1) === "") lines.pop();
  }
  return lines.join("\n");
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceBetweenMarkers(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the markers ${start} … ${end} are missing`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** The text as `biome format` (which also formats Markdown) would write it, so lint and this check agree. */
export function formatMarkdown(text: string, file: string, root = repositoryRoot): string {
  const biome = path.join(root, "node_modules/@biomejs/biome/bin/biome");
  const result = spawnSync(process.execPath, [biome, "format", `--stdin-file-path=${file}`], {
    cwd: root,
    input: text,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`biome format failed on ${file}: ${result.stderr}`);
  return result.stdout;
}

export interface DocumentFile {
  readonly file: string;
  readonly current: string;
  readonly expected: string;
}

/** README.md and CONTRIBUTING.md as they are and as they should be. */
export async function expectedDocuments(root = repositoryRoot): Promise<DocumentFile[]> {
  const schema = JSON.parse(
    await readFile(path.join(root, "specs/schema/family.schema.json"), "utf8"),
  ) as JsonSchema;
  const entries = catalogEntries();
  const readme = path.join(root, "README.md");
  const contributing = path.join(root, "CONTRIBUTING.md");
  const readmeText = await readFile(readme, "utf8");
  const contributingText = await readFile(contributing, "utf8");
  const providers = new Set(entries.map((entry) => entry.provider)).size;
  const families = new Set(entries.map((entry) => entry.family)).size;
  const table = `${entries.length} models from ${providers} providers in ${families} families (generated from the catalog by \`npm run docs\`; \`bedrock-forge models\` prints the same with filters).\n\n${modelsMarkdown(entries)}`;
  return [
    {
      file: readme,
      current: readmeText,
      expected: formatMarkdown(replaceBetweenMarkers(readmeText, "models", table), readme, root),
    },
    {
      file: contributing,
      current: contributingText,
      expected: formatMarkdown(
        replaceBetweenMarkers(contributingText, "spec-format", specFormatMarkdown(schema)),
        contributing,
        root,
      ),
    },
  ];
}

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes("--check");
  const documents = await expectedDocuments();
  const stale = documents.filter((document) => document.current !== document.expected);
  if (check) {
    for (const document of stale)
      process.stderr.write(
        `${path.relative(process.cwd(), document.file)} is out of date: run \`npm run docs\`.\n`,
      );
    return stale.length > 0 ? 1 : 0;
  }
  for (const document of stale) await writeFile(document.file, document.expected);
  process.stdout.write(
    stale.length > 0
      ? `Updated ${stale.map((document) => path.basename(document.file)).join(", ")}.\n`
      : "README.md and CONTRIBUTING.md are up to date.\n",
  );
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
