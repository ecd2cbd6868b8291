/**
 * Lifecycle that tells the truth: a catalog model past its end-of-life date is refused before any request,
 * naming the model AWS recommends instead, unless the caller sets `allowRetired`; a legacy model is warned
 * about once per process. The dates are the catalog's, from AWS's model lifecycle pages (see the specs).
 */
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { exampleCredentials, startEmulator } from "../../emulator/index.js";
import type { Emulator } from "../../emulator/types.js";
import { catalog } from "../../generated/catalog.js";
import type { Deprecation } from "../../generated/spec-types.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";
import { ModelNotSupportedError } from "../../runtime/errors.js";
import { createBedrock, ModelRetiredError } from "../../runtime/index.js";
import {
  checkLifecycle,
  forgetLifecycleWarnings,
  type LifecycleState,
  lifecycleStateOf,
} from "../../runtime/lifecycle.js";
import { onDemandModel, resolveModel } from "../../runtime/models.js";

const today = "2026-12-06";

function entryOf(id: string): CatalogEntry {
  const entry = catalog[id as keyof typeof catalog] as CatalogEntry | undefined;
  if (!entry) throw new Error(`${id} is not in the catalog`);
  return entry;
}

function thrownBy(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

// vitest.config.ts silences lifecycle warnings for the other tests; these observe them.
const quietSetting = process.env.BEDROCK_FORGE_LIFECYCLE_WARNINGS;
beforeEach(() => {
  delete process.env.BEDROCK_FORGE_LIFECYCLE_WARNINGS;
  forgetLifecycleWarnings();
});
afterAll(() => {
  if (quietSetting !== undefined) process.env.BEDROCK_FORGE_LIFECYCLE_WARNINGS = quietSetting;
});

describe("lifecycleStateOf", () => {
  const legacyThenGone: Deprecation = { legacy_since: "2026-03-10", end_of_life: "2026-09-10" };
  it.each<[Deprecation | undefined, string, LifecycleState]>([
    [undefined, today, "active"],
    [{ note: "no dates" }, today, "active"],
    [legacyThenGone, "2026-03-09", "active"],
    [legacyThenGone, "2026-03-10", "legacy"],
    [legacyThenGone, "2026-09-09", "legacy"],
    [legacyThenGone, "2026-09-10", "retired"],
    [{ end_of_life: "2027-03-30" }, today, "active"],
    [{ end_of_life: "2025-08-12" }, today, "retired"],
  ])("%j on %s is %s", (deprecation, day, state) => {
    expect(lifecycleStateOf(deprecation, day)).toBe(state);
  });

  it("never moves back to an earlier state as the days pass", () => {
    const day = fc
      .date({
        min: new Date("2023-01-01T00:00:00Z"),
        max: new Date("2030-12-31T00:00:00Z"),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString().slice(0, 10));
    const order: Record<LifecycleState, number> = { active: 0, legacy: 1, retired: 2 };
    fc.assert(
      fc.property(day, day, day, day, (legacy, end, first, second) => {
        const deprecation: Deprecation = { legacy_since: legacy, end_of_life: end };
        const [earlier, later] = first <= second ? [first, second] : [second, first];
        expect(order[lifecycleStateOf(deprecation, earlier)]).toBeLessThanOrEqual(
          order[lifecycleStateOf(deprecation, later)],
        );
      }),
    );
  });
});

describe("the catalog's lifecycle data", () => {
  // AWS's EOL table as quoted in github.com/epam/ai-dial-adapter-bedrock PR 310: Cohere Command and
  // Command Light Legacy 2024-10-04, EOL 2025-08-12, replaced by Command R; Claude v2 EOL 2025-07-21.
  it.each([
    ["cohere.command-text-v14", "2025-08-12", "cohere.command-r-v1:0"],
    ["cohere.command-light-text-v14", "2025-08-12", "cohere.command-r-v1:0"],
    ["anthropic.claude-v2", "2025-07-21", "anthropic.claude-haiku-4-5-20251001-v1:0"],
    ["amazon.nova-premier-v1:0", "2026-09-14", "amazon.nova-2-pro-v1:0"],
  ])("%s reached end of life on %s, replaced by %s", (id, endOfLife, replacement) => {
    const entry = entryOf(id);
    expect(entry.deprecated).toMatchObject({ end_of_life: endOfLife, replacement });
    expect(lifecycleStateOf(entry.deprecated, today)).toBe("retired");
  });

  it("prices Cohere Command input at $1.50 per million tokens (AWS's pricing page)", () => {
    expect(entryOf("cohere.command-text-v14").price).toMatchObject({
      input_per_mtok: 1.5,
      output_per_mtok: 2,
    });
  });

  it("keeps models that Bedrock still serves in some Regions legacy, not retired", () => {
    // ListFoundationModels still listed Claude 3 Haiku ACTIVE in ap-south-1 and others on 2026-10-07.
    expect(lifecycleStateOf(entryOf("anthropic.claude-3-haiku-20240307-v1:0").deprecated, today)).toBe(
      "legacy",
    );
  });

  it("gives every retired model a date no later than today and every legacy date before its end of life", () => {
    for (const entry of Object.values(catalog) as CatalogEntry[]) {
      const { legacy_since: legacy, end_of_life: end } = entry.deprecated ?? {};
      if (legacy !== undefined && end !== undefined) expect(legacy < end, entry.id).toBe(true);
      if (entry.deprecated?.replacement !== undefined) {
        expect(entry.deprecated.replacement in catalog, `${entry.id} replacement`).toBe(true);
      }
    }
  });
});

describe("checkLifecycle", () => {
  it("refuses a retired model, naming its end of life and replacement", () => {
    const error = thrownBy(() =>
      checkLifecycle(entryOf("cohere.command-text-v14"), { today, allowRetired: false }),
    );
    expect(ModelRetiredError.isInstance(error)).toBe(true);
    expect(ModelNotSupportedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      status: 400,
      param: "model",
      model: "cohere.command-text-v14",
      endOfLife: "2025-08-12",
      replacement: "cohere.command-r-v1:0",
      message:
        "cohere.command-text-v14 reached its end of life on Bedrock on 2025-08-12: requests to it fail. AWS names cohere.command-r-v1:0 as its replacement. To call it anyway (an account or Region Bedrock still serves it to), pass allowRetired: true.",
    });
  });

  it("lets a retired model through with allowRetired, warning once", () => {
    const warnings: string[] = [];
    const options = { today, allowRetired: true, warn: (message: string) => warnings.push(message) };
    checkLifecycle(entryOf("anthropic.claude-v2"), options);
    checkLifecycle(entryOf("anthropic.claude-v2"), options);
    expect(warnings).toEqual([
      "anthropic.claude-v2 reached its end of life on Bedrock on 2025-07-21; calling it anyway because allowRetired is set. AWS names anthropic.claude-haiku-4-5-20251001-v1:0 as its replacement.",
    ]);
  });

  it("warns once per process about a legacy model and lets it through", () => {
    const warnings: string[] = [];
    const options = { today, allowRetired: false, warn: (message: string) => warnings.push(message) };
    for (let call = 0; call < 3; call++)
      checkLifecycle(entryOf("anthropic.claude-opus-4-1-20250805-v1:0"), options);
    expect(warnings).toEqual([
      "anthropic.claude-opus-4-1-20250805-v1:0 is a legacy model on Bedrock since 2026-07-08; Bedrock stops serving it on 2027-01-08.",
    ]);
  });

  it("judges by the current day without a given one: a model turns legacy, then retired, as the clock passes midnight (UTC)", () => {
    const entry = entryOf("anthropic.claude-opus-4-1-20250805-v1:0"); // legacy 2026-07-08, end of life 2027-01-08
    const warnings: string[] = [];
    const options = { allowRetired: false, warn: (message: string) => warnings.push(message) };
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(new Date("2026-07-07T23:59:59.900Z"));
      checkLifecycle(entry, options);
      expect(warnings).toEqual([]);
      vi.setSystemTime(new Date("2026-07-08T00:00:00.100Z"));
      checkLifecycle(entry, options);
      expect(warnings).toHaveLength(1);
      vi.setSystemTime(new Date("2027-01-08T00:00:00.100Z"));
      expect(ModelRetiredError.isInstance(thrownBy(() => checkLifecycle(entry, options)))).toBe(true);
      // A clock set back is followed too.
      vi.setSystemTime(new Date("2027-01-07T12:00:00.000Z"));
      expect(() => checkLifecycle(entry, options)).not.toThrow();
    } finally {
      vi.useRealTimers();
    }
  });

  it("says nothing about an active model", () => {
    const warnings: string[] = [];
    checkLifecycle(entryOf("anthropic.claude-haiku-4-5-20251001-v1:0"), {
      today,
      allowRetired: false,
      warn: (message) => warnings.push(message),
    });
    expect(warnings).toEqual([]);
  });

  it("follows BEDROCK_FORGE_ALLOW_RETIRED when the caller does not say", () => {
    const saved = process.env.BEDROCK_FORGE_ALLOW_RETIRED;
    const entry = entryOf("amazon.titan-text-express-v1");
    try {
      delete process.env.BEDROCK_FORGE_ALLOW_RETIRED;
      expect(ModelRetiredError.isInstance(thrownBy(() => checkLifecycle(entry, { today })))).toBe(true);
      process.env.BEDROCK_FORGE_ALLOW_RETIRED = "1";
      expect(() => checkLifecycle(entry, { today, warn: () => undefined })).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.BEDROCK_FORGE_ALLOW_RETIRED;
      else process.env.BEDROCK_FORGE_ALLOW_RETIRED = saved;
    }
  });

  it("stays silent with BEDROCK_FORGE_LIFECYCLE_WARNINGS=0", () => {
    const warnings: string[] = [];
    try {
      process.env.BEDROCK_FORGE_LIFECYCLE_WARNINGS = "0";
      checkLifecycle(entryOf("anthropic.claude-3-haiku-20240307-v1:0"), {
        today,
        warn: (message) => warnings.push(message),
      });
    } finally {
      delete process.env.BEDROCK_FORGE_LIFECYCLE_WARNINGS;
    }
    expect(warnings).toEqual([]);
  });

  it("applies when a call resolves its model, also for profile ids", () => {
    expect(() =>
      onDemandModel(resolveModel("us.amazon.nova-premier-v1:0"), "us-east-1", { allowRetired: false }),
    ).toThrowError(/amazon\.nova-premier-v1:0 reached its end of life on Bedrock on 2026-09-14/);
  });
});

