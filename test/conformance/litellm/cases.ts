/**
 * Reads the conformance case files (cases/*.yaml), checks them against case-schema.json and the rules the
 * schema cannot say, and returns them typed. A bad file fails with its name and the case at fault.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";

export type CaseCall = "chat" | "embeddings" | "images" | "rerank" | "count-tokens";
export type CaseOperation = "converse" | "converse-stream" | "invoke" | "invoke-stream" | "count-tokens";

export interface CaseSource {
  readonly file: string;
  readonly test: string;
  readonly commit?: string;
}

export interface CaseAnswer {
  readonly operation: CaseOperation;
  readonly body?: unknown;
  readonly events?: readonly Readonly<Record<string, unknown>>[];
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ExpectedRequest {
  readonly operation?: CaseOperation;
  readonly modelId?: unknown;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly auth?: "sigv4" | "bearer";
}

export interface CaseExpectation {
  readonly request?: ExpectedRequest;
  readonly requests?: readonly ExpectedRequest[];
  readonly result?: unknown;
  readonly error?: { readonly message?: string; readonly name?: string; readonly sent?: boolean };
}

export interface ConformanceCase {
  readonly id: string;
  readonly source: CaseSource;
  readonly note?: string;
  readonly call: CaseCall;
  readonly client?: Readonly<Record<string, unknown>>;
  readonly input: Readonly<Record<string, unknown>>;
  readonly answer?: CaseAnswer;
  readonly expect: CaseExpectation;
  readonly pending?: string;
  readonly differs?: string;
}

export interface CaseFile {
  readonly group: string;
  readonly title: string;
  readonly notes?: string;
  readonly cases: readonly ConformanceCase[];
  /** The file name, for messages. */
  readonly file: string;
}

const folder = path.dirname(fileURLToPath(import.meta.url));
export const casesFolder = path.join(folder, "cases");

const schema = JSON.parse(readFileSync(path.join(folder, "case-schema.json"), "utf8")) as object;
const validateFile = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

/** The rules the schema cannot express; each problem names the case. */
function checkCase(testCase: ConformanceCase): string[] {
  const problems: string[] = [];
  const where = `case ${testCase.id}`;
  const { expect: expectation, answer } = testCase;
  if (expectation.result !== undefined && !answer) {
    problems.push(`${where}: expect.result needs a Bedrock answer (answer: {operation, body | events})`);
  }
  if (answer?.events && !answer.operation.endsWith("-stream")) {
    problems.push(`${where}: stream events need a stream operation (got ${answer.operation})`);
  }
  if (answer?.body !== undefined && answer.operation.endsWith("-stream")) {
    problems.push(`${where}: a unary body cannot answer ${answer.operation}`);
  }
  const streaming = testCase.input.stream === true;
  if (answer && streaming !== answer.operation.endsWith("-stream")) {
    problems.push(`${where}: input.stream is ${streaming} but the answer is for ${answer.operation}`);
  }
  if (testCase.differs && testCase.pending) problems.push(`${where}: a case is either pending or differs`);
  if (expectation.request && expectation.requests)
    problems.push(`${where}: expect either one request or a list of requests`);
  if (expectation.result !== undefined && expectation.error)
    problems.push(`${where}: expect either a result or an error`);
  return problems;
}

/** Parses and checks one case file's text. Throws an error naming the file and every problem. */
export function parseCaseFile(text: string, file: string): CaseFile {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  if (!validateFile(data)) {
    const problems = (validateFile.errors ?? []).map(
      (error) => `${error.instancePath || "/"} ${error.message ?? "is invalid"}`,
    );
    throw new Error(`${file}: not a case file:\n  ${problems.join("\n  ")}`);
  }
  const parsed = data as Omit<CaseFile, "file">;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const testCase of parsed.cases) {
    if (seen.has(testCase.id)) problems.push(`case ${testCase.id}: the id is used twice`);
    seen.add(testCase.id);
    problems.push(...checkCase(testCase));
  }
  if (problems.length > 0) throw new Error(`${file}:\n  ${problems.join("\n  ")}`);
  return { ...parsed, file };
}

/** Every case file of the suite, sorted by name; group names must be unique across files. */
export function loadCaseFiles(directory: string = casesFolder): CaseFile[] {
  const files = readdirSync(directory)
    .filter((name) => name.endsWith(".yaml"))
    .sort();
  const loaded = files.map((name) => parseCaseFile(readFileSync(path.join(directory, name), "utf8"), name));
  const groups = new Map<string, string>();
  for (const file of loaded) {
    const other = groups.get(file.group);
    if (other) throw new Error(`${file.file}: group ${file.group} is also the group of ${other}`);
    groups.set(file.group, file.file);
  }
  return loaded;
}
