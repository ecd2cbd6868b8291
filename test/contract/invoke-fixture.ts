/**
 * Runs recorded or documented InvokeModel exchanges (test/fixtures/<family>/<scenario>.json) through the
 * runtime's own request builder, response parser and stream decoders, in process.
 */
import { readFileSync } from "node:fs";
import type { ChatMapping } from "../../generated/spec-types.js";
import { ChunkAssembler, type CompletionMeta } from "../../runtime/chat/assemble.js";
import { buildInvokeChatBody, parseInvokeChatResponse } from "../../runtime/chat/invoke.js";
import { streamCodecFor } from "../../runtime/codecs/registry.js";
import type { CatalogEntry, FamilyDescriptor } from "../../runtime/descriptor.js";
import { loadFamily } from "../../runtime/families.js";
import { resolveModel } from "../../runtime/models.js";
import type { ChatCompletion, ChatCompletionChunk } from "../../runtime/types.js";

export interface InvokeFixture {
  readonly source: string;
  readonly provenance: string;
  readonly operation: "invoke" | "invoke-stream";
  readonly modelId: string;
  readonly http: { readonly responseHeaders: Readonly<Record<string, string>> };
  readonly request: Record<string, unknown>;
  readonly response?: Record<string, unknown>;
  readonly events?: readonly { readonly chunk?: Record<string, unknown> }[];
}

export function loadFixture(family: string, scenario: string): InvokeFixture {
  const url = new URL(`../fixtures/${family}/${scenario}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as InvokeFixture;
}

const meta: CompletionMeta = { id: "chatcmpl-test", model: "test", created: 0, jsonTool: false };

async function prepare(model: string) {
  const resolved = resolveModel(`bedrock/invoke/${model}`);
  const entry = resolved.entry as CatalogEntry;
  if (!entry) throw new Error(`${model} is not in the catalog`);
  const descriptor = (await loadFamily(entry.family)).descriptor as FamilyDescriptor;
  return { resolved, route: "invoke" as const, entry, descriptor, meta: { ...meta }, price: undefined };
}

/** The native body the runtime builds for an OpenAI-shaped request to `model`. */
export async function buildBody(
  model: string,
  request: Readonly<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const prepared = await prepare(model);
  const { body } = await buildInvokeChatBody(
    { request: { model, ...request }, warn: () => {}, dropParams: false, modifyParams: false },
    prepared,
  );
  return body;
}

function lowerCaseHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** The OpenAI completion the runtime makes of a fixture's native response. */
export async function parseFixture(model: string, fixture: InvokeFixture): Promise<ChatCompletion> {
  const { descriptor } = await prepare(model);
  return parseInvokeChatResponse(
    fixture.response as Record<string, unknown>,
    lowerCaseHeaders(fixture.http.responseHeaders),
    descriptor,
    meta,
    undefined,
    undefined,
  );
}

export interface StreamResult {
  readonly text: string;
  readonly reasoning: string;
  readonly toolCalls: { id?: string; name?: string; arguments: string }[];
  readonly finishReason: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly chunks: ChatCompletionChunk[];
}

/** Decodes a fixture's stream chunks with the family's stream codec and assembles OpenAI chunks. */
export async function streamFixture(model: string, fixture: InvokeFixture): Promise<StreamResult> {
  const { descriptor } = await prepare(model);
  const mapping = descriptor.chat as ChatMapping;
  const stream = mapping.stream!;
  const decoder = streamCodecFor(stream.codec).createDecoder(stream, mapping.response);
  const assembler = new ChunkAssembler(meta, stream.finish_reason ?? mapping.response.finish_reason);
  const chunks: ChatCompletionChunk[] = [];
  for (const event of fixture.events ?? []) {
    if (event.chunk) chunks.push(...assembler.push(decoder(event.chunk)));
  }
  let text = "";
  let reasoning = "";
  const toolCalls: { id?: string; name?: string; arguments: string }[] = [];
  for (const chunk of chunks) {
    const delta = chunk.choices[0]!.delta;
    text += delta.content ?? "";
    reasoning += delta.reasoning_content ?? "";
    for (const call of delta.tool_calls ?? []) {
      toolCalls[call.index] ??= { arguments: "" };
      const slot = toolCalls[call.index]!;
      if (call.id) slot.id = call.id;
      if (call.function?.name) slot.name = call.function.name;
      slot.arguments += call.function?.arguments ?? "";
    }
  }
  return {
    text,
    reasoning,
    toolCalls,
    finishReason: assembler.finishReason,
    promptTokens: assembler.usageTokens.promptTokens,
    completionTokens: assembler.usageTokens.completionTokens,
    chunks,
  };
}
