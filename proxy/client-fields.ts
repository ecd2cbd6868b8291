import { connectionFields } from "../runtime/connection.js";

/**
 * Request fields that choose what Bedrock account, endpoint or resource is used. A client may send
 * them only when the config allows it (`general_settings.allow_client_side_credentials`, or a
 * deployment's `configurable_clientside_auth_params`): otherwise any caller could spend the proxy's
 * credentials on other models or send them to another endpoint.
 */
export const clientSideAuthFields: ReadonlySet<string> = new Set([
  // Every connection field the runtime reads from a request (a new one is locked here at once), except
  // the retries and timeout the proxy decides itself, plus LiteLLM's names and the Bedrock model id.
  ...connectionFields.filter((field) => field !== "num_retries" && field !== "timeout"),
  "api_base",
  "api_key",
  "model_id",
]);

/** The request fields that choose the endpoint a call is sent to (LiteLLM's name and the runtime's). */
export const clientEndpointFields: readonly string[] = [
  "aws_bedrock_runtime_endpoint",
  "api_base",
  "endpoint",
];

/**
 * The request fields that bring an identity of the request's own: with one of them the runtime signs (or
 * authorizes) the call with it alone, never with the deployment's.
 */
export const clientIdentityFields: readonly string[] = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "api_key",
  "apiKey",
  "credentials",
];
