/**
 * Fixtures: one recorded exchange per JSON file, in the shape of ../shared/recordings (README there):
 * `source`, `provenance`, `operation`, `modelId`, `http`, `request`, `response` | `events`, `notes`,
 * plus the emulator's optional `match` ("subset" by default, or "exact") and `fault`.
 *
 * Matching: the operation (an error fixture's `failedOperation`), the model id (the same id, or the same
 * base model once ARN wrappers and profile prefixes are removed; a `null` model id matches any model) and
 * the body rule. A `null` request matches any body; New Relic's `requestPromptPrefix` matches bodies whose
 * prompt text starts with it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { DecodedStreamEvent } from "./eventstream.js";
import { normalizeModelId } from "./models.js";

/** The operations of the recordings' format. */
export type FixtureOperation = "invoke" | "invoke-stream" | "converse" | "converse-stream" | "count-tokens";

export interface FixtureHttp {
  method?: string;
  uri?: string | null;
  status?: number;
  requestHeaders?: Record<string, string>;
  responseHeaders?: Record<string, string>;
}

/** A fixture file's content. */
export interface Fixture {
  source?: string;
  provenance?: string;
  operation: FixtureOperation | "error";
  failedOperation?: FixtureOperation;
  modelId: string | null;
  http?: FixtureHttp | null;
  request: unknown;
  requestPromptPrefix?: string;
  response?: unknown;
  events?: DecodedStreamEvent[];
  notes?: string;
  match?: "exact" | "subset";
  fault?: string;
}

/** A fixture with the name it is known by (its path relative to the folder it was loaded from). */
export interface LoadedFixture {
  readonly name: string;
  readonly file?: string;
  readonly fixture: Fixture;
}

/** Reads every `*.json` fixture under a folder (recursively, sorted); other files are skipped. */
export function loadFixtureDir(dir: string): LoadedFixture[] {
  const result: LoadedFixture[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current).sort()) {
      const full = path.join(current, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith(".json")) {
        const fixture = JSON.parse(readFileSync(full, "utf8")) as Fixture;
        if (!isFixture(fixture)) continue;
        result.push({ name: path.relative(dir, full).split(path.sep).join("/"), file: full, fixture });
      }
    }
  };
  walk(dir);
  return result;
}

function isFixture(value: unknown): value is Fixture {
  if (!value || typeof value !== "object") return false;
  const operation = (value as Fixture).operation;
  return (
    typeof operation === "string" &&
    ["invoke", "invoke-stream", "converse", "converse-stream", "count-tokens", "error"].includes(operation)
  );
}

/** The operation a fixture answers. */
export function operationOf(fixture: Fixture): FixtureOperation {
  return fixture.operation === "error" ? (fixture.failedOperation ?? "invoke") : fixture.operation;
}

/** Normalizes fixtures given as folders or objects. */
export function collectFixtures(inputs: readonly (string | Fixture | LoadedFixture)[]): LoadedFixture[] {
  const result: LoadedFixture[] = [];
  inputs.forEach((input, index) => {
    if (typeof input === "string") result.push(...loadFixtureDir(input));
    else if ("fixture" in input && "name" in input) result.push(input);
    else result.push({ name: `fixture-${index}`, fixture: input as Fixture });
  });
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Deep equality of JSON values (numbers compare by value, so 0.0 equals 0). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
    );
  }
  return false;
}

/**
 * True when every field of `expected` appears equal in `actual`: objects recursively (extra keys in
 * `actual` are allowed), arrays element by element with the same length, scalars equal.
 */
export function isSubset(expected: unknown, actual: unknown): boolean {
  if (isPlainObject(expected)) {
    return (
      isPlainObject(actual) && Object.entries(expected).every(([key, value]) => isSubset(value, actual[key]))
    );
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      expected.length === actual.length &&
      expected.every((item, index) => isSubset(item, actual[index]))
    );
  }
  return jsonEqual(expected, actual);
}

/** Counts leaves for scoring specificity and similarity. */
function leaves(value: unknown, prefix = "", into: Map<string, string> = new Map()): Map<string, string> {
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) leaves(item, `${prefix}/${key}`, into);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => leaves(item, `${prefix}/${index}`, into));
  } else {
    into.set(prefix, JSON.stringify(value));
  }
  return into;
}

/** Similarity of two bodies in [0, 1]: shared equal leaves over all leaves (Jaccard). */
export function bodySimilarity(a: unknown, b: unknown): number {
  const left = leaves(a);
  const right = leaves(b);
  if (left.size === 0 && right.size === 0) return 1;
  let shared = 0;
  for (const [key, value] of left) if (right.get(key) === value) shared++;
  return shared / (left.size + right.size - shared);
}

