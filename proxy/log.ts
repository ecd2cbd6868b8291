/** One structured log line. Request lines never carry credentials or message content. */
export interface LogLine {
  readonly time: string;
  readonly level: "info" | "warn" | "error";
  readonly msg: string;
  readonly [field: string]: unknown;
}

export type LogSink = (line: LogLine) => void;

/** How long request lines may wait to be written together. */
const batchMs = 10;

/** Sinks with lines pending, written out when the process exits. */
const pendingSinks = new Set<() => void>();
let exitHooked = false;

export interface JsonLineSinkOptions {
  /**
   * Largest single write in bytes, cut at line ends. With several processes writing one pipe (the workers of
   * `serve --workers`), writes of at most PIPE_BUF (4096 bytes on Linux) are never interleaved, so no
   * line is torn by another process's.
   */
  readonly maxWrite?: number;
}

/** `text` (whole lines) in pieces of at most `limit` UTF-8 bytes each; a longer single line stays whole. */
export function splitAtLines(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  let bytes = 0;
  for (const line of text.split(/(?<=\n)/)) {
    const size = Buffer.byteLength(line);
    if (bytes + size > limit && piece !== "") {
      pieces.push(piece);
      piece = "";
      bytes = 0;
    }
    piece += line;
    bytes += size;
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
}

/**
 * Writes JSON lines to a stream (stdout by default). Request lines are collected for up to 10 ms and
 * written together: one system call for many requests instead of one each. Lifecycle lines (start,
 * warnings, stop) are written at once, with whatever is pending, and pending lines are written when the
 * process exits.
 */
export function jsonLineSink(
  stream: { write(text: string): unknown } = process.stdout,
  options: JsonLineSinkOptions = {},
): LogSink {
  const { maxWrite } = options;
  let pending = "";
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    pendingSinks.delete(flush);
    const text = pending;
    pending = "";
    if (text === "") return;
    if (maxWrite === undefined || Buffer.byteLength(text) <= maxWrite) stream.write(text);
    else for (const piece of splitAtLines(text, maxWrite)) stream.write(piece);
  };
  return (line) => {
    pending += `${JSON.stringify(line)}\n`;
    if (line.msg !== "request" || pending.length > 65_536) {
      flush();
      return;
    }
    if (timer) return;
    timer = setTimeout(flush, batchMs).unref();
    pendingSinks.add(flush);
    if (!exitHooked) {
      exitHooked = true;
      process.once("exit", () => {
        for (const flushSink of [...pendingSinks]) flushSink();
      });
    }
  };
}

export function logLine(level: LogLine["level"], msg: string, fields: Record<string, unknown> = {}): LogLine {
  return { time: new Date().toISOString(), level, msg, ...fields };
}
