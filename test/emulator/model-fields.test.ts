/**
 * The emulator is as strict as Bedrock about what reaches a model: Converse `additionalModelRequestFields`
 * (and, for Claude 4 and later, Converse's structured output) join the native body Bedrock builds and fail
 * the model's own schema; InvokeModel bodies fail it in the model's wording; header members and Converse
 * members outside their value sets fail in the AWS front end's wording. Every expected message is a real
 * one (source next to it) or follows the same validator's wording for another key.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  ConverseCommand,
  type ConverseCommandInput,
  CountTokensCommand,
  InvokeModelCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/server.js";
import type { Emulator } from "../../emulator/types.js";
import { catalog } from "../../generated/index.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";
import { modelPath, rawRequest, rejectionOf, sdkClient } from "./helpers.js";

const recordingsRoot = path.join(import.meta.dirname, "..", "recordings");
const messages = [{ role: "user" as const, content: [{ text: "hi" }] }];

/** A catalog model's on-demand id: the bare id, or its first profile's for profile-only models. */
function callableId(id: string): string {
  const entry = (catalog as Record<string, CatalogEntry>)[id];
  if (!entry) throw new Error(`${id} is not a catalog model`);
  return entry.profileOnly ? `${entry.profiles[0]}.${id}` : id;
}

const bedrockWording = (key: string) =>
  `The model returned the following errors: Malformed input request: #: extraneous key [${key}] is not permitted, please reformat your input and try again.`;
const anthropicWording = (location: string) =>
  `The model returned the following errors: ${location}: Extra inputs are not permitted`;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize" });
});
afterAll(() => emulator.close());

async function converseError(input: Omit<ConverseCommandInput, "messages">) {
  const client = sdkClient(emulator, "http1");
  try {
    return await rejectionOf(client.send(new ConverseCommand({ messages, ...input })));
  } finally {
    client.destroy();
  }
}

async function converseAnswer(input: Omit<ConverseCommandInput, "messages">) {
  const client = sdkClient(emulator, "http1");
  try {
    return await client.send(new ConverseCommand({ messages, ...input }));
  } finally {
    client.destroy();
  }
}

