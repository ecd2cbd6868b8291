import { readFileSync } from "node:fs";
import type { FoundationModelSummary, InferenceProfileSummary } from "@aws-sdk/client-bedrock";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chooseFamily,
  compareCatalog,
  editDistance,
  type MissingModel,
  splitProfileId,
  toCatalogModalities,
} from "../../cli/sync-compare.js";
import { toFlowText } from "../../cli/sync-write.js";
import {
  type ControlPlaneData,
  deriveControlPlaneData,
  type FoundationModelSummaryWire,
  type InferenceProfileSummaryWire,
} from "../../emulator/control-plane.js";
import type { Deprecation, Modality, Operation, ProfilePrefix } from "../../generated/spec-types.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";

/**
 * ListFoundationModels and ListInferenceProfiles for us-east-1 as Bedrock answered on 2026-10-07 (a subset;
 * the file's `source` says what is verbatim from the scrape and what was constructed).
 */
const realData = JSON.parse(
  readFileSync(new URL("../fixtures/control-plane/us-east-1-2026-10-07.json", import.meta.url), "utf8"),
) as ControlPlaneData;

/** What the SDK hands over for a wire summary: timestamps as Dates. */
function toSdkModel(summary: FoundationModelSummaryWire): FoundationModelSummary {
  const lifecycle = summary.modelLifecycle;
  const date = (value: string | undefined) => (value === undefined ? undefined : new Date(value));
  return {
    ...summary,
    ...(lifecycle
      ? {
          modelLifecycle: {
            status: lifecycle.status as "ACTIVE" | "LEGACY",
            legacyTime: date(lifecycle.legacyTime),
            endOfLifeTime: date(lifecycle.endOfLifeTime),
          },
        }
      : {}),
  } as FoundationModelSummary;
}

function toSdkProfile(summary: InferenceProfileSummaryWire): InferenceProfileSummary {
  return summary as unknown as InferenceProfileSummary;
}

interface EntryOptions {
  id: string;
  family?: string;
  operations?: Operation[];
  inputModalities?: Modality[];
  outputModalities?: Modality[];
  regions?: string[];
  profiles?: ProfilePrefix[];
  profileOnly?: boolean;
  deprecated?: Deprecation;
}

/** A catalog entry with only what the comparison reads filled in. */
function makeEntry(options: EntryOptions): CatalogEntry {
  const provider = options.id.slice(0, options.id.indexOf("."));
  return {
    id: options.id,
    name: options.id,
    family: options.family ?? `${provider}-family`,
    provider,
    operations: options.operations ?? ["chat", "chat-stream"],
    routes: ["converse"],
    capabilities: [],
    inputModalities: options.inputModalities ?? ["text"],
    outputModalities: options.outputModalities ?? ["text"],
    regions: options.regions ?? ["us-east-1"],
    profiles: options.profiles ?? [],
    profileOnly: options.profileOnly ?? false,
    ...(options.deprecated ? { deprecated: options.deprecated } : {}),
    price: {},
  };
}

/** A small catalog set beside the real us-east-1 lists, one entry per rule. */
const catalog: CatalogEntry[] = [
  makeEntry({
    id: "ai21.jamba-1-5-large-v1:0",
    deprecated: { legacy_since: "2026-05-26", end_of_life: "2026-11-26" },
  }),
  // Retired in the catalog, still listed by Bedrock.
  makeEntry({ id: "ai21.jamba-1-5-mini-v1:0", deprecated: { end_of_life: "2026-01-01" } }),
  makeEntry({ id: "amazon.nova-lite-v1:0", family: "amazon-nova", profiles: ["us"] }),
  // The catalog claims an eu. profile (not offered from us-east-1) and a global. one Bedrock does not list.
  makeEntry({ id: "amazon.nova-micro-v1:0", family: "amazon-nova", profiles: ["us", "eu", "global"] }),
  makeEntry({
    id: "amazon.titan-embed-text-v2:0",
    family: "amazon-titan-embed-text",
    operations: ["embeddings"],
    outputModalities: ["embedding"],
  }),
  makeEntry({
    id: "cohere.embed-v4:0",
    operations: ["embeddings"],
    outputModalities: ["embedding"],
    profiles: ["us"],
  }),
  makeEntry({ id: "meta.llama3-8b-instruct-v1:0", family: "meta-llama3" }),
  // Listed for us-east-1 in the catalog, absent from Bedrock's list.
  makeEntry({
    id: "meta.llama3-2-1b-instruct-v1:0",
    family: "meta-llama3",
    profiles: ["us"],
    profileOnly: true,
  }),
  // Bedrock serves it in us-east-1; the catalog lists only us-west-2.
  makeEntry({ id: "mistral.mistral-7b-instruct-v0:2", family: "mistral-instruct", regions: ["us-west-2"] }),
];

