// `bedrock-forge models --json | head` closed the pipe early and the CLI died with an unhandled EPIPE
// and a stack trace. Every command now stops quietly (exit 0) when its reader goes away. These tests
// use real pipes: the parent closes its end before, or right after, the first bytes arrive.
import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exitQuietlyOnClosedPipe } from "../../cli/main.js";
import { cleanEnvironment, repositoryRoot } from "./run-cli.js";

const bin = fileURLToPath(new URL("../../bin/bedrock-forge.js", import.meta.url));

/**
 * Runs the CLI with stdout and stderr piped; `closed` names the stream whose read end is closed, either
 * at once or after its first chunk arrived.
 */
function runWithClosedPipe(
  args: readonly string[],
  closed: "stdout" | "stderr",
  when: "at-once" | "after-first-chunk",
): Promise<{ code: number | null; signal: NodeJS.Signals | null; other: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repositoryRoot,
      env: cleanEnvironment(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const closing = child[closed];
    const other = closed === "stdout" ? child.stderr : child.stdout;
    let otherText = "";
    other.setEncoding("utf8").on("data", (chunk: string) => {
      otherText += chunk;
    });
    if (when === "at-once") closing.destroy();
    else closing.once("data", () => closing.destroy());
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, other: otherText });
    });
  });
}

const offlineChat = ["chat", "Hello", "--model", "anthropic.claude-3-haiku-20240307-v1:0", "--offline"];

describe("a closed pipe ends every command quietly", { timeout: 90_000 }, () => {
  it.each([
    [["models", "--json"], "after-first-chunk"],
    [["models"], "at-once"],
    [["--help"], "at-once"],
    [["chat", "--help"], "at-once"],
    [offlineChat, "at-once"],
    [[...offlineChat, "--stream"], "at-once"],
    [["embed", "a", "b", "--model", "amazon.titan-embed-text-v2:0", "--offline", "--json"], "at-once"],
    [["emulate", "--port", "0"], "at-once"],
  ] as const)("stdout closed: %j (%s)", async (args, when) => {
    const result = await runWithClosedPipe(args, "stdout", when);
    expect(result.other).not.toMatch(/EPIPE|Unhandled|at .*\(node:/);
    expect(result).toMatchObject({ code: 0, signal: null });
  });

  it("stderr closed: a chat's usage line goes nowhere and the command still ends quietly", async () => {
    const result = await runWithClosedPipe(offlineChat, "stderr", "at-once");
    expect(result).toMatchObject({ code: 0, signal: null });
  });
});

describe("exitQuietlyOnClosedPipe", () => {
  it("exits with 0 on EPIPE and lets other stream errors through", () => {
    const stream = new EventEmitter() as unknown as NodeJS.WritableStream;
    const exits: number[] = [];
    exitQuietlyOnClosedPipe([stream], (code) => exits.push(code));
    stream.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    expect(exits).toEqual([0]);
    expect(() => stream.emit("error", Object.assign(new Error("disk"), { code: "EIO" }))).toThrow("disk");
    expect(exits).toEqual([0]);
  });
});
