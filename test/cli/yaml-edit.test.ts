import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { scalarText } from "../../cli/yaml-edit.js";

describe("scalarText (values scaffold writes into a spec)", () => {
  it("writes a string YAML reads back as the same string, quoting what would become a number, boolean or null", () => {
    for (const value of [
      "Claude 3.5",
      "3.5",
      "1e3",
      "0x10",
      "true",
      "No",
      "null",
      "~",
      "a: b",
      "llama3-8b",
      "v1:0",
    ]) {
      const text = scalarText(value);
      expect(parse(`key: ${text}`), value).toEqual({ key: value });
    }
    expect(scalarText("Claude Haiku 4.5")).toBe("Claude Haiku 4.5");
    expect(scalarText("3.5")).toBe('"3.5"');
  });
});