const today = "2026-10-07";
const report = compareCatalog({
  region: "us-east-1",
  entries: catalog,
  models: realData.regions["us-east-1"]!.modelSummaries.map(toSdkModel),
  profiles: realData.regions["us-east-1"]!.inferenceProfileSummaries.map(toSdkProfile),
  today,
});

describe("compareCatalog against Bedrock's us-east-1 lists of 2026-10-07", () => {
  it("leaves out provisioned-only variants and customization-only bases, and says which is which", () => {
    expect(report.ignored).toEqual([
      { id: "amazon.nova-2-lite-v1:0:256k", reason: "provisioned throughput only" },
      { id: "amazon.nova-lite-v1:0:24k", reason: "provisioned throughput only" },
      { id: "amazon.nova-lite-v1:0:300k", reason: "provisioned throughput only" },
      { id: "amazon.nova-micro-v1:0:128k", reason: "provisioned throughput only" },
      { id: "amazon.nova-micro-v1:0:24k", reason: "provisioned throughput only" },
      { id: "amazon.nova-pro-v1:0:24k", reason: "provisioned throughput only" },
      { id: "amazon.nova-pro-v1:0:300k", reason: "provisioned throughput only" },
      { id: "amazon.titan-embed-image-v1:0", reason: "provisioned throughput only" },
      { id: "amazon.titan-embed-text-v1:2:8k", reason: "provisioned throughput only" },
      { id: "amazon.titan-embed-text-v2:0:8k", reason: "customization only" },
      { id: "cohere.embed-multilingual-v3:0:512", reason: "provisioned throughput only" },
    ]);
  });

  it("reports every model served on demand or through a profile that the catalog lacks, embeddings and speech included", () => {
    const ids = report.missing.map((model) => model.id);
    expect(ids).toEqual([
      "amazon.nova-2-5-sonic",
      "amazon.nova-2-lite-v1:0",
      "amazon.nova-2-multimodal-embeddings-v1:0",
      "amazon.nova-2-sonic-v1:0",
      "amazon.nova-pro-v1:0",
      "amazon.titan-embed-g1-text-02",
      "amazon.titan-embed-image-v1",
      "amazon.titan-embed-text-v1",
      "cohere.embed-multilingual-v3",
      "cohere.rerank-v3-5:0",
      "deepseek.r1-v1:0",
      "deepseek.v3.2",
      "google.gemma-3-12b-it",
      "google.gemma-3-27b-it",
      "google.gemma-3-4b-it",
      "meta.llama3-1-70b-instruct-v1:0",
      "meta.llama3-1-8b-instruct-v1:0",
      "meta.llama3-3-70b-instruct-v1:0",
      "meta.llama3-70b-instruct-v1:0",
      "meta.llama4-maverick-17b-instruct-v1:0",
      "meta.llama4-scout-17b-instruct-v1:0",
      "minimax.minimax-m2",
      "minimax.minimax-m2.1",
      "mistral.devstral-2-123b",
      "mistral.magistral-small-2509",
      "mistral.ministral-3-14b-instruct",
      "mistral.ministral-3-3b-instruct",
      "mistral.ministral-3-8b-instruct",
      "mistral.mistral-large-2402-v1:0",
      "mistral.mistral-large-3-675b-instruct",
      "mistral.mistral-small-2402-v1:0",
      "mistral.mixtral-8x7b-instruct-v0:1",
      "mistral.pixtral-large-2502-v1:0",
      "mistral.voxtral-mini-3b-2507",
      "mistral.voxtral-small-24b-2507",
      "moonshot.kimi-k2-thinking",
      "moonshotai.kimi-k2.5",
      "moonshotai.kimi-k3",
      "nvidia.nemotron-nano-12b-v2",
      "nvidia.nemotron-nano-3-30b",
      "nvidia.nemotron-nano-9b-v2",
      "openai.gpt-5.4",
      "openai.gpt-oss-120b-1:0",
      "openai.gpt-oss-20b-1:0",
      "openai.gpt-oss-safeguard-120b",
      "openai.gpt-oss-safeguard-20b",
    ]);
    const kimi = report.missing.find((model) => model.id === "moonshotai.kimi-k3")!;
    expect(kimi).toMatchObject({
      name: "Kimi K3",
      provider: "Moonshot AI",
      inputModalities: ["TEXT", "IMAGE"],
      inferenceTypes: ["INFERENCE_PROFILE"],
      profiles: ["global", "us"],
      status: "ACTIVE",
    });
  });

  it("reports catalog models Bedrock marks LEGACY, beside the catalog's own dates", () => {
    expect(report.legacy).toEqual([
      {
        id: "ai21.jamba-1-5-large-v1:0",
        catalogState: "legacy",
        catalogLegacySince: "2026-05-26",
        catalogEndOfLife: "2026-11-26",
      },
      // The catalog already has it past its end of life; Bedrock still lists it, LEGACY.
      { id: "ai21.jamba-1-5-mini-v1:0", catalogState: "retired", catalogEndOfLife: "2026-01-01" },
    ]);
  });

  it("reports catalog models listed for the Region that Bedrock no longer lists, and retired ones it still lists", () => {
    expect(report.gone).toEqual(["meta.llama3-2-1b-instruct-v1:0"]);
    expect(report.retiredButListed).toEqual(["ai21.jamba-1-5-mini-v1:0"]);
    expect(report.regions.missing).toEqual(["mistral.mistral-7b-instruct-v0:2"]);
  });

  it("reports profile differences only for prefixes Bedrock offers in the Region", () => {
    expect(report.profiles).toEqual({
      // cohere.embed-v4:0 has a global. profile; the catalog entry lists only us.
      missing: ["global.cohere.embed-v4:0"],
      // No eu. profile is offered from us-east-1, so the catalog's eu. is not reported; global. is.
      gone: ["global.amazon.nova-micro-v1:0", "us.meta.llama3-2-1b-instruct-v1:0"],
    });
    expect(report.counts).toEqual({ models: 65, profiles: 19, catalog: catalog.length });
  });
});

