import { symlink } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generate } from "../../generator/generate.js";
import { formatProblem, loadSpecs } from "../../generator/load.js";
import { runGenerate } from "../../generator/main.js";
import { validateSpecs } from "../../generator/validate.js";
import { captureOutput, createTempDir, readTree, replaceOnce, repositoryRoot, writeTree } from "./helpers.js";

// Line numbers in the expectations below refer to these specs (1-based, as an editor shows them).
const textSpec = `family: demo-text
provider: demo
title: Demo text
sources: [https://example.com/demo]
operations: [chat, chat-stream]
routes: [invoke, converse]
params:
  top_k: { schema: { type: integer } }
  thinking: { requires: reasoning, schema: { type: boolean } }
chat:
  request:
    codec: template
    prompt: /prompt
    template:
      user: "[U]{content}"
      assistant: "[A]{content}"
    params:
      max_tokens: { to: /max_len, max: 100 }
      top_k: { to: /top_k }
      thinking: { to: /thinking }
  response:
    text: /out
    finish_reason: { from: /stop, map: { stop: stop } }
    usage: { prompt_tokens: /in_tokens, completion_tokens: /out_tokens }
  stream:
    codec: flat
    text: /out
converse:
  params:
    max_tokens: { to: /inferenceConfig/maxTokens }
native:
  chat_request:
    type: object
    additionalProperties: false
    properties:
      prompt: { type: string }
      max_len: { type: integer }
      top_k: { type: integer }
      thinking: { type: boolean }
  chat_response:
    type: object
    properties:
      out: { type: string }
      stop: { type: string }
      in_tokens: { type: integer }
      out_tokens: { type: integer }
  chat_stream_chunk:
    type: object
    properties:
      out: { type: string }
models:
  - id: demo.text-v1
    name: Demo Text
    context_window: 1000
    max_output_tokens: 100
    regions: [us-east-1]
    profiles: [us]
    price: { input_per_mtok: 1, output_per_mtok: 2 }
`;

const embedSpec = `family: demo-embed
provider: demo
title: Demo embeddings
sources: [https://example.com/demo]
operations: [embeddings]
routes: [invoke]
embeddings:
  request:
    input: { to: /text, per_call: 1 }
    params:
      dimensions: { to: /dims }
  response:
    vectors: [/vector]
native:
  embeddings_request:
    type: object
    properties:
      text: { type: string }
      dims: { type: integer }
  embeddings_response:
    type: object
    properties:
      vector: { type: array, items: { type: number } }
models:
  - id: demo.embed-v1
    name: Demo Embed
    regions: [us-east-1]
    embedding: { dimensions: [256, 512], default_dimensions: 512 }
    price: { embedding_per_mtok: 0.1 }
`;

const imageSpec = `family: demo-image
provider: demo
title: Demo images
sources: [https://example.com/demo]
operations: [images]
routes: [invoke]
images:
  request:
    prompt: { to: /prompt }
    size: { width: /width, height: /height }
    params:
      seed: { to: /seed }
  response:
    images: /images
native:
  images_request:
    type: object
    properties:
      prompt: { type: string }
      width: { type: integer }
      height: { type: integer }
      seed: { type: integer }
  images_response:
    type: object
    properties:
      images: { type: array, items: { type: string } }
models:
  - id: demo.image-v1
    name: Demo Image
    regions: [us-east-1]
    image: { sizes: [1024x1024] }
    price: { images: [{ size: 1024x1024, usd: 0.04 }] }
`;

const rerankSpec = `family: demo-rerank
provider: demo
title: Demo rerank
sources: [https://example.com/demo]
operations: [rerank]
routes: [invoke]
rerank:
  request:
    constants: { /api_version: 2 }
    query: { to: /query }
    documents: { to: /documents }
    params:
      top_n: { to: /top_n, min: 1 }
  response:
    results: /results
    index: /index
    score: /relevance_score
native:
  rerank_request:
    type: object
    properties:
      query: { type: string }
      documents: { type: array, items: { type: string } }
      top_n: { type: integer }
      api_version: { type: integer }
  rerank_response:
    type: object
    properties:
      results:
        type: array
        items:
          type: object
          properties:
            index: { type: integer }
            relevance_score: { type: number }
models:
  - id: demo.rerank-v1
    name: Demo Rerank
    regions: [us-west-2]
    rerank: { max_documents: 1000, documents_per_query: 100 }
    price: { per_query: 0.002 }
`;

const editSpec = `family: demo-edit
provider: demo
title: Demo image edits
sources: [https://example.com/demo]
operations: [images-edit]
routes: [invoke]
params:
  left: { schema: { type: integer } }
  right: { schema: { type: integer } }
images_edit:
  request:
    images: { to: [/image] }
    mask: { to: /mask }
    prompt: { to: /prompt, required: true }
    any_of_params: [[left, right]]
    params:
      left: { to: /left }
      right: { to: /right }
  response:
    images: /images/*
native:
  images_edit_request:
    type: object
    properties:
      image: { type: string }
      mask: { type: string }
      prompt: { type: string }
      left: { type: integer }
      right: { type: integer }
  images_edit_response:
    type: object
    properties:
      images: { type: array, items: { type: string } }
models:
  - id: demo.edit-v1
    name: Demo Edit
    regions: [us-east-1]
    price: {}
`;

const text = "specs/demo-text.yaml";
const embed = "specs/demo-embed.yaml";
const image = "specs/demo-image.yaml";
const rerank = "specs/demo-rerank.yaml";
const edit = "specs/demo-edit.yaml";

