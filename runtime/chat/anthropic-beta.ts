/**
 * Claude's beta flags (`anthropic_beta` in the InvokeModel body and in Converse's
 * additionalModelRequestFields), gathered as LiteLLM gathers them (litellm/llms/bedrock/common_utils.py
 * get_anthropic_beta_from_headers, converse_transformation.py _process_tools_and_beta; tested by
 * tests/test_litellm/llms/bedrock/test_anthropic_beta_support.py): the anthropic_beta param, the flags of a
 * client's `anthropic-beta` header (a comma list, trimmed), and the computer-use flag when the request carries
 * one of Claude's own tools. Only a table that declares anthropic_beta (Claude's) gets them: other models
 * refuse the key ("unknown variant anthropic_beta").
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
 */
import type { ParamTable } from "../../generated/spec-types.js";
import { readPointer, writePointer } from "../pointer.js";
import type { NormalizedChat } from "./model.js";

type HeaderSet = Readonly<Record<string, unknown>> | undefined;

/** The flags of every `anthropic-beta` header (any letter case) in the given header sets. */
export function readAnthropicBetaHeaders(headerSets: readonly HeaderSet[]): string[] {
  const flags: string[] = [];
  for (const headers of headerSets) {
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (name.toLowerCase() !== "anthropic-beta" || typeof value !== "string") continue;
      for (const flag of value.split(",")) if (flag.trim() !== "") flags.push(flag.trim());
    }
  }
  return flags;
}

/** The header sets a chat call can carry: the call's own (client and request) and the request's fields. */
export function headerSetsOf(
  request: Readonly<Record<string, unknown>>,
  callHeaders: Readonly<Record<string, string>> | undefined,
): HeaderSet[] {
  return [callHeaders, request.extra_headers as HeaderSet, request.headers as HeaderSet];
}

/**
 * Merges the header's flags and the computer-use flag of Claude's own tools into the list the table's
 * anthropic_beta param writes (each flag once, in order). Nothing happens for a table without that param.
 */
export function writeAnthropicBeta(
  body: Record<string, unknown>,
  table: ParamTable,
  chat: NormalizedChat,
  headerFlags: readonly string[],
): void {
  const target = table.anthropic_beta?.to;
  if (!target) return;
  const serverToolBeta = chat.serverTools?.length ? table.tools?.server_tool_beta : undefined;
  const given = readPointer(body, target);
  const flags = [
    ...(Array.isArray(given) ? given : []),
    ...headerFlags,
    ...(serverToolBeta ? [serverToolBeta] : []),
  ];
  if (flags.length === 0) return;
  writePointer(body, target, [...new Set(flags)]);
}
