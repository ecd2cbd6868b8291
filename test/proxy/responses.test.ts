/**
 * `POST /v1/responses` on the wire: the JSON answer, the named-event stream, errors, and routing
 * (fallbacks, the log line, the metrics) as for chat.
 *
 * Sources: OpenAI's Responses API reference (https://platform.openai.com/docs/api-reference/responses/create)
 * and its streaming events (https://platform.openai.com/docs/api-reference/responses-streaming): each
 * event is sent as `event: <type>` and `data: <json>` whose `type` is the same, numbered by
 * `sequence_number` from 0, starting with `response.created` and ending with `response.completed`
 * (no `[DONE]`); an `error` event carries `code`, `message`, `param` and `sequence_number` (the
 * `openai` package's `ResponseErrorEvent`).
 */
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claude, type Harness, llama, paramsFor, postRaw, startHarness, waitFor } from "./helpers.js";
import { postForEvents } from "./sse-events.js";

const weatherTool = {
  type: "function",
  name: "get_weather",
  description: "Current weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

describe("POST /v1/responses", () => {
  let harness: Harness;
  let url: string;

  beforeAll(async () => {
    harness = await startHarness((emulator) => ({
      model_list: [
        { model_name: "claude", litellm_params: paramsFor(emulator, claude) },
        { model_name: "llama", litellm_params: paramsFor(emulator, llama) },
        {
          model_name: "breaks-midstream",
          litellm_params: paramsFor(emulator, llama, {
            extra_headers: { "x-bedrock-forge-fault": "stream-error-after:2" },
          }),
        },
        {
          model_name: "failing",
          litellm_params: paramsFor(emulator, claude, { extra_headers: { "x-bedrock-forge-fault": "500" } }),
        },
      ],
      litellm_settings: { fallbacks: [{ failing: ["llama"] }] },
    }));
    url = `${harness.proxy.url}/v1/responses`;
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("answers a response object naming the model asked for, echoing metadata and user, with usage and cost", async () => {
    const answer = await postRaw(
      url,
      JSON.stringify({
        model: "claude",
        input: "Say hello",
        instructions: "Be brief",
        metadata: { run: "7" },
        user: "user-7",
      }),
    );
    expect(answer.status).toBe(200);
    const response = answer.json as OpenAI.Responses.Response & { usage: { cost: number } };
    expect(response).toMatchObject({
      object: "response",
      status: "completed",
      model: "claude",
      instructions: "Be brief",
      metadata: { run: "7" },
      user: "user-7",
      store: false,
    });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(response.output_text).toMatch(/\S/);
    expect(response.usage.input_tokens).toBeGreaterThan(0);
    expect(response.usage.cost).toBeGreaterThan(0);
    expect(Number(answer.headers.get("x-bedrock-forge-cost-usd"))).toBeCloseTo(response.usage.cost, 12);
    // The metadata and the user stayed in the proxy: Bedrock's request carries neither.
    const sent = JSON.stringify(harness.emulator.requests.at(-1)!.body);
    expect(sent).not.toContain('"run"');
    expect(sent).not.toContain("user-7");
  });

  it("streams named events, numbered from 0, from response.created to response.completed", async () => {
    const { status, headers, events, text } = await postForEvents(url, {
      model: "llama",
      input: [{ role: "user", content: [{ type: "input_text", text: "Tell me a story" }] }],
      stream: true,
    });
    expect(status).toBe(200);
    expect(headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(text).not.toContain("[DONE]");
    const parsed = events.map((event) => ({ name: event.name, data: JSON.parse(event.data) }));
    for (const event of parsed) expect(event.data.type).toBe(event.name);
    expect(parsed.map((event) => event.data.sequence_number)).toEqual(parsed.map((_event, index) => index));
    const names = parsed.map((event) => event.name);
    expect(names.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
    expect(names.at(-1)).toBe("response.completed");
    expect(names).toContain("response.output_text.delta");
    const deltas = parsed
      .filter((event) => event.name === "response.output_text.delta")
      .map((event) => event.data.delta)
      .join("");
    const completed = parsed.at(-1)!.data.response;
    expect(completed.output_text).toBe(deltas);
    expect(completed.model).toBe("llama");
    expect(parsed[0]!.data.response.model).toBe("llama");
    expect(completed.usage.cost).toBeGreaterThan(0);
    await waitFor(() =>
      harness
        .requestLogs()
        .some(
          (line) =>
            line.path === "/v1/responses" && line.stream === true && typeof line.cost_usd === "number",
        ),
    );
  });

  it("streams a function call's arguments", async () => {
    const { events } = await postForEvents(url, {
      model: "claude",
      input: "What is the weather in Paris?",
      tools: [weatherTool],
      tool_choice: "required",
      stream: true,
    });
    const parsed = events.map((event) => JSON.parse(event.data));
    const added = parsed.find(
      (event) => event.type === "response.output_item.added" && event.item.type === "function_call",
    );
    expect(added.item.name).toBe("get_weather");
    const argumentsText = parsed
      .filter((event) => event.type === "response.function_call_arguments.delta")
      .map((event) => event.delta)
      .join("");
    const done = parsed.find((event) => event.type === "response.function_call_arguments.done");
    expect(done.arguments).toBe(argumentsText);
    expect(JSON.parse(argumentsText)).toEqual(expect.objectContaining({ city: expect.any(String) }));
  });

  it("ends a stream that fails midway with response.failed, then an error event numbered after it", async () => {
    const { status, events } = await postForEvents(url, {
      model: "breaks-midstream",
      input: "Tell me a story",
      stream: true,
    });
    expect(status).toBe(200);
    const parsed = events.map((event) => ({ name: event.name, data: JSON.parse(event.data) }));
    const last = parsed.at(-1)!;
    expect(last.name).toBe("error");
    expect(last.data).toMatchObject({ type: "error", message: expect.any(String) });
    expect(last.data.sequence_number).toBe(parsed.at(-2)!.data.sequence_number + 1);
    expect(parsed.at(-2)!.name).toBe("response.failed");
    expect(parsed.some((event) => event.name === "response.completed")).toBe(false);
  });

  it.each([
    [{ model: "claude", input: "hi", previous_response_id: "resp_1" }, 400, "previous_response_id"],
    [{ model: "claude", input: "hi", store: true }, 400, "store"],
    [{ model: "claude" }, 400, "input"],
    [{ model: "claude", input: 42 }, 400, "input"],
    [{ model: "nope", input: "hi" }, 404, "model"],
  ])("refuses %j in OpenAI's error shape", async (body, status, param) => {
    const answer = await postRaw(url, JSON.stringify(body));
    expect(answer.status).toBe(status);
    expect((answer.json as { error: { param: string; message: string } }).error).toMatchObject({ param });
  });

  it("falls back like chat does, and is counted in the metrics under its route", async () => {
    const answer = await postRaw(url, JSON.stringify({ model: "failing", input: "hi" }));
    expect(answer.status).toBe(200);
    expect((answer.json as { model: string }).model).toBe("failing");
    expect(answer.headers.get("x-bedrock-forge-deployment")).toBe("llama#1");
    await waitFor(() => harness.requestLogs().some((line) => line.fallback === "llama"));
    const metrics = await (await fetch(`${harness.proxy.url}/metrics`)).text();
    expect(metrics).toContain('bedrock_forge_fallbacks_total{model="failing",fallback="llama"} 1');
    expect(metrics).toMatch(
      /bedrock_forge_requests_total\{path="\/v1\/responses",model="claude",status="200"\} \d+/,
    );
  });
});
