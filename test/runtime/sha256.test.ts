/**
 * The SDK hash constructor bedrock-forge's clients use (runtime/sha256.ts) against the SDK's own
 * (@smithy/hash-node): same SHA-256 and HMAC bytes for any key and message, chunked or not, and the same
 * SigV4 signature when each signs the same request.
 */
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Sha256 } from "../../runtime/sha256.js";

const reference = Hash.bind(null, "sha256");
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

async function digestOf(
  Ctor: new (
    secret?: string | Uint8Array,
  ) => { update(data: Uint8Array): void; digest(): Promise<Uint8Array> },
  secret: string | Uint8Array | undefined,
  chunks: readonly Uint8Array[],
): Promise<string> {
  const hasher = new Ctor(secret);
  for (const chunk of chunks) hasher.update(chunk);
  return hex(await hasher.digest());
}

const key = fc.oneof(fc.string({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }));
const chunks = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 });

describe("Sha256", () => {
  it("hashes like the SDK's Hash, in one chunk or several", async () => {
    await fc.assert(
      fc.asyncProperty(chunks, async (parts) => {
        expect(await digestOf(Sha256, undefined, parts)).toBe(await digestOf(reference, undefined, parts));
      }),
    );
  });

  it("computes HMACs like the SDK's Hash, for string and byte keys", async () => {
    await fc.assert(
      fc.asyncProperty(key, chunks, async (secret, parts) => {
        expect(await digestOf(Sha256, secret, parts)).toBe(await digestOf(reference, secret, parts));
      }),
    );
  });

  it("gives a remembered HMAC as a fresh copy each time", async () => {
    const first = new Sha256("secret-key");
    first.update(Buffer.from("AKIDEXAMPLE"));
    const bytes = await first.digest();
    const expected = hex(bytes);
    bytes.fill(0);
    const second = new Sha256("secret-key");
    second.update(Buffer.from("AKIDEXAMPLE"));
    expect(hex(await second.digest())).toBe(expected);
    expect(expected).toBe(await digestOf(reference, "secret-key", [Buffer.from("AKIDEXAMPLE")]));
  });

  it("starts over after reset and digests the same content twice alike", async () => {
    const hasher = new Sha256();
    hasher.update(Buffer.from("discarded"));
    hasher.reset();
    hasher.update(Buffer.from("kept"));
    const once = hex(await hasher.digest());
    expect(hex(await hasher.digest())).toBe(once);
    expect(once).toBe(await digestOf(reference, undefined, [Buffer.from("kept")]));
  });

  it("signs a request exactly as SigV4 with the SDK's hash does", async () => {
    const credentials = {
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      sessionToken: "session-token",
    };
    const request = () =>
      new HttpRequest({
        method: "POST",
        protocol: "https:",
        hostname: "bedrock-runtime.us-east-1.amazonaws.com",
        path: "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
        headers: { "content-type": "application/json", host: "bedrock-runtime.us-east-1.amazonaws.com" },
        body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hello" }] }] }),
      });
    const signingDate = new Date("2026-11-26T12:00:00Z");
    const sign = (sha256: typeof reference | typeof Sha256) =>
      new SignatureV4({ credentials, region: "us-east-1", service: "bedrock", sha256 }).sign(request(), {
        signingDate,
      });
    const [ours, sdk] = await Promise.all([sign(Sha256), sign(reference)]);
    expect(ours.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\//);
    expect(ours.headers).toEqual(sdk.headers);
  });
});
