/**
 * LiteLLM's `mock_response` as a request gives it; read on every chat call, so it stays apart from the
 * mock answers themselves (runtime/chat/mock.ts), which are loaded only when a request asks for one.
 */
import { RequestValidationError } from "../errors.js";

/** The mock answer a request asks for, if any (a string, as LiteLLM takes it). */
export function readMockResponse(request: Readonly<Record<string, unknown>>): string | undefined {
  const mock = request.mock_response;
  if (mock === undefined || mock === null) return undefined;
  if (typeof mock !== "string") {
    throw new RequestValidationError(
      `mock_response must be the answer's text (got ${JSON.stringify(mock)})`,
      { param: "mock_response", code: "invalid_param_value" },
    );
  }
  return mock;
}
