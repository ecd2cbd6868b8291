import { readFile } from "node:fs/promises";

/** Reads all of stdin as text (for `-` arguments). */
export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads non-empty lines from a file, or from stdin when the path is `-`. */
export async function readLines(file: string, cwd: string): Promise<string[]> {
  const text = file === "-" ? await readStdin() : await readFile(new URL(file, `file://${cwd}/`), "utf8");
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}
