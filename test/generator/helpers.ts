import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository this test runs in. */
export const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

/** A fresh folder under the OS temp dir; `remove()` deletes it. */
export async function createTempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `bedrock-forge-${prefix}-`));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `files` (relative name -> text) under `root`, creating folders. */
export async function writeTree(root: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    const target = path.join(root, name);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  }
}

/** Every file under `root` (relative names with `/`, sorted) with its bytes. */
export async function readTree(root: string): Promise<Map<string, Buffer>> {
  const result = new Map<string, Buffer>();
  const walk = async (dir: string, prefix: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), relative);
      else result.set(relative, await readFile(path.join(dir, entry.name)));
    }
  };
  await walk(root, "");
  return result;
}

/** Collects what a command writes, for `runGenerate(argv, io)`. */
export function captureOutput(): {
  io: { stdout: { write(text: string): void }; stderr: { write(text: string): void } };
  stdout(): string;
  stderr(): string;
} {
  let out = "";
  let err = "";
  return {
    io: {
      stdout: {
        write: (text: string) => {
          out += text;
        },
      },
      stderr: {
        write: (text: string) => {
          err += text;
        },
      },
    },
    stdout: () => out,
    stderr: () => err,
  };
}

/**
 * Replaces the one occurrence of `from` in `text`; throws when there is none or several, so a
 * table row can never silently test the unchanged spec.
 */
export function replaceOnce(text: string, from: string, to: string): string {
  const first = text.indexOf(from);
  if (first < 0) throw new Error(`fixture edit: ${JSON.stringify(from)} not found`);
  if (text.indexOf(from, first + 1) >= 0)
    throw new Error(`fixture edit: ${JSON.stringify(from)} is ambiguous`);
  return text.slice(0, first) + to + text.slice(first + from.length);
}
