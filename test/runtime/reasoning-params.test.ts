/**
 * Claude's reasoning params as the spec maps them, on both routes: reasoning_effort (budgets before Claude 4.6,
 * adaptive thinking with an effort from 4.6 on, none for no thinking), the thinking budget's Bedrock minimum,
 * max_tokens raised above a budget, effort ceilings and parallel_tool_calls. The expected values are LiteLLM's:
 * litellm/constants.py (DEFAULT_REASONING_EFFORT_{LOW,MEDIUM,HIGH,XHIGH,MAX}_THINKING_BUDGET = 1024, 2048, 4096,
 * 8192, 16384; DEFAULT_MAX_TOKENS = 4096; BEDROCK_MIN_THINKING_BUDGET_TOKENS = 1024), converse_transformation.py
 * (update_optional_params_with_thinking_tokens, _clamp_thinking_budget_tokens), common_utils.py
 * (normalize_bedrock_opus_output_config_effort: xhigh becomes high on Opus 4.5 and max on Opus 4.6) and the
 * adaptive cases of tests/test_litellm/llms/bedrock/chat/test_converse_transformation.py.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalog } from "../../generated/catalog.js";
import type { ParamTable } from "../../generated/spec-types.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";
import { RequestValidationError } from "../../runtime/errors.js";
import { loadFamily } from "../../runtime/families.js";
import { adjustFields, applyParams, paramTableFor } from "../../runtime/params.js";

const { descriptor } = await loadFamily("anthropic-claude-messages");

type Route = "invoke" | "converse";

/** The body a request's params make for a catalog Claude model on one route. */
function bodyFor(modelId: string, route: Route, request: Record<string, unknown>): Record<string, unknown> {
  const entry = (catalog as Record<string, CatalogEntry>)[modelId]!;
  const family = route === "invoke" ? descriptor.chat!.request.params : descriptor.converse!.params;
  const body: Record<string, unknown> = {};
  applyParams(request, body, {
    kind: "chat",
    entry,
    model: entry.id,
    table: paramTableFor(family, entry),
    providerParams: descriptor.params ?? {},
    passthroughBase: route === "invoke" ? "" : "/additionalModelRequestFields",
    dropParams: false,
    warn: () => {},
  });
  return body;
}

/** Where thinking, output_config and tool_choice live on each route. */
function fieldsOf(body: Record<string, unknown>, route: Route): Record<string, unknown> {
  return route === "invoke" ? body : ((body.additionalModelRequestFields as Record<string, unknown>) ?? {});
}

function maxTokensOf(body: Record<string, unknown>, route: Route): unknown {
  return route === "invoke" ? body.max_tokens : (body.inferenceConfig as { maxTokens?: number }).maxTokens;
}

const routes: Route[] = ["invoke", "converse"];

const budgetModels = [
  "anthropic.claude-3-7-sonnet-20250219-v1:0",
  "anthropic.claude-sonnet-4-5-20250929-v1:0",
  "anthropic.claude-opus-4-5-20251101-v1:0",
];
const budgets: [string, number][] = [
  ["minimal", 1024],
  ["low", 1024],
  ["medium", 2048],
  ["high", 4096],
  ["xhigh", 8192],
  ["max", 16384],
];

describe("reasoning_effort on Claude models with budgeted thinking", () => {
  for (const route of routes) {
    for (const model of budgetModels) {
      it.each(budgets)(`${route} ${model}: %s is a thinking budget of %i`, (effort, budget) => {
        const body = bodyFor(model, route, { reasoning_effort: effort });
        expect(fieldsOf(body, route).thinking).toEqual({ type: "enabled", budget_tokens: budget });
        expect(fieldsOf(body, route).output_config).toBeUndefined();
        // No max_tokens given: the budget plus LiteLLM's DEFAULT_MAX_TOKENS.
        expect(maxTokensOf(body, route)).toBe(budget + 4096);
      });
    }
  }
});

// Ceilings: LiteLLM's for Opus 4.6 (max); Sonnet-tier models take effort up to high (their native schemas,
// aws-samples/sample-multi-agent-orchestration-chat-on-agentcore#62), a deliberate difference from LiteLLM.
const sonnetTier = { xhigh: "high", max: "high" };
const adaptiveModels: [string, Record<string, string>][] = [
  ["anthropic.claude-sonnet-4-6", sonnetTier],
  ["anthropic.claude-opus-4-6-v1", { xhigh: "max" }],
  ["anthropic.claude-opus-4-7", {}],
  ["anthropic.claude-opus-4-8", {}],
  ["anthropic.claude-opus-5", {}],
  ["anthropic.claude-sonnet-5", sonnetTier],
  ["anthropic.claude-fable-5", {}],
  ["anthropic.claude-fable-5-1", {}],
  ["anthropic.claude-opus-5-5", {}],
  ["anthropic.claude-sonnet-5-5", sonnetTier],
];

