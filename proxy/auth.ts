import { hash, timingSafeEqual } from "node:crypto";
import { ProxyError } from "./errors.js";

function digest(value: string): Buffer {
  return hash("sha256", value, "buffer");
}

/**
 * Checks `Authorization: Bearer <key>` against the master key. Both sides are hashed first so the
 * comparison runs on equal-length digests in constant time, whatever the length of what was sent.
 */
export function createKeyCheck(masterKey: string): (authorization: string | undefined) => void {
  const expected = digest(masterKey);
  return (authorization) => {
    if (authorization === undefined || authorization === "") {
      throw new ProxyError(
        "Missing API key: send the proxy's key as `Authorization: Bearer <key>` (api_key in OpenAI clients)",
        { status: 401, type: "authentication_error", code: "missing_api_key" },
      );
    }
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    const presented = digest(match ? match[1]!.trim() : "");
    if (!match || !timingSafeEqual(presented, expected)) {
      throw new ProxyError("Invalid API key for this proxy", {
        status: 401,
        type: "authentication_error",
        code: "invalid_api_key",
      });
    }
  };
}
