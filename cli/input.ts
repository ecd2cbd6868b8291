import { readFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "./command.js";

/** A file's text; a file that cannot be read is a usage error naming it. */
async function readFileNamed(file: string, given: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${given}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
}

/** Reads all of stdin as text (for `-` arguments). */
export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads non-empty lines from a file (a path, relative to `cwd`), or from stdin when the path is `-`. */
export async function readLines(
  file: string,
  cwd: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<string[]> {
  const text = file === "-" ? await readStdin(stdin) : await readFileNamed(path.resolve(cwd, file), file);
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}
