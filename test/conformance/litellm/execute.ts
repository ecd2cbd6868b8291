/**
 * Runs conformance cases through the public API (`createBedrock`) and the real AWS SDK against the emulator,
 * and judges what happened against the case's expectation.
 *
 * One emulator serves a whole case file: answer cases are loaded as fixtures named `<group>/<id>` and pinned
 * per call with the emulator's `x-bedrock-forge-fixture` header; request cases get a synthesized answer (the
 * emulator checks their bodies as strictly as it checks any body, and logs them either way).
 */
import type { DecodedStreamEvent } from "../../../emulator/eventstream.js";
import type { Fixture, LoadedFixture } from "../../../emulator/fixtures.js";
import { controlHeaders, exampleCredentials, startEmulator } from "../../../emulator/index.js";
import type { Emulator, EmulatorRequest } from "../../../emulator/types.js";
import { readImportedModelReference } from "../../../runtime/imported-models.js";
import { type BedrockOptions, createBedrock } from "../../../runtime/index.js";
import type { ChatCompletionChunk } from "../../../runtime/types.js";
import type { CaseAnswer, CaseFile, ConformanceCase, ExpectedRequest } from "./cases.js";
import { describeValue, findMismatches, formatMismatches } from "./match.js";

/** A request the emulator received for a case. */
export interface SentRequest {
  readonly operation: string | undefined;
  readonly modelId: string | undefined;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: string | undefined;
}

/** Everything a case's call produced. */
export interface Outcome {
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  readonly requests: readonly SentRequest[];
  readonly warnings: readonly string[];
}

/** The fixture name of an answer case. */
export function fixtureName(group: string, testCase: ConformanceCase): string {
  return `${group}/${testCase.id}`;
}

/** Turns the compact event notation of a case into the recordings' event shape the emulator replays. */
function toStreamEvents(answer: CaseAnswer): DecodedStreamEvent[] {
  return (answer.events ?? []).map((event) => {
    const [name, value] = Object.entries(event)[0]!;
    if (name === "exception") {
      const { type, payload } = value as { type: string; payload?: unknown };
      return { messageType: "exception", exceptionType: type, payload: payload ?? {} };
    }
    if (name === "chunk") return { messageType: "event", eventType: "chunk", chunk: value };
    return { messageType: "event", eventType: name, payload: value };
  });
}

function toFixture(group: string, testCase: ConformanceCase): LoadedFixture {
  const answer = testCase.answer!;
  const fixture: Fixture = {
    source: `${testCase.source.file}::${testCase.source.test}`,
    operation: answer.operation,
    modelId: null,
    request: null,
    http: { status: 200, responseHeaders: { ...answer.headers } },
    ...(answer.events ? { events: toStreamEvents(answer) } : { response: answer.body }),
  };
  return { name: fixtureName(group, testCase), fixture };
}

/** Bedrock API keys the cases send (LiteLLM's `api_key`), so the emulator accepts them as bearer tokens. */
function apiKeysOf(file: CaseFile): string[] {
  const keys = new Set<string>();
  for (const testCase of file.cases) {
    for (const source of [testCase.input, testCase.client ?? {}]) {
      for (const name of ["api_key", "apiKey"]) {
        const value = source[name];
        if (typeof value === "string") keys.add(value);
      }
    }
  }
  return [...keys];
}

/**
 * The imported models the cases call (`bedrock/<route>/<arn>`), with the route naming their format: Bedrock
 * knows an imported model's format from its import; the emulator is told.
 */
