/**
 * The fields the runtime reads from a family's native answers, with what the family's native response
 * schemas say of them (their JSON types, and whether a valid answer always has them). The runtime checks
 * answers against this small table instead of running a JSON-schema validator on every answer and chunk.
 */
import type {
  ChatMapping,
  EmbeddingsMapping,
  FamilySpec,
  ImagesResponseMapping,
  NativeSchemas,
  RerankMapping,
  UsageMap,
} from "../generated/spec-types.js";
import type { AnswerCheck, FieldRead, ResponseReads } from "../runtime/descriptor.js";
import { pointerSegments } from "./load.js";

type JsonSchema = Record<string, unknown>;

interface Reached {
  readonly node: JsonSchema;
  readonly required: boolean;
}

function resolveReference(node: JsonSchema, root: JsonSchema): JsonSchema | undefined {
  if (typeof node.$ref !== "string" || !node.$ref.startsWith("#/")) return node;
  let target: unknown = root;
  for (const segment of pointerSegments(node.$ref.slice(1)))
    target = (target as JsonSchema | undefined)?.[segment];
  return target ? resolveReference(target as JsonSchema, root) : undefined;
}

/** The schemas a value valid against `node` may match: the node itself and its oneOf/anyOf/allOf branches. */
function alternativesOf(node: JsonSchema, root: JsonSchema): JsonSchema[] {
  const resolved = resolveReference(node, root);
  if (!resolved) return [];
  const branches = [resolved.oneOf, resolved.anyOf, resolved.allOf].flatMap((list) =>
    Array.isArray(list) ? (list as JsonSchema[]) : [],
  );
  return [resolved, ...branches.flatMap((branch) => alternativesOf(branch, root))];
}

/** One step down a pointer: the schemas of the member or element `segment`, and whether it must be there. */
function stepInto(reached: Reached, segment: string, root: JsonSchema): Reached[] {
  const next: Reached[] = [];
  for (const node of alternativesOf(reached.node, root)) {
    const properties = node.properties as Record<string, JsonSchema> | undefined;
    const required = Array.isArray(node.required) && (node.required as string[]).includes(segment);
    if (properties?.[segment]) {
      next.push({ node: properties[segment], required: reached.required && required });
      continue;
    }
    const isIndex = segment === "*" || /^(0|[1-9][0-9]*)$/.test(segment);
    if (isIndex && node.items && typeof node.items === "object") {
      // The first element of a list an answer must have: a valid answer holds at least one.
      next.push({
        node: node.items as JsonSchema,
        required: reached.required && (segment === "0" || segment === "*"),
      });
      continue;
    }
    if (typeof node.additionalProperties === "object" && node.additionalProperties !== null) {
      next.push({ node: node.additionalProperties as JsonSchema, required: false });
    }
  }
  return next;
}

/** The JSON types the schemas allow, or undefined when any of them leaves the type open. */
function typesOf(nodes: readonly JsonSchema[], root: JsonSchema): string[] | undefined {
  const types = new Set<string>();
  for (const node of nodes) {
    const resolved = resolveReference(node, root);
    if (!resolved) return undefined;
    const branches = [resolved.oneOf, resolved.anyOf].flatMap((list) =>
      Array.isArray(list) ? (list as JsonSchema[]) : [],
    );
    if (resolved.type === undefined && branches.length > 0) {
      const inner = typesOf(branches, root);
      if (!inner) return undefined;
      for (const type of inner) types.add(type);
      continue;
    }
    if (resolved.type === undefined) return undefined;
    for (const type of Array.isArray(resolved.type) ? resolved.type : [resolved.type])
      types.add(String(type));
  }
  return [...types].sort();
}

/** What `schema` says of the value at `pointer`; `required` only when every step down is required. */
export function describeRead(schema: JsonSchema, pointer: string, what: string): FieldRead {
  let reached: Reached[] = [{ node: schema, required: true }];
  for (const segment of pointerSegments(pointer)) {
    reached = reached.flatMap((item) => stepInto(item, segment, schema));
  }
  const types =
    reached.length > 0
      ? typesOf(
          reached.map((item) => item.node),
          schema,
        )
      : undefined;
  const required = reached.length > 0 && reached.every((item) => item.required);
  return { pointer, what, required, ...(types ? { types } : {}) };
}

function usageReads(schema: JsonSchema, usage: UsageMap | undefined): FieldRead[] {
  const names: Readonly<Record<string, string>> = {
    prompt_tokens: "the prompt token count",
    completion_tokens: "the completion token count",
    cache_read_tokens: "the cache read token count",
    cache_write_tokens: "the cache write token count",
  };
  // Sorted by name: the output must not depend on the order of the spec's keys.
  return Object.entries(usage ?? {})
    .filter((entry): entry is [string, string] => typeof entry[1] === "string")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, pointer]) => describeRead(schema, pointer, names[name] ?? name));
}

