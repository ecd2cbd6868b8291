/**
 * `bedrock-forge serve --workers N` as a process: N workers share the port and all answer, log lines
 * name their worker and are never torn, a killed worker is replaced, SIGTERM drains every worker (an
 * in-flight stream still ends with [DONE]) and exits 0, a bad config stops everything before any worker.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIO } from "../../cli/command.js";
import { runCli } from "../../cli/main.js";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { splitAtLines } from "../../proxy/log.js";
import { claude, exampleKeys, waitFor } from "./helpers.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Line {
  readonly msg: string;
  readonly worker?: number;
  readonly workers?: number;
  readonly pid?: number;
  readonly url?: string;
  readonly status?: number;
}

/** A served process and its parsed stdout lines (every line must be whole JSON). */
function serve(args: readonly string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(root, "bin/bedrock-forge.js"), "serve", ...args],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout!.on("data", (piece: Buffer) => {
    out += piece.toString("utf8");
  });
  child.stderr!.on("data", (piece: Buffer) => {
    err += piece.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const lines = (): Line[] =>
    out
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Line);
  return { child, exited, lines, err: () => err };
}

/** A chat request on a new connection (so the cluster hands it to the next worker in turn). */
function chat(url: string, stream = false): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/v1/chat/completions`,
      {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          authorization: "Bearer sk-workers",
          connection: "close",
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8").on("data", (piece: string) => {
          text += piece;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(JSON.stringify({ model: "claude", messages: [{ role: "user", content: "hi" }], stream }));
  });
}

/** GET /metrics on a new connection (so the cluster hands it to the next worker in turn). */
function scrape(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(
        `${url}/metrics`,
        { agent: false, headers: { authorization: "Bearer sk-workers", connection: "close" } },
        (response) => {
          let text = "";
          response.setEncoding("utf8").on("data", (piece: string) => {
            text += piece;
          });
          response.on("end", () => resolve(text));
          response.on("error", reject);
        },
      )
      .on("error", reject);
  });
}

describe("bedrock-forge serve --workers", () => {
  let emulator: Emulator;
  let directory: string;
  let configFile: string;
  const env = {
    TEST_AWS_ACCESS_KEY_ID: exampleKeys.aws_access_key_id,
    TEST_AWS_SECRET_ACCESS_KEY: exampleKeys.aws_secret_access_key,
  };

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
    directory = await mkdtemp(path.join(tmpdir(), "bedrock-forge-workers-"));
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
        "  master_key: sk-workers",
        "",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    await emulator?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("shares the port among workers, replaces a killed one, and drains all on SIGTERM", {
    timeout: 60_000,
  }, async () => {
    const served = serve(
      ["--config", configFile, "--port", "0", "--workers", "2", "--drain-ms", "10000"],
      env,
    );
    try {
      await waitFor(() => served.lines().some((line) => line.msg === "workers listening"), 30_000);
      const url = served.lines().find((line) => line.msg === "workers listening")!.url!;
      const listening = served.lines().filter((line) => line.msg === "listening");
      expect(listening.map((line) => line.worker).sort()).toEqual([1, 2]);

      // Both workers answer.
      for (let index = 0; index < 8; index++) expect((await chat(url)).status).toBe(200);
      await waitFor(() => served.lines().filter((line) => line.msg === "request").length === 8, 5000);
      const answeredBy = new Set(
        served.lines().flatMap((line) => (line.msg === "request" ? [line.worker] : [])),
      );
      expect(answeredBy).toEqual(new Set([1, 2]));

      // /metrics adds up every worker's counts, whichever worker the scrape lands on.
      for (let index = 0; index < 3; index++) {
        const text = await scrape(url);
        const line = text
          .split("\n")
          .find((sample) =>
            sample.startsWith(
              'bedrock_forge_requests_total{path="/v1/chat/completions",model="claude",status="200"} ',
            ),
          );
        expect(line?.split(" ")[1]).toBe("8");
      }

      // A worker that dies is replaced, and the server keeps answering.
      process.kill(listening[0]!.pid!, "SIGKILL");
      await waitFor(
        () => served.lines().some((line) => line.msg === "worker exited; starting another"),
        10_000,
      );
      await waitFor(() => served.lines().filter((line) => line.msg === "listening").length === 3, 30_000);
      for (let index = 0; index < 4; index++) expect((await chat(url)).status).toBe(200);

      // SIGTERM to the primary: every worker drains; the stream in flight still ends with [DONE].
      const streaming = chat(url, true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      served.child.kill("SIGTERM");
      const streamed = await streaming;
      expect(streamed.status).toBe(200);
      expect(streamed.text.trimEnd().endsWith("data: [DONE]")).toBe(true);
      expect(await served.exited).toBe(0);
      const messages = served.lines().map((line) => line.msg);
      expect(messages).toContain("stopping workers");
      expect(messages.filter((message) => message === "stopped")).toHaveLength(3); // two workers and the primary
      expect(served.lines().at(-1)).toMatchObject({ msg: "stopped", workers: 2 });
    } finally {
      served.child.kill("SIGKILL");
    }
  });

  it("stops with exit code 1 before starting any worker on a bad config", { timeout: 30_000 }, async () => {
    const bad = path.join(directory, "bad.yaml");
    await writeFile(
      bad,
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/x\n      top_p: lots\n",
    );
    const served = serve(["--config", bad, "--port", "0", "--workers", "2"], {});
    expect(await served.exited).toBe(1);
    expect(served.lines()).toEqual([]);
    const reports = served.err().match(/top_p: must be number/g) ?? [];
    expect(reports).toHaveLength(1);
  });

  it("stops with exit code 1 when the workers cannot listen (port taken)", { timeout: 30_000 }, async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = taken.address() as net.AddressInfo;
      const served = serve(["--config", configFile, "--port", String(port), "--workers", "2"], env);
      expect(await served.exited).toBe(1);
      expect(served.lines().map((line) => line.msg)).toContain("a worker stopped before it listened");
      expect(served.err()).toContain("EADDRINUSE");
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("refuses a worker count that is not a positive integer, or both spellings", async () => {
    for (const argv of [
      ["serve", "--model", claude, "--workers", "0"],
      ["serve", "--model", claude, "--workers", "1.5"],
      ["serve", "--model", claude, "--workers", "2", "--num_workers", "2"],
    ]) {
      let err = "";
      const io: CommandIO = {
        stdout: { write: () => true },
        stderr: {
          write: (text: string) => {
            err += text;
          },
        },
        env: {},
        cwd: root,
      };
      expect(await runCli(argv, io)).toBe(2);
      expect(err).toMatch(/workers/);
    }
  });
});

describe("log writes for several processes", () => {
  it("cut batched lines at line ends into writes of at most the limit in bytes", () => {
    const lines = Array.from(
      { length: 40 },
      (_, index) => `${JSON.stringify({ index, text: "é".repeat(index * 7) })}\n`,
    );
    const text = lines.join("");
    const pieces = splitAtLines(text, 256);
    expect(pieces.join("")).toBe(text);
    for (const piece of pieces) {
      expect(piece.endsWith("\n")).toBe(true);
      const single = piece.split("\n").length === 2;
      if (!single) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(256);
    }
    expect(pieces.length).toBeGreaterThan(5);
    // A line longer than the limit is written whole, on its own.
    const long = `${"x".repeat(300)}\n`;
    expect(splitAtLines(`a\n${long}b\n`, 256)).toEqual(["a\n", long, "b\n"]);
  });
});
