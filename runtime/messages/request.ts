/**
 * Checks shared by both ways a Messages request runs (natively for Claude, translated for the rest):
 * the conversation's shape, which fields go where, and the beta flags.
 * Field list: https://docs.anthropic.com/en/api/messages and Bedrock's Claude body
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html).
 */
import { RequestValidationError } from "../errors.js";
import { runtimeFields } from "../params.js";

type Loose = Readonly<Record<string, unknown>>;

/** Fields of Bedrock's Claude body that a Messages request carries as they are. */
export const nativeFields: readonly string[] = [
  "max_tokens",
  "messages",
  "system",
  "temperature",
  "top_p",
  "top_k",
  "stop_sequences",
  "tools",
  "tool_choice",
  "thinking",
];

/** Fields read here and never sent as body fields: the beta flags, and bookkeeping clients add. */
const consumedFields: ReadonlySet<string> = new Set([
  "anthropic_beta",
  "betas",
  "anthropic_version",
  "metadata",
  "service_tier",
  "output_config",
]);

/** Anthropic API fields with no Bedrock equivalent: refused, or dropped with a warning under drop_params. */
const anthropicOnlyFields: ReadonlySet<string> = new Set([
  "container",
  "mcp_servers",
  "context_management",
  "speed",
  "inference_geo",
  "cache_control",
  "diagnostics",
  "user_profile_id",
  "workspace_id",
]);

function fail(message: string, param: string, model?: string): never {
  throw new RequestValidationError(message, { param, model });
}

function isObject(value: unknown): value is Loose {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates the conversation (roles, content, max_tokens) before any call, naming the field at fault. */
export function validateMessagesRequest(
  request: Loose,
  options: { readonly requireMaxTokens: boolean },
): void {
  const messages = request.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    fail("messages must be a non-empty list of {role, content} messages", "messages");
  messages.forEach((message: unknown, index) => {
    const param = `messages[${index}]`;
    if (!isObject(message)) fail(`${param} must be a {role, content} object`, param);
    if (message.role !== "user" && message.role !== "assistant") {
      fail(
        `${param}.role must be "user" or "assistant" (got ${JSON.stringify(message.role)}); put system text in the top-level system field`,
        `${param}.role`,
      );
    }
    const content = message.content;
    if (typeof content === "string") return;
    if (!Array.isArray(content))
      fail(`${param}.content must be a string or a list of content blocks`, `${param}.content`);
    content.forEach((block: unknown, blockIndex) => {
      if (!isObject(block) || typeof block.type !== "string")
        fail(
          `${param}.content[${blockIndex}] must be a content block with a type`,
          `${param}.content[${blockIndex}]`,
        );
    });
  });
  const system = request.system;
  if (system !== undefined && typeof system !== "string" && !Array.isArray(system))
    fail("system must be a string or a list of text blocks", "system");
  const maxTokens = request.max_tokens;
  if (maxTokens === undefined && !options.requireMaxTokens) return;
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1)
    fail(`max_tokens must be a positive integer (got ${JSON.stringify(maxTokens)})`, "max_tokens");
}

/**
 * The beta flags of a request: `anthropic_beta` and `betas` in the body, and the `anthropic-beta` header
 * (comma-separated, as Anthropic's API takes it: https://docs.anthropic.com/en/api/beta-headers), in
 * that order without repeats.
 */
export function readBetas(request: Loose, headers: Readonly<Record<string, string>> | undefined): string[] {
  const betas: string[] = [];
  const add = (value: unknown, param: string) => {
    if (value === undefined || value === null) return;
    if (!Array.isArray(value) || value.some((beta) => typeof beta !== "string"))
      fail(`${param} must be a list of beta names`, param);
    for (const beta of value as string[]) if (beta !== "" && !betas.includes(beta)) betas.push(beta);
  };
  add(request.anthropic_beta, "anthropic_beta");
  add(request.betas, "betas");
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== "anthropic-beta") continue;
    add(
      value.split(",").map((beta) => beta.trim()),
      "anthropic-beta",
    );
  }
  return betas;
}

/** The caller's headers without Anthropic's own (`anthropic-*`, `x-api-key`), which Bedrock must not receive. */
export function withoutAnthropicHeaders(
  headers: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> | undefined {
  if (!headers) return headers;
  const kept: Record<string, string> = {};
  let removed = false;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith("anthropic-") || lower === "x-api-key") removed = true;
    else kept[name] = value;
  }
  return removed ? kept : headers;
}

/**
 * Splits a request's other fields: Anthropic-only ones (refused, or dropped under drop_params) and the
 * rest, which the caller decides about (the native body refuses them, the chat path takes them as
 * provider params).
 */
export function extraFields(
  request: Loose,
  policy: { readonly dropParams: boolean; readonly warn: (message: string) => void; readonly model: string },
): string[] {
  const extras: string[] = [];
  for (const name in request) {
    if (request[name] === undefined) continue;
    if (nativeFields.includes(name) || consumedFields.has(name) || runtimeFields.has(name)) continue;
    if (anthropicOnlyFields.has(name)) {
      if (policy.dropParams) {
        policy.warn(
          `bedrock-forge: dropping ${name} for ${policy.model}: Bedrock has no equivalent (drop_params)`,
        );
        continue;
      }
      fail(
        `${name} is not supported on Bedrock (${policy.model}). Remove it, or set drop_params: true to drop it.`,
        name,
        policy.model,
      );
    }
    extras.push(name);
  }
  return extras;
}
