import type { ChatCompletionChunk, ChatMessage, Usage } from "../../runtime/index.js";
import { uncheckedModel } from "../../runtime/model-ref.js";
import { connectionHelp, connectionOptions, parseCommandArgs, parseParams } from "../args.js";
import { type Command, UsageError } from "../command.js";
import { connect } from "../connect.js";
import { formatCost } from "../format.js";
import { readStdin } from "../input.js";

const help = `Usage: bedrock-forge chat "<prompt>" --model <id> [options]

Sends one chat completion and prints the answer on stdout; tokens and cost go to stderr.
The prompt "-" reads it from stdin.

Options:
  -m, --model ID          Model id, cross-region profile id (us.…) or ARN (required).
                          \`bedrock-forge models --operation chat\` lists them.
  -s, --system TEXT       A system message.
      --stream            Print the answer as it arrives.
  -p, --param KEY=VALUE   A request param, repeatable: max_tokens=200, temperature=0.2, top_k=5.
                          Values are JSON when they parse as JSON; dotted keys nest
                          (guardrailConfig.guardrailVersion=DRAFT).
      --json              Print the OpenAI-shaped result as JSON (with --stream: one chunk per line).
  -h, --help              Show this help.

${connectionHelp}

Exit codes: 0 answered, 1 the call failed, 2 bad usage or a request the model cannot take.

Examples:
  bedrock-forge chat "Say hi" --model anthropic.claude-3-haiku-20240307-v1:0 --offline
  bedrock-forge chat "Write a haiku" --model us.anthropic.claude-3-haiku-20240307-v1:0 --stream --region us-east-1
  bedrock-forge chat "Hi" --model meta.llama3-8b-instruct-v1:0 --param max_tokens=64 --json
`;

/** One line of usage for humans: `tokens 12 in / 40 out · cost $0.0000530`. */
export function describeUsage(usage: Usage | null | undefined): string {
  if (!usage) return "tokens: n/a";
  return `tokens: ${usage.prompt_tokens} in / ${usage.completion_tokens} out · cost: ${formatCost(usage.cost)}`;
}

/** The line a chat ends with on stderr, unary or streamed: usage, finish reason and route. */
export function describeCompletion(
  usage: Usage | null | undefined,
  finishReason: string | null | undefined,
  route: string | undefined,
): string {
  return `${describeUsage(usage)} · finish: ${finishReason ?? "n/a"} · route: ${route ?? "n/a"}`;
}

export const chatCommand: Command = {
  name: "chat",
  summary: "Send a chat completion to any Bedrock chat model (--stream to print as it arrives)",
  help,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        model: { type: "string", short: "m" },
        system: { type: "string", short: "s" },
        stream: { type: "boolean" },
        param: { type: "string", short: "p", multiple: true },
        json: { type: "boolean" },
        ...connectionOptions,
      },
      { positionals: true },
    );
    if (values.help) {
      io.stdout.write(help);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError("a prompt is required");
    if (positionals.length > 1)
      throw new UsageError(`one prompt only (got ${positionals.length}); quote it: chat "your prompt"`);
    if (!values.model) throw new UsageError("--model is required");
    const params = parseParams(values.param);
    let prompt = positionals[0]!;
    if (prompt === "-") prompt = (await readStdin(io.stdin)).trim();
    if (prompt === "") throw new UsageError("the prompt is empty");

    const messages: ChatMessage[] = [
      ...(values.system !== undefined ? [{ role: "system" as const, content: values.system }] : []),
      { role: "user", content: prompt },
    ];
    const connection = await connect(values, io.env);
    try {
      const { bedrock } = connection;
      if (values.stream) {
        const stream = await bedrock.chat.completions.create({
          stream_options: { include_usage: true },
          ...params,
          model: uncheckedModel(values.model),
          messages,
          stream: true,
        });
        let usage: Usage | null | undefined;
        let finishReason: string | null | undefined;
        let route: string | undefined;
        let endsWithNewline = true;
        for await (const chunk of stream) {
          finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
          route = chunk.provider_specific_fields?.route ?? route;
          if (values.json) {
            io.stdout.write(`${JSON.stringify(chunk)}\n`);
            continue;
          }
          const text = textOf(chunk);
          if (text) {
            io.stdout.write(text);
            endsWithNewline = text.endsWith("\n");
          }
          for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
            if (call.function?.name) io.stdout.write(`\n[tool call ${call.function.name}] `);
            if (call.function?.arguments) io.stdout.write(call.function.arguments);
            endsWithNewline = false;
          }
          if (chunk.usage) usage = chunk.usage;
        }
        if (!values.json) {
          if (!endsWithNewline) io.stdout.write("\n");
          io.stderr.write(`${describeCompletion(usage, finishReason, route)}\n`);
        }
        return 0;
      }
      const completion = await bedrock.chat.completions.create({
        ...params,
        model: uncheckedModel(values.model),
        messages,
      });
      if (values.json) {
        io.stdout.write(`${JSON.stringify(completion, null, 2)}\n`);
        return 0;
      }
      const message = completion.choices[0]?.message;
      if (message?.reasoning_content) io.stderr.write(`[reasoning] ${message.reasoning_content}\n`);
      if (message?.content)
        io.stdout.write(message.content.endsWith("\n") ? message.content : `${message.content}\n`);
      for (const call of message?.tool_calls ?? [])
        io.stdout.write(`[tool call ${call.function.name}] ${call.function.arguments}\n`);
      io.stderr.write(
        `${describeCompletion(completion.usage, completion.choices[0]?.finish_reason, completion.provider_specific_fields.route)}\n`,
      );
      return 0;
    } finally {
      await connection.close();
    }
  },
};

function textOf(chunk: ChatCompletionChunk): string | undefined {
  return chunk.choices[0]?.delta.content;
}
