/**
 * Contract tests replay one fixture through the runtime, the real AWS SDK and the emulator, and compare
 * the native body the emulator received with the fixture's request.
 */
import { readFileSync } from "node:fs";
import { exampleCredentials, startEmulator } from "../../emulator/index.js";
import type { Emulator } from "../../emulator/types.js";
import { createBedrock } from "../../runtime/index.js";

export interface Fixture {
  /** The family folder the fixture was loaded from. */
  readonly family: string;
  readonly source: string;
  readonly provenance: string;
  readonly operation: "invoke" | "invoke-stream" | "converse" | "converse-stream";
  readonly modelId: string;
  readonly http: { readonly status: number; readonly responseHeaders: Readonly<Record<string, string>> };
  readonly request: Record<string, unknown> | null;
  readonly response?: unknown;
  readonly events?: readonly { readonly chunk?: Record<string, unknown> }[];
}

export function loadFixture(family: string, scenario: string): Fixture {
  const url = new URL(`../fixtures/${family}/${scenario}.json`, import.meta.url);
  return { ...(JSON.parse(readFileSync(url, "utf8")) as Omit<Fixture, "family">), family };
}

export interface Replay {
  /** A client of the runtime pointed at the emulator with AWS's documented example keys. */
  readonly bedrock: ReturnType<typeof createBedrock>;
  /** The JSON bodies the emulator received, in order. */
  readonly received: Record<string, unknown>[];
  /** The model ids (URL-decoded) of the requests received. */
  readonly modelIds: string[];
  /** The emulator replaying the fixture (its request log says more: headers, operation, status). */
  readonly emulator: Emulator;
  close(): Promise<void>;
}

export interface ReplayOptions {
  /** Builds the response body from the request body instead of replaying the fixture's response. */
  readonly respond?: (body: Record<string, unknown>) => unknown;
}

/**
 * Starts the emulator in replay mode with this one fixture (any request body matches it), so the runtime's
 * request goes through the real AWS SDK, SigV4 checking and the family's native request schema, and the
 * fixture's response or stream events come back as Bedrock frames them.
 */
export async function replay(fixture: Fixture, options: ReplayOptions = {}): Promise<Replay> {
  const { family: _family, ...recorded } = fixture;
  const emulator = await startEmulator({
    mode: "replay",
    enforceProfileOnly: false,
    validateReplayed: true,
    // The body is the runtime's to build (the tests compare it with the fixture's request); any body matches.
    fixtures: [{ ...recorded, modelId: null, request: {}, match: "subset" } as never],
    ...(options.respond ? { respond: ({ body }) => options.respond!(body as Record<string, unknown>) } : {}),
  });
  const bedrock = createBedrock({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: exampleCredentials,
    num_retries: 0,
  });
  const logged = () => emulator.requests.filter((request) => request.operation !== undefined);
  return {
    bedrock,
    emulator,
    get received() {
      return logged().map((request) => request.body as Record<string, unknown>);
    },
    get modelIds() {
      return logged().map((request) => request.modelId ?? "");
    },
    close: () => emulator.close(),
  };
}

/** Collects a stream's chunks into the text, tool calls, finish reason and usage they add up to. */
export async function collectStream(
  stream: AsyncIterable<import("../../runtime/types.js").ChatCompletionChunk>,
) {
  let text = "";
  let finishReason: string | null = null;
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  const toolCalls: { id?: string; name?: string; arguments: string }[] = [];
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      if (choice.delta.content) text += choice.delta.content;
      for (const delta of choice.delta.tool_calls ?? []) {
        toolCalls[delta.index] ??= { arguments: "" };
        const call = toolCalls[delta.index]!;
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name = delta.function.name;
        if (delta.function?.arguments) call.arguments += delta.function.arguments;
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    if (chunk.usage)
      usage = { prompt_tokens: chunk.usage.prompt_tokens, completion_tokens: chunk.usage.completion_tokens };
  }
  return { text, toolCalls, finishReason, usage };
}
