/**
 * Prompt caching: the caller's `cache_control` marks, and LiteLLM's `cache_control_injection_points`, which
 * place the same marks for callers that cannot edit their messages.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html
 * https://docs.litellm.ai/docs/tutorials/prompt_caching (injection points)
 */
import type { CacheFields } from "../../generated/spec-types.js";
import { RequestValidationError } from "../errors.js";
import type { ChatMessage, FunctionTool } from "../types.js";
import type { CacheMark } from "./model.js";

/** Where a model takes cache checkpoints on the route of a call. */
export type CacheField = CacheFields[number];

/** Every field: for models the catalog does not know (the caller decides) and for direct callers. */
export const allCacheFields: ReadonlySet<CacheField> = new Set(["system", "messages", "tools"]);

const noCacheFields: ReadonlySet<CacheField> = new Set();
const cacheFieldSets = new WeakMap<readonly CacheField[], ReadonlySet<CacheField>>();

/** The fields of a spec's `cache_points` list (none when the model has no prompt caching). */
export function cacheFieldsOf(
  points: readonly CacheField[] | undefined,
  caches: boolean,
): ReadonlySet<CacheField> {
  if (!points || !caches) return noCacheFields;
  let fields = cacheFieldSets.get(points);
  if (!fields) {
    fields = new Set(points);
    cacheFieldSets.set(points, fields);
  }
  return fields;
}

/**
 * Reads a `cache_control` value: absent, or Anthropic's `{type: "ephemeral", ttl?: "5m" | "1h"}` (the only
 * type Anthropic's API and Bedrock's CachePointBlock know). Anything else is refused naming the param.
 */
export function readCacheMark(value: unknown, param: string, model: string): CacheMark | undefined {
  if (value === undefined || value === null) return undefined;
  const mark = value as { type?: unknown; ttl?: unknown };
  if (typeof value !== "object" || Array.isArray(value) || mark.type !== "ephemeral") {
    throw new RequestValidationError(
      `${param}.cache_control must be {type: "ephemeral"} (optionally with ttl "5m" or "1h"), got ${JSON.stringify(value)}`,
      { param: `${param}.cache_control`, model },
    );
  }
  if (mark.ttl === undefined || mark.ttl === null) return { type: "ephemeral" };
  if (mark.ttl !== "5m" && mark.ttl !== "1h") {
    throw new RequestValidationError(
      `${param}.cache_control.ttl must be "5m" or "1h" (Bedrock's cache TTLs), got ${JSON.stringify(mark.ttl)}`,
      { param: `${param}.cache_control`, model },
    );
  }
  return { type: "ephemeral", ttl: mark.ttl };
}

/** One of LiteLLM's injection points: a message (by role or index) or the tool list. */
type InjectionPoint =
  | {
      readonly location: "message";
      readonly role?: string;
      readonly index?: number;
      readonly control?: unknown;
    }
  | { readonly location: "tool_config"; readonly control?: unknown };

const injectionParam = "cache_control_injection_points";

function failInjection(message: string, model: string): never {
  throw new RequestValidationError(`${injectionParam}${message}`, { param: injectionParam, model });
}

function readInjectionPoints(value: unknown, model: string): readonly InjectionPoint[] {
  if (!Array.isArray(value))
    failInjection(
      ' must be a list of {location: "message", role | index} or {location: "tool_config"}',
      model,
    );
  value.forEach((point: unknown, index) => {
    const { location, role, index: messageIndex } = (point ?? {}) as Record<string, unknown>;
    if (location === "tool_config") return;
    if (location !== "message") {
      failInjection(
        `[${index}].location must be "message" or "tool_config", got ${JSON.stringify(location)}`,
        model,
      );
    }
    if (role !== undefined && typeof role !== "string")
      failInjection(`[${index}].role must be a message role`, model);
    if (messageIndex !== undefined && !Number.isInteger(messageIndex))
      failInjection(`[${index}].index must be an integer (negative counts from the end)`, model);
    if (role === undefined && messageIndex === undefined)
      failInjection(`[${index}] names no message: give role or index`, model);
  });
  return value as readonly InjectionPoint[];
}

/** A message with the mark on it, or on each of its parts (as LiteLLM's cache-control hook marks it). */
function markMessage(message: ChatMessage, control: unknown): ChatMessage {
  const content = (message as { content?: unknown }).content;
  if (Array.isArray(content)) {
    return {
      ...message,
      content: content.map((part) =>
        part !== null && typeof part === "object" ? { ...part, cache_control: control } : part,
      ),
    } as ChatMessage;
  }
  if (typeof content === "string") return { ...message, cache_control: control } as ChatMessage;
  return message;
}

function markMessages(messages: readonly ChatMessage[], point: InjectionPoint & { location: "message" }) {
  if (!Array.isArray(messages)) return messages;
  const control = point.control ?? { type: "ephemeral" };
  if (point.index !== undefined) {
    const at = point.index < 0 ? messages.length + point.index : point.index;
    if (at < 0 || at >= messages.length) return messages;
    return messages.map((message, index) => (index === at ? markMessage(message, control) : message));
  }
  return messages.map((message) => (message?.role === point.role ? markMessage(message, control) : message));
}

/**
 * Applies `cache_control_injection_points` to a request's messages and tools: a `message` point marks the
 * messages of a role (or the one at an index, negative from the end), a `tool_config` point marks the last
 * tool (a checkpoint after the tool list). Nothing of the param itself reaches Bedrock.
 */
export function injectCacheControl(
  messages: readonly ChatMessage[],
  tools: readonly FunctionTool[] | undefined,
  value: unknown,
  model: string,
): { messages: readonly ChatMessage[]; tools: readonly FunctionTool[] | undefined } {
  if (value === undefined || value === null) return { messages, tools };
  let marked = { messages, tools };
  for (const point of readInjectionPoints(value, model)) {
    if (point.location === "message") {
      marked = { ...marked, messages: markMessages(marked.messages, point) };
    } else if (Array.isArray(marked.tools) && marked.tools.length > 0) {
      const last = marked.tools.length - 1;
      const control = point.control ?? { type: "ephemeral" };
      marked = {
        ...marked,
        tools: marked.tools.map((tool, index) =>
          index === last ? { ...tool, cache_control: control } : tool,
        ),
      };
    }
  }
  return marked;
}
