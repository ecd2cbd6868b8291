import { joinPointer, positionOfPointer, type YamlSource } from "../shared/yaml-source.js";
import type { ConfigProblem } from "./config-types.js";

/** A key or an index on the way to a field of the config. */
export type Segment = string | number;

/** Where a config came from: a file parsed with positions, or an object (`<inline config>`) without them. */
export interface ConfigSource {
  readonly file: string;
  readonly yaml?: YamlSource;
}

/** `["model_list", 0, "litellm_params"]` → `model_list[0].litellm_params`. */
export function formatField(segments: readonly Segment[]): string {
  let field = "";
  for (const segment of segments) {
    if (typeof segment === "number") field += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) field += field === "" ? segment : `.${segment}`;
    else field += `[${JSON.stringify(segment)}]`;
  }
  return field;
}

/** The segments of an ajv `instancePath` (an RFC 6901 pointer); digit-only segments are indexes. */
export function pointerToSegments(pointer: string): Segment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

/**
 * A problem at a field: located at the field's value, or at its key when `atKey` (for unknown or
 * misnamed fields); a field missing from the file is located at its nearest existing parent.
 */
export function problemAt(
  source: ConfigSource,
  segments: readonly Segment[],
  message: string,
  atKey = false,
): ConfigProblem {
  const position = source.yaml
    ? positionOfPointer(source.yaml, joinPointer(segments), atKey ? "key" : "value")
    : undefined;
  return { file: source.file, ...position, field: formatField(segments), message };
}
