/**
 * What clients send along for their own bookkeeping — OpenAI's `metadata`, `user`, `store` and
 * `service_tier`, Anthropic's `metadata.user_id` and `service_tier`, LiteLLM's `tags` — is accepted on
 * every route, written (bounded) to the request's log line, and never sent to Bedrock.
 */
import { invalidRequest } from "./errors.js";

/** The body fields the proxy keeps for itself. */
export const bookkeepingFields: ReadonlySet<string> = new Set([
  "metadata",
  "user",
  "tags",
  "store",
  "service_tier",
]);

/** Bounds of what one log line carries of them (OpenAI's own metadata limits: 16 pairs, 64-character keys, 512-character values). */
const maxEntries = 16;
const maxKeyLength = 64;
const maxValueLength = 512;
const maxTagLength = 64;
const maxUserLength = 256;

function cut(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}

/** A value as at most `maxValueLength` characters: strings as they are, anything else as JSON. */
function summarizeValue(value: unknown): string {
  if (typeof value === "string") return cut(value, maxValueLength);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return cut(text, maxValueLength);
}

/** At most 16 entries of a metadata object, keys and values cut short. */
export function summarizeMetadata(metadata: Readonly<Record<string, unknown>>): Record<string, string> {
  const summary: Record<string, string> = {};
  let entries = 0;
  for (const key in metadata) {
    if (!Object.hasOwn(metadata, key)) continue;
    if (entries === maxEntries) {
      summary["…"] = "more entries not logged";
      break;
    }
    summary[cut(key, maxKeyLength)] = summarizeValue(metadata[key]);
    entries++;
  }
  return summary;
}

/**
 * The bookkeeping fields of a (schema-checked) body as the log line carries them, or undefined when
 * there are none. `store: true` asks the proxy to keep the answer, which it cannot: refused.
 */
export function readClientNotes(
  body: Readonly<Record<string, unknown>>,
): Record<string, unknown> | undefined {
  const { metadata, user, tags, store, service_tier: serviceTier } = body;
  if (store === true) {
    throw invalidRequest(
      "store: true is not supported: this proxy keeps no responses or completions. Leave store out or set it to false.",
      "store",
      "unsupported_param",
    );
  }
  if (metadata == null && user == null && tags == null && serviceTier == null) return undefined;
  const notes: Record<string, unknown> = {};
  if (metadata !== null && typeof metadata === "object")
    notes.metadata = summarizeMetadata(metadata as Record<string, unknown>);
  if (typeof user === "string") notes.user = cut(user, maxUserLength);
  if (Array.isArray(tags))
    notes.tags = tags.slice(0, maxEntries).map((tag) => cut(String(tag), maxTagLength));
  if (typeof serviceTier === "string") notes.service_tier = cut(serviceTier, maxTagLength);
  return notes;
}
