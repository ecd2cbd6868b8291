// `serve --offline`: the proxy runs its config against a built-in emulator, so a config that names
// real accounts (profiles, keys, provisioned-throughput ARNs) serves without AWS or a network.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandIO } from "../../cli/command.js";
import { runServe } from "../../cli/commands/serve.js";
import { parseServeArgs } from "../../cli/commands/serve-args.js";

function captureIO(cwd: string): CommandIO & { out: () => string; err: () => string } {
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
    // No AWS settings at all: offline must not need them.
    env: { PATH: process.env.PATH ?? "" },
    cwd,
    out: () => out,
    err: () => err,
  };
}

/** Resolves with the proxy's URL from its `listening` log line (a liveness bound only). */
async function waitForListening(io: { out: () => string }): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const line of io.out().split("\n")) {
      if (!line.startsWith("{")) continue;
      const parsed = JSON.parse(line) as { msg?: string; url?: string };
      if (parsed.msg === "listening" && parsed.url) return parsed.url;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the proxy did not start: ${io.out()}`);
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-serve-offline-"));
  await writeFile(
    path.join(directory, "config.yaml"),
    [
      "model_list:",
      "  - model_name: claude",
      "    litellm_params:",
      "      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0",
      "      aws_profile_name: a-profile-this-machine-does-not-have",
      "      aws_region_name: us-west-2",
      "  - model_name: llama-provisioned",
      "    litellm_params:",
      "      model: bedrock/meta.llama3-8b-instruct-v1:0",
      "      model_id: arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123example",
      "      aws_access_key_id: AKIAREALLOOKINGKEY000",
      "      aws_secret_access_key: not-a-real-secret",
      "      aws_bedrock_runtime_endpoint: https://bedrock-runtime.us-east-1.amazonaws.com",
      "  - model_name: embed",
      "    litellm_params:",
      "      model: bedrock/amazon.titan-embed-text-v2:0",
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("bedrock-forge serve --offline", { timeout: 120_000 }, () => {
  it("answers every deployment of a config from the built-in emulator, chat, stream and embeddings", async () => {
    const io = captureIO(directory);
    const stop = new AbortController();
    const running = runServe(["--config", "config.yaml", "--port", "0", "--offline"], io, stop.signal);
    try {
      const url = await waitForListening(io);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
      expect(io.err()).toMatch(
        /^bedrock-forge serve: offline: every deployment goes to the built-in emulator at http:\/\/127\.0\.0\.1:\d+ /,
      );
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
      const chat = await client.chat.completions.create({
        model: "claude",
        messages: [{ role: "user", content: "hello offline" }],
      });
      expect(chat.choices[0]!.message.content).toContain("hello offline");
      const provisioned = await client.chat.completions.create({
        model: "llama-provisioned",
        messages: [{ role: "user", content: "through an ARN" }],
      });
      expect(provisioned.choices[0]!.message.content).toContain("through an ARN");
      let streamed = "";
      for await (const chunk of await client.chat.completions.create({
        model: "claude",
        messages: [{ role: "user", content: "stream it" }],
        stream: true,
      }))
        streamed += chunk.choices[0]?.delta.content ?? "";
      expect(streamed).toContain("stream it");
      const vectors = await client.embeddings.create({ model: "embed", input: ["a", "b"] });
      expect(vectors.data).toHaveLength(2);
    } finally {
      stop.abort();
    }
    expect(await running).toBe(0);
  });

  it("serves one --model offline; refuses --offline with --endpoint or --workers", async () => {
    const io = captureIO(directory);
    const stop = new AbortController();
    const running = runServe(
      ["--model", "meta.llama3-8b-instruct-v1:0", "--port", "0", "--offline"],
      io,
      stop.signal,
    );
    try {
      const client = new OpenAI({ baseURL: `${await waitForListening(io)}/v1`, apiKey: "x", maxRetries: 0 });
      const chat = await client.chat.completions.create({
        model: "meta.llama3-8b-instruct-v1:0",
        messages: [{ role: "user", content: "one model" }],
      });
      expect(chat.choices[0]!.message.content).toContain("one model");
    } finally {
      stop.abort();
    }
    expect(await running).toBe(0);
    const cwd = { env: {}, cwd: directory };
    expect(() =>
      parseServeArgs(["--model", "m", "--endpoint", "http://127.0.0.1:1", "--offline"], cwd),
    ).toThrow("--offline starts its own emulator; do not combine it with --endpoint");
    expect(() => parseServeArgs(["--config", "config.yaml", "--workers", "2", "--offline"], cwd)).toThrow(
      "--offline serves from one process with its emulator; drop --workers",
    );
  });
});
