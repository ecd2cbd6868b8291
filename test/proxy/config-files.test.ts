// The proxy's config goes through the same YAML reader as the specs (shared/yaml-source.ts): bounded in
// size and depth before parsing, and only its first syntax error reported.
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { type ConfigProblem, ProxyConfigError, parseProxyConfig } from "../../proxy/config.js";

function problemsOf(text: string): readonly ConfigProblem[] {
  try {
    parseProxyConfig(text, "config.yaml", { env: {} });
  } catch (error) {
    if (error instanceof ProxyConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config loaded, but it should not have");
}

const head =
  "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/anthropic.claude-instant-v1\n";

describe("config files", () => {
  it("reports the first YAML syntax error only, with its position", () => {
    const text = `${head}litellm_settings:\n  fallbacks: [{ m: [x]\n  drop_params: ]]\n  num_retries: 2\n`;
    expect(YAML.parseDocument(text).errors.length).toBeGreaterThan(1);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "config.yaml", line: 7, field: "" });
    expect(problems[0]!.message).toMatch(/^YAML: /);
  });

  it("refuses a config nested too deep before parsing it", () => {
    const text = `${head}environment_variables:\n  X: ${"[".repeat(50_000)}${"]".repeat(50_000)}\n`;
    expect(problemsOf(text)).toEqual([
      { file: "config.yaml", line: 6, column: 68, field: "", message: "nesting deeper than 64 levels" },
    ]);
  });

  it("refuses a config larger than 4 MiB", () => {
    const text = `${head}# ${"x".repeat(4 * 1024 * 1024)}\n`;
    expect(problemsOf(text)).toEqual([
      {
        file: "config.yaml",
        line: 1,
        column: 1,
        field: "",
        message: `the file is ${Buffer.byteLength(text)} bytes; at most 4194304 are read`,
      },
    ]);
  });
});
