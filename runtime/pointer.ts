/**
 * JSON pointers (RFC 6901) over native bodies, as the specs write them. A `*` segment reads every
 * element of an array (reads only). Parsed pointers are cached: the same few hundred pointers are
 * used on every call.
 */

const parsedPointers = new Map<string, readonly string[]>();

export function parsePointer(pointer: string): readonly string[] {
  let segments = parsedPointers.get(pointer);
  if (segments) return segments;
  segments =
    pointer === "" || pointer === "/"
      ? []
      : pointer
          .slice(1)
          .split("/")
          .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
  parsedPointers.set(pointer, segments);
  return segments;
}

function readSegments(value: unknown, segments: readonly string[], start: number): unknown {
  let current = value;
  for (let index = start; index < segments.length; index++) {
    const segment = segments[index]!;
    if (current === null || typeof current !== "object") return undefined;
    if (segment === "*") {
      if (!Array.isArray(current)) return undefined;
      return current.map((item) => readSegments(item, segments, index + 1));
    }
    current = Array.isArray(current)
      ? current[Number(segment)]
      : (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Reads the value at `pointer`; `undefined` when any step is missing. `*` yields an array of the matches. */
export function readPointer(value: unknown, pointer: string): unknown {
  return readSegments(value, parsePointer(pointer), 0);
}

/** Writes `value` at `pointer`, creating objects (or arrays, for numeric segments) on the way. */
export function writePointer(target: Record<string, unknown>, pointer: string, value: unknown): void {
  const segments = parsePointer(pointer);
  if (segments.length === 0) throw new Error("cannot write the root of a body");
  let current: Record<string, unknown> | unknown[] = target;
  for (let index = 0; index < segments.length - 1; index++) {
    const segment = segments[index]!;
    const key: string | number = Array.isArray(current) ? Number(segment) : segment;
    let next = (current as Record<string | number, unknown>)[key];
    if (next === null || typeof next !== "object") {
      next = /^(0|[1-9][0-9]*)$/.test(segments[index + 1]!) ? [] : {};
      (current as Record<string | number, unknown>)[key] = next;
    }
    current = next as Record<string, unknown> | unknown[];
  }
  const last = segments[segments.length - 1]!;
  (current as Record<string | number, unknown>)[Array.isArray(current) ? Number(last) : last] = value;
}

/** Removes the field at `pointer`, if it is there. */
export function deletePointer(target: Record<string, unknown>, pointer: string): void {
  const segments = parsePointer(pointer);
  const parent = readSegments(target, segments.slice(0, -1), 0);
  if (parent !== null && typeof parent === "object" && !Array.isArray(parent))
    delete (parent as Record<string, unknown>)[segments[segments.length - 1]!];
}

/** Writes a spec's fixed fields (keyed by pointer) into a body; each value is copied, never shared. */
export function writeConstants(
  target: Record<string, unknown>,
  constants: Readonly<Record<string, unknown>> | undefined,
): void {
  for (const [pointer, value] of Object.entries(constants ?? {}))
    writePointer(target, pointer, structuredClone(value));
}