describe("Converse additionalModelRequestFields a model's native body cannot hold", () => {
  // One model per chat family with a Converse route. Claude 3.5 Sonnet v2's answer is real
  // (https://github.com/BerriAI/litellm/issues/7416), Claude Sonnet 4's too
  // (https://github.com/BerriAI/litellm/issues/13825); the other families use the same validator as Nova's
  // real answer (https://github.com/zed-industries/zed/issues/31815).
  it.each([
    ["anthropic.claude-3-5-sonnet-20241022-v2:0", "chat_id", bedrockWording("chat_id")],
    ["anthropic.claude-3-haiku-20240307-v1:0", "not_a_field", bedrockWording("not_a_field")],
    ["anthropic.claude-sonnet-4-20250514-v1:0", "guardrails", anthropicWording("guardrails")],
    ["anthropic.claude-opus-4-1-20250805-v1:0", "reasoning", anthropicWording("reasoning")],
    ["anthropic.claude-sonnet-4-6", "not_a_field", anthropicWording("not_a_field")],
    ["anthropic.claude-v2:1", "not_a_field", bedrockWording("not_a_field")],
    ["amazon.nova-lite-v1:0", "top_k", bedrockWording("top_k")],
    ["amazon.titan-text-express-v1", "top_k", bedrockWording("top_k")],
    ["meta.llama3-8b-instruct-v1:0", "top_k", bedrockWording("top_k")],
    ["meta.llama4-scout-17b-instruct-v1:0", "not_a_field", bedrockWording("not_a_field")],
    ["mistral.mistral-7b-instruct-v0:2", "not_a_field", bedrockWording("not_a_field")],
    ["mistral.mistral-large-2407-v1:0", "not_a_field", bedrockWording("not_a_field")],
    ["cohere.command-r-v1:0", "not_a_field", bedrockWording("not_a_field")],
    ["ai21.jamba-1-5-mini-v1:0", "not_a_field", bedrockWording("not_a_field")],
    ["deepseek.r1-v1:0", "not_a_field", bedrockWording("not_a_field")],
    ["openai.gpt-oss-20b-1:0", "not_a_field", bedrockWording("not_a_field")],
  ])("%s refuses %s", async (model, key, message) => {
    const error = await converseError({
      modelId: callableId(model),
      additionalModelRequestFields: { [key]: 1 },
    });
    expect(error.name).toBe("ValidationException");
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(message);
  });

  it("checks the values of fields the body takes, in the model's wording", async () => {
    const budget = await converseError({
      modelId: "anthropic.claude-3-7-sonnet-20250219-v1:0",
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 10 } },
    });
    expect(budget.message).toBe(
      "The model returned the following errors: Malformed input request: #/thinking/budget_tokens: 10 is not greater or equal to 1024, please reformat your input and try again.",
    );
    const topK = await converseError({
      modelId: "amazon.nova-lite-v1:0",
      additionalModelRequestFields: { inferenceConfig: { topK: "many" } },
    });
    expect(topK.message).toBe(
      "The model returned the following errors: Malformed input request: #/inferenceConfig/topK: expected type: Integer, found: String, please reformat your input and try again.",
    );
  });

  it("refuses a requestMetadata put inside additionalModelRequestFields (it is a Converse member)", async () => {
    const error = await converseError({
      modelId: "anthropic.claude-3-haiku-20240307-v1:0",
      additionalModelRequestFields: { requestMetadata: { team: "search" } },
    });
    expect(error.message).toBe(bedrockWording("requestMetadata"));
  });

  it("checks CountTokens' Converse input the same way", async () => {
    const client = sdkClient(emulator, "http1");
    try {
      const error = await rejectionOf(
        client.send(
          new CountTokensCommand({
            modelId: "anthropic.claude-3-haiku-20240307-v1:0",
            input: { converse: { messages, additionalModelRequestFields: { not_a_field: true } } },
          }),
        ),
      );
      expect(error.message).toBe(bedrockWording("not_a_field"));
    } finally {
      client.destroy();
    }
  });
});

