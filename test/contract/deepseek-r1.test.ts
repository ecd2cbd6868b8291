import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../runtime/chat/model.js";
import { ReasoningSplitter, splitReasoning } from "../../runtime/codecs/openai/reasoning.js";
import { buildBody, loadFixture, parseFixture, streamFixture } from "./invoke-fixture.js";

/** DeepSeek-R1's reasoning tags as its spec declares them: the prompt opens the block. */
const tags = { open: "<think>", close: "</think>", implicit_open: true };

/** Cuts a text at the given positions (pieces may be empty-free and of any length). */
function cut(text: string, positions: readonly number[]): string[] {
  const points = [...new Set(positions.map((position) => position % (text.length + 1)))].sort(
    (a, b) => a - b,
  );
  const pieces: string[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(text.slice(start, point));
    start = point;
  }
  pieces.push(text.slice(start));
  return pieces.filter((piece) => piece !== "");
}

function splitStream(pieces: readonly string[]): { reasoning: string; text: string } {
  const splitter = new ReasoningSplitter(tags);
  const events: StreamEvent[] = [...pieces.flatMap((piece) => splitter.push(piece)), ...splitter.flush()];
  let reasoning = "";
  let text = "";
  for (const event of events) {
    if (event.kind === "reasoning") reasoning += event.text ?? "";
    if (event.kind === "text") text += event.text;
  }
  return { reasoning, text };
}

describe("deepseek-r1 fixtures", () => {
  it("chat: the DeepSeek template ending in <think>, text from choices[0]", async () => {
    const fixture = loadFixture("deepseek-r1", "chat");
    const body = await buildBody("us.deepseek.r1-v1:0", {
      messages: [{ role: "user", content: "Describe the purpose of a 'hello world' program in one line." }],
      max_tokens: 512,
      temperature: 0.5,
      top_p: 0.9,
    });
    expect(body).toEqual(fixture.request);
    const completion = await parseFixture("us.deepseek.r1-v1:0", fixture);
    // The prompt opened <think>: what comes before </think> is the reasoning (LiteLLM's split).
    expect(completion.choices[0]).toMatchObject({
      message: {
        reasoning_content: "The user wants a one-line description of a hello world program.\n",
        content:
          "\n\nA 'hello world' program demonstrates the minimal code needed to print output in a language.",
      },
      finish_reason: "stop",
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 48 });
  });

  it("chat-stream", async () => {
    const fixture = loadFixture("deepseek-r1", "chat-stream");
    const body = await buildBody("us.deepseek.r1-v1:0", {
      messages: [{ role: "user", content: "What is the capital of France?" }],
      max_tokens: 100,
    });
    expect(body).toEqual(fixture.request);
    const result = await streamFixture("us.deepseek.r1-v1:0", fixture);
    expect(result).toMatchObject({
      reasoning: "Short answer.\n",
      text: "\n\nParis.",
      finishReason: "stop",
      promptTokens: 12,
      completionTokens: 11,
    });
  });

  it("puts system text first and closes earlier answers with the end-of-sentence token", async () => {
    const body = await buildBody("us.deepseek.r1-v1:0", {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "1+1?" },
        { role: "assistant", content: "2" },
        { role: "user", content: "2+2?" },
      ],
    });
    expect(body.prompt).toBe(
      "<｜begin▁of▁sentence｜>Be brief.<｜User｜>1+1?<｜Assistant｜>2<｜end▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜><think>\n",
    );
  });
});

// LiteLLM's cases (tests/test_litellm/llms/bedrock/chat/invoke_transformations/test_amazon_deepseek_transformation.py):
// everything before the first </think> is reasoning however the stream cuts the marker; a lookalike stays
// reasoning; an unterminated block is released as reasoning; a later </think> is answer text.
describe("DeepSeek-R1's reasoning split at the first </think>", () => {
  it("recovers the reasoning and the answer whatever the chunks, streamed and whole", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.array(fc.nat(), { maxLength: 10 }),
        (reasoning, answer, positions) => {
          // The reasoning holds no closing tag and does not open with the tag (a leading one would be skipped).
          fc.pre(!`${reasoning}</think>`.slice(0, -1).includes("</think>"));
          fc.pre(!reasoning.trimStart().startsWith("<think>") && reasoning.trim() !== "");
          const text = `${reasoning}</think>${answer}`;
          expect(splitStream(cut(text, positions))).toEqual({ reasoning, text: answer });
          expect(splitReasoning(text, tags)).toEqual({ reasoning, text: answer });
        },
      ),
    );
  });

  it.each([
    [
      "an opening tag the model wrote anyway is skipped",
      ["<think>\nhm", "</think>ok"],
      { reasoning: "\nhm", text: "ok" },
    ],
    [
      "a lookalike is not swallowed",
      ["a < b and c </ d", "</think>", "The answer is 4."],
      { reasoning: "a < b and c </ d", text: "The answer is 4." },
    ],
    [
      "an unterminated block is reasoning",
      ["still thinking ", "</thi"],
      { reasoning: "still thinking </thi", text: "" },
    ],
    [
      "a second marker is answer text",
      ["R</think>", "write </think> here"],
      { reasoning: "R", text: "write </think> here" },
    ],
    ["an empty reasoning block", ["</think>", "Answer"], { reasoning: "", text: "Answer" }],
  ])("%s", (_name, pieces, expected) => {
    expect(splitStream(pieces)).toEqual(expected);
    expect(splitReasoning(pieces.join(""), tags)).toEqual(expected);
  });
});
