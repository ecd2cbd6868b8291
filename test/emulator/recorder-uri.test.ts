// Issue 12, item 7: the recorder keeps no presigned query credentials in a fixture's http.uri
// (X-Amz-Security-Token, X-Amz-Credential and X-Amz-Signature are SigV4's query-string authentication
// parameters: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scrubPresignedQuery, startRecorder } from "../../emulator/recorder.js";
import { startEmulator } from "../../emulator/server.js";
import { credentials } from "./helpers.js";

const token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
const credential = "AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1%2Fbedrock%2Faws4_request";
const signature = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";

describe("scrubPresignedQuery", () => {
  it.each([
    ["https://h/model/m/invoke", "https://h/model/m/invoke"],
    [
      `https://h/model/m/invoke?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${credential}&X-Amz-Signature=${signature}&X-Amz-Security-Token=${token}`,
      "https://h/model/m/invoke?X-Amz-Algorithm=AWS4-HMAC-SHA256",
    ],
    [`https://h/p?x-amz-signature=${signature}`, "https://h/p"],
    [`https://h/p?X%2DAmz%2DSignature=${signature}&a=1#frag`, "https://h/p?a=1#frag"],
    ["https://h/p?a=1&&b=2", "https://h/p?a=1&b=2"],
  ])("%s", (uri, expected) => {
    expect(scrubPresignedQuery(uri)).toBe(expected);
  });
});

describe("recorder", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("writes http.uri without presigned credentials", async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), "bedrock-forge-record-uri-"));
    cleanup.push(() => rmSync(outDir, { recursive: true, force: true }));
    const upstream = await startEmulator({ mode: "synthesize" });
    cleanup.push(() => upstream.close());
    const recorder = await startRecorder({
      upstream: upstream.url,
      outDir,
      credentials,
      region: "us-east-1",
    });
    cleanup.push(() => recorder.close());
    const query = `X-Amz-Credential=${credential}&X-Amz-Signature=${signature}&X-Amz-Security-Token=${token}&trace=1`;
    const response = await fetch(`${recorder.url}/model/meta.llama3-8b-instruct-v1%3A0/invoke?${query}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "Record me", max_gen_len: 20 }),
    });
    expect(response.status).toBe(200);
    const [file] = readdirSync(outDir);
    const text = readFileSync(path.join(outDir, file!), "utf8");
    expect(JSON.parse(text).http.uri).toBe(
      `${upstream.url}/model/meta.llama3-8b-instruct-v1%3A0/invoke?trace=1`,
    );
    for (const secret of [token, signature, "AKIAIOSFODNN7EXAMPLE"]) expect(text).not.toContain(secret);
  });
});
