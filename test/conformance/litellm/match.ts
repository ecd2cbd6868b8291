/**
 * The subset matcher of the conformance cases: an expected value written in a case is compared with what the
 * runtime sent or returned, and every difference comes back with its JSON path.
 *
 * Objects match when every expected key matches (extra actual keys are fine); arrays match element by element
 * with the same length; scalars match when equal (numbers by value). An object whose only key starts with `$`
 * is a directive:
 * - `{$absent: true}`: the key is not there (or is `undefined`);
 * - `{$present: true}`: the key is there, with any value;
 * - `{$json: expected}`: a string holding JSON that matches `expected`;
 * - `{$base64json: expected}`: a base64 string whose bytes are JSON matching `expected` (InvokeModel bodies
 *   inside CountTokens requests);
 * - `{$unordered: [...]}`: an array of the same length whose elements match in some order;
 * - `{$contains: [...]}`: an array with, for every expected element, a distinct matching element;
 * - `{$regex: "..."}`: a string matching the regular expression;
 * - `{$approx: n}`: a number within 1e-9 (relative) of `n`;
 * - `{$lacks: [keys]}`: absent, or an object without any of those keys (LiteLLM often sends `{}` where we
 *   send nothing; both carry none of the keys).
 */

export interface Mismatch {
  /** JSON path of the difference, e.g. `$.messages[0].content[1]`. */
  readonly path: string;
  /** What the case expected there, in words. */
  readonly expected: string;
  /** What was found there. */
  readonly actual: string;
}

const directiveNames = [
  "$absent",
  "$present",
  "$json",
  "$base64json",
  "$unordered",
  "$contains",
  "$regex",
  "$approx",
  "$lacks",
] as const;

type DirectiveName = (typeof directiveNames)[number];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The directive an expected value is, when it is one. */
function readDirective(value: unknown): { name: DirectiveName; argument: unknown } | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const name = keys[0] as DirectiveName;
  return directiveNames.includes(name) ? { name, argument: value[name] } : undefined;
}

/** A short, one-line rendering of a value for mismatch messages. */
export function describeValue(value: unknown, limit = 160): string {
  if (value === undefined) return "(absent)";
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value, replaceBinary);
  if (text === undefined) return String(value);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

function replaceBinary(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? `<${value.length} bytes>` : value;
}

function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function numbersEqual(expected: number, actual: unknown): boolean {
  return (
    typeof actual === "number" && (expected === actual || (Number.isNaN(expected) && Number.isNaN(actual)))
  );
}

function matchDirective(
  name: DirectiveName,
  argument: unknown,
  actual: unknown,
  path: string,
  present: boolean,
): Mismatch[] {
  switch (name) {
    case "$absent":
      return present && actual !== undefined
        ? [{ path, expected: "absent", actual: describeValue(actual) }]
        : [];
    case "$present":
      return present && actual !== undefined ? [] : [{ path, expected: "present", actual: "(absent)" }];
    case "$regex": {
      if (typeof actual === "string" && new RegExp(String(argument), "s").test(actual)) return [];
      return [{ path, expected: `a string matching /${String(argument)}/`, actual: describeValue(actual) }];
    }
    case "$lacks": {
      if (!present || actual === undefined) return [];
      if (!isPlainObject(actual))
        return [{ path, expected: "an object or nothing", actual: describeValue(actual) }];
      const keys = Array.isArray(argument) ? argument.map(String) : [String(argument)];
      return keys
        .filter((key) => Object.hasOwn(actual, key))
        .map((key) => ({
          path: childPath(path, key),
          expected: "absent",
          actual: describeValue(actual[key]),
        }));
    }
    case "$approx": {
      const target = Number(argument);
      if (typeof actual === "number" && Math.abs(actual - target) <= Math.abs(target) * 1e-9 + 1e-12)
        return [];
      return [{ path, expected: `≈ ${target}`, actual: describeValue(actual) }];
    }
    case "$json":
    case "$base64json": {
      const what = name === "$json" ? "a JSON string" : "base64 of a JSON document";
      if (typeof actual !== "string") return [{ path, expected: what, actual: describeValue(actual) }];
      let parsed: unknown;
      try {
        parsed = JSON.parse(name === "$json" ? actual : Buffer.from(actual, "base64").toString("utf8"));
      } catch {
        return [{ path, expected: what, actual: describeValue(actual) }];
      }
      return findMismatches(argument, parsed, `${path}<${name.slice(1)}>`);
    }
    case "$unordered":
    case "$contains": {
      const expectedItems = Array.isArray(argument) ? argument : [argument];
      if (!Array.isArray(actual)) return [{ path, expected: "an array", actual: describeValue(actual) }];
      if (name === "$unordered" && actual.length !== expectedItems.length) {
        return [
          {
            path,
            expected: `${expectedItems.length} elements in any order`,
            actual: `${actual.length} elements: ${describeValue(actual)}`,
          },
        ];
      }
      const used = new Set<number>();
      const mismatches: Mismatch[] = [];
      for (const item of expectedItems) {
        const found = actual.findIndex(
          (candidate, index) => !used.has(index) && findMismatches(item, candidate, path).length === 0,
        );
        if (found === -1) {
          mismatches.push({
            path,
            expected: `an element matching ${describeValue(item)}`,
            actual: describeValue(actual),
          });
        } else used.add(found);
      }
      return mismatches;
    }
  }
}

/**
 * Every place where `actual` differs from the subset `expected` (an empty list when it matches). `present`
 * tells directives whether the key exists at all (for `$absent` / `$present` under an object key).
 */
export function findMismatches(expected: unknown, actual: unknown, path = "$", present = true): Mismatch[] {
  const directive = readDirective(expected);
  if (directive) return matchDirective(directive.name, directive.argument, actual, path, present);
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return [{ path, expected: "an object", actual: describeValue(actual) }];
    const mismatches: Mismatch[] = [];
    for (const [key, value] of Object.entries(expected)) {
      mismatches.push(
        ...findMismatches(value, actual[key], childPath(path, key), Object.hasOwn(actual, key)),
      );
    }
    return mismatches;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual))
      return [{ path, expected: describeValue(expected), actual: describeValue(actual) }];
    if (actual.length !== expected.length) {
      return [
        {
          path,
          expected: `${expected.length} elements: ${describeValue(expected)}`,
          actual: `${actual.length} elements: ${describeValue(actual)}`,
        },
      ];
    }
    return expected.flatMap((item, index) => findMismatches(item, actual[index], childPath(path, index)));
  }
  if (typeof expected === "number") {
    return numbersEqual(expected, actual)
      ? []
      : [{ path, expected: String(expected), actual: describeValue(actual) }];
  }
  if (expected === actual) return [];
  return [{ path, expected: describeValue(expected), actual: describeValue(actual) }];
}

/** One line per mismatch, for assertion messages and the divergence report. */
export function formatMismatches(mismatches: readonly Mismatch[]): string[] {
  return mismatches.map(
    (mismatch) => `${mismatch.path}: expected ${mismatch.expected}, got ${mismatch.actual}`,
  );
}
