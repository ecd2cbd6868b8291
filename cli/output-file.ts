import { randomBytes } from "node:crypto";
import { link, lstat, mkdir, open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "./command.js";

/** How a command writes a result file: never over an existing one unless the user said `--force`. */
export interface OutputFileOptions {
  /** Replace an existing file (the path itself: a link there is replaced, not written through). */
  readonly force?: boolean;
  /** How the flag is named in messages, e.g. `--out lighthouse.png`. */
  readonly label: string;
}

/** The file's status without following a link; undefined when nothing is there. */
async function statusOf(file: string) {
  return lstat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
}

/**
 * A new empty file with an unguessable name in `folder`, created exclusively (O_CREAT|O_EXCL: an
 * existing file or link of that name fails instead of being opened), so nothing is written through a
 * link someone placed in advance.
 */
async function createTemporaryFile(folder: string, base: string) {
  const file = path.join(folder, `.${base}.${randomBytes(8).toString("hex")}.tmp`);
  return { file, handle: await open(file, "wx", 0o644) };
}

/**
 * Checks, before any work is paid for, that `file` can be written: its folder exists or can be made,
 * a new file can be created there, and `file` is not a folder nor (without `force`) an existing file.
 * Bad paths are usage errors naming the flag.
 */
export async function checkOutputFile(file: string, options: OutputFileOptions): Promise<void> {
  const folder = path.dirname(file);
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw new UsageError(
      `${options.label}: cannot create its folder (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  const existing = await statusOf(file);
  if (existing?.isDirectory()) throw new UsageError(`${options.label} is a folder; name a file`);
  if (existing && !options.force)
    throw new UsageError(`${options.label} exists; pass --force to replace it (nothing was generated)`);
  try {
    const probe = await createTemporaryFile(folder, path.basename(file));
    await probe.handle.close();
    await unlink(probe.file);
  } catch (error) {
    throw new UsageError(
      `${options.label}: cannot write in its folder (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
}

/**
 * Writes `bytes` to `file` whole or not at all: into an exclusively created temporary file in the same
 * folder, then moved into place. Without `force` the move never replaces a file that appeared since the
 * check (a hard link fails on an existing name; where links are not supported, the name is checked
 * right before the rename).
 */
export async function writeOutputFile(
  file: string,
  bytes: Uint8Array,
  options: OutputFileOptions,
): Promise<void> {
  const temporary = await createTemporaryFile(path.dirname(file), path.basename(file));
  try {
    await temporary.handle.writeFile(bytes);
    await temporary.handle.sync();
  } finally {
    await temporary.handle.close();
  }
  try {
    if (options.force) {
      if ((await statusOf(file))?.isDirectory()) throw new Error(`${options.label} is a folder`);
      await rename(temporary.file, file);
      return;
    }
    try {
      await link(temporary.file, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST")
        throw new Error(`${options.label} appeared while the image was made; not replaced`);
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw error;
      if (await statusOf(file))
        throw new Error(`${options.label} appeared while the image was made; not replaced`);
      await rename(temporary.file, file);
    }
  } finally {
    await unlink(temporary.file).catch(() => {});
  }
}
