/**
 * Request authentication as Bedrock Runtime does it: AWS Signature Version 4 (recomputed from the
 * received request with @smithy/signature-v4) or a Bedrock API key sent as `Authorization: Bearer <key>`.
 *
 * Wire details the verifier tolerates (measured with real clients, see WIRE-NOTES.md):
 * - the signature covers the raw path as sent (model ids percent-encoded), which the signer escapes again;
 * - over HTTP/2 there is no `host` header, only `:authority`; some clients sign `host` without the port
 *   but send `host:port`; every form is tried before a signature is declared wrong.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "../runtime/sha256.js";
import { createError, EmulatorError, errorMessages } from "./errors.js";

/** A pair of long-term credentials the emulator accepts. */
export interface EmulatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** AWS's documented example credentials (https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html). */
export const exampleCredentials: EmulatorCredentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

/** How far the request time may be from the server's clock. */
const MAX_SKEW_MS = 5 * 60 * 1000;

/** What the verifier needs from a request. */
export interface SignedRequestParts {
  readonly method: string;
  /** The raw path as sent, without the query. */
  readonly path: string;
  readonly query: string;
  /** Lower-cased header names. HTTP/2 pseudo-headers (`:authority`) included. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string): ParsedAuthorization | undefined {
  if (!value.startsWith("AWS4-HMAC-SHA256 ")) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.slice("AWS4-HMAC-SHA256 ".length).split(",")) {
    const separator = part.indexOf("=");
    if (separator > 0) fields.set(part.slice(0, separator).trim(), part.slice(separator + 1).trim());
  }
  const credential = fields.get("Credential")?.split("/");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (credential?.length !== 5 || !signedHeaders || !signature) return undefined;
  const [accessKeyId, date, region, service, terminator] = credential as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (terminator !== "aws4_request") return undefined;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(";"), signature };
}

/** Parses an ISO 8601 basic timestamp (`20250130T064508Z`). */
function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
}

