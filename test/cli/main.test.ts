import { describe, expect, it } from "vitest";
import type { Output } from "../../cli/command.js";
import { commands, runCli as runInProcess } from "../../cli/main.js";
import { cleanEnvironment, runCli } from "./run-cli.js";

function capture(isTTY: boolean): Output & { text: string } {
  return {
    isTTY,
    text: "",
    write(text: string) {
      this.text += text;
    },
  };
}

describe("bedrock-forge", { timeout: 60_000 }, () => {
  it("lists every command in --help and refuses unknown commands (exit 2)", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    for (const name of [
      "chat",
      "embed",
      "image",
      "models",
      "scaffold",
      "sync",
      "serve",
      "emulate",
      "record",
      "generate",
    ])
      expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
    const unknown = await runCli(["chatt"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "chatt"');
  });

  it("lists each command with the summary its module declares", async () => {
    for (const entry of commands) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.summary).toBe(entry.summary);
    }
  });

  it("gives every command a --help with usage and exit codes", async () => {
    for (const command of commands) {
      const stdout = capture(false);
      const stderr = capture(false);
      const code = await runInProcess([command.name, "--help"], {
        stdout,
        stderr,
        env: {},
        cwd: process.cwd(),
      });
      expect(code, command.name).toBe(0);
      expect(stdout.text, command.name).toContain(`Usage: bedrock-forge ${command.name}`);
    }
  });

  it("shows batch progress on a terminal and clears it afterwards", async () => {
    const stdout = capture(true);
    const stderr = capture(true);
    const texts = Array.from({ length: 70 }, (_, index) => `text ${index}`);
    const code = await runInProcess(
      ["embed", ...texts, "--model", "amazon.titan-embed-text-v2:0", "--offline"],
      {
        stdout,
        stderr,
        env: {},
        cwd: process.cwd(),
      },
    );
    expect(code).toBe(0);
    expect(stderr.text).toContain("\rembedding 32/70");
    expect(stderr.text).toContain("\rembedding 64/70");
    expect(stderr.text).toContain("\r\u001b[2K");
    expect(stdout.text.trim().split("\n")).toHaveLength(70);
  });

  it("hides the AWS SDK's Node version warning, even when the environment does not", async () => {
    const env = cleanEnvironment();
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const result = await runCli(
      ["chat", "Hi", "--model", "anthropic.claude-3-haiku-20240307-v1:0", "--offline"],
      {
        env,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning/);
  });
});