describe("splitProfileId", () => {
  const profile = (id: string, modelIds: string[]) =>
    ({
      inferenceProfileId: id,
      models: modelIds.map((modelId) => ({
        modelArn: `arn:aws:bedrock:us-east-1::foundation-model/${modelId}`,
      })),
    }) as InferenceProfileSummary;
  it.each([
    ["us.anthropic.claude-3-haiku-20240307-v1:0", ["anthropic.claude-3-haiku-20240307-v1:0"], "us"],
    ["us-gov.anthropic.claude-sonnet-5", ["anthropic.claude-sonnet-5"], "us-gov"],
    ["global.openai.gpt-5.4", ["openai.gpt-5.4"], "global"],
    // Without models, the id is split at its first dot.
    ["apac.amazon.nova-lite-v1:0", [], "apac"],
  ])("%s", (id, models, prefix) => {
    expect(splitProfileId(profile(id, models))).toEqual({ prefix, modelId: id.slice(prefix.length + 1) });
  });
  it("gives nothing for an id that is not <prefix>.<model id>", () => {
    expect(splitProfileId(profile("my-application-profile", []))).toBeUndefined();
  });
});

describe("chooseFamily", () => {
  const entries: CatalogEntry[] = [
    makeEntry({
      id: "anthropic.claude-sonnet-5",
      family: "anthropic-claude-messages",
      inputModalities: ["text", "image", "document"],
    }),
    makeEntry({ id: "ai21.j2-ultra-v1", family: "ai21-j2", deprecated: { end_of_life: "2025-07-21" } }),
    makeEntry({
      id: "mistral.mistral-large-3-675b-instruct",
      family: "mistral-chat",
      inputModalities: ["text", "image"],
    }),
    makeEntry({ id: "mistral.mistral-7b-instruct-v0:2", family: "mistral-instruct" }),
    makeEntry({
      id: "amazon.nova-lite-v1:0",
      family: "amazon-nova",
      inputModalities: ["text", "image", "video"],
    }),
    makeEntry({
      id: "amazon.titan-embed-text-v2:0",
      family: "amazon-titan-embed-text",
      operations: ["embeddings"],
      outputModalities: ["embedding"],
    }),
    makeEntry({
      id: "amazon.nova-canvas-v1:0",
      family: "amazon-nova-canvas",
      operations: ["images"],
      inputModalities: ["text", "image"],
      outputModalities: ["image"],
    }),
  ];
  const missing = (id: string, input: string[], output: string[]): MissingModel => ({
    id,
    name: undefined,
    provider: undefined,
    inputModalities: input,
    outputModalities: output,
    inferenceTypes: ["ON_DEMAND"],
    streaming: true,
    status: "ACTIVE",
    profiles: [],
  });
  it.each([
    [
      "anthropic.claude-sonnet-9",
      ["TEXT", "IMAGE"],
      ["TEXT"],
      { family: "anthropic-claude-messages", like: "anthropic.claude-sonnet-5" },
    ],
    // The closest id among families that take its inputs: text-only goes to the closer instruct model.
    [
      "mistral.mistral-7b-instruct-v0:3",
      ["TEXT"],
      ["TEXT"],
      { family: "mistral-instruct", like: "mistral.mistral-7b-instruct-v0:2" },
    ],
    // Image input: only mistral-chat takes images.
    [
      "mistral.mistral-7b-vision",
      ["TEXT", "IMAGE"],
      ["TEXT"],
      { family: "mistral-chat", like: "mistral.mistral-large-3-675b-instruct" },
    ],
    [
      "amazon.titan-embed-text-v3:0",
      ["TEXT"],
      ["EMBEDDING"],
      { family: "amazon-titan-embed-text", like: "amazon.titan-embed-text-v2:0" },
    ],
    [
      "amazon.nova-canvas-v2:0",
      ["TEXT", "IMAGE"],
      ["IMAGE"],
      { family: "amazon-nova-canvas", like: "amazon.nova-canvas-v1:0" },
    ],
  ])("%s goes to a family", (id, input, output, expected) => {
    expect(chooseFamily(missing(id, input, output), entries, today)).toEqual(expected);
  });
  it.each([
    [
      "amazon.nova-2-sonic-v1:0",
      ["SPEECH"],
      ["SPEECH", "TEXT"],
      "no catalog operation produces SPEECH output",
    ],
    ["luma.ray-v2:0", ["TEXT"], ["VIDEO"], "no catalog operation produces VIDEO output"],
    ["qwen.qwen3-32b-v1:0", ["TEXT"], ["TEXT"], 'the catalog has no current chat model of provider "qwen"'],
    [
      "mistral.voxtral-mini-3b-2507",
      ["SPEECH", "TEXT"],
      ["TEXT"],
      "no mistral chat family in the catalog takes SPEECH, TEXT input",
    ],
    // The only ai21 model is retired: a model is never copied from a retired one.
    ["ai21.j3-ultra-v1", ["TEXT"], ["TEXT"], 'no current chat model of provider "ai21"'],
    [
      "anthropic.claude-embed-1",
      ["TEXT"],
      ["EMBEDDING"],
      'no current embeddings model of provider "anthropic"',
    ],
    ["amazon.nova-x", ["TEXT"], [], "Bedrock lists no output modality"],
  ])("%s is not written: %s", (id, input, output, reason) => {
    const choice = chooseFamily(missing(id, input, output), entries, today);
    expect(choice.family).toBeUndefined();
    expect((choice as { reason: string }).reason).toContain(reason);
  });
});

