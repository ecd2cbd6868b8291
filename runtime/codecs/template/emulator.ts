/**
 * The emulator half of the template codec: finds the last user turn inside a rendered prompt with the
 * spec's turn template, and writes the answer text at the spec's `response.text` pointer (the family's
 * finish and usage pointers are applied on top). Their streams are flat (the `flat` unit writes them).
 */
import {
  type EmulatorCodecUnit,
  type Json,
  type NativeChatContext,
  type NativeChatView,
  responseMappingOf,
} from "../../../emulator/synthesize/native-kit.js";
import type { ChatPlan } from "../../../emulator/synthesize/plan.js";
import type { ChatRequestMapping, PromptTemplate } from "../../../generated/spec-types.js";
import { readPointer, writePointer } from "../../pointer.js";

/** The text before `{content}` in a turn template (its prefix), if any. */
function prefixOf(template: string | undefined): string {
  return template?.includes("{content}") ? template.slice(0, template.indexOf("{content}")) : "";
}

/**
 * The text of the last user turn inside a rendered prompt, using the spec's turn template: after the last
 * user prefix, up to the user suffix or (for templates without one) the next turn's prefix or the
 * generation prompt, whichever comes first.
 */
function lastUserTurnOfPrompt(prompt: string, template: PromptTemplate | undefined): string {
  const user = template?.user;
  if (!template || !user?.includes("{content}")) return prompt.trim();
  const prefix = prefixOf(user);
  const suffix = user.slice(user.indexOf("{content}") + "{content}".length);
  if (!prefix) return prompt.trim();
  const start = prompt.lastIndexOf(prefix);
  if (start < 0) return prompt.trim();
  const from = start + prefix.length;
  const terminators = [
    suffix,
    prefixOf(template.assistant),
    prefixOf(template.tool),
    template.generation,
    template.end,
  ]
    .filter((terminator): terminator is string => Boolean(terminator?.trim()))
    .map((terminator) => prompt.indexOf(terminator, from))
    .filter((index) => index >= 0);
  const end = terminators.length > 0 ? Math.min(...terminators) : prompt.length;
  return prompt.slice(from, end).trim();
}

function readChatView(body: Json, mapping: ChatRequestMapping): NativeChatView {
  const prompt = readPointer(body, mapping.prompt ?? "/prompt");
  const text = typeof prompt === "string" ? prompt : "";
  return {
    lastUserText: lastUserTurnOfPrompt(text, mapping.template),
    inputText: text,
    tools: [],
    toolChoice: { kind: "auto" },
    afterToolResult: false,
  };
}

function buildResponse(plan: ChatPlan, context: NativeChatContext) {
  const body: Json = {};
  writePointer(body, responseMappingOf(context.descriptor).text ?? "/generation", plan.text);
  return { body, fallbackFinish: plan.finish };
}

export const templateEmulator: EmulatorCodecUnit<"template"> = {
  messages: { readChatView, buildResponse },
};