function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function headerValue(headers: SignedRequestParts["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function parseQuery(query: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  if (!query) return result;
  for (const [key, value] of new URLSearchParams(query)) {
    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else result[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

/** The host forms a client may have signed: as sent, without the port, with the port. */
function hostCandidates(headers: SignedRequestParts["headers"]): string[] {
  const sent = headerValue(headers, "host") ?? headerValue(headers, ":authority") ?? "";
  const candidates = [sent];
  const withoutPort = sent.replace(/:\d+$/, "");
  if (withoutPort !== sent) candidates.push(withoutPort);
  const authority = headerValue(headers, ":authority");
  if (authority && !candidates.includes(authority)) candidates.push(authority);
  return candidates;
}

export interface AuthenticatorOptions {
  readonly credentials: readonly EmulatorCredentials[];
  readonly apiKeys: readonly string[];
  readonly verifySignature: boolean;
  /** The server clock (tests move it). */
  readonly now?: () => number;
}

/** Checks the authentication of each request; throws the EmulatorError Bedrock would answer with. */
export class Authenticator {
  private readonly secrets = new Map<string, string>();
  private readonly signers = new Map<string, SignatureV4>();
  private readonly apiKeys: Set<string>;
  private readonly now: () => number;

  constructor(private readonly options: AuthenticatorOptions) {
    for (const credential of options.credentials)
      this.secrets.set(credential.accessKeyId, credential.secretAccessKey);
    this.apiKeys = new Set(options.apiKeys);
    this.now = options.now ?? Date.now;
  }

  /**
   * Resolves when the request is authenticated; throws otherwise. Returns how it was authenticated. A SigV4
   * signature must be scoped to `service`: `bedrock` for Bedrock Runtime, `bedrock-mantle` for bedrock-mantle.
   */
  async authenticate(request: SignedRequestParts, service = "bedrock"): Promise<"sigv4" | "bearer" | "none"> {
    if (!this.options.verifySignature) return "none";
    const authorization = headerValue(request.headers, "authorization");
    if (!authorization) {
      throw new EmulatorError("MissingAuthenticationTokenException", errorMessages.missingAuthentication, {
        messageKey: "Message",
      });
    }
    if (/^bearer\s/i.test(authorization)) {
      this.checkApiKey(authorization.replace(/^bearer\s+/i, "").trim());
      return "bearer";
    }
    await this.checkSignature(request, authorization, service);
    return "sigv4";
  }

  private checkApiKey(key: string): void {
    if (this.apiKeys.has(key)) return;
    // Bedrock API keys start with a fixed prefix (long-term `ABSK`, short-term `bedrock-api-key-`).
    if (!/^(ABSK|bedrock-api-key-)/.test(key)) {
      throw new EmulatorError("AccessDeniedException", errorMessages.invalidApiKeyFormat, {
        messageKey: "Message",
      });
    }
    throw createError("UnrecognizedClientException", errorMessages.unrecognizedClient);
  }

  private signerFor(accessKeyId: string, secretAccessKey: string): SignatureV4 {
    let signer = this.signers.get(accessKeyId);
    if (!signer) {
      signer = new SignatureV4({
        credentials: { accessKeyId, secretAccessKey },
        region: "us-east-1",
        service: "bedrock",
        sha256: Sha256,
        applyChecksum: false,
      });
      this.signers.set(accessKeyId, signer);
    }
    return signer;
  }

  private async checkSignature(
    request: SignedRequestParts,
    authorization: string,
    service: string,
  ): Promise<void> {
    const parsed = parseAuthorization(authorization);
    if (!parsed) {
      throw createError(
        "IncompleteSignatureException",
        `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${authorization.split(" ")[0]}`,
      );
    }
    const secret = this.secrets.get(parsed.accessKeyId);
    if (secret === undefined)
      throw createError("UnrecognizedClientException", errorMessages.unrecognizedClient);

    const amzDate = headerValue(request.headers, "x-amz-date");
    const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
    if (!amzDate || !signingDate) {
      throw createError(
        "IncompleteSignatureException",
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      );
    }
    // AWS's wording, as recorded in ../shared/recordings/errors (otel-js fixtures):
    // "Signature expired: 20250130T064508Z is now earlier than 20250210T013411Z (20250210T013911Z - 5 min.)"
    const now = this.now();
    if (signingDate.getTime() < now - MAX_SKEW_MS) {
      throw createError(
        "InvalidSignatureException",
        `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now - MAX_SKEW_MS))} (${formatAmzDate(new Date(now))} - 5 min.)`,
      );
    }
    if (signingDate.getTime() > now + MAX_SKEW_MS) {
      throw createError(
        "InvalidSignatureException",
        `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(now + MAX_SKEW_MS))} (${formatAmzDate(new Date(now))} + 5 min.)`,
      );
    }
    if (parsed.service !== service) {
      throw createError(
        "InvalidSignatureException",
        `Credential should be scoped to correct service: '${service}'. `,
      );
    }

    // A declared payload hash must be the body's: the signature covers the header, not the body itself.
    const declaredHash = headerValue(request.headers, "x-amz-content-sha256");
    if (declaredHash && declaredHash !== "UNSIGNED-PAYLOAD") {
      const actualHash = createHash("sha256").update(request.body).digest("hex");
      if (declaredHash !== actualHash)
        throw createError("InvalidSignatureException", errorMessages.invalidSignature);
    }

    const signer = this.signerFor(parsed.accessKeyId, secret);
    const expected = Buffer.from(parsed.signature, "utf8");
    const signedHeaderSet = new Set(parsed.signedHeaders);
    const hosts = signedHeaderSet.has("host") ? hostCandidates(request.headers) : [""];
    for (const host of hosts) {
      const headers: Record<string, string> = {};
      for (const name of parsed.signedHeaders) {
        const value = name === "host" ? host : headerValue(request.headers, name);
        if (value !== undefined) headers[name] = value;
      }
      const toSign = new HttpRequest({
        method: request.method,
        protocol: "http:",
        hostname: host.replace(/:\d+$/, ""),
        path: request.path,
        query: parseQuery(request.query),
        headers,
        body: request.body,
      });
      const signed = await signer.sign(toSign, {
        signingDate,
        signingRegion: parsed.region,
        signingService: parsed.service,
        signableHeaders: signedHeaderSet,
      });
      const computed = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1] ?? "";
      const actual = Buffer.from(computed, "utf8");
      if (actual.length === expected.length && timingSafeEqual(actual, expected)) return;
    }
    throw createError("InvalidSignatureException", errorMessages.invalidSignature);
  }
}