describe("a client", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ mode: "synthesize" });
  });
  afterAll(async () => emulator?.close());

  function client(allowRetired: boolean, warnings: string[] = []) {
    return createBedrock({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: exampleCredentials,
      num_retries: 0,
      allowRetired,
      onWarning: (message) => warnings.push(message),
    });
  }

  it("refuses a retired model before any request, for chat and for embeddings alike", async () => {
    const before = emulator.requests.length;
    const bedrock = client(false);
    await expect(
      bedrock.chat.completions.create({
        model: "cohere.command-light-text-v14",
        messages: [{ role: "user", content: "Hello" }],
      }),
    ).rejects.toSatisfy((error: unknown) => ModelRetiredError.isInstance(error));
    await expect(
      bedrock.images.generate({ model: "stability.stable-diffusion-xl-v1", prompt: "a lighthouse" }),
    ).rejects.toSatisfy((error: unknown) => ModelRetiredError.isInstance(error));
    expect(emulator.requests.length).toBe(before);
  });

  it("sends the call when the request sets allowRetired, and warns", async () => {
    const warnings: string[] = [];
    const before = emulator.requests.length;
    const reply = await client(false, warnings).chat.completions.create({
      model: "cohere.command-light-text-v14",
      messages: [{ role: "user", content: "Hello" }],
      allowRetired: true,
    });
    expect(reply.object).toBe("chat.completion");
    expect(emulator.requests.length).toBe(before + 1);
    expect(emulator.requests.at(-1)?.body).not.toHaveProperty("allowRetired");
    expect(
      warnings.some((message) => message.startsWith("cohere.command-light-text-v14 reached its end of life")),
    ).toBe(true);
  });
});
