import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";

/** Bedrock's response headers, captured for families whose usage comes from them. */
export const responseHeadersKey = Symbol.for("bedrock-forge.response-headers");
const instrumented = new WeakSet<BedrockRuntimeClient>();

/** Adds the middleware that keeps each response's headers on the command output. Idempotent. */
export function instrumentClient(client: BedrockRuntimeClient): BedrockRuntimeClient {
  if (instrumented.has(client)) return client;
  instrumented.add(client);
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string> } | undefined)?.headers;
      if (headers && result.output && typeof result.output === "object") {
        Object.defineProperty(result.output, responseHeadersKey, { value: headers, enumerable: false });
      }
      return result;
    },
    { step: "deserialize", name: "bedrockForgeResponseHeaders", priority: "high" },
  );
  return client;
}
