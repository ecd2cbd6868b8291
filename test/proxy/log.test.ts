import { describe, expect, it } from "vitest";
import { jsonLineSink, logLine } from "../../proxy/log.js";

describe("jsonLineSink", () => {
  it("writes request lines together after a short wait, lifecycle lines at once", async () => {
    const writes: string[] = [];
    const sink = jsonLineSink({ write: (text: string) => writes.push(text) });
    sink(logLine("info", "request", { status: 200 }));
    sink(logLine("info", "request", { status: 404 }));
    expect(writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(writes).toHaveLength(1);
    expect(
      writes[0]!
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line).status),
    ).toEqual([200, 404]);

    sink(logLine("info", "request", { status: 500 }));
    sink(logLine("info", "stopped"));
    expect(writes).toHaveLength(2);
    expect(
      writes[1]!
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line).msg),
    ).toEqual(["request", "stopped"]);
  });

  it("writes each line as one JSON object with time, level and msg", () => {
    const writes: string[] = [];
    jsonLineSink({ write: (text: string) => writes.push(text) })(logLine("warn", "listening", { url: "x" }));
    expect(JSON.parse(writes[0]!)).toEqual({
      time: expect.any(String),
      level: "warn",
      msg: "listening",
      url: "x",
    });
  });
});
