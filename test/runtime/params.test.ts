import { describe, expect, it } from "vitest";
import { catalog } from "../../generated/catalog.js";
import type { ParamTable } from "../../generated/spec-types.js";
import { RequestValidationError } from "../../runtime/errors.js";
import { applyParams, paramTableFor } from "../../runtime/params.js";

const table: ParamTable = {
  max_tokens: { to: "/max_tokens", default: 4096, min: 1, max: 8192 },
  temperature: { to: "/temperature", min: 0, max: 1 },
  stop: { to: "/stop_sequences", as: "array" },
  top_k: { to: "/top_k" },
  user: { policy: "drop" },
  n: { policy: "reject", reason: "one choice per call", allowed: [1] },
  reasoning_effort: { to: "/thinking", values: { low: { type: "enabled", budget_tokens: 1024 } } },
};

function apply(
  request: Record<string, unknown>,
  options: { dropParams?: boolean; passthroughBase?: string } = {},
) {
  const body: Record<string, unknown> = {};
  const warnings: string[] = [];
  const result = applyParams(request, body, {
    kind: "chat",
    entry: undefined,
    model: "test.model-v1",
    table,
    providerParams: { top_k: { schema: { type: "integer" } } },
    passthroughBase: options.passthroughBase ?? "",
    dropParams: options.dropParams ?? false,
    warn: (message) => warnings.push(message),
  });
  return { body, warnings, result };
}

describe("applyParams", () => {
  it("maps, reshapes, converts values and writes defaults", () => {
    const { body } = apply({
      temperature: 0.5,
      stop: "END",
      top_k: 5,
      reasoning_effort: "low",
      messages: [],
    });
    expect(body).toEqual({
      temperature: 0.5,
      stop_sequences: ["END"],
      top_k: 5,
      thinking: { type: "enabled", budget_tokens: 1024 },
      max_tokens: 4096,
    });
  });

  it("passes undeclared provider params through to the body or additionalModelRequestFields", () => {
    expect(apply({ foo_bar: 1 }).body).toMatchObject({ foo_bar: 1 });
    expect(apply({ foo_bar: 1 }, { passthroughBase: "/additionalModelRequestFields" }).body).toMatchObject({
      additionalModelRequestFields: { foo_bar: 1 },
    });
  });

  it.each([
    [{ temperature: 1.5 }, "temperature=1.5 is out of range for test.model-v1: it must be between 0 and 1"],
    [{ max_tokens: 0 }, "max_tokens=0 is out of range for test.model-v1: it must be between 1 and 8192"],
    [
      { presence_penalty: 0.5 },
      "presence_penalty is not supported by test.model-v1. Remove it, or set drop_params: true to drop unsupported params.",
    ],
    [
      { n: 2 },
      "n is not supported by test.model-v1: one choice per call. Remove it, or set drop_params: true to drop unsupported params.",
    ],
    [
      { reasoning_effort: "extreme" },
      'reasoning_effort="extreme" is not supported by test.model-v1: use one of "low"',
    ],
    [{ temperature: "hot" }, 'temperature must be a number for test.model-v1 (got "hot")'],
  ])("rejects %j", (request, message) => {
    let caught: unknown;
    try {
      apply(request);
    } catch (error) {
      caught = error;
    }
    expect(RequestValidationError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toBe(message);
    expect((caught as RequestValidationError).param).toBe(Object.keys(request)[0]);
  });

  it("accepts n=1 and drops unsupported OpenAI params under drop_params with one warning", () => {
    const { body, warnings, result } = apply(
      { n: 1, presence_penalty: 0.2, frequency_penalty: 0.1 },
      { dropParams: true },
    );
    expect(body).toEqual({ max_tokens: 4096 });
    expect(result.dropped).toEqual(["presence_penalty", "frequency_penalty"]);
    expect(warnings.some((warning) => warning.includes("presence_penalty"))).toBe(true);
  });

  it("merges a model's overlay over the family table", () => {
    const entry = catalog["anthropic.claude-3-haiku-20240307-v1:0"];
    const merged = paramTableFor({ max_tokens: { to: "/max_tokens", default: 4096 } }, entry);
    expect(merged.max_tokens).toEqual({ to: "/max_tokens", default: 4096, max: 4096 });
  });
});

describe("the catalog's n rules", () => {
  it("accept n=1 for every chat family that rejects n", async () => {
    const { familyLoaders } = await import("../../generated/index.js");
    for (const [family, load] of Object.entries(familyLoaders)) {
      const { descriptor } = await load();
      for (const table of [descriptor.chat?.request.params, descriptor.converse?.params]) {
        const rule = table?.n;
        if (rule?.policy === "reject") expect(rule.allowed, family).toEqual([1]);
      }
    }
  });
});
