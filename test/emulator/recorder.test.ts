import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { afterAll, describe, expect, it } from "vitest";
import { scrubAccountIds, startRecorder } from "../../emulator/recorder.js";
import { startEmulator } from "../../emulator/server.js";
import type { Emulator } from "../../emulator/types.js";
import { credentials, rejectionOf, sdkClient } from "./helpers.js";

const LLAMA = "meta.llama3-8b-instruct-v1:0";
const CLAUDE = "us.anthropic.claude-3-haiku-20240307-v1:0";
const RECORDED_ARN = "arn:aws:bedrock:us-east-1:999988887777:application-inference-profile/abc123def456";
const SCRUBBED_ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456";

/** A scenario of calls; every result is returned so two runs can be compared. */
async function scenario(client: BedrockRuntimeClient, arn: string) {
  const messages = [{ role: "user" as const, content: [{ text: "Record me" }] }];
  const results: unknown[] = [];
  const invoked = await client.send(
    new InvokeModelCommand({
      modelId: LLAMA,
      contentType: "application/json",
      body: JSON.stringify({ prompt: "Record me", max_gen_len: 50 }),
    }),
  );
  results.push({ metadata: invoked.$metadata, body: new TextDecoder().decode(invoked.body) });
  const streamed = await client.send(
    new InvokeModelWithResponseStreamCommand({
      modelId: CLAUDE,
      contentType: "application/json",
      body: JSON.stringify({
        anthropic_version: "bedrock-2023-05-31",
        max_tokens: 50,
        messages: [{ role: "user", content: "Stream me" }],
      }),
    }),
  );
  const chunks: string[] = [];
  for await (const event of streamed.body!) chunks.push(new TextDecoder().decode(event.chunk!.bytes));
  results.push({ metadata: streamed.$metadata, chunks });
  const conversed = await client.send(new ConverseCommand({ modelId: LLAMA, messages }));
  results.push({ ...conversed });
  const conversedStream = await client.send(new ConverseStreamCommand({ modelId: LLAMA, messages }));
  const events: unknown[] = [];
  for await (const event of conversedStream.stream!) events.push(event);
  results.push({ metadata: conversedStream.$metadata, events });
  const counted = await client.send(
    new CountTokensCommand({
      modelId: "anthropic.claude-3-haiku-20240307-v1:0",
      input: { converse: { messages } },
    }),
  );
  results.push({ ...counted });
  const failed = await rejectionOf(
    client.send(new ConverseCommand({ modelId: "nobody.nothing-v1", messages })),
  );
  results.push({ name: failed.name, message: failed.message, status: failed.$metadata?.httpStatusCode });
  const viaArn = await client.send(new ConverseCommand({ modelId: arn, messages }));
  results.push({ ...viaArn });
  return results;
}

describe("recorder", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("records through a re-signing proxy, then replays the same results", async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), "bedrock-forge-record-"));
    cleanup.push(() => rmSync(outDir, { recursive: true, force: true }));
    const upstream = await startEmulator({ mode: "synthesize", models: { [RECORDED_ARN]: LLAMA } });
    cleanup.push(() => upstream.close());
    const recorder = await startRecorder({
      upstream: upstream.url,
      outDir,
      credentials,
      region: "us-east-1",
      scrubAccountIds: true,
    });
    cleanup.push(() => recorder.close());

    // The client signs with keys the upstream would refuse: the recorder re-signs with its own.
    const clientCredentials = {
      accessKeyId: "AKIACLIENTONLY000000",
      secretAccessKey: "client-secret-never-written",
    };
    const recordingClient = sdkClient({ url: recorder.url } as Emulator, "h2", {
      credentials: clientCredentials,
    });
    const recorded = await scenario(recordingClient, RECORDED_ARN);
    recordingClient.destroy();
    expect(upstream.requests.every((request) => request.auth === "sigv4")).toBe(true);
    expect(upstream.requests.map((request) => request.headers.authorization)).not.toContain(
      expect.stringContaining("AKIACLIENTONLY000000"),
    );

    const files = readdirSync(outDir).sort();
    expect(files).toHaveLength(7);
    expect(files[0]).toMatch(/^0001-invoke-meta\.llama3-8b-instruct-v1_0\.json$/);
    expect(files[5]).toMatch(/^0006-error-converse-nobody\.nothing-v1\.json$/);
    for (const file of files) {
      const text = readFileSync(path.join(outDir, file), "utf8");
      expect(text).not.toMatch(
        /AWS4-HMAC-SHA256|Signature=|client-secret|AKIACLIENTONLY|AKIAIOSFODNN7EXAMPLE/,
      );
      expect(text).not.toContain("999988887777");
      const fixture = JSON.parse(text);
      expect(fixture.provenance).toBe("recorded-by-bedrock-forge");
      const headerNames = Object.keys(fixture.http.requestHeaders).map((name) => name.toLowerCase());
      for (const secret of [
        "authorization",
        "x-amz-security-token",
        "cookie",
        "x-amz-date",
        "x-amz-content-sha256",
      ]) {
        expect(headerNames).not.toContain(secret);
      }
    }
    const streamFixture = JSON.parse(readFileSync(path.join(outDir, files[1]!), "utf8"));
    expect(streamFixture.operation).toBe("invoke-stream");
    expect(streamFixture.events[0]).toMatchObject({
      messageType: "event",
      eventType: "chunk",
      chunk: { type: "message_start" },
    });
    expect(streamFixture.events[0].payloadExtra).toEqual({ p: expect.any(String) });
    const errorFixture = JSON.parse(readFileSync(path.join(outDir, files[5]!), "utf8"));
    expect(errorFixture).toMatchObject({
      operation: "error",
      failedOperation: "converse",
      http: { status: 400 },
      response: { message: "The provided model identifier is invalid." },
    });
    expect(JSON.parse(readFileSync(path.join(outDir, files[6]!), "utf8")).modelId).toBe(SCRUBBED_ARN);

    const replaying = await startEmulator({ mode: "replay", fixtures: [outDir] });
    cleanup.push(() => replaying.close());
    const replayClient = sdkClient(replaying, "http1");
    const replayed = await scenario(replayClient, SCRUBBED_ARN);
    replayClient.destroy();
    expect(replaying.requests.every((request) => request.source === "fixture")).toBe(true);
    expect(replayed).toEqual(recorded);
  });

  it("scrubs account ids only inside ARNs", () => {
    expect(
      scrubAccountIds(
        "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.x and 111122223333 and arn:aws:iam::444455556666:role/r",
      ),
    ).toBe(
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x and 111122223333 and arn:aws:iam::123456789012:role/r",
    );
    expect(
      scrubAccountIds("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A111122223333%3Aprovisioned-model%2Fx/invoke"),
    ).toBe("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aprovisioned-model%2Fx/invoke");
  });

  it("answers 502 when the upstream is unreachable", async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), "bedrock-forge-record-"));
    cleanup.push(() => rmSync(outDir, { recursive: true, force: true }));
    const recorder = await startRecorder({ upstream: "http://127.0.0.1:9", outDir, credentials });
    cleanup.push(() => recorder.close());
    const response = await fetch(`${recorder.url}/model/x/invoke`, { method: "POST", body: "{}" });
    expect(response.status).toBe(502);
    expect(readdirSync(outDir)).toHaveLength(0);
  });
});
