import { describe, expect, it } from "vitest";
import { catalog } from "../../generated/catalog.js";
import { resolvePrice } from "../../runtime/cost.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";

const models = Object.values(catalog) as CatalogEntry[];
const model = (id: string): CatalogEntry => {
  const entry = (catalog as Record<string, CatalogEntry>)[id];
  if (!entry) throw new Error(`${id} is not in the catalog`);
  return entry;
};

// Facts from the 2026-11-26 audit of the specs against the AWS model cards, the Regional availability,
// cross-region inference profile and model lifecycle pages, and copies of the pricing page (see each spec's
// sources); the expectations are written out from those pages, not read back from the specs.
describe("catalog audit", () => {
  it("dates every deprecation consistently", () => {
    for (const entry of models) {
      const { legacy_since, end_of_life } = entry.deprecated ?? {};
      if (legacy_since && end_of_life) expect(legacy_since < end_of_life, entry.id).toBe(true);
    }
  });

  it("serves the Claude Opus models added from their model cards", () => {
    for (const id of ["anthropic.claude-opus-4-7", "anthropic.claude-opus-4-8", "anthropic.claude-opus-5"]) {
      const entry = model(id);
      expect(entry.family, id).toBe("anthropic-claude-messages");
      expect(entry.contextWindow, id).toBe(1000000);
      expect(entry.maxOutputTokens, id).toBe(128000);
      expect(entry.profiles, id).toContain("global");
      expect(resolvePrice(entry, "global", "us-east-1"), id).toMatchObject({
        input_per_mtok: 5,
        output_per_mtok: 25,
      });
      expect(resolvePrice(entry, "us", "us-east-1"), id).toMatchObject({
        input_per_mtok: 5.5,
        output_per_mtok: 27.5,
      });
    }
  });

  it("keeps the cross-region profiles AWS documents", () => {
    expect(model("anthropic.claude-opus-4-6-v1").profiles).toEqual(["au", "eu", "global", "us"]);
    expect(model("anthropic.claude-sonnet-4-6").profiles).toEqual(["au", "eu", "global", "jp", "us"]);
    expect(model("cohere.embed-v4:0").profiles).toEqual(["eu", "global", "us"]);
    expect(model("amazon.nova-pro-v1:0").profiles).toEqual(["apac", "eu", "us"]);
    expect(model("stability.sd3-5-large-v1:0").profiles).toEqual([]);
  });

  it("records the lifecycle dates of the Legacy/EOL tables", () => {
    expect(model("anthropic.claude-sonnet-4-5-20250929-v1:0").deprecated).toMatchObject({
      legacy_since: "2026-10-08",
      end_of_life: "2027-04-08",
    });
    // An end of life in some Regions only stays in the note (ListFoundationModels still lists the model
    // elsewhere), so the runtime does not refuse calls that Bedrock would still answer.
    const claude3Sonnet = model("anthropic.claude-3-sonnet-20240229-v1:0").deprecated;
    expect(claude3Sonnet).toMatchObject({ legacy_since: "2026-01-30" });
    expect(claude3Sonnet?.end_of_life).toBeUndefined();
    expect(claude3Sonnet?.note).toContain("End of life on 2026-07-30");
    expect(model("ai21.jamba-1-5-large-v1:0").deprecated).toMatchObject({ end_of_life: "2026-11-26" });
  });
});