function importedModelsOf(file: CaseFile): Record<string, string> {
  const models: Record<string, string> = {};
  for (const testCase of file.cases) {
    const model = testCase.input.model;
    if (typeof model !== "string") continue;
    const reference = readImportedModelReference(model.replace(/^bedrock\//, "").replace(/^invoke\//, ""));
    if (reference) models[reference.modelId] = reference.route;
  }
  return models;
}

/** Starts the emulator of one case file. */
export function startCaseEmulator(file: CaseFile): Promise<Emulator> {
  return startEmulator({
    mode: "hybrid",
    fixtures: file.cases
      .filter((testCase) => testCase.answer)
      .map((testCase) => toFixture(file.group, testCase)),
    apiKeys: apiKeysOf(file),
    importedModels: importedModelsOf(file),
    maxLoggedRequests: 1000,
  });
}

interface CollectedChoice {
  content: string;
  sawContent: boolean;
  reasoning: string;
  thinkingBlocks: unknown[];
  toolCalls: { id?: string; type: "function"; function: { name: string; arguments: string } }[];
  finishReason: string | null;
}

/**
 * Folds a stream's chunks into the shape of a unary completion (content, reasoning, tool calls, finish
 * reason, usage), plus `chunks` (the number of chunks), so a case can expect the same fields either way.
 */
export function assembleStream(chunks: readonly ChatCompletionChunk[]): Record<string, unknown> {
  const choices = new Map<number, CollectedChoice>();
  let usage: unknown;
  let id: string | undefined;
  for (const chunk of chunks) {
    id ??= chunk.id;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      let collected = choices.get(choice.index);
      if (!collected) {
        collected = {
          content: "",
          sawContent: false,
          reasoning: "",
          thinkingBlocks: [],
          toolCalls: [],
          finishReason: null,
        };
        choices.set(choice.index, collected);
      }
      const delta = choice.delta;
      if (typeof delta.content === "string") {
        collected.content += delta.content;
        collected.sawContent = true;
      }
      if (typeof delta.reasoning_content === "string") collected.reasoning += delta.reasoning_content;
      if (delta.thinking_blocks) collected.thinkingBlocks.push(...delta.thinking_blocks);
      for (const call of delta.tool_calls ?? []) {
        collected.toolCalls[call.index] ??= { type: "function", function: { name: "", arguments: "" } };
        const slot = collected.toolCalls[call.index]!;
        if (call.id) slot.id = call.id;
        if (call.function?.name) slot.function.name += call.function.name;
        if (call.function?.arguments) slot.function.arguments += call.function.arguments;
      }
      if (choice.finish_reason) collected.finishReason = choice.finish_reason;
    }
  }
  return {
    id,
    chunks: chunks.length,
    choices: [...choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, choice]) => ({
        index,
        message: {
          role: "assistant",
          content: choice.sawContent ? choice.content : null,
          ...(choice.reasoning ? { reasoning_content: choice.reasoning } : {}),
          ...(choice.thinkingBlocks.length > 0 ? { thinking_blocks: choice.thinkingBlocks } : {}),
          ...(choice.toolCalls.length > 0 ? { tool_calls: choice.toolCalls } : {}),
        },
        finish_reason: choice.finishReason,
      })),
    ...(usage === undefined ? {} : { usage }),
  };
}

function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: typeof error, message: String(error) };
}

function toSentRequest(request: EmulatorRequest): SentRequest {
  return {
    operation: request.operation,
    modelId: request.modelId,
    body: request.body,
    headers: request.headers,
    auth: request.auth,
  };
}

/** Runs one case's call and collects its result or error, the requests Bedrock received and the warnings. */
export async function runCase(
  file: CaseFile,
  testCase: ConformanceCase,
  emulator: Emulator,
): Promise<Outcome> {
  const warnings: string[] = [];
  const options: BedrockOptions = {
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: exampleCredentials,
    num_retries: 0,
    onWarning: (message) => warnings.push(message),
    ...(testCase.client as BedrockOptions | undefined),
  };
  const bedrock = createBedrock(options);
  const requestOptions = testCase.answer
    ? { headers: { [controlHeaders.fixture]: fixtureName(file.group, testCase) } }
    : {};
  const before = new Set(emulator.requests);
  const input = testCase.input as never;
  let result: unknown;
  let error: { name: string; message: string } | undefined;
  try {
    switch (testCase.call) {
      case "chat": {
        const answer = (await bedrock.chat.completions.create(input, requestOptions)) as unknown;
        if (testCase.input.stream === true) {
          const chunks: ChatCompletionChunk[] = [];
          for await (const chunk of answer as AsyncIterable<ChatCompletionChunk>) chunks.push(chunk);
          result = assembleStream(chunks);
        } else result = answer;
        break;
      }
      case "embeddings":
        result = await bedrock.embeddings.create(input, requestOptions);
        break;
      case "images":
        result = await bedrock.images.generate(input, requestOptions);
        break;
      case "rerank":
        result = await bedrock.rerank.create(input, requestOptions);
        break;
      case "count-tokens":
        result = await bedrock.countTokens(input, requestOptions);
        break;
    }
  } catch (caught) {
    error = describeError(caught);
  }
  const requests = emulator.requests
    .filter((request) => !before.has(request) && request.operation !== undefined)
    .map(toSentRequest);
  return { ...(error ? { error } : { result }), requests, warnings };
}

