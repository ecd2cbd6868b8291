import type { StreamEvent } from "../../chat/model.js";

/**
 * The token counts of `amazon-bedrock-invocationMetrics`, which Bedrock adds to the last chunk of every
 * InvokeModelWithResponseStream answer (test/recordings: each family's invoke-stream recordings).
 */
export function decodeInvocationMetrics(chunk: Record<string, unknown>): StreamEvent[] {
  const metrics = chunk["amazon-bedrock-invocationMetrics"] as
    | { inputTokenCount?: number; outputTokenCount?: number }
    | undefined;
  if (!metrics) return [];
  return [
    { kind: "usage", promptTokens: metrics.inputTokenCount, completionTokens: metrics.outputTokenCount },
  ];
}
