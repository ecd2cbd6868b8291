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

/**
 * Writes JSON lines to a stream (stdout by default). Request lines are collected for up to 10 ms and
 * written together: one system call for many requests instead of one each. Lifecycle lines (start,
 * warnings, stop) are written at once, with whatever is pending, and pending lines are written when the
 * process exits.
 */
export function jsonLineSink(stream: { write(text: string): unknown } = process.stdout): LogSink {
  let pending = "";
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    pendingSinks.delete(flush);
    const text = pending;
    pending = "";
    if (text !== "") stream.write(text);
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