describe("Claude's output_config, per model", () => {
  const textFormat = {
    textFormat: {
      type: "json_schema" as const,
      structure: { jsonSchema: { name: "city", schema: '{"type":"object"}' } },
    },
  };

  it.each([
    // LiteLLM strips output_config for Claude models before 4.5 (test_converse_drop_params_strips_output_config_for_pre_4_5_anthropic).
    ["anthropic.claude-3-haiku-20240307-v1:0", { effort: "low" }, bedrockWording("output_config")],
    ["anthropic.claude-sonnet-4-20250514-v1:0", { effort: "low" }, anthropicWording("output_config")],
    // https://github.com/anthropics/claude-code-action/issues/1005
    [
      "anthropic.claude-sonnet-4-5-20250929-v1:0",
      { effort: "low" },
      anthropicWording("output_config.effort"),
    ],
    [
      "anthropic.claude-sonnet-5",
      { effort: "max" },
      "The model returned the following errors: output_config.effort: Input should be 'low', 'medium' or 'high'",
    ],
  ])("%s refuses output_config %j", async (model, outputConfig, message) => {
    const error = await converseError({
      modelId: callableId(model),
      additionalModelRequestFields: { output_config: outputConfig },
    });
    expect(error.message).toBe(message);
  });

  it.each([
    ["anthropic.claude-sonnet-4-6", { effort: "high" }],
    ["anthropic.claude-opus-4-6-v1", { effort: "max" }],
    ["anthropic.claude-opus-4-7", { effort: "xhigh" }],
    ["anthropic.claude-sonnet-4-5-20250929-v1:0", { format: { type: "json_schema", schema: {} } }],
  ])("%s takes output_config %j", async (model, outputConfig) => {
    const answer = await converseAnswer({
      modelId: callableId(model),
      additionalModelRequestFields: { output_config: outputConfig },
    });
    expect(answer.stopReason).toBe("end_turn");
  });

  // Claude 4.5 and later get Converse's structured output as output_config.format: Sonnet 5
  // (https://github.com/presenton/presenton/issues/939) refuses it; Sonnet 4.5 and 4.6 take it (recorded:
  // test/recordings/converse/pydantic-ai_test_bedrock_native_output_*), and so does Haiku 4.5, which AWS lists
  // among the Claude models with structured outputs on Converse and InvokeModel
  // (https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-structured-outputs.html).
  it.each([
    ["anthropic.claude-haiku-4-5-20251001-v1:0", undefined],
    ["anthropic.claude-sonnet-5", anthropicWording("output_config.format")],
    ["anthropic.claude-opus-4-7", anthropicWording("output_config.format")],
    ["anthropic.claude-sonnet-4-5-20250929-v1:0", undefined],
    ["anthropic.claude-sonnet-4-6", undefined],
    // Recorded: Claude 3 Sonnet takes outputConfig (test/recordings/converse/dd-trace-py_bedrock_converse_boolean.json).
    ["anthropic.claude-3-sonnet-20240229-v1:0", undefined],
  ])("%s and Converse outputConfig.textFormat", async (model, message) => {
    const input = { modelId: callableId(model), outputConfig: textFormat };
    if (message === undefined) {
      expect((await converseAnswer(input)).stopReason).toBe("end_turn");
      return;
    }
    expect((await converseError(input)).message).toBe(message);
  });
});

/** Recorded Converse requests that Bedrock answered with 200 and that name a catalog model. */
function acceptedRecordings(): [string, string, "converse" | "converse-stream", unknown][] {
  const cases: [string, string, "converse" | "converse-stream", unknown][] = [];
  for (const folder of ["converse", "converse-stream"] as const) {
    for (const file of readdirSync(path.join(recordingsRoot, folder)).sort()) {
      const recording = JSON.parse(readFileSync(path.join(recordingsRoot, folder, file), "utf8"));
      const request = recording.request as Record<string, unknown> | null;
      if (!request || recording.http?.status !== 200) continue;
      if (request.additionalModelRequestFields === undefined && request.outputConfig === undefined) continue;
      const recorded = String(recording.modelId);
      const base = recorded.replace(/^(us|eu|apac|global)\./, "");
      if (!Object.hasOwn(catalog, base)) continue;
      // The catalog marks some recorded bare ids profile-only (Llama 3.2 1B): call those through a profile.
      const modelId = recorded === base ? callableId(base) : recorded;
      cases.push([`${folder}/${file}`, modelId, folder, request]);
    }
  }
  return cases;
}

