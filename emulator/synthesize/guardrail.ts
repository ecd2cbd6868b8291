/**
 * Guardrail interventions. A request that carries a guardrail (Converse `guardrailConfig`; InvokeModel
 * headers `X-Amzn-Bedrock-GuardrailIdentifier` / `-GuardrailVersion` / `-Trace`) and whose last user text
 * contains the trigger word is blocked on input, as Bedrock answers a topic-policy block: the blocked
 * message as the answer, `amazon-bedrock-guardrailAction: "INTERVENED"` in invoke bodies, and a trace when
 * tracing is enabled. Shapes follow recordings/amazon-titan-text/openllmetry_test_guardrail_invoke_stream.json
 * (invoke) and recordings/converse/openllmetry_test_guardrail_converse.json (Converse).
 */

type Json = Record<string, unknown>;

export interface GuardrailRequest {
  readonly identifier: string;
  readonly version: string;
  readonly trace: boolean;
}

/** The Bedrock console's default message for a blocked prompt. */
export const DEFAULT_BLOCKED_MESSAGE = "Sorry, the model cannot answer this question.";
export const DEFAULT_TRIGGER = "BLOCKED";

function assessment(textLength: number): Json {
  return {
    topicPolicy: {
      topics: [{ name: "bedrock-forge-emulator-topic", type: "DENY", action: "BLOCKED", detected: true }],
    },
    invocationMetrics: {
      guardrailProcessingLatency: 1,
      usage: {
        topicPolicyUnits: 1,
        contentPolicyUnits: 1,
        wordPolicyUnits: 1,
        sensitiveInformationPolicyUnits: 1,
        sensitiveInformationPolicyFreeUnits: 0,
        contextualGroundingPolicyUnits: 0,
      },
      guardrailCoverage: { textCharacters: { guarded: textLength, total: textLength } },
    },
  };
}

/** Fields an intervened invoke body (or last stream chunk) carries. */
export function invokeGuardrailFields(guardrail: GuardrailRequest, userText: string): Json {
  const fields: Json = { "amazon-bedrock-guardrailAction": "INTERVENED" };
  if (guardrail.trace) {
    fields["amazon-bedrock-trace"] = {
      guardrail: {
        input: { [guardrail.identifier]: assessment(userText.length) },
        actionReason: "Guardrail blocked.",
      },
    };
  }
  return fields;
}

/** The Converse `trace` member of an intervened answer (only when tracing is enabled). */
export function converseGuardrailTrace(guardrail: GuardrailRequest, userText: string): Json | undefined {
  if (!guardrail.trace) return undefined;
  return {
    guardrail: {
      actionReason: "Guardrail blocked.",
      inputAssessment: { [guardrail.identifier]: assessment(userText.length) },
      modelOutput: [],
    },
  };
}
