/** One structured log line. Request lines never carry credentials or message content. */
export interface LogLine {
  readonly time: string;
  readonly level: "info" | "warn" | "error";
  readonly msg: string;
  readonly [field: string]: unknown;
}

export type LogSink = (line: LogLine) => void;

/** Writes JSON lines to a stream (stdout by default). */
export function jsonLineSink(stream: { write(text: string): unknown } = process.stdout): LogSink {
  return (line) => {
    stream.write(`${JSON.stringify(line)}\n`);
  };
}

export function logLine(level: LogLine["level"], msg: string, fields: Record<string, unknown> = {}): LogLine {
  return { time: new Date().toISOString(), level, msg, ...fields };
}
