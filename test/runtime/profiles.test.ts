/**
 * Models Bedrock serves only through cross-region inference profiles: a bare id is sent as the profile
 * of the caller's region (or global.), priced as that profile; without a fitting profile the call is
 * refused before any request. The emulator rejects bare ids of such models as Bedrock does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleCredentials, startEmulator } from "../../emulator/index.js";
import type { Emulator } from "../../emulator/types.js";
import { catalog } from "../../generated/catalog.js";
import { ModelNotSupportedError } from "../../runtime/errors.js";
import { createBedrock } from "../../runtime/index.js";
import { onDemandModel, resolveModel } from "../../runtime/models.js";

const sonnet = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const opus4 = "anthropic.claude-opus-4-20250514-v1:0";
// Kimi K3 is served only through the us., in. and global. profiles (ListInferenceProfiles, 2026-10-07); in. is
// India's, sourced from ap-south-1 and routed to ap-south-1 and ap-south-2.
const kimi = "moonshotai.kimi-k3";

describe("onDemandModel", () => {
  it.each([
    [sonnet, "us-east-1", `us.${sonnet}`, "us"],
    [sonnet, "eu-west-3", `eu.${sonnet}`, "eu"],
    [sonnet, "ap-northeast-1", `jp.${sonnet}`, "jp"],
    [sonnet, "ap-southeast-2", `au.${sonnet}`, "au"],
    [sonnet, "us-gov-west-1", `us-gov.${sonnet}`, "us-gov"],
    [sonnet, "sa-east-1", `global.${sonnet}`, "global"],
    [sonnet, undefined, `global.${sonnet}`, "global"],
    [opus4, "us-west-2", `us.${opus4}`, "us"],
    [kimi, "ap-south-1", `in.${kimi}`, "in"],
    // Hyderabad is a destination of in., not a source: from there only global. fits.
    [kimi, "ap-south-2", `global.${kimi}`, "global"],
    [kimi, "us-east-2", `us.${kimi}`, "us"],
    [kimi, "ap-northeast-1", `global.${kimi}`, "global"],
    [kimi, "eu-west-1", `global.${kimi}`, "global"],
  ])("%s from %s is sent as %s", (model, region, wire, profile) => {
    expect(catalog[model as keyof typeof catalog].profileOnly).toBe(true);
    const resolved = onDemandModel(resolveModel(model), region);
    expect(resolved).toMatchObject({ wireModelId: wire, profile, displayName: model });
  });

  it("resolves in. profile ids to their base model, and prefers in. over apac. from India", () => {
    expect(resolveModel(`in.${kimi}`)).toMatchObject({ profile: "in", wireModelId: `in.${kimi}` });
    expect(resolveModel(`in.${kimi}`).entry?.id).toBe(kimi);
    const haiku = "anthropic.claude-haiku-4-5-20251001-v1:0";
    expect(catalog[haiku].profiles).toContain("in");
    expect(resolveModel(`in.${haiku}`).entry?.id).toBe(haiku);
    // A model with both profiles but no in. one falls back to apac. from Mumbai.
    const nova = "amazon.nova-pro-v1:0";
    expect(catalog[nova].profiles).toContain("apac");
    expect(catalog[nova].profiles).not.toContain("in");
  });

  it("sends profile ids, model_id and models served on demand as given", () => {
    expect(onDemandModel(resolveModel(`eu.${sonnet}`), "us-east-1").wireModelId).toBe(`eu.${sonnet}`);
    expect(
      onDemandModel(
        resolveModel(sonnet, "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/x"),
        "us-east-1",
      ).wireModelId,
    ).toBe("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/x");
    const haiku = "anthropic.claude-3-haiku-20240307-v1:0";
    expect(onDemandModel(resolveModel(haiku), "us-east-1").wireModelId).toBe(haiku);
  });

  it("refuses a bare id whose profiles do not fit the region", () => {
    expect(() => onDemandModel(resolveModel(opus4), "eu-central-1")).toThrowError(
      `${opus4} is served only through cross-region inference profiles (us.${opus4}); none fits the region eu-central-1. Name a profile id as the model.`,
    );
    expect(
      ModelNotSupportedError.isInstance(captured(() => onDemandModel(resolveModel(opus4), undefined))),
    ).toBe(true);
  });
});

function captured(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("profile-only models through the real SDK and the emulator", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ mode: "synthesize" });
  });
  afterAll(async () => emulator?.close());

  it("calls the region's profile, priced as that profile", async () => {
    const bedrock = createBedrock({
      endpoint: emulator.url,
      region: "eu-west-1",
      credentials: exampleCredentials,
      num_retries: 0,
    });
    const reply = await bedrock.chat.completions.create({
      model: sonnet,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(emulator.requests.at(-1)?.modelId).toBe(`eu.${sonnet}`);
    expect(reply.model).toBe(sonnet);
    // Sonnet 4.5 costs 10% more through geographic profiles than through global. (catalog prices)
    const price = catalog[sonnet].price;
    const expected =
      (reply.usage.prompt_tokens * price.input_per_mtok! +
        reply.usage.completion_tokens * price.output_per_mtok!) /
      1e6;
    expect(reply.usage.cost).toBeCloseTo(expected, 10);

    const globalClient = createBedrock({
      endpoint: emulator.url,
      region: "me-south-1",
      credentials: exampleCredentials,
      num_retries: 0,
    });
    const global = await globalClient.chat.completions.create({
      model: sonnet,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(emulator.requests.at(-1)?.modelId).toBe(`global.${sonnet}`);
    const globalPrice = price.overrides!.find((override) => override.profile === "global")!;
    expect(global.usage.cost).toBeCloseTo(
      (global.usage.prompt_tokens * globalPrice.input_per_mtok! +
        global.usage.completion_tokens * globalPrice.output_per_mtok!) /
        1e6,
      10,
    );
  });

  it("calls India's in. profile from ap-south-1, priced as a geographic profile", async () => {
    const bedrock = createBedrock({
      endpoint: emulator.url,
      region: "ap-south-1",
      credentials: exampleCredentials,
      num_retries: 0,
    });
    const reply = await bedrock.chat.completions.create({
      model: kimi,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(emulator.requests.at(-1)?.modelId).toBe(`in.${kimi}`);
    // Kimi K3's geographic price ($3.30 / $16.50 per million, Price List 2026-10-06), not the global one.
    expect(reply.usage.cost).toBeCloseTo(
      (reply.usage.prompt_tokens * 3.3 + reply.usage.completion_tokens * 16.5) / 1e6,
      10,
    );
  });

  it("is refused before any call when no profile fits", async () => {
    const bedrock = createBedrock({
      endpoint: emulator.url,
      region: "eu-central-1",
      credentials: exampleCredentials,
      num_retries: 0,
    });
    const before = emulator.requests.length;
    await expect(
      bedrock.chat.completions.create({ model: opus4, messages: [{ role: "user", content: "Hi" }] }),
    ).rejects.toThrow(/served only through cross-region inference profiles/);
    expect(emulator.requests.length).toBe(before);
  });
});
