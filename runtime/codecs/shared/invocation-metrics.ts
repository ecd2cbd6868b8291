import type { StreamEvent } from "../../chat/model.js";

/**
 * Adds the token counts of `amazon-bedrock-invocationMetrics`, which Bedrock puts on the last chunk of every
 * InvokeModelWithResponseStream answer (test/recordings: each family's invoke-stream recordings).
 */
export function addInvocationMetrics(chunk: Record<string, unknown>, events: StreamEvent[]): void {
  const metrics = chunk["amazon-bedrock-invocationMetrics"] as
    | { inputTokenCount?: number; outputTokenCount?: number }
    | undefined;
  if (!metrics) return;
  events.push({
    kind: "usage",
    promptTokens: metrics.inputTokenCount,
    completionTokens: metrics.outputTokenCount,
  });
}