describe("reasoning_effort on adaptive Claude models (4.6 and later)", () => {
  for (const route of routes) {
    for (const [model, ceilings] of adaptiveModels) {
      const efforts: [string, string][] = [
        ["minimal", "low"],
        ["low", "low"],
        ["medium", "medium"],
        ["high", "high"],
        ["xhigh", ceilings.xhigh ?? "xhigh"],
        ["max", ceilings.max ?? "max"],
      ];
      if (route === "invoke" && !(catalog as Record<string, CatalogEntry>)[model]!.routes.includes("invoke"))
        continue;
      it.each(efforts)(`${route} ${model}: %s is adaptive thinking with effort %s`, (effort, expected) => {
        const body = bodyFor(model, route, { reasoning_effort: effort, max_tokens: 2000 });
        expect(fieldsOf(body, route)).toMatchObject({
          thinking: { type: "adaptive" },
          output_config: { effort: expected },
        });
        expect(maxTokensOf(body, route)).toBe(2000);
      });
    }
  }

  it("keeps the other fields of additionalModelRequestFields beside thinking and output_config", () => {
    const body = bodyFor("anthropic.claude-sonnet-4-6", "converse", {
      top_k: 5,
      reasoning_effort: "high",
      anthropic_beta: ["context-1m-2025-08-07"],
    });
    expect(body.additionalModelRequestFields).toEqual({
      top_k: 5,
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
      anthropic_beta: ["context-1m-2025-08-07"],
    });
  });

  it("merges an effort into a caller's output_config that holds a format", () => {
    const format = { type: "json_schema", schema: { type: "object" } };
    const body = bodyFor("anthropic.claude-sonnet-4-6", "invoke", {
      output_config: { format },
      reasoning_effort: "medium",
    });
    expect(body.output_config).toEqual({ format, effort: "medium" });
  });
});

describe("reasoning_effort none", () => {
  for (const route of routes) {
    it.each(
      [...budgetModels, ...adaptiveModels.map(([model]) => model)].filter(
        (model) => model !== "anthropic.claude-sonnet-5" || route === "converse",
      ),
    )(`${route} %s: no thinking, no output_config, the plain default max_tokens`, (model) => {
      const body = bodyFor(model, route, { reasoning_effort: "none" });
      expect(fieldsOf(body, route).thinking).toBeUndefined();
      expect(fieldsOf(body, route).output_config).toBeUndefined();
      expect(maxTokensOf(body, route)).toBe(4096);
    });
  }

  it("is still refused where the model has no reasoning (it needs the capability)", () => {
    expect(() =>
      bodyFor("anthropic.claude-3-haiku-20240307-v1:0", "converse", { reasoning_effort: "none" }),
    ).toThrow(RequestValidationError);
  });

  it.each(["disabled", "invalid", "", "Low"])("refuses %j, naming the values it takes", (effort) => {
    expect(() => bodyFor("anthropic.claude-opus-4-7", "converse", { reasoning_effort: effort })).toThrow(
      /reasoning_effort=.* use one of "high", "low", "max", "medium", "minimal", "none", "xhigh"/,
    );
  });
});

describe("thinking budgets", () => {
  it("raises a budget below Bedrock's 1024 minimum, keeps one at or above it, on both routes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60000 }), fc.constantFrom(...routes), (budget, route) => {
        const body = bodyFor("anthropic.claude-sonnet-4-5-20250929-v1:0", route, {
          thinking: { type: "enabled", budget_tokens: budget },
        });
        const sent = Math.max(budget, 1024);
        expect(fieldsOf(body, route).thinking).toEqual({ type: "enabled", budget_tokens: sent });
        // max_tokens above the budget, never above the model's 64000.
        expect(maxTokensOf(body, route)).toBe(Math.min(sent + 4096, 64000));
      }),
    );
  });

  it("leaves the caller's thinking object unchanged", () => {
    const thinking = { type: "enabled", budget_tokens: 499 };
    bodyFor("anthropic.claude-sonnet-4-5-20250929-v1:0", "converse", { thinking });
    expect(thinking.budget_tokens).toBe(499);
  });

  it("keeps a max_tokens or max_completion_tokens the caller gave", () => {
    for (const name of ["max_tokens", "max_completion_tokens"]) {
      const body = bodyFor("anthropic.claude-sonnet-4-5-20250929-v1:0", "converse", {
        thinking: { type: "enabled", budget_tokens: 5000 },
        [name]: 8000,
      });
      expect(maxTokensOf(body, "converse")).toBe(8000);
    }
  });

  it("leaves max_tokens at its default for adaptive thinking (no budget)", () => {
    const body = bodyFor("anthropic.claude-opus-4-7", "converse", { thinking: { type: "adaptive" } });
    expect(maxTokensOf(body, "converse")).toBe(4096);
  });
});

