/**
 * Shared pieces of the runtime's behaviour tests, which run the real AWS SDK against the emulator:
 * credentials, a small real PNG and PDF, and helpers to read what the emulator received.
 */
import { readFileSync } from "node:fs";
import type { Emulator, EmulatorRequest, LoadedFixture } from "../../emulator/index.js";
import { encodePng } from "../../emulator/synthesize/png.js";
import type { ChatCompletion, ChatCompletionChunk } from "../../runtime/index.js";

/** AWS's documented example keys: the emulator's default credentials. */
export const credentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

/** An 8×4 PNG and its base64. */
export const pngBytes = encodePng(8, 4, 1);
export const pngBase64 = pngBytes.toString("base64");
export const pngDataUrl = `data:image/png;base64,${pngBase64}`;

/** A minimal one-page PDF. */
export const pdfBytes = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);
export const pdfDataUrl = `data:application/pdf;base64,${pdfBytes.toString("base64")}`;

/** The emulator's synthesized answer to a last user turn. */
export const reply = (text: string) => `This is a synthesized reply to "${text}".`;

/** The promise's rejection (fails the test when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

/** What iterating a stream gave: its chunks, or the error it threw after them. */
export async function drain(
  stream: AsyncIterable<ChatCompletionChunk>,
): Promise<{ chunks: ChatCompletionChunk[]; error?: Error & Record<string, unknown> }> {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    return { chunks, error: error as Error & Record<string, unknown> };
  }
  return { chunks };
}

/** The text, tool calls and finish reason streamed chunks add up to, as an OpenAI client would assemble them. */
export function assemble(chunks: readonly ChatCompletionChunk[]) {
  let content = "";
  let reasoning = "";
  let finish: string | null = null;
  const toolCalls: { id?: string; name?: string; arguments: string }[] = [];
  for (const chunk of chunks) {
    const choice = chunk.choices[0];
    if (!choice) continue;
    content += choice.delta.content ?? "";
    reasoning += choice.delta.reasoning_content ?? "";
    for (const delta of choice.delta.tool_calls ?? []) {
      toolCalls[delta.index] ??= { arguments: "" };
      const call = toolCalls[delta.index]!;
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name = delta.function.name;
      call.arguments += delta.function?.arguments ?? "";
    }
    finish = choice.finish_reason ?? finish;
  }
  return { content, reasoning, finish, toolCalls };
}

/** The emulator's log of the requests made since `before` (an index into the log). */
export function requestsSince(emulator: Emulator, before: number): EmulatorRequest[] {
  return emulator.requests.slice(before);
}

/** The body the emulator received last, as a loose object. */
// biome-ignore lint/suspicious/noExplicitAny: wire bodies are checked field by field
export function lastBody(emulator: Emulator): any {
  return emulator.requests.at(-1)?.body;
}

/** A recording from test/recordings as a fixture the emulator can replay, named by its path there. */
export function recording(path: string): LoadedFixture {
  const url = new URL(`../recordings/${path}`, import.meta.url);
  return { name: path, fixture: JSON.parse(readFileSync(url, "utf8")) } as LoadedFixture;
}

/** A fixture of this folder's `fixtures/`, named by its file name. */
export function localFixture(name: string): LoadedFixture {
  const url = new URL(`./fixtures/${name}`, import.meta.url);
  return { name, fixture: JSON.parse(readFileSync(url, "utf8")) } as LoadedFixture;
}

/** The first choice's message of a completion. */
export const messageOf = (completion: ChatCompletion) => completion.choices[0]!.message;
