// `--port 0` picks a free port in every long-running command, and the command prints the address it
// actually got (not :0), so a script can read it and connect.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIO } from "../../cli/command.js";
import { runEmulate } from "../../cli/commands/emulate.js";
import { runRecord } from "../../cli/commands/record.js";
import { runServe } from "../../cli/commands/serve.js";

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-port-zero-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

type Runner = (argv: readonly string[], io: CommandIO, signal?: AbortSignal) => Promise<number>;

const cases: [string, Runner, () => string[], RegExp][] = [
  ["emulate", runEmulate, () => ["--port", "0"], /listening on (http:\/\/127\.0\.0\.1:\d+)/],
  [
    "record",
    runRecord,
    () => ["--port", "0", "--upstream", "http://127.0.0.1:9", "--out", path.join(directory, "recorded")],
    /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  ],
  [
    "serve",
    runServe,
    () => ["--model", "meta.llama3-8b-instruct-v1:0", "--port", "0", "--offline"],
    /"msg":"listening","url":"(http:\/\/127\.0\.0\.1:\d+)"/,
  ],
];

describe("--port 0 prints the address it got", { timeout: 60_000 }, () => {
  it.each(cases)("%s", async (_name, run, argv, pattern) => {
    let output = "";
    const io: CommandIO = {
      stdout: {
        write: (text) => {
          output += text;
        },
      },
      stderr: {
        write: (text) => {
          output += text;
        },
      },
      env: { PATH: process.env.PATH ?? "" },
      cwd: directory,
    };
    const stop = new AbortController();
    const running = run(argv(), io, stop.signal);
    try {
      const deadline = Date.now() + 45_000;
      while (!pattern.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const url = pattern.exec(output)?.[1];
      expect(url, output).toBeDefined();
      expect(url).not.toMatch(/:0$/);
      // Something answers there (any HTTP status will do).
      const response = await fetch(`${url}/`);
      expect(response.status).toBeGreaterThanOrEqual(200);
    } finally {
      stop.abort();
    }
    expect(await running).toBe(0);
  });
});
