/**
 * bedrock-forge's SigV4 signer (runtime/signer.ts) against its oracle, the SDK's own `SignatureV4` from
 * @smithy/signature-v4: for the same request, credentials, date, Region and service, the signed request
 * must be the same — every header, in the same order, and the same signature.
 */
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest as SignedRequest } from "@smithy/types";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Sha256 } from "../../runtime/sha256.js";
import { ForgeSignatureV4 } from "../../runtime/signer.js";

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function signers(credentials: Credentials, applyChecksum?: boolean) {
  const init = { credentials, region: "us-east-1", service: "bedrock", sha256: Sha256, uriEscapePath: true };
  return {
    stock: new SignatureV4({ ...init, ...(applyChecksum === undefined ? {} : { applyChecksum }) }),
    forge: new ForgeSignatureV4({ ...init, ...(applyChecksum === undefined ? {} : { applyChecksum }) }),
  };
}

/** Everything a signed request carries, headers as ordered entries. */
function described(request: SignedRequest) {
  return { ...request, headers: Object.entries(request.headers) };
}

const headerName = fc.oneof(
  fc.constantFrom(
    "content-type",
    "Content-Type",
    "x-amz-user-agent",
    "amz-sdk-request",
    "user-agent",
    "accept",
  ),
  fc.stringMatching(/^x-[a-z]{1,8}$/),
);
const headerValue = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("  spaced   value ", "a\tb"));
const body = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
  fc.constant(undefined),
  fc.constant(""),
);
const credentials = fc.record(
  {
    accessKeyId: fc.constantFrom("AKIAIOSFODNN7EXAMPLE", "ASIAEXAMPLE"),
    secretAccessKey: fc.string({ minLength: 1, maxLength: 40 }),
    sessionToken: fc.string({ minLength: 1, maxLength: 30 }),
  },
  { requiredKeys: ["accessKeyId", "secretAccessKey"] },
);
const request = fc.record({
  path: fc.oneof(
    fc.constant("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"),
    fc.stringMatching(/^\/[a-z0-9/.:%-]{0,30}$/),
  ),
  headers: fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
  body,
  presetPayloadHash: fc.boolean(),
});
const when = fc.date({
  min: new Date("2020-01-01T00:00:00Z"),
  max: new Date("2030-01-01T00:00:00Z"),
  noInvalidDate: true,
});

/** A POST to example.com with this body. */
function requestWithBody(body: unknown): HttpRequest {
  return new HttpRequest({
    method: "POST",
    hostname: "example.com",
    path: "/",
    headers: { host: "example.com" },
    body,
  });
}

describe("the signer signs as the SDK's SignatureV4 does", () => {
  it("same headers in the same order, same signature, for any request, body, credentials and date", async () => {
    await fc.assert(
      fc.asyncProperty(
        request,
        credentials,
        when,
        fc.constantFrom("us-east-1", "eu-west-3"),
        fc.option(fc.boolean(), { nil: undefined }),
        async (given, keys, date, region, applyChecksum) => {
          const make = () =>
            new HttpRequest({
              method: "POST",
              protocol: "https:",
              hostname: "bedrock-runtime.us-east-1.amazonaws.com",
              path: given.path,
              headers: {
                host: "bedrock-runtime.us-east-1.amazonaws.com",
                ...given.headers,
                ...(given.presetPayloadHash ? { "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD" } : {}),
              },
              body: given.body,
            });
          const { stock, forge } = signers(keys, applyChecksum);
          const options = { signingDate: date, signingRegion: region, signingService: "bedrock" };
          const expected = await stock.sign(make(), options);
          const actual = await forge.sign(make(), options);
          expect(described(actual)).toEqual(described(expected));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("requests signed within one second and across seconds get their own dates", async () => {
    const { stock, forge } = signers({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" });
    const make = () => requestWithBody("{}");
    for (const at of [
      "2026-12-07T08:15:00.100Z",
      "2026-12-07T08:15:00.900Z",
      "2026-12-07T08:15:01.000Z",
      "2026-12-08T00:00:00.000Z",
    ]) {
      const options = { signingDate: new Date(at) };
      const actual = await forge.sign(make(), options);
      expect(actual.headers["x-amz-date"]).toBe(`${at.slice(0, 19).replace(/[-:]/g, "")}Z`);
      expect(described(actual)).toEqual(described(await stock.sign(make(), options)));
    }
  });

  it("strings, and a request whose body is a stream, are signed by the SDK's own steps", async () => {
    const { stock, forge } = signers({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" });
    const options = { signingDate: new Date("2026-12-07T08:15:00Z") };
    expect(await forge.sign("a string to sign", options)).toBe(await stock.sign("a string to sign", options));
    const { Readable } = await import("node:stream");
    const streamed = () => requestWithBody(Readable.from(["{}"]));
    const actual = await forge.sign(streamed(), options);
    expect(actual.headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD");
    expect(actual.headers.authorization).toBe((await stock.sign(streamed(), options)).headers.authorization);
  });
});
