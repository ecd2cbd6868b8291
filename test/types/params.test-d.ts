/**
 * Type-level tests of per-model provider params, checked by `npm run typecheck`.
 *
 * Every `// @ts-expect-error <name>: <why>` sits right above the line that must fail, and names the
 * property (or variable) the error must point at; params.test.ts removes the directives and checks
 * that tsc reports exactly those errors at exactly those places, so none passes for an unrelated reason.
 *
 * The model ids, profiles and capabilities used here are the catalog's (specs/*.yaml); when a spec
 * changes them, pick ids here that still show the same thing.
 */
import { expectTypeOf } from "vitest";
import type { ModelParams } from "../../generated/catalog.js";
import type { AnthropicClaudeMessagesParams } from "../../generated/families/anthropic-claude-messages.js";
import { uncheckedModel } from "../../runtime/model-ref.js";
import type {
  BaseModelOf,
  ChatCompletionCreateParams,
  ChatCompletionStreamParams,
  ChatModelRef,
  EmbeddingCreateParams,
  EmbeddingModelRef,
  KnownModelRef,
  ProviderParamsOf,
  RerankCreateParams,
  RerankModelRef,
  UntypedParams,
} from "../../runtime/types.js";

// How callers use the types (the constraints of the client's methods): the model id literal picks the params.
declare function create<M extends ChatModelRef>(params: ChatCompletionCreateParams<M>): void;
declare function stream<M extends ChatModelRef>(params: ChatCompletionStreamParams<M>): void;
declare function embed<M extends EmbeddingModelRef>(params: EmbeddingCreateParams<M>): void;
declare function rerank<M extends RerankModelRef>(params: RerankCreateParams<M>): void;

const messages = [{ role: "user", content: "Hello" }] as const;
const thinking = { type: "enabled", budget_tokens: 2048 } as const;

// A provider param compiles on a model that declares it, and is an error on one that does not.
create({ model: "anthropic.claude-3-7-sonnet-20250219-v1:0", messages, thinking });
create({ model: "anthropic.claude-sonnet-4-5-20250929-v1:0", messages, thinking, top_k: 40 });
create({
  model: "anthropic.claude-3-haiku-20240307-v1:0",
  messages,
  // @ts-expect-error thinking: Claude 3 Haiku lacks the reasoning capability
  thinking,
});
create({ model: "anthropic.claude-3-haiku-20240307-v1:0", messages, top_k: 40, anthropic_beta: ["x"] });
create({
  model: "meta.llama3-8b-instruct-v1:0",
  messages,
  // @ts-expect-error top_k: Llama declares no top_k
  top_k: 40,
});
create({
  model: "meta.llama3-1-70b-instruct-v1:0",
  messages,
  // @ts-expect-error images: declared by the family, but only for models with vision
  images: ["aGk="],
});
// OpenAI params stay available everywhere.
create({ model: "meta.llama3-8b-instruct-v1:0", messages, temperature: 0.5, max_tokens: 100, user: "u" });

// Declared params keep their JSON Schema types.
create({
  model: "anthropic.claude-3-haiku-20240307-v1:0",
  messages,
  // @ts-expect-error top_k: an integer, not a string
  top_k: "40",
});
create({
  model: "anthropic.claude-3-7-sonnet-20250219-v1:0",
  messages,
  // @ts-expect-error thinking: type is enabled, disabled or adaptive
  thinking: { type: "on" },
});

