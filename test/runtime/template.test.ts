import { describe, expect, it } from "vitest";
import type { PromptTemplate } from "../../generated/spec-types.js";
import { normalizeChat } from "../../runtime/chat/normalize.js";
import { renderPrompt } from "../../runtime/codecs/template/render-prompt.js";
import { loadFamily } from "../../runtime/families.js";
import type { ChatMessage } from "../../runtime/types.js";

const claudeText: PromptTemplate = {
  user: "\n\nHuman: {content}",
  assistant: "\n\nAssistant: {content}",
  system: "{content}",
  system_handling: "top",
  generation: "\n\nAssistant:",
};

const llama2: PromptTemplate = {
  user: "<s>[INST] {content} [/INST]",
  assistant: " {content} </s>",
  system_handling: "first-user",
  system_wrap: "<<SYS>>\n{content}\n<</SYS>>\n\n",
};

async function render(messages: ChatMessage[], template: PromptTemplate): Promise<string> {
  return renderPrompt(await normalizeChat(messages, { model: "m", allowPrefill: true }), template, "m");
}

describe("renderPrompt", () => {
  it("renders Llama 3 turns from the spec", async () => {
    const { descriptor } = await loadFamily("meta-llama3");
    const prompt = await render(
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      descriptor.chat!.request.template!,
    );
    expect(prompt).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    );
  });

  it("puts Claude 2.1's system prompt at the top and leaves a pre-fill open", async () => {
    const prompt = await render(
      [
        { role: "system", content: "You are a snarky assistant." },
        { role: "user", content: "How do I boil water?" },
        { role: "assistant", content: "{" },
      ],
      claudeText,
    );
    expect(prompt).toBe("You are a snarky assistant.\n\nHuman: How do I boil water?\n\nAssistant: {");
  });

  it("wraps the system prompt into Llama 2's first instruction", async () => {
    const prompt = await render(
      [
        { role: "system", content: "S" },
        { role: "user", content: "Q1" },
        { role: "assistant", content: "A1" },
        { role: "user", content: "Q2" },
      ],
      llama2,
    );
    expect(prompt).toBe("<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nQ1 [/INST] A1 </s><s>[INST] Q2 [/INST]");
  });

  it("refuses images in a text prompt", async () => {
    const png =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    await expect(
      render(
        [
          {
            role: "user",
            content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${png}` } }],
          },
        ],
        claudeText,
      ),
    ).rejects.toThrow(/needs the converse route/);
  });
});