describe("output_config effort ceilings (LiteLLM's bedrock_output_config_effort_ceiling)", () => {
  it.each([
    ["anthropic.claude-opus-4-5-20251101-v1:0", "xhigh", "high"],
    ["anthropic.claude-opus-4-6-v1", "xhigh", "max"],
    ["anthropic.claude-opus-4-7", "xhigh", "xhigh"],
    ["anthropic.claude-opus-4-6-v1", "high", "high"],
    ["anthropic.claude-opus-4-5-20251101-v1:0", "medium", "medium"],
  ])("%s: %s is sent as %s", (model, effort, expected) => {
    for (const route of routes) {
      const body = bodyFor(model, route, { output_config: { effort } });
      expect(fieldsOf(body, route).output_config).toEqual({ effort: expected });
    }
  });
});

describe("parallel_tool_calls", () => {
  it.each([
    "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "anthropic.claude-haiku-4-5-20251001-v1:0",
    "anthropic.claude-opus-4-7",
  ])("false on %s is tool_choice.disable_parallel_tool_use; true sends nothing", (model) => {
    expect(
      fieldsOf(bodyFor(model, "converse", { parallel_tool_calls: false }), "converse").tool_choice,
    ).toEqual({
      disable_parallel_tool_use: true,
    });
    expect(bodyFor(model, "invoke", { parallel_tool_calls: false }).tool_choice).toEqual({
      disable_parallel_tool_use: true,
    });
    expect(
      fieldsOf(bodyFor(model, "converse", { parallel_tool_calls: true }), "converse").tool_choice,
    ).toBeUndefined();
  });

  it("is dropped with a warning for Claude before 4.5, which Bedrock refuses it for", () => {
    const body = bodyFor("anthropic.claude-3-haiku-20240307-v1:0", "converse", {
      parallel_tool_calls: false,
    });
    expect(body.additionalModelRequestFields).toBeUndefined();
  });
});

describe("the param interpreter's value rules", () => {
  const table: ParamTable = {
    max_tokens: { to: "/limits/max", default: 100, max: 1000, default_above: "/extra/budget" },
    effort: {
      to: "/extra/mode",
      spread: true,
      values: { none: null, some: { mode: "on", budget: 50 }, lots: { mode: "on", budget: 5000 } },
    },
    setting: { to: "/setting", adjust: { "/level": { at_least: 3 }, "/name": { map: { old: "new" } } } },
  };
  function run(request: Record<string, unknown>) {
    const body: Record<string, unknown> = { extra: { kept: true } };
    applyParams(request, body, {
      kind: "chat",
      entry: undefined,
      model: "test.model",
      table,
      providerParams: { effort: { schema: {} }, setting: { schema: {} } },
      passthroughBase: "",
      dropParams: false,
      warn: () => {},
    });
    return body;
  }

  it("spreads a value's fields beside the target and adds the default above a number it wrote", () => {
    expect(run({ effort: "some" })).toEqual({
      extra: { kept: true, mode: "on", budget: 50 },
      limits: { max: 150 },
    });
    expect(run({ effort: "lots" })).toEqual({
      extra: { kept: true, mode: "on", budget: 5000 },
      limits: { max: 1000 },
    });
  });

  it("writes nothing for a value mapped to null", () => {
    expect(run({ effort: "none" })).toEqual({ extra: { kept: true }, limits: { max: 100 } });
  });

  it("adjusts fields inside an object value and leaves the others", () => {
    expect(run({ setting: { level: 1, name: "old", other: "x" } }).setting).toEqual({
      level: 3,
      name: "new",
      other: "x",
    });
    expect(run({ setting: { level: 7, name: "mine" } }).setting).toEqual({ level: 7, name: "mine" });
  });

  it("adjustFields returns the same object when nothing changes, a copy otherwise", () => {
    const value = { level: 5 };
    expect(adjustFields(value, { "/level": { at_least: 3 } })).toBe(value);
    const changed = adjustFields(value, { "/level": { at_least: 9 } });
    expect(changed).toEqual({ level: 9 });
    expect(value).toEqual({ level: 5 });
  });
});