function judgeRequest(expected: ExpectedRequest, sent: SentRequest, label: string): string[] {
  const problems: string[] = [];
  if (expected.operation !== undefined && expected.operation !== sent.operation) {
    problems.push(`${label} operation: expected ${expected.operation}, got ${sent.operation ?? "(none)"}`);
  }
  const prefix = (lines: string[], part: string) => lines.map((line) => `${label} ${part} ${line}`);
  if (expected.modelId !== undefined)
    problems.push(...prefix(formatMismatches(findMismatches(expected.modelId, sent.modelId)), "modelId"));
  if (expected.body !== undefined)
    problems.push(...prefix(formatMismatches(findMismatches(expected.body, sent.body)), "body"));
  if (expected.headers !== undefined) {
    const lowerCased = Object.fromEntries(
      Object.entries(expected.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    problems.push(...prefix(formatMismatches(findMismatches(lowerCased, sent.headers)), "headers"));
  }
  if (expected.auth !== undefined && expected.auth !== sent.auth) {
    problems.push(`${label} auth: expected ${expected.auth}, got ${sent.auth ?? "(none)"}`);
  }
  return problems;
}

/** Every way the outcome differs from the case's expectation (empty when the case agrees). */
export function judgeOutcome(testCase: ConformanceCase, outcome: Outcome): string[] {
  const { expect: expectation } = testCase;
  const problems: string[] = [];
  const failure = outcome.error ? `${outcome.error.name}: ${outcome.error.message}` : undefined;
  if (expectation.error) {
    if (!outcome.error) {
      problems.push(`expected an error, but the call succeeded with ${describeValue(outcome.result)}`);
    } else {
      const { message, name, sent } = expectation.error;
      if (message !== undefined && !new RegExp(message, "is").test(outcome.error.message))
        problems.push(`error message: expected /${message}/, got ${JSON.stringify(outcome.error.message)}`);
      if (name !== undefined && name !== outcome.error.name)
        problems.push(`error name: expected ${name}, got ${outcome.error.name}`);
      if (sent !== undefined && sent !== outcome.requests.length > 0)
        problems.push(
          sent
            ? "expected the request to reach Bedrock before the error"
            : `expected no request, but ${outcome.requests.length} reached Bedrock`,
        );
    }
  }
  const expectedRequests = expectation.requests ?? (expectation.request ? [expectation.request] : undefined);
  if (expectedRequests) {
    if (outcome.requests.length !== expectedRequests.length) {
      problems.push(
        outcome.requests.length === 0
          ? `no request reached Bedrock${failure ? ` (${failure})` : ""}`
          : `expected ${expectedRequests.length} request(s) to Bedrock, got ${outcome.requests.length}`,
      );
    }
    expectedRequests.forEach((expected, index) => {
      const sent = outcome.requests[index];
      if (sent)
        problems.push(
          ...judgeRequest(expected, sent, expectedRequests.length > 1 ? `request[${index}]` : "request"),
        );
    });
  }
  if (expectation.result !== undefined) {
    if (outcome.error) problems.push(`expected a result, got ${failure}`);
    else
      problems.push(
        ...formatMismatches(findMismatches(expectation.result, outcome.result)).map(
          (line) => `result ${line}`,
        ),
      );
  }
  return problems;
}