interface MistakeCase {
  readonly mistake: string;
  /** Spec files by path (relative to the display root). */
  readonly files: Readonly<Record<string, string>>;
  /** Every line the generator must print, in order. */
  readonly expected: readonly string[];
}

/** The text spec with one edit. */
const editText = (from: string, to: string) => ({ [text]: replaceOnce(textSpec, from, to) });

const mistakes: readonly MistakeCase[] = [
  {
    mistake: "YAML syntax error (unclosed flow sequence)",
    files: editText("title: Demo text", "title: [Demo text"),
    // The parser notices on the next line.
    expected: [
      `${text}:4:1 /: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ],
  },
  {
    mistake: "YAML duplicate key",
    files: editText("provider: demo\n", "provider: demo\nfamily: demo-text\n"),
    expected: [`${text}:3:1 /: YAML: Map keys must be unique`],
  },
  {
    mistake: "YAML alias without an anchor",
    files: editText("sources: [https://example.com/demo]", "sources: *links"),
    expected: [`${text}:4:10 /: YAML: Unresolved alias (the anchor must be set before the alias): links`],
  },
  {
    mistake: "unknown property",
    files: editText("title: Demo text\n", "title: Demo text\ncolour: red\n"),
    expected: [`${text}:4:1 /colour: unknown property "colour"`],
  },
  {
    mistake: "wrong enum value",
    files: editText("codec: template", "codec: templates"),
    expected: [
      `${text}:12:5 /chat/request/codec: must be one of "template", "anthropic", "nova", "openai", "cohere-chat", "mistral-chat"`,
    ],
  },
  {
    mistake: "missing required field",
    files: editText("title: Demo text\n", ""),
    expected: [`${text}:1:1 /: missing required property "title"`],
  },
  {
    mistake: "wrong type",
    files: editText("context_window: 1000", "context_window: lots"),
    expected: [`${text}:54:5 /models/0/context_window: must be integer`],
  },
  {
    mistake: "value source that is not a JSON pointer (one line, not one per oneOf branch)",
    files: editText("prompt_tokens: /in_tokens", "prompt_tokens: in_tokens"),
    expected: [`${text}:24:14 /chat/response/usage/prompt_tokens: does not match the pattern ^(/[^/]*)+$`],
  },
  {
    mistake: "value source that is neither a pointer nor a header",
    files: editText("completion_tokens: /out_tokens", "completion_tokens: 7"),
    expected: [`${text}:24:41 /chat/response/usage/completion_tokens: must be string or object`],
  },
  {
    mistake: "price override with neither region nor profile",
    files: editText("output_per_mtok: 2 }", "output_per_mtok: 2, overrides: [{ input_per_mtok: 0.5 }] }"),
    expected: [`${text}:58:65 /models/0/price/overrides/0: needs one of the properties "region", "profile"`],
  },
  {
    mistake: "duplicate model id across two spec files",
    files: {
      [text]: textSpec,
      "specs/demo-other.yaml": replaceOnce(textSpec, "family: demo-text", "family: demo-other"),
    },
    // Files are read in sorted order: demo-other.yaml claims the id first.
    expected: [
      `${text}:52:5 /models/0/id: model id "demo.text-v1" is also defined in specs/demo-other.yaml (/models/0)`,
    ],
  },
  {
    mistake: "family that does not match the file name",
    files: editText("family: demo-text", "family: demo-txt"),
    expected: [`${text}:1:1 /family: family "demo-txt" must match the file name "demo-text.yaml"`],
  },
  {
    mistake: "mapped param that is neither an OpenAI param nor declared under params",
    files: editText("top_k: { to: /top_k }", "topk: { to: /top_k }"),
    expected: [
      `${text}:19:7 /chat/request/params/topk: "topk" is neither an OpenAI chat param nor a provider param declared under /params`,
    ],
  },
  {
    // Only a drop rule may name an undeclared param (it keeps the name out of bodies, e.g. top_k on Llama).
    mistake: "reject rule for a param that is neither an OpenAI param nor declared under params",
    files: editText("top_k: { to: /top_k }", "topk: { policy: reject }"),
    expected: [
      `${text}:19:7 /chat/request/params/topk: "topk" is neither an OpenAI chat param nor a provider param declared under /params`,
    ],
  },
  {
    mistake: "passthrough of an undeclared param",
    files: editText(
      "top_k: { to: /top_k }\n",
      "top_k: { to: /top_k }\n      seed: { policy: passthrough }\n",
    ),
    expected: [
      `${text}:20:15 /chat/request/params/seed/policy: passthrough needs "seed" declared under /params so it is typed`,
    ],
  },
  {
    mistake: "JSON pointer that does not resolve against the native schema",
    files: editText("{ to: /max_len, max: 100 }", "{ to: /max_length, max: 100 }"),
    expected: [
      `${text}:18:21 /chat/request/params/max_tokens/to: /max_length does not resolve against native.chat_request`,
    ],
  },
  {
    mistake: "choices list pointer that does not resolve against the native response",
    files: editText(
      "    text: /out\n    finish_reason: { from: /stop",
      "    text: /out\n    choices: { list: /outs, text: /out, finish_reason: /stop }\n    finish_reason: { from: /stop",
    ),
    expected: [
      `${text}:23:16 /chat/response/choices/list: /outs does not resolve against native.chat_response`,
    ],
  },
  {
    mistake: "pointer with no native schema to check it against",
    files: editText(
      "  chat_stream_chunk:\n    type: object\n    properties:\n      out: { type: string }\n",
      "",
    ),
    expected: [
      `${text}:27:5 /chat/stream/text: /out cannot be checked: the spec has no native.chat_stream_chunk schema`,
    ],
  },
  {
    mistake: "unknown template placeholder",
    files: editText('user: "[U]{content}"', 'user: "[U]{name}: {content}"'),
    expected: [
      `${text}:15:7 /chat/request/template/user: unknown placeholder {name}; templates may use {content}, {role}`,
    ],
  },
  {
    mistake: "turn template without {content}",
    files: editText('assistant: "[A]{content}"', 'assistant: "[A]"'),
    expected: [`${text}:16:7 /chat/request/template/assistant: a turn template must contain {content}`],
  },
  {
    mistake: "negative price",
    files: editText("input_per_mtok: 1,", "input_per_mtok: -1,"),
    expected: [`${text}:58:14 /models/0/price/input_per_mtok: price must not be negative (got -1)`],
  },
  {
    mistake: "converse param writing an additionalModelRequestFields member the native body lacks",
    files: editText(
      "max_tokens: { to: /inferenceConfig/maxTokens }",
      "max_tokens: { to: /additionalModelRequestFields/top_p }",
    ),
    expected: [
      `${text}:30:19 /converse/params/max_tokens/to: /additionalModelRequestFields/top_p is not a field of the native body (native.chat_request, or a model's native.chat_request_properties): Bedrock refuses it`,
    ],
  },
  {
    mistake: "converse param pointing outside the Converse request",
    files: editText("/inferenceConfig/maxTokens", "/inferenceConfig/maxTokenCount"),
    expected: [
      `${text}:30:19 /converse/params/max_tokens/to: /inferenceConfig/maxTokenCount is not a field of the Converse request`,
    ],
  },
  {
    mistake: "price override for a profile the model lacks",
    files: editText(
      "output_per_mtok: 2 }",
      "output_per_mtok: 2, overrides: [{ profile: eu, input_per_mtok: 0.5 }] }",
    ),
    expected: [
      `${text}:58:67 /models/0/price/overrides/0/profile: profile "eu" is not in the model's profiles`,
    ],
  },
  {
    mistake: "model overlay that sets `to`",
    files: editText(
      "    profiles: [us]\n",
      "    profiles: [us]\n    params: { max_tokens: { to: /max_len } }\n",
    ),
    expected: [
      `${text}:58:29 /models/0/params/max_tokens/to: a model's param overlay may not move the param; change the family's rule instead`,
    ],
  },
  {
    mistake: "model overlay of a param the model lacks the capability for",
    files: editText(
      "    profiles: [us]\n",
      "    profiles: [us]\n    params: { thinking: { policy: drop } }\n",
    ),
    expected: [`${text}:58:15 /models/0/params/thinking: "thinking" requires the reasoning capability`],
  },
  {
    mistake: "model overlay of a mapping the model lacks the capability for",
    files: {
      [text]: replaceOnce(
        replaceOnce(
          textSpec,
          "      top_k: { to: /top_k }\n",
          "      top_k: { to: /top_k, requires: reasoning }\n",
        ),
        "    profiles: [us]\n",
        "    profiles: [us]\n    params: { top_k: { max: 5 } }\n",
      ),
    },
    expected: [`${text}:58:15 /models/0/params/top_k: "top_k" requires the reasoning capability`],
  },
  {
    mistake: "min greater than max",
    files: editText("{ to: /max_len, max: 100 }", "{ to: /max_len, min: 200, max: 100 }"),
    expected: [`${text}:18:35 /chat/request/params/max_tokens/min: min 200 is greater than max 100`],
  },
  {
    mistake: "model route the family does not offer",
    files: {
      [text]: replaceOnce(
        replaceOnce(textSpec, "routes: [invoke, converse]", "routes: [invoke]"),
        "    profiles: [us]\n",
        "    profiles: [us]\n    routes: [converse]\n",
      ),
    },
    expected: [`${text}:58:5 /models/0/routes: route converse is not offered by the family`],
  },
  {
    mistake: "chat-stream over invoke without a stream mapping",
    files: editText("  stream:\n    codec: flat\n    text: /out\n", ""),
    expected: [
      `${text}:10:1 /chat: the family offers chat-stream over invoke but \`chat\` has no \`stream\` mapping`,
    ],
  },
  {
    mistake: "chat model without limits",
    files: editText("    max_output_tokens: 100\n", ""),
    expected: [`${text}:52:5 /models/0: a chat model needs context_window and max_output_tokens`],
  },
  {
    mistake: "profile_only without profiles",
    files: editText("    profiles: [us]\n", "    profile_only: true\n"),
    expected: [`${text}:57:5 /models/0/profile_only: profile_only needs at least one profile`],
  },
  {
    mistake: "embeddings model without dimensions",
    files: {
      [embed]: replaceOnce(
        embedSpec,
        "    embedding: { dimensions: [256, 512], default_dimensions: 512 }\n",
        "",
      ),
    },
    expected: [`${embed}:25:5 /models/0: an embeddings model needs \`embedding\` (its dimensions)`],
  },
  {
    mistake: "content form on a codec other than openai",
    files: editText("    prompt: /prompt\n", "    prompt: /prompt\n    content_form: parts\n"),
    expected: [
      `${text}:14:5 /chat/request/content_form: content_form is read by the openai codec only (this spec uses template)`,
    ],
  },
  {
    mistake: "reasoning field on a codec other than openai",
    files: editText(
      "    text: /out\n    finish_reason",
      "    text: /out\n    reasoning: { field: reasoning_content }\n    finish_reason",
    ),
    expected: [
      `${text}:23:5 /chat/response/reasoning: reasoning is read by the openai codec, and its tags in flat answers (\`text\`) (this spec uses template)`,
    ],
  },
  {
    mistake: "reasoning opened by the prompt without tags",
    files: editText(
      "    text: /out\n    finish_reason",
      "    text: /out\n    reasoning: { opened_by_prompt: true }\n    finish_reason",
    ),
    expected: [
      `${text}:23:5 /chat/response/reasoning: reasoning is read by the openai codec, and its tags in flat answers (\`text\`) (this spec uses template)`,
      `${text}:23:18 /chat/response/reasoning/opened_by_prompt: opened_by_prompt needs \`tags\``,
    ],
  },
  {
    mistake: "text fallback that does not resolve against the native response",
    files: editText(
      "    text: /out\n    finish_reason",
      "    text: /out\n    text_fallback: /nope\n    finish_reason",
    ),
    expected: [
      `${text}:23:5 /chat/response/text_fallback: /nope does not resolve against native.chat_response`,
    ],
  },
  {
    mistake: "family without models that is no imported-model format",
    files: editText(textSpec.slice(textSpec.indexOf("models:\n")), "models: []\n"),
    expected: [
      `${text}:51:1 /models: a family needs at least one model, unless it is an imported-model format (\`imported\`)`,
    ],
  },
  {
    mistake: "imported-model route declared by two families",
    files: {
      [text]: replaceOnce(
        textSpec,
        "routes: [invoke, converse]\n",
        "routes: [invoke, converse]\nimported: { routes: [llama] }\n",
      ),
      "specs/demo-other.yaml": replaceOnce(
        replaceOnce(textSpec, "family: demo-text", "family: demo-other"),
        "routes: [invoke, converse]\n",
        "routes: [invoke, converse]\nimported: { routes: [llama] }\n",
      ).replace("demo.text-v1", "demo.other-v1"),
    },
    expected: [
      `${text}:7:22 /imported/routes/0: imported-model route "llama" is also declared in specs/demo-other.yaml`,
    ],
  },
  {
    mistake: "imported-model route named like a Bedrock API prefix, on a family without the invoke route",
    files: editText("routes: [invoke, converse]\n", "routes: [converse]\nimported: { routes: [invoke] }\n"),
    expected: [
      `${text}:7:1 /imported: imported models are called through InvokeModel chat: the family needs the chat operation, the invoke route and a \`chat\` mapping`,
      `${text}:7:22 /imported/routes/0: "invoke/" is the prefix that forces a Bedrock API, not a format`,
    ],
  },
  {
    mistake: "reasoning carriage that names nothing",
    files: editText(
      "    text: /out\n    finish_reason",
      "    text: /out\n    reasoning: {}\n    finish_reason",
    ),
    expected: [`${text}:23:5 /chat/response/reasoning: must NOT have fewer than 1 properties`],
  },
  {
    mistake: "reasoning tags that open and close alike",
    files: editText(
      "    text: /out\n    finish_reason",
      '    text: /out\n    reasoning: { tags: { open: "<t>", close: "<t>" } }\n    finish_reason',
    ),
    expected: [
      `${text}:23:18 /chat/response/reasoning/tags: the opening and closing reasoning tags must differ`,
    ],
  },
  {
    mistake: "default_above without a number default",
    files: editText(
      "max_tokens: { to: /max_len, max: 100 }",
      "max_tokens: { to: /max_len, max: 100, default_above: /max_len }",
    ),
    expected: [
      `${text}:18:45 /chat/request/params/max_tokens/default_above: default_above adds to a number \`default\`, which this rule lacks`,
    ],
  },
  {
    mistake: "spreading rule with a value that is not an object of fields",
    files: editText(
      "max_tokens: { to: /max_len, max: 100 }",
      "max_tokens: { to: /max_len, spread: true, values: { a: 1 } }",
    ),
    expected: [
      `${text}:18:49 /chat/request/params/max_tokens/values: a spreading rule maps every value to an object of fields (or null)`,
    ],
  },
  {
    mistake: "required param with a default",
    files: editText(
      "max_tokens: { to: /max_len, max: 100 }",
      "max_tokens: { to: /max_len, max: 100, default: 10, required: true }",
    ),
    expected: [
      `${text}:18:58 /chat/request/params/max_tokens/required: "max_tokens" is required but has a default, which fills it whenever a request omits it`,
    ],
  },
  {
    mistake: "required param that is dropped",
    files: editText(
      "max_tokens: { to: /inferenceConfig/maxTokens }",
      "max_tokens: { policy: drop, required: true }",
    ),
    expected: [
      `${text}:30:33 /converse/params/max_tokens/required: "max_tokens" is required but has the drop policy, so it is never sent`,
    ],
  },
  {
    mistake: "model overlay that requires a param the family gives a default",
    files: {
      [text]: replaceOnce(
        replaceOnce(
          textSpec,
          "max_tokens: { to: /max_len, max: 100 }",
          "max_tokens: { to: /max_len, max: 100, default: 10 }",
        ),
        "    profiles: [us]\n",
        "    profiles: [us]\n    params: { max_tokens: { required: true } }\n",
      ),
    },
    expected: [
      `${text}:58:29 /models/0/params/max_tokens/required: "max_tokens" is required for demo.text-v1 but has a default, which fills it whenever a request omits it`,
    ],
  },
  {
    mistake: "default dimensions that are not offered",
    files: { [embed]: replaceOnce(embedSpec, "default_dimensions: 512", "default_dimensions: 1024") },
    expected: [
      `${embed}:28:42 /models/0/embedding/default_dimensions: default_dimensions must be one of dimensions`,
    ],
  },
  {
    mistake: "response pointer in a list that does not resolve",
    files: { [embed]: replaceOnce(embedSpec, "vectors: [/vector]", "vectors: [/vectors]") },
    expected: [
      `${embed}:13:15 /embeddings/response/vectors/0: /vectors does not resolve against native.embeddings_response`,
    ],
  },
  {
    mistake: "unknown property inside one shape of a oneOf (image size)",
    files: { [image]: replaceOnce(imageSpec, "height: /height }", "height: /height, depth: /depth }") },
    expected: [`${image}:10:45 /images/request/size/depth: unknown property "depth"`],
  },
  {
    mistake: "image model without sizes",
    files: { [image]: replaceOnce(imageSpec, "    image: { sizes: [1024x1024] }\n", "") },
    expected: [`${image}:28:5 /models/0: an image model needs \`image\` (its sizes or aspect ratios)`],
  },
  {
    mistake: "image task whose default is not one of its tasks, and a task object the native body lacks",
    files: {
      [image]: replaceOnce(
        imageSpec,
        "    size: { width: /width, height: /height }\n",
        "    tasks: { param: task, to: /task, default: DRAW, objects: { PAINT: /paint } }\n    size: { width: /width, height: /height }\n",
      ),
    },
    expected: [
      `${image}:10:27 /images/request/tasks/to: /task does not resolve against native.images_request`,
      `${image}:10:38 /images/request/tasks/default: "DRAW" is not one of the tasks under objects`,
      `${image}:10:64 /images/request/tasks/objects/PAINT: /paint does not resolve against native.images_request`,
    ],
  },
  {
    mistake: "negative image price",
    files: { [image]: replaceOnce(imageSpec, "usd: 0.04", "usd: -0.04") },
    expected: [`${image}:32:42 /models/0/price/images/0/usd: price must not be negative (got -0.04)`],
  },
  {
    mistake: "rerank offered without a rerank mapping",
    files: {
      [rerank]: replaceOnce(
        rerankSpec,
        rerankSpec.slice(rerankSpec.indexOf("rerank:\n"), rerankSpec.indexOf("native:")),
        "",
      ),
    },
    expected: [`${rerank}:5:1 /operations: rerank is offered but there is no \`rerank\` mapping`],
  },
  {
    mistake: "rerank model without document limits",
    files: {
      [rerank]: replaceOnce(
        rerankSpec,
        "    rerank: { max_documents: 1000, documents_per_query: 100 }\n",
        "",
      ),
    },
    expected: [`${rerank}:37:5 /models/0: a rerank model needs \`rerank\` (its document limits)`],
  },
  {
    mistake: "rerank documents target outside the native request",
    files: { [rerank]: replaceOnce(rerankSpec, "{ to: /documents }", "{ to: /docs }") },
    expected: [
      `${rerank}:11:18 /rerank/request/documents/to: /docs does not resolve against native.rerank_request`,
    ],
  },
  {
    mistake: "rerank score pointer that does not resolve inside a result",
    files: { [rerank]: replaceOnce(rerankSpec, "score: /relevance_score", "score: /relevanceScore") },
    expected: [
      `${rerank}:17:5 /rerank/response/score: /relevanceScore does not resolve inside an item of /results in native.rerank_response`,
    ],
  },
  {
    mistake: "rerank table that maps a param the runtime answers",
    files: {
      [rerank]: replaceOnce(
        rerankSpec,
        "      top_n: { to: /top_n, min: 1 }\n",
        "      top_n: { to: /top_n, min: 1 }\n      return_documents: { to: /return_documents }\n",
      ),
    },
    expected: [
      `${rerank}:14:7 /rerank/request/params/return_documents: "return_documents" is answered by the runtime from the request; a rerank table may not name it`,
      `${rerank}:14:27 /rerank/request/params/return_documents/to: /return_documents does not resolve against native.rerank_request`,
    ],
  },
  {
    mistake: "rerank param that is neither a rerank param nor declared",
    files: { [rerank]: replaceOnce(rerankSpec, "top_n: { to: /top_n", "topn: { to: /top_n") },
    expected: [
      `${rerank}:13:7 /rerank/request/params/topn: "topn" is neither an OpenAI rerank param nor a provider param declared under /params`,
    ],
  },
  {
    mistake: "images-edit offered without an images_edit mapping",
    files: {
      [edit]:
        editSpec.slice(0, editSpec.indexOf("images_edit:")) + editSpec.slice(editSpec.indexOf("native:")),
    },
    expected: [`${edit}:5:1 /operations: images-edit is offered but there is no \`images_edit\` mapping`],
  },
  {
    mistake: "images-edit over Converse only",
    files: { [edit]: replaceOnce(editSpec, "routes: [invoke]", "routes: [converse]") },
    expected: [
      `${edit}:6:1 /routes: the family lists the converse route but has no \`converse\` mapping`,
      `${edit}:6:1 /routes: images-edit runs over InvokeModel: the family needs the invoke route`,
    ],
  },
  {
    mistake: "images-edit table that maps a field the mapping writes",
    files: {
      [edit]: replaceOnce(
        editSpec,
        "      right: { to: /right }\n",
        "      right: { to: /right }\n      mask: { to: /mask }\n",
      ),
    },
    expected: [
      `${edit}:19:7 /images_edit/request/params/mask: "mask" is written by the runtime from the images_edit mapping (or answered by it); a param table may not name it`,
    ],
  },
  {
    mistake: "images-edit image target outside the native request",
    files: { [edit]: replaceOnce(editSpec, "images: { to: [/image] }", "images: { to: [/image, /style] }") },
    expected: [
      `${edit}:12:28 /images_edit/request/images/to/1: /style does not resolve against native.images_edit_request`,
    ],
  },
  {
    mistake: "images-edit any_of_params naming a param the table does not map",
    files: { [edit]: replaceOnce(editSpec, "any_of_params: [[left, right]]", "any_of_params: [[left, up]]") },
    expected: [
      `${edit}:15:28 /images_edit/request/any_of_params/0/1: "up" must be a param that /images_edit/request/params maps or passes through`,
    ],
  },
  {
    mistake: "images-edit size without the model's aspect ratios",
    files: {
      [edit]: replaceOnce(
        editSpec,
        "    any_of_params:",
        "    size: { aspect_ratio: /aspect_ratio }\n    any_of_params:",
      ).replace(
        "      right: { type: integer }\n",
        "      right: { type: integer }\n      aspect_ratio: { type: string }\n",
      ),
    },
    expected: [
      `${edit}:37:5 /models/0: an image-edit model whose family maps \`size\` needs \`image\` (its sizes or aspect ratios)`,
    ],
  },
  {
    mistake: "per-query price that is negative",
    files: { [rerank]: replaceOnce(rerankSpec, "per_query: 0.002", "per_query: -0.002") },
    expected: [`${rerank}:41:14 /models/0/price/per_query: price must not be negative (got -0.002)`],
  },
];

// A speech-to-speech family (Amazon Nova Sonic's shape): the operation, its route, and nothing else.
const speech = "specs/demo-speech.yaml";
const speechSpec = `family: demo-speech
provider: demo
title: Demo speech
sources: [https://example.com/demo]
operations: [speech-to-speech]
routes: [bidirectional-stream]
models:
  - id: demo.speech-v1
    name: Demo Speech
    input_modalities: [speech]
    output_modalities: [speech, text]
    regions: [us-east-1]
    price: {}
`;

// A family served on bedrock-mantle (specs/openai-mantle.yaml's shape): chat over the mantle route, no mapping.
const mantle = "specs/demo-mantle.yaml";
const mantleSpec = `family: demo-mantle
provider: demo
title: Demo mantle
sources: [https://example.com/demo]
operations: [chat, chat-stream]
routes: [mantle]
models:
  - id: demo.mantle-v1
    name: Demo Mantle
    context_window: 1000
    max_output_tokens: 100
    regions: [us-east-1]
    mantle_base: openai/v1
    price: {}
`;

const mantleMistakes: readonly MistakeCase[] = [
  {
    mistake: "the mantle route for an operation other than chat",
    files: {
      [mantle]: replaceOnce(
        replaceOnce(mantleSpec, "operations: [chat, chat-stream]", "operations: [chat, embeddings]"),
        "routes: [mantle]",
        "routes: [mantle]\nembeddings:\n  request: { input: { to: /text, per_call: 1 }, params: {} }\n  response: { vectors: [/v] }",
      ),
    },
    expected: [
      `${mantle}:5:1 /operations: the mantle route carries chat and chat-stream only (bedrock-mantle's chat completions), not embeddings`,
      `${mantle}:8:23 /embeddings/request/input/to: /text cannot be checked: the spec has no native.embeddings_request schema`,
      `${mantle}:9:25 /embeddings/response/vectors/0: /v cannot be checked: the spec has no native.embeddings_response schema`,
      `${mantle}:11:5 /models/0: an embeddings model needs \`embedding\` (its dimensions)`,
    ],
  },
  {
    mistake: "mantle_base on a model without the mantle route",
    files: {
      [mantle]: replaceOnce(
        mantleSpec,
        "routes: [mantle]",
        "routes: [mantle, converse]\nconverse:\n  params: {}",
      ).replace("    mantle_base: openai/v1\n", "    routes: [converse]\n    mantle_base: openai/v1\n"),
    },
    expected: [
      `${mantle}:16:5 /models/0/mantle_base: mantle_base is read by the mantle route only: the model does not take it`,
    ],
  },
  {
    mistake: "a mantle base that does not exist",
    files: { [mantle]: replaceOnce(mantleSpec, "mantle_base: openai/v1", "mantle_base: openai/v2") },
    expected: [`${mantle}:13:5 /models/0/mantle_base: must be one of "v1", "openai/v1"`],
  },
];

const speechMistakes: readonly MistakeCase[] = [
  {
    mistake: "speech-to-speech over a route other than the bidirectional stream",
    files: { [speech]: replaceOnce(speechSpec, "routes: [bidirectional-stream]", "routes: [invoke]") },
    expected: [
      `${speech}:6:1 /routes: speech-to-speech runs over InvokeModelWithBidirectionalStream: add the bidirectional-stream route`,
    ],
  },
  {
    mistake: "speech-to-speech beside another operation and route",
    files: {
      [speech]: replaceOnce(
        speechSpec,
        "operations: [speech-to-speech]\nroutes: [bidirectional-stream]",
        "operations: [speech-to-speech, embeddings]\nroutes: [bidirectional-stream, converse]",
      ),
    },
    expected: [
      `${speech}:5:1 /operations: embeddings is offered but there is no \`embeddings\` mapping`,
      `${speech}:5:1 /operations: speech-to-speech models do nothing else on Bedrock: list that operation alone`,
      `${speech}:6:1 /routes: the family lists the converse route but has no \`converse\` mapping`,
      `${speech}:6:1 /routes: speech-to-speech models are served over InvokeModelWithBidirectionalStream alone`,
      `${speech}:8:5 /models/0: an embeddings model needs \`embedding\` (its dimensions)`,
    ],
  },
  {
    mistake: "the bidirectional route without the speech-to-speech operation",
    files: {
      [speech]: replaceOnce(
        replaceOnce(speechSpec, "operations: [speech-to-speech]", "operations: [embeddings]"),
        "routes: [bidirectional-stream]",
        "routes: [bidirectional-stream]\nembeddings:\n  request: { input: { to: /text, per_call: 1 }, params: {} }\n  response: { vectors: [/v] }",
      ),
    },
    expected: [
      `${speech}:6:1 /routes: the bidirectional-stream route carries speech-to-speech only: add that operation`,
      `${speech}:8:23 /embeddings/request/input/to: /text cannot be checked: the spec has no native.embeddings_request schema`,
      `${speech}:9:25 /embeddings/response/vectors/0: /v cannot be checked: the spec has no native.embeddings_response schema`,
      `${speech}:11:5 /models/0: an embeddings model needs \`embedding\` (its dimensions)`,
    ],
  },
  {
    mistake: "image constants that do not resolve against the native schema",
    files: {
      [embed]: replaceOnce(
        embedSpec,
        "    input: { to: /text, per_call: 1 }\n",
        "    input: { to: /text, per_call: 1 }\n    image: { to: /text, encoding: base64, constants: { /kind: image } }\n",
      ),
    },
    expected: [
      `${embed}:10:56 /embeddings/request/image/constants/~1kind: /kind does not resolve against native.embeddings_request`,
    ],
  },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A temp folder holding `files` (e.g. `specs/x.yaml`); returns its path. */
async function folderWith(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await createTempDir("spec-errors");
  cleanups.push(dir.remove);
  await writeTree(dir.path, files);
  return dir.path;
}

async function problemsOf(files: Readonly<Record<string, string>>): Promise<string[]> {
  const root = await folderWith(files);
  const result = await generate({ specsDir: path.join(root, "specs"), displayRoot: root, manifest: false });
  if (result.ok) return [];
  return result.problems.map(formatProblem);
}

describe("spec validation", () => {
  it("accepts the real specs", async () => {
    const { specs, problems } = await loadSpecs(path.join(repositoryRoot, "specs"), repositoryRoot);
    expect(problems).toEqual([]);
    expect(specs.length).toBeGreaterThanOrEqual(3);
    expect(specs.map((spec) => spec.file)).toContain("specs/anthropic-claude-messages.yaml");
    expect(validateSpecs(specs).map(formatProblem)).toEqual([]);
  });

  it.each([
    ["text", { [text]: textSpec }],
    ["embeddings", { [embed]: embedSpec }],
    ["images", { [image]: imageSpec }],
    ["rerank", { [rerank]: rerankSpec }],
    ["images-edit", { [edit]: editSpec }],
    ["speech-to-speech", { [speech]: speechSpec }],
    ["mantle", { [mantle]: mantleSpec }],
  ])("accepts the %s base spec the table edits", async (_name, files) => {
    expect(await problemsOf(files)).toEqual([]);
  });

  it("accepts a model overlay that rejects a param whose capability the model lacks", async () => {
    const files = {
      [text]: replaceOnce(
        textSpec,
        "    profiles: [us]\n",
        "    profiles: [us]\n    params: { thinking: { policy: reject } }\n",
      ),
    };
    expect(await problemsOf(files)).toEqual([]);
  });

  it("covers many distinct kinds of mistake", () => {
    expect(new Set(mistakes.map((row) => row.mistake)).size).toBe(mistakes.length);
    expect(mistakes.length).toBeGreaterThanOrEqual(12);
  });

  it.each(mistakes)("rejects: $mistake", async ({ files, expected }) => {
    expect(await problemsOf(files)).toEqual(expected);
  });

  it.each(speechMistakes)("rejects: $mistake", async ({ files, expected }) => {
    expect(await problemsOf(files)).toEqual(expected);
  });

  it.each(mantleMistakes)("rejects: $mistake", async ({ files, expected }) => {
    expect(await problemsOf(files)).toEqual(expected);
  });

  it("reports every semantic problem of a spec at once", async () => {
    let spec = replaceOnce(textSpec, 'user: "[U]{content}"', 'user: "[U]{name}: {content}"');
    spec = replaceOnce(spec, "/inferenceConfig/maxTokens", "/inferenceConfig/maxTokenCount");
    spec = replaceOnce(spec, "input_per_mtok: 1,", "input_per_mtok: -1,");
    expect(await problemsOf({ [text]: spec })).toEqual([
      `${text}:15:7 /chat/request/template/user: unknown placeholder {name}; templates may use {content}, {role}`,
      `${text}:30:19 /converse/params/max_tokens/to: /inferenceConfig/maxTokenCount is not a field of the Converse request`,
      `${text}:58:14 /models/0/price/input_per_mtok: price must not be negative (got -1)`,
    ]);
  });

  it("reports every schema problem of a spec at once", async () => {
    let spec = replaceOnce(textSpec, "codec: template", "codec: templates");
    spec = replaceOnce(spec, "prompt_tokens: /in_tokens", "prompt_tokens: in_tokens");
    spec = replaceOnce(spec, "context_window: 1000", "context_window: lots");
    expect(await problemsOf({ [text]: spec })).toEqual([
      `${text}:12:5 /chat/request/codec: must be one of "template", "anthropic", "nova", "openai", "cohere-chat", "mistral-chat"`,
      `${text}:24:14 /chat/response/usage/prompt_tokens: does not match the pattern ^(/[^/]*)+$`,
      `${text}:54:5 /models/0/context_window: must be integer`,
    ]);
  });

  it("reports the problems of every spec file at once", async () => {
    const files = {
      [text]: replaceOnce(textSpec, "title: Demo text", "title: [Demo text"),
      [embed]: replaceOnce(embedSpec, "vectors: [/vector]", "vectors: [/vectors]"),
      [image]: replaceOnce(imageSpec, "usd: 0.04", "usd: -0.04"),
    };
    // Sorted by file: demo-embed, demo-image, demo-text.
    expect(await problemsOf(files)).toEqual([
      `${embed}:13:15 /embeddings/response/vectors/0: /vectors does not resolve against native.embeddings_response`,
      `${image}:32:42 /models/0/price/images/0/usd: price must not be negative (got -0.04)`,
      `${text}:4:1 /: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
  });
});

describe("spec files", () => {
  it("reports only the first YAML syntax error of a file (the parser finds 18 here)", async () => {
    const files = editText("operations: [chat, chat-stream]", "operations: [chat, chat-stream\n  x: ]]");
    expect(await problemsOf(files)).toEqual([
      `${text}:5:20 /: YAML: Implicit keys of flow sequence pairs need to be on a single line`,
    ]);
  });

  it("refuses a spec nested too deep at once, naming the file (a deep one used to run for minutes)", async () => {
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    const files = editText("sources: [https://example.com/demo]", `sources: ${deep}`);
    expect(await problemsOf(files)).toEqual([`${text}:4:73 /: nesting deeper than 64 levels`]);
  });

  it("refuses a spec larger than 2 MiB, naming the file", async () => {
    const files = { [text]: `${textSpec}# ${"x".repeat(2 * 1024 * 1024)}\n` };
    const bytes = Buffer.byteLength(files[text]!);
    expect(await problemsOf(files)).toEqual([
      `${text}:1:1 /: the file is ${bytes} bytes; at most 2097152 are read`,
    ]);
  });

  it("follows a symbolic link to a spec", async () => {
    const root = await folderWith({ "elsewhere/demo-text.yaml": textSpec, "specs/README.md": "specs\n" });
    await symlink(path.join(root, "elsewhere/demo-text.yaml"), path.join(root, text));
    const result = await generate({ specsDir: path.join(root, "specs"), displayRoot: root, manifest: false });
    expect(result.ok && result.specs.map((spec) => spec.file)).toEqual([text]);
  });

  it("reports a symbolic link whose target is missing instead of skipping it", async () => {
    const root = await folderWith({ [embed]: embedSpec });
    await symlink(path.join(root, "nowhere/demo-text.yaml"), path.join(root, text));
    const result = await generate({ specsDir: path.join(root, "specs"), displayRoot: root, manifest: false });
    expect(!result.ok && result.problems.map(formatProblem)).toEqual([
      `${text}:1:1 /: cannot read the spec: a symbolic link whose target does not exist`,
    ]);
  });
});

describe("generate with a bad spec", () => {
  it("exits 1, prints every problem and leaves the output folder untouched", async () => {
    let spec = replaceOnce(textSpec, 'user: "[U]{content}"', 'user: "[U]{name}: {content}"');
    spec = replaceOnce(spec, "/inferenceConfig/maxTokens", "/inferenceConfig/maxTokenCount");
    spec = replaceOnce(spec, "input_per_mtok: 1,", "input_per_mtok: -1,");
    const root = await folderWith({
      [text]: spec,
      "out/catalog.ts": "// an earlier catalog\n",
      "out/families/demo-text.ts": "export const stale = true;\n",
      "out/notes.txt": "not generated\n",
    });
    const out = path.join(root, "out");
    const before = await readTree(root);
    const output = captureOutput();

    const code = await runGenerate(["--specs", path.join(root, "specs"), "--out", out], output.io);

    expect(code).toBe(1);
    expect(output.stdout()).toBe("");
    const specLabel = path.relative(repositoryRoot, path.join(root, text));
    expect(output.stderr()).toBe(
      [
        `${specLabel}:15:7 /chat/request/template/user: unknown placeholder {name}; templates may use {content}, {role}`,
        `${specLabel}:30:19 /converse/params/max_tokens/to: /inferenceConfig/maxTokenCount is not a field of the Converse request`,
        `${specLabel}:58:14 /models/0/price/input_per_mtok: price must not be negative (got -1)`,
        "3 problems found; nothing was written.",
        "",
      ].join("\n"),
    );
    // Byte for byte, and no staging folder left beside the output.
    expect(await readTree(root)).toEqual(before);
  });

  it("exits 1 on a YAML error without creating the output folder", async () => {
    const root = await folderWith({ [text]: replaceOnce(textSpec, "title: Demo text", "title: [Demo text") });
    const output = captureOutput();
    const code = await runGenerate(
      ["--specs", path.join(root, "specs"), "--out", path.join(root, "out")],
      output.io,
    );
    expect(code).toBe(1);
    expect(output.stderr()).toContain("demo-text.yaml:4:1 /: YAML: Flow sequence");
    expect([...(await readTree(root)).keys()]).toEqual([text]);
  });
});