/** A unary chat answer: the text or content is always required; the rest as the schema says. */
function chatAnswerCheck(chat: ChatMapping, schema: JsonSchema): AnswerCheck {
  const { response } = chat;
  const answer = response.text ?? response.content!;
  // An answer whose text may come in a fallback field (Qwen2's `text`) holds one of the two.
  const fallback = response.text ? response.text_fallback : undefined;
  const reads: FieldRead[] = [
    {
      ...describeRead(schema, answer, response.text ? "the answer text" : "the answer content"),
      required: fallback === undefined,
    },
  ];
  if (fallback) reads.push(describeRead(schema, fallback, "the answer text (fallback)"));
  if (typeof response.finish_reason.from === "string")
    reads.push(describeRead(schema, response.finish_reason.from, "the stop reason"));
  reads.push(...usageReads(schema, response.usage));
  if (response.id) reads.push(describeRead(schema, response.id, "the response id"));
  if (response.guardrail) reads.push(describeRead(schema, response.guardrail, "the guardrail action"));
  return fallback ? { reads, someOf: [answer, fallback] } : { reads };
}

/**
 * An InvokeModel stream chunk. Flat chunks repeat the answer's fields: each holds at least one field the
 * spec reads from chunks (or the whole answer's text), none of them always. Codec chunks are events: each
 * holds the members the chunk schema requires and at least one member it names.
 */
function chatChunkCheck(chat: ChatMapping, schema: JsonSchema): AnswerCheck | undefined {
  const stream = chat.stream;
  if (!stream) return undefined;
  if (stream.codec === "flat") {
    const reads: FieldRead[] = [];
    if (stream.text) reads.push(describeRead(schema, stream.text, "the text"));
    const finish = stream.finish_reason?.from;
    if (typeof finish === "string") reads.push(describeRead(schema, finish, "the stop reason"));
    reads.push(...usageReads(schema, stream.usage));
    const someOf = reads.map((read) => read.pointer);
    if (chat.response.text && !someOf.includes(chat.response.text)) someOf.push(chat.response.text);
    // Chunks hold different subsets: nothing the chunk schema marks required is required of every chunk here.
    return { reads: reads.map((read) => ({ ...read, required: false })), someOf };
  }
  const members = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {}).sort();
  const required = (Array.isArray(schema.required) ? (schema.required as string[]) : []).slice().sort();
  const reads = required.map((name) => describeRead(schema, `/${name}`, `the ${name} member`));
  return { reads, ...(members.length > 0 ? { someOf: members.map((name) => `/${name}`) } : {}) };
}

function embeddingsCheck(mapping: EmbeddingsMapping, schema: JsonSchema): AnswerCheck {
  const reads = mapping.response.vectors.map((pointer) => ({
    ...describeRead(schema, pointer, "the vectors"),
    required: false,
  }));
  const tokens = mapping.response.prompt_tokens;
  if (typeof tokens === "string") reads.push(describeRead(schema, tokens, "the prompt token count"));
  return { reads, someOf: [...mapping.response.vectors] };
}

function imagesCheck(response: ImagesResponseMapping, schema: JsonSchema): AnswerCheck {
  const reads: FieldRead[] = [];
  // An answer whose image was filtered carries an error or a finish reason instead of images.
  reads.push({ ...describeRead(schema, response.images, "the images"), required: false });
  if (response.seeds) reads.push(describeRead(schema, response.seeds, "the seeds"));
  if (response.finish_reasons)
    reads.push(describeRead(schema, response.finish_reasons, "the finish reasons"));
  if (response.error) reads.push(describeRead(schema, response.error, "the error"));
  return { reads };
}

function rerankCheck(mapping: RerankMapping, schema: JsonSchema): AnswerCheck {
  const reads = [{ ...describeRead(schema, mapping.response.results, "the results"), required: true }];
  if (mapping.response.id) reads.push(describeRead(schema, mapping.response.id, "the response id"));
  return { reads };
}

/** The reads of every answer kind the family has a mapping and a native response schema for. */
export function responseReadsOf(family: FamilySpec): ResponseReads | undefined {
  const native: NativeSchemas = family.native ?? {};
  const reads: Record<string, AnswerCheck> = {};
  const schema = (key: keyof NativeSchemas) => native[key] as JsonSchema | undefined;
  const chatResponse = schema("chat_response");
  if (family.chat && chatResponse) reads.chat = chatAnswerCheck(family.chat, chatResponse);
  const chunk = schema("chat_stream_chunk");
  const chunkCheck = family.chat && chunk ? chatChunkCheck(family.chat, chunk) : undefined;
  if (chunkCheck) reads.chat_stream = chunkCheck;
  const embeddings = schema("embeddings_response");
  if (family.embeddings && embeddings) reads.embeddings = embeddingsCheck(family.embeddings, embeddings);
  const images = schema("images_response");
  if (family.images && images) reads.images = imagesCheck(family.images.response, images);
  const edits = schema("images_edit_response");
  if (family.images_edit && edits) reads.images_edit = imagesCheck(family.images_edit.response, edits);
  const rerank = schema("rerank_response");
  if (family.rerank && rerank) reads.rerank = rerankCheck(family.rerank, rerank);
  return Object.keys(reads).length > 0 ? reads : undefined;
}
