/**
 * The emulator half of the mistral-chat codec: reads Mistral chat bodies (OpenAI-style messages) and writes
 * `{id, object, created, model, choices: [{index, message: {role, content, tool_calls}, stop_reason}]}`.
 * Its streams are flat (the `flat` unit writes them).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-mistral-chat-completion.html
 */
import {
  type EmulatorCodecUnit,
  finishFor,
  type NativeChatContext,
} from "../../../emulator/synthesize/native-kit.js";
import type { ChatPlan } from "../../../emulator/synthesize/plan.js";
import { deterministicUuid } from "../../../emulator/synthesize/text.js";
import { readOpenAIChatView } from "../openai/emulator.js";

function buildResponse(plan: ChatPlan, context: NativeChatContext) {
  const toolCalls = plan.toolCall
    ? [
        {
          id: plan.toolCall.seed.slice(0, 9),
          function: { name: plan.toolCall.name, arguments: JSON.stringify(plan.toolCall.arguments) },
        },
      ]
    : undefined;
  const body = {
    id: deterministicUuid([context.modelId, plan.text, plan.toolCall?.seed]),
    object: "chat.completion",
    created: context.created,
    model: context.modelId,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: plan.text, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        stop_reason: finishFor(context.descriptor, plan, plan.finish),
      },
    ],
  };
  return { body, fallbackFinish: plan.finish };
}

export const mistralChatEmulator: EmulatorCodecUnit<"mistral-chat"> = {
  messages: { readChatView: readOpenAIChatView, buildResponse },
};
