// Issue 12, item 5: request headers and bodies time out; a connection answered before its body arrived
// (a 401) is closed instead of being read to the end. Time bounds here are generous liveness bounds.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { claude, type Harness, paramsFor, startHarness } from "./helpers.js";

interface RawConnection {
  /** Everything received until the server closed the connection. */
  readonly closed: Promise<{ text: string; afterMs: number }>;
  write(text: string): void;
  destroy(): void;
}

function connect(url: string): RawConnection {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const started = performance.now();
  let text = "";
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
  });
  socket.on("error", () => undefined);
  return {
    closed: new Promise((resolve) =>
      socket.once("close", () => resolve({ text, afterMs: performance.now() - started })),
    ),
    write: (piece) => {
      if (!socket.destroyed) socket.write(piece);
    },
    destroy: () => socket.destroy(),
  };
}

/** Writes one byte every `everyMs` until the connection closes. */
function dribble(connection: RawConnection, everyMs: number): () => void {
  const timer = setInterval(() => connection.write("x"), everyMs);
  return () => clearInterval(timer);
}

describe("slow and answered clients", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function start(general: Record<string, unknown>) {
    harness = await startHarness((emulator) => ({
      model_list: [{ model_name: "claude", litellm_params: paramsFor(emulator, claude) }],
      general_settings: general,
    }));
    return harness.proxy.url;
  }

  it("closes a connection whose headers do not arrive within headers_timeout", async () => {
    const url = await start({ headers_timeout: 0.3, body_timeout: 30 });
    const connection = connect(url);
    connection.write("POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\n");
    const stop = dribble(connection, 50);
    const { text, afterMs } = await connection.closed;
    stop();
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeLessThan(10_000);
  });

  it("answers 408 in OpenAI's shape and closes a connection whose body does not arrive within body_timeout", async () => {
    const url = await start({ headers_timeout: 5, body_timeout: 0.5 });
    const connection = connect(url);
    connection.write(
      "POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{",
    );
    const stop = dribble(connection, 50);
    const { text, afterMs } = await connection.closed;
    stop();
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4))).toEqual({
      error: {
        message: "The request did not arrive within 500 ms (headers within 500 ms)",
        type: "timeout_error",
        param: null,
        code: "request_receive_timeout",
      },
    });
    expect(afterMs).toBeLessThan(10_000);
  });

  it("closes a connection answered 401 before its body arrived, instead of reading the rest", async () => {
    const url = await start({ master_key: "sk-right", headers_timeout: 30, body_timeout: 60 });
    const connections = Array.from({ length: 5 }, () => connect(url));
    const stops = connections.map((connection) => {
      connection.write(
        "POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer sk-wrong\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{",
      );
      return dribble(connection, 50);
    });
    const results = await Promise.all(connections.map((connection) => connection.closed));
    for (const stop of stops) stop();
    for (const { text, afterMs } of results) {
      expect(text).toMatch(/^HTTP\/1\.1 401 /);
      expect(text.toLowerCase()).toContain("connection: close");
      expect(text).toContain('"code":"invalid_api_key"');
      // Far sooner than the body timeout (60 s).
      expect(afterMs).toBeLessThan(20_000);
    }
  });
});