/** The text a prompt-prefix fixture looks at: the prompt, inputText, the first user text, ... */
function promptTextOf(body: unknown): string {
  if (!isPlainObject(body)) return typeof body === "string" ? body : "";
  for (const key of ["prompt", "inputText", "message"]) {
    const value = body[key];
    if (typeof value === "string") return value;
  }
  const messages = body.messages;
  if (Array.isArray(messages)) {
    for (const message of messages) {
      const content = isPlainObject(message) ? message.content : undefined;
      if (typeof content === "string") return content;
      if (Array.isArray(content)) {
        const text = content.find((block) => isPlainObject(block) && typeof block.text === "string");
        if (text) return (text as { text: string }).text;
      }
    }
  }
  return "";
}

export interface FixtureQuery {
  readonly operation: FixtureOperation;
  readonly modelId: string;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  readonly body: unknown;
  /** Pin a fixture by name (request header `x-bedrock-forge-fixture`). */
  readonly pinned?: string;
}

export interface NearestFixture {
  readonly name: string;
  readonly operation: FixtureOperation;
  readonly modelId: string | null;
  readonly similarity: number;
}

/** Finds fixtures for requests. */
export class FixtureIndex {
  constructor(readonly fixtures: readonly LoadedFixture[]) {}

  get size(): number {
    return this.fixtures.length;
  }

  private modelMatches(fixture: Fixture, modelId: string): 0 | 1 | 2 {
    if (fixture.modelId === null || fixture.modelId === undefined) return 1;
    if (fixture.modelId === modelId) return 2;
    return normalizeModelId(fixture.modelId) === normalizeModelId(modelId) ? 1 : 0;
  }

  private bodyMatches(fixture: Fixture, body: unknown): boolean {
    if (fixture.request === null || fixture.request === undefined) {
      if (fixture.requestPromptPrefix !== undefined)
        return promptTextOf(body).startsWith(fixture.requestPromptPrefix);
      return true;
    }
    return fixture.match === "exact" ? jsonEqual(fixture.request, body) : isSubset(fixture.request, body);
  }

  /**
   * The best fixture for a request: pinned by name, else the most specific match (same id before same
   * base model, exact body before subset, more matched fields first, successful exchanges before errors,
   * then by name).
   */
  find(query: FixtureQuery): LoadedFixture | undefined {
    if (query.pinned) {
      return this.fixtures.find(
        (candidate) => candidate.name === query.pinned && operationOf(candidate.fixture) === query.operation,
      );
    }
    let best: { candidate: LoadedFixture; score: number[] } | undefined;
    for (const candidate of this.fixtures) {
      const fixture = candidate.fixture;
      if (operationOf(fixture) !== query.operation) continue;
      const model = this.modelMatches(fixture, query.modelId);
      if (model === 0 || !this.bodyMatches(fixture, query.body)) continue;
      const request = fixture.request ?? null;
      const score = [
        model,
        request !== null && jsonEqual(request, query.body) ? 1 : 0,
        request === null ? (fixture.requestPromptPrefix ? 1 : 0) : 2 + leaves(request).size,
        fixture.operation === "error" ? 0 : 1,
      ];
      if (!best || compareScores(score, best.score) > 0) best = { candidate, score };
    }
    return best?.candidate;
  }

  /** The fixtures closest to a request (same operation and model first, then body similarity). */
  nearest(query: FixtureQuery, limit = 3): NearestFixture[] {
    const base = normalizeModelId(query.modelId);
    return this.fixtures
      .map((candidate) => {
        const fixture = candidate.fixture;
        const operation = operationOf(fixture);
        const sameOperation = operation === query.operation ? 1 : 0;
        const sameModel =
          fixture.modelId === query.modelId
            ? 2
            : fixture.modelId && normalizeModelId(fixture.modelId) === base
              ? 1
              : 0;
        const similarity = bodySimilarity(fixture.request ?? {}, query.body);
        return { candidate, operation, rank: [sameOperation, sameModel, similarity], similarity };
      })
      .sort((a, b) => compareScores(b.rank, a.rank) || a.candidate.name.localeCompare(b.candidate.name))
      .slice(0, limit)
      .map(({ candidate, operation, similarity }) => ({
        name: candidate.name,
        operation,
        modelId: candidate.fixture.modelId,
        similarity: Math.round(similarity * 100) / 100,
      }));
  }
}

function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