describe("helpers", () => {
  it("maps Bedrock's input modalities to the catalog's", () => {
    expect(toCatalogModalities(["TEXT", "IMAGE", "VIDEO", "SPEECH", "AUDIO", "TEXT"])).toEqual([
      "text",
      "image",
      "video",
      "speech",
      "audio",
    ]);
  });
  it("measures edit distance as Levenshtein", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const distance = editDistance(a, b);
        expect(distance).toBe(editDistance(b, a));
        expect(distance).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(distance).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(distance === 0).toBe(a === b);
      }),
    );
  });
  it("writes flow YAML that reads back as the same value", async () => {
    const { parse } = await import("yaml");
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
      fc.boolean(),
    );
    const key = fc.stringMatching(/^[a-z_]{1,10}$/);
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        scalar,
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(key, tie("node"), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 4 }), (object) => {
        expect(parse(`field: ${toFlowText(object)}`)).toEqual({ field: JSON.parse(JSON.stringify(object)) });
      }),
    );
    expect(toFlowText({ input_per_mtok: 3, overrides: [{ profile: "global", input_per_mtok: 2.7 }] })).toBe(
      "{ input_per_mtok: 3, overrides: [{ profile: global, input_per_mtok: 2.7 }] }",
    );
    expect(toFlowText(["us-east-1", "us-west-2"])).toBe("[us-east-1, us-west-2]");
  });
});

