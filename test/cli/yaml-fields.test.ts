import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { parseSpecText, setModelFields } from "../../cli/yaml-edit.js";

const spec = `# A spec
family: demo
models:
  # The first model.
  - id: demo.one-v1
    name: One
    context_window: 8000 # unverified
    # Regions from the availability page.
    regions:
      [
        us-east-1,
        us-west-2,
      ]
    profiles: [us]
    price:
      input_per_mtok: 1
      output_per_mtok: 2
  - id: demo.two-v1
    name: Two
    regions: [eu-west-1]
    price: { input_per_mtok: 3 }
`;

function modelsOf(text: string): Record<string, unknown>[] {
  return (parseDocument(text).toJS() as { models: Record<string, unknown>[] }).models;
}

describe("setModelFields", () => {
  it("replaces a field whole (block or flow, with the comments above it), adds missing ones after name, removes others", () => {
    const after = setModelFields(parseSpecText(spec), "demo.one-v1", {
      regions: { text: "[us-east-1]", comment: "the one Region read" },
      profile_only: { text: "true" },
      profiles: undefined,
      price: {
        text: "input_per_mtok: 5\noverrides:\n  - profile: us\n    input_per_mtok: 6\n",
        block: true,
        comment: "unverified",
      },
    });
    expect(after).toBe(`# A spec
family: demo
models:
  # The first model.
  - id: demo.one-v1
    name: One
    profile_only: true
    context_window: 8000 # unverified
    regions: [us-east-1] # the one Region read
    price: # unverified
      input_per_mtok: 5
      overrides:
        - profile: us
          input_per_mtok: 6
  - id: demo.two-v1
    name: Two
    regions: [eu-west-1]
    price: { input_per_mtok: 3 }
`);
    const [one, two] = modelsOf(after);
    expect(one).toEqual({
      id: "demo.one-v1",
      name: "One",
      profile_only: true,
      context_window: 8000,
      regions: ["us-east-1"],
      price: { input_per_mtok: 5, overrides: [{ profile: "us", input_per_mtok: 6 }] },
    });
    expect(two).toEqual(modelsOf(spec)[1]);
  });

  it("edits the last model of a file too, and leaves the text as it was when nothing changes", () => {
    const after = setModelFields(parseSpecText(spec), "demo.two-v1", {
      regions: { text: "[eu-west-1, eu-west-3]" },
    });
    expect(after).toBe(spec.replace("regions: [eu-west-1]", "regions: [eu-west-1, eu-west-3]"));
    expect(setModelFields(parseSpecText(spec), "demo.two-v1", {})).toBe(spec);
  });

  it("refuses to change an id or a name, and a model that is not there", () => {
    expect(() => setModelFields(parseSpecText(spec), "demo.one-v1", { id: { text: "x.y" } })).toThrow(
      "does not change a model's id",
    );
    expect(() => setModelFields(parseSpecText(spec), "demo.three-v1", {})).toThrow(
      "model demo.three-v1 is not in the spec",
    );
  });
});
