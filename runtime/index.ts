export {
  type Bedrock,
  type BedrockOptions,
  type ChatCompletions,
  createBedrock,
  type ModelRef,
} from "./client.js";
export type { CatalogEntry } from "./descriptor.js";
export {
  BedrockCallError,
  BedrockForgeError,
  ContentFilterError,
  type ErrorType,
  ModelNotSupportedError,
  RequestValidationError,
  ResponseParseError,
} from "./errors.js";
export { resolveModel } from "./models.js";
export type {
  AssistantMessage,
  AwsCredentialsInput,
  BehaviourOptions,
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  ChatCompletionStream,
  ChatCompletionStreamParams,
  ChatMessage,
  ConnectionOptions,
  ContentPart,
  CreateEmbeddingResponse,
  EmbeddingCreateParams,
  FinishReason,
  FunctionTool,
  GuardrailConfig,
  ImageGenerateParams,
  ImagesResponse,
  KnownModelRef,
  ProviderParamsOf,
  RequestOptions,
  ToolCall,
  ToolChoice,
  Usage,
} from "./types.js";
