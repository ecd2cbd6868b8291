/**
 * The contract of a family called through Converse only: the fixture's exchange replays through the runtime,
 * the real AWS SDK and the emulator (which checks the body against Converse's request shape), and the
 * OpenAI-shaped result is compared with what the native answer says, written out by each test.
 */
import { type Fixture, type Replay, replay } from "./fixture-replay.js";

export interface ConverseCase {
  readonly model: string;
  readonly request: Readonly<Record<string, unknown>>;
}

/** Replays a Converse fixture for one chat call; returns the result, the body sent and the server. */
export async function replayConverse(fixture: Fixture, call: ConverseCase) {
  const server: Replay = await replay(fixture);
  try {
    const result = await server.bedrock.chat.completions.create({
      model: call.model,
      ...call.request,
    } as never);
    const log = server.emulator.requests.at(-1)!;
    return { result, sent: server.received[0]!, operation: log.operation, modelId: log.modelId };
  } finally {
    await server.close();
  }
}