// Inference-profile ids and the bedrock/ prefixes are typed like the base model.
create({ model: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", messages, thinking });
create({ model: "eu.anthropic.claude-3-7-sonnet-20250219-v1:0", messages, thinking });
create({ model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0", messages, thinking });
create({ model: "bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0", messages, thinking });
create({ model: "bedrock/converse/anthropic.claude-3-7-sonnet-20250219-v1:0", messages, thinking });
create({ model: "bedrock/converse/us.anthropic.claude-3-7-sonnet-20250219-v1:0", messages, thinking });
create({ model: "bedrock/invoke/apac.anthropic.claude-3-7-sonnet-20250219-v1:0", messages, thinking });
create({
  model: "us.anthropic.claude-3-haiku-20240307-v1:0",
  messages,
  // @ts-expect-error thinking: the profile runs Claude 3 Haiku
  thinking,
});
create({
  model: "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
  messages,
  // @ts-expect-error thinking: bedrock/ names the same model
  thinking,
});
create({
  model: "bedrock/converse/us.anthropic.claude-3-haiku-20240307-v1:0",
  messages,
  // @ts-expect-error thinking: a forced route changes nothing about params
  thinking,
});
create({
  model: "bedrock/invoke/meta.llama3-8b-instruct-v1:0",
  messages,
  // @ts-expect-error top_k: still Llama
  top_k: 40,
});

// Streaming requests are typed the same way.
stream({ model: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", messages, stream: true, thinking });
stream({
  model: "us.anthropic.claude-3-haiku-20240307-v1:0",
  messages,
  stream: true,
  // @ts-expect-error thinking: Claude 3 Haiku lacks the reasoning capability
  thinking,
});

// Embeddings: a param a model's overlay rejects is not typed for it; one it drops still is.
embed({ model: "amazon.titan-embed-text-v2:0", input: ["hi"], dimensions: 256, normalize: true });
embed({ model: "amazon.titan-embed-text-v2:0", input: "hi", embeddingTypes: ["float", "binary"] });
embed({ model: "amazon.titan-embed-text-v1", input: "hi", dimensions: 1536 });
embed({
  model: "amazon.titan-embed-text-v1",
  input: "hi",
  // @ts-expect-error normalize: rejected by the G1 model's overlay
  normalize: true,
});
embed({
  model: "bedrock/amazon.titan-embed-text-v1",
  input: "hi",
  // @ts-expect-error embeddingTypes: rejected by the G1 model's overlay
  embeddingTypes: ["float"],
});
embed({
  model: "amazon.titan-embed-text-v2:0",
  input: "hi",
  // @ts-expect-error embeddingTypes: float or binary
  embeddingTypes: ["int8"],
});

// Rerank: documents are texts or {text} objects; the rerank families declare no provider params.
rerank({
  model: "cohere.rerank-v3-5:0",
  query: "q",
  documents: ["a", { text: "b" }],
  top_n: 1,
  return_documents: true,
  max_tokens_per_doc: 512,
});
rerank({
  model: "amazon.rerank-v1:0",
  query: "q",
  documents: ["a"],
  // @ts-expect-error top_n: a number
  top_n: "1",
});
rerank({
  model: "bedrock/amazon.rerank-v1:0",
  query: "q",
  documents: ["a"],
  // @ts-expect-error api_version: written by the spec, not a caller's param
  api_version: 2,
});

// ARNs (provisioned models, application inference profiles, imported models) take any params.
create({
  model: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
  messages,
  thinking,
  top_k: 40,
  anything_else: { nested: true },
});
embed({ model: "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc", input: "hi", anything: 1 });
create({
  model: "bedrock/converse/arn:aws:bedrock:us-east-1:123456789012:imported-model/r4c4kewx2s0n",
  messages,
});
// LiteLLM's Custom Model Import routes (https://docs.litellm.ai/docs/providers/bedrock_imported).
create({
  model: "bedrock/deepseek_r1/arn:aws:bedrock:us-east-1:123456789012:imported-model/r4c4kewx2s0n",
  messages,
});
create({
  model: "bedrock/llama/arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:imported-model/abc",
  messages,
});
// The route may name the Region to call (bedrock/openai/<region>/<arn>); an imported model takes any params.
create({
  model: "bedrock/openai/us-east-1/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
  messages,
  top_k: 5,
});
create({
  // @ts-expect-error model: anthropic/ is not an imported-model route
  model: "bedrock/anthropic/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
  messages,
});
// The mantle route (OpenAI's API on bedrock-mantle): catalog chat ids after bedrock/mantle/ or LiteLLM's
// bedrock_mantle/; any other id through uncheckedModel.
create({ model: "openai.gpt-5.5", messages });
create({ model: "bedrock/mantle/openai.gpt-5.5", messages });
create({ model: "bedrock_mantle/openai.gpt-6-astra", messages });
create({ model: uncheckedModel("bedrock/mantle/qwen.qwen3-32b"), messages, anything: 1 });
create({
  // @ts-expect-error model: openai.gpt-5.9 is not a catalog id, so it needs uncheckedModel
  model: "bedrock/mantle/openai.gpt-5.9",
  messages,
});
embed({
  // @ts-expect-error model: the mantle route carries chat only
  model: "bedrock/mantle/amazon.titan-embed-text-v2:0",
  input: "hi",
});
// An ARN of a foundation model or a system profile of the catalog is typed like that model.
create({
  model: "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
  messages,
  thinking,
});
create({
  model: "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
  messages,
  // @ts-expect-error thinking: the ARN names Claude 3 Haiku
  thinking,
});

// A misspelled or unknown id is a compile error; uncheckedModel() is the one way to call it anyway.
create({
  // @ts-expect-error model: a letter O for the zero
  model: "anthropic.claude-3-haiku-20240307-v1:O",
  messages,
});
create({
  // @ts-expect-error model: no such model in the catalog (yet)
  model: "anthropic.claude-opus-9-v1:0",
  messages,
});
create({
  // @ts-expect-error model: Claude 3.5 Sonnet v2 has us. and apac. profiles only
  model: "eu.anthropic.claude-3-5-sonnet-20241022-v2:0",
  messages,
});
create({
  // @ts-expect-error model: a route LiteLLM does not have
  model: "bedrock/conversee/anthropic.claude-3-haiku-20240307-v1:0",
  messages,
});
create({
  // @ts-expect-error model: an ARN of another service
  model: "arn:aws:sagemaker:us-east-1:123456789012:endpoint/x",
  messages,
});
create({ model: uncheckedModel("anthropic.claude-opus-9-v1:0"), messages, thinking, some_future_param: 1 });
create({ model: uncheckedModel("eu.anthropic.claude-3-5-sonnet-20241022-v2:0"), messages, thinking });
declare const chosenAtRuntime: string;
create({ model: uncheckedModel(chosenAtRuntime), messages, thinking, top_k: 1 });
create({
  // @ts-expect-error model: a string the compiler cannot check needs uncheckedModel()
  model: chosenAtRuntime,
  messages,
});

// Each operation takes only the models that offer it.
embed({
  // @ts-expect-error model: a chat model is not an embedding model
  model: "anthropic.claude-3-haiku-20240307-v1:0",
  input: "hi",
});
create({
  // @ts-expect-error model: an embedding model cannot chat
  model: "amazon.titan-embed-text-v2:0",
  messages,
});
rerank({
  // @ts-expect-error model: an embedding model does not rerank
  model: "cohere.embed-english-v3",
  query: "q",
  documents: ["a"],
});
embed({ model: uncheckedModel("cohere.embed-v5:0"), input: "hi", input_type: "search_query" });

// The helper types resolve exactly.
expectTypeOf<
  BaseModelOf<"bedrock/converse/us.anthropic.claude-3-haiku-20240307-v1:0">
>().toEqualTypeOf<"anthropic.claude-3-haiku-20240307-v1:0">();
expectTypeOf<
  BaseModelOf<"eu.anthropic.claude-3-haiku-20240307-v1:0">
>().toEqualTypeOf<"anthropic.claude-3-haiku-20240307-v1:0">();
expectTypeOf<
  BaseModelOf<"arn:aws:bedrock:us-east-1:123456789012:foundation-model/x">
>().toEqualTypeOf<never>();
// Claude 3.7 Sonnet has no output_config (Claude 4.5 and later take it).
expectTypeOf<ProviderParamsOf<"us.anthropic.claude-3-7-sonnet-20250219-v1:0">>().toEqualTypeOf<
  Pick<AnthropicClaudeMessagesParams, "anthropic_beta" | "thinking" | "top_k">
>();
expectTypeOf<ProviderParamsOf<"bedrock/meta.llama3-8b-instruct-v1:0">>().toEqualTypeOf<
  ModelParams["meta.llama3-8b-instruct-v1:0"]
>();
expectTypeOf<ProviderParamsOf<string>>().toEqualTypeOf<UntypedParams>();
expectTypeOf<BaseModelOf<"bedrock/mantle/openai.gpt-5.5">>().toEqualTypeOf<"openai.gpt-5.5">();
expectTypeOf<BaseModelOf<"bedrock_mantle/openai.gpt-5.4">>().toEqualTypeOf<"openai.gpt-5.4">();
expectTypeOf<"bedrock/converse/us.anthropic.claude-3-haiku-20240307-v1:0">().toExtend<KnownModelRef>();
expectTypeOf<"bedrock/invoke/amazon.titan-embed-text-v2:0">().toExtend<KnownModelRef>();
// Claude 3.5 Sonnet v2 has us. and apac. profiles only, so eu. is not a catalog id.
expectTypeOf<"eu.anthropic.claude-3-5-sonnet-20241022-v2:0">().not.toExtend<KnownModelRef>();
expectTypeOf<"eu.anthropic.claude-3-5-sonnet-20241022-v2:0">().not.toExtend<ChatModelRef>();
expectTypeOf<ProviderParamsOf<ReturnType<typeof uncheckedModel>>>().toEqualTypeOf<UntypedParams>();
expectTypeOf<
  BaseModelOf<"arn:aws:bedrock:eu-west-1::inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0">
>().toEqualTypeOf<"anthropic.claude-3-haiku-20240307-v1:0">();
expectTypeOf<"amazon.titan-embed-text-v2:0">().toExtend<EmbeddingModelRef>();
expectTypeOf<"amazon.titan-embed-text-v2:0">().not.toExtend<ChatModelRef>();

// The client's `create`: its return type follows `stream`, and a param the model lacks is reported
// against the request as written (one signature, no overloads to fall through).
declare const client: import("../../runtime/client.js").Bedrock;
declare const streamFlag: boolean;
export async function returnTypes() {
  const unary = await client.chat.completions.create({ model: "meta.llama3-8b-instruct-v1:0", messages });
  expectTypeOf(unary).toEqualTypeOf<import("../../runtime/types.js").ChatCompletion>();
  const streamed = await client.chat.completions.create({
    model: "meta.llama3-8b-instruct-v1:0",
    messages,
    stream: true,
  });
  expectTypeOf(streamed).toEqualTypeOf<import("../../runtime/types.js").ChatCompletionStream>();
  const either = await client.chat.completions.create({
    model: uncheckedModel("x.some-model"),
    messages,
    stream: streamFlag,
  });
  expectTypeOf(either).toEqualTypeOf<
    import("../../runtime/types.js").ChatCompletion | import("../../runtime/types.js").ChatCompletionStream
  >();
  await client.chat.completions.create({
    model: "anthropic.claude-3-haiku-20240307-v1:0",
    messages,
    stream: true,
    // @ts-expect-error thinking: Claude 3 Haiku lacks the reasoning capability, streamed or not
    thinking,
  });
}

// Image edits: image-edit models only, each with its own service's params; a param its spec requires
// (`required: true`) is required in the type too.
export async function imageEdits() {
  const image = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
  await client.images.edit({
    model: "stability.stable-image-search-replace-v1:0",
    image,
    prompt: "a dog",
    search_prompt: "cat",
  });
  await client.images.edit({ model: "us.stability.stable-outpaint-v1:0", image: "aGk=", left: 100 });
  await client.images.edit({ model: "stability.stable-style-transfer-v1:0", image: [image, image] });
  expectTypeOf<
    ModelParams["stability.stable-image-search-replace-v1:0"]["search_prompt"]
  >().toEqualTypeOf<string>();
  await client.images.edit({
    model: "stability.stable-image-search-replace-v1:0",
    image,
    // @ts-expect-error search_prompt: search and replace requires it, so it must be a string
    search_prompt: undefined,
  });
  await client.images.edit({
    model: "stability.stable-image-inpaint-v1:0",
    image,
    prompt: "x",
    // @ts-expect-error left: outpaint's param, not inpaint's
    left: 10,
  });
  await client.images.edit({
    model: "stability.stable-image-inpaint-v1:0",
    image,
    prompt: "x",
    // @ts-expect-error grow_mask: an integer, not a string
    grow_mask: "5",
  });
  await client.images.edit({
    // @ts-expect-error model: a chat model does not edit images
    model: "anthropic.claude-3-haiku-20240307-v1:0",
    image,
  });
}
