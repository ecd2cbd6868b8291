import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeChat } from "../../runtime/chat/normalize.js";
import { BedrockForgeError, RequestValidationError } from "../../runtime/errors.js";
import type { ChatMessage } from "../../runtime/types.js";

const png =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const base = { model: "test-model", allowPrefill: true };

describe("normalizeChat", () => {
  it("collects system messages, merges consecutive user turns and decodes data URLs", async () => {
    const chat = await normalizeChat(
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Look:" },
        {
          role: "user",
          content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${png}` } }],
        },
      ],
      base,
    );
    expect(chat.system).toEqual(["Be brief."]);
    expect(chat.turns).toHaveLength(1);
    expect(chat.turns[0]!.content.map((block) => block.kind)).toEqual(["text", "image"]);
    const image = chat.turns[0]!.content[1]!;
    expect(image.kind === "image" && image.format).toBe("png");
    expect(image.kind === "image" && image.bytes.subarray(1, 4).toString()).toBe("PNG");
    expect(chat.prefill).toBe(false);
  });

  it("parses tool calls and groups tool results", async () => {
    const chat = await normalizeChat(
      [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
            { id: "call_2", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "18C" },
        { role: "tool", tool_call_id: "call_2", content: "24C" },
      ],
      base,
    );
    expect(chat.turns.map((turn) => turn.role)).toEqual(["user", "assistant", "tool"]);
    const calls = chat.turns[1]!.content;
    expect(calls[0]).toMatchObject({
      kind: "tool_call",
      id: "call_1",
      name: "weather",
      input: { city: "Paris" },
    });
    expect(chat.turns[2]!.content).toHaveLength(2);
  });

  it.each<[string, ChatMessage[], RegExp]>([
    ["an empty conversation", [], /non-empty/],
    ["only system messages", [{ role: "system", content: "x" }], /no user message/],
    [
      "starting with the assistant",
      [
        { role: "assistant", content: "Hi" },
        { role: "user", content: "x" },
      ],
      /must start with a user message/,
    ],
    [
      "two assistant turns",
      [
        { role: "user", content: "a" },
        { role: "assistant", content: "b" },
        { role: "assistant", content: "c" },
        { role: "user", content: "d" },
      ],
      /two assistant messages in a row/,
    ],
    ["a blank user message", [{ role: "user", content: "  " }], /empty content/],
    [
      "a tool result without a call",
      [
        { role: "user", content: "a" },
        { role: "tool", tool_call_id: "nope", content: "x" },
      ],
      /does not answer a tool call/,
    ],
    [
      "invalid tool arguments",
      [
        { role: "user", content: "a" },
        {
          role: "assistant",
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{oops" } }],
        },
      ],
      /not valid JSON/,
    ],
    [
      "an image URL on a loopback address (refused before connecting)",
      [{ role: "user", content: [{ type: "image_url", image_url: { url: "http://127.0.0.1:9/a.png" } }] }],
      /127\.0\.0\.1, a loopback, private or link-local address/,
    ],
    [
      "an image URL on an IPv6 link-local address",
      [{ role: "user", content: [{ type: "image_url", image_url: { url: "http://[fe80::1]:9/a.png" } }] }],
      /fe80::1, a loopback, private or link-local address/,
    ],
    [
      "a file: image URL",
      [{ role: "user", content: [{ type: "image_url", image_url: { url: "file:///etc/passwd" } }] }],
      /must be data:, http:, https: or s3: URLs \(got file:\)/,
    ],
    [
      "an ftp: image URL",
      [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://example.com/a.png" } }] }],
      /must be data:, http:, https: or s3: URLs \(got ftp:\)/,
    ],
    [
      "an unsupported image type",
      [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/tiff;base64,AAAA" } }] }],
      /image type image\/tiff is not supported by test-model/,
    ],
    ["an unknown role", [{ role: "function", content: "x" } as unknown as ChatMessage], /role must be/],
  ])("rejects %s", async (_name, messages, message) => {
    await expect(normalizeChat(messages, base)).rejects.toSatisfy(
      (error: unknown) => RequestValidationError.isInstance(error) && message.test((error as Error).message),
    );
  });

  it("repairs a conversation under modify_params the way LiteLLM does", async () => {
    const chat = await normalizeChat([{ role: "assistant", content: "Hey, how's it going?" }], {
      ...base,
      allowPrefill: false,
      modify_params: true,
    });
    expect(chat.turns.map((turn) => turn.role)).toEqual(["user", "assistant", "user"]);
    expect(chat.turns[0]!.content[0]).toEqual({ kind: "text", text: "Please continue." });
    expect(chat.prefill).toBe(false);
  });

  it("uses user_continue_message between assistant turns", async () => {
    const chat = await normalizeChat(
      [
        { role: "user", content: "a" },
        { role: "assistant", content: "b" },
        { role: "assistant", content: "c" },
      ],
      { ...base, user_continue_message: { role: "user", content: "Go on" } },
    );
    expect(chat.turns.map((turn) => turn.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(chat.turns[2]!.content[0]).toEqual({ kind: "text", text: "Go on" });
    expect(chat.prefill).toBe(true);
  });

  it("refuses a pre-fill for a model without it", async () => {
    await expect(
      normalizeChat(
        [
          { role: "user", content: "a" },
          { role: "assistant", content: "{" },
        ],
        { ...base, allowPrefill: false },
      ),
    ).rejects.toThrow(/pre-fill/);
  });

  it("never throws anything but the project's typed errors on arbitrary input", async () => {
    const part = fc.oneof(
      fc.record({ type: fc.constant("text"), text: fc.string() }),
      fc.record({
        type: fc.constant("image_url"),
        image_url: fc.record({ url: fc.oneof(fc.string(), fc.constant(`data:image/png;base64,${png}`)) }),
      }),
      fc.record({ type: fc.string(), text: fc.anything() }),
    );
    const content = fc.oneof(fc.string(), fc.array(part, { maxLength: 3 }), fc.constant(null), fc.anything());
    const toolCall = fc.record({
      id: fc.oneof(fc.constant("call_1"), fc.string()),
      type: fc.oneof(fc.constant("function"), fc.string()),
      function: fc.record({ name: fc.string(), arguments: fc.oneof(fc.string(), fc.constant('{"a":1}')) }),
    });
    const message = fc.oneof(
      fc.record({ role: fc.constantFrom("system", "developer", "user"), content }),
      fc.record({
        role: fc.constant("assistant"),
        content,
        tool_calls: fc.option(fc.array(toolCall, { maxLength: 2 }), { nil: undefined }),
      }),
      fc.record({
        role: fc.constant("tool"),
        tool_call_id: fc.oneof(fc.constant("call_1"), fc.string()),
        content,
      }),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        async (messages, modify, prefill) => {
          try {
            await normalizeChat(messages as ChatMessage[], {
              ...base,
              allowPrefill: prefill,
              modify_params: modify,
            });
          } catch (error) {
            expect(BedrockForgeError.isInstance(error)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
