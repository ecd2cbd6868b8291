import { describe, expect, it } from "vitest";
import {
  callIdFor,
  chatNeed,
  type DemoNeed,
  embeddingNeed,
  imageNeed,
  pickModel,
} from "../../demo/models.js";
import { catalog, modelIds } from "../../generated/catalog.js";
import { type CatalogEntry, lifecycleStateOf } from "../../runtime/index.js";

const entries = modelIds.map((id) => catalog[id] as CatalogEntry);
const today = new Date().toISOString().slice(0, 10);

describe("the demo's model choice", () => {
  it("takes the first well-known default of each section that is still active", () => {
    // Claude 3 Haiku is legacy, and Titan Image Generator v2 and Nova Canvas are past their end of life
    // (the runtime refuses them), so the chat and image sections move on.
    expect(pickModel(chatNeed)?.callId).toBe("amazon.nova-micro-v1:0");
    expect(pickModel(embeddingNeed)?.callId).toBe("amazon.titan-embed-text-v2:0");
    const image = pickModel(imageNeed)!;
    expect(lifecycleStateOf(image.entry.deprecated, today)).toBe("active");
    expect(image.callId).toBe("stability.stable-image-core-v1:1");
  });

  it("falls back to the cheapest model with the needed capabilities when no default fits", () => {
    const need: DemoNeed = { ...chatNeed, preferred: ["no.such-model-v1:0"] };
    const picked = pickModel(need)!;
    expect(chatNeed.fits(picked.entry)).toBe(true);
    const cheapest = Math.min(
      ...entries
        .filter((entry) => chatNeed.fits(entry) && lifecycleStateOf(entry.deprecated, today) === "active")
        .map((entry) => entry.price.input_per_mtok ?? Infinity),
    );
    expect(picked.entry.price.input_per_mtok).toBe(cheapest);
  });

  it("returns nothing when no model fits, so the section is skipped rather than failing", () => {
    expect(pickModel({ label: "nothing", preferred: [], fits: () => false })).toBeUndefined();
  });

  it("calls profile-only models through the profile of the region", () => {
    const profileOnly = entries.find(
      (entry) => entry.profileOnly && entry.profiles.includes("us") && entry.profiles.includes("eu"),
    )!;
    expect(callIdFor(profileOnly, "us-west-2")).toBe(`us.${profileOnly.id}`);
    expect(callIdFor(profileOnly, "eu-central-1")).toBe(`eu.${profileOnly.id}`);
    const direct = entries.find((entry) => !entry.profileOnly && entry.regions.includes("us-east-1"))!;
    expect(callIdFor(direct, "us-east-1")).toBe(direct.id);
    const elsewhere = entries.find((entry) => !entry.profileOnly && !entry.regions.includes("sa-east-1"))!;
    expect(callIdFor(elsewhere, "sa-east-1")).toBeUndefined();
  });

  it("live, only picks models callable in the region", () => {
    for (const region of ["us-east-1", "eu-central-1", "ap-northeast-1"]) {
      const picked = pickModel(chatNeed, { region });
      expect(picked, region).toBeDefined();
      const { entry, callId } = picked!;
      // Callable: offered in the region itself, or through the profile of the region's geography.
      if (callId === entry.id) expect(entry.regions).toContain(region);
      else {
        const [profile] = callId!.split(".");
        expect(entry.profiles).toContain(profile);
        expect(callId).toBe(`${profile}.${entry.id}`);
        expect(region.startsWith(profile === "apac" ? "ap-" : `${profile}-`)).toBe(true);
      }
    }
  });

  it("refuses an override that is not in the catalog or lacks what the section needs", () => {
    expect(() => pickModel(chatNeed, { override: "nope.model-v1:0" })).toThrow("not in the catalog");
    expect(() => pickModel(chatNeed, { override: "amazon.titan-embed-text-v2:0" })).toThrow(
      "is not a chat model with streaming, tools and tool_choice",
    );
  });
});
