import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIO } from "../../cli/command.js";
import { runServe } from "../../cli/commands/serve.js";
import { runCli } from "../../cli/main.js";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { claude, exampleKeys, waitFor } from "./helpers.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

function captureIO(
  env: NodeJS.ProcessEnv = {},
  cwd = root,
): CommandIO & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: {
      write: (text: string) => {
        out += text;
      },
    },
    stderr: {
      write: (text: string) => {
        err += text;
      },
    },
    env,
    cwd,
    out: () => out,
    err: () => err,
  };
}

/** The URL from the `listening` log line. */
function listeningUrl(stdout: string): string | undefined {
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const parsed = JSON.parse(line) as { msg?: string; url?: string };
    if (parsed.msg === "listening") return parsed.url;
  }
  return undefined;
}

describe("bedrock-forge serve", () => {
  let emulator: Emulator;
  let directory: string;
  let configFile: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
    directory = await mkdtemp(path.join(tmpdir(), "bedrock-forge-serve-"));
    configFile = path.join(directory, "config.yaml");
    await writeFile(
      configFile,
      [
        "model_list:",
        "  - model_name: claude",
        "    litellm_params:",
        `      model: bedrock/${claude}`,
        "      aws_access_key_id: os.environ/TEST_AWS_ACCESS_KEY_ID",
        "      aws_secret_access_key: os.environ/TEST_AWS_SECRET_ACCESS_KEY",
        "      aws_region_name: us-east-1",
        `      aws_bedrock_runtime_endpoint: ${emulator.url}`,
        "      extra_headers:",
        '        x-bedrock-forge-stream-chunks: "20"',
        '        x-bedrock-forge-chunk-interval-ms: "40"',
        "general_settings:",
        "  master_key: os.environ/TEST_MASTER_KEY",
        "",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    await emulator?.close();
    await rm(directory, { recursive: true, force: true });
  });

  const env = {
    TEST_AWS_ACCESS_KEY_ID: exampleKeys.aws_access_key_id,
    TEST_AWS_SECRET_ACCESS_KEY: exampleKeys.aws_secret_access_key,
    TEST_MASTER_KEY: "sk-serve-test",
  };

  it("serves a config file until stopped", async () => {
    const io = captureIO(env, directory);
    const stop = new AbortController();
    const running = runServe(["--config", "config.yaml", "--port", "0"], io, stop.signal);
    await waitFor(() => listeningUrl(io.out()) !== undefined, 5000);
    const client = new OpenAI({
      baseURL: `${listeningUrl(io.out())}/v1`,
      apiKey: "sk-serve-test",
      maxRetries: 0,
    });
    const completion = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.choices[0]!.message.content).toMatch(/\S/);
    stop.abort();
    expect(await running).toBe(0);
    const lines = io
      .out()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg: string });
    expect(lines.map((line) => line.msg)).toEqual(["listening", "request", "stopped"]);
  });

  it("stops right after it listens when told to stop while still starting", { timeout: 10_000 }, async () => {
    const io = captureIO(env, directory);
    const stop = new AbortController();
    stop.abort("stopped by the primary");
    expect(await runServe(["--config", "config.yaml", "--port", "0"], io, stop.signal)).toBe(0);
    expect(io.err()).toContain("stopped by the primary, draining");
    expect(io.out()).toContain('"msg":"stopped"');
  });

  it("serves one model without a config file (--model)", async () => {
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = exampleKeys.aws_access_key_id;
    process.env.AWS_SECRET_ACCESS_KEY = exampleKeys.aws_secret_access_key;
    delete process.env.AWS_BEARER_TOKEN_BEDROCK;
    delete process.env.AWS_PROFILE;
    try {
      const io = captureIO({});
      const stop = new AbortController();
      const running = runServe(
        ["--model", `bedrock/${claude}`, "--region", "us-east-1", "--endpoint", emulator.url, "--port", "0"],
        io,
        stop.signal,
      );
      await waitFor(() => listeningUrl(io.out()) !== undefined, 5000);
      const client = new OpenAI({ baseURL: `${listeningUrl(io.out())}/v1`, apiKey: "x", maxRetries: 0 });
      const models = await client.models.list();
      expect(models.data.map((model) => model.id)).toEqual([claude]);
      const completion = await client.chat.completions.create({
        model: claude,
        messages: [{ role: "user", content: "hi" }],
      });
      expect(completion.choices[0]!.message.content).toMatch(/\S/);
      expect(io.out()).toContain("no master key");
      stop.abort();
      expect(await running).toBe(0);
    } finally {
      process.env = saved;
    }
  });

  it("stops with exit code 1 and file:line:column on a bad config", async () => {
    const bad = path.join(directory, "bad.yaml");
    await writeFile(
      bad,
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/x\n      top_p: lots\n",
    );
    const io = captureIO({}, directory);
    expect(await runCli(["serve", "--config", "bad.yaml", "--port", "0"], io)).toBe(1);
    expect(io.err()).toContain("bad.yaml:5:14: model_list[0].litellm_params.top_p: must be number");
  });

  it("rejects bad usage with exit code 2", async () => {
    for (const argv of [
      ["serve"],
      ["serve", "--config", "a.yaml", "--model", "m"],
      ["serve", "--port", "x", "--model", "m"],
      ["serve", "--model", "m", "--request-timeout", "0"],
      ["serve", "--model", "m", "--max-body-mb", "0"],
      ["serve", "--model", "m", "--drain-ms", "-1"],
      ["serve", "--model", "m", "--endpoint", "localhost:4010"],
    ]) {
      const io = captureIO();
      expect(await runCli(argv, io)).toBe(2);
      expect(io.err()).toContain("Usage: bedrock-forge serve");
    }
  });

  it("drains in-flight streams on SIGTERM, then exits 0", { timeout: 30_000 }, async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [
        path.join(root, "bin/bedrock-forge.js"),
        "serve",
        "--config",
        configFile,
        "--port",
        "0",
        "--drain-ms",
        "10000",
      ],
      { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout!.on("data", (piece: Buffer) => {
      out += piece.toString("utf8");
    });
    child.stderr!.resume();
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor(() => listeningUrl(out) !== undefined, 20_000);
      const url = listeningUrl(out)!;
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer sk-serve-test" },
        body: JSON.stringify({ model: "claude", messages: [{ role: "user", content: "hi" }], stream: true }),
      });
      expect(response.status).toBe(200);
      child.kill("SIGTERM");
      const text = await response.text();
      expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
      expect(await exited).toBe(0);
      expect(out).toContain('"msg":"stopped"');
    } finally {
      child.kill("SIGKILL");
    }
  });
});