describe("what Bedrock accepted stays accepted", () => {
  const cases = acceptedRecordings();

  it("finds the recorded requests with additionalModelRequestFields or outputConfig", () => {
    // Claude 3.7, Sonnet 4, 4.5, 4.6 and 5, Nova Lite and Micro, gpt-oss (test/recordings/converse*).
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)("%s", async (_name, modelId, operation, request) => {
    const { modelId: _recorded, ...body } = request as Record<string, unknown>;
    const response = await rawRequest(emulator, modelPath(String(modelId), operation), {
      body: JSON.stringify(body),
    });
    expect(response.status, response.body.toString("utf8").slice(0, 300)).toBe(200);
  });
});

describe("members outside their value sets", () => {
  it("InvokeModel's trace header (service model: Trace is ENABLED | DISABLED | ENABLED_FULL)", async () => {
    const client = sdkClient(emulator, "http1");
    try {
      const error = await rejectionOf(
        client.send(
          new InvokeModelCommand({
            modelId: "anthropic.claude-3-haiku-20240307-v1:0",
            contentType: "application/json",
            guardrailIdentifier: "gr1",
            guardrailVersion: "1",
            trace: "VERBOSE" as never,
            body: JSON.stringify({
              anthropic_version: "bedrock-2023-05-31",
              max_tokens: 10,
              messages: [{ role: "user", content: "hi" }],
            }),
          }),
        ),
      );
      expect(error.name).toBe("ValidationException");
      expect(error.message).toBe(
        "1 validation error detected: Value 'VERBOSE' at 'trace' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_FULL]",
      );
    } finally {
      client.destroy();
    }
  });

  it("Converse guardrailConfig.trace (GuardrailTrace is enabled | disabled | enabled_full)", async () => {
    const error = await converseError({
      modelId: "anthropic.claude-3-haiku-20240307-v1:0",
      guardrailConfig: { guardrailIdentifier: "gr1", guardrailVersion: "1", trace: "verbose" as never },
    });
    expect(error.message).toBe(
      "1 validation error detected: Value 'verbose' at 'guardrailConfig.trace' failed to satisfy constraint: Member must satisfy enum value set: [enabled, disabled, enabled_full]",
    );
  });

  it("Converse requestMetadata with 17 pairs (RequestMetadata holds 1 to 16)", async () => {
    const requestMetadata = Object.fromEntries(
      Array.from({ length: 17 }, (_, index) => [`key${index}`, "v"]),
    );
    const error = await converseError({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", requestMetadata });
    expect(error.message).toBe(
      "1 validation error detected: Value null at 'requestMetadata' failed to satisfy constraint: Member must have length less than or equal to 16",
    );
  });
});

describe("InvokeModel bodies in the model's wording", () => {
  async function invokeError(modelId: string, body: Record<string, unknown>) {
    const client = sdkClient(emulator, "http1");
    try {
      return await rejectionOf(
        client.send(
          new InvokeModelCommand({ modelId, body: JSON.stringify(body), contentType: "application/json" }),
        ),
      );
    } finally {
      client.destroy();
    }
  }
  const claudeBody = (extra: Record<string, unknown>) => ({
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 10,
    messages: [{ role: "user", content: "hi" }],
    ...extra,
  });

  it.each([
    // https://github.com/BerriAI/litellm/issues/15037 (Claude Sonnet 4.5, InvokeModelWithResponseStream)
    [
      "anthropic.claude-sonnet-4-5-20250929-v1:0",
      { aws_access_key_id: "x" },
      "aws_access_key_id: Extra inputs are not permitted",
    ],
    // https://github.com/anthropics/claude-code-action/issues/1005
    [
      "anthropic.claude-sonnet-4-5-20250929-v1:0",
      { output_config: { effort: "high" } },
      "output_config.effort: Extra inputs are not permitted",
    ],
    // https://github.com/BerriAI/litellm/issues/9106 (Claude 3.5 Sonnet v2)
    [
      "anthropic.claude-3-5-sonnet-20241022-v2:0",
      { aws_region_name: "us-west-2" },
      'Malformed input request: #: subject must not be valid against schema {"required":["messages"]}#: extraneous key [aws_region_name] is not permitted, please reformat your input and try again.',
    ],
    ["anthropic.claude-opus-4-6-v1", { max_tokens: "ten" }, "max_tokens: Input should be a valid integer"],
  ])("%s: %j", async (model, extra, message) => {
    const error = await invokeError(callableId(model), claudeBody(extra));
    expect(error.name).toBe("ValidationException");
    expect(error.message).toBe(message);
  });

  it("a Claude 4 body missing a required field", async () => {
    const { max_tokens: _dropped, ...body } = claudeBody({});
    const error = await invokeError(callableId("anthropic.claude-sonnet-4-6"), body);
    expect(error.message).toBe("max_tokens: Field required");
  });
});
