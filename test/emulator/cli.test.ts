import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BedrockClient, ListFoundationModelsCommand } from "@aws-sdk/client-bedrock";
import { InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import type { CommandIO } from "../../cli/command.js";
import { parseEmulateArgs, runEmulate } from "../../cli/commands/emulate.js";
import { parseRecordArgs, runRecord } from "../../cli/commands/record.js";
import { runCli } from "../../cli/main.js";
import type { Emulator } from "../../emulator/types.js";
import { eventually, sdkClient } from "./helpers.js";

function capture(): CommandIO & { out: () => string; err: () => string } {
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
    env: {},
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

const invoke = () =>
  new InvokeModelCommand({
    modelId: "meta.llama3-8b-instruct-v1:0",
    contentType: "application/json",
    body: JSON.stringify({ prompt: "From the CLI" }),
  });

describe("bedrock-forge emulate / record", () => {
  it("parses every flag", () => {
    expect(
      parseEmulateArgs([
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--fixtures",
        "a",
        "--fixtures",
        "b",
        "--mode",
        "replay",
        "--latency-ms",
        "5",
        "--chunk-interval-ms",
        "2",
        "--stream-chunks",
        "9",
        "--access-key-id",
        "AKID",
        "--secret-access-key",
        "SECRET",
        "--api-key",
        "ABSK1",
        "--model",
        "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/x=meta.llama3-8b-instruct-v1:0",
        "--no-verify",
        "--no-validate",
      ]),
    ).toEqual({
      port: 0,
      host: "127.0.0.1",
      fixtures: ["a", "b"],
      mode: "replay",
      latencyMs: 5,
      chunkIntervalMs: 2,
      streamChunks: 9,
      credentials: [{ accessKeyId: "AKID", secretAccessKey: "SECRET" }],
      apiKeys: ["ABSK1"],
      models: {
        "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/x": "meta.llama3-8b-instruct-v1:0",
      },
      verifySignature: false,
      validate: false,
    });
    expect(parseEmulateArgs([])).toMatchObject({ verifySignature: true, validate: true });
    expect(
      parseRecordArgs([
        "--upstream",
        "https://bedrock-runtime.us-east-1.amazonaws.com",
        "--out",
        "dir",
        "--scrub-account-ids",
      ]),
    ).toMatchObject({
      upstream: "https://bedrock-runtime.us-east-1.amazonaws.com",
      outDir: "dir",
      port: 4011,
      scrubAccountIds: true,
    });
  });

  it("rejects bad usage with exit code 2 and the help", async () => {
    for (const argv of [
      ["emulate", "--mode", "nope"],
      ["emulate", "--port", "x"],
      ["emulate", "--access-key-id", "A"],
      ["record", "--out", "d"],
    ]) {
      const io = capture();
      expect(await runCli(argv, io)).toBe(2);
      expect(io.err()).toMatch(/Usage: bedrock-forge (emulate|record)/);
    }
    const io = capture();
    expect(await runCli(["emulate", "--help"], io)).toBe(0);
    expect(io.out()).toMatch(/--chunk-interval-ms/);
  });

  it("runEmulate serves until stopped", async () => {
    const io = capture();
    const controller = new AbortController();
    const running = runEmulate(["--port", "0", "--mode", "synthesize"], io, controller.signal);
    await eventually(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(io.out()));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(io.out())![1]!;
    expect(io.out()).toContain("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE");
    const client = sdkClient({ url } as Emulator, "http1");
    expect((await client.send(invoke())).$metadata.httpStatusCode).toBe(200);
    client.destroy();
    controller.abort();
    expect(await running).toBe(0);
    expect(io.out()).toMatch(/stopped/);
  });

  it("emulate --control-plane FILE serves that file's lists to the control-plane SDK client", async () => {
    // The file holds Bedrock's own us-east-1 lists of 2026-10-07 (its `source` field names the scrape).
    const fixture = fileURLToPath(
      new URL("../fixtures/control-plane/us-east-1-2026-10-07.json", import.meta.url),
    );
    const listed = JSON.parse(readFileSync(fixture, "utf8")) as {
      regions: Record<string, { modelSummaries: { modelId: string }[] }>;
    };
    expect(parseEmulateArgs(["--control-plane", fixture])).toMatchObject({ controlPlane: { data: fixture } });
    const io = capture();
    const controller = new AbortController();
    const running = runEmulate(["--port", "0", "--control-plane", fixture], io, controller.signal);
    await eventually(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(io.out()));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(io.out())![1]!;
    expect(io.out()).toContain(`bedrock-forge sync --endpoint ${url}`);
    const client = new BedrockClient({
      endpoint: url,
      region: "us-east-1",
      credentials: {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      },
      maxAttempts: 1,
    });
    const answer = await client.send(new ListFoundationModelsCommand({}));
    expect(answer.modelSummaries?.map((model) => model.modelId).sort()).toEqual(
      listed.regions["us-east-1"]!.modelSummaries.map((model) => model.modelId).sort(),
    );
    client.destroy();
    controller.abort();
    expect(await running).toBe(0);
  });

  it("emulate --control-plane with a file that is not control-plane data fails naming the file", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "bedrock-forge-control-plane-"));
    try {
      const file = path.join(folder, "lists.json");
      writeFileSync(file, JSON.stringify({ regions: { "us-east-1": { modelSummaries: [{ modelId: 1 }] } } }));
      await expect(runEmulate(["--port", "0", "--control-plane", file], capture())).rejects.toThrow(file);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("runRecord records until stopped", async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), "bedrock-forge-cli-record-"));
    const io = capture();
    const controller = new AbortController();
    const running = runRecord(
      [
        "--upstream",
        "http://127.0.0.1:9",
        "--out",
        outDir,
        "--port",
        "0",
        "--access-key-id",
        "AKID",
        "--secret-access-key",
        "S",
      ],
      io,
      controller.signal,
    );
    await eventually(() => /listening on http/.test(io.out()));
    controller.abort();
    expect(await running).toBe(0);
    expect(io.out()).toMatch(/0 fixtures written/);
    rmSync(outDir, { recursive: true, force: true });
  });

  it("the installed command prints its URL and stops on SIGTERM", async () => {
    const bin = new URL("../../bin/bedrock-forge.js", import.meta.url).pathname;
    const child = spawn(process.execPath, [bin, "emulate", "--port", "0", "--mode", "synthesize"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    try {
      await eventually(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(out), 15_000);
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
      const client = sdkClient({ url } as Emulator, "h2");
      expect((await client.send(invoke())).$metadata.httpStatusCode).toBe(200);
      client.destroy();
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