describe("the catalog's own control-plane data (the emulator's default)", () => {
  const entries = [
    makeEntry({
      id: "anthropic.claude-sonnet-5",
      regions: ["us-east-1", "eu-west-1"],
      profiles: ["us", "eu", "global"],
    }),
    makeEntry({
      id: "anthropic.claude-fable-5",
      regions: ["us-east-1"],
      profiles: ["us", "global"],
      profileOnly: true,
    }),
    makeEntry({
      id: "amazon.titan-embed-text-v2:0",
      operations: ["embeddings"],
      outputModalities: ["embedding"],
      regions: ["us-east-1", "eu-west-1"],
    }),
    makeEntry({
      id: "ai21.jamba-1-5-large-v1:0",
      deprecated: { legacy_since: "2026-05-26", end_of_life: "2026-11-26" },
    }),
    makeEntry({
      id: "amazon.titan-text-express-v1",
      deprecated: { end_of_life: "2025-12-29" },
      regions: ["us-east-1", "eu-west-1"],
    }),
    makeEntry({
      id: "meta.llama3-8b-instruct-v1:0",
      regions: ["us-east-1", "us-gov-west-1"],
      profiles: ["us-gov"],
    }),
  ];
  const listings = (data: ControlPlaneData, region: string) => ({
    models: data.regions[region]!.modelSummaries.map(toSdkModel),
    profiles: data.regions[region]!.inferenceProfileSummaries.map(toSdkProfile),
  });

  it("agrees with the catalog in every Region on any day: nothing missing, gone or different", () => {
    fc.assert(
      fc.property(
        fc.subarray(entries, { minLength: 1 }),
        fc.date({ min: new Date("2025-01-01"), max: new Date("2027-12-31"), noInvalidDate: true }),
        (subset, date) => {
          const day = date.toISOString().slice(0, 10);
          const data = deriveControlPlaneData(subset, day);
          for (const region of Object.keys(data.regions)) {
            const result = compareCatalog({ region, entries: subset, ...listings(data, region), today: day });
            expect(result.missing).toEqual([]);
            expect(result.gone).toEqual([]);
            expect(result.retiredButListed).toEqual([]);
            expect(result.regions.missing).toEqual([]);
            expect(result.profiles).toEqual({ missing: [], gone: [] });
          }
        },
      ),
    );
  });

  it("finds each change made to that data: an added model, a dropped one, a LEGACY mark, a dropped profile", () => {
    const data = deriveControlPlaneData(entries, today);
    const listing = data.regions["us-east-1"]!;
    listing.modelSummaries.push({
      modelArn: "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-9",
      modelId: "anthropic.claude-sonnet-9",
      inputModalities: ["TEXT"],
      outputModalities: ["TEXT"],
      inferenceTypesSupported: ["ON_DEMAND"],
      modelLifecycle: { status: "ACTIVE" },
    });
    listing.modelSummaries = listing.modelSummaries.filter(
      (model) => model.modelId !== "meta.llama3-8b-instruct-v1:0",
    );
    listing.modelSummaries.find((model) => model.modelId === "amazon.titan-embed-text-v2:0")!.modelLifecycle =
      {
        status: "LEGACY",
        legacyTime: "2026-09-01T00:00:00Z",
        endOfLifeTime: "2027-03-01T00:00:00Z",
      };
    listing.inferenceProfileSummaries = listing.inferenceProfileSummaries.filter(
      (profile) => profile.inferenceProfileId !== "global.anthropic.claude-sonnet-5",
    );
    const result = compareCatalog({ region: "us-east-1", entries, ...listings(data, "us-east-1"), today });
    expect(result.missing.map((model) => model.id)).toEqual(["anthropic.claude-sonnet-9"]);
    expect(result.gone).toEqual(["meta.llama3-8b-instruct-v1:0"]);
    expect(
      result.legacy.map((model) => [model.id, model.legacySince, model.endOfLife, model.catalogState]),
    ).toEqual([
      ["ai21.jamba-1-5-large-v1:0", "2026-05-26", "2026-11-26", "legacy"],
      ["amazon.titan-embed-text-v2:0", "2026-09-01", "2027-03-01", "active"],
    ]);
    expect(result.profiles).toEqual({ missing: [], gone: ["global.anthropic.claude-sonnet-5"] });
  });
});
