import { createHash, createHmac, hash } from "node:crypto";
import type { Checksum, SourceData } from "@smithy/types";

type Bytes = string | Buffer;

function bytesOf(data: SourceData): Bytes {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** HMACs of a string key over short messages (the SigV4 signing-key cache key, recomputed per call). */
const keyedDigests = new Map<string, Buffer>();
const keyedDigestLimit = 64;
const keyedMessageLimit = 128;

/**
 * The SDK's `sha256` hash constructor (SigV4 payload and canonical-request hashes, HMACs) on node:crypto,
 * with fewer objects per call than the SDK's default: a plain hash of one chunk is one `crypto.hash`
 * call, and the HMAC of a string key over a short message (the signing-key cache lookup, which the
 * signer recomputes on every request) is remembered. Same results as the default (tested against it).
 */
export class Sha256 implements Checksum {
  readonly digestLength = 32;
  private readonly secret: Bytes | undefined;
  private chunks: Bytes[] = [];

  constructor(secret?: SourceData) {
    // An empty string key means a plain hash, as in the SDK's own constructors.
    this.secret = secret === undefined || secret === "" ? undefined : bytesOf(secret);
  }

  update(data: Uint8Array): void {
    this.chunks.push(bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    const { secret, chunks } = this;
    let digest: Buffer;
    if (secret === undefined) {
      if (chunks.length === 1) digest = hash("sha256", chunks[0]!, "buffer");
      else {
        const hasher = createHash("sha256");
        for (const chunk of chunks) hasher.update(chunk);
        digest = hasher.digest();
      }
    } else if (typeof secret === "string" && chunks.length === 1 && chunks[0]!.length <= keyedMessageLimit) {
      const message = chunks[0]!;
      const key = `${secret}\u0000${typeof message === "string" ? `s${message}` : `b${message.toString("latin1")}`}`;
      let known = keyedDigests.get(key);
      if (!known) {
        known = createHmac("sha256", secret).update(message).digest();
        if (keyedDigests.size >= keyedDigestLimit) keyedDigests.clear();
        keyedDigests.set(key, known);
      }
      // A copy: the remembered digest stays intact whatever the caller does with its bytes.
      return new Uint8Array(known);
    } else {
      const hmac = createHmac("sha256", secret);
      for (const chunk of chunks) hmac.update(chunk);
      digest = hmac.digest();
    }
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  }

  reset(): void {
    this.chunks = [];
  }
}
